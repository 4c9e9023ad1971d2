"""Which municipality borders a page is on, and what a municipality was on them.

A page computes its year on that year's own borders and peer members by default, as the CLI,
the report and SSB do (``grenser=aar``); ``grenser=nyeste`` puts the year on today's borders
(:data:`kostra.api.NEWEST_BORDERS`). The map is drawn on the newest borders whatever the choice,
and time series are put on them too.

A municipality in a page's URL is taken to the unit of the page's borders through the code
history (:mod:`kostra.geography`): a code of another year that only changed its number, or a
name, becomes that year's code and the page redirects to it (``/kommune/3201?ar=2018`` →
``/kommune/0219?ar=2018``, Bærum's code in 2018). A unit formed by a merger after that year is
taken to the predecessor with its name (Ålesund 1508 in 2018 → 1504, Ålesund then); without
one, the page lists the predecessors (:class:`SeveralMunicipalitiesError`). The municipality's
page says in words when it was another unit then than it is today (:func:`change_note`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import polars as pl

from kostra import api
from kostra.errors import DissolvedMunicipalityError, KostraError, UnknownMunicipalityError
from kostra.i18n.said import say
from kostra.web.labels import label

#: The ``grenser`` query parameter's values → the borders choice (``api.BordersChoice``).
GRENSER: dict[str, str] = {"aar": "year", "nyeste": "newest"}
#: The default ``grenser``: the year's own borders.
DEFAULT_GRENSER = "aar"
NEWEST = api.NEWEST_BORDERS


class SeveralMunicipalitiesError(UnknownMunicipalityError):
    """A municipality that was several on the borders asked for (formed by a merger after
    that year, with no predecessor of its name): ``suggestions`` are the predecessors."""

    def __init__(self, query: str, name: str, code: str, year: int, parts: list[str]) -> None:
        message = say("error.web.several", name=name, code=code, year=year, parts=", ".join(parts))
        super().__init__(query, parts, year=year, message=message)
        self.name, self.code = name, code

    def texts(self, lang: str) -> tuple[str, str | None]:
        """What the page says, in ``lang``."""
        return label(
            "web_several_municipalities", lang, name=self.name, code=self.code, year=self.year
        ), None


def place_on(text: str, year: int, borders: int) -> str:
    """The code on the borders of ``borders`` of the municipality ``text`` (a name or a code
    of any year) means in ``year``; raises :class:`~kostra.errors.UnknownMunicipalityError`
    (with suggestions) or :class:`SeveralMunicipalitiesError`."""
    geography = importlib.import_module("kostra.geography")
    query = text.strip()
    if borders != year:
        # the page is on later borders than its year: a unit of those borders (a name or
        # code of any year, followed to them), as the CLI resolves it
        try:
            return api.resolve(query, year, borders=borders)[0]
        except UnknownMunicipalityError:
            found = geography.resolve_municipality(query, borders)
            return str(found.code)
    try:
        return str(geography.resolve_municipality(query, borders).code)
    except DissolvedMunicipalityError as error:
        parts = _predecessors(query, borders)
        if not parts:
            raise
        newest = geography.resolve_municipality(query, None)
        same_name = [c for c, n in parts if n == newest.name]
        if len(same_name) == 1:
            return same_name[0]
        raise SeveralMunicipalitiesError(
            query, newest.name, newest.code, borders, [f"{n} ({c})" for c, n in parts]
        ) from error


def _predecessors(query: str, year: int) -> list[tuple[str, str]]:
    """``(code, name)`` of the municipalities of ``year`` that make up the unit ``query``
    names (formed after ``year``), by code; empty when it is no such unit."""
    geography = importlib.import_module("kostra.geography")
    try:
        found = geography.resolve_municipality(query, None)
    except KostraError:
        return []
    first = found.valid_from.year
    if first <= year:
        return []
    links: pl.DataFrame = geography.mapping(year, first)
    codes = links.filter(pl.col("to_code") == found.code)["from_code"].unique().sort().to_list()
    names = api.names(codes, borders=year)
    return [(str(c), names.get(str(c), str(c))) for c in codes]


@dataclass(frozen=True)
class ChangeNote:
    """What a municipality of an older year's borders is today, in words (``text``), and the
    code it has today when it is one unit (``today``)."""

    text: str
    today: str | None


def change_note(code: str, year: int, borders: int, lang: str) -> ChangeNote | None:
    """The sentence a page on the borders of ``borders`` (older than today's) says about
    ``code`` when that unit is not the same as today: a new code, merged with others, or split.
    ``None`` when the unit is unchanged or the page is on today's borders."""
    if borders >= NEWEST:
        return None
    geography = importlib.import_module("kostra.geography")
    links: pl.DataFrame = geography.mapping(borders, NEWEST)
    ahead = links.filter(pl.col("from_code") == code)
    targets = [str(c) for c in ahead["to_code"].drop_nulls().unique().sort().to_list()]
    if not targets:
        return None
    names = api.names([code], borders=borders)
    name = names.get(code, code)
    today = api.names(targets, borders=NEWEST)
    if len(targets) > 1:
        listed = ", ".join(f"{today.get(t, t)} ({t})" for t in targets)
        return ChangeNote(
            label("web_change_split", lang, name=name, code=code, year=year, today=listed), None
        )
    target = targets[0]
    partners = links.filter((pl.col("to_code") == target) & (pl.col("from_code") != code))
    others = [str(c) for c in partners["from_code"].unique().sort().to_list()]
    now = f"{today.get(target, target)} ({target})"
    if others:
        other_names = api.names(others, borders=borders)
        listed = ", ".join(f"{other_names.get(o, o)} ({o})" for o in others)
        text = label(
            "web_change_merged", lang, name=name, code=code, year=year, today=now, others=listed
        )
        return ChangeNote(text, target)
    if target != code:
        return ChangeNote(
            label("web_change_renumbered", lang, name=name, code=code, year=year, today=now),
            target,
        )
    return None
