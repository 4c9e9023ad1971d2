"""What ``kostra report`` loads (issue 12.3): an HTML report read from a current computed year
imports neither the PDF's libraries (WeasyPrint) nor what only computing a year needs (numpy
for the barometer's arrays, PyArrow for the web's row groups, DuckDB without a warehouse) nor
the progress bar of a batch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kostra.results import year_inputs

#: Modules an HTML report from the stored year must not import.
NOT_FOR_HTML = (
    "weasyprint",
    "numpy",
    "pyarrow",
    "duckdb",
    "kostra.analysis.barometer",
    "kostra.analysis._barometer.kernel",
    "rich.progress",
)


@pytest.fixture(scope="module")
def stored_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse path (no file: the sample) whose year 2024 is in the computed-year store."""
    db = tmp_path_factory.mktemp("store") / "kostra.duckdb"
    year_inputs.year_inputs(db, 2024)
    assert year_inputs.stored(db, 2024)
    return db


def _report_in_a_fresh_process(db: Path, tmp_path: Path, *args: str) -> list[str]:
    """Run ``kostra report Bærum --year 2024 ARGS`` in a fresh interpreter (computing the year
    fails it); the modules it loaded."""
    script = textwrap.dedent(
        f"""
        import sys
        from kostra.results import year_inputs

        def computing(*args, **kwargs):
            raise AssertionError("the year was computed, not read from the store")

        year_inputs.prepare = computing
        from kostra.cli import main
        main(["report", "Bærum", "--year", "2024", *{list(args)!r}])
        import gc
        print("FROZEN", gc.get_freeze_count())
        print("LOADED", " ".join(sorted(sys.modules)))
        """
    )
    env = {**os.environ, "KOSTRA_DB": str(db), "KOSTRA_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # the year's inputs, read once, are kept out of the collector's full passes
    assert int(next(x for x in lines if x.startswith("FROZEN ")).split()[1]) > 0
    return next(x for x in lines if x.startswith("LOADED ")).split()[1:]


def test_an_html_report_from_the_stored_year_imports_no_pdf_or_computing_library(
    stored_year: Path, tmp_path: Path
) -> None:
    loaded = _report_in_a_fresh_process(stored_year, tmp_path, "-o", "baerum.html")
    assert (tmp_path / "baerum.html").stat().st_size > 0
    assert "kostra.report.render" in loaded  # the check sees the report's own modules
    assert [m for m in NOT_FOR_HTML if m in loaded] == []
