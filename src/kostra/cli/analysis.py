"""``kostra profile``, ``kostra costs`` and ``kostra indices``: the ASSS-style analyses.

Every output made from the synthetic sample says so: in the table's title and caption, in a
``synthetic`` / ``syntetisk`` column of every export, and on the first sheet of an Excel file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from kostra import api
from kostra.cli._app import app, state
from kostra.cli._output import OutputFormat, _atomic_write, format_number, write_frame
from kostra.errors import KostraError

_H: dict[str, dict[str, str]] = {
    "nb": {
        "sector": "sektor",
        "indicator_id": "id",
        "name": "nøkkeltall",
        "unit": "enhet",
        "region": "kommunenr",
        "region_name": "kommune",
        "role": "rolle",
        "year": "år",
        "value": "verdi",
        "status": "status",
        "peer_average": "snitt",
        "index": "indeks",
        "rank": "plass",
        "rank_best": "plass (best)",
        "n_ranked": "av",
        "peer_min": "min",
        "peer_max": "maks",
        "change": "endring",
        "change_pct": "endring %",
        "flags": "merknader",
        "source": "kilde",
        "synthetic": "syntetisk",
        "net_opex": "netto driftsutgifter (kr)",
        "population": "innbyggere",
        "net_opex_per_capita": "NDU per innb.",
        "need_year": "behovsår",
        "need_index": "behovsindeks",
        "need_index_basis": "indeksgrunnlag",
        "expected_per_capita": "forventet per innb.",
        "need_corrected_per_capita": "behovskorrigert per innb.",
        "resource_index": "ressursindeks (land=100)",
        "resource_use_index": "ressursbruk (snitt=1)",
        "difference_per_capita": "avvik per innb.",
        "peer_difference_per_capita": "snittavvik per innb.",
        "excess_spending": "mer-/mindreutgift (kr)",
        "note": "merknad",
        "production_pct": "produksjon % over/under",
        "cost_pct": "ressursbruk % over/under",
        "efficiency_pct": "effektivitet % over/under",
        "production_index": "produksjonsindeks",
        "cost_index": "kostnadsindeks",
        "efficiency_index": "effektivitetsindeks",
        "n_available": "indikatorer med data",
        "n_indicators": "indikatorer",
        "x": "verdi (behovskorr.)",
        "x_ref": "referanse",
        "z": "indeks",
        "weight": "vekt",
        "kind": "type",
    },
    "en": {
        "sector": "sector",
        "indicator_id": "id",
        "name": "key figure",
        "unit": "unit",
        "region": "code",
        "region_name": "municipality",
        "role": "role",
        "year": "year",
        "value": "value",
        "status": "status",
        "peer_average": "average",
        "index": "index",
        "rank": "place",
        "rank_best": "place (best)",
        "n_ranked": "of",
        "peer_min": "min",
        "peer_max": "max",
        "change": "change",
        "change_pct": "change %",
        "flags": "flags",
        "source": "source",
        "synthetic": "synthetic",
        "net_opex": "net opex (NOK)",
        "population": "inhabitants",
        "net_opex_per_capita": "net opex per inh.",
        "need_year": "need year",
        "need_index": "need index",
        "need_index_basis": "index basis",
        "expected_per_capita": "expected per inh.",
        "need_corrected_per_capita": "need-corrected per inh.",
        "resource_index": "resource index (country=100)",
        "resource_use_index": "resource use (average=1)",
        "difference_per_capita": "difference per inh.",
        "peer_difference_per_capita": "peers' difference per inh.",
        "excess_spending": "more/less spent (NOK)",
        "note": "note",
        "production_pct": "production % over/under",
        "cost_pct": "resource use % over/under",
        "efficiency_pct": "efficiency % over/under",
        "production_index": "production index",
        "cost_index": "cost index",
        "efficiency_index": "efficiency index",
        "n_available": "indicators with data",
        "n_indicators": "indicators",
        "x": "value (need-corrected)",
        "x_ref": "reference",
        "z": "index",
        "weight": "weight",
        "kind": "kind",
    },
}
_FLAGS = {
    "nb": {
        "series_break": "brudd i tidsserien",
        "peer_series_break": "brudd hos en sammenligningskommune",
        "pandemic": "pandemiår",
        "missing": "mangler",
        "preliminary": "foreløpige tall",
    },
    "en": {
        "series_break": "series break",
        "peer_series_break": "series break at a peer",
        "pandemic": "pandemic year",
        "missing": "missing",
        "preliminary": "preliminary figures",
    },
}
_ROLES = {
    "nb": {"self": "kommunen", "peer": "sammenligning", "compare": "vist i tillegg"},
    "en": {"self": "municipality", "peer": "peer", "compare": "shown beside"},
}

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table, csv, json, xlsx or parquet.")
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")]
YearOption = Annotated[int, typer.Option("--year", "-y", help="Accounting year.")]
PeersOption = Annotated[
    str,
    typer.Option(
        "--peers",
        "-p",
        help="asss, county, kostra_group, country, country_ex_oslo, or a comma list of names.",
    ),
]


def flags_expr(lang: str) -> pl.Expr:
    """One text column listing a row's flags in ``lang`` (series break, pandemic, missing…)."""
    words = _FLAGS[lang]
    parts = []
    for column, text in words.items():
        if column == "missing":
            parts.append(
                pl.when(pl.col("missing")).then(
                    pl.lit(text + " (") + pl.col("status").fill_null("..") + pl.lit(")")
                )
            )
        else:
            parts.append(pl.when(pl.col(column)).then(pl.lit(text)))
    return pl.concat_str(parts, separator=", ", ignore_nulls=True)


