"""Words of source messages in bokmål: a request's description, built in English for logs
and English messages, put into bokmål for the user who reads Norwegian."""

from __future__ import annotations

_WHAT_NB = (
    ("metadata for table", "metadata for tabell"),
    ("table search", "tabellsøk"),
    ("table ", "tabell "),
    ("selection ", "utvalg "),
    ("configuration", "konfigurasjon"),
    ("codelist ", "kodeliste "),
    ("code changes of classification", "kodeendringer i klassifikasjon"),
    ("codes of classification", "koder i klassifikasjon"),
    ("correspondence from classification", "korrespondanse fra klassifikasjon"),
    (" to ", " til "),
    (" from ", " fra "),
    (" on ", " per "),
)


def nb_what(what: str) -> str:
    """A request's description (``what``, built in English) in bokmål, for messages."""
    for english, bokmal in _WHAT_NB:
        what = what.replace(english, bokmal)
    return what
