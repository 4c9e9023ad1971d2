"""``kostra barometer`` and ``barometer explain`` on made-up values for real municipalities."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from kostra.analysis.barometer import barometer_items, income_indicator_id
from kostra.catalog import load_catalog
from kostra.cli import app
from kostra.cli import barometer as cli

BANNER_NB = "Eksempeldata (syntetiske tall) – ikke SSB-statistikk"


@pytest.fixture(scope="module")
def made_up_inputs() -> cli.BarometerInputs:
    """Values for every 2024 municipality, 2023–2024, for the catalog's barometer indicators."""
    from kostra.geography import municipalities, population

    catalog = load_catalog()
    ids = [i.indicator_id for i in barometer_items(catalog)]
    income_id = income_indicator_id(catalog)
    assert income_id is not None
    ids.append(income_id)
    codes = municipalities(2024).get_column("code").to_list()
    rng = np.random.default_rng(2024)
    effect = rng.normal(0, 1, (len(codes), len(ids)))
    frames = []
    for year in (2023, 2024):
        values = 100 + 10 * effect + 3 * rng.normal(0, 1, effect.shape)
        values[rng.random(values.shape) < 0.03] = np.nan
        frames.append(
            pl.DataFrame(
                {
                    "indicator_id": ids * len(codes),
                    "region": [c for c in codes for _ in ids],
                    "year": [year] * values.size,
                    "value": values.ravel(),
                },
                schema_overrides={"year": pl.Int32},
                nan_to_null=True,
            )
        )
    people = population([2023, 2024], borders=2024)
    return cli.BarometerInputs(pl.concat(frames), people, catalog, True, "sample", 2024)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, made_up_inputs: cli.BarometerInputs) -> CliRunner:
    def fake_load(years: list[int], **_: object) -> cli.BarometerInputs:
        values = made_up_inputs.values.filter(pl.col("year").is_in(years))
        return cli.BarometerInputs(
            values,
            made_up_inputs.population,
            made_up_inputs.catalog,
            made_up_inputs.synthetic,
            made_up_inputs.source,
            made_up_inputs.borders,
        )

    monkeypatch.setattr(cli, "load_inputs", fake_load)
    monkeypatch.setenv("COLUMNS", "250")  # wide enough for every column of the tables
    return CliRunner()


def test_total_ranking_is_income_adjusted_and_says_it_is_sample_data(runner: CliRunner) -> None:
    out = runner.invoke(app, ["barometer", "--year", "2024", "--top", "5", "--format", "csv"])
    assert out.exit_code == 0, out.output
    frame = pl.read_csv(out.stdout.encode())
    assert frame.height == 5
    assert frame["plass inntektsjustert"].to_list() == sorted(frame["plass inntektsjustert"])
    assert frame["plass inntektsjustert"][0] == 1
    assert set(frame["datagrunnlag"]) == {BANNER_NB}
    moved = frame.filter(pl.col("plass i fjor").is_not_null())
    assert moved.height > 0
    # The change follows the order of the table: the income-adjusted rank.
    assert (moved["plass i fjor"] - moved["plass inntektsjustert"] == moved["endring"]).all()
    assert {
        "kommune",
        "kode",
        "poeng",
        "plass i fjor",
        "endring",
        "brudd i serien",
        "usikker",
    } <= set(frame.columns)


def test_sector_table_in_english_with_sample_banner(runner: CliRunner) -> None:
    out = runner.invoke(
        app, ["--lang", "en", "barometer", "--year", "2024", "--sector", "Pleie og omsorg"]
    )
    assert out.exit_code == 0, out.output
    assert "SAMPLE DATA" in out.stdout
    assert "care services" in out.stdout
    assert "rank" in out.stdout


