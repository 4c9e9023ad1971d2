"""``kostra profile --compare`` shows each compared municipality's value in a column of its own
in the table (issue 14: "--compare Bergen changes nothing in table output"), a peer member
(Bergen in ASSS) as well as an outsider (Lørenskog), with the same value as the export."""

from __future__ import annotations

import json

import pytest

from kostra.cli import main
from kostra.cli._output import format_number


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    main(list(args))
    return capsys.readouterr().out


def test_compared_municipalities_are_columns_of_the_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    base = ("profile", "Bærum", "-s", "skole", "--year", "2024", "-c", "Lørenskog", "-c", "Bergen")
    table = _run(capsys, *base)
    header = next(line for line in table.splitlines() if line.startswith("nøkkeltall"))
    assert header.split()[:4] == ["nøkkeltall", "verdi", "Lørenskog", "Bergen"]
    rows = json.loads(_run(capsys, *base, "-f", "json"))
    bergen = next(
        r for r in rows if r["kommune"] == "Bergen" and r["id"] == "ndu_grunnskole_per_innb_6_15"
    )
    line = next(x for x in table.splitlines() if x.startswith("Netto driftsutgifter grunnskole"))
    assert format_number(bergen["verdi"], "nb", 0) in line
    plain = _run(capsys, "profile", "Bærum", "-s", "skole", "--year", "2024")
    assert "Bergen" not in next(x for x in plain.splitlines() if x.startswith("nøkkeltall"))
