"""Errors that reach a user: each says what went wrong and what to do about it."""

from __future__ import annotations


class KostraError(Exception):
    """Base for every error kostra reports to a user without a traceback.

    ``hint`` tells the user what to do next; the CLI prints it under the message.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n{self.hint}"


class UnknownMunicipalityError(KostraError):
    """A name or code that matches no municipality; ``suggestions`` holds close matches."""

    def __init__(self, query: str, suggestions: list[str], *, year: int | None = None) -> None:
        when = f" in {year}" if year is not None else ""
        hint = (
            "Did you mean: " + ", ".join(suggestions) + "?"
            if suggestions
            else "Run `kostra municipalities` to list valid names and codes."
        )
        super().__init__(f"No municipality matches {query!r}{when}.", hint=hint)
        self.query = query
        self.suggestions = suggestions


class DatabaseBusyError(KostraError):
    """Another process holds the warehouse for writing."""


class DataNotFoundError(KostraError):
    """The warehouse has none of the data an analysis needs."""


class SourceError(KostraError):
    """A data source (SSB's API, a file) answered with something we cannot use."""


class InputFileError(SourceError):
    """A file given for import is not in a format we can read."""