def _fixed(column: str, decimals: int, lang: str) -> pl.Expr:
    """A numeric column as text with a fixed number of decimals, in ``lang``'s number format."""
    return pl.col(column).map_elements(
        lambda value: format_number(value, lang, decimals), return_dtype=pl.Utf8
    )


def _readable(frame: pl.DataFrame) -> pl.DataFrame:
    """Sector ids as words in the terminal ("pleie_og_omsorg" → "pleie og omsorg")."""
    return frame.with_columns(pl.col("sector").str.replace_all("_", " "))


def _headers(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    names = _H[lang]
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def _with_synthetic(frame: pl.DataFrame, result: api.Result) -> pl.DataFrame:
    return frame.with_columns(pl.lit(result.synthetic).alias("synthetic"))


def profile_frames(result: api.Result, lang: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(terminal table of the municipality's key figures, export frame of every shown row)."""
    info = result.frames["indicators"].select("indicator_id", "source")
    name = "name_nb" if lang == "nb" else "name_en"
    rows = (
        result.frames["table"]
        .join(info, on="indicator_id", how="left")
        .with_columns(
            pl.col(name).alias("name"),
            flags_expr(lang).alias("flags"),
            pl.col("role").replace_strict(_ROLES[lang], default=pl.col("role")),
        )
    )
    terminal = rows.filter(pl.col("region") == result.municipality).select(
        "sector",
        "name",
        "unit",
        "value",
        "peer_average",
        "index",
        "rank",
        "n_ranked",
        "peer_min",
        "peer_max",
        "change",
        "flags",
    )
    export = _with_synthetic(
        rows.select(
            "sector",
            "indicator_id",
            "name",
            "unit",
            "region",
            "region_name",
            "role",
            "year",
            "value",
            "status",
            "peer_average",
            "index",
            "rank",
            "rank_best",
            "n_ranked",
            "peer_min",
            "peer_max",
            "change",
            "change_pct",
            "flags",
            "source",
        ),
        result,
    )
    return _headers(_readable(terminal), lang), _headers(export, lang)


def costs_frames(result: api.Result, lang: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(terminal table of the municipality's sectors, export frame of every peer)."""
    rows = result.frames["costs"]
    columns = [
        "sector",
        "net_opex_per_capita",
        "need_index",
        "need_corrected_per_capita",
        "resource_index",
        "resource_use_index",
        "excess_spending",
        "note",
    ]
    terminal = (
        rows.filter(pl.col("is_self"))
        .select(columns)
        .with_columns(
            # indices near 1 need more decimals than the table's default
            _fixed("need_index", 3, lang),
            _fixed("resource_use_index", 2, lang),
        )
    )
    export = _with_synthetic(
        rows.select(
            "sector",
            "region",
            "region_name",
            "year",
            "net_opex",
            "population",
            "net_opex_per_capita",
            "need_year",
            "need_index",
            "need_index_basis",
            "expected_per_capita",
            "need_corrected_per_capita",
            "resource_index",
            "resource_use_index",
            "difference_per_capita",
            "peer_difference_per_capita",
            "excess_spending",
            "note",
        ),
        result,
    )
    return _headers(_readable(terminal), lang), _headers(export, lang)


def indices_frames(result: api.Result, lang: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(terminal table of the municipality's sectors, export frame of every peer)."""
    rows = result.frames["sectors"]
    terminal = rows.filter(pl.col("is_self")).select(
        "sector", "production_pct", "cost_pct", "efficiency_pct", "n_available", "n_indicators"
    )
    export = _with_synthetic(
        rows.select(
            "sector",
            "region",
            "region_name",
            "year",
            "production_index",
            "cost_index",
            "efficiency_index",
            "production_pct",
            "cost_pct",
            "efficiency_pct",
            "n_indicators",
            "n_available",
            "need_index",
            "need_year",
        ),
        result,
    )
    return _headers(_readable(terminal), lang), _headers(export, lang)


def _title(result: api.Result, lang: str) -> str:
    what = {
        "nb": {
            "profile": "Tjenesteprofil",
            "costs": "Behovskorrigerte utgifter",
            "indices": "Produksjon og effektivitet",
        },
        "en": {
            "profile": "Service profile",
            "costs": "Need-corrected costs",
            "indices": "Production and efficiency",
        },
    }[lang][result.kind]
    against = "mot" if lang == "nb" else "against"
    title = f"{what}: {result.name} {result.year} {against} {result.peers_name}"
    banner = result.banner(lang)
    return f"{title} — {banner.upper()}" if banner else title


def _caption(result: api.Result, lang: str) -> str:
    lines = []
    banner = result.banner(lang)
    if banner:
        lines.append(f"⚠ {banner}")
    texts = [t for t in result.note_texts(lang) if t != api.SAMPLE_BANNER[lang]]
    if texts:
        lines.append(("Forutsetninger: " if lang == "nb" else "Assumptions: ") + "; ".join(texts))
    lines.append(
        "Kilde: Statistisk sentralbyrå (KOSTRA), KDD (Grønt hefte)"
        if lang == "nb"
        else "Source: Statistics Norway (KOSTRA), KDD (Grønt hefte)"
    )
    return "\n".join(lines)


def write_result(
    result: api.Result,
    frames: tuple[pl.DataFrame, pl.DataFrame],
    fmt: OutputFormat,
    output: Path | None,
    lang: str,
) -> None:
    """Write a result: the terminal table, or the export frame (Excel: one sheet per sector)."""
    terminal, export = frames
    if fmt is OutputFormat.XLSX:
        if output is None:
            raise KostraError(
                "--format xlsx skriver en binærfil."
                if lang == "nb"
                else "--format xlsx writes a binary file.",
                hint="Oppgi et filnavn med -o FIL."
                if lang == "nb"
                else "Give a file name with -o FILE.",
            )
        write_excel_by_sector(result, export, output, lang)
        return
    frame = terminal if fmt is OutputFormat.TABLE else export
    write_frame(
        frame, fmt, output, title=_title(result, lang), lang=lang, caption=_caption(result, lang)
    )


def write_excel_by_sector(
    result: api.Result, export: pl.DataFrame, output: Path, lang: str
) -> None:
    """An Excel file with an "about" sheet (banner, notes, sources) and one sheet per sector."""
    import xlsxwriter

    sector_col = _H[lang]["sector"]
    about = [
        _title(result, lang),
        *(_caption(result, lang).split("\n")),
        ("Kommunegrenser: " if lang == "nb" else "Municipality borders: ") + str(result.borders),
        ("Datakilde: " if lang == "nb" else "Data source: ") + result.source,
    ]

    def write(path: Path) -> None:
        with xlsxwriter.Workbook(str(path)) as workbook:
            sheet = workbook.add_worksheet("Om" if lang == "nb" else "About")
            bold = workbook.add_format({"bold": True})
            warn = workbook.add_format({"bold": True, "font_color": "#B00020"})
            for row, line in enumerate(about):
                sheet.write(row, 0, line, warn if line.startswith("⚠") else bold)
            used: set[str] = set()
            for (sector,), part in export.group_by(sector_col, maintain_order=True):
                name = str(sector)[:31] or "sektor"
                while name in used:
                    name = name[:29] + "_" + str(len(used))
                used.add(name)
                part.drop(sector_col).write_excel(
                    workbook, worksheet=name, autofit=True, float_precision=2
                )

    _atomic_write(output, write)


def _sectors(sector: list[str] | None) -> list[str] | None:
    if not sector:
        return None
    from kostra.catalog.models import Sector

    valid = {s.value for s in Sector}
    chosen = [s.strip().lower() for s in sector]
    unknown = [s for s in chosen if s not in valid]
    if unknown:
        raise KostraError(
            f"Unknown sector(s): {', '.join(unknown)}.",
            hint="Choose from: " + ", ".join(sorted(valid)),
        )
    return chosen


@app.command("profile")
def profile_command(
    municipality: Annotated[str, typer.Argument(help="Municipality name or code, e.g. Bærum.")],
    year: YearOption = 2024,
    peers: PeersOption = "asss",
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", "-c", help="Show beside the peers, outside the average."),
    ] = None,
    exclude_oslo: Annotated[
        bool, typer.Option("--exclude-oslo", help="Leave Oslo out of the peer average.")
    ] = False,
    exclude_self: Annotated[
        bool, typer.Option("--exclude-self", help="Leave the municipality out of the average.")
    ] = False,
    sector: Annotated[
        list[str] | None, typer.Option("--sector", "-s", help="Only this sector (repeatable).")
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Service profile: each key figure against the peer average (index, place, flags)."""
    lang = state.settings.lang
    result = api.profile(
        municipality,
        year,
        peers=peers,
        compare=compare or (),
        exclude_oslo=exclude_oslo,
        include_self=not exclude_self,
        sectors=_sectors(sector),
        db=state.settings.db,
    )
    write_result(result, profile_frames(result, lang), fmt, output, lang)


@app.command("costs")
def costs_command(
    municipality: Annotated[str, typer.Argument(help="Municipality name or code, e.g. Bærum.")],
    year: YearOption = 2024,
    peers: PeersOption = "asss",
    need_year: Annotated[
        int | None,
        typer.Option("--need-year", help="Need-index year (default: the year after --year)."),
    ] = None,
    include_oslo: Annotated[
        bool, typer.Option("--include-oslo", help="Keep Oslo in the peer average.")
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Need-corrected costs per sector and NOK spent more or less than the peers."""
    lang = state.settings.lang
    result = api.costs(
        municipality,
        year,
        peers=peers,
        need_year=need_year,
        exclude_oslo=not include_oslo,
        db=state.settings.db,
    )
    write_result(result, costs_frames(result, lang), fmt, output, lang)


@app.command("indices")
def indices_command(
    municipality: Annotated[str, typer.Argument(help="Municipality name or code, e.g. Bærum.")],
    year: YearOption = 2024,
    peers: PeersOption = "asss",
    reference: Annotated[
        str, typer.Option("--reference", help="peers (the peer average) or country.")
    ] = "peers",
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Production, resource and efficiency indices: % over or under the reference average."""
    lang = state.settings.lang
    result = api.indices(municipality, year, peers=peers, reference=reference, db=state.settings.db)
    write_result(result, indices_frames(result, lang), fmt, output, lang)
