"""Analysis results (``kostra profile``, ``costs``, ``indices``) as terminal tables and as export
frames: the words, marks and legends of each table, the columns and headers of each export.

Every output made from the synthetic sample says so: in the table's title and caption, in a
``synthetic`` / ``syntetisk`` column of every export, and on the first sheet of an Excel file.
When SSB's figures and the sample's are mixed, each figure says which it is.
"""

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from kostra import api
from kostra.analysis.method import (
    AVERAGE_LEGEND,
    AVERAGE_MARK,
    SMALL_NUMBERS,
)
from kostra.analysis.need import NEED_COLUMNS
from kostra.analysis.production import SECTOR_COLUMNS
from kostra.analysis.profile import PEER_PROFILE_COLUMNS
from kostra.cli._app import state
from kostra.cli._output import (
    Column,
    OutputFormat,
    Section,
    _atomic_write,
    binary_needs_file,
    format_number,
    format_signed,
    print_sections,
    write_frame,
)
from kostra.i18n import Phrase, Phrases, Words, amount, percent_text, plural, sector_name
from kostra.results.provenance import ORIGIN_TEXT

_H = Words(
    "cli.col",
    (
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
        "difference",
        "comparison",
        "average",
        "average_marked",
        "flags",
        "source",
        "source_note",
        "synthetic",
        "origin",
        "borders",
        "net_opex",
        "population",
        "net_opex_per_capita",
        "need_year",
        "need_year_fallback",
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
        "need_index_quality",
        "beyond_cap",
        "small_base",
        "in_total",
        "in_average",
        "production_pct",
        "cost_pct",
        "efficiency_pct",
        "production_index",
        "cost_index",
        "efficiency_index",
        "n_available",
        "n_indicators",
        "x",
        "x_ref",
        "z",
        "weight",
        "kind",
    ),
)
_FLAGS = Words(
    "cli.flag",
    (
        "series_break",
        "peer_series_break",
        "pandemic",
        "missing",
        "preliminary",
        "small_base",
        "beyond_cap",
    ),
)
#: The words of the origin marks (not columns of the table, unlike the flags above).
_ORIGIN_WORDS = Words("cli.flag", ("sample", "partly_sample"))
_ROLES = Words(
    "cli.role",
    (
        "self",
        "peer",
        "compare",
    ),
)

#: Short symbols for a key figure's flags in the terminal, explained in a legend under the tables.
_SYMBOLS = {
    "series_break": "B",
    "peer_series_break": "(B)",
    "pandemic": "P",
    "missing": "M",
    "preliminary": "F",
    "small_base": "S",
    "beyond_cap": "!",
}
#: The mark of a figure that is not SSB's, when a result mixes SSB's figures and the sample's.
_ORIGIN_SYMBOLS = {"sample": "E", "mixed": "(E)"}
_ORIGIN_FLAGS = {"sample": "sample", "mixed": "partly_sample"}
_LEGEND = Words(
    "cli.legend",
    (
        "missing",
        "index",
        "difference",
        "change",
        "symbols",
        "caveat",
        "origin",
    ),
)
#: Terminal headers of the profile table (the export keeps the full names in ``_H``).
_PROFILE_COLUMNS = Phrases(
    "cli.profile",
    (
        "key_figure",
        "value",
        "average",
        "index",
        "place",
        "change",
        "flags",
    ),
)
#: Terminal headers of the costs table, broken where they read best; the legend explains them.
_COSTS_COLUMNS = Phrases(
    "cli.costs",
    (
        "sector",
        "net_opex_per_inh",
        "need_index",
        "corrected_per_inh",
        "resource_index",
        "resource_use",
        "difference_nok_m",
    ),
)
_COSTS_LEGEND = Phrase("cli.costs_legend")
_INDICES_COLUMNS = Phrases(
    "cli.indices",
    (
        "sector",
        "production",
        "resource_use",
        "efficiency",
        "indicators_with_data",
    ),
)
_INDICES_LEGEND = Phrase("cli.indices_legend")
_TOTAL_NAME = Phrase("cli.total")

