"""``kostra.api`` and the ``profile``/``costs``/``indices`` commands, end to end on made-up data.

The observations are generated here from the catalog (every series, the ASSS municipalities
and Asker, codes valid in each year) and handed to the API in place of the shipped sample.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kostra import api
from kostra.catalog import load_catalog
from kostra.cli import main
from kostra.errors import KostraError
from made_up_observations import made_up_observations


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch, tmp_db: Path) -> None:
    monkeypatch.setattr(api, "_sample_observations", made_up_observations)


@pytest.mark.usefixtures("sample")
def test_profile_api_reads_the_sample_and_says_so(tmp_db: Path) -> None:
    result = api.profile("Bærum", 2024, compare=["Asker"], db=tmp_db)
    assert result.municipality == "3201"
    assert result.synthetic is True
    assert result.source == "sample"
    assert result.banner("nb") == "Eksempeldata (syntetiske tall) – ikke SSB-statistikk"
    assert "3203" in result.peers  # Asker is an ASSS member from 2022
    table = result.frames["table"]
    own = table.filter(pl.col("role") == "self")
    profiled = [i.id for i in load_catalog().indicators if i.in_profile]
    assert sorted(own["indicator_id"].to_list()) == sorted(profiled)
    indexed = own.filter(pl.col("value").is_not_null() & (pl.col("comparison") == "index"))
    assert indexed["index"].null_count() == 0
    signed = own.filter(pl.col("comparison") == "difference")
    assert signed.height > 0
    assert signed["index"].null_count() == signed.height  # differences, never an index
    series = result.frames["series"]
    assert sorted(series["year"].unique().to_list()) == [2021, 2022, 2023, 2024]


@pytest.mark.usefixtures("sample")
def test_costs_and_indices_api(tmp_db: Path) -> None:
    costs = api.costs("Bærum", 2024, db=tmp_db).frames["costs"]
    own = costs.filter(pl.col("is_self"))
    assert "total" in own["sector"].to_list()
    assert own.filter(pl.col("sector") == "grunnskole")["need_year"].to_list() == [2025]
    assert own["excess_spending"].null_count() == 0
    sectors = api.indices("Bærum", 2024, db=tmp_db).frames["sectors"]
    assert sectors.filter(pl.col("is_self"))["efficiency_index"].null_count() == 0


@pytest.mark.usefixtures("sample")
def test_profile_command_table_marks_sample_data(capsys: pytest.CaptureFixture[str]) -> None:
    main(["profile", "Bærum", "--year", "2024"])
    out = capsys.readouterr().out
    assert "EKSEMPELDATA" in out
    assert "Bærum" in out


@pytest.mark.usefixtures("sample")
def test_profile_command_exports(tmp_path: Path) -> None:
    target = tmp_path / "p.csv"
    main(
        ["profile", "Bærum", "--year", "2024", "--compare", "Asker", "-f", "csv", "-o", str(target)]
    )
    frame = pl.read_csv(target)
    assert frame["syntetisk"].all()
    assert set(frame["rolle"].unique().to_list()) == {"kommunen", "sammenligning"}
    workbook = tmp_path / "p.xlsx"
    main(
        [
            "--lang",
            "en",
            "profile",
            "3201",
            "-f",
            "xlsx",
            "-o",
            str(workbook),
            "--sector",
            "grunnskole",
            "--sector",
            "barnehage",
        ]
    )
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    # one sheet per sector, named by the sector (not its id)
    # (at most 31 characters, cut where a word ends)
    assert book.sheetnames == ["About", "Kindergarten", "Primary and lower secondary"]
    assert "SAMPLE DATA" in str(book["About"]["A1"].value)
    header = [cell.value for cell in book["Primary and lower secondary"][1]]
    assert {"unit", "source", "flags", "synthetic"} <= set(header)


@pytest.mark.usefixtures("sample")
def test_costs_and_indices_commands_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--lang", "en", "costs", "Bærum", "--year", "2024"])
    out = capsys.readouterr().out
    assert "SAMPLE DATA" in out
    main(["--lang", "en", "indices", "Bærum", "--year", "2024", "-f", "json"])
    captured = capsys.readouterr()
    assert '"synthetic":true' in captured.out.replace(" ", "")


def test_unknown_municipality_is_a_user_error(tmp_db: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["profile", "Bærumm", "--year", "2024"])
    assert exit_info.value.code == 2


def test_profile_command_on_the_shipped_sample(
    tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Done-when of issue 4: offline, on the sample, and it says so."""
    pytest.importorskip("kostra.sample")
    main(["profile", "Bærum", "--year", "2024"])
    text = " ".join(capsys.readouterr().out.split())  # the terminal wraps long lines
    assert "EKSEMPELDATA (SYNTETISKE TALL) – IKKE SSB-STATISTIKK" in text
    assert "Eksempeldata (syntetiske tall) – ikke SSB-statistikk" in text
    assert "Bærum" in text
    assert not tmp_db.exists()  # reading never creates a warehouse


