"""``kostra municipalities``, ``peers`` and ``population``: geography on the command line."""

from __future__ import annotations

import difflib
from typing import Annotated

import polars as pl
import typer

from kostra.cli._app import app, state
from kostra.cli._options import (
    MunicipalityArgument,
    PeersOption,
    YearOption,
    deprecated,
    deprecated_option,
)
from kostra.cli._output import FormatOption, OutputFormat, OutputOption, write_frame
from kostra.errors import KostraError, shown
from kostra.geography import (
    Municipality,
    municipalities,
    peer_group,
    population,
    predecessors,
    resolve_municipality,
)
from kostra.geography._data import FIRST_YEAR, LAST_YEAR, municipality_years
from kostra.i18n import Words, plural
from kostra.i18n.said import say

_TEXT = Words(
    "cli.geo",
    (
        "code",
        "name",
        "county_code",
        "county_name",
        "year",
        "age_group",
        "population",
        "member",
        "municipalities_title",
        "not_member",
        "is_member",
        "population_title",
        "had_code",
        "made_of",
        "on_borders",
        "own_borders",
        "no_rows",
        "yes",
        "total",
    ),
)


def _t(key: str, **values: object) -> str:
    lang = state.settings.lang if state.settings.lang in _TEXT else "nb"
    return _TEXT[lang][key].format(**values)


def _lang() -> str:
    return state.settings.lang if state.settings.lang in _TEXT else "nb"


def _year(value: int | None) -> int:
    """``value``, or the one default year of every command (said on stderr)."""
    if value is None:
        from kostra.cli._options import chosen_year

        return chosen_year(None)
    year = value
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise KostraError(
            say("error.cli.geo.year", year=year, first=FIRST_YEAR, last=LAST_YEAR),
            hint=say("error.cli.geo.year.hint", first=FIRST_YEAR, last=LAST_YEAR),
        )
    return year


def _resolve(text: str, year: int | None) -> Municipality:
    """:func:`resolve_municipality`; its errors carry both languages."""
    return resolve_municipality(text, year)


def _county(frame: pl.DataFrame, county: str, year: int) -> pl.DataFrame:
    """The rows of ``frame`` in the county given by code or (part of a) name; a county that
    matches none is a user error naming the close ones."""
    wanted = county.strip().casefold()
    chosen = frame.filter(
        (pl.col("county_code") == wanted.zfill(2))
        | pl.col("county_name").str.to_lowercase().str.contains(wanted, literal=True)
    )
    if chosen.height:
        return chosen
    names = sorted(set(frame["county_name"].to_list()))
    close = difflib.get_close_matches(county.strip()[:100], names, n=3, cutoff=0.5)
    listed = ", ".join(close or names)
    raise KostraError(
        say("error.cli.geo.county", county=shown(county), year=year),
        hint=say("error.cli.geo.county.hint_close", names=listed)
        if close
        else say("error.cli.geo.county.hint_list", names=listed),
    )


def _headers(frame: pl.DataFrame, fmt: OutputFormat) -> pl.DataFrame:
    """Column names in the user's language; a year in a table is a label, not "2 019"."""
    if fmt is OutputFormat.TABLE and "year" in frame.columns:
        frame = frame.with_columns(pl.col("year").cast(pl.Utf8))
    return frame.rename({c: _t(c) for c in frame.columns if c in _TEXT["nb"]})


