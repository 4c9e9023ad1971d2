"""SSB's classification service Klass: municipality codes, code changes, KOSTRA groups.

Three endpoints of ``https://data.ssb.no/api/klass/v1`` (``Settings.klass_url``), asked for JSON:

- ``/classifications/{id}/codesAt?date=`` → ``{"codes": [{code, parentCode, level, name,
  shortName, presentationName, validFrom, validTo, notes}]}``
- ``/classifications/{id}/changes?from=&to=`` → ``{"codeChanges": [{oldCode, oldName,
  oldShortName, newCode, newName, newShortName, changeOccurred}]}`` (no ``oldCode``: the new
  code began; no ``newCode``: the old one ended)
- ``/classifications/{id}/correspondsAt?targetClassificationId=&date=`` →
  ``{"correspondenceItems": [{sourceCode, sourceName, sourceShortName, targetCode, targetName,
  targetShortName}]}``; 404 when no correspondence table covers the date.

(Field names as serialised by statisticsnorway/klass ``klass-api`` DTOs ``CodeItem``,
``CodeChangeItem``, ``CorrespondenceItem``.) Answers are cached as JSON under
``Settings.cache_dir / "klass"`` (written atomically) and reused offline.
Classification 131 is the municipality standard, 112 the KOSTRA grouping of municipalities.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from kostra.errors import SourceError
from kostra.i18n.said import Said, say
from kostra.settings import Settings

__all__ = [
    "KOSTRA_GROUPS",
    "MUNICIPALITIES",
    "KlassClient",
    "changes",
    "codes_at",
    "corresponds_at",
    "kostra_groups",
]

MUNICIPALITIES = 131
"""Klass classification: Standard for kommuneinndeling."""
KOSTRA_GROUPS = 112
"""Klass classification: KOSTRA-grupperinger (kommuner)."""

CODES_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.Utf8(),
    "parent_code": pl.Utf8(),
    "level": pl.Utf8(),
    "name": pl.Utf8(),
    "short_name": pl.Utf8(),
    "valid_from": pl.Date(),
    "valid_to": pl.Date(),
}
CHANGES_SCHEMA: dict[str, pl.DataType] = {
    "old_code": pl.Utf8(),
    "old_name": pl.Utf8(),
    "new_code": pl.Utf8(),
    "new_name": pl.Utf8(),
    "change_occurred": pl.Date(),
}
CORRESPONDENCE_SCHEMA: dict[str, pl.DataType] = {
    "source_code": pl.Utf8(),
    "source_name": pl.Utf8(),
    "target_code": pl.Utf8(),
    "target_name": pl.Utf8(),
}
KOSTRA_GROUPS_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.Utf8(),
    "kostra_group": pl.Utf8(),
    "kostra_group_label": pl.Utf8(),
}


def _iso(value: dt.date | str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise SourceError(
            say("error.klass.not_a_date", value=repr(value)),
            hint=say("error.klass.not_a_date.hint"),
        ) from exc


class KlassNotFoundError(SourceError):
    """Klass has nothing at the address asked for (404): no classification, version or
    correspondence table covers the id or the date."""


class KlassClient:
    """A small Klass client with an on-disk JSON cache.

    ``transport`` lets tests and the local server substitute an ``httpx`` transport.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        cache_dir: Path | None = None,
        timeout: float = 30.0,
        language: str = "nb",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        settings = settings or Settings()
        self.base_url = (base_url or settings.klass_url).rstrip("/")
        self.cache_dir = (cache_dir or settings.cache_dir) / "klass"
        self.timeout = timeout
        self.language = language
        self._transport = transport

    # ------------------------------------------------------------------ transport and cache

    def _cache_path(self, path: str, params: Mapping[str, str]) -> Path:
        key = json.dumps([self.base_url, path, sorted(params.items())], ensure_ascii=False)
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        slug = path.strip("/").replace("/", "_")
        return self.cache_dir / f"{slug}-{digest}.json"

    def _write_cache(self, target: Path, payload: Any) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, ensure_ascii=False)
            os.replace(tmp, target)  # atomic: readers see the old file or the whole new one
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _get(self, path: str, params: Mapping[str, str], *, what: Said, refresh: bool) -> Any:
        """Klass's answer (from the cache unless ``refresh``); ``what`` says what was asked
        for, in the words of the errors."""
        params = {**params, "language": self.language}
        cached = self._cache_path(path, params)
        if not refresh and cached.is_file():
            try:
                return json.loads(cached.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass  # a damaged cache file is fetched again
        url = f"{self.base_url}{path}"
        try:
            with httpx.Client(
                timeout=self.timeout,
                transport=self._transport,
                headers={"Accept": "application/json"},
                follow_redirects=True,
            ) as client:
                response = client.get(url, params=params)
        except (httpx.TransportError, OSError) as exc:
            raise SourceError(
                say(
                    "error.klass.unreachable",
                    url=self.base_url,
                    error=type(exc).__name__,
                    what=what,
                ),
                hint=say("error.klass.unreachable.hint"),
            ) from exc
        if response.status_code == 404:
            raise KlassNotFoundError(
                say("error.klass.not_found", what=what, url=str(response.request.url)),
                hint=say("error.klass.not_found.hint"),
            )
        if response.status_code >= 400:
            raise SourceError(
                say("error.klass.status", status=response.status_code, what=what),
                hint=say("error.klass.status.hint"),
            )
        try:
            payload = response.json()
        except ValueError as exc:
            raise SourceError(
                say("error.klass.not_json", what=what), hint=say("error.klass.not_json.hint")
            ) from exc
        self._write_cache(cached, payload)
        return payload

    @staticmethod
    def _items(payload: Any, key: str, what: Said) -> list[dict[str, Any]]:
        items = payload.get(key) if isinstance(payload, Mapping) else None
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise SourceError(
                say("error.klass.no_list", what=what, member=repr(key)),
                hint=say("error.klass.no_list.hint"),
            )
        return [dict(i) for i in items]

    # ------------------------------------------------------------------ endpoints

    def codes_at(
        self, classification_id: int, date: dt.date | str, *, refresh: bool = False
    ) -> pl.DataFrame:
        """Codes of a classification valid on ``date``: code, parent_code, level, name,
        short_name, valid_from, valid_to (null when still valid)."""
        day = _iso(date)
        what = say("error.klass.what.codes", classification=classification_id, day=day)
        payload = self._get(
            f"/classifications/{classification_id}/codesAt",
            {"date": day},
            what=what,
            refresh=refresh,
        )
        items = self._items(payload, "codes", what)
        return _frame(
            items,
            {
                "code": "code",
                "parent_code": "parentCode",
                "level": "level",
                "name": "name",
                "short_name": "shortName",
                "valid_from": "validFrom",
                "valid_to": "validTo",
            },
            CODES_SCHEMA,
        )

    def changes(
        self,
        classification_id: int,
        from_date: dt.date | str,
        to_date: dt.date | str | None = None,
        *,
        refresh: bool = False,
    ) -> pl.DataFrame:
        """Code changes between two dates: old_code, old_name, new_code, new_name,
        change_occurred. A null old_code means a new code; a null new_code, an ended one."""
        params = {"from": _iso(from_date)}
        if to_date is not None:
            params["to"] = _iso(to_date)
        what = say("error.klass.what.changes", classification=classification_id, day=params["from"])
        payload = self._get(
            f"/classifications/{classification_id}/changes", params, what=what, refresh=refresh
        )
        items = self._items(payload, "codeChanges", what)
        return _frame(
            items,
            {
                "old_code": "oldCode",
                "old_name": "oldName",
                "new_code": "newCode",
                "new_name": "newName",
                "change_occurred": "changeOccurred",
            },
            CHANGES_SCHEMA,
        )

    def corresponds_at(
        self, source_id: int, target_id: int, date: dt.date | str, *, refresh: bool = False
    ) -> pl.DataFrame:
        """The correspondence from one classification to another valid on ``date``:
        source_code, source_name, target_code, target_name."""
        day = _iso(date)
        what = say("error.klass.what.correspondence", source=source_id, target=target_id, day=day)
        payload = self._get(
            f"/classifications/{source_id}/correspondsAt",
            {"targetClassificationId": str(target_id), "date": day},
            what=what,
            refresh=refresh,
        )
        items = self._items(payload, "correspondenceItems", what)
        return _frame(
            items,
            {
                "source_code": "sourceCode",
                "source_name": "sourceName",
                "target_code": "targetCode",
                "target_name": "targetName",
            },
            CORRESPONDENCE_SCHEMA,
        )

    def kostra_groups(self, year: int, *, refresh: bool = False) -> pl.DataFrame:
        """Each municipality's KOSTRA group on 1 January of ``year``: code, kostra_group,
        kostra_group_label (the 131 → 112 correspondence)."""
        try:
            pairs = self.corresponds_at(
                MUNICIPALITIES, KOSTRA_GROUPS, dt.date(year, 1, 1), refresh=refresh
            )
        except SourceError as exc:
            # a year Klass has no grouping for stays told apart from Klass being unreachable
            kind = KlassNotFoundError if isinstance(exc, KlassNotFoundError) else SourceError
            raise kind(
                say("error.klass.groups_absent", year=year, error=exc.words()),
                hint=exc.hint_words(),
            ) from exc
        duplicated = pairs.filter(pl.col("source_code").is_duplicated())
        if duplicated.height:
            raise SourceError(
                say(
                    "error.klass.two_groups", code=str(duplicated.item(0, "source_code")), year=year
                ),
                hint=say("error.klass.two_groups.hint"),
            )
        return pairs.select(
            pl.col("source_code").alias("code"),
            pl.col("target_code").alias("kostra_group"),
            pl.col("target_name").alias("kostra_group_label"),
        ).sort("code")


def _frame(
    items: list[dict[str, Any]], fields: Mapping[str, str], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """Items to a frame: renamed fields, codes as text, ISO dates as dates."""
    columns: dict[str, list[Any]] = {}
    for out_name, key in fields.items():
        values = [item.get(key) for item in items]
        # Klass sends "" for an absent parent code or short name: missing is missing.
        columns[out_name] = [None if v in ("", None) else str(v) for v in values]
    frame = pl.DataFrame(columns, schema=dict.fromkeys(fields, pl.Utf8))
    try:
        return frame.with_columns(
            pl.col(name).str.to_date("%Y-%m-%d")
            for name, dtype in schema.items()
            if dtype == pl.Date()
        )
    except pl.exceptions.PolarsError as exc:
        raise SourceError(
            say("error.klass.bad_date"), hint=say("error.klass.bad_date.hint")
        ) from exc


# ---------------------------------------------------------------------- module-level shortcuts


def codes_at(
    classification_id: int, date: dt.date | str, *, client: KlassClient | None = None
) -> pl.DataFrame:
    """See :meth:`KlassClient.codes_at`; uses a client built from the environment's settings."""
    return (client or KlassClient()).codes_at(classification_id, date)


def changes(
    classification_id: int,
    from_date: dt.date | str,
    to_date: dt.date | str | None = None,
    *,
    client: KlassClient | None = None,
) -> pl.DataFrame:
    """See :meth:`KlassClient.changes`."""
    return (client or KlassClient()).changes(classification_id, from_date, to_date)


def corresponds_at(
    source_id: int, target_id: int, date: dt.date | str, *, client: KlassClient | None = None
) -> pl.DataFrame:
    """See :meth:`KlassClient.corresponds_at`."""
    return (client or KlassClient()).corresponds_at(source_id, target_id, date)


def kostra_groups(year: int, *, client: KlassClient | None = None) -> pl.DataFrame:
    """See :meth:`KlassClient.kostra_groups`."""
    return (client or KlassClient()).kostra_groups(year)
