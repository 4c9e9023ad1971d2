"""SSB label text and codes: content labels to ContentsCodes, region codes, metadata on disk.

A statbank download with labels only names a content by SSB's label ("Andel barn 1-2 år i
barnehage, i forhold til innbyggere 1-2 år (prosent)"), not by its ContentsCode
(``KOSandel120000``). :func:`match_contents` maps such labels back to codes through two sources,
in this order:

1. the table's metadata as a fetch stored it on disk (``<cache_dir>/metadata/<table>.jsonstat2``,
   written by :class:`kostra.sources.ssb.SsbClient` whenever it reads a table's metadata), and
2. the label file packaged beside the catalog, ``catalog/data/ssb_labels.csv`` (SSB's verbatim
   label per table and ContentsCode; provenance in docs/DATA.md).

A catalog code without a verbatim SSB label has only kostra's own name
(:func:`catalog_own_names`). The local PxWebApi server answers with that name and lists the code
under :data:`OWN_LABEL_EXTENSION` in the dimension's ``extension``; labels so marked in a stored
metadata document are never taken for SSB's, so they never map a download's label to a code.

Labels are compared after folding case, dashes and white space, never by similarity: a label
that matches no known label exactly is refused, and the error names the table's closest known
labels. :func:`closest_labels` is shared with ``kostra catalog verify``.

:func:`unknown_regions` says which region codes SSB does not use: municipality and county codes
of 2005–2026, Oslo's and other cities' district codes (six digits), Svalbard, and SSB's
aggregates (``EAK``, ``EAKUO``, ``EKA<nn>``, ``EKG<nn>``, ``21-22``, ``Rest``).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from kostra.errors import InputFileError
from kostra.i18n.said import Said, same, say, say_plural

__all__ = [
    "OWN_LABEL_EXTENSION",
    "catalog_labels",
    "catalog_own_names",
    "closest_labels",
    "known_contents",
    "match_contents",
    "metadata_path",
    "normalise_label",
    "read_cached_metadata",
    "store_metadata",
    "unknown_regions",
]

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# Svalbard (2100, Longyearbyen 2111), Jan Mayen (2211) and the continental shelf (2311) appear in
# SSB's region lists although they are not municipalities of the mainland.
_EXTRA_MUNICIPALITIES = frozenset({"2100", "2111", "2121", "2131", "2211", "2311", "9999"})
_EXTRA_COUNTIES = frozenset({"00", "21", "22", "23", "99"})
_AGGREGATE = re.compile(r"^(?:EAK|EAKUO|EAFK|EAFKUO|EKA\d{2}|EKG\d{2}|EKK\d{2}|\d{2}-\d{2}|Rest)$")


def normalise_label(text: str) -> str:
    """A label folded for comparison: case, dashes, white space and a trailing colon."""
    folded = _SPACES.sub(" ", _DASHES.sub("-", str(text))).strip().rstrip(":").strip()
    return folded.casefold()


# --------------------------------------------------------------------------- label sources


@cache
def catalog_labels() -> dict[str, dict[str, str]]:
    """SSB's label per ContentsCode, by table, from ``catalog/data/ssb_labels.csv``."""
    text = (resources.files("kostra.catalog") / "data" / "ssb_labels.csv").read_text("utf-8")
    tables: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        tables.setdefault(row["table_id"], {})[row["contents_code"]] = row["label_nb"]
    return tables


OWN_LABEL_EXTENSION = "kostraOwnLabels"
"""Key, in a served ContentsCode dimension's ``extension``, of the codes whose label is kostra's
own name and not SSB's text (SSB itself never sends this key)."""