@pytest.mark.usefixtures("sample")
def test_all_profiles_against_counties_and_asss(tmp_db: Path) -> None:
    frame, data = api.all_profiles(2024, peers="asss", db=tmp_db)
    assert data.synthetic
    assert frame["synthetic"].all()
    assert set(frame["group"].unique().to_list()) == {"asss"}
    assert frame["region"].n_unique() == 12
    # every member ranked 1..n per indicator
    top = frame.filter(pl.col("rank") == 1).group_by("indicator_id").len()
    assert top["len"].min() >= 1
    counties = api.grouping("county", [2024])
    assert counties.filter(pl.col("region") == "3201")["group"].to_list() == ["32"]
    assert counties["region"].n_unique() == 357
    with pytest.raises(KostraError):
        api.grouping("galaxy", [2024])


def _widths(text: str) -> int:
    return max(len(line.rstrip()) for line in text.splitlines())


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("columns", [80, 120])
def test_profile_table_fits_the_terminal_one_table_per_sector(
    columns: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    main(["profile", "Bærum", "--year", "2024", "--sector", "grunnskole", "-s", "barnehage"])
    out = capsys.readouterr().out
    assert _widths(out) <= columns
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0].startswith("⚠ EKSEMPELDATA")  # the banner comes first, and last
    assert lines[-1].startswith("⚠ Eksempeldata")
    assert "Grunnskole" in lines  # sector headings
    assert "Barnehage" in lines
    header = next(line for line in lines if line.startswith("nøkkeltall"))
    # the flags column ("merk.") is there only when a figure has a flag
    assert header.split()[:6] == ["nøkkeltall", "verdi", "snitt", "indeks", "plass", "endring"]
    import re

    assert re.search(r"\d+/12\b", out)  # place among the twelve ASSS members
    assert re.search(r"\d\u00a0(kr|%)", out)  # the unit after the value, on the same line
    assert "plass: 1 = høyeste verdi" in out
    # long names are wrapped, never cut
    assert "…" not in out
    assert {"Andel", "barn", "1–5", "år", "med", "barnehageplass"} <= set(out.split())


