"""The council deck's typed view model: what each slide shows, already in words.

:func:`kostra.slides.build.deck_view` fills it from a :class:`~kostra.report.model.ReportData`;
renderers (:mod:`kostra.render.pptx`) only lay it out: they neither compute nor translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kostra.i18n import LANGS, Phrases

#: the sections of the speaker notes
_HEADS = Phrases("deck.notes", ("sources", "status", "caveats", "rules"))


@dataclass(frozen=True)
class Line:
    """A sentence on a slide: its text, the figures it rests on, and the rule that wrote it."""

    text: str
    detail: str = ""
    rule_id: str | None = None

    def full(self) -> str:
        """The text followed by its figures."""
        return f"{self.text} {self.detail}" if self.detail else self.text


@dataclass(frozen=True)
class Series:
    """One chart series: its name and one value per category (``None``: missing)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartView:
    """A native chart: ``bar`` (horizontal), ``column`` or ``line``, categories and series."""

    kind: Literal["bar", "column", "line"]
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    #: Excel number format of the values and axis ("0" for indices and ranks)
    number_format: str = "0"
    #: ranks: smaller is better, so the value axis runs from the top
    reversed_axis: bool = False
    #: a category drawn in its own colour in every series (the municipality itself)
    highlight: str | None = None


@dataclass(frozen=True)
class Notes:
    """Speaker notes: sources, data status, method caveats, and the rule id of each sentence."""

    sources: tuple[str, ...]
    status: str
    caveats: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()

    def text(self, lang: str) -> str:
        """The notes as one text, in sections."""
        heads = _HEADS[lang if lang in LANGS else "nb"]
        parts = [f"{heads[0]}: " + "; ".join(self.sources), f"{heads[1]}: {self.status}"]
        if self.caveats:
            parts.append(f"{heads[2]}:\n" + "\n".join(f"- {c}" for c in self.caveats))
        if self.rules:
            parts.append(f"{heads[3]}:\n" + "\n".join(f"- {r}" for r in self.rules))
        return "\n\n".join(parts)


@dataclass(frozen=True)
class TitleSlide:
    """The opening slide."""

    title: str
    subtitle: str
    notes: Notes
    banner: str | None = None
    kind: Literal["title"] = "title"


@dataclass(frozen=True)
class TextSlide:
    """A title, bullet lines, optionally a native chart and a picture (the map only)."""

    title: str
    lines: tuple[Line, ...]
    notes: Notes
    chart: ChartView | None = None
    picture: bytes | None = None
    picture_caption: str = ""
    #: the share of the content area the lines take when there is a chart or picture
    text_share: float = 0.22
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class SectorSlide:
    """A sector in two columns: the KOSTRA report's verdict and observations | the
    Kommunebarometer's rank and reason (and a native chart of the sector's indices)."""

    sector: str
    title: str
    left_heading: str
    verdict: Line
    observations: tuple[Line, ...]
    right_heading: str
    barometer: Line
    notes: Notes
    chart: ChartView | None = None
    kind: Literal["sector"] = "sector"


Slide = TitleSlide | TextSlide | SectorSlide


@dataclass(frozen=True)
class DeckView:
    """The whole deck: slides in order, the language, and whether the figures are synthetic."""

    municipality: str
    code: str
    year: int
    lang: str
    synthetic: bool
    slides: tuple[Slide, ...] = field(default_factory=tuple)