@cache
def catalog_own_names() -> dict[str, dict[str, str]]:
    """kostra's own name for every catalog ContentsCode that has no SSB label, by table.

    The name comes from the indicator that reads the series: its name where the series is the
    indicator's source, else "Teller i «…»", "Nevner i «…»" or "Vekt i «…»" (the first use
    in catalog order wins, sources before formula parts).
    """
    from kostra.catalog import load_catalog
    from kostra.catalog.models import SeriesRef

    known = catalog_labels()
    ranked: dict[tuple[str, str], tuple[int, str]] = {}
    for indicator in load_catalog().indicators:
        uses: list[tuple[int, str, list[SeriesRef]]] = []
        if indicator.source is not None:
            uses.append((0, indicator.name_nb, [indicator.source]))
        if indicator.formula is not None:
            uses.append((1, f"Teller i «{indicator.name_nb}»", indicator.formula.numerator))
            if isinstance(indicator.formula.denominator, list):
                uses.append((2, f"Nevner i «{indicator.name_nb}»", indicator.formula.denominator))
        if isinstance(indicator.weight_by, SeriesRef):
            uses.append((3, f"Vekt i «{indicator.name_nb}»", [indicator.weight_by]))
        for rank, name, refs in uses:
            for ref in refs:
                key = (ref.table_id, ref.contents_code)
                if ref.contents_code in known.get(ref.table_id, {}):
                    continue
                if key not in ranked or rank < ranked[key][0]:
                    ranked[key] = (rank, name)
    names: dict[str, dict[str, str]] = {}
    for (table, code), (_, name) in sorted(ranked.items()):
        names.setdefault(table, {})[code] = name
    return names


def metadata_path(cache_dir: Path, table_id: str) -> Path:
    """Where a fetch keeps a table's metadata document (JSON-stat2, Norwegian labels)."""
    return Path(cache_dir) / "metadata" / f"{table_id}.jsonstat2"


FETCHED_FROM_EXTENSION = "kostraFetchedFrom"
"""The key, in a kept metadata document's top-level ``extension``, naming the API it came from."""


def store_metadata(
    cache_dir: Path,
    table_id: str,
    document: Mapping[str, object],
    fetched_from: str | None = None,
) -> None:
    """Keep a table's metadata document on disk (atomically) for offline label matching and
    ``kostra catalog verify --offline``, with the base URL of the API that sent it: metadata
    from a local or test server must never pass for SSB's."""
    path = metadata_path(cache_dir, table_id)
    if fetched_from is not None:
        extension = document.get("extension")
        kept = dict(extension) if isinstance(extension, Mapping) else {}
        kept[FETCHED_FROM_EXTENSION] = fetched_from
        document = {**document, "extension": kept}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".partial")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream, ensure_ascii=False)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        # The copy only helps later offline imports; a read-only cache must not fail a fetch.
        return


def fetched_from(document: Mapping[str, object]) -> str | None:
    """The base URL a kept metadata document was fetched from (None: kept without it)."""
    extension = document.get("extension")
    if isinstance(extension, Mapping):
        value = extension.get(FETCHED_FROM_EXTENSION)
        if isinstance(value, str):
            return value
    return None


def same_api(first: str, second: str) -> bool:
    """Whether two PxWebApi base URLs name the same API (case of the host, trailing slash)."""
    return first.rstrip("/").lower() == second.rstrip("/").lower()


