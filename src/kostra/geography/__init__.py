"""Municipalities across reforms: names, code history, harmonisation, peer groups, population.

Built on packaged data derived from SSB's own files (see docs/DATA.md, "Geography and
population"); nothing here touches the network.
"""

from kostra.geography.grid import drop_not_applicable
from kostra.geography.harmonise import harmonise
from kostra.geography.history import code_history, mapping, predecessors, successors
from kostra.geography.kostra_groups import NoKostraGroupsError, kostra_groups
from kostra.geography.municipalities import (
    AmbiguousMunicipalityError,
    Municipality,
    counties,
    municipalities,
    municipalities_on,
    municipality,
    municipality_on,
    normalise_name,
    resolve_municipality,
)
from kostra.geography.peers import KINDS, PeerGroup, asss_members, peer_group
from kostra.geography.population import (
    KOSTRA_AGE_GROUPS,
    accounting_year_population,
    population,
    population_for_accounting_year,
    with_aggregates,
)

__all__ = [
    "KINDS",
    "KOSTRA_AGE_GROUPS",
    "AmbiguousMunicipalityError",
    "Municipality",
    "NoKostraGroupsError",
    "PeerGroup",
    "accounting_year_population",
    "asss_members",
    "code_history",
    "counties",
    "drop_not_applicable",
    "harmonise",
    "kostra_groups",
    "mapping",
    "municipalities",
    "municipalities_on",
    "municipality",
    "municipality_on",
    "normalise_name",
    "peer_group",
    "population",
    "population_for_accounting_year",
    "predecessors",
    "resolve_municipality",
    "successors",
    "with_aggregates",
]
