"""Borders of the report year (issue 10.3): a year's figures on that year's borders and members.

The API runs on made-up observations over SSB's codes of each year (see
``test_analysis_api.made_up_observations``), handed in place of the shipped sample.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kostra import api, geography
from kostra.analysis.need import need_index_on_borders
from kostra.cli import main
from kostra.errors import KostraError
from made_up_observations import made_up_observations


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch, tmp_db: Path) -> None:
    monkeypatch.setattr(api, "_sample_observations", made_up_observations)


def test_borders_for_resolves_the_choice() -> None:
    assert api.borders_for(2018) == 2018
    assert api.borders_for(2018, "newest") == api.NEWEST_BORDERS == 2024
    assert api.borders_for(2018, 2020) == 2020
    assert api.borders_rule(2018, "year") == "year"
    assert api.borders_rule(2018, "newest") == "newest"
    assert api.borders_rule(2024, "newest") == "year"  # the same thing in 2024
    with pytest.raises(KostraError) as unknown:
        api.borders_for(2018, "today")  # type: ignore[arg-type]
    assert unknown.value.text("nn") == "Ukjent grenseval 'today'."
    assert unknown.value.hint_text("nn") == (
        "Bruk 'year' (kommunegrensene i rapportåret) eller 'newest' (grensene i dag)."
    )


def test_unknown_peer_groupings_and_years_read_nynorsk(tmp_db: Path) -> None:
    with pytest.raises(KostraError) as grouping:
        api.grouping("nabo", [2024])
    assert grouping.value.text("nn") == "Ukjend samanlikningsgruppe 'nabo'."
    assert grouping.value.text("nb") == "Ukjent sammenligningsgruppe 'nabo'."
    with pytest.raises(KostraError) as peers:
        geography.peer_group("county", 2024)
    assert peers.value.text("nn") == "Samanlikningsgruppa 'county' er avhengig av ein kommune."
    assert peers.value.hint_text("nn") == "Oppgi kommunen som gruppa skal gjelde for."
    with pytest.raises(KostraError) as year:
        api.require_year(1990, db=tmp_db)
    assert year.value.text("nn").startswith("Det finst ingen KOSTRA-tal for 1990; det finst tal")
    assert year.value.hint_text("nn") == (
        "Vel eitt av desse åra med --year, eller hent fleire med `kostra fetch`."
    )


@pytest.mark.usefixtures("sample")
def test_profile_of_2018_uses_the_2018_borders_and_members(tmp_db: Path) -> None:
    result = api.profile("Bærum", 2018, sectors=["barnehage"], db=tmp_db)
    assert result.municipality == "0219"  # Bærum's code in 2018
    assert result.borders == 2018
    assert result.borders_rule == "year"
    members = set(geography.asss_members(2018))
    assert {result.municipality, *result.peers} == members
    assert "3203" not in result.peers  # Asker joined in 2022
    assert "0220" not in result.peers
    notes = result.note_texts()
    assert any("kommunegrenser og sammenligningskommuner fra 2018" in t for t in notes)

    newest = api.profile("Bærum", 2018, sectors=["barnehage"], borders="newest", db=tmp_db)
    assert newest.municipality == "3201"
    assert newest.borders == 2024
    assert newest.borders_rule == "newest"
    assert any("omregnet til kommunegrensene i 2024" in t for t in newest.note_texts())


@pytest.mark.usefixtures("sample")
def test_the_2018_average_differs_where_a_member_merged_later(tmp_db: Path) -> None:
    """Stavanger 2018 is 1103 without Finnøy and Rennesøy; on 2024 borders it includes them."""
    year = api.profile("Stavanger", 2018, sectors=["barnehage"], db=tmp_db)
    newest = api.profile("Stavanger", 2018, sectors=["barnehage"], borders="newest", db=tmp_db)
    own = "ndu_barnehage_per_innb_1_5"

    def value(result: api.Result) -> float:
        rows = result.frames["table"].filter(
            (pl.col("role") == "self") & (pl.col("indicator_id") == own)
        )
        return float(rows["value"][0])

    assert year.municipality == newest.municipality == "1103"
    assert value(year) != pytest.approx(value(newest))


def test_need_index_moves_back_over_renumberings_and_splits_not_mergers() -> None:
    index = pl.DataFrame(
        {
            "need_year": [2026] * 4,
            "region": ["3201", "1508", "1580", "3203"],
            "sector": ["grunnskole"] * 4,
            "need_index": [1.1, 0.9, 1.3, 1.0],
            "basis": ["sector"] * 4,
        },
        schema_overrides={"need_year": pl.Int32},
    )
    links = pl.DataFrame(
        {
            "from_code": ["3024", "1507", "1507", "0220", "0627"],
            "to_code": ["3201", "1508", "1580", "3203", "3203"],
            "weight": [1.0, 0.8, 0.2, 1.0, 1.0],
        }
    )
    moved = need_index_on_borders(index, links).sort("region")
    assert moved.columns == index.columns
    got = dict(zip(moved["region"], moved["need_index"], strict=True))
    assert got == pytest.approx({"1507": 0.8 * 0.9 + 0.2 * 1.3, "3024": 1.1})
    assert "0220" not in got  # Asker 2019 merged into 3203 in 2020: no index of its own


@pytest.mark.usefixtures("sample")
def test_costs_of_2021_have_need_indices_on_2021_borders(tmp_db: Path) -> None:
    result = api.costs("Bærum", 2021, db=tmp_db)
    assert result.municipality == "3024"
    own = result.frames["costs"].filter(pl.col("is_self") & (pl.col("sector") == "grunnskole"))
    assert own["need_index"].null_count() == 0
    reference = api.packaged_need_index().filter(
        (pl.col("region") == "3201") & (pl.col("sector") == "grunnskole")
    )
    wanted = reference.filter(pl.col("need_year") == own["need_year"][0])["need_index"][0]
    assert own["need_index"][0] == pytest.approx(wanted)


@pytest.mark.usefixtures("sample")
def test_cli_borders_option_and_export_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "p.csv"
    main(["profile", "Bærum", "--year", "2019", "-s", "barnehage", "-f", "csv", "-o", str(target)])
    frame = pl.read_csv(target, schema_overrides={"kommunenr": pl.Utf8})
    assert frame["kommunegrenser"].unique().to_list() == [2019]
    assert "0219" in frame["kommunenr"].to_list()
    main(["profile", "Bærum", "--year", "2019", "-s", "barnehage", "--borders", "newest"])
    out = " ".join(capsys.readouterr().out.split())
    assert "omregnet til kommunegrensene i 2024" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["costs", "Bærum", "--year", "2019", "--borders", "oldest"])
    assert exit_info.value.code == 2
