"""Search: sector names as people type them (one resolver for every command), key-figure
search in ``kostra catalog --search``, and former municipality names in the web's search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from kostra.catalog import load_catalog, resolve_sector, resolve_sectors, search_indicators
from kostra.catalog import search as search_module
from kostra.catalog.models import BarometerSector, Sector
from kostra.catalog.search import by_sector
from kostra.cli import app
from kostra.cli.barometer import parse_sector
from kostra.errors import KostraError
from kostra.web import WebData, create_app


def error_text(result: Result) -> str:
    """A failed command's message and hint, whether the CLI printed them or raised them."""
    if isinstance(result.exception, KostraError):
        return f"{result.exception.message} {result.exception.hint or ''}"
    return result.output


@pytest.mark.parametrize(
    ("typed", "sector"),
    [
        ("skole", Sector.GRUNNSKOLE),
        ("Grunnskole", Sector.GRUNNSKOLE),
        ("miljø", Sector.MILJO_OG_RESSURSER),
        ("Miljø og ressurser", Sector.MILJO_OG_RESSURSER),
        ("miljo_og_ressurser", Sector.MILJO_OG_RESSURSER),
        ("pleie", Sector.PLEIE_OG_OMSORG),
        ("eldre", Sector.PLEIE_OG_OMSORG),
        ("pleie- og omsorg", Sector.PLEIE_OG_OMSORG),
        ("økonomi", Sector.OKONOMI),
        ("VAR", Sector.VANN_AVLOP_RENOVASJON),
        ("vann, avløp og renovasjon", Sector.VANN_AVLOP_RENOVASJON),
        ("helse", Sector.KOMMUNEHELSE),
        ("Kultur og fritid", Sector.KULTUR_OG_FRITID),
    ],
)
def test_sector_names_as_people_type_them(typed: str, sector: Sector) -> None:
    assert resolve_sector(typed) is sector


def test_barometer_sectors_through_the_same_resolver() -> None:
    assert resolve_sector("helse", BarometerSector) is BarometerSector.HELSE
    assert resolve_sector("kultur og fritid", BarometerSector) is BarometerSector.KULTUR
    assert parse_sector("miljø") == "miljo_og_ressurser"
    assert parse_sector("skole") == "grunnskole"
    assert parse_sector("eldre") == "pleie_og_omsorg"
    with pytest.raises(KostraError):
        parse_sector("romfart")


def test_unknown_sector_suggests_the_close_one() -> None:
    with pytest.raises(KostraError) as caught:
        resolve_sector("skoel")
    assert caught.value.message == "Unknown sector: skoel."
    assert "Did you mean grunnskole?" in (caught.value.hint or "")
    assert caught.value.text("nn") == "Ukjend sektor: skoel."
    assert (caught.value.hint_text("nn") or "").startswith(
        "Meinte du grunnskole? Vel mellom: grunnskole, barnehage,"
    )
    with pytest.raises(KostraError) as two:
        resolve_sector("barne")
    assert (two.value.hint_text("nb") or "").startswith("Mente du barnevern eller barnehage? ")
    assert (two.value.hint_text("nn") or "").startswith("Meinte du barnevern eller barnehage? ")
    assert (two.value.hint_text("en") or "").startswith("Did you mean barnevern or barnehage? ")
    assert resolve_sectors(["skole,barnehage", "skole"]) == ["grunnskole", "barnehage"]
    assert resolve_sectors([]) is None


def test_search_finds_key_figures_by_words_and_synonyms() -> None:
    catalog = load_catalog()
    found = [i.id for i, _ in search_indicators(catalog, "barnevern")]
    assert found
    assert all(catalog.get(i).sector is Sector.BARNEVERN for i in found[:5])
    # every word must match; names weigh more than notes
    both = search_indicators(catalog, "netto driftsutgifter barnehage")
    assert both[0][0].sector is Sector.BARNEHAGE
    assert all(
        "driftsutgifter" in i.name_nb.lower() for i, _ in both if i.sector.value == "barnehage"
    )
    # "NDU" is what analysts write for netto driftsutgifter
    ndu = {i.id for i, _ in search_indicators(catalog, "ndu grunnskole")}
    assert "ndu_grunnskole_per_innbygger" in ndu
    assert search_indicators(catalog, "zyxwv") == []


def test_search_reads_ssbs_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = load_catalog()
    target = next(i for i in catalog.indicators if i.source is not None)
    assert target.source is not None
    key = (target.source.table_id, target.source.contents_code)
    monkeypatch.setattr(search_module, "ssb_labels", lambda: {key: "Kvadratrotmålt særord"})
    found = [i.id for i, _ in search_indicators(catalog, "kvadratrotmålt")]
    assert target.id in found


def test_catalog_search_cli_groups_by_sector() -> None:
    result = CliRunner().invoke(app, ["catalog", "--search", "sykehjem", "-f", "csv"])
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(result.stdout.encode())
    assert "legetimer_per_beboer_sykehjem" in frame["id"].to_list()
    # rows of one sector stand together
    sectors = frame["sektor"].to_list()
    assert sectors == sorted(sectors, key=sectors.index)
    table = CliRunner().invoke(app, ["catalog", "--search", "sykehjem"])
    assert "Pleie og omsorg" in table.output
    assert "«sykehjem»" in table.output
    none = CliRunner().invoke(app, ["catalog", "--search", "zyxwv"])
    assert none.exit_code != 0
    assert "Ingen nøkkeltall" in error_text(none)


def test_sector_options_take_norwegian_words(tmp_db: Path) -> None:
    miljo = CliRunner().invoke(app, ["catalog", "--sector", "miljø", "-f", "csv"])
    assert miljo.exit_code == 0, miljo.output
    assert set(pl.read_csv(miljo.stdout.encode())["sektor"]) == {"miljo_og_ressurser"}
    profile = CliRunner().invoke(app, ["profile", "Bærum", "-s", "skole", "-f", "csv"])
    assert profile.exit_code == 0, profile.output
    assert set(pl.read_csv(profile.stdout.encode())["sektor"]) == {"grunnskole"}
    bad = CliRunner().invoke(app, ["profile", "Bærum", "-s", "skoel"])
    assert bad.exit_code != 0
    assert "grunnskole" in error_text(bad)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    web = WebData(tmp_path_factory.mktemp("web") / "none.duckdb", resamples=0)
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


def test_web_search_finds_former_names(client: TestClient) -> None:
    found = client.get("/api/kommuner", params={"q": "oppeg"}).json()["municipalities"]
    assert [m["name"] for m in found] == ["Nordre Follo"]
    # a current name still comes first: "Ski" is part of Nordre Follo, "Skien" starts with it
    names = [m["name"] for m in client.get("/api/kommuner?q=ski").json()["municipalities"]]
    assert names.index("Skien") < names.index("Nordre Follo")
    sandef = client.get("/api/kommuner?q=stokke").json()["municipalities"]
    assert [m["name"] for m in sandef] == ["Sandefjord"]


def test_web_key_figure_search_grouped_by_sector(client: TestClient) -> None:
    everything = client.get("/api/indikatorer").json()["indicators"]
    found = client.get("/api/indikatorer", params={"q": "sykehjem"}).json()["indicators"]
    assert 0 < len(found) < len(everything)
    ids = [row["id"] for row in found]
    expected = [i.id for i, _ in by_sector(search_indicators(load_catalog(), "sykehjem"))]
    assert ids == expected
    sectors = [row["sector"] for row in found]
    assert sectors == sorted(sectors, key=sectors.index)  # one block per sector
    assert client.get("/api/indikatorer", params={"q": "zyxwv"}).json()["indicators"] == []
