"""Errors that reach a user: each says what went wrong and what to do about it.

An error carries its words in English (``message``, ``hint``) and, where written, in bokmål
(``nb``, ``hint_nb``); the surface that shows it (the CLI's one error handler, the web) picks the
language the user chose with :meth:`KostraError.text` and :meth:`KostraError.hint_text`. Text a
user typed is quoted through :func:`shown`, so a pasted novel is never echoed back in full.
"""

from __future__ import annotations

LANGS = ("nb", "en")
"""The languages errors are written in; ``nb`` (bokmål) is the default and what a nynorsk
user reads (see :data:`kostra.settings.LANGS` for the languages of reports and pages)."""

SHOWN_LIMIT = 60
"""Characters of a user's input repeated in a message, at most."""


def shown(text: object, limit: int = SHOWN_LIMIT) -> str:
    """``text`` quoted for a message, its middle cut out when longer than ``limit``:
    ``'Bærumm'``, ``'aaaaaaa…aaaa' (100000 tegn/characters)``."""
    value = str(text)
    if len(value) <= limit:
        return repr(value)
    head = value[: limit * 2 // 3]
    tail = value[-(limit // 3) :]
    return f"{head + '…' + tail!r} ({len(value)})"


def clip(text: str, limit: int = 400) -> str:
    """``text`` with its middle cut out when longer than ``limit`` characters (a last guard
    for messages that repeat long input)."""
    if len(text) <= limit:
        return text
    return text[: limit * 2 // 3] + " … " + text[-(limit // 3) :]


class KostraError(Exception):
    """Base for every error kostra reports to a user without a traceback.

    ``message`` and ``hint`` are English; ``nb`` and ``hint_nb`` the same in bokmål (default:
    the English words, for messages that name only codes and numbers). ``hint`` tells the user
    what to do next and names a real command where it names one.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        nb: str | None = None,
        hint_nb: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.nb = nb if nb is not None else message
        self.hint_nb = hint_nb if hint_nb is not None else hint

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``en``, else bokmål)."""
        return self.message if lang == "en" else self.nb

    def hint_text(self, lang: str) -> str | None:
        """The hint in ``lang`` (``en``, else bokmål), or None."""
        return self.hint if lang == "en" else self.hint_nb

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"


def in_year(year: int | None, lang: str) -> str:
    """The words "in 2024" / "i 2024" (with a leading space) for a message; "" without a year."""
    if year is None:
        return ""
    return f" in {year}" if lang == "en" else f" i {year}"


class UnknownMunicipalityError(KostraError):
    """A name or code that matches no municipality; ``suggestions`` holds close matches."""

    def __init__(self, query: str, suggestions: list[str], *, year: int | None = None) -> None:
        names = ", ".join(suggestions)
        super().__init__(
            f"No municipality matches {shown(query)}{in_year(year, 'en')}.",
            nb=f"Ingen kommune heter {shown(query)}{in_year(year, 'nb')}.",
            hint=f"Did you mean: {names}?"
            if suggestions
            else "Run `kostra municipalities` to list valid names and codes.",
            hint_nb=f"Mente du: {names}?"
            if suggestions
            else "Se gyldige navn og nummer med `kostra municipalities`.",
        )
        self.query = query
        self.suggestions = suggestions
        self.year = year


class DissolvedMunicipalityError(UnknownMunicipalityError):
    """A municipality that no longer exists on the borders asked for: it was split, merged
    away or had not been formed yet. ``successors`` are the units that took it over."""

    def __init__(
        self,
        query: str,
        *,
        name: str,
        code: str,
        first: int,
        last: int,
        year: int,
        successors: list[str],
    ) -> None:
        super().__init__(query, successors, year=year)
        who = f"{name} ({code})"
        became_en = became_nb = ""
        if successors and last < year:
            listed = ", ".join(successors)
            became_en = f"; from {last + 1} it is part of {listed}"
            became_nb = f"; fra {last + 1} er den en del av {listed}"
        self.message = f"{who} does not exist in {year}: it existed {first}–{last}{became_en}."
        self.nb = f"{who} finnes ikke i {year}: kommunen fantes {first}–{last}{became_nb}."
        then = last if last < year else first
        self.hint = (
            f"Name one of the municipalities of {year}, or see `kostra municipalities --year "
            f"{then}` for {then}."
        )
        self.hint_nb = (
            f"Velg en kommune som fantes i {year}, eller se `kostra municipalities --year "
            f"{then}` for {then}."
        )
        self.args = (self.message,)


class DatabaseBusyError(KostraError):
    """Another process holds the warehouse for writing."""


class DataNotFoundError(KostraError):
    """The warehouse has none of the data an analysis needs."""


class WarehouseUnreadableError(DataNotFoundError):
    """The warehouse file exists but cannot be read (damaged, or not a kostra warehouse)."""


class SourceError(KostraError):
    """A data source (SSB's API, a file) answered with something we cannot use."""


class InputFileError(SourceError):
    """A file given for import is not in a format we can read."""