def test_peers_and_intervals(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "asss.json"
    out = runner.invoke(
        app,
        [
            "barometer",
            "--year",
            "2024",
            "--sector",
            "barnehage",
            "--peers",
            "asss",
            "--resamples",
            "40",
            "--format",
            "json",
            "-o",
            str(target),
        ],
    )
    assert out.exit_code == 0, out.output
    frame = pl.read_json(target)
    assert frame.height == 12  # ASSS from 2022: ten cities plus Asker and Lillestrøm
    assert "Bærum" in frame["kommune"].to_list()
    ranked = frame.filter(pl.col("plass").is_not_null())
    assert sorted(ranked["plass blant sammenlignbare"].to_list())[0] == 1
    assert ranked["plass (5–95 %)"].str.contains(r"^\d+ \(\d+–\d+\)$").all()
    assert set(frame["datagrunnlag"]) == {BANNER_NB}


def test_explain_gives_contributions_interval_and_sentences(runner: CliRunner) -> None:
    out = runner.invoke(
        app,
        [
            *("barometer", "explain", "Bærum", "--sector", "barnehage"),
            *("--year", "2024", "--resamples", "60"),
        ],
    )
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert BANNER_NB in text
    assert "Bærum – barnehage 2024: plass " in text
    assert re.search(r"plass \d+ av \d+ \(\d+–\d+\)", text)  # place and rank interval
    assert "trekker" in text
    assert "bidrag" in text


def test_explain_export_has_one_row_per_indicator(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "explain.csv"
    out = runner.invoke(
        app,
        [
            *("--lang", "en", "barometer", "explain", "3201", "--year", "2024"),
            *("--sector", "grunnskole", "--resamples", "30", "--format", "csv", "-o", str(target)),
        ],
    )
    assert out.exit_code == 0, out.output
    frame = pl.read_csv(target)
    catalog = load_catalog()
    n_school = sum(1 for i in barometer_items(catalog) if i.sector.value == "grunnskole")
    assert 0 < frame.height <= n_school
    assert frame["contribution"].sum() == pytest.approx(
        (frame["weight"] * frame["score"]).sum(), rel=1e-6
    )
    assert frame["weight"].sum() == pytest.approx(1.0)
    assert set(frame["municipality"]) == {"Bærum"}
    assert set(frame["data"]) == {"Sample data (synthetic figures) – not SSB statistics"}


def test_unknown_sector_is_a_user_error(runner: CliRunner) -> None:
    from kostra.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["barometer", "--sector", "fotball"])
    assert stop.value.code == 2


def test_parse_sector_accepts_names_in_both_languages() -> None:
    assert cli.parse_sector("Miljø og ressurser") == "miljo_og_ressurser"
    assert cli.parse_sector("vann/avløp/renovasjon") == "vann_avlop_renovasjon"
    assert cli.parse_sector("Kindergarten") == "barnehage"
    assert cli.parse_sector(None) == "total"


def test_small_municipalities_are_flagged_without_resamples(runner: CliRunner) -> None:
    out = runner.invoke(app, ["barometer", "--year", "2024", "--format", "csv"])
    assert out.exit_code == 0, out.output
    frame = pl.read_csv(out.stdout.encode(), schema_overrides={"kode": pl.Utf8})
    flags = dict(zip(frame["kode"], frame["usikker"].fill_null(""), strict=True))
    assert flags["1151"] == "ja"  # Utsira, about 200 inhabitants
    assert flags["0301"] == ""  # Oslo
    assert frame.height == 357


def test_excel_export_and_peer_kind_without_municipality(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "barometer.xlsx"
    out = runner.invoke(
        app, ["barometer", "--year", "2024", "--format", "xlsx", "-o", str(target), "--top", "3"]
    )
    assert out.exit_code == 0, out.output
    sheet = pl.read_excel(target)
    assert sheet.height == 3
    assert set(sheet["datagrunnlag"]) == {BANNER_NB}
    from kostra.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["barometer", "--year", "2024", "--peers", "county"])
    assert stop.value.code == 2


def test_explain_without_figures_is_a_user_error(
    made_up_inputs: cli.BarometerInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra.cli import main

    grunnskole = [
        i.indicator_id
        for i in barometer_items(made_up_inputs.catalog)
        if i.sector.value == "grunnskole"
    ]
    values = made_up_inputs.values.filter(
        ~((pl.col("region") == "1151") & pl.col("indicator_id").is_in(grunnskole))
    )
    inputs = cli.BarometerInputs(
        values, made_up_inputs.population, made_up_inputs.catalog, True, "sample", 2024
    )
    monkeypatch.setattr(cli, "load_inputs", lambda years, **_: inputs)
    with pytest.raises(SystemExit) as stop:
        main(["barometer", "explain", "Utsira", "--sector", "grunnskole", "--year", "2024"])
    assert stop.value.code == 2


def _widest(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


@pytest.mark.parametrize("columns", ["80", "120"])
def test_terminal_tables_fit_the_width(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    commands = [
        ["barometer", "--year", "2024", "--top", "10"],
        ["barometer", "--year", "2024", "--sector", "barnehage", "--peers", "asss"],
        [*("barometer", "--year", "2024", "--sector", "barnehage"), "--resamples", "20"],
        ["barometer", "explain", "Bærum", "--sector", "barnehage", "--year", "2024"],
        ["--lang", "en", "barometer", "explain", "Bærum", "--year", "2024", "--resamples", "0"],
    ]
    for argv in commands:
        out = runner.invoke(app, argv)
        assert out.exit_code == 0, out.output
        assert _widest(out.stdout) <= int(columns), argv
        assert "…" not in out.stdout, argv  # headers and names wrap, nothing is cut
        lines = out.stdout.splitlines()
        assert lines[0].startswith("⚠ ")  # the sample banner first and last
        assert lines[-1].startswith("⚠ ")


def test_ranking_table_in_norwegian_number_format(runner: CliRunner) -> None:
    out = runner.invoke(app, ["barometer", "--year", "2024", "--top", "3"])
    assert out.exit_code == 0, out.output
    assert re.search(r"\d,\d\d ", out.stdout)  # scores with a decimal comma
    assert re.search(r"\d+ %", out.stdout)  # data coverage in per cent
    assert "sortert etter plass justert for frie inntekter" in " ".join(out.stdout.split())


def test_need_year_fallback_is_stated_in_both_languages(runner: CliRunner, tmp_path: Path) -> None:
    """Need indices exist for 2025 and 2026 only: 2023's kostnadsnivå uses 2025's, and says so."""
    out = runner.invoke(app, ["barometer", "--year", "2024", "--top", "3"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "Kostnadsnivå 2024: behovsindeks for 2025." in text
    # the rank change compares with 2023, whose need year (2024) is not available
    assert "Kostnadsnivå 2023: behovsindeks for 2025 brukt; 2024 finnes ikke" in text
    out = runner.invoke(
        app,
        ["--lang", "en", "barometer", "explain", "Bærum", "--year", "2023", "--resamples", "0"],
    )
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert "Cost level 2023: need index of 2025 used; 2024 is not available" in text
    target = tmp_path / "total.csv"
    out = runner.invoke(
        app, ["barometer", "--year", "2023", "--top", "3", "-f", "csv", "-o", str(target)]
    )
    assert out.exit_code == 0, out.output
    frame = pl.read_csv(target)
    assert frame["behovsår kostnadsnivå"].to_list() == [2025] * 3
    assert set(frame["behovsår erstattet (nærmeste)"]) == {"ja"}
    assert "behovsindeks for 2025 brukt" in out.stderr  # -o: said on the terminal as well
    target = tmp_path / "school.csv"
    out = runner.invoke(
        app,
        [
            *("barometer", "--year", "2023", "--sector", "grunnskole", "-f", "csv", "-o"),
            str(target),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "behovsår kostnadsnivå" not in pl.read_csv(target).columns  # no need index used


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["barometer", "--year", "1990"], "Kommunebarometer-metoden har ingen tall for 1990"),
        (
            ["--lang", "en", "barometer", "--year", "2014"],
            "The Kommunebarometer method has no figures for 2014",
        ),
        (["barometer", "explain", "Bærum", "--year", "2099"], "ingen tall for 2099"),
        (["--lang", "en", "barometer", "--sector", "fotball"], "Unknown barometer sector"),
        (["barometer", "--sector", "fotball"], "Ukjent barometersektor"),
        (["barometer", "explain", "Bærumm", "--year", "2024", "--resamples", "0"], "Bærum (3201"),
        (["barometer", "--top", "0"], "--top"),
    ],
)
def test_user_errors_are_messages_with_a_hint(
    runner: CliRunner, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from kostra.cli import main

    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert message in err
    assert "Traceback" not in err


def test_unwritable_output_is_a_user_error(
    runner: CliRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kostra.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for fmt in ("table", "csv", "xlsx"):
        with pytest.raises(SystemExit) as stop:
            main(["barometer", "--year", "2024", "-f", fmt, "-o", str(blocker / f"b.{fmt}")])
        assert stop.value.code == 2
        assert "Kan ikke skrive" in capsys.readouterr().err
