"""Peer groups ("sammenligningsgrupper"): whom a municipality is compared with, year by year.

The definitions are data (``kostra/data/geography/peer_groups.toml``); this module only reads
them and the municipality list. Kinds: ``asss``, ``county``, ``country``, ``country_ex_oslo``,
``kostra_group`` (SSB Klass 112 when ``kostra fetch --classifications`` cached it, else the
packaged 2020 grouping for 2020–2025; see :mod:`kostra.geography.kostra_groups`), ``similar``
(the most similar municipalities by structure, :mod:`kostra.analysis.similar`) and a custom
list of names or codes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from kostra.errors import KostraError
from kostra.geography import _data
from kostra.geography.history import _check_year
from kostra.geography.kostra_groups import kostra_groups
from kostra.geography.municipalities import municipalities, resolve_municipality
from kostra.i18n.said import say

KINDS = ("asss", "county", "country", "country_ex_oslo", "kostra_group", "similar")

KostraGroups = Mapping[str, str] | Callable[[int], Mapping[str, str]]
"""Municipality code -> KOSTRA group label for a year, or a function of the year giving that."""


@dataclass(frozen=True)
class PeerGroup:
    """A group of municipalities valid in ``year``; ``members`` are their codes that year."""

    name: str
    kind: str
    year: int
    members: list[str] = field(default_factory=list)

    def __contains__(self, code: object) -> bool:
        return code in self.members

    def __len__(self) -> int:
        return len(self.members)


def asss_members(year: int) -> list[str]:
    """The codes of the ASSS municipalities in ``year`` (ten; twelve from data year 2022)."""
    _check_year(year)
    members = []
    for member in _data.peer_group_data()["asss"]["members"]:
        if year < int(member.get("from_year", _data.FIRST_YEAR)):
            continue
        codes: dict[str, str] = member["codes"]
        starts = [int(y) for y in codes if int(y) <= year]
        if starts:
            members.append(codes[str(max(starts))])
    return sorted(members)


def peer_group(
    name_or_kind: str | Sequence[str],
    year: int,
    *,
    municipality: str | None = None,
    kostra_groups: KostraGroups | None = None,
) -> PeerGroup:
    """The peer group ``name_or_kind`` in ``year``.

    ``asss``; ``county`` (the county of ``municipality``); ``country``; ``country_ex_oslo``;
    ``kostra_group`` (the KOSTRA group of ``municipality``, from ``kostra_groups`` or
    :func:`kostra.geography.kostra_groups.kostra_groups`); ``similar`` (``municipality`` and
    its ten most similar municipalities, :func:`kostra.workbench.similar_members`); or a custom
    list: a sequence of names
    or codes, or one string of them separated by commas ("Bærum, Asker, 0301"). Members are codes
    valid in ``year``.
    """
    _check_year(year)
    if not isinstance(name_or_kind, str):
        return _custom(list(name_or_kind), year)
    kind = name_or_kind.strip().lower().replace("-", "_")
    if "," in name_or_kind:
        return _custom([part for part in name_or_kind.split(",") if part.strip()], year)
    all_codes = municipalities(year)["code"].to_list()
    if kind == "asss":
        data = _data.peer_group_data()["asss"]
        return PeerGroup(str(data["name"]), "asss", year, asss_members(year))
    if kind in ("country", "landet", "eak"):
        return PeerGroup("Landet", "country", year, all_codes)
    if kind in ("country_ex_oslo", "landet_uten_oslo", "eakuo"):
        excluded = set(_data.peer_group_data()["country_ex_oslo"]["exclude"])
        members = [c for c in all_codes if c not in excluded]
        return PeerGroup("Landet uten Oslo", "country_ex_oslo", year, members)
    if kind in ("county", "fylke"):
        home = _need_municipality(municipality, kind, year)
        frame = municipalities(year).filter(pl.col("county_code") == home.county)
        return PeerGroup(home.county_name, "county", year, frame["code"].to_list())
    if kind in ("kostra_group", "kostragruppe", "kostra"):
        home = _need_municipality(municipality, kind, year)
        groups = _kostra_groups(year, kostra_groups)
        label = groups.get(home.code)
        if label is None:
            raise KostraError(
                say("error.peers.no_kostra_group", municipality=str(home), year=year),
                hint=say("error.peers.no_kostra_group.hint", year=year),
            )
        members = sorted(code for code, group in groups.items() if group == label)
        return PeerGroup(label, "kostra_group", year, [c for c in members if c in all_codes])
    if kind in ("similar", "lignende", "liknande", "lignende_kommuner"):
        home = _need_municipality(municipality, kind, year)
        # the similarity finder reads structural data beyond geography: imported on use
        workbench = importlib.import_module("kostra.workbench")
        members = workbench.similar_members(home.code, year)
        return PeerGroup("Lignende kommuner", "similar", year, members)
    # Anything else is a single name or code: a group of one.
    return _custom([name_or_kind], year)


def _need_municipality(municipality: str | None, kind: str, year: int) -> Any:
    if municipality is None or not municipality.strip():
        # a ranking of every municipality passes none ("")
        raise KostraError(
            say("error.peers.needs_municipality", kind=repr(kind)),
            hint=say("error.peers.needs_municipality.hint"),
        )
    return resolve_municipality(municipality, year)


def _custom(items: list[str], year: int) -> PeerGroup:
    codes: list[str] = []
    for item in items:
        code = resolve_municipality(item.strip(), year).code
        if code not in codes:
            codes.append(code)
    return PeerGroup("Egendefinert", "custom", year, codes)


def _kostra_groups(year: int, given: KostraGroups | None) -> Mapping[str, str]:
    """KOSTRA group labels by code: from ``given``, else from
    :func:`kostra.geography.kostra_groups.kostra_groups` (SSB's classification cached by
    ``kostra fetch --classifications``, or the packaged 2020 grouping for 2020–2025)."""
    if given is not None:
        return given(year) if callable(given) else given
    return _group_labels(year)


def _group_labels(year: int) -> Mapping[str, str]:
    frame = kostra_groups(year)
    return dict(frame.select("code", "kostra_group_label").iter_rows())