#: Export columns of each analysis: the analysis module's own column list, less what the
#: terminal-free export has no use for (group keys, flags that the ``flags`` text replaces).
_PROFILE_MEASURES = PEER_PROFILE_COLUMNS[
    PEER_PROFILE_COLUMNS.index("year") : PEER_PROFILE_COLUMNS.index("change_pct") + 1
]
_PROFILE_EXPORT = (
    *("sector", "indicator_id", "name", "unit", "region", "region_name", "role"),
    *(c for c in _PROFILE_MEASURES if c not in ("n_average", "previous_value")),
    "difference",
    "comparison",
    "average",
    "average_marked",
    "small_base",
    "beyond_cap",
    "flags",
    "source",
    "source_note",
)
_KEYS = ("group", "region", "year", "sector")
_COSTS_EXPORT = (
    "sector",
    "region",
    "region_name",
    "year",
    *(c for c in NEED_COLUMNS if c not in (*_KEYS, "country_per_capita", "in_average")),
)
_INDICES_EXPORT = (
    "sector",
    "region",
    "region_name",
    "year",
    *(c for c in SECTOR_COLUMNS if c not in (*_KEYS, "sector_weight")),
)


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


def sector_label(sector: str, lang: str) -> str:
    """A sector id as a heading word ("pleie_og_omsorg" → "Pleie og omsorg")."""
    text = _TOTAL_NAME[lang] if sector == "total" else sector_name(sector, lang)
    return text[:1].upper() + text[1:]