def read_cached_metadata(cache_dir: Path | None, table_id: str) -> dict[str, object] | None:
    """The metadata document a fetch stored for ``table_id``, or None (absent or unreadable)."""
    if cache_dir is None:
        return None
    try:
        document = json.loads(metadata_path(cache_dir, table_id).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _metadata_contents(document: Mapping[str, object], table_id: str) -> dict[str, str]:
    from kostra.sources._ssb.metadata import parse_metadata

    try:
        contents = parse_metadata(document, table_id).contents
    except Exception:  # a damaged cache file is ignored, the packaged labels still apply
        return {}
    # parse_metadata leaves out labels the local server marks as kostra's own
    return dict(contents.labels) if contents is not None else {}


def known_contents(table_id: str, cache_dir: Path | None = None) -> dict[str, str]:
    """ContentsCode → SSB label for ``table_id``: the fetched metadata's, then the catalog's."""
    known = dict(catalog_labels().get(table_id, {}))
    document = read_cached_metadata(cache_dir, table_id)
    if document is not None:
        known.update(_metadata_contents(document, table_id))
    return known


def closest_labels(text: str, known: Mapping[str, str], n: int = 3) -> list[tuple[str, str]]:
    """Up to ``n`` (code, label) pairs of ``known`` whose label (or code) is closest to ``text``."""
    by_label: dict[str, str] = {}
    for code, label in known.items():
        by_label.setdefault(normalise_label(label), code)
        by_label.setdefault(normalise_label(code), code)
    near = difflib.get_close_matches(normalise_label(text), list(by_label), n=n * 2, cutoff=0.0)
    out: list[tuple[str, str]] = []
    for key in near:
        code = by_label[key]
        if all(code != seen for seen, _ in out):
            out.append((code, known[code]))
        if len(out) == n:
            break
    return out


# --------------------------------------------------------------------------- matching


def parse_contents_option(items: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """``--contents`` values: ``LABEL=CODE`` pairs and at most one bare ``CODE``."""
    pairs: dict[str, str] = {}
    bare: str | None = None
    for item in items:
        label, sep, code = item.rpartition("=")
        code = code.strip()
        if not code or re.search(r"\s", code):
            raise InputFileError(
                say("error.labels.no_code", item=repr(item[:80])),
                hint=say("error.labels.no_code.hint"),
            )
        if sep:
            pairs[normalise_label(label)] = code
        elif bare is not None and bare != code:
            raise InputFileError(
                say("error.labels.one_bare"), hint=say("error.labels.one_bare.hint")
            )
        else:
            bare = code
    return pairs, bare


def match_contents(
    labels: Iterable[str],
    table_id: str,
    *,
    file_name: str,
    given: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> dict[str, str]:
    """ContentsCode for each content label of a file, or an error naming what did not match.

    ``given`` are the user's ``--contents`` values. Raises :class:`InputFileError` for a label
    that matches nothing, listing the table's closest known labels and the ways to continue.
    """
    pairs, bare = parse_contents_option(given)
    known = known_contents(table_id, cache_dir)
    by_label = {normalise_label(label): code for code, label in known.items()}
    mapping: dict[str, str] = {}
    unmatched: list[str] = []
    for label in labels:
        key = normalise_label(label)
        if key in pairs:
            mapping[label] = pairs[key]
        elif key in by_label:
            mapping[label] = by_label[key]
        else:
            unmatched.append(label)
    if unmatched and bare is not None and len(unmatched) == 1:
        mapping[unmatched.pop()] = bare
    if not unmatched:
        return mapping
    label = unmatched[0]
    near = closest_labels(label, known)
    if near:
        listed = "; ".join(f"{code} = {text!r}" for code, text in near)
        known_text = say("error.labels.closest", table=table_id, listed=listed)
    else:
        known_text = say("error.labels.none_offline", table=table_id)
    others = len(unmatched) - 1
    more: Said | str = say_plural("error.labels.more", others, same(str(others))) if others else ""
    raise InputFileError(
        say(
            "error.labels.unknown",
            file=file_name,
            label=repr(label),
            table=table_id,
            known=known_text,
            more=more,
        ),
        hint=say("error.labels.unknown.hint", file=file_name, table=table_id),
    )


# --------------------------------------------------------------------------- regions


@cache
def _region_codes() -> tuple[frozenset[str], frozenset[str]]:
    from kostra.geography._data import all_codes, counties

    municipalities = all_codes() | _EXTRA_MUNICIPALITIES
    county_codes = frozenset(counties()["county_code"].to_list()) | _EXTRA_COUNTIES
    return municipalities, county_codes


def unknown_regions(codes: Iterable[str]) -> list[str]:
    """The codes among ``codes`` that are no region SSB uses, in their given order."""
    municipalities, county_codes = _region_codes()
    out = []
    for code in codes:
        if code in municipalities or code in county_codes or _AGGREGATE.match(code):
            continue
        if len(code) == 6 and code.isdigit() and code[:4] in municipalities:
            continue  # a city district (bydel): 030101 …
        out.append(code)
    return out
