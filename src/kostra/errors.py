"""Errors that reach a user: each says what went wrong and what to do about it.

An error's words come from the gettext catalogs in bokmål, nynorsk and English: the raise site
passes a :class:`~kostra.i18n.said.Said` (``say("error.….", …)``) as the message and the hint
(a test reads the source and fails on an error written in code). The surface that shows an
error (the CLI's one error handler, the web) picks the language the user chose with
:meth:`KostraError.text` and :meth:`KostraError.hint_text`. Text a user typed is quoted
through :func:`shown`, so a pasted novel is never echoed back in full.

This module imports :mod:`kostra.i18n` only when an error is made: the CLI's start imports
this module, and ``kostra --help`` loads no catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kostra.i18n.said import Said

LANGS = ("nb", "nn", "en")
"""The languages errors are written in; ``nb`` (bokmål) is the default."""

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

    ``message`` is the error's words, a :class:`~kostra.i18n.said.Said` from the catalogs in
    every language (``say("error.…", …)``); ``hint`` likewise tells the user what to do next and
    names a real command where it names one. A plain string is taken only for text that exists
    in one language, such as a library's own description of bad input, and reads the same in
    every language. ``message``/``hint`` hold the English words (logs, ``str(error)``).
    """

    def __init__(self, message: str | Said, *, hint: str | Said | None = None) -> None:
        self.said = _said(message)
        self.hint_said = None if hint is None else _said(hint)
        super().__init__(self.said.en)
        self.message: str = self.said.en
        self.hint: str | None = None if self.hint_said is None else self.hint_said.en

    def text(self, lang: str) -> str:
        """The message in ``lang`` (``nb``, ``nn`` or ``en``)."""
        return self.said[lang]

    def hint_text(self, lang: str) -> str | None:
        """The hint in ``lang``, or None."""
        return None if self.hint_said is None else self.hint_said[lang]

    def words(self) -> Said:
        """The message in every language, for an error that wraps this one in its own words."""
        return self.said

    def hint_words(self) -> Said | None:
        """The hint in every language, or None (see :meth:`words`)."""
        return self.hint_said

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"


def _said(words: str | Said) -> Said:
    """``words`` as a Said: a plain string reads the same in every language."""
    if not isinstance(words, str):
        return words
    from kostra.i18n.said import same

    return same(words)


def in_year(year: int | None) -> Said | str:
    """The words "in 2024" / "i 2024" (with a leading space) for a message; "" without a year."""
    from kostra.i18n.said import say

    return "" if year is None else say("error.in_year", year=year)


class UnknownMunicipalityError(KostraError):
    """A name or code that matches no municipality; ``suggestions`` holds close matches."""

    def __init__(
        self,
        query: str,
        suggestions: list[str],
        *,
        year: int | None = None,
        message: Said | None = None,
        hint: Said | None = None,
    ) -> None:
        """``message`` and ``hint`` replace the words of "no municipality matches" (for the
        subclasses: several match, or the one named no longer exists)."""
        from kostra.i18n.said import say

        names = ", ".join(suggestions)
        if message is None:
            message = say("error.municipality.unknown", query=shown(query), in_year=in_year(year))
        if hint is None:
            hint = (
                say("error.municipality.unknown.hint_close", names=names)
                if suggestions
                else say("error.municipality.unknown.hint_list")
            )
        super().__init__(message, hint=hint)
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
        from kostra.i18n.said import Value, say

        facts: dict[str, Value] = {
            "who": f"{name} ({code})",
            "year": year,
            "first": first,
            "last": last,
        }
        if successors and last < year:
            message = say(
                "error.municipality.dissolved_into",
                next=last + 1,
                successors=", ".join(successors),
                **facts,
            )
        else:
            message = say("error.municipality.dissolved", **facts)
        then = last if last < year else first
        hint = say("error.municipality.dissolved.hint", year=year, then=then)
        super().__init__(query, successors, year=year, message=message, hint=hint)


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
