"""PxWebApi 2.0 metadata: the API's configuration, a table's variables, codelists, table lists.

Parsed by hand from the JSON the API returns because the real API varies (see
``shared/reference/pxwebapi/NOTES.md``): ``codeLists`` vs ``codelists``, ``category.index`` as a
list or as an object whose positions are not in key order, a lone category without ``index``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kostra.errors import SourceError
from kostra.i18n.said import say
from kostra.sources.labels import OWN_LABEL_EXTENSION

#: SSB's documented limits, used when ``/config`` leaves a field out.
DEFAULT_MAX_CELLS = 800_000
DEFAULT_MAX_CALLS = 30
DEFAULT_TIME_WINDOW = 60.0


@dataclass(frozen=True)
class ApiConfig:
    """The limits and languages a PxWebApi 2.0 server announces at ``/config``."""

    api_version: str = "2.0.0"
    max_data_cells: int = DEFAULT_MAX_CELLS
    max_calls: int = DEFAULT_MAX_CALLS
    time_window: float = DEFAULT_TIME_WINDOW
    languages: tuple[str, ...] = ("no", "en")
    default_language: str = "no"

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ApiConfig:
        """Read a ConfigResponse; absent or odd limits fall back to SSB's documented ones."""
        if not isinstance(doc, Mapping):
            raise SourceError(say("error.ssb.config_not_object"))
        cells = _positive_int(doc.get("maxDataCells"), DEFAULT_MAX_CELLS)
        calls = _positive_int(doc.get("maxCallsPerTimeWindow"), DEFAULT_MAX_CALLS)
        window = doc.get("timeWindow")
        window_s = (
            float(window)
            if isinstance(window, int | float) and not isinstance(window, bool) and window > 0
            else DEFAULT_TIME_WINDOW
        )
        languages = tuple(
            str(item.get("id"))
            for item in doc.get("languages") or []
            if isinstance(item, Mapping) and item.get("id")
        )
        return cls(
            api_version=str(doc.get("apiVersion", "2.0.0")),
            max_data_cells=cells,
            max_calls=calls,
            time_window=window_s,
            languages=languages or ("no", "en"),
            default_language=str(doc.get("defaultLanguage") or "no"),
        )


