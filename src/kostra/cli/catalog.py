"""``kostra catalog``: list the key figures of the indicator catalog."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer

from kostra.analysis.method import peer_averaging
from kostra.catalog import load_catalog, resolve_sector, search_indicators
from kostra.catalog.models import Catalog, Indicator, PopulationRef, Sector, SeriesRef
from kostra.cli._app import app, state
from kostra.cli._output import (
    Column,
    FormatOption,
    OutputFormat,
    OutputOption,
    Section,
    print_sections,
    write_frame,
)
from kostra.cli._results import sector_label
from kostra.errors import KostraError
from kostra.i18n import Words, plural, text
from kostra.i18n.said import say

_HEADERS = Words(
    "cli.catalog.col",
    (
        "id",
        "sector",
        "name",
        "unit",
        "source",
        "direction",
        "average",
        "production",
        "barometer",
        "confirmed",
    ),
)
_WORDS = Words(
    "cli.catalog",
    (
        "higher_better",
        "lower_better",
        "neutral",
        "weighted",
        "simple",
        "yes",
        "no",
        "formula",
        "inhabitants",
    ),
)


def _describe_refs(refs: list[SeriesRef]) -> str:
    """``12362 KOSbelop0000 (KOKart0000=AGD2, KOKfunksjon0000=202+213+…)``, per table/code."""
    grouped: dict[tuple[str, str], dict[str, list[str]]] = {}
    for ref in refs:
        dims = grouped.setdefault((ref.table_id, ref.contents_code), {})
        for name, value in ref.dims.items():
            values = dims.setdefault(name, [])
            if value not in values:
                values.append(value)
    parts = []
    for (table, code), dims in grouped.items():
        shown = []
        for name in sorted(dims):
            values = dims[name]
            text = "+".join(values) if len(values) <= 8 else f"{values[0]}+…+{values[-1]}"
            if len(values) > 8:
                text += f" ({len(values)})"
            shown.append(f"{name}={text}")
        parts.append(f"{table} {code}" + (f" ({', '.join(shown)})" if shown else ""))
    return "; ".join(parts)


def _weight(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text if lang == "en" else text.replace(".", ",")


def _source_text(indicator: Indicator, lang: str) -> str:
    words = _WORDS[lang]
    if indicator.source is not None:
        return f"{indicator.source.table_id} {indicator.source.contents_code}"
    assert indicator.formula is not None
    numerator = _describe_refs(indicator.formula.numerator)
    denominator = indicator.formula.denominator
    if isinstance(denominator, PopulationRef):
        below = f"{words['inhabitants']} {denominator.age_group}"
    else:
        below = _describe_refs(denominator)
    return f"{words['formula']}: ({numerator}) / ({below})"


def catalog_frame(
    catalog: Catalog, *, sector: Sector | None = None, lang: str = "nb"
) -> pl.DataFrame:
    """The catalog as a table, one row per indicator, headers and words in ``lang``."""
    words = _WORDS[lang]
    rows = []
    for indicator in catalog.indicators:
        if sector is not None and indicator.sector != sector:
            continue
        production = indicator.production
        barometer = indicator.barometer
        rows.append(
            {
                "id": indicator.id,
                "sector": indicator.sector.value,
                "name": indicator.name_en if lang == "en" else indicator.name_nb,
                "unit": indicator.unit,
                "source": _source_text(indicator, lang),
                "direction": words[indicator.direction],
                # the rule the profile applies (ready ratios: a simple mean by default)
                "average": words[peer_averaging(indicator)],
                "production": (
                    f"{production.kind} ({_weight(production.weight, lang)})"
                    if production is not None
                    else ""
                ),
                "barometer": (
                    f"{barometer.sector.value} ({_weight(barometer.weight, lang)})"
                    if barometer is not None
                    else ""
                ),
                "confirmed": words["yes"] if indicator.source_confirmed else words["no"],
            }
        )
    headers = _HEADERS[lang]
    frame = pl.DataFrame(rows, schema={key: pl.Utf8() for key in headers})
    return frame.rename(headers)


catalog_app = typer.Typer(
    help="The indicator catalog: list its key figures, or verify its codes against SSB.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(catalog_app, name="catalog")


@catalog_app.callback(invoke_without_command=True)
def catalog_command(
    ctx: typer.Context,
    sector: Annotated[
        str | None,
        typer.Option("--sector", "-s", help="Only this sector (e.g. skole, barnevern, miljø)."),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-q", help="Key figures matching these words (names, SSB labels)."
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """List the key figures of the indicator catalog, with their SSB sources."""
    if ctx.invoked_subcommand is not None:
        return
    lang = state.settings.text_lang
    chosen = resolve_sector(sector) if sector is not None else None
    catalog = load_catalog()
    frame = catalog_frame(catalog, sector=chosen, lang=lang)
    if search is not None:
        frame = search_frame(catalog, frame, search, lang)
    caption = plural("cli.catalog.caption", frame.height, lang)
    title = (
        text("cli.catalog.title", lang)
        if search is None
        else text("cli.catalog.title_search", lang, search=search)
    )
    if fmt is OutputFormat.TABLE:
        print_sections(catalog_sections(frame, lang), title=title, footer=[caption], output=output)
        return
    write_frame(frame, fmt, output, title=title, lang=lang, caption=caption)


def search_frame(catalog: Catalog, frame: pl.DataFrame, words: str, lang: str) -> pl.DataFrame:
    """The rows of ``frame`` whose key figures match ``words``, grouped by sector: the sector
    of the best match first, best first within a sector. No match is a user error."""
    found = search_indicators(catalog, words)
    if not found:
        raise KostraError(
            say("cli.catalog.no_match", words=words), hint=say("cli.catalog.no_match_hint")
        )
    ids = _HEADERS[lang]["id"]
    sector_col = _HEADERS[lang]["sector"]
    rank = {indicator.id: i for i, (indicator, _) in enumerate(found)}
    hits = frame.filter(pl.col(ids).is_in(list(rank))).with_columns(
        pl.col(ids).replace_strict(rank, return_dtype=pl.Int32).alias("_rank")
    )
    return (
        hits.with_columns(pl.col("_rank").min().over(sector_col).alias("_sector_rank"))
        .sort("_sector_rank", "_rank")
        .drop("_rank", "_sector_rank")
    )


def catalog_sections(frame: pl.DataFrame, lang: str) -> list[Section]:
    """The catalog frame for a terminal: one table per sector; the id under the name, since a
    user types it; files get every column."""
    h = _HEADERS[lang]
    columns = [
        Column(h["name"], text=True),
        Column(h["unit"], left=True),
        Column(h["source"], text=True),
        Column(h["barometer"], left=True),
    ]
    sections = []
    for (sector,), part in frame.group_by(h["sector"], maintain_order=True):
        rows = [
            (
                f"{row[h['name']]}\n[{row[h['id']]}]",
                row[h["unit"]],
                row[h["source"]],
                row[h["barometer"]],
            )
            for row in part.iter_rows(named=True)
        ]
        sections.append(Section(sector_label(str(sector), lang), columns, rows))
    return sections
