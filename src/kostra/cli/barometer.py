"""``kostra barometer``: ranks by the Kommunebarometer method (our own calculation, not Kommunal
Rapport's ranking), explanations and rank intervals; the computation is
:mod:`kostra.results.barometer`, shared with the report and the web.

Data: the warehouse, tables it lacks from the shipped synthetic sample (``kostra.api``), the
catalog's indicators evaluated on one set of borders (``--borders``: the year's own by default,
as every analysis command; ``newest`` for today's), kostnadsnivå need-corrected. Output from
sample data says so in the title, in a ``datagrunnlag``/``data`` column of every export and on
stderr.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from kostra.analysis.barometer import (
    MAX_RESAMPLES,
    TOTAL,
    BarometerResult,
    Explanation,
    ResamplingParams,
    ScoringParams,
    breaks_on_borders,
    check_resamples,
    explain,
    load_config,
    rank_changes,
)
from kostra.catalog import resolve_sector
from kostra.catalog.models import BarometerSector
from kostra.cli._app import app, state
from kostra.cli._options import (
    BordersOption,
    MunicipalityArgument,
    YearOption,
    parse_borders,
    say_default_year,
)
from kostra.cli._output import (
    Column,
    FormatOption,
    OutputFormat,
    OutputOption,
    Section,
    format_number,
    format_signed,
    print_sections,
    write_frame,
)
from kostra.cli._results import row_decimals, with_unit
from kostra.errors import DataNotFoundError, KostraError, shown
from kostra.i18n import Words
from kostra.i18n.said import Said, say
from kostra.results import barometer as barometer_results
from kostra.results.barometer import BarometerInputs, income_label

barometer_app = typer.Typer(
    help="Ranking by the Kommunebarometer method (own calculation), per sector and in total.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(barometer_app, name="barometer")

_HEADERS = Words(
    "cli.barometer.col",
    (
        "rank",
        "name",
        "region",
        "score",
        "coverage",
        "rank_income_adjusted",
        "score_income_adjusted",
        "peer_rank",
        "change",
        "previous_rank",
        "series_break",
        "interval",
        "volatile",
        "data",
        "sector",
        "year",
        "indicator",
        "unit",
        "value",
        "weight_share",
        "contribution",
        "best",
        "gap_to_best",
        "potential_gain",
        "sentence",
        "need_year",
        "need_year_fallback",
    ),
)
_TEXT = Words(
    "cli.barometer",
    (
        "title",
        "adjusted",
        "income",
        "sector_count",
        "not_adjusted",
        "borders",
        "real",
        "yes",
        "no",
        "explain",
        "reasons",
        "movers",
        "small",
        "wide",
        "intervals",
        "need_prefix",
        "need_year",
        "need_fallback",
    ),
)
#: Headers and legends of the terminal tables (short; the exports keep ``_HEADERS``).
_TERMINAL = Words(
    "cli.barometer.term",
    (
        "rank",
        "peer_rank",
        "name",
        "region",
        "score",
        "unadjusted",
        "coverage",
        "previous",
        "change",
        "interval",
        "marks",
        "marks_title",
        "series_break",
        "volatile",
        "legend",
        "indicator",
        "sector",
        "value",
        "grade",
        "weight",
        "contribution",
        "best",
        "gain",
        "explain_legend",
    ),
)


MethodOption = Annotated[
    str,
    typer.Option(
        "--method", metavar="current|pre2019", help="Grading: current (since 2019) or pre2019."
    ),
]


def load_inputs(
    years: list[int], *, db: Path | None = None, borders: int | None = None
) -> BarometerInputs:
    """Indicator values for ``years`` on ``borders`` (kostnadsnivå need-corrected), the
    population and the income of the adjustment: :func:`kostra.results.barometer.load_inputs`,
    the one computation the report and the web use too."""
    return barometer_results.load_inputs(years, db=db, borders=borders)


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
    # short and folded forms ("skole", "miljø", "eldre"): the catalog's one sector resolver
    with contextlib.suppress(KostraError):
        return resolve_sector(text, BarometerSector).value
    choices = ", ".join(s.id.value for s in config.sectors)
    raise KostraError(
        say("error.cli.barometer.sector", sector=shown(text)),
        hint=say("error.cli.barometer.sector.hint", choices=choices),
    )


def _default_years(year: int | None) -> tuple[list[int], int | None]:
    """The years to load: the asked year and the one before (for rank changes)."""
    if year is not None:
        return [year - 1, year], year
    from kostra import api

    newest = api.default_year(db=state.settings.db)
    return [newest - 2, newest - 1, newest], None


def _newest_ranked(result: BarometerResult) -> int:
    ranked = result.total.filter(pl.col("ranked"))
    if ranked.height == 0:
        raise DataNotFoundError(
            say("error.cli.barometer.none_ranked"), hint=say("error.cli.barometer.fetch.hint")
        )
    return int(ranked.get_column("year").max())  # type: ignore[arg-type]


def _rank(inputs: BarometerInputs, method: str) -> BarometerResult:
    params = ScoringParams(method=method)  # type: ignore[arg-type]
    try:
        return barometer_results.rank(inputs, params)
    except ValueError as error:
        raise DataNotFoundError(
            say("error.cli.barometer.not_computed", error=str(error)),
            hint=say("error.cli.barometer.fetch.hint"),
        ) from error


def _footer(
    lang: str, inputs: BarometerInputs, params: ScoringParams, extra: list[str] | None = None
) -> list[str]:
    """The lines under a barometer table: source, borders, method, then ``extra`` notes."""
    text = _TEXT[lang]
    lines = [] if inputs.synthetic else [text["real"]]
    lines.append(barometer_results.method_name(inputs.catalog, lang) + ".")
    lines.append(text["borders"].format(borders=inputs.borders))
    lines.append(params.describe(lang))
    lines.extend(extra or [])
    return lines


def _caption(
    lang: str, inputs: BarometerInputs, params: ScoringParams, extra: list[str] | None = None
) -> str:
    banner = [_sample_banner(lang).upper()] if inputs.synthetic else []
    return "\n".join([*banner, *_footer(lang, inputs, params, extra)])


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


def need_year_notes(years: list[int], lang: str) -> tuple[list[str], pl.DataFrame]:
    """Which need-index year kostnadsnivå used for each of ``years`` (``year, need_year_wanted,
    need_year, need_year_fallback``), and a sentence per year, latest first, saying so."""
    from kostra import api
    from kostra.analysis.need import choose_need_year

    # The same choice as load_inputs' need_correct makes: the year after, else the nearest.
    available = api.packaged_need_index().get_column("need_year").unique().to_list()
    chosen = choose_need_year(years, available)
    text = _TEXT[lang]
    notes = []
    for row in chosen.sort("year", descending=True).iter_rows(named=True):
        key = "need_fallback" if row["need_year_fallback"] else "need_year"
        notes.append(text[key].format(**row))
    return notes, chosen


def _with_need_year(
    frame: pl.DataFrame, sector: str, chosen: pl.DataFrame, year: int
) -> pl.DataFrame:
    """Exports of a ranking that includes kostnadsnivå name the need-index year it used."""
    if sector not in (TOTAL, BarometerSector.KOSTNADSNIVA.value):
        return frame
    row = chosen.filter(pl.col("year") == year)
    if row.height == 0:
        return frame
    return frame.with_columns(
        pl.lit(row.item(0, "need_year"), pl.Int32).alias("need_year"),
        pl.lit(row.item(0, "need_year_fallback")).alias("need_year_fallback"),
    )


@dataclass(frozen=True)
class _Run:
    """What both barometer commands start from: the language, sector, inputs, ranks and year."""

    lang: str
    sector: str
    inputs: BarometerInputs
    result: BarometerResult
    year: int
    years: list[int]


def _run(year: int | None, sector: str | None, method: str, borders: str = "year") -> _Run:
    if method not in ("current", "pre2019"):
        raise KostraError(
            say("error.cli.barometer.method", method=shown(method)),
            hint=say("error.cli.barometer.method.hint"),
        )
    from kostra import api

    # SSB publishes a year's KOSTRA figures the spring after: last year is the newest.
    if year is not None and not api.FIRST_YEAR <= year <= dt.date.today().year - 1:
        raise KostraError(
            say("error.cli.barometer.year", year=year),
            hint=say("error.cli.barometer.year.hint", first=api.FIRST_YEAR),
        )
    sector_id = parse_sector(sector)
    choice = parse_borders(borders)
    years, wanted = _default_years(year)
    # the year asked for (else the newest) on its own borders; the year before, for the rank
    # changes, harmonised to them
    on = api.borders_for(wanted if wanted is not None else years[-1], choice)
    inputs = load_inputs(years, db=state.settings.db, borders=on)
    result = _rank(inputs, method)
    chosen = wanted if wanted is not None else _newest_ranked(result)
    if wanted is None:
        say_default_year(chosen)
    return _Run(state.settings.text_lang, sector_id, inputs, result, chosen, years)


def _intervals(run: _Run, resamples: int) -> pl.DataFrame | None:
    """Rank intervals of ``run.year`` from ``resamples`` draws of weights and cut-offs."""
    if check_resamples(resamples) == 0:
        return None
    return barometer_results.intervals(
        run.inputs, run.year, params=run.result.params, resamples=resamples
    )


#: Terminal symbols of a ranking row, explained in the legend.
_MARKS = {"series_break": "B", "volatile": "~"}


def ranking_section(frame: pl.DataFrame, adjusted: bool, lang: str) -> tuple[Section, list[str]]:
    """The ranking as a terminal table that fits 80 columns, and its legend lines."""
    words = _TERMINAL[lang]
    first = "rank_income_adjusted" if adjusted else "rank"
    score = "score_income_adjusted" if adjusted else "score"
    has_peers = "peer_rank" in frame.columns
    has_interval = "interval" in frame.columns
    columns = [Column(words["rank"])]
    if has_peers:
        columns.append(Column(words["peer_rank"]))
    columns += [Column(words["name"], text=True), Column(words["region"]), Column(words["score"])]
    if adjusted:
        columns.append(Column(words["unadjusted"]))
    columns += [Column(words["coverage"]), Column(words["previous"]), Column(words["change"])]
    if has_interval:
        columns.append(Column(words["interval"]))
    has_marks = any(frame.get_column(c).any() for c in _MARKS if c in frame.columns)
    if has_marks:
        columns.append(Column(words["marks"]))
    rows = []
    seen: set[str] = set()
    for row in frame.iter_rows(named=True):
        cells = [_text(row[first])]
        if has_peers:
            cells.append(_text(row["peer_rank"]))
        cells += [str(row["name"]), str(row["region"]), format_number(row[score], lang, 2)]
        if adjusted:
            cells.append(_text(row["rank"]))
        coverage = row["coverage"]
        cells.append("" if coverage is None else f"{format_number(coverage * 100, lang, 0)} %")
        cells += [_text(row["previous_rank"]), format_signed(row["change"], lang, 0)]
        if has_interval:
            # "14 (10–19)" → "10–19": the place is in the first column already
            cells.append(_text(row["interval"]).partition("(")[2].rstrip(")"))
        marks = [s for c, s in _MARKS.items() if row.get(c)]
        seen.update(c for c in _MARKS if row.get(c))
        if has_marks:
            cells.append(" ".join(marks))
        rows.append(cells)
    legend = [words["legend"]]
    if seen:
        legend.append(
            words["marks_title"]
            + ": "
            + " · ".join(f"{_MARKS[c]} {words[c]}" for c in _MARKS if c in seen)
        )
    return Section(None, columns, rows), legend


def _text(value: object) -> str:
    return "" if value is None else str(value)


def explanation_section(explanation: Explanation, lang: str) -> tuple[Section, list[str]]:
    """The contributions of an explanation as a terminal table, and its legend lines."""
    words = _TERMINAL[lang]
    first = words["sector"] if explanation.sector == TOTAL else words["indicator"]
    columns = [Column(first, text=True)]
    columns += [Column(words[c]) for c in ("value", "grade", "weight", "contribution", "best")]
    columns.append(Column(words["gain"]))
    rows = []
    for row in explanation.contributions.iter_rows(named=True):
        digits = row_decimals(row["value"], row["best"])
        share = row["weight_share"]
        rows.append(
            (
                str(row["name"]),
                with_unit(format_number(row["value"], lang, digits), row["unit"], lang),
                format_number(row["score"], lang, 1),
                "" if share is None else f"{format_number(share * 100, lang, 0)} %",
                format_number(row["contribution"], lang, 2),
                format_number(row["best"], lang, digits),
                format_number(row["potential_gain"], lang, 2),
            )
        )
    return Section(None, columns, rows), [words["explain_legend"]]


@barometer_app.callback(invoke_without_command=True)
def barometer(
    ctx: typer.Context,
    year: YearOption = None,
    sector: Annotated[
        str | None,
        typer.Option("--sector", "-s", metavar="SECTOR", help="One sector (default: the total)."),
    ] = None,
    top: Annotated[
        int | None, typer.Option("--top", "-n", metavar="N", help="Show the best N only.")
    ] = None,
    peers: Annotated[
        str | None,
        typer.Option(
            "--peers",
            "-p",
            metavar="GROUP",
            help="Only these municipalities: asss, country, country_ex_oslo or a comma list.",
        ),
    ] = None,
    method: MethodOption = "current",
    resamples: Annotated[
        int,
        typer.Option(
            "--resamples",
            help=f"Rank intervals from N resamples (0: none; at most {MAX_RESAMPLES}).",
            callback=check_resamples,
        ),
    ] = 0,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
    borders: BordersOption = "year",
) -> None:
    """Rank every municipality in the total or one sector, best first."""
    if ctx.invoked_subcommand is not None:
        return
    if top is not None and top < 1:
        from kostra import i18n

        words = i18n.text("error.cli.barometer.top", state.settings.text_lang)
        raise typer.BadParameter(words, param_hint="--top")
    run = _run(year, sector, method, borders)
    lang, inputs, result, year = run.lang, run.inputs, run.result, run.year
    peer_codes = None
    extra: list[str] = []
    if peers is not None:
        from kostra import api

        if _fold(peers) in ("county", "fylke", "kostra_group", "kostragruppe"):
            raise KostraError(
                say("error.cli.barometer.peers", peers=peers),
                hint=say("error.cli.barometer.peers.hint"),
            )
        peer_name, peer_codes = api.peers_on_borders(peers, year, "", borders=inputs.borders)
        extra.append(peer_name)
    intervals = _intervals(run, resamples)
    if intervals is not None:
        extra.append(_TEXT[lang]["intervals"].format(n=resamples))
    # the year shown and the one its rank changes compare with
    need_notes, chosen = need_year_notes([year - 1, year], lang)
    if run.sector in (TOTAL, BarometerSector.KOSTNADSNIVA.value):
        extra += need_notes
    codes = result.total.filter(pl.col("year") == year).get_column("region").to_list()
    frame, adjusted = ranking_frame(
        result,
        year=year,
        sector=run.sector,
        names=_names(codes, inputs.borders),
        peers=peer_codes,
        top=top,
        breaks=breaks_on_borders([year], inputs.borders),
        intervals=intervals,
        population=inputs.population,
    )
    text = _TEXT[lang]
    title = text["title"].format(
        year=year, sector=result.config.sector_name(run.sector, lang).lower()
    )
    if run.sector == TOTAL:
        title += " – " + (text["adjusted"] if adjusted else text["not_adjusted"])
        if adjusted:
            basis = barometer_results.income_basis(inputs, year)
            extra.append(text["income"].format(label=income_label(basis, lang)))
    else:
        counts = barometer_results.indicator_counts(inputs.catalog)
        extra.append(
            text["sector_count"].format(
                sector=result.config.sector_name(run.sector, lang),
                count=counts.get(run.sector, 0),
                total=counts[TOTAL],
            )
        )
    if fmt is OutputFormat.TABLE:
        section, legend = ranking_section(frame, adjusted, lang)
        print_sections(
            [section],
            title=title,
            banner=_sample_banner(lang) if inputs.synthetic else None,
            footer=[*legend, *_footer(lang, inputs, result.params, extra)],
            output=output,
        )
        return
    if inputs.synthetic:
        title = f"{_sample_banner(lang).upper()}: {title}"
    sector_label = result.config.sector_name(run.sector, lang)
    write_frame(
        _localise(_with_need_year(frame, run.sector, chosen, year), lang, inputs.synthetic, fmt),
        fmt,
        output,
        title=_sheet_title(title, fmt, f"{sector_label} {year}"),
        lang=lang,
        caption=_caption(lang, inputs, result.params, extra),
    )
    _tell_stderr(inputs, output, extra, lang)


def _tell_stderr(inputs: BarometerInputs, output: Path | None, extra: list[str], lang: str) -> None:
    """A file written with -o says what it is made of on the terminal too."""
    if output is None:
        return
    console = Console(stderr=True, highlight=False)
    if inputs.synthetic:
        console.print(_sample_banner(lang))
    for line in extra:
        if line.startswith(_TEXT[lang]["need_prefix"]):
            console.print(line)


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
    municipality: MunicipalityArgument,
    sector: Annotated[
        str | None,
        typer.Option("--sector", "-s", metavar="SECTOR", help="Sector (default: the total)."),
    ] = None,
    year: YearOption = None,
    method: MethodOption = "current",
    resamples: Annotated[
        int,
        typer.Option(
            "--resamples",
            help=(
                "Resamples for the rank interval (0: none; at most "
                f"{MAX_RESAMPLES}; the report and the web use "
                f"{barometer_results.DEFAULT_RESAMPLES})."
            ),
            callback=check_resamples,
        ),
    ] = barometer_results.DEFAULT_RESAMPLES,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
    borders: BordersOption = "year",
) -> None:
    """Explain a municipality's place: each indicator's value, grade, weight and contribution."""
    from kostra import api

    run = _run(year, sector, method, borders)
    lang, inputs, result, year, sector_id = run.lang, run.inputs, run.result, run.year, run.sector
    code, name = api.resolve(municipality, year, borders=inputs.borders)
    intervals = _intervals(run, resamples)
    try:
        explanation = explain(result, code, sector_id, year=year, lang=lang, intervals=intervals)
    except KeyError as error:
        raise DataNotFoundError(
            say("error.cli.barometer.no_figures", name=name, year=year),
            hint=say("error.cli.barometer.no_figures.hint"),
        ) from error
    text = _TEXT[lang]
    sector_name = result.config.sector_name(sector_id, lang)
    if explanation.contributions.height == 0:
        sector_said = Said.each(lambda lang: result.config.sector_name(sector_id, lang).lower())
        raise DataNotFoundError(
            say("error.cli.barometer.no_grades", name=name, sector=sector_said, year=year),
            hint=say("error.cli.barometer.no_grades.hint"),
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
    extra: list[str] = []
    if intervals is not None:
        flags = intervals.filter((pl.col("region") == code) & (pl.col("sector") == sector_id))
        if flags.height and flags.item(0, "small"):
            extra.append(text["small"].format(n=format_number(5000, lang)))
        if flags.height and flags.item(0, "wide"):
            extra.append(text["wide"])
        extra.append(text["intervals"].format(n=resamples))
    need_notes, chosen = need_year_notes([year], lang)
    if sector_id in (TOTAL, BarometerSector.KOSTNADSNIVA.value):
        extra += need_notes
    title = f"{name} – {sector_name} {year}"
    if fmt is OutputFormat.TABLE:
        title = text["title"].format(year=year, sector=sector_name.lower()) + f": {name}"
        section, legend = explanation_section(explanation, lang)
        print_sections(
            [section],
            title=title,
            banner=_sample_banner(lang) if inputs.synthetic else None,
            preamble=notes,
            footer=[*legend, *_footer(lang, inputs, result.params, extra)],
            output=output,
        )
        return
    if inputs.synthetic:
        title = f"{_sample_banner(lang).upper()}: {title}"
    frame = _with_need_year(explanation_frame(explanation, {code: name}), sector_id, chosen, year)
    write_frame(
        _localise(frame, lang, inputs.synthetic, fmt),
        fmt,
        output,
        title=_sheet_title(title, fmt, f"{name} {sector_name} {year}"),
        lang=lang,
        caption="\n".join([*notes, _caption(lang, inputs, result.params, extra)]),
    )
    _tell_stderr(inputs, output, extra, lang)
