"""Property test: any observation frame written as a statbank CSV, in any dialect, reads back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from kostra.sources.files import read_file

REGIONS = {"0301": "Oslo", "0219": "Bærum", "3024": "Bærum", "1508": "Ålesund", "5001": "Trondheim"}


@st.composite
def population_files(draw: st.DrawFn) -> tuple[pl.DataFrame, dict[str, object]]:
    regions = draw(st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=5, unique=True))
    ages = draw(st.lists(st.integers(0, 105), min_size=1, max_size=4, unique=True))
    years = sorted(draw(st.lists(st.integers(2005, 2025), min_size=1, max_size=3, unique=True)))
    n = len(regions) * len(ages) * len(years)
    cells = draw(
        st.lists(
            st.one_of(
                st.integers(0, 900_000).map(float),
                st.sampled_from(["..", ":", "-", "."]),
            ),
            min_size=n,
            max_size=n,
        )
    )
    rows = [(r, a, y) for r in regions for a in ages for y in years]
    frame = pl.DataFrame(
        {
            "table_id": "07459",
            "contents_code": "Personer1",
            "region": [r for r, _, _ in rows],
            "year": [y for _, _, y in rows],
            "dims": [f"Alder={a:03d}" + ("+" if a == 105 else "") for _, a, _ in rows],
            "value": [c if isinstance(c, float) else None for c in cells],
            "status": [None if isinstance(c, float) else c for c in cells],
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    )
    dialect = {
        "sep": draw(st.sampled_from([";", "\t", ","])),
        "encoding": draw(st.sampled_from(["iso-8859-1", "utf-8", "utf-8-sig"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "quote": draw(st.booleans()),
        "k_prefix": draw(st.booleans()),
        "english": draw(st.booleans()),
        "title": draw(st.booleans()),
        "year_first": draw(st.booleans()),
    }
    return frame, dialect


def _age_label(code: str, english: bool) -> str:
    age = int(code.removeprefix("Alder=").rstrip("+"))
    if english:
        unit = "year" if age == 1 else "years"
        return f"{age} {unit}" + (" or older" if code.endswith("+") else "")
    return f"{age} år" + (" eller eldre" if code.endswith("+") else "")


def _write(frame: pl.DataFrame, dialect: dict[str, object], path: Path) -> None:
    sep, newline, quote = str(dialect["sep"]), str(dialect["newline"]), bool(dialect["quote"])
    english = bool(dialect["english"])

    def q(text: str) -> str:
        return f'"{text}"' if quote else text

    years = sorted(frame["year"].unique().to_list())
    word = "Persons" if english else "Personer"
    heads = [f"{y} {word}" if dialect["year_first"] else f"{word} {y}" for y in years]
    lines = []
    if dialect["title"]:
        lines += [q("07459: Population, by region, age, contents and year"), ""]
    lines.append(sep.join(q(h) for h in ["region", "age" if english else "alder", *heads]))
    for (region, dims), group in frame.group_by(["region", "dims"], maintain_order=True):
        prefix = "K-" if dialect["k_prefix"] else ""
        cells = []
        for year in years:
            row = group.filter(pl.col("year") == year).row(0, named=True)
            if row["value"] is None:
                cells.append(q(row["status"]))
            else:
                cells.append(str(int(row["value"])))
        label = f"{prefix}{region} {REGIONS[str(region)]}"
        lines.append(sep.join([q(label), q(_age_label(str(dims), english)), *cells]))
    text = newline.join(lines) + newline
    path.write_bytes(text.encode(str(dialect["encoding"])))


@settings(max_examples=60, deadline=None)
@given(population_files())
def test_any_dialect_reads_back(case: tuple[pl.DataFrame, dict[str, object]]) -> None:
    frame, dialect = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        _write(frame, dialect, path)
        got, meta = read_file(path)
    assert meta.table_id == "07459"
    assert meta.table_source == ("file" if dialect["title"] else "heuristic")
    key = ["region", "year", "dims"]
    assert got.sort(key).equals(frame.sort(key)), dialect
