"""PX (PC-Axis) files: keywords, VALUES/CODES, KEYS rows and data symbols."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from kostra.errors import InputFileError
from kostra.frames import STATUS_SYMBOLS
from kostra.i18n.said import Said, same, say, say_plural
from kostra.sources.files._common import (
    _REGION_NAMES,
    _TABLE_ID,
    _decode,
    _Parsed,
)

# --------------------------------------------------------------------------- PX


@dataclass(frozen=True)
class PxFile:
    """A parsed PX file: keywords of the default language and the cells as a long frame.

    ``frame`` has one Utf8 column of codes per variable (named by ``VARIABLECODE`` or the
    variable name), ``value`` (Float64) and ``status`` (Utf8 symbol or null).
    """

    keywords: dict[str, list[str]]
    variables: list[str]
    variable_ids: dict[str, str]
    frame: pl.DataFrame
    encoding: str

    def keyword(self, name: str, sub: str | None = None) -> str | None:
        """The first value of ``NAME`` or ``NAME("sub")``, if present."""
        values = self.keywords.get(name if sub is None else f'{name}("{sub}")')
        return values[0] if values else None


_PX_TOKEN = re.compile(r'"[^"]*"|;|[^";]+', re.S)
_PX_KEY = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9_-]+)(?:\[(?P<lang>[^\]]+)\])?(?:\((?P<sub>.*?)\))?\s*=\s*(?P<value>.*)$",
    re.S,
)


def _px_values(text: str) -> list[str]:
    """Values of one keyword: quoted strings (concatenated when continued on the next line,
    separated when comma-separated) or bare words such as ``YES``, ``0``, ``TLIST(A1)``."""
    values: list[str] = []
    pending: str | None = None
    expect_new = True
    for match in re.finditer(r'"([^"]*)"|(,)|([^",\s][^",]*)', text):
        quoted, comma, bare = match.groups()
        if comma is not None:
            if pending is not None:
                values.append(pending)
            pending = None
            expect_new = True
        elif quoted is not None:
            pending = quoted if (pending is None or expect_new) else pending + quoted
            expect_new = False
        elif bare is not None and bare.strip():
            if pending is not None:
                values.append(pending)
            pending = bare.strip()
            expect_new = False
    if pending is not None:
        values.append(pending)
    return values


def parse_px(raw: bytes, *, name: str = "PX file") -> PxFile:
    """Parse a PX (PC-Axis) file's keywords and data into a :class:`PxFile`.

    Only keywords of the default language (without ``[lang]``) are used. Data symbols (quoted
    dots and ``-``) become a null value with the symbol as status; PX's ``DATASYMBOLn`` tells
    which of SSB's symbols a run of n dots stands for when it names one.
    """
    probe = raw[:4096].decode("latin-1")
    declared = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', probe)
    text, encoding = _decode(raw, declared.group(1) if declared else None)
    split = re.search(r"(?m)^\s*DATA\s*=", text)
    if split is None:
        raise InputFileError(say("error.files.px_no_data", name=name))
    header, data_text = text[: split.start()], text[split.end() :]
    keywords: dict[str, list[str]] = {}
    statement: list[str] = []
    for token in _PX_TOKEN.findall(header):
        if token == ";":
            _px_statement("".join(statement), keywords, name)
            statement = []
        else:
            statement.append(token)
    if "".join(statement).strip():
        raise InputFileError(
            say("error.files.px_unended", name=name, text=repr("".join(statement)[:60]))
        )
    stub = keywords.get("STUB", [])
    heading = keywords.get("HEADING", [])
    variables = [*stub, *heading]
    if not variables:
        raise InputFileError(say("error.files.px_no_variables", name=name))
    codes: dict[str, list[str]] = {}
    variable_ids: dict[str, str] = {}
    for variable in variables:
        values = keywords.get(f'VALUES("{variable}")')
        if not values:
            raise InputFileError(
                say("error.files.px_no_values", name=name, variable=repr(variable))
            )
        var_codes = keywords.get(f'CODES("{variable}")', values)
        if len(var_codes) != len(values):
            raise InputFileError(
                say(
                    "error.files.px_values_codes",
                    name=name,
                    variable=repr(variable),
                    values=len(values),
                    codes=len(var_codes),
                )
            )
        codes[variable] = var_codes
        ident = keywords.get(f'VARIABLECODE("{variable}")', [variable])[0]
        variable_ids[variable] = ident
    if len(set(variable_ids.values())) != len(variables):
        raise InputFileError(say("error.files.px_same_id", name=name, ids=str(variable_ids)))
    symbols = _px_symbols(keywords)
    tokens = re.findall(r'"[^"]*"|[^\s",;]+', data_text.split(";", 1)[0])
    cells = [t.strip('"') for t in tokens]
    keys_vars = [v for v in stub if f'KEYS("{v}")' in keywords]
    if keys_vars:
        frame = _px_keys_frame(cells, stub, heading, codes, keywords, symbols, name)
    else:
        sizes = [len(codes[v]) for v in variables]
        n_cells = math.prod(sizes)
        if len(cells) != n_cells:
            raise InputFileError(
                say("error.files.px_cells", name=name, cells=len(cells), expected=n_cells),
                hint=say("error.files.px_cells.hint"),
            )
        columns = _code_grid(variables, sizes, codes)
        value, status = _px_cells(pl.Series(cells, dtype=pl.Utf8), symbols, name)
        frame = pl.DataFrame([*columns, value, status])
    frame = frame.rename({v: variable_ids[v] for v in variables})
    return PxFile(
        keywords=keywords,
        variables=variables,
        variable_ids=variable_ids,
        frame=frame,
        encoding=encoding,
    )


def _px_statement(statement: str, keywords: dict[str, list[str]], name: str) -> None:
    if not statement.strip():
        return
    match = _PX_KEY.match(statement)
    if match is None:
        raise InputFileError(
            say("error.files.px_line", name=name, line=repr(statement.strip()[:60]))
        )
    if match.group("lang"):
        return  # another language's text; the default language is enough
    key = match.group("name").upper()
    sub = match.group("sub")
    if sub is not None:
        subs = _px_values(sub)
        key = f"{key}({','.join(chr(34) + s + chr(34) for s in subs)})"
    keywords[key] = _px_values(match.group("value"))


def _px_symbols(keywords: dict[str, list[str]]) -> dict[str, str]:
    """Data tokens that mean "no number", mapped to the status symbol stored."""
    symbols: dict[str, str] = {}
    for n in range(1, 7):
        token = "." * n
        shown = (keywords.get(f"DATASYMBOL{n}") or [token])[0]
        if shown in STATUS_SYMBOLS:
            symbols[token] = shown
        elif token in STATUS_SYMBOLS:
            symbols[token] = token
        else:
            symbols[token] = ".."  # a symbol SSB does not use: "not available"
    nil = (keywords.get("DATASYMBOLNIL") or ["-"])[0]
    symbols["-"] = "-"
    symbols[nil] = "-" if nil not in STATUS_SYMBOLS else nil
    for symbol in STATUS_SYMBOLS:  # SSB also writes ":" (confidential) straight into DATA
        symbols.setdefault(symbol, symbol)
    return symbols


def _px_cells(cells: pl.Series, symbols: dict[str, str], name: str) -> tuple[pl.Series, pl.Series]:
    is_symbol = cells.is_in(list(symbols))
    numbers = cells.cast(pl.Float64, strict=False)
    bad = cells.filter(~is_symbol & numbers.is_null())
    if bad.len():
        raise InputFileError(
            say_plural(
                "error.files.px_bad_cells",
                bad.len(),
                same(str(bad.len())),
                name=name,
                example=repr(bad[0]),
            )
        )
    value = numbers.set(is_symbol, None).alias("value")
    status = cells.replace_strict(symbols, default=None, return_dtype=pl.Utf8).alias("status")
    return value, status


def _code_grid(
    variables: Sequence[str], sizes: Sequence[int], codes: dict[str, list[str]]
) -> list[pl.Series]:
    """One code column per variable for a full row-major cube (last variable fastest)."""
    n_cells = math.prod(sizes)
    columns = []
    for k, variable in enumerate(variables):
        inner = math.prod(sizes[k + 1 :])
        outer = math.prod(sizes[:k])
        positions = np.tile(np.repeat(np.arange(sizes[k], dtype=np.int64), inner), outer)
        series = pl.Series(variable, codes[variable], dtype=pl.Utf8)
        columns.append(series.gather(positions) if n_cells else series.clear())
    return columns


def _px_keys_frame(
    cells: list[str],
    stub: list[str],
    heading: list[str],
    codes: dict[str, list[str]],
    keywords: dict[str, list[str]],
    symbols: dict[str, str],
    name: str,
) -> pl.DataFrame:
    """DATA in KEYS form: each line starts with the stub's keys, then one row of the heading.

    Rows left out of a KEYS file are not invented (PX allows leaving out all-zero rows; we store
    only what the file holds, rather than turning absence into zeros).
    """
    heading_sizes = [len(codes[v]) for v in heading]
    per_row = math.prod(heading_sizes)
    width = len(stub) + per_row
    if len(cells) % width:
        raise InputFileError(say("error.files.px_keys_width", name=name, width=width))
    n_rows = len(cells) // width
    grid = np.array(cells, dtype=object).reshape(n_rows, width)
    key_columns = []
    for j, variable in enumerate(stub):
        keys = pl.Series(variable, grid[:, j].tolist(), dtype=pl.Utf8)
        if (keywords.get(f'KEYS("{variable}")') or ["CODES"])[0].upper() == "VALUES":
            mapping = dict(zip(keywords[f'VALUES("{variable}")'], codes[variable], strict=True))
            unknown = keys.filter(~keys.is_in(list(mapping))).unique()
            if unknown.len():
                raise InputFileError(
                    say(
                        "error.files.px_unknown_value",
                        name=name,
                        variable=variable,
                        value=repr(unknown[0]),
                    )
                )
            keys = keys.replace_strict(mapping, return_dtype=pl.Utf8)
        elif not keys.is_in(codes[variable]).all():
            unknown = keys.filter(~keys.is_in(codes[variable])).unique()
            raise InputFileError(
                say(
                    "error.files.px_unknown_code",
                    name=name,
                    variable=variable,
                    code=repr(unknown[0]),
                )
            )
        key_columns.append(keys.gather(np.repeat(np.arange(n_rows), per_row)))
    heading_columns = [
        series.gather(np.tile(np.arange(per_row), n_rows))
        for series in _code_grid(heading, heading_sizes, codes)
    ]
    raw = pl.Series(grid[:, len(stub) :].reshape(-1).tolist(), dtype=pl.Utf8)
    value, status = _px_cells(raw, symbols, name)
    return pl.DataFrame([*key_columns, *heading_columns, value, status])


def _px_to_parsed(px: PxFile) -> _Parsed:
    ids = list(px.variable_ids.values())
    lowered = {i.casefold(): i for i in ids}
    contvariable = px.keyword("CONTVARIABLE")
    contents = px.variable_ids.get(contvariable) if contvariable else lowered.get("contentscode")
    time_var = next(
        (px.variable_ids[v] for v in px.variables if f'TIMEVAL("{v}")' in px.keywords), None
    ) or next((lowered[n] for n in ("tid", "time", "år", "year") if n in lowered), None)
    region = next((lowered[n] for n in _REGION_NAMES if n in lowered), None)
    missing = [
        label
        for label, found in (
            (say("error.files.px_region"), region),
            (say("error.files.px_time"), time_var),
        )
        if found is None
    ]
    if missing:
        joiner = say("error.files.px_missing_join")
        absent = Said.each(lambda lang: joiner[lang].join(label[lang] for label in missing))
        raise InputFileError(
            say("error.files.px_missing", missing=absent, ids=", ".join(ids)),
            hint=say("error.files.px_missing.hint"),
        )
    assert region is not None
    assert time_var is not None
    frame = px.frame
    if contents is None:
        single = px.keyword("CONTENTS") or "value"
        frame = frame.with_columns(pl.lit(single).alias("_contents"))
        contents = "_contents"
    years = frame.get_column(time_var)
    if not years.str.contains(r"^\d{4}$").all():
        bad = years.filter(~years.str.contains(r"^\d{4}$"))[0]
        raise InputFileError(
            say("error.files.px_not_annual", value=repr(bad)),
            hint=say("error.files.px_not_annual.hint"),
        )
    others = [i for i in ids if i not in (contents, time_var, region)]
    out = frame.select(
        pl.col(region).str.strip_prefix("K-").alias("region"),
        pl.col(time_var).cast(pl.Int32).alias("year"),
        pl.col(contents).alias("contents"),
        pl.col("value"),
        pl.col("status"),
        *[pl.col(o).alias(f"_dim_{o}") for o in others],
    )
    matrix = px.keyword("MATRIX") or px.keyword("TABLEID")
    stamp = next((v[0] for k, v in px.keywords.items() if k.startswith("LAST-UPDATED") and v), None)
    # PX writes "20240221 08:00"; the warehouse wants ISO 8601
    found = re.match(r"^(\d{4})(\d{2})(\d{2})\s+(\d{2}):(\d{2})", stamp or "")
    updated = f"{found[1]}-{found[2]}-{found[3]}T{found[4]}:{found[5]}:00" if found else None
    return _Parsed(
        frame=out,
        dim_ids=others,
        table_id=matrix if matrix and _TABLE_ID.match(matrix) else None,
        title=px.keyword("TITLE") or px.keyword("CONTENTS"),
        updated=updated,
        encoding=px.encoding,
        contents_are_labels=contents == "_contents",
        notes=[]
        if not matrix or _TABLE_ID.match(matrix)
        else [f"MATRIX {matrix!r} is not an SSB id"],
    )