def _positive_int(value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return default


@dataclass(frozen=True)
class CodelistRef:
    """A value set or aggregation a variable offers (``vs_…`` / ``agg_…``)."""

    id: str
    label: str
    type: str


@dataclass(frozen=True)
class Variable:
    """One dimension of a table: its codes in metadata order and their labels."""

    code: str
    label: str
    codes: tuple[str, ...]
    labels: Mapping[str, str]
    elimination: bool = False
    elimination_code: str | None = None
    codelists: tuple[CodelistRef, ...] = ()
    is_time: bool = False
    is_contents: bool = False


@dataclass(frozen=True)
class TableMetadata:
    """A table's metadata: variables in the order of the table, plus what a vintage needs."""

    table_id: str
    label: str
    updated: str | None
    variables: tuple[Variable, ...]
    preliminary: bool | None = None
    notes: tuple[str, ...] = ()
    source: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``, matched case-insensitively as SSB does."""
        wanted = name.casefold()
        for variable in self.variables:
            if variable.code.casefold() == wanted:
                return variable
        known = ", ".join(v.code for v in self.variables)
        raise SourceError(
            say("error.ssb.no_variable", table=self.table_id, name=repr(name)),
            hint=say("error.ssb.no_variable.hint", known=known),
        )

    @property
    def time(self) -> Variable | None:
        """The time variable (role ``time``, else ``Tid``)."""
        return next((v for v in self.variables if v.is_time), None)

    @property
    def contents(self) -> Variable | None:
        """The ContentsCode variable (role ``metric``)."""
        return next((v for v in self.variables if v.is_contents), None)

    @property
    def total_cells(self) -> int:
        """Cells in the whole table."""
        total = 1
        for variable in self.variables:
            total *= len(variable.codes)
        return total


def ordered_codes(category: Mapping[str, Any]) -> list[str]:
    """A JSON-stat category's codes in their positions; the index may be a list or an object.

    An object index is sorted by its numbers, never by key order (SSB 05810 has
    ``{"0":0,"1":2,"2":1}``). Without an index, a single category comes from ``label``.
    """
    index = category.get("index")
    if isinstance(index, list):
        return [str(code) for code in index]
    if isinstance(index, Mapping):
        pairs = sorted(((int(pos), str(code)) for code, pos in index.items()), key=lambda p: p[0])
        positions = [pos for pos, _ in pairs]
        if positions != list(range(len(positions))):
            raise SourceError(say("error.ssb.index_gaps"))
        return [code for _, code in pairs]
    labels = category.get("label")
    if isinstance(labels, Mapping) and len(labels) == 1:
        return [str(next(iter(labels)))]
    raise SourceError(say("error.ssb.no_index"))


def _codelists(extension: Mapping[str, Any]) -> tuple[CodelistRef, ...]:
    # The spec renamed codeLists to codelists in 2025; SSB still sends the old spelling.
    raw = extension.get("codelists")
    if raw is None:
        raw = extension.get("codeLists")
    refs: list[CodelistRef] = []
    for item in raw or []:
        if isinstance(item, Mapping) and item.get("id"):
            refs.append(
                CodelistRef(
                    id=str(item["id"]),
                    label=str(item.get("label", "")),
                    type=str(item.get("type", "")),
                )
            )
    return tuple(refs)


def parse_metadata(doc: Mapping[str, Any], table_id: str) -> TableMetadata:
    """Read a ``/tables/{id}/metadata`` JSON-stat2 document into :class:`TableMetadata`."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("dimension"), Mapping):
        raise SourceError(say("error.ssb.metadata_not_dataset", table=table_id))
    ids = doc.get("id")
    dimension: Mapping[str, Any] = doc["dimension"]
    if not isinstance(ids, list):
        ids = list(dimension)
    role = doc.get("role") if isinstance(doc.get("role"), Mapping) else {}
    assert isinstance(role, Mapping)
    time_ids = {str(x).casefold() for x in role.get("time") or []}
    metric_ids = {str(x).casefold() for x in role.get("metric") or []}
    variables: list[Variable] = []
    for dim_id in ids:
        dim = dimension.get(dim_id)
        if not isinstance(dim, Mapping) or not isinstance(dim.get("category"), Mapping):
            raise SourceError(
                say("error.ssb.no_categories", table=table_id, dimension=repr(dim_id))
            )
        category = dim["category"]
        codes = ordered_codes(category)
        extension = dim.get("extension") if isinstance(dim.get("extension"), Mapping) else {}
        assert isinstance(extension, Mapping)
        labels_raw = category.get("label") or {}
        # kostra's local server marks names of its own; they are not SSB's label of the code
        own = extension.get(OWN_LABEL_EXTENSION)
        own_codes = {str(code) for code in own} if isinstance(own, list) else set()
        labels = {code: str(labels_raw.get(code, code)) for code in codes if code not in own_codes}
        folded = str(dim_id).casefold()
        elimination_code = extension.get("eliminationValueCode")
        variables.append(
            Variable(
                code=str(dim_id),
                label=str(dim.get("label", dim_id)),
                codes=tuple(codes),
                labels=labels,
                elimination=bool(extension.get("elimination", False)),
                elimination_code=None if elimination_code is None else str(elimination_code),
                codelists=_codelists(extension),
                is_time=folded in time_ids or (not time_ids and folded == "tid"),
                is_contents=folded in metric_ids or (not metric_ids and folded == "contentscode"),
            )
        )
    notes = doc.get("note")
    return TableMetadata(
        table_id=table_id,
        label=str(doc.get("label", table_id)),
        updated=str(doc["updated"]) if doc.get("updated") else None,
        variables=tuple(variables),
        preliminary=_preliminary(doc),
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (),
        source=str(doc["source"]) if doc.get("source") else None,
        raw=doc,
    )


def _preliminary(doc: Mapping[str, Any]) -> bool | None:
    """Whether SSB marks the figures preliminary; None when the metadata does not say.

    PxWebApi has no dedicated field. SSB states it in the table notes or the ContentsCode labels
    ("foreløpige tall" / "preliminary figures"); KOSTRA's 15 March release is preliminary.
    """
    texts: list[str] = []
    if isinstance(doc.get("label"), str):
        texts.append(doc["label"])
    for note in doc.get("note") or []:
        texts.append(str(note))
    extension = doc.get("extension")
    if isinstance(extension, Mapping):
        flag = extension.get("preliminary")
        if isinstance(flag, bool):
            return flag
    for dim in (doc.get("dimension") or {}).values():
        if isinstance(dim, Mapping) and isinstance(dim.get("category"), Mapping):
            texts.extend(str(v) for v in (dim["category"].get("label") or {}).values())
    folded = " ".join(texts).casefold()
    if "foreløpig" in folded or "preliminary" in folded:
        return True
    return None


@dataclass(frozen=True)
class Codelist:
    """A ``/codelists/{id}`` answer: the codes of a value set or aggregation, in order."""

    id: str
    label: str
    type: str
    codes: tuple[str, ...]
    labels: Mapping[str, str]
    value_map: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Codelist:
        """Read a CodelistResponse."""
        values = doc.get("values")
        if not isinstance(values, list):
            raise SourceError(say("error.ssb.codelist_values", codelist=repr(doc.get("id"))))
        codes = tuple(str(v["code"]) for v in values)
        return cls(
            id=str(doc.get("id", "")),
            label=str(doc.get("label", "")),
            type=str(doc.get("type", "")),
            codes=codes,
            labels={str(v["code"]): str(v.get("label", v["code"])) for v in values},
            value_map={
                str(v["code"]): tuple(str(x) for x in v.get("valueMap") or []) for v in values
            },
        )


@dataclass(frozen=True)
class TableInfo:
    """One entry of ``/tables`` (or the answer of ``/tables/{id}``)."""

    id: str
    label: str
    updated: str | None
    first_period: str | None
    last_period: str | None
    variable_names: tuple[str, ...]
    discontinued: bool | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> TableInfo:
        """Read a Table object."""
        names: Sequence[Any] = doc.get("variableNames") or []
        discontinued = doc.get("discontinued")
        return cls(
            id=str(doc["id"]),
            label=str(doc.get("label") or ""),
            updated=doc.get("updated"),
            first_period=doc.get("firstPeriod"),
            last_period=doc.get("lastPeriod"),
            variable_names=tuple(str(n) for n in names),
            discontinued=discontinued if isinstance(discontinued, bool) else None,
        )
