"""``kostra fetch``: SSB tables into the warehouse, one vintage per table."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kostra.cli._app import app, state
from kostra.cli._options import ComputeOption
from kostra.cli._output import format_number
from kostra.errors import KostraError, shown
from kostra.i18n import Words, number
from kostra.i18n.said import Said, say, say_plural
from kostra.sources.ssb import FetchPlan, SsbClient, TableMetadata

POPULATION_TABLE = "07459"

_TEXT = Words(
    "cli.fetch",
    (
        "title",
        "table",
        "name",
        "cells",
        "requests",
        "total",
        "dry",
        "done",
        "same",
    ),
)


def parse_years(text: str) -> list[int]:
    """``2015-2025``, ``2024`` or ``2015,2020-2022`` as a sorted list of years."""
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d{4})\s*(?:-|–|\.\.)\s*(\d{4})", part)
        if match:
            first, last = int(match.group(1)), int(match.group(2))
            if first > last:
                first, last = last, first
            years.update(range(first, last + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise KostraError(
                say("error.cli.fetch.years", text=shown(text)),
                hint=say("error.cli.fetch.years.hint"),
            )
    return sorted(years)


def _region_variable(metadata: TableMetadata) -> str | None:
    raw_role = metadata.raw.get("role") if isinstance(metadata.raw, dict) else None
    geo = raw_role.get("geo") if isinstance(raw_role, dict) else None
    if geo:
        return str(geo[0])
    for variable in metadata.variables:
        folded = variable.code.casefold()
        if folded == "region" or (folded.startswith("kok") and "region" in folded):
            return variable.code
    return None


def _municipality_codes(text: str) -> list[str]:
    from kostra.geography import resolve_municipality

    codes: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if re.fullmatch(r"\d{4}|E[A-Z0-9]+", part):
            codes.append(part)
        else:
            codes.append(resolve_municipality(part).code)
    return codes


def preset_selections(name: str) -> dict[str, dict[str, list[str]]]:
    """What a preset fetches: ``{table_id: {variable: codes}}`` beyond region and years.

    ``asss``: every series the indicator catalog reads (sources, formula sides, weights), the
    union of contents codes and dimension values per table, plus population (07459) for the
    per-inhabitant denominators.
    """
    if name.casefold() != "asss":
        raise KostraError(
            say("error.cli.fetch.preset", name=shown(name)),
            hint=say("error.cli.fetch.preset.hint"),
        )
    from kostra.catalog import load_catalog

    tables: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for ref in load_catalog().series():
        tables[ref.table_id]["ContentsCode"].add(ref.contents_code)
        for dim, code in ref.dims.items():
            tables[ref.table_id][dim].add(code)
    tables[POPULATION_TABLE]["ContentsCode"].add("Personer1")
    return {
        table: {dim: sorted(codes) for dim, codes in dims.items()}
        for table, dims in sorted(tables.items())
    }


def build_plans(
    client: SsbClient,
    selections: dict[str, dict[str, list[str]]],
    years: list[int] | None,
    municipalities: list[str] | None,
) -> list[FetchPlan]:
    """One plan per table: years and regions narrowed where given, the rest whole."""
    plans: list[FetchPlan] = []
    for table_id, given in selections.items():
        metadata = client.metadata(table_id)
        selection: dict[str, list[str]] = {k: list(v) for k, v in given.items()}
        time = metadata.time
        if years is not None and time is not None:
            wanted = {str(y) for y in years}
            codes = [code for code in time.codes if code[:4] in wanted]
            if not codes:
                raise KostraError(
                    say(
                        "error.cli.fetch.table_years",
                        table=table_id,
                        first=years[0],
                        last=years[-1],
                    ),
                    hint=say(
                        "error.cli.fetch.table_years.hint",
                        start=time.codes[0],
                        end=time.codes[-1],
                    ),
                )
            selection[time.code] = codes
        region = _region_variable(metadata)
        if municipalities and region is not None:
            selection[region] = municipalities
        eliminate = [
            v.code
            for v in metadata.variables
            if v.elimination and v.code.casefold() == "kjonn" and v.code not in selection
        ]
        plans.append(client.plan(table_id, selection, eliminate=eliminate))
    return plans


@app.command("fetch")
def fetch_command(
    tables: Annotated[
        str | None,
        typer.Option(
            "--tables",
            "-t",
            metavar="IDS",
            help="SSB table ids, comma-separated: 07459,12362 (import and db take -t too).",
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option("--preset", help="Everything an analysis needs: asss (the catalog)."),
    ] = None,
    years: Annotated[
        str | None, typer.Option("--years", help="Years: 2015-2025, 2024 or 2015,2020-2024.")
    ] = None,
    municipalities: Annotated[
        str | None,
        typer.Option("--municipalities", help="Municipality codes or names, comma-separated."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="PxWebApi 2.0 base URL (default: SSB's, or $KOSTRA_BASE_URL)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be fetched, then stop.")
    ] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")
    ] = True,
    classifications: Annotated[
        bool,
        typer.Option(
            "--classifications",
            help="Fetch SSB's KOSTRA grouping (Klass 112) for --years into the cache instead.",
        ),
    ] = False,
    compute: ComputeOption = True,
) -> None:
    """Fetch SSB tables into the warehouse; a table is stored only once all of it arrived."""
    settings = state.settings
    text = _TEXT.get(settings.text_lang, _TEXT["nb"])
    if classifications:
        from kostra.cli.workbench_fetch import fetch_classifications

        fetch_classifications(years, tables is not None or preset is not None)
        return
    if (tables is None) == (preset is None):
        raise KostraError(
            say("error.cli.fetch.tables_or_preset"),
            hint=say("error.cli.fetch.tables_or_preset.hint"),
        )
    if preset is not None:
        selections = preset_selections(preset)
    else:
        assert tables is not None
        ids = [t.strip() for t in tables.split(",") if t.strip()]
        bad = [t for t in ids if not re.fullmatch(r"\d{5}", t)]
        if bad or not ids:
            raise KostraError(
                say("error.cli.fetch.table_ids", ids=", ".join(bad) or repr(tables)),
                hint=say("error.cli.fetch.table_ids.hint"),
            )
        selections = {t: {} for t in dict.fromkeys(ids)}
    year_list = parse_years(years) if years else None
    codes = _municipality_codes(municipalities) if municipalities else None
    console = Console(stderr=True)
    with SsbClient(base_url, settings=settings, progress=progress) as client:
        _check_codes(client, selections)
        plans = build_plans(client, selections, year_list, codes)
        _show_plans(console, plans, client.base_url, text, settings.text_lang)
        if dry_run:
            console.print(text["dry"])
            return
        from kostra.warehouse import Warehouse

        stored_new = False
        for plan in plans:
            result = client.fetch(plan)
            with Warehouse.open(settings.db) as warehouse:
                before = _newest_vintage(warehouse, plan.table_id)
                vintage = client.load(warehouse, result)
            key = "same" if vintage == before else "done"
            stored_new = stored_new or key == "done"
            console.print(
                text[key].format(
                    table=plan.table_id,
                    rows=format_number(result.frame.height, settings.text_lang),
                    vintage=vintage,
                    requests=result.requests,
                    cached=result.cached_chunks,
                ),
                highlight=False,
            )
    if compute and stored_new:
        from kostra.cli._computed import compute_year

        compute_year(console, show_progress=progress)


def _newest_vintage(warehouse: Any, table_id: str) -> int | None:
    frame = warehouse.vintages(table_id)
    if frame.height == 0:
        return None
    return int(frame.get_column("vintage_id").max())


def _show_plans(
    console: Console, plans: list[FetchPlan], url: str, text: Mapping[str, str], lang: str
) -> None:
    table = Table(title=text["title"].format(url=url))
    table.add_column(text["table"])
    table.add_column(text["name"])
    table.add_column(text["cells"], justify="right")
    table.add_column(text["requests"], justify="right")
    for plan in plans:
        title = plan.metadata.label
        table.add_row(
            plan.table_id,
            title if len(title) <= 60 else title[:59] + "…",
            format_number(plan.cells, lang),
            format_number(plan.requests, lang),
        )
    table.add_row(
        text["total"],
        "",
        format_number(sum(p.cells for p in plans), lang),
        format_number(sum(p.requests for p in plans), lang),
    )
    console.print(table)


def _check_codes(client: SsbClient, selections: dict[str, dict[str, list[str]]]) -> None:
    """Stop before any data request when a selected code is not in SSB's metadata, listing
    every such code with SSB's closest labels (the catalog's codes for ``--preset``)."""
    from kostra.catalog.verify import Finding, describe, problems_for_selection
    from kostra.sources.ssb import SsbRequestError

    problems: list[Finding] = []
    for table_id, given in selections.items():
        if not given:
            continue
        try:
            metadata = client.metadata(table_id)
        except SsbRequestError as error:
            if error.status != 404:
                raise
            problems.append(Finding(table_id, "table", table_id, "missing_table", "live"))
            continue
        problems.extend(problems_for_selection(metadata, given))
    if not problems:
        return
    lines = Said.each(
        lambda lang: "\n".join(f"  {describe(finding, lang)}" for finding in problems)
    )
    count = len(problems)
    raise KostraError(
        say_plural(
            "cli.fetch.bad_codes", count, Said.each(lambda lang: number(count, lang)), lines=lines
        ),
        hint=say("cli.fetch.bad_codes_hint"),
    )
