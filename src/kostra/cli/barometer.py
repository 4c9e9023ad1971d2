"""``kostra barometer``: Kommunebarometer-style ranks, explanations and rank intervals.

Data: the warehouse, tables it lacks from the shipped synthetic sample (``kostra.api``), the
catalog's indicators evaluated on one set of borders (default 2024, the borders of the need
indices), kostnadsnivå need-corrected. Output from sample data says so in the title, in a
``datagrunnlag``/``data`` column of every export and on stderr.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from kostra.analysis.barometer import (
    TOTAL,
    BarometerResult,
    Explanation,
    ResamplingParams,
    ScoringParams,
    breaks_on_borders,
    explain,
    load_config,
    need_correct,
    rank_changes,
    rank_intervals,
    rank_municipalities,
)
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog
from kostra.cli._app import app, state
from kostra.cli._output import OutputFormat, format_number, write_frame
from kostra.errors import DataNotFoundError, KostraError

barometer_app = typer.Typer(
    help="Kommunebarometer-style ranking of every municipality, per sector and in total.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(barometer_app, name="barometer")

_HEADERS = {
    "nb": {
        "rank": "plass",
        "name": "kommune",
        "region": "kode",
        "score": "poeng",
        "coverage": "datadekning",
        "rank_income_adjusted": "plass inntektsjustert",
        "score_income_adjusted": "poeng inntektsjustert",
        "peer_rank": "plass blant sammenlignbare",
        "change": "endring",
        "previous_rank": "plass i fjor",
        "series_break": "brudd i serien",
        "interval": "plass (5–95 %)",
        "volatile": "usikker",
        "data": "datagrunnlag",
        "sector": "sektor",
        "year": "år",
        "indicator": "nøkkeltall",
        "unit": "enhet",
        "value": "verdi",
        "weight_share": "vekt",
        "contribution": "bidrag",
        "best": "beste grense",
        "gap_to_best": "avstand til beste",
        "potential_gain": "mulig gevinst",
        "sentence": "forklaring",
    },
    "en": {
        "rank": "rank",
        "name": "municipality",
        "region": "code",
        "score": "score",
        "coverage": "data coverage",
        "rank_income_adjusted": "rank income-adjusted",
        "score_income_adjusted": "score income-adjusted",
        "peer_rank": "rank among peers",
        "change": "change",
        "previous_rank": "rank last year",
        "series_break": "series break",
        "interval": "rank (5–95 %)",
        "volatile": "uncertain",
        "data": "data",
        "sector": "sector",
        "year": "year",
        "indicator": "indicator",
        "unit": "unit",
        "value": "value",
        "weight_share": "weight",
        "contribution": "contribution",
        "best": "best cut-off",
        "gap_to_best": "gap to best",
        "potential_gain": "possible gain",
        "sentence": "explanation",
    },
}
_TEXT = {
    "nb": {
        "title": "Kommunebarometer {year} – {sector}",
        "adjusted": "sortert etter inntektsjustert plass (frie inntekter per innbygger)",
        "not_adjusted": "ikke inntektsjustert: ingen inntektsdata",
        "borders": "Kommuner på {borders}-grenser.",
        "real": "Kilde: Statistisk sentralbyrå (KOSTRA); egne beregninger.",
        "yes": "ja",
        "no": "nei",
        "explain": "{name} – {sector} {year}: {place}, poeng {score} (beste kommune {best}, "
        "avstand {gap}); data for {coverage} av vekten",
        "reasons": "Viktigste forklaringer:",
        "movers": "Mest å hente på: {names}.",
        "small": "Liten kommune (under {n} innbyggere): plasseringen svinger mye fra år til år.",
        "wide": "Bredt intervall: plasseringen er usikker.",
        "intervals": "Intervall fra {n} trekk av vekter og grenser.",
    },
    "en": {
        "title": "Municipal barometer {year} – {sector}",
        "adjusted": "sorted by income-adjusted rank (free income per inhabitant)",
        "not_adjusted": "not income-adjusted: no income data",
        "borders": "Municipalities on {borders} borders.",
        "real": "Source: Statistics Norway (KOSTRA); own calculations.",
        "yes": "yes",
        "no": "no",
        "explain": "{name} – {sector} {year}: {place}, score {score} (best municipality {best}, "
        "gap {gap}); data for {coverage} of the weight",
        "reasons": "Main reasons:",
        "movers": "Most to gain from: {names}.",
        "small": "Small municipality (under {n} inhabitants): its place varies a lot.",
        "wide": "Wide interval: the place is uncertain.",
        "intervals": "Interval from {n} resamples of weights and cut-offs.",
    },
}


@dataclass(frozen=True)
class BarometerInputs:
    """What a barometer command ranks: indicator values, population, and their provenance."""

    values: pl.DataFrame
    population: pl.DataFrame
    catalog: Catalog
    synthetic: bool
    source: str
    borders: int


def load_inputs(
    years: list[int], *, db: Path | None = None, borders: int | None = None
) -> BarometerInputs:
    """Indicator values for ``years`` on ``borders`` (kostnadsnivå need-corrected) and the
    population, from the warehouse with the synthetic sample for tables it lacks."""
    from kostra import api
    from kostra.geography import population

    borders = api.BORDERS if borders is None else borders
    catalog = load_catalog()
    data = api.load_data(years, db=db, catalog=catalog)
    values = api.evaluated(data, catalog, years, borders=borders)
    values = need_correct(values, catalog, api.packaged_need_index())
    people = population(years, age_group="total", borders=borders)
    return BarometerInputs(values, people, catalog, data.synthetic, data.source, borders)


def _sample_banner(lang: str) -> str:
    from kostra import api

    return api.SAMPLE_BANNER.get(lang, api.SAMPLE_BANNER["en"])


def _names(codes: list[str], borders: int) -> dict[str, str]:
    from kostra import api

    return api.names(codes, borders=borders)


def _fold(text: str) -> str:
    text = text.strip().lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(text.replace("/", " ").replace("-", " ").replace(",", " ").split())


def parse_sector(text: str | None) -> str:
    """A barometer sector id from an id or a name in either language; ``total`` for none."""
    if text is None or _fold(text) in ("total", "totalt", "samlet"):
        return TOTAL
    config = load_config()
    wanted = _fold(text)
    for sector in config.sectors:
        if wanted in (_fold(sector.id.value), _fold(sector.name_nb), _fold(sector.name_en)):
            return sector.id.value
    choices = ", ".join(s.id.value for s in config.sectors)
    raise KostraError(f"Unknown barometer sector {text!r}.", hint=f"Choose one of: {choices}.")


def _default_years(year: int | None) -> tuple[list[int], int | None]:
    """The years to load: the asked year and the one before (for rank changes)."""
    if year is not None:
        return [year - 1, year], year
    newest = dt.date.today().year - 1
    return [newest - 2, newest - 1, newest], None


def _newest_ranked(result: BarometerResult) -> int:
    ranked = result.total.filter(pl.col("ranked"))
    if ranked.height == 0:
        raise DataNotFoundError(
            "No municipality has enough barometer figures to be ranked.",
            hint="Fetch the catalog's tables with `kostra fetch`, or load the sample.",
        )
    return int(ranked.get_column("year").max())  # type: ignore[arg-type]


def _rank(inputs: BarometerInputs, method: str) -> BarometerResult:
    params = ScoringParams(method=method)  # type: ignore[arg-type]
    try:
        return rank_municipalities(
            inputs.values, inputs.catalog, params=params, population=inputs.population
        )
    except ValueError as error:
        raise DataNotFoundError(
            f"The barometer cannot be computed: {error}.",
            hint="Fetch the catalog's tables with `kostra fetch`, or load the sample.",
        ) from error


def _caption(
    lang: str, inputs: BarometerInputs, params: ScoringParams, extra: list[str] | None = None
) -> str:
    text = _TEXT[lang]
    lines = [_sample_banner(lang).upper()] if inputs.synthetic else [text["real"]]
    lines.append(text["borders"].format(borders=inputs.borders))
    lines.append(params.describe(lang))
    lines.extend(extra or [])
    return "\n".join(lines)


def ranking_frame(
    result: BarometerResult,
    *,
    year: int,
    sector: str,
    names: dict[str, str],
    peers: list[str] | None = None,
    top: int | None = None,
    breaks: pl.DataFrame | None = None,
    intervals: pl.DataFrame | None = None,
    population: pl.DataFrame | None = None,
    small_population: int = ResamplingParams().small_population,
) -> tuple[pl.DataFrame, bool]:
    """The ranking table of one year and sector (internal column names), best first, and
    whether the order is the income-adjusted one (total only, when income data exists)."""
    if sector == TOTAL:
        frame = result.total.filter(pl.col("year") == year).with_columns(
            pl.lit(TOTAL).alias("sector")
        )
        adjusted = bool(frame.get_column("income_adjusted").any())
    else:
        frame = result.sectors.filter((pl.col("year") == year) & (pl.col("sector") == sector))
        adjusted = False
    order = "rank_income_adjusted" if adjusted else "rank"
    if adjusted:
        # The change is in the order the table is sorted by: the income-adjusted rank.
        history: BarometerResult | pl.DataFrame = result.total.select(
            "region",
            "year",
            pl.lit(TOTAL).alias("sector"),
            pl.col("rank_income_adjusted").alias("rank"),
        )
    else:
        history = result
    changes = rank_changes(history, series_breaks=breaks).filter(
        (pl.col("year") == year) & (pl.col("sector") == sector)
    )
    frame = frame.join(
        changes.select("region", "previous_rank", "change", "series_break"),
        on="region",
        how="left",
    )
    if intervals is not None:
        frame = frame.join(
            intervals.filter(pl.col("sector") == sector).select("region", "interval", "volatile"),
            on="region",
            how="left",
        )
    elif population is not None:
        # Without resamples, a small municipality is still flagged: its place is volatile.
        people = population.filter(pl.col("year") == year)
        if "age_group" in people.columns:
            people = people.filter(pl.col("age_group") == "total")
        frame = frame.join(
            people.select(
                pl.col("region").cast(pl.Utf8),
                (pl.col("population") < small_population).alias("volatile"),
            ).unique("region"),
            on="region",
            how="left",
        )
    if peers is not None:
        frame = frame.filter(pl.col("region").is_in(peers)).with_columns(
            pl.col(order).rank("min").cast(pl.Int32).alias("peer_rank")
        )
    frame = frame.with_columns(
        pl.col("region").replace_strict(names, default=pl.col("region")).alias("name")
    ).sort(order, "region", nulls_last=True)
    if top is not None:
        frame = frame.filter(pl.col(order).is_not_null()).head(top)
    columns = ["rank", "name", "region", "score", "coverage"]
    if adjusted:
        columns = ["rank_income_adjusted", "name", "region", "score_income_adjusted"]
        columns += ["rank", "score", "coverage"]
    if peers is not None:
        columns.insert(1, "peer_rank")
    columns += ["previous_rank", "change", "series_break"]
    if intervals is not None:
        columns += ["interval"]
    if "volatile" in frame.columns:
        columns += ["volatile"]
    return frame.select(columns), adjusted


def _sheet_title(title: str, fmt: OutputFormat, short: str) -> str:
    """Excel names a worksheet after the title: at most 31 characters, no ``[]:*?/\\``."""
    if fmt is not OutputFormat.XLSX:
        return title
    return "".join(c for c in short if c not in "[]:*?/\\")[:31]


def _localise(frame: pl.DataFrame, lang: str, synthetic: bool, fmt: OutputFormat) -> pl.DataFrame:
    headers = _HEADERS[lang]
    words = _TEXT[lang]
    bools = [c for c, t in frame.schema.items() if t == pl.Boolean]
    frame = frame.with_columns(
        pl.when(pl.col(c)).then(pl.lit(words["yes"])).otherwise(pl.lit("")).alias(c) for c in bools
    )
    if "coverage" in frame.columns:
        frame = frame.with_columns((pl.col("coverage") * 100).round(0).cast(pl.Int32))
    if synthetic and fmt is not OutputFormat.TABLE:
        # A file from sample data must say so in itself, not only on the terminal.
        frame = frame.with_columns(pl.lit(_sample_banner(lang)).alias("data"))
    return frame.rename({c: headers.get(c, c) for c in frame.columns})


@barometer_app.callback(invoke_without_command=True)
def barometer(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="Year (default: newest).")] = None,
    sector: Annotated[
        str | None, typer.Option("--sector", help="One sector (default: the total).")
    ] = None,
    top: Annotated[int | None, typer.Option("--top", help="Show the best N only.")] = None,
    peers: Annotated[
        str | None,
        typer.Option("--peers", help="Only these municipalities: asss, county, a list, …"),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="Grading: current (since 2019) or pre2019.")
    ] = "current",
    resamples: Annotated[
        int, typer.Option("--resamples", help="Rank intervals from N resamples (0: none).")
    ] = 0,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")] = None,
) -> None:
    """Rank every municipality in the total or one sector, best first."""
    if ctx.invoked_subcommand is not None:
        return
    if method not in ("current", "pre2019"):
        raise typer.BadParameter("choose 'current' or 'pre2019'", param_hint="--method")
    lang = state.settings.lang
    sector_id = parse_sector(sector)
    years, wanted = _default_years(year)
    inputs = load_inputs(years, db=state.settings.db)
    result = _rank(inputs, method)
    year = wanted if wanted is not None else _newest_ranked(result)
    peer_codes = None
    peer_note: list[str] = []
    if peers is not None:
        from kostra import api

        if _fold(peers) in ("county", "fylke", "kostra_group", "kostragruppe"):
            raise KostraError(
                f"--peers {peers} depends on a municipality, and a ranking has none.",
                hint="Use asss, country, country_ex_oslo or a list of names or codes.",
            )
        peer_name, peer_codes = api.peers_on_borders(peers, year, "", borders=inputs.borders)
        peer_note = [peer_name]
    intervals = None
    extra = list(peer_note)
    if resamples > 0:
        intervals = rank_intervals(
            inputs.values,
            inputs.catalog,
            year=year,
            params=result.params,
            resampling=ResamplingParams(n_resamples=resamples),
            population=inputs.population,
        )
        extra.append(_TEXT[lang]["intervals"].format(n=resamples))
    codes = result.total.filter(pl.col("year") == year).get_column("region").to_list()
    frame, adjusted = ranking_frame(
        result,
        year=year,
        sector=sector_id,
        names=_names(codes, inputs.borders),
        peers=peer_codes,
        top=top,
        breaks=breaks_on_borders([year], inputs.borders),
        intervals=intervals,
        population=inputs.population,
    )
    text = _TEXT[lang]
    title = text["title"].format(
        year=year, sector=result.config.sector_name(sector_id, lang).lower()
    )
    if sector_id == TOTAL:
        title += " – " + (text["adjusted"] if adjusted else text["not_adjusted"])
    if inputs.synthetic:
        title = f"{_sample_banner(lang).upper()}: {title}"
    caption = _caption(lang, inputs, result.params, extra)
    sector_label = result.config.sector_name(sector_id, lang)
    write_frame(
        _localise(frame, lang, inputs.synthetic, fmt),
        fmt,
        output,
        title=_sheet_title(title, fmt, f"{sector_label} {year}"),
        lang=lang,
        caption=caption,
    )
    if inputs.synthetic and output is not None:
        Console(stderr=True).print(_sample_banner(lang), highlight=False)


def explanation_frame(explanation: Explanation, names: dict[str, str]) -> pl.DataFrame:
    """The contributions of an explanation with the municipality, sector, year and place."""
    rows = explanation.contributions
    place = (
        f"{explanation.rank} ({explanation.interval[0]}–{explanation.interval[1]})"
        if explanation.rank is not None and explanation.interval is not None
        else (str(explanation.rank) if explanation.rank is not None else "")
    )
    return rows.select(
        pl.lit(names.get(explanation.region, explanation.region)).alias("name"),
        pl.lit(explanation.region).alias("region"),
        pl.lit(explanation.sector).alias("sector"),
        pl.lit(explanation.year, pl.Int32).alias("year"),
        pl.lit(place).alias("interval"),
        pl.col("name").alias("indicator"),
        "unit",
        "value",
        "score",
        "weight_share",
        "contribution",
        "best",
        "gap_to_best",
        "potential_gain",
        "sentence",
    )


@barometer_app.command("explain")
def explain_command(
    municipality: Annotated[str, typer.Argument(help="Name or code, e.g. Bærum or 3201.")],
    sector: Annotated[
        str | None, typer.Option("--sector", help="Sector (default: the total).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year (default: newest).")] = None,
    method: Annotated[
        str, typer.Option("--method", help="Grading: current (since 2019) or pre2019.")
    ] = "current",
    resamples: Annotated[
        int, typer.Option("--resamples", help="Resamples for the rank interval (0: none).")
    ] = 1000,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")] = None,
) -> None:
    """Explain a municipality's place: each indicator's value, grade, weight and contribution."""
    from kostra import api

    if method not in ("current", "pre2019"):
        raise typer.BadParameter("choose 'current' or 'pre2019'", param_hint="--method")
    lang = state.settings.lang
    sector_id = parse_sector(sector)
    years, wanted = _default_years(year)
    inputs = load_inputs(years, db=state.settings.db)
    result = _rank(inputs, method)
    year = wanted if wanted is not None else _newest_ranked(result)
    code, name = api.resolve(municipality, year, borders=inputs.borders)
    intervals = None
    if resamples > 0:
        intervals = rank_intervals(
            inputs.values,
            inputs.catalog,
            year=year,
            params=result.params,
            resampling=ResamplingParams(n_resamples=resamples),
            population=inputs.population,
        )
    try:
        explanation = explain(result, code, sector_id, year=year, lang=lang, intervals=intervals)
    except KeyError as error:
        raise DataNotFoundError(
            f"{name} has no barometer figures for {year}.",
            hint="Choose another year with --year.",
        ) from error
    text = _TEXT[lang]
    sector_name = result.config.sector_name(sector_id, lang)
    if explanation.contributions.height == 0:
        raise DataNotFoundError(
            f"{name} has no graded figures in {sector_name.lower()} for {year}.",
            hint="Choose another sector with --sector or another year with --year.",
        )
    best = explanation.sector_best_score
    headline = text["explain"].format(
        name=name,
        sector=sector_name.lower(),
        year=year,
        place=explanation.place(lang),
        score=format_number(explanation.score, lang, 2),
        best=format_number(best, lang, 2),
        gap=format_number(explanation.gap_to_best, lang, 2),
        coverage=f"{format_number(explanation.coverage * 100, lang, 0)} %",
    )
    names_by_id = dict(
        zip(
            explanation.contributions.get_column("indicator_id").to_list(),
            explanation.contributions.get_column("name").to_list(),
            strict=True,
        )
    )
    gain = ", ".join(names_by_id[i] for i in explanation.movers)
    notes = [
        headline,
        text["reasons"],
        *(f"– {s}" for s in explanation.sentences),
        text["movers"].format(names=gain),
    ]
    if intervals is not None:
        flags = intervals.filter((pl.col("region") == code) & (pl.col("sector") == sector_id))
        if flags.height and flags.item(0, "small"):
            notes.append(text["small"].format(n=format_number(5000, lang)))
        if flags.height and flags.item(0, "wide"):
            notes.append(text["wide"])
        notes.append(text["intervals"].format(n=resamples))
    frame = explanation_frame(explanation, {code: name})
    if fmt is OutputFormat.TABLE:
        frame = frame.drop("name", "region", "sector", "year", "interval")
    title = f"{name} – {sector_name} {year}"
    if inputs.synthetic:
        title = f"{_sample_banner(lang).upper()}: {title}"
    caption = _caption(lang, inputs, result.params)
    if fmt is OutputFormat.TABLE and output is None:
        console = Console()
        if inputs.synthetic:
            console.print(f"[bold red]{_sample_banner(lang)}[/]", highlight=False)
        for line in notes:
            console.print(line, highlight=False)
    else:
        caption = "\n".join([*notes, caption])
    write_frame(
        _localise(frame, lang, inputs.synthetic, fmt),
        fmt,
        output,
        title=_sheet_title(title, fmt, f"{name} {sector_name} {year}"),
        lang=lang,
        caption=caption,
    )
    if inputs.synthetic and output is not None:
        Console(stderr=True).print(_sample_banner(lang), highlight=False)