def _headers(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    names = _H[lang]
    return frame.rename({c: names[c] for c in frame.columns if c in names})


def _export(
    rows: pl.DataFrame, columns: Iterable[str], result: api.Result, lang: str
) -> pl.DataFrame:
    """The export frame: ``columns`` of ``rows``, the synthetic flag, the borders' year,
    headers in ``lang``."""
    frame = rows.select(*columns).with_columns(
        pl.lit(result.synthetic).alias("synthetic"),
        pl.lit(result.borders, dtype=pl.Int32).alias("borders"),
    )
    # each figure says whether it is SSB's or the sample's ("SSB", "eksempeldata", "blandet")
    key = "indicator_id" if "indicator_id" in frame.columns else "sector"
    if result.origins and key in frame.columns:
        words = {k: ORIGIN_TEXT[lang][v] for k, v in result.origins.items()}
        # a row says it is synthetic only when its own figure is (partly) the sample's
        synthetic = {k: v != "real" for k, v in result.origins.items()}
        frame = frame.with_columns(
            pl.col(key).replace_strict(words, default=None, return_dtype=pl.Utf8).alias("origin"),
            pl.col(key)
            .replace_strict(synthetic, default=result.synthetic, return_dtype=pl.Boolean)
            .alias("synthetic"),
        )
    return _headers(frame, lang)


def row_decimals(*values: object) -> int:
    """Decimals for the numbers of one row: none from 100 up, one from 1, two below."""
    finite = [abs(v) for v in values if isinstance(v, int | float) and v == v]
    largest = max(finite, default=0.0)
    return 0 if largest >= 100 else 1 if largest >= 1 else 2


def with_unit(text: str, unit: str | None, lang: str) -> str:
    """A number with its unit as the report and the web print it (:func:`kostra.i18n.amount`:
    CLDR's percent and kroner patterns, no-break spaces so the two stay on one line)."""
    return amount(text, unit, lang)


def _unconfirmed(indicator_id: str | None, lang: str) -> str | None:
    """The user-facing sentence for a key figure whose SSB codes are not yet confirmed."""
    if indicator_id is None:
        return None
    from kostra.catalog import load_catalog
    from kostra.catalog.verify import unconfirmed_sentence

    try:
        return unconfirmed_sentence(load_catalog().get(indicator_id), lang)
    except KeyError:
        return None


def profile_sections(result: api.Result, lang: str) -> tuple[list[Section], list[str]]:
    """The municipality's key figures as one terminal table per sector, and the legend lines."""
    name_col = "name_en" if lang == "en" else "name_nb"
    caveat_col = {"en": "caveat_en", "nn": "caveat_nn"}.get(lang, "caveat_nb")
    own = result.frames["table"].filter(pl.col("region") == result.municipality)
    # The flags column only when a figure has a flag: otherwise its room goes to the names.
    flagged = result.mixed or bool(own.select(pl.any_horizontal(*_SYMBOLS).any()).item())
    headers = _PROFILE_COLUMNS[lang] if flagged else _PROFILE_COLUMNS[lang][:-1]
    # --compare: each compared municipality's value in a column of its own, beside the value
    compared = _compared_values(result, lang)
    columns = [
        Column(headers[0], text=True),
        Column(headers[1]),
        *(Column(name) for name in compared),
        *(Column(h) for h in headers[2:]),
    ]
    seen: set[str] = set()
    origins_seen: set[str] = set()
    sections = []
    marked = differences = False
    for (sector,), part in own.group_by("sector", maintain_order=True):
        rows = []
        caveats: list[str] = []
        for row in part.iter_rows(named=True):
            digits = row_decimals(row["value"], row["peer_average"])
            if row["missing"] or row["value"] is None:
                value = row["status"] or ".."
            else:
                value = with_unit(format_number(row["value"], lang, digits), row["unit"], lang)
            place = f"{row['rank']}/{row['n_ranked']}" if row["rank"] is not None else ""
            average = format_number(row["peer_average"], lang, digits)
            if average and row.get("average_marked"):
                average += AVERAGE_MARK
                marked = True
            if row.get("comparison") == "difference":
                differences = True
                index = _difference_text(row["difference"], row["unit"], lang, digits)
            else:
                index = format_number(row["index"], lang, 0)
            symbols = [s for c, s in _SYMBOLS.items() if row[c]]
            seen.update(c for c in _SYMBOLS if row[c])
            origin = _origin_mark(result, row.get("indicator_id"))
            if origin:
                symbols.append(_ORIGIN_SYMBOLS[origin])
                origins_seen.add(origin)
            others = [
                values.get(row["indicator_id"], "..") if values else ".."
                for values in compared.values()
            ]
            cells = (
                str(row[name_col]),
                value,
                *others,
                average,
                index,
                place,
                format_signed(row["change"], lang, digits),
                " ".join(symbols),
            )
            rows.append(cells[: len(columns)])
            caveat = row.get(caveat_col)
            if caveat and caveat not in caveats:
                caveats.append(caveat)
            unchecked = _unconfirmed(row.get("indicator_id"), lang)
            if unchecked and unchecked not in caveats:
                caveats.append(unchecked)
        notes = [f"{_LEGEND[lang]['caveat']}: {c}" for c in caveats]
        sections.append(Section(sector_label(str(sector), lang), columns, rows, notes))
    legend = _LEGEND[lang]
    n_ranked = own.get_column("n_ranked").drop_nulls()
    explained = [legend["index"], legend["change"].format(year=result.year - 1)]
    if n_ranked.len():
        explained.insert(0, plural("cli.legend.place", int(n_ranked.max()), lang))  # type: ignore[arg-type]
    if differences:
        explained.append(legend["difference"])
    lines = ["; ".join(explained) + "."]
    if marked:
        lines.append(AVERAGE_LEGEND.text(lang) + ".")
    if seen:
        words = {**_FLAGS[lang], "missing": legend["missing"]}
        keys = [c for c in _SYMBOLS if c in seen]
        lines.append(
            f"{legend['symbols']}: " + " · ".join(f"{_SYMBOLS[c]} {words[c]}" for c in keys)
        )
    if seen & {"small_base", "beyond_cap"}:
        lines.append(SMALL_NUMBERS.text().text(lang).capitalize() + ".")
    lines.extend(_origin_legend(origins_seen, lang))
    return sections, lines


def _origin_mark(result: api.Result, key: str | None) -> str | None:
    """``sample`` or ``mixed`` for a figure that is not SSB's in a result mixing SSB's figures
    and the sample's; None otherwise (in an all-sample result the banner says it for all)."""
    if not result.mixed:
        return None
    origin = result.origin(key)
    return origin if origin in _ORIGIN_SYMBOLS else None


def _origin_legend(origins: set[str], lang: str) -> list[str]:
    """The legend line of the origin marks used in a table (none when none is used)."""
    if not origins:
        return []
    words = _ORIGIN_WORDS[lang]
    marks = " · ".join(
        f"{_ORIGIN_SYMBOLS[o]} {words[_ORIGIN_FLAGS[o]]}" for o in _ORIGIN_SYMBOLS if o in origins
    )
    return [f"{marks}. {_LEGEND[lang]['origin']}."]


def _with_origin_column(
    result: api.Result,
    columns: list[Column],
    rows: list[tuple[str, ...]],
    keys: list[str],
    lang: str,
) -> tuple[list[Column], list[tuple[str, ...]], list[str]]:
    """Costs and indices tables: a last column with each sector's origin mark, and its legend,
    when the result mixes SSB's figures and the sample's (else the table as it was)."""
    if not result.mixed:
        return columns, rows, []
    marks = [_origin_mark(result, key) for key in keys]
    marked = [(*row, _ORIGIN_SYMBOLS[m] if m else "") for row, m in zip(rows, marks, strict=True)]
    column = Column(_LEGEND[lang]["symbols"], text=True)
    return [*columns, column], marked, _origin_legend({m for m in marks if m}, lang)


def _difference_text(difference: float | None, unit: str | None, lang: str, digits: int) -> str:
    """A difference from the average in the figure's unit: "+0,8 pp", "−1 219 kr", with Δ."""
    text = format_signed(difference, lang, digits)
    if not text:
        return ""
    short = "pp" if unit == "prosent" else None
    shown = f"{text}\u00a0{short}" if short else with_unit(text, unit, lang)
    return f"Δ\u00a0{shown}"


def profile_export(result: api.Result, lang: str) -> pl.DataFrame:
    """Every shown row of a profile (municipality, peers, extra municipalities), full columns."""
    source = {"en": "source_en", "nn": "source_nn"}.get(lang, "source")
    info = result.frames["indicators"].select("indicator_id", pl.col(source).alias("source"))
    name = "name_en" if lang == "en" else "name_nb"
    rows = (
        result.frames["table"]
        .join(info, on="indicator_id", how="left")
        .with_columns(
            pl.col(name).alias("name"),
            flags_expr(lang).alias("flags"),
            pl.col("role").replace_strict(_ROLES[lang], default=pl.col("role")),
        )
    )
    rows = rows.with_columns(
        pl.col("indicator_id")
        .replace_strict(_source_notes(lang), default=None, return_dtype=pl.Utf8)
        .alias("source_note")
    )
    return _export(rows, _PROFILE_EXPORT, result, lang)


def _compared_values(result: api.Result, lang: str) -> dict[str, dict[str, str]]:
    """The ``--compare`` municipalities of a profile: name -> key figure id -> value as the
    table shows it (with its unit and SSB's symbol where missing)."""
    table = result.frames["table"]
    out: dict[str, dict[str, str]] = {}
    for code in result.compare:
        part = table.filter(pl.col("region") == code)
        if part.is_empty():
            continue
        name = str(part["region_name"][0]) if "region_name" in part.columns else code
        values: dict[str, str] = {}
        for row in part.iter_rows(named=True):
            if row["missing"] or row["value"] is None:
                values[row["indicator_id"]] = row["status"] or ".."
            else:
                digits = row_decimals(row["value"], row["peer_average"])
                number = format_number(row["value"], lang, digits)
                values[row["indicator_id"]] = with_unit(number, row["unit"], lang)
        out[name] = values
    return out


def _source_notes(lang: str) -> dict[str, str | None]:
    """Per key figure, the sentence saying its SSB codes are not yet confirmed (or None)."""
    from kostra.catalog import load_catalog
    from kostra.catalog.verify import unconfirmed_sentence

    return {i.id: unconfirmed_sentence(i, lang) for i in load_catalog().indicators}


def _own_sectors(rows: pl.DataFrame) -> pl.DataFrame:
    """The municipality's own rows, sectors in the catalog's order, the total last."""
    own = rows.filter(pl.col("is_self"))
    return own.sort(pl.col("sector") == "total", maintain_order=True)


def costs_sections(result: api.Result, lang: str) -> tuple[list[Section], list[str]]:
    """Need-corrected costs per sector as a terminal table; notes as numbered footnotes."""
    headers = _COSTS_COLUMNS[lang]
    columns = [Column(headers[0], text=True), *(Column(h) for h in headers[1:])]
    rows: list[tuple[str, ...]] = []
    keys: list[str] = []
    capped = False
    numbers: dict[str, int] = {}  # one footnote per distinct note, shared by its sectors
    for row in _own_sectors(result.frames["costs"]).iter_rows(named=True):
        keys.append(row["sector"])
        label = sector_label(row["sector"], lang)
        note = cost_note(row, lang)
        if note:
            number = numbers.setdefault(note, len(numbers) + 1)
            label += _superscript(number)  # no space: the marker stays with the word
        excess = row["excess_spending"]
        rows.append(
            (
                label,
                format_number(row["net_opex_per_capita"], lang, 0),
                format_number(row["need_index"], lang, 3),
                format_number(row["need_corrected_per_capita"], lang, 0),
                format_number(row["resource_index"], lang, 0) + _cap_mark(row),
                format_number(row["resource_use_index"], lang, 2) + _cap_mark(row),
                format_signed(None if excess is None else excess / 1e6, lang, 1),
            )
        )
        capped = capped or bool(row.get("beyond_cap"))
    footnotes = [f"{_superscript(number)} {note}" for note, number in numbers.items()]
    legend = [_COSTS_LEGEND[lang]]
    if capped:
        legend.append(_cap_legend(lang))
    if result.reference is not None:
        text = result.reference.text(lang)
        legend.append(text[:1].upper() + text[1:] + ".")
    columns, rows, origin_legend = _with_origin_column(result, columns, rows, keys, lang)
    return [Section(None, columns, rows)], [*legend, *origin_legend, *footnotes]


def _cap_mark(row: dict[str, object]) -> str:
    """ "!" after a number whose row is beyond the small-number caps."""
    return "!" if row.get("beyond_cap") else ""


def _cap_legend(lang: str) -> str:
    text = SMALL_NUMBERS.text().text(lang)
    return "! " + text[:1].upper() + text[1:] + "."


def _superscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def cost_note(row: dict[str, object], lang: str) -> str | None:
    """A costs row's note in ``lang``, from the row's own fields. The need-index quality
    warning is left to the result's notes (it concerns every row alike)."""
    parts = []
    if row["sector"] == "total":
        text = str(row.get("note") or "")
        for piece in text.split("; "):
            for prefix, key in _TOTAL_NOTE.items():
                if piece.startswith(prefix):
                    sectors = piece.removeprefix(prefix).split(", ")
                    names = ", ".join(sector_label(s, lang).lower() for s in sectors if s)
                    parts.append(_NOTE_WORDS[lang][key] + names)
    elif row["need_index"] is None:
        parts.append(
            _NOTE_WORDS[lang]["no_need_index"].format(region=row["region"], year=row["need_year"])
        )
    if row["sector"] != "total" and row.get("need_year_fallback"):
        parts.append(_NOTE_WORDS[lang]["fallback"].format(year=row["need_year"]))
    if row.get("need_index_basis") == "total_uniform":
        parts.append(_NOTE_WORDS[lang]["total_index"])
    return "; ".join(parts) or None


#: The total row's note as the analysis writes it (in English) -> its words in the catalogs.
_TOTAL_NOTE = {
    "sum of ": "sum_of",
    "not included: ": "not_included",
    "no figures (left out): ": "no_figures",
}
_NOTE_WORDS = Words(
    "cli.cost_note",
    ("no_need_index", "fallback", "total_index", "sum_of", "not_included", "no_figures"),
)
_TITLE_WORDS = Words(
    "cli.title", ("profile", "costs", "indices", "against", "own_method", "need_years")
)
_NOTES_WORDS = Words("cli.notes", ("assumptions", "source", "borders", "data_source", "about"))


def costs_export(result: api.Result, lang: str) -> pl.DataFrame:
    """Need-corrected costs of every peer, full columns; notes in ``lang``."""
    rows = result.frames["costs"]
    if lang != "en":
        rows = rows.with_columns(
            pl.struct(pl.all())
            .map_elements(lambda row: cost_note(row, lang), return_dtype=pl.Utf8)
            .alias("note")
        )
    return _export(rows, _COSTS_EXPORT, result, lang)


def indices_sections(result: api.Result, lang: str) -> tuple[list[Section], list[str]]:
    """Production, resource use and efficiency per sector as "+12,3 %" against the reference."""
    headers = _INDICES_COLUMNS[lang]
    columns = [Column(headers[0], text=True), *(Column(h) for h in headers[1:])]
    rows = []
    keys: list[str] = []
    capped = False
    for row in _own_sectors(result.frames["sectors"]).iter_rows(named=True):
        keys.append(row["sector"])
        cells = [sector_label(row["sector"], lang)]
        for column in ("production_pct", "cost_pct", "efficiency_pct"):
            text = format_signed(row[column], lang, 1)
            cells.append(percent_text(text, lang) + _cap_mark(row) if text else "")
        capped = capped or bool(row.get("beyond_cap"))
        cells.append(f"{row['n_available']}/{row['n_indicators']}")
        rows.append(tuple(cells))
    legend = [_INDICES_LEGEND[lang]]
    if capped:
        legend.append(_cap_legend(lang))
    if result.reference is not None:
        text = result.reference.text(lang)
        legend.append(text[:1].upper() + text[1:] + ".")
    columns, rows, origin_legend = _with_origin_column(result, columns, rows, keys, lang)
    return [Section(None, columns, rows)], [*legend, *origin_legend]


def indices_export(result: api.Result, lang: str) -> pl.DataFrame:
    """Production and efficiency indices of every peer, full columns."""
    return _export(result.frames["sectors"], _INDICES_EXPORT, result, lang)


def _title(result: api.Result, lang: str) -> str:
    words = _TITLE_WORDS[lang]
    title = words["against"].format(
        what=words[result.kind], name=result.name, year=result.year, peers=result.peers_name
    )
    if result.kind == "indices":
        title += words["own_method"]
    frame = result.frames.get("costs", result.frames.get("sectors"))
    if result.kind in ("costs", "indices") and frame is not None and "need_year" in frame.columns:
        need_years = frame["need_year"].drop_nulls().unique().sort().to_list()
        if need_years:
            title += words["need_years"].format(years=", ".join(map(str, need_years)))
    banner = result.banner(lang)
    return f"{title} — {banner.upper()}" if banner else title


def _notes(result: api.Result, lang: str) -> list[str]:
    """Assumptions and the source, one line each (the sample banner is shown on its own)."""
    lines = []
    texts = [t for t in result.note_texts(lang) if t != api.SAMPLE_BANNER[lang]]
    if texts:
        lines.append(_NOTES_WORDS[lang]["assumptions"].format(notes="; ".join(texts)))
    lines.append(_NOTES_WORDS[lang]["source"])
    return lines


def _caption(result: api.Result, lang: str) -> str:
    banner = result.banner(lang)
    return "\n".join([*([f"⚠ {banner}"] if banner else []), *_notes(result, lang)])


def write_result(
    result: api.Result,
    sections: tuple[list[Section], list[str]],
    export: pl.DataFrame,
    fmt: OutputFormat,
    output: Path | None,
    lang: str,
) -> None:
    """Write a result: tables for a person, or the export frame (Excel: one sheet per sector)."""
    if fmt is OutputFormat.TABLE:
        tables, legend = sections
        banner = result.banner(lang)
        title = _title(result, lang)
        if banner:
            title = title.removesuffix(f" — {banner.upper()}")
        print_sections(
            tables,
            title=title,
            banner=banner,
            footer=[*legend, *_notes(result, lang)],
            output=output,
        )
        return
    if fmt is OutputFormat.XLSX:
        if output is None:
            raise binary_needs_file("xlsx")
        write_excel_by_sector(result, export, output, lang)
        return
    write_frame(
        export, fmt, output, title=_title(result, lang), lang=lang, caption=_caption(result, lang)
    )


def show(result: api.Result, fmt: OutputFormat, output: Path | None) -> None:
    """Write an analysis result in the user's language: its tables, or its export frame."""
    lang = state.settings.text_lang
    sections, export = _VIEWS[result.kind]
    write_result(result, sections(result, lang), export(result, lang), fmt, output, lang)


def write_excel_by_sector(
    result: api.Result, export: pl.DataFrame, output: Path, lang: str
) -> None:
    """An Excel file with an "about" sheet (banner, notes, sources) and one sheet per sector,
    named by the sector's name ("Pleie og omsorg"), written by :mod:`kostra.exports`."""
    from kostra.exports import write_workbook

    sector_col = _H[lang]["sector"]
    about = [
        _title(result, lang),
        *(_caption(result, lang).split("\n")),
        _NOTES_WORDS[lang]["borders"].format(borders=result.borders),
        _NOTES_WORDS[lang]["data_source"].format(source=result.source),
    ]
    sheets = [
        (sector_label(str(sector), lang), part.drop(sector_col))
        for (sector,), part in export.group_by(sector_col, maintain_order=True)
    ]
    _atomic_write(
        output,
        lambda path: write_workbook(
            str(path), sheets, about=about, about_name=_NOTES_WORDS[lang]["about"]
        ),
    )


_VIEWS = {
    "profile": (profile_sections, profile_export),
    "costs": (costs_sections, costs_export),
    "indices": (indices_sections, indices_export),
}
