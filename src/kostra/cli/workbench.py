"""``kostra nokkeltall`` (SSB's KOSTRA view), ``kostra similar`` (similar municipalities) and
``kostra fakta`` (the municipality at a glance)."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer

from kostra import api, workbench
from kostra.cli._app import app, state
from kostra.cli._options import (
    BordersOption,
    CompareOption,
    MunicipalityArgument,
    SectorOption,
    YearOption,
    chosen_year,
    parse_borders,
)
from kostra.cli._output import (
    Column,
    FormatOption,
    OutputFormat,
    OutputOption,
    Section,
    format_number,
    print_sections,
    write_frame,
)
from kostra.cli._results import row_decimals, sector_label, with_unit
from kostra.cli.analysis import _sectors
from kostra.facts import MunicipalityFacts
from kostra.i18n import Phrases, Words, text

_COMPUTED = "*"
_TEXT = Words(
    "cli.nokkeltall",
    (
        "title",
        "name",
        "computed",
        "basis",
        "ssb",
        "ours",
        "id",
        "sector",
        "unit",
        "synthetic",
        "source",
    ),
)


def _compare_codes(compare: list[str] | None) -> list[str]:
    """``--compare`` values, each a name or a comma list of names."""
    return [part.strip() for item in compare or [] for part in item.split(",") if part.strip()]


def nokkeltall_export(result: api.Result, lang: str) -> pl.DataFrame:
    """The view as one row per key figure: a column per municipality or aggregate, and per
    aggregate a column saying whether the figure is SSB's or computed."""
    words = _TEXT[lang]
    view = result.frames["view"]
    columns = result.frames["columns"]
    label_col = f"label_{lang}"
    name_col = "name_en" if lang == "en" else "name_nb"
    keys = view.select("indicator_id", "sector", name_col, "unit").unique(maintain_order=True)
    frame = keys.rename(
        {
            "indicator_id": words["id"],
            "sector": words["sector"],
            name_col: words["name"],
            "unit": words["unit"],
        }
    )
    for column, label, kind in columns.select("column", label_col, "kind").iter_rows():
        part = view.filter(pl.col("column") == column)
        frame = frame.with_columns(part["value"].alias(str(label)))
        if kind == "aggregate":
            basis = part["basis"].replace_strict(
                {"ssb": words["ssb"], "computed": words["ours"]}, default=None
            )
            frame = frame.with_columns(basis.alias(f"{label} ({words['basis']})"))
    return frame.with_columns(pl.lit(result.synthetic).alias(words["synthetic"]))


def nokkeltall_sections(result: api.Result, lang: str) -> list[Section]:
    """One terminal table per sector: the key figures as rows, the view's columns beside."""
    view = result.frames["view"]
    columns = result.frames["columns"]
    label_col = f"label_{lang}"
    name_col = "name_en" if lang == "en" else "name_nb"
    order = columns["column"].to_list()
    headers = [Column(_TEXT[lang]["name"], text=True)]
    # long labels break at their first space so the numbers keep their room
    headers += [Column(str(label).replace(" ", "\n", 1)) for label in columns[label_col]]
    sections = []
    for (sector,), part in view.group_by("sector", maintain_order=True):
        rows = []
        for (_,), figure in part.group_by("indicator_id", maintain_order=True):
            by_column = {row["column"]: row for row in figure.iter_rows(named=True)}
            first = figure.row(0, named=True)
            digits = row_decimals(*(r["value"] for r in by_column.values()))
            cells = [str(first[name_col])]
            for number, key in enumerate(order):
                row = by_column[key]
                if row["value"] is None:
                    cells.append(row["status"] or "..")
                    continue
                text = format_number(row["value"], lang, digits)
                if number == 0:
                    text = with_unit(text, row["unit"], lang)
                cells.append(text + (_COMPUTED if row["basis"] == "computed" else ""))
            rows.append(tuple(cells))
        sections.append(Section(sector_label(str(sector), lang), headers, rows))
    return sections


