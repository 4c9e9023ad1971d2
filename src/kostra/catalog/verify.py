"""Check the catalog's table ids, ContentsCodes and dimension values against SSB's metadata.

:func:`verify_catalog` compares every series the catalog reads (:meth:`Catalog.series`) with a
table's metadata, as :class:`~kostra.sources.ssb.SsbClient` reads it live or as a fetch kept it
on disk (:func:`kostra.sources.labels.read_cached_metadata`). Each (table, variable, code) gets
one row with a ``status``:

``ok``
    the code is in the table's metadata;
``renamed``
    the code is gone, but SSB's label we hold for it (``catalog/data/ssb_labels.csv``) now
    belongs to another code, given in ``ssb_code``;
``wrong``
    the code is not in the table and no label identifies a successor; ``closest`` lists SSB's
    closest labels (by our label for the code, else by the code itself);
``unknown_variable``
    the table has no such dimension;
``missing_table``
    SSB has no table with this id (404);
``unchecked``
    no metadata could be read (no network and nothing in the fetch cache), or the copy in the
    cache came from another API than the one checked against (``checked_against`` is then
    ``other_api``): a local server's metadata never confirms a code for SSB's.

Pure apart from the metadata getter passed in: the CLI (``kostra catalog verify``) and the fetch
path (:func:`problems_for_selection`) share it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from kostra.catalog.models import Catalog, Indicator, series_of
from kostra.i18n import text
from kostra.sources._ssb.metadata import TableMetadata, Variable
from kostra.sources.labels import catalog_labels, closest_labels, normalise_label

__all__ = [
    "FINDING_SCHEMA",
    "PROBLEM_STATUSES",
    "Finding",
    "MetadataGetter",
    "check_codes",
    "problems_for_selection",
    "unconfirmed_sentence",
    "verify_catalog",
]

Status = Literal["ok", "renamed", "wrong", "unknown_variable", "missing_table", "unchecked"]
PROBLEM_STATUSES = frozenset({"renamed", "wrong", "unknown_variable", "missing_table"})

MetadataGetter = Callable[[str], "tuple[TableMetadata | None, str]"]
"""``table_id`` → (metadata or None, where it came from: "live", "cache", "missing", "none")."""


@dataclass(frozen=True)
class Finding:
    """One catalog code checked against SSB's metadata."""

    table_id: str
    variable: str
    code: str
    status: Status
    checked_against: str
    indicators: tuple[str, ...] = ()
    our_label: str | None = None
    ssb_label: str | None = None
    ssb_code: str | None = None
    closest: tuple[tuple[str, str], ...] = ()

    @property
    def problem(self) -> bool:
        """Whether the code needs a fix before a fetch can use it."""
        return self.status in PROBLEM_STATUSES

    def row(self) -> dict[str, str | None]:
        """The finding as a flat row (``closest`` as ``CODE = label`` joined by ``; ``)."""
        return {
            "table_id": self.table_id,
            "variable": self.variable,
            "code": self.code,
            "status": self.status,
            "checked_against": self.checked_against,
            "indicators": ", ".join(self.indicators),
            "our_label": self.our_label,
            "ssb_label": self.ssb_label,
            "ssb_code": self.ssb_code,
            "closest": "; ".join(f"{code} = {label}" for code, label in self.closest) or None,
        }


FINDING_SCHEMA = {
    "table_id": pl.Utf8,
    "variable": pl.Utf8,
    "code": pl.Utf8,
    "status": pl.Utf8,
    "checked_against": pl.Utf8,
    "indicators": pl.Utf8,
    "our_label": pl.Utf8,
    "ssb_label": pl.Utf8,
    "ssb_code": pl.Utf8,
    "closest": pl.Utf8,
}


def _find_variable(metadata: TableMetadata, name: str) -> Variable | None:
    if name == "ContentsCode" and metadata.contents is not None:
        return metadata.contents
    wanted = name.casefold()
    return next((v for v in metadata.variables if v.code.casefold() == wanted), None)


