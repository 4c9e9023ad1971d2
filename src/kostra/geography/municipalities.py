"""Municipalities by year and date, and resolving what a person types into one of them."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import polars as pl

from kostra.errors import (
    DissolvedMunicipalityError,
    UnknownMunicipalityError,
    in_year,
    shown,
)
from kostra.geography import _data
from kostra.geography.history import _check_year, mapping
from kostra.i18n.said import say


@dataclass(frozen=True)
class Municipality:
    """A municipality as it was in one period: its code, name and county then.

    ``valid_from`` is 1 January of the first year the code had this name, ``valid_to`` the last
    day of its last year, or None when it is still valid in the newest year kostra knows.
    """

    code: str
    name: str
    county: str
    county_name: str
    valid_from: dt.date
    valid_to: dt.date | None

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AmbiguousMunicipalityError(UnknownMunicipalityError):
    """A name that fits several municipalities; ``suggestions`` lists them."""

    def __init__(self, query: str, suggestions: list[str], *, year: int | None = None) -> None:
        message = say("error.municipality.several", query=shown(query), in_year=in_year(year))
        hint = say("error.municipality.several.hint", names=", ".join(suggestions))
        super().__init__(query, suggestions, year=year, message=message, hint=hint)


def municipalities(year: int) -> pl.DataFrame:
    """The municipalities valid on 1 January of ``year``.

    Columns ``code, name, county_code, county_name``.
    """
    _check_year(year)
    return (
        _data.municipality_years()
        .filter(pl.col("year") == year)
        .select("code", "name", "county_code", "county_name")
    )


def municipalities_on(date: dt.date) -> pl.DataFrame:
    """The municipalities valid on ``date`` (every change in 2005–2026 took effect on 1 January)."""
    return municipalities(date.year)


def counties(year: int) -> pl.DataFrame:
    """The counties of ``year``: ``county_code, county_name`` (19 before 2018, 11 in 2020–2023,
    15 from 2024)."""
    _check_year(year)
    return _data.counties().filter(pl.col("year") == year).select("county_code", "county_name")


def municipality(code: str, year: int) -> Municipality:
    """The municipality with ``code`` in ``year``; unknown codes raise
    :class:`~kostra.errors.UnknownMunicipalityError`."""
    _check_year(year)
    spans = _spans()
    rows = spans.filter(
        (pl.col("code") == code) & (pl.col("first") <= year) & (pl.col("last") >= year)
    )
    if rows.height == 0:
        raise UnknownMunicipalityError(code, [], year=year)
    return _to_municipality(rows.row(0, named=True))


def municipality_on(code: str, date: dt.date) -> Municipality:
    """The municipality with ``code`` on ``date``."""
    return municipality(code, date.year)


@cache
def _spans() -> pl.DataFrame:
    """Periods of unchanged code, name and county: ``code, name, county_code, county_name,
    first, last``."""
    frame = _data.municipality_years()
    # A new period starts whenever the name or county changes or a year is skipped.
    return (
        frame.sort("code", "year")
        .with_columns(
            (
                (pl.col("name") != pl.col("name").shift(1).over("code"))
                | (pl.col("county_name") != pl.col("county_name").shift(1).over("code"))
                | (pl.col("year") != pl.col("year").shift(1).over("code") + 1)
            )
            .fill_null(True)
            .cum_sum()
            .over("code")
            .alias("period")
        )
        .group_by("code", "period")
        .agg(
            pl.col("name").first(),
            pl.col("county_code").first(),
            pl.col("county_name").first(),
            pl.col("year").min().alias("first"),
            pl.col("year").max().alias("last"),
        )
        .drop("period")
        .sort("code", "first")
    )


def _to_municipality(row: dict[str, object]) -> Municipality:
    last = int(str(row["last"]))
    return Municipality(
        code=str(row["code"]),
        name=str(row["name"]),
        county=str(row["county_code"]),
        county_name=str(row["county_name"]),
        valid_from=dt.date(int(str(row["first"])), 1, 1),
        valid_to=None if last >= _data.LAST_YEAR else dt.date(last, 12, 31),
    )


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ŋ": "n", "đ": "d"})


def normalise_name(text: str) -> str:
    """Lower case ASCII for matching: "Bærum" and "BÆRUM" -> "baerum", "Ålesund" -> "alesund".

    Norwegian letters fold as people type them without a Norwegian keyboard (æ→ae, ø→o, å→a);
    Sami accents are dropped ("Kárášjohka" -> "karasjohka").
    """
    text = text.strip().casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("aa", "a")  # "Aalesund", "Baarum": the pre-1917 spelling of å
    return re.sub(r"[\s_]+", " ", text)


def _aliases(name: str) -> set[str]:
    """Every key a name answers to: the whole name, the name without its "(county)" suffix, and
    each part of a Sami/Kven double name ("Kárášjohka - Karasjok" -> "karasjok")."""
    whole = normalise_name(name)
    base = re.sub(r"\s*\(.*?\)", "", whole).strip()
    # "Trondheim - Tråante" as Klass writes it, "Trondheim-Tråante" and "Trondheim Tråante" as
    # people type it all answer.
    dashless = {re.sub(r"\s*-\s*", " ", key) for key in (whole, base)}
    tight = {re.sub(r"\s+-\s+", "-", key) for key in (whole, base)}
    keys = {whole, base, *dashless, *tight}
    keys.update(part.strip() for part in base.split("-") if part.strip())
    return {key for key in keys if key}


@cache
def _name_index(year: int | None) -> dict[str, tuple[str, ...]]:
    """Normalised name -> codes. For a year, that year's names; without one, every name ever,
    each pointing at the newest code that carried it."""
    frame = _data.municipality_years()
    if year is not None:
        frame = frame.filter(pl.col("year") == year)
    newest = frame.sort("year").group_by("name").agg(pl.col("code").last(), pl.col("year").last())
    index: dict[str, set[str]] = {}
    for name, code, _ in newest.iter_rows():
        for key in _aliases(name):
            index.setdefault(key, set()).add(code)
    # The whole name beats a part of another one: "Nes" is Nes, not Nesbyen or Nes-Odal.
    whole = {normalise_name(name): code for name, code, _ in newest.iter_rows()}
    last_year = dict(frame.group_by("code").agg(pl.col("year").max()).iter_rows())
    result: dict[str, tuple[str, ...]] = {}
    for key, codes in index.items():
        # Across years, a name means the unit that carries it last ("Karasjok": 5610, not the
        # 5437 it was numbered in 2020–2023, nor 2021 before that).
        newest_year = max(last_year[c] for c in codes)
        codes = {c for c in codes if last_year[c] == newest_year}
        if key in whole and len(codes) > 1:
            exact = {c for c in codes if normalise_name(_newest_name(c, year)) == key}
            codes = exact or codes
        result[key] = tuple(sorted(codes))
    return result


def _newest_name(code: str, year: int | None) -> str:
    spans = _spans().filter(pl.col("code") == code)
    if year is not None:
        spans = spans.filter(pl.col("first") <= year)
    return str(spans.sort("first")["name"][-1])


def resolve_municipality(text: str, year: int | None = None) -> Municipality:
    """The municipality a person means by ``text``: a name or a four-digit code.

    Names are matched without regard to case or Norwegian letters ("Bærum", "baerum", "BÆRUM")
    and by either part of a Sami/Kven double name ("Tråante", "Karasjok"). A code is read as the
    code valid in ``year``; without a year, in the newest period it was used ("0219" -> Bærum
    2005–2019). With a year, a name or an old code is taken to the code valid that year when
    the unit only changed its number ("0219" in 2022 -> 3024 Bærum). Unknown text raises
    :class:`~kostra.errors.UnknownMunicipalityError` with close matches; a name that fits
    several raises :class:`AmbiguousMunicipalityError`.
    """
    if year is not None:
        _check_year(year)
    query = text.strip()
    code = query.removeprefix("K-").removeprefix("k-")
    if re.fullmatch(r"\d{3,4}", code):
        return _resolve_code(code.zfill(4), year, query)
    key = normalise_name(query)
    index = _name_index(year)
    codes = index.get(key)
    if codes is None and year is not None:
        # A name from another year ("Sandefjord" in 2010 is 0706, not 3907).
        codes = _name_index(None).get(key)
        if codes is not None:
            followed = tuple(c for c in (_follow(c, year) for c in codes) if c is not None)
            if not followed:
                raise _dissolved(query, codes[0], year)
            codes = followed
    if not codes:
        raise UnknownMunicipalityError(query, _suggest(key, year), year=year)
    if len(codes) > 1:
        raise AmbiguousMunicipalityError(query, [_label(c, year) for c in codes], year=year)
    found = codes[0]
    return municipality(found, year) if year is not None else _newest(found)


def _resolve_code(code: str, year: int | None, query: str) -> Municipality:
    if code not in _data.all_codes():
        raise UnknownMunicipalityError(query, [], year=year)
    if year is None:
        return _newest(code)
    if code in _data.valid_codes(year):
        return municipality(code, year)
    followed = _follow(code, year)
    if followed is None:
        raise _dissolved(query, code, year)
    return municipality(followed, year)


def _dissolved(query: str, code: str, year: int) -> DissolvedMunicipalityError:
    """The error for ``code``, which is no municipality of its own in ``year``: the years it
    existed and, when it ended before ``year``, the municipalities that took it over."""
    spans = _spans().filter(pl.col("code") == code).sort("first")
    before = spans.filter(pl.col("first") <= year)
    row = (before if before.height else spans).row(-1 if before.height else 0, named=True)
    first, last = int(row["first"]), int(row["last"])
    if year < first:  # not formed yet: since when the unit has had its name (it may renumber)
        named = _data.municipality_years().filter(pl.col("name") == row["name"])
        first = int(str(named["year"].min()))
    successors: list[str] = []
    if last < year <= _data.LAST_YEAR:
        links = mapping(last, last + 1).filter(pl.col("from_code") == code)
        for successor in links["to_code"].unique().sort().to_list():
            found = municipality(str(successor), last + 1)
            successors.append(f"{found.name} ({found.code})")
    return DissolvedMunicipalityError(
        query,
        name=str(row["name"]),
        code=code,
        first=first,
        last=last,
        year=year,
        successors=successors,
    )


def dissolved(code: str, year: int, *, query: str | None = None) -> DissolvedMunicipalityError:
    """The error that says ``code`` is no municipality of its own in ``year`` (split, merged
    away, or not formed yet): the years it existed and what it became."""
    return _dissolved(query if query is not None else code, code, year)


def _follow(code: str, year: int) -> str | None:
    """The one code valid in ``year`` that ``code`` became (or came from) wholly, if any."""
    years = sorted(
        _data.municipality_years().filter(pl.col("code") == code)["year"].unique().to_list()
    )
    if not years:
        return None
    if year in years:
        return code
    source = max(y for y in years if y < year) if any(y < year for y in years) else min(years)
    links = mapping(source, year).filter(pl.col("from_code") == code)
    if year > source:
        # Forward: the unit it went into; fine for renumberings and mergers, not for splits.
        if links.height == 1 and links["weight"][0] == 1.0:
            return str(links["to_code"][0])
        return None
    # Backward (an old code given with a newer year handled above; here a newer code, older year)
    if links.height == 1 and links["to_code"][0] is not None:
        return str(links["to_code"][0])
    return None


def _newest(code: str) -> Municipality:
    spans = _spans().filter(pl.col("code") == code).sort("first")
    return _to_municipality(spans.row(spans.height - 1, named=True))


def _label(code: str, year: int | None) -> str:
    found = municipality(code, year) if year is not None else _newest(code)
    return f"{found.name} ({found.code}, {found.county_name})"


def _suggest(key: str, year: int | None) -> list[str]:
    index = _name_index(year)
    # a name is short: matching a pasted page against every name would only cost time
    close = difflib.get_close_matches(key[:100], list(index), n=5, cutoff=0.6)
    labels: list[str] = []
    for match in close:
        for code in index[match]:
            label = _label(code, year)
            if label not in labels:
                labels.append(label)
    return labels[:5]