@app.command("municipalities")
def municipalities_command(
    year: YearOption = None,
    county: Annotated[
        str | None, typer.Option("--county", help="Only this county (code or name).")
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """List the municipalities valid on 1 January of a year, with their counties."""
    chosen = _year(year)
    frame = municipalities(chosen)
    if county is not None:
        frame = _county(frame, county, chosen)
    write_frame(
        _headers(frame, fmt),
        fmt,
        output,
        title=_t("municipalities_title", year=chosen, n=frame.height),
        lang=_lang(),
    )


@app.command("peers")
def peers_command(
    name: MunicipalityArgument,
    year: YearOption = None,
    peers_choice: PeersOption = "asss",
    group: Annotated[str | None, deprecated_option("--group", "-g")] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """List the peer group of a municipality, with the codes valid that year."""
    peers_choice = deprecated("--group", "--peers", group, peers_choice)
    chosen = _year(year)
    home = _resolve(name, chosen)
    peers = peer_group(peers_choice, chosen, municipality=home.code)
    frame = (
        municipalities(chosen)
        .filter(pl.col("code").is_in(peers.members))
        .select("code", "name", "county_name")
    )
    who = f"{home.name} ({home.code})"
    note = (
        _t("is_member", who=who, group=peers.name, year=chosen)
        if home.code in peers.members
        else _t("not_member", who=who, group=peers.name, year=chosen)
    )
    write_frame(
        _headers(frame, fmt),
        fmt,
        output,
        title=plural("cli.geo.peers_title", frame.height, _lang(), group=peers.name, year=chosen),
        lang=_lang(),
        caption=note,
    )


@app.command("population")
def population_command(
    name: Annotated[str, typer.Argument(help="Municipality name or code, e.g. Bærum or 0219.")],
    year: Annotated[
        list[int] | None,
        typer.Option("--year", "-y", help="Year(s), 1 January (default: all, 2005–2026)."),
    ] = None,
    borders: Annotated[
        str,
        typer.Option(
            "--borders",
            "-b",
            help="Borders of this year (default 2024), or 'own' for the codes valid each year.",
        ),
    ] = "2024",
    age_group: Annotated[
        list[str] | None,
        typer.Option(
            "--age-group", "-a", help="total (default), single, or KOSTRA groups like 6-15, 67+."
        ),
    ] = None,
    sex: Annotated[
        str, typer.Option("--sex", help="total, female or male (2024 borders only).")
    ] = "total",
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Population on 1 January of a municipality, on fixed borders or those of each year."""
    years = sorted(set(year)) if year else list(range(FIRST_YEAR, LAST_YEAR + 1))
    for chosen in years:
        _year(chosen)
    groups = age_group or ["total"]
    own = borders.strip().lower() in {"own", "egne", "none"}
    notes: list[str] = []
    if own:
        codes: dict[int, str] = {}
        for chosen in years:
            try:
                codes[chosen] = _resolve(name, chosen).code
            except KostraError:
                continue  # the unit did not exist on its own that year
        if not codes:
            _resolve(name, years[-1])  # raises with suggestions
        frame = population(list(codes), age_group=groups, sex=sex)
        frame = frame.filter(
            pl.struct("year", "region").is_in(
                pl.DataFrame(
                    {"year": list(codes), "region": list(codes.values())},
                    schema={"year": pl.Int32, "region": pl.Utf8},
                )
                .to_struct()
                .implode()
            )
        )
        unit = _resolve(name, max(codes))
        notes.append(_t("own_borders"))
    else:
        try:
            border_year = int(borders)
        except ValueError:
            raise KostraError(
                say("error.cli.geo.borders", value=shown(borders)),
                hint=say("error.cli.geo.borders.hint"),
            ) from None
        _year(border_year)
        unit = _resolve(name, border_year)
        frame = population(years, age_group=groups, borders=border_year, sex=sex).filter(
            pl.col("region") == unit.code
        )
        # Name the code(s) of the years asked for; a whole series would make a long caption.
        for chosen in years if year else []:
            notes.extend(_history_note(unit.code, unit.name, border_year, chosen))
        notes.append(_t("on_borders", borders=border_year, code=unit.code))
    if frame.height == 0:
        raise KostraError(say("cli.geo.no_rows", who=unit.name))
    if own:
        names = municipality_years().select("year", pl.col("code").alias("region"), "name")
        frame = frame.join(names, on=["year", "region"], how="left")
    else:
        frame = frame.with_columns(pl.lit(unit.name).alias("name"))
    population_column = pl.col("population")
    if frame["population"].drop_nulls().round(0).equals(frame["population"].drop_nulls()):
        population_column = population_column.round(0).cast(pl.Int64)
    frame = frame.select(
        pl.col("region").alias("code"),
        "name",
        "year",
        pl.col("age_group").replace({"total": _t("total")}),
        population_column.alias("population"),
    ).sort("year", "code")
    write_frame(
        _headers(frame, fmt),
        fmt,
        output,
        title=_t("population_title", who=f"{unit.name} ({unit.code})"),
        lang=_lang(),
        caption=" ".join(notes),
    )


def _history_note(code: str, name: str, border_year: int, year: int) -> list[str]:
    """Which code(s) the unit had in ``year``: "Bærum hadde kommunenummer 0219 i 2019."."""
    if year == border_year:
        return []
    try:
        parts = predecessors(code, border_year, year) if year < border_year else {code: 1.0}
    except KostraError:
        return []
    known = municipalities(year).filter(pl.col("code").is_in(list(parts)))
    labels = dict(known.select("code", "name").iter_rows())
    if len(parts) == 1:
        (old,) = parts
        return [_t("had_code", name=name, code=old, year=year)]
    listed = ", ".join(f"{c} {labels.get(c, '')}".strip() for c in sorted(parts))
    return [_t("made_of", who=f"{name} ({code})", year=year, parts=listed)]