def check_codes(
    metadata: TableMetadata,
    wanted: Mapping[str, Iterable[str]],
    *,
    checked_against: str,
    indicators: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
) -> list[Finding]:
    """One :class:`Finding` per wanted (variable, code) of one table's metadata."""
    ours = catalog_labels().get(metadata.table_id, {})
    findings: list[Finding] = []
    for name, codes in wanted.items():
        variable = _find_variable(metadata, name)
        for code in codes:
            users = (indicators or {}).get((name, code), ())
            our_label = ours.get(code) if name == "ContentsCode" else None
            common = {
                "table_id": metadata.table_id,
                "variable": name,
                "code": code,
                "checked_against": checked_against,
                "indicators": users,
                "our_label": our_label,
            }
            if variable is None:
                known = {v.code: v.label for v in metadata.variables}
                findings.append(
                    Finding(
                        status="unknown_variable",
                        closest=tuple(closest_labels(name, known)),
                        **common,  # type: ignore[arg-type]
                    )
                )
                continue
            if code in variable.labels or code in variable.codes:
                findings.append(
                    Finding(status="ok", ssb_label=variable.labels.get(code), **common)  # type: ignore[arg-type]
                )
                continue
            labels = {c: variable.labels.get(c, c) for c in variable.codes}
            successor = None
            if our_label is not None:
                key = normalise_label(our_label)
                successor = next((c for c, t in labels.items() if normalise_label(t) == key), None)
            if successor is not None:
                findings.append(
                    Finding(
                        status="renamed",
                        ssb_code=successor,
                        ssb_label=labels[successor],
                        **common,  # type: ignore[arg-type]
                    )
                )
            else:
                findings.append(
                    Finding(
                        status="wrong",
                        closest=tuple(closest_labels(our_label or code, labels)),
                        **common,  # type: ignore[arg-type]
                    )
                )
    return findings


def _wanted(
    catalog: Catalog,
) -> tuple[dict[str, dict[str, list[str]]], dict[tuple[str, str, str], tuple[str, ...]]]:
    """Per table, the codes the catalog reads per variable; and who reads each code."""
    tables: dict[str, dict[str, list[str]]] = {}
    users: dict[tuple[str, str, str], list[str]] = {}
    for indicator in catalog.indicators:
        for ref in series_of(indicator):
            pairs = [("ContentsCode", ref.contents_code), *sorted(ref.dims.items())]
            for name, code in pairs:
                codes = tables.setdefault(ref.table_id, {}).setdefault(name, [])
                if code not in codes:
                    codes.append(code)
                who = users.setdefault((ref.table_id, name, code), [])
                if indicator.id not in who:
                    who.append(indicator.id)
    return tables, {key: tuple(value) for key, value in users.items()}


def verify_catalog(catalog: Catalog, metadata_for: MetadataGetter) -> pl.DataFrame:
    """Every catalog code checked; one row per (table, variable, code), see the module doc."""
    tables, users = _wanted(catalog)
    findings: list[Finding] = []
    for table_id in sorted(tables):
        wanted = tables[table_id]
        metadata, origin = metadata_for(table_id)
        if metadata is None:
            status: Status = "missing_table" if origin == "missing" else "unchecked"
            for name, codes in wanted.items():
                findings.extend(
                    Finding(
                        table_id=table_id,
                        variable=name,
                        code=code,
                        status=status,
                        checked_against=origin,
                        indicators=users[(table_id, name, code)],
                        our_label=catalog_labels().get(table_id, {}).get(code)
                        if name == "ContentsCode"
                        else None,
                    )
                    for code in codes
                )
            continue
        per_code = {
            (name, code): users[(table_id, name, code)]
            for name, cs in wanted.items()
            for code in cs
        }
        findings.extend(check_codes(metadata, wanted, checked_against=origin, indicators=per_code))
    return pl.DataFrame([f.row() for f in findings], schema=FINDING_SCHEMA)


def problems_for_selection(
    metadata: TableMetadata, selection: Mapping[str, Iterable[str]]
) -> list[Finding]:
    """The codes of a fetch selection that the table's metadata does not have (fetch path)."""
    findings = check_codes(metadata, selection, checked_against="live")
    return [finding for finding in findings if finding.problem]


def describe(finding: Finding | Mapping[str, str | None], lang: str = "nb") -> str:
    """One line for a problem: what is wrong and SSB's nearest alternatives."""
    row = finding.row() if isinstance(finding, Finding) else finding
    head = f"{row['table_id']} {row['variable']}={row['code']}"
    if row["status"] == "renamed":
        return text("verify.renamed", lang, head=head, code=row["ssb_code"], label=row["ssb_label"])
    if row["status"] == "missing_table":
        return text("verify.missing_table", lang, head=head, table=row["table_id"])
    near = row.get("closest") or ""
    if near:
        return text("verify.missing_code_closest", lang, head=head, closest=near)
    return text("verify.missing_code", lang, head=head)


def unconfirmed_sentence(indicator: Indicator, lang: str = "nb") -> str | None:
    """The sentence every surface (CLI, report, web, exports) shows beside a figure whose SSB
    codes are not confirmed, in ``lang`` (message ``unconfirmed_codes`` of :mod:`kostra.i18n`).

    None when the indicator's table and codes are confirmed (``source_confirmed``).
    """
    if indicator.source_confirmed:
        return None
    from kostra.i18n import listing, plural

    tables = sorted({ref.table_id for ref in series_of(indicator)})
    return plural("unconfirmed_codes", len(tables), lang, tables=listing(tables, lang))
