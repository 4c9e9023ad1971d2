"""Municipalities by year, counties, code history, successors and predecessors, name resolution."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from kostra.errors import DissolvedMunicipalityError, KostraError, UnknownMunicipalityError
from kostra.geography import (
    AmbiguousMunicipalityError,
    code_history,
    counties,
    municipalities,
    municipalities_on,
    municipality,
    municipality_on,
    normalise_name,
    predecessors,
    resolve_municipality,
    successors,
)

# Number of municipalities on 1 January (SSB); 2005 has the four pre-2006 units on top of 429.
COUNTS = {2006: 431, 2008: 430, 2012: 429, 2013: 428, 2017: 426, 2018: 422, 2019: 422}
COUNTS |= dict.fromkeys(range(2020, 2024), 356) | dict.fromkeys(range(2024, 2027), 357)


@pytest.mark.parametrize(("year", "count"), sorted(COUNTS.items()))
def test_number_of_municipalities(year: int, count: int) -> None:
    frame = municipalities(year)
    assert frame.height == count
    assert frame.columns == ["code", "name", "county_code", "county_name"]
    assert frame["code"].str.contains(r"^\d{4}$").all()
    assert frame["code"].is_unique().all()
    assert frame["county_name"].null_count() == 0


@pytest.mark.parametrize(
    ("year", "count"),
    [
        (2005, 19),
        (2017, 19),
        (2018, 18),
        (2019, 18),
        (2020, 11),
        (2023, 11),
        (2024, 15),
        (2026, 15),
    ],
)
def test_counties_over_time(year: int, count: int) -> None:
    assert counties(year).height == count


def test_names_and_counties_of_one_municipality_over_time() -> None:
    assert municipality("0219", 2010).name == "Bærum"
    assert municipality("0219", 2010).county_name == "Akershus"
    assert municipality("3024", 2021).county_name == "Viken"
    assert municipality("3201", 2024).county_name == "Akershus"
    # The 2020–2023 downloads mangle "Steinkjer"; the packaged names do not.
    assert municipality("5006", 2021).name == "Steinkjer"
    names = pl.concat([municipalities(y) for y in range(2005, 2027)])["name"]
    assert not names.str.contains("\ufffd", literal=True).any()
    assert not names.str.contains("municipality").any()


def test_validity_dates() -> None:
    baerum_old = municipality("0219", 2019)
    assert baerum_old.valid_from == dt.date(2005, 1, 1)
    assert baerum_old.valid_to == dt.date(2019, 12, 31)
    assert municipality("3201", 2025).valid_to is None
    assert municipality_on("3024", dt.date(2022, 6, 30)).name == "Bærum"
    assert municipalities_on(dt.date(2019, 12, 31)).height == 422
    with pytest.raises(UnknownMunicipalityError):
        municipality("3201", 2019)
    with pytest.raises(KostraError):
        municipalities(1999)


def test_code_history_kinds() -> None:
    history = code_history()
    kinds = {
        (r["year"], r["old_code"], r["new_code"]): r["kind"] for r in history.iter_rows(named=True)
    }
    assert kinds[(2020, "0219", "3024")] == "renumbering"
    assert kinds[(2024, "3024", "3201")] == "renumbering"
    assert kinds[(2020, "1001", "4204")] == "merger"
    assert kinds[(2020, "1018", "4204")] == "merger"
    # Klæbu was merged into Trondheim, which kept its code: still a merger.
    assert kinds[(2020, "5030", "5001")] == "merger"
    assert kinds[(2020, "5012", "5059")] == "split"
    assert kinds[(2024, "1507", "1580")] == "split"
    # Trøndelag 2018 renumbered Klæbu to 5030, not to Trondheim's 5001.
    assert kinds[(2018, "1662", "5030")] == "renumbering"
    assert (2018, "1662", "5001") not in kinds


def test_every_old_unit_is_shared_out_completely() -> None:
    shares = code_history().group_by("year", "old_code").agg(pl.col("weight").sum())
    assert (shares["weight"] - 1.0).abs().max() < 1e-9


def test_haram_split_weighted_by_2024_population() -> None:
    split = successors("1507", 2023, 2024)
    assert set(split) == {"1508", "1580"}
    assert split["1580"] == pytest.approx(0.1379, abs=0.001)
    assert sum(split.values()) == pytest.approx(1.0)


def test_haram_restored_whole_across_2020_and_2024() -> None:
    assert successors("1534", 2019, 2024) == {"1580": 1.0}
    assert successors("1504", 2010, 2026) == {"1508": 1.0}
    assert predecessors("1580", 2024, 2015) == {"1534": 1.0}
    # Back from 2024 to 2019 new Haram is old Haram; new Ålesund was made of four units.
    assert successors("1580", 2024, 2019) == {"1534": 1.0}
    with pytest.raises(KostraError):
        successors("1508", 2024, 2019)


def test_successors_and_predecessors() -> None:
    assert successors("0219", 2005, 2026) == {"3201": 1.0}
    assert successors("5012", 2019, 2024) == pytest.approx(
        {"5055": 0.35, "5056": 0.35, "5059": 0.3}
    )
    assert predecessors("4204", 2020, 2019) == {"1001": 1.0, "1017": 1.0, "1018": 1.0}
    assert predecessors("3907", 2024, 2016) == {"0706": 1.0, "0719": 1.0, "0720": 1.0}
    # Backwards through a renumbering and a split works; through a merger it cannot.
    assert successors("3201", 2024, 2015) == {"0219": 1.0}
    assert successors("1580", 2024, 2023) == {"1507": 1.0}
    with pytest.raises(KostraError, match="merger"):
        successors("4204", 2020, 2019)


@pytest.mark.parametrize(
    ("text", "year", "code"),
    [
        ("Bærum", None, "3201"),
        ("baerum", None, "3201"),
        ("BÆRUM", None, "3201"),
        ("  Bærum ", 2024, "3201"),
        ("3201", None, "3201"),
        ("0219", 2019, "0219"),
        ("0219", 2005, "0219"),
        ("3024", 2020, "3024"),
        ("3024", 2023, "3024"),
        ("K-3024", 2021, "3024"),
        ("Bærum", 2019, "0219"),
        ("Bærum", 2022, "3024"),
        # An old number with a later year: the unit it was renumbered to.
        ("0219", 2022, "3024"),
        ("3201", 2015, "0219"),
        ("Oslo", None, "0301"),
        ("Trondheim - Tråante", None, "5001"),
        ("Trondheim-Tråante", 2024, "5001"),
        ("Tråante", None, "5001"),
        ("Trondheim", 2015, "1601"),
        ("Kárášjohka - Karasjok", None, "5610"),
        ("Kárášjohka-Karasjok", None, "5610"),
        ("Karasjok", None, "5610"),
        ("Kárášjohka", None, "5610"),
        ("karasjok", 2010, "2021"),
        ("Karasjok", 2021, "5437"),
        ("Ålesund", None, "1508"),
        ("alesund", None, "1508"),
        ("Aalesund", 2021, "1507"),
        ("Sandefjord", 2010, "0706"),
        ("Sandefjord", None, "3907"),
        ("Haram", 2015, "1534"),
        ("Nes", None, "3228"),
        ("Tromsø", 2019, "1902"),
        ("tromso", None, "5501"),
        ("Våler (Østfold)", None, "3114"),
    ],
)
def test_resolve(text: str, year: int | None, code: str) -> None:
    assert resolve_municipality(text, year).code == code


def test_resolve_returns_the_period() -> None:
    found = resolve_municipality("0219")
    assert (found.code, found.name, found.county) == ("0219", "Bærum", "02")
    assert found.valid_to == dt.date(2019, 12, 31)
    assert str(resolve_municipality("Bærum", 2024)) == "Bærum (3201)"


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(UnknownMunicipalityError) as caught:
        resolve_municipality("Bærumm")
    assert caught.value.suggestions
    assert caught.value.suggestions[0].startswith("Bærum (3201")
    with pytest.raises(UnknownMunicipalityError) as caught:
        resolve_municipality("Trondhjem", 2024)
    assert any("Trondheim" in s for s in caught.value.suggestions)
    with pytest.raises(UnknownMunicipalityError) as caught:
        resolve_municipality("Qwxyzz")
    assert caught.value.suggestions == []
    assert "kostra municipalities" in (caught.value.hint or "")


def test_unknown_and_out_of_period_codes() -> None:
    with pytest.raises(UnknownMunicipalityError):
        resolve_municipality("9876")
    # 5012 Snillfjord was split in 2020: no single unit to follow it to.
    with pytest.raises(DissolvedMunicipalityError) as caught:
        resolve_municipality("5012", 2021)
    assert "2018–2019" in caught.value.message
    assert "Heim (5055)" in caught.value.suggestions


def test_ambiguous_name_lists_candidates() -> None:
    with pytest.raises(AmbiguousMunicipalityError) as caught:
        resolve_municipality("Våler")
    assert len(caught.value.suggestions) == 2
    assert any("3114" in s for s in caught.value.suggestions)
    assert any("3419" in s for s in caught.value.suggestions)
    with pytest.raises(AmbiguousMunicipalityError):
        resolve_municipality("Herøy", 2024)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Bærum", "baerum"),
        ("BÆRUM", "baerum"),
        ("Tromsø", "tromso"),
        ("Ålesund", "alesund"),
        ("Kárášjohka", "karasjohka"),
        ("Aalesund", "alesund"),
    ],
)
def test_normalise_name(raw: str, folded: str) -> None:
    assert normalise_name(raw) == folded
