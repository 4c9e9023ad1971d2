"""The sources' user errors read nynorsk for a nynorsk user: real failures through the real code
paths (a bad import on the command line, a broken file, an unknown label), each also in bokmål
and English, with no bokmål forms left in the nynorsk words."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

from cli_main import run_main
from kostra.errors import InputFileError, SourceError
from kostra.settings import Settings
from kostra.sources import klass
from kostra.sources.files import read_file
from kostra.sources.ssb import SsbClient, SsbRequestError
from language_checks import bokmal_words


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _out, err = run_main(argv, capsys)
    return code, err


def test_a_bad_import_speaks_nynorsk(
    tmp_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("region;alder;Persons 2020\n0301 Oslo;0 år;mange\n0301 Oslo;1 år;fleire\n")
    code, err = run(["--lang", "nn", "import", str(bad)], capsys)
    assert code == 2
    assert err.startswith("Feil: bad.csv: 2 celler er verken tal eller SSB-symbol (t.d. ")
    assert "Celler må ha tal eller eitt av . .. ... : - (prikkesymbola til SSB)." in err
    assert bokmal_words(err) == []
    assert not tmp_db.exists()


def test_a_missing_file_in_three_languages(
    tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["import", "nowhere.csv", "--lang", "nn"], capsys)
    assert code == 2
    assert "Finn ikkje fila nowhere.csv." in err
    assert "Sjekk stien og prøv på nytt." in err
    with pytest.raises(InputFileError) as caught:
        read_file("nowhere.csv")
    assert caught.value.text("nb") == "Finner ikke filen nowhere.csv."
    assert caught.value.text("en") == "No such file: nowhere.csv."


def test_a_wrapped_error_keeps_the_language_of_its_inner_words(tmp_path: Path) -> None:
    # a JSON-stat file that is not JSON: the decoder's words inside the file's
    broken = tmp_path / "broken.json"
    broken.write_text('{"class": "dataset", "id": ["a"], "size": [1, 2]}', encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_file(broken, table_id="07459")
    error = caught.value
    assert error.text("nn").startswith("broken.json: Ugyldig JSON-stat: ")
    assert error.text("en").startswith("broken.json: Malformed JSON-stat: ")
    assert error.hint_text("nn") == (
        "Er det ei komplett nedlasting frå statistikkbanken? Prøv å laste ned fila på nytt."
    )


def test_an_unknown_content_label_in_nynorsk(tmp_path: Path) -> None:
    path = tmp_path / "netto.csv"
    path.write_text('"12362: Netto"\n\nregion;Noko heilt anna 2020\n0301 Oslo;3\n')
    with pytest.raises(InputFileError) as caught:
        read_file(path, cache_dir=tmp_path)
    nynorsk = caught.value.text("nn")
    assert nynorsk.startswith("netto.csv: innhaldsetiketten 'Noko heilt anna' er ikkje blant")
    assert nynorsk.endswith("Ingenting vart lagra.")
    assert "`kostra fetch --tables 12362` så etikettane blir kjende" in (
        caught.value.hint_text("nn") or ""
    )
    # the closest labels are SSB's own, in bokmål; the words around them are ours
    ours, _, labels = nynorsk.partition(" Dei næraste kjende etikettane for tabell 12362: ")
    assert labels
    assert bokmal_words(ours) == []


def test_a_px_file_without_a_time_variable(tmp_path: Path) -> None:
    path = tmp_path / "regions.px"
    path.write_text(
        'CHARSET="ANSI";\nMATRIX="07459";\nSTUB="region";\nVALUES("region")="0301 Oslo";\n'
        "DATA=\n1;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        read_file(path)
    error = caught.value
    assert "PX-fila manglar variabelen tid (år) (variablane er region)." in error.text("nn")
    assert "PX-filen mangler variabelen tid (år)" in error.text("nb")
    assert "The PX file has no time (year) variable" in error.text("en")
    assert error.hint_text("nn") == "kostra lagrar årlege tal per region."


SSB = "https://data.ssb.no/api/pxwebapi/v2"


def test_a_bad_api_address_in_nynorsk(tmp_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(
        ["--lang", "nn", "fetch", "--tables", "07459", "--base-url", "ftp://eksempel/api"], capsys
    )
    assert code == 2
    assert err.startswith(
        "Feil: Ikkje ei brukbar API-adresse: 'ftp://eksempel/api'; det blir berre henta frå "
    )
    assert "Lokale filer blir lesne inn med `kostra import FIL`." in err
    assert bokmal_words(err) == []


def test_a_refused_data_request_names_the_request_in_each_language(tmp_path: Path) -> None:
    regions = ["0301", "3201", "4601", "5001", "1103"]
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{SSB}/config").respond(json={"maxDataCells": 800_000})
        router.route(url__regex=rf"{SSB}/tables/12345/data.*").respond(
            404, json={"title": "Non-existent value", "status": 404}
        )
        with (
            SsbClient(SSB, cache_dir=tmp_path / "cache") as client,
            pytest.raises(SsbRequestError) as caught,
        ):
            client.data("12345", {"Region": regions, "Tid": ["2024"]})
    error = caught.value
    assert error.text("nn") == (
        "SSB svarte 404 Non-existent value "
        "(tabell 12345, utval Region=0301,3201,4601,… (5 kodar); Tid=2024)."
    )
    assert error.text("nb").endswith(
        "(tabell 12345, utvalg Region=0301,3201,4601,… (5 koder); Tid=2024)."
    )
    assert error.text("en") == (
        "SSB answered 404 Non-existent value "
        "(table 12345, selection Region=0301,3201,4601,… (5 codes); Tid=2024)."
    )
    assert error.hint_text("nn") == (
        "Sjekk tabellnummeret (tabellnummera til SSB har 5 siffer, som 07459 eller 12362)."
    )


@respx.mock
def test_klass_offline_in_nynorsk(tmp_path: Path) -> None:
    base = "https://klass.test/api/klass/v1"
    respx.get(f"{base}/classifications/131/correspondsAt").mock(
        side_effect=httpx.ConnectError("Name or service not known")
    )
    client = klass.KlassClient(Settings(klass_url=base, cache_dir=tmp_path), timeout=2.0)
    with pytest.raises(SourceError) as caught:
        client.kostra_groups(2024)
    error = caught.value
    assert error.text("nn") == (
        f"KOSTRA-gruppene for 2024 manglar: Får ikkje kontakt med Klass ({base}) (ConnectError), "
        "så korrespondanse frå klassifikasjon 131 til 112 per 2024-01-01 manglar."
    )
    assert error.text("en").startswith("The KOSTRA groups for 2024 are absent: Klass (")
    assert (error.hint_text("nn") or "").startswith("Sjekk nettsambandet (eller KOSTRA_KLASS_URL)")
    assert bokmal_words(error.text("nn")) == []