@pytest.mark.usefixtures("sample")
def test_profile_table_flags_are_symbols_explained_below(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    main(["--lang", "en", "profile", "Bærum", "--year", "2021", "-s", "grunnskole"])
    out = capsys.readouterr().out
    assert "pandemic year" not in out.split("Flags:")[0]  # the table holds symbols only
    assert "Flags: P pandemic year" in " ".join(out.split())
    assert "SAMPLE DATA" in out
    assert "," in out  # English: thousands comma, decimal point
    assert "." in out


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("command", ["costs", "indices"])
def test_costs_and_indices_tables_fit_80_columns(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    main([command, "Bærum", "--year", "2024"])
    out = capsys.readouterr().out
    assert _widths(out) <= 80
    assert "…" not in out  # nothing cut off
    assert "Totalt" in out
    assert "Grunnskole" in out
    assert "EKSEMPELDATA" in out


@pytest.mark.usefixtures("sample")
def test_table_to_a_file_keeps_the_banner(tmp_path: Path) -> None:
    target = tmp_path / "profile.txt"
    main(["profile", "Bærum", "-s", "grunnskole", "-o", str(target)])
    text = target.read_text(encoding="utf-8")
    assert text.startswith("⚠ EKSEMPELDATA")
    assert "Grunnskole" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["profile", "Bærum", "--no-such-option"],
        ["--lang", "xx", "profile", "Bærum"],
        ["profile", "Bærum", "--format", "pdf"],
        ["barometer", "--method", "nonsense"],
    ],
)
def test_usage_errors_are_messages_not_tracebacks(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Feil:" in err  # bokmål by default
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["profile", "Bærum", "--year", "1990"], "Det finnes ingen KOSTRA-tall for 1990"),
        (["--lang", "en", "costs", "Bærum", "--year", "2010"], "no KOSTRA figures for 2010"),
        (["indices", "Bærum", "--year", "2014"], "det finnes tall for 2015"),
        (["profile", "Bærum", "--sector", "fotball"], "Ukjent sektor: fotball"),
        (["--lang", "en", "profile", "Bærum", "-s", "fotball"], "Unknown sector: fotball"),
        (["profile", "Bærumm"], "Bærum (3201"),  # the close match is suggested
        (["profile", "Bærum", "--compare", "Bærumm"], "Bærumm"),
        (["indices", "Bærum", "--reference", "galaxy"], "galaxy"),
    ],
)
def test_user_errors_say_what_to_do(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_db: Path
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert message in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("fmt", ["table", "csv", "xlsx", "parquet"])
def test_output_that_cannot_be_written_is_a_user_error(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / f"profile.{fmt}"  # a folder that is a file: cannot be created
    with pytest.raises(SystemExit) as exit_info:
        main(["profile", "Bærum", "-s", "grunnskole", "-f", fmt, "-o", str(target)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"Kanikkeskrive{target}" in "".join(err.split())  # Rich may break the long path
    assert "Velg en mappe som finnes" in " ".join(err.split())
    assert not list(tmp_path.rglob("*.partial"))  # nothing half-written is left


@pytest.mark.usefixtures("sample")
def test_output_to_a_folder_asks_for_a_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--lang", "en", "costs", "Bærum", "-f", "csv", "-o", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}isafolder." in "".join(err.split())
    assert "Give a file name with -o" in " ".join(err.split())


@pytest.mark.usefixtures("sample")
def test_costs_table_names_the_need_year_fallback_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """2023's need year (2024) has no index: every sector uses 2025's, said in one footnote."""
    monkeypatch.setenv("COLUMNS", "80")
    main(["costs", "Bærum", "--year", "2023"])
    lines = capsys.readouterr().out.splitlines()
    import re

    footnotes = [line for line in lines if re.match(r"[¹²³⁴⁵⁶⁷⁸⁹] \S", line)]
    assert footnotes[0] == "¹ behovsindeks for 2025 brukt (nærmeste år vi har)"
    # the total's own footnote says what it sums and what it leaves out
    assert footnotes[1].startswith("² sum av barnehage")
    assert len(footnotes) == 2
    assert "ikke med: administrasjon" in " ".join(lines)
    assert sum("¹ " in line for line in lines) >= 6  # marked on the sectors


@pytest.mark.usefixtures("sample")
def test_costs_export_says_which_need_year_it_used(tmp_path: Path) -> None:
    target = tmp_path / "costs.csv"
    main(["costs", "Bærum", "--year", "2023", "-f", "csv", "-o", str(target)])
    frame = pl.read_csv(target).filter(pl.col("sektor") == "grunnskole")
    assert set(frame["behovsår"]) == {2025}
    assert frame["behovsår erstattet (nærmeste)"].all()
    assert set(frame["merknad"]) == {"behovsindeks for 2025 brukt (nærmeste år vi har)"}