@app.command("nokkeltall")
def nokkeltall_command(
    municipality: MunicipalityArgument,
    year: YearOption = None,
    compare: CompareOption = None,
    sector: SectorOption = None,
    borders: BordersOption = "year",
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """SSB's KOSTRA view: the municipality beside its KOSTRA group, county, country and the
    country without Oslo (SSB's figures where fetched, else computed by SSB's rule)."""
    lang = state.settings.text_lang
    result = workbench.nokkeltall(
        municipality,
        chosen_year(year),
        compare=_compare_codes(compare),
        sectors=_sectors(sector),
        borders=parse_borders(borders),
        db=state.settings.db,
    )
    words = _TEXT[lang]
    title = words["title"].format(name=result.name, year=result.year)
    notes = [t for t in result.note_texts(lang) if t != api.SAMPLE_BANNER[lang]]
    footer = [words["computed"], *notes, words["source"]]
    banner = result.banner(lang)
    if fmt is OutputFormat.TABLE:
        print_sections(
            nokkeltall_sections(result, lang),
            title=title,
            banner=banner,
            footer=footer,
            output=output,
        )
        return
    caption = "\n".join([*([f"⚠ {banner}"] if banner else []), *footer])
    write_frame(
        nokkeltall_export(result, lang),
        fmt,
        output,
        title=text("cli.sheet.nokkeltall", lang),
        lang=lang,
        caption=caption,
    )


_SIMILAR = Words(
    "cli.similar",
    (
        "title",
        "weights",
        "feature",
        "weight",
        "share",
        "self",
        "legend",
        "source",
    ),
)
_SIMILAR_COLUMNS = Phrases(
    "cli.similar.term",
    (
        "no",
        "municipality",
        "distance",
        "inhabitants",
        "per_km",
        "centrality",
        "kostra_group",
        "expenditure_need",
    ),
)
_SIMILAR_EXPORT = Words(
    "cli.similar.col",
    (
        "rank",
        "region",
        "region_name",
        "distance",
        "population",
        "area_km2",
        "density",
    ),
)


def similar_sections(result: api.Result, lang: str) -> list[Section]:
    """The nearest municipalities, and the weights of the distance."""
    words = _SIMILAR[lang]
    headers = _SIMILAR_COLUMNS[lang]
    columns = [Column(headers[0]), Column(headers[1], text=True)]
    columns += [Column(h) for h in headers[2:]]
    rows = [
        (
            str(row["rank"]),
            str(row["region_name"]),
            format_number(row["distance"], lang, 2),
            format_number(row["population"], lang, 0),
            format_number(row["density"], lang),
            format_number(row["centrality"], lang, 0),
            str(row["kostra_group"] or "").removeprefix("EKG").lstrip("0"),
            format_number(row["need_index"], lang, 3),
        )
        for row in result.frames["similar"].iter_rows(named=True)
    ]
    label = f"label_{lang}"
    weights = [
        (str(row[label]), format_number(row["weight"], lang, 2), f"{row['share'] * 100:.0f} %")
        for row in result.frames["weights"].iter_rows(named=True)
    ]
    return [
        Section(None, columns, rows),
        Section(
            words["weights"],
            [Column(words["feature"], text=True), Column(words["weight"]), Column(words["share"])],
            weights,
        ),
    ]


def similar_export(result: api.Result, lang: str) -> pl.DataFrame:
    """The nearest municipalities with every feature (raw and standardised inputs)."""
    names = _SIMILAR_EXPORT[lang]
    frame = result.frames["similar"]
    return frame.rename({c: names[c] for c in frame.columns if c in names})


@app.command("similar")
def similar_command(
    municipality: MunicipalityArgument,
    year: YearOption = None,
    n: Annotated[int, typer.Option("--n", "-n", help="How many to show (1–50).")] = 10,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """The municipalities most similar in structure: size, age, growth, density, centrality,
    KOSTRA group, expenditure need, ROBEK (and free income when fetched)."""
    lang = state.settings.text_lang
    if not 1 <= n <= 50:
        raise typer.BadParameter(text("error.cli.similar_n", lang), param_hint="--n")
    result = workbench.similar(municipality, chosen_year(year), n=n, db=state.settings.db)
    words = _SIMILAR[lang]
    title = words["title"].format(name=result.name, year=result.year)
    own = result.frames["self"].row(0, named=True)
    summary = words["self"].format(
        name=result.name,
        population=format_number(own["population"], lang, 0),
        density=format_number(own["density"], lang),
        centrality=format_number(own["centrality"], lang, 0),
        group=text(
            "cli.similar.group",
            lang,
            group=str(own["kostra_group"] or "").removeprefix("EKG").lstrip("0"),
        ),
        need=format_number(own["need_index"], lang, 3),
    )
    footer = [words["legend"], *result.note_texts(lang), words["source"]]
    if fmt is OutputFormat.TABLE:
        print_sections(
            similar_sections(result, lang),
            title=title,
            preamble=[summary],
            footer=footer,
            output=output,
        )
        return
    write_frame(
        similar_export(result, lang),
        fmt,
        output,
        title=text("cli.sheet.similar", lang),
        lang=lang,
        caption="\n".join([summary, *footer]),
    )


_FACTS = Words(
    "cli.facts",
    (
        "title",
        "figure",
        "value",
        "unit",
        "country",
        "population",
        "growth",
        "share",
        "area",
        "density",
        "need",
        "group",
        "centrality",
        "rank",
        "rank_raw",
        "source",
    ),
)


FactRow = tuple[str, float | None, str, float | None, int | None]


def facts_rows(found: MunicipalityFacts, lang: str) -> list[FactRow]:
    """The facts as (figure, value, unit, the country's value, decimals shown)."""
    words = _FACTS[lang]
    rows: list[FactRow] = [
        (words["population"].format(date=found.population_date), found.population, "", None, 0),
        (words["growth"], None if found.growth is None else found.growth * 100, "%", None, 1),
    ]
    for age in found.ages:
        rows.append(
            (
                words["share"].format(group=age.age_group),
                None if age.share is None else age.share * 100,
                "%",
                None if age.country_share is None else age.country_share * 100,
                1,
            )
        )
    rows += [
        (words["area"], found.area_km2, "km²", None, 0),
        (words["density"], found.density, "", None, 1),
        (words["need"].format(year=found.need_year), found.need_index, "", 1.0, 3),
        (words["centrality"], _float(found.centrality), "", None, 0),
    ]
    country = next((n for n, c in enumerate(found.finances.columns) if c.key == "country"), None)
    for row in found.finances.rows:
        rows.append(
            (
                row.name(lang),
                row.cells[0].value,
                row.unit,
                None if country is None else row.cells[country].value,
                None,
            )
        )
    if found.ranks is not None:
        rows.append((words["rank"], _float(found.ranks.rank_income_adjusted), "", None, 0))
        rows.append((words["rank_raw"], _float(found.ranks.rank), "", None, 0))
    return rows


def facts_export(found: MunicipalityFacts, lang: str) -> pl.DataFrame:
    """The facts as rows: figure, value, unit and the country's value where there is one."""
    words = _FACTS[lang]
    return pl.DataFrame(
        [row[:4] for row in facts_rows(found, lang)],
        schema={
            words["figure"]: pl.Utf8,
            words["value"]: pl.Float64,
            words["unit"]: pl.Utf8,
            words["country"]: pl.Float64,
        },
        orient="row",
    )


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


@app.command("fakta")
def facts_command(
    municipality: MunicipalityArgument,
    year: YearOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """The municipality at a glance: population and age structure, area and density, the
    expenditure-need index, the headline finances and the barometer's total rank."""
    from kostra.catalog import load_catalog
    from kostra.facts import municipality_facts
    from kostra.results import barometer as barometer_results

    lang = state.settings.lang
    year = chosen_year(year)
    catalog = load_catalog()
    window = [year - 1, year]
    on = api.borders_for(year, "year")
    data = api.load_data(window, db=state.settings.db, catalog=catalog)
    evaluated = api.evaluated(data, catalog, window, borders=on)
    inputs = barometer_results.prepare_inputs(
        evaluated, catalog, years=[year], borders=on, synthetic=data.synthetic, source=data.source
    )
    found = municipality_facts(
        municipality,
        year,
        evaluated=evaluated,
        catalog=catalog,
        borders=on,
        ranking=barometer_results.rank(inputs),
        synthetic=data.synthetic,
    )
    words = _FACTS[lang]
    title = words["title"].format(name=found.name, year=year)
    footer = [
        f"{words['group']}: {found.kostra_group or '–'}",
        *([found.ranks.method(lang)] if found.ranks is not None else []),
        *(n.text(lang) for n in found.finances.notes),
        words["source"],
    ]
    banner = api.SAMPLE_BANNER[lang] if data.synthetic else None
    if fmt is OutputFormat.TABLE:
        rows = [
            (
                name,
                format_number(value, lang, digits)
                + (f" {unit}" if unit and value is not None else ""),
                format_number(country, lang, digits) if country is not None else "",
            )
            for name, value, unit, country, digits in facts_rows(found, lang)
        ]
        columns = [Column(words["figure"], text=True), Column(words["value"])]
        columns.append(Column(words["country"]))
        print_sections(
            [Section(None, columns, rows)], title=title, banner=banner, footer=footer, output=output
        )
        return
    caption = "\n".join([*([f"⚠ {banner}"] if banner else []), *footer])
    write_frame(
        facts_export(found, lang),
        fmt,
        output,
        title=text("cli.sheet.facts", lang),
        lang=lang,
        caption=caption,
    )
