"""``kostra barometer`` on the shipped synthetic sample: end to end, offline."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kostra.cli import app


@pytest.fixture
def no_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """No warehouse file: every table comes from the sample. Wide terminal for whole tables."""
    monkeypatch.setenv("KOSTRA_DB", str(tmp_path / "absent.duckdb"))
    monkeypatch.setenv("COLUMNS", "250")
    return CliRunner()


def test_explain_on_the_sample_gives_contributions_and_rank_interval(
    no_warehouse: CliRunner,
) -> None:
    out = no_warehouse.invoke(
        app,
        [
            *("barometer", "explain", "Bærum", "--sector", "barnehage"),
            *("--year", "2024", "--resamples", "200"),
        ],
    )
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "Eksempeldata (syntetiske tall) – ikke SSB-statistikk" in text
    place = re.search(r"Bærum – barnehage 2024: plass (\d+) av (\d+) \((\d+)–(\d+)\)", text)
    assert place is not None, text
    rank, n_ranked, low, high = (int(g) for g in place.groups())
    assert low <= rank <= high <= n_ranked <= 357
    assert "bidrag" in text
    assert "Andel barnehagelærere i grunnbemanningen" in text
    assert re.search(r"(trekker ned|trekker opp)", text)


def test_ranking_on_the_sample_is_complete_and_labelled(no_warehouse: CliRunner) -> None:
    out = no_warehouse.invoke(app, ["barometer", "--year", "2024", "--format", "csv"])
    assert out.exit_code == 0, out.output
    frame = pl.read_csv(out.stdout.encode(), schema_overrides={"kode": pl.Utf8})
    assert frame.height == 357  # every municipality on 2024 borders, ranked or not
    ranked = frame.filter(pl.col("plass").is_not_null())
    assert ranked.height > 300
    assert sorted(ranked["plass"].to_list())[:1] == [1]
    assert set(frame["datagrunnlag"]) == {"Eksempeldata (syntetiske tall) – ikke SSB-statistikk"}
    assert frame["plass inntektsjustert"].null_count() < frame.height  # income in the sample
