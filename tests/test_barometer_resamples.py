"""One rank interval: `kostra barometer explain`, the report and the web draw the same number of
resamples by default (``results.barometer.DEFAULT_RESAMPLES``), so the interval a user reads
beside a rank is the same on every surface."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import typer.main

from kostra.cli import app, main
from kostra.report.pipeline import ReportSettings
from kostra.results.barometer import DEFAULT_RESAMPLES
from kostra.web.data import WebData


def _option_default(*path: str) -> object:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    (option,) = [p for p in command.params if p.name == "resamples"]
    return option.default


def test_explain_report_and_web_share_the_default_number_of_resamples() -> None:
    assert _option_default("barometer", "explain") == DEFAULT_RESAMPLES
    assert ReportSettings().resamples == DEFAULT_RESAMPLES
    web_default = inspect.signature(WebData).parameters["resamples"].default
    assert web_default == DEFAULT_RESAMPLES


def test_no_resamples_gives_ranks_without_interval(tmp_path: Path) -> None:
    # --resamples 0 is allowed (check_resamples): ranks stand, the interval is empty, no crash
    view = WebData(tmp_path / "none.duckdb", resamples=0).year_view(2024)
    table = view.municipalities
    assert table["rank"].drop_nulls().len() > 300
    assert table["rank_low"].null_count() == table.height


def test_too_many_resamples_read_nynorsk(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        main(["--lang", "nn", "barometer", "--resamples", "5001"])
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert "5001 trekningar er utanfor 0–5000." in err
    assert "Gi --resamples frå 0 (utan intervall) til 5000; 1000 held godt." in err
