"""The indicator catalog: every entry complete, sources real-looking, minimums per sector met."""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kostra.catalog import CatalogError, load_catalog, load_catalog_from
from kostra.catalog.models import (
    BarometerSector,
    Catalog,
    Indicator,
    PopulationRef,
    Sector,
    population_refs,
    series_of,
)
from kostra.cli import app

WELFARE = [
    Sector.GRUNNSKOLE,
    Sector.BARNEHAGE,
    Sector.BARNEVERN,
    Sector.PLEIE_OG_OMSORG,
    Sector.SOSIALE_TJENESTER,
    Sector.KOMMUNEHELSE,
]
NEED_SECTORS = [*WELFARE, Sector.ADMINISTRASJON]
# KOSTRA age groups the population data carries (population_kostra_agegroups_2005_2026.csv).
AGE_GROUPS = {
    "total", "0", "1-5", "6-15", "6-12", "13-15", "16-18", "0-17", "16-66", "18-66",
    "67+", "67-79", "80+", "80-89", "90+", "0-5", "1-2", "3-5",
}  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_load_is_cached(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_ids_unique_and_names_in_both_languages(catalog: Catalog) -> None:
    ids = [i.id for i in catalog.indicators]
    assert len(ids) == len(set(ids))
    for indicator in catalog.indicators:
        assert indicator.name_nb.strip(), indicator.id
        assert indicator.name_en.strip(), indicator.id
        assert indicator.name_nb != indicator.name_en, indicator.id
        assert indicator.unit.strip(), indicator.id


@pytest.mark.parametrize("sector", WELFARE)
def test_welfare_sectors_have_eight_key_figures(catalog: Catalog, sector: Sector) -> None:
    in_profile = [i for i in catalog.for_sector(sector) if i.in_profile]
    assert len(in_profile) >= 8


@pytest.mark.parametrize(
    ("sector", "minimum"),
    [
        (Sector.KULTUR_OG_FRITID, 5),
        (Sector.ADMINISTRASJON, 3),
        (Sector.EIENDOM, 4),
        (Sector.OKONOMI, 4),
    ],
)
def test_other_sectors_have_their_key_figures(
    catalog: Catalog, sector: Sector, minimum: int
) -> None:
    assert len([i for i in catalog.for_sector(sector) if i.in_profile]) >= minimum


@pytest.mark.parametrize("sector", NEED_SECTORS)
def test_need_sectors_have_ndu_and_bdu_per_inhabitant(catalog: Catalog, sector: Sector) -> None:
    for role, art in (("net_opex", "AGD2"), ("gross_opex", "AGD10")):
        indicator = catalog.with_role(sector, role)  # type: ignore[arg-type]
        assert indicator.formula is not None
        assert isinstance(indicator.formula.denominator, PopulationRef)
        assert indicator.formula.denominator.age_group == "total"
        for ref in indicator.formula.numerator:
            assert (ref.table_id, ref.contents_code) == ("12362", "KOSbelop0000")
            assert ref.dims["KOKart0000"] == art
            assert ref.scale == 1000.0


def test_grunnskole_ndu_uses_the_methodology_functions(catalog: Catalog) -> None:
    ndu = catalog.with_role(Sector.GRUNNSKOLE, "net_opex")
    assert ndu.formula is not None
    functions = sorted(ref.dims["KOKfunksjon0000"] for ref in ndu.formula.numerator)
    assert functions == ["202", "213", "215", "222", "223"]


def test_every_series_names_a_table_and_contents_code(catalog: Catalog) -> None:
    for indicator in catalog.indicators:
        refs = series_of(indicator)
        if indicator.formula is not None and not isinstance(
            indicator.formula.denominator, PopulationRef
        ):
            assert indicator.formula.denominator, indicator.id
        for ref in refs:
            assert len(ref.table_id) == 5, indicator.id
            assert ref.table_id.isdigit(), indicator.id
            assert ref.contents_code.startswith("KOS"), (indicator.id, ref.contents_code)
            assert ref.scale > 0
            for key, value in ref.dims.items():
                assert key.startswith("KOK"), (indicator.id, key)
                assert value, (indicator.id, key)
        for pop in population_refs(indicator):
            assert pop.age_group in AGE_GROUPS, (indicator.id, pop.age_group)


def test_ready_ratios_can_be_averaged(catalog: Catalog) -> None:
    for indicator in catalog.indicators:
        if indicator.source is not None and indicator.average == "weighted":
            assert indicator.weight_by is not None, indicator.id


def test_caveats_come_in_all_three_languages_and_named_caveats_exist(catalog: Catalog) -> None:
    for indicator in catalog.indicators:
        assert (indicator.caveat_nb is None) == (indicator.caveat_en is None)
        assert (indicator.caveat_nb is None) == (indicator.caveat_nn is None)
        if indicator.caveat_nn is not None:
            # nynorsk of its own, not the bokmål text again
            assert indicator.caveat_nn != indicator.caveat_nb
            assert indicator.caveat("nn") == indicator.caveat_nn
    admin = catalog.with_role(Sector.ADMINISTRASJON, "net_opex")
    assert admin.caveat_nb is not None
    assert "organiser" in admin.caveat_nb
    barnevern = [i for i in catalog.for_sector(Sector.BARNEVERN) if i.in_profile]
    assert all(i.caveat_en and "reform" in i.caveat_en for i in barnevern)


def _confirmed_elsewhere(shared_dir: Path) -> set[tuple[str, str]]:
    """(table, code) pairs a second independent source confirms beyond ssb_kostra_codes.csv:
    SSB's own statbank download of 13502 ("Intern referansekode" under its variable), and KS's
    fetch list, whose filter column sits one row above its table (row 12285's filter belongs to
    12286, row 12247's minority-children codes to 12272 …), for codes the reference lists."""
    pairs: set[tuple[str, str]] = set()
    real = shared_dir / "data/kostra_real_fragments/13502_barnehage_andel_1_2_ar_2015_2023.xlsm"
    if real.is_file():
        import openpyxl

        cells = [
            row[0]
            for row in openpyxl.load_workbook(real, read_only=True)
            .worksheets[0]
            .iter_rows(values_only=True)
        ]
        marker = cells.index("Intern referansekode:")
        pairs.add(("13502", str(cells[marker + 1])))
    listed: set[tuple[str, str]] = set()
    with (shared_dir / "reference" / "ssb_kostra_codes.csv").open(encoding="utf-8") as handle:
        listed = {(r["table_id"], r["code"]) for r in csv.DictReader(handle)}
    lines = [
        line.split(";")
        for line in (shared_dir / "reference" / "ks_statistikkbank_table_filters.csv")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.startswith("SSB;")
    ]
    for above, below in itertools.pairwise(lines):
        for code in re.findall(r"KOS\w+", above[4] if len(above) > 4 else ""):
            if (below[1], code) in listed:
                pairs.add((below[1], code))
    return pairs


def test_confirmed_flags_agree_with_the_reference_list(catalog: Catalog, shared_dir: Path) -> None:
    """``source_confirmed`` only where ssb_kostra_codes.csv confirms the table's code."""
    path = shared_dir / "reference" / "ssb_kostra_codes.csv"
    confirmed: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["confirmed"] == "yes" and row["dimension_or_contents"] == "contents":
                confirmed.add((row["table_id"], row["code"]))
    confirmed |= _confirmed_elsewhere(shared_dir)
    for indicator in catalog.indicators:
        if not indicator.source_confirmed:
            continue
        # The flag speaks for the definition (source or formula), not for ``weight_by``.
        refs = [indicator.source] if indicator.source is not None else []
        if indicator.formula is not None:
            refs += indicator.formula.numerator
            if isinstance(indicator.formula.denominator, list):
                refs += indicator.formula.denominator
        for ref in refs:
            assert (ref.table_id, ref.contents_code) in confirmed, (indicator.id, ref)


def test_every_barometer_sector_has_three_weighted_indicators(catalog: Catalog) -> None:
    for sector in BarometerSector:
        graded = [i for i in catalog.for_barometer(sector) if i.direction != "neutral"]
        assert len(graded) >= 3, sector
        assert all(i.barometer is not None and i.barometer.weight > 0 for i in graded)


def test_kostnadsniva_entries_are_sector_ndu(catalog: Catalog) -> None:
    entries = catalog.for_barometer(BarometerSector.KOSTNADSNIVA)
    assert {i.sector for i in entries} == set(NEED_SECTORS)
    for indicator in entries:
        assert indicator.role == "net_opex"
        assert indicator.note is not None
        assert "need" in indicator.note


def test_production_indicators_per_methodology(catalog: Catalog) -> None:
    for sector in WELFARE:
        used = catalog.for_production(sector)
        assert used, sector
        assert all(i.production is not None and i.production.weight > 0 for i in used)
    kinds = Counter(i.production.kind for i in catalog.indicators if i.production is not None)
    assert kinds["coverage"] >= 6
    assert kinds["quality"] >= 6


def test_invalid_entries_are_refused(tmp_path: Path) -> None:
    good = tmp_path / "a.toml"
    good.write_text(
        '[[indicator]]\nid = "x"\nsector = "grunnskole"\nname_nb = "X"\nname_en = "X en"\n'
        'unit = "kr"\ndirection = "neutral"\naverage = "simple"\n'
        'source = { table_id = "12255", contents_code = "KOSx" }\n',
        encoding="utf-8",
    )
    assert isinstance(load_catalog_from([good]).get("x"), Indicator)
    with pytest.raises(CatalogError, match="defined twice"):
        load_catalog_from([good, good])
    bad = tmp_path / "b.toml"
    bad.write_text(good.read_text().replace('average = "simple"', 'average = "weighted"'))
    with pytest.raises(CatalogError, match="weight_by"):
        load_catalog_from([bad])
    short = tmp_path / "c.toml"
    short.write_text(good.read_text().replace('"12255"', '"1225"'))
    with pytest.raises(CatalogError, match=r"c\.toml"):
        load_catalog_from([short])
    broken = tmp_path / "d.toml"
    broken.write_text("[[indicator]\n")
    with pytest.raises(CatalogError, match="not valid TOML") as refused:
        load_catalog_from([broken])
    assert refused.value.text("nn").startswith("Katalogfila d.toml er ikkje gyldig TOML: ")
    assert refused.value.hint_text("nn") == (
        "Rett syntaksen i fila; kvart nøkkeltal er ein [[indicator]]-tabell."
    )
    extra = tmp_path / "e.toml"
    extra.write_text(good.read_text() + "\n[meta]\nowner = 1\n")
    with pytest.raises(CatalogError) as unexpected:
        load_catalog_from([extra])
    assert unexpected.value.text("nn") == (
        "Katalogfila e.toml har uventa nøklar på øvste nivå ['meta']."
    )


def test_cli_lists_the_catalog() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["catalog", "--sector", "barnehage", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("id,sektor,navn")
    assert any(line.startswith("andel_barn_1_5_i_barnehage,barnehage,") for line in lines)
    assert all(",barnehage," in line for line in lines[1:])
    english = runner.invoke(app, ["--lang", "en", "catalog", "-s", "okonomi", "-f", "json"])
    assert english.exit_code == 0
    assert "Net operating result" in english.stdout


def test_cli_unknown_sector_is_a_user_error() -> None:
    result = CliRunner().invoke(app, ["catalog", "--sector", "nope"])
    assert result.exit_code != 0


def test_cli_output_to_a_folder_is_a_user_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["catalog", "-f", "csv", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "er en mappe" in result.output


def test_cli_table_is_one_table_per_sector_with_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(app, ["catalog", "-s", "barnehage"])
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 80
    assert "Barnehage" in [line.strip() for line in result.stdout.splitlines()]
    # the id a user types is shown (folded if long, never dropped as Rich markup)
    assert "[andel_barn_1_5_i_barnehage]" in "".join(result.stdout.split())


def _data_notes_section(title: str) -> str:
    text = (Path(__file__).resolve().parent.parent / "docs" / "DATA.md").read_text("utf-8")
    start = text.index(title)
    end = text.find("\n#", start + len(title))
    return text[start : end if end != -1 else len(text)]


def test_codes_without_ssbs_label_are_exactly_those_the_data_notes_list(catalog: Catalog) -> None:
    """docs/DATA.md names every catalog code SSB's label is not known for, and no other."""
    from kostra.sources.labels import catalog_labels, catalog_own_names

    section = _data_notes_section("### SSB's label per catalog ContentsCode")
    table = section[section.index("**Codes without SSB's label**") :]
    listed = set(re.findall(r"^\| (\d{5}) \| `(KOS\w+)` \|", table, flags=re.MULTILINE))
    labels = catalog_labels()
    used = {(r.table_id, r.contents_code) for i in catalog.indicators for r in series_of(i)}
    without = {(t, c) for t, c in used if c not in labels.get(t, {})}
    assert listed == without
    own = {(t, c) for t, codes in catalog_own_names().items() for c in codes}
    assert own == without
    pattern = r"\*\*(\d+) have SSB's verbatim label\*\*.*?\*\*(\d+) do not\*\*"
    count = re.search(pattern, section, re.S)
    assert count is not None
    assert (int(count[1]), int(count[2])) == (len(used) - len(without), len(without))


def test_every_ssb_label_names_its_source() -> None:
    from importlib import resources

    text = (resources.files("kostra.catalog") / "data" / "ssb_labels.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows
    for row in rows:
        assert re.fullmatch(r"\d{5}", row["table_id"]), row
        assert row["contents_code"].startswith("KOS"), row
        assert row["label_nb"].strip(), row
        assert "…" not in row["label_nb"], row
        assert row["evidence"].strip(), row
