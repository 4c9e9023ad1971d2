"""The deck as an editable PowerPoint file (python-pptx): :class:`DeckView` in, bytes out.

Charts are native PPTX charts (the municipality restyles them in PowerPoint); the map is the only
picture. With a template, its own master and layouts are used: layouts are chosen by their
placeholder types (a title slide: a centred title and a subtitle; a content slide: a title and
one body; two columns: a title and two bodies; title only: no body), never by position in the
file, and the template's own slides are dropped. Without a template, python-pptx's default is
widened to 16:9 and its placeholders are placed on that width.

Text never relies on PowerPoint's autofit (LibreOffice and viewers ignore it): each text box gets
the largest font size, from :data:`MAX_PT` down to :data:`MIN_PT`, whose estimated wrapped height
fits the box (:func:`fits`: an average glyph width of :data:`CHAR_WIDTH` em, line height
:data:`LINE_HEIGHT`); the slow test renders decks with LibreOffice and checks no text leaves its
box.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Pt

from kostra.errors import KostraError
from kostra.i18n.said import say
from kostra.slides.model import ChartView, DeckView, SectorSlide, TextSlide, TitleSlide

MAX_PT = 18
#: the colour of the municipality's own bar among the others' (the theme colours the rest)
HIGHLIGHT = RGBColor(0xC0, 0x50, 0x4D)  # type: ignore[no-untyped-call]
MIN_PT = 10
#: average glyph width in em of the sans-serif faces decks use (Calibri ≈ 0.49, DejaVu ≈ 0.55):
#: the wider one, so a box that fits here fits in either
CHAR_WIDTH = 0.6
#: bold glyphs are wider
BOLD_WIDTH = 1.1
LINE_HEIGHT = 1.2
#: the faces' own line gap the spacing multiplies: DejaVu Sans's ascent + descent is 1.16 em,
#: but LibreOffice draws 14 pt lines at 120 % spacing 20.1 pt apart (measured with pdftotext
#: -bbox), i.e. 1.196 em before the spacing
FACE_LINE = 1.2
#: space after a paragraph, in lines
PARAGRAPH_SPACE = 0.35
#: what LibreOffice adds between paragraphs beyond that space, in em: 14 pt bullets with 5 pt
#: after them are drawn 27.9 pt apart against 20.1 pt between their own lines (pdftotext -bbox)
PARAGRAPH_EXTRA = 0.2
#: inner margins python-pptx text boxes keep (0.1 inch left/right, 0.05 inch top/bottom)
MARGIN_X = Inches(0.1)
MARGIN_Y = Inches(0.05)

_TITLE_TYPES = {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE}
_BODY_TYPES = {PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT}
_FOOTER_TYPES = {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}


# --- layouts --------------------------------------------------------------------------------


def _placeholders(layout: SlideLayout) -> list[Any]:
    # python-pptx's stubs type the layout's placeholder collection so that mypy cannot iterate it
    found: Any = layout.placeholders
    return list(found)


def _types(layout: SlideLayout) -> list[PP_PLACEHOLDER]:
    return [p.placeholder_format.type for p in _placeholders(layout)]


def choose_layout(prs: PresentationType, kind: str) -> SlideLayout:
    """The layout for ``kind`` (``title``, ``content``, ``two``, ``title_only``) by placeholder
    types; falls back to the closest one with a title."""
    layouts = list(prs.slide_layouts)

    def bodies(layout: SlideLayout) -> int:
        return sum(1 for t in _types(layout) if t in _BODY_TYPES)

    def columns(layout: SlideLayout) -> bool:
        """Two bodies side by side of about the same width (not a caption beside content)."""
        shapes = sorted(
            (p for p in _placeholders(layout) if p.placeholder_format.type in _BODY_TYPES),
            key=lambda p: int(p.left or 0),
        )
        if len(shapes) != 2:
            return False
        a, b = shapes
        widths = (int(a.width or 0), int(b.width or 0))
        apart = int(a.left or 0) + widths[0] <= int(b.left or 0) + widths[1] // 10
        return apart and min(widths) >= 0.8 * max(widths)

    def plain(layout: SlideLayout) -> bool:
        """Only a title, bodies and the footer fields (no picture, chart or caption slots)."""
        return all(t in _TITLE_TYPES | _BODY_TYPES | _FOOTER_TYPES for t in _types(layout))

    def has_title(layout: SlideLayout) -> bool:
        """A horizontal title above the content (not a vertical title beside it)."""
        title = next(
            (p for p in _placeholders(layout) if p.placeholder_format.type in _TITLE_TYPES), None
        )
        if title is None:
            return False
        body_tops = [
            int(p.top or 0)
            for p in _placeholders(layout)
            if p.placeholder_format.type in _BODY_TYPES
        ]
        above = all(int(title.top or 0) < top for top in body_tops)
        vertical = any(
            p.placeholder_format._element.get("orient") == "vert" for p in _placeholders(layout)
        )
        return above and not vertical and int(title.width or 0) > int(title.height or 0)

    wanted = {
        "title": lambda x: (
            PP_PLACEHOLDER.CENTER_TITLE in _types(x) and PP_PLACEHOLDER.SUBTITLE in _types(x)
        ),
        "content": lambda x: has_title(x) and plain(x) and bodies(x) == 1,
        "two": lambda x: has_title(x) and plain(x) and columns(x),
        "title_only": lambda x: has_title(x) and plain(x) and bodies(x) == 0,
    }
    order = {
        "title": ["title", "content", "title_only"],
        "content": ["content", "two", "title_only"],
        "two": ["two", "content", "title_only"],
        "title_only": ["title_only", "content", "two"],
    }[kind]
    for key in order:
        found = next((x for x in layouts if wanted[key](x)), None)
        if found is not None:
            return found
    with_title = next((x for x in layouts if any(t in _TITLE_TYPES for t in _types(x))), None)
    if with_title is None:
        raise KostraError(
            say("error.pptx.no_title_layout"), hint=say("error.pptx.no_title_layout.hint")
        )
    return with_title


def _drop_slides(prs: PresentationType) -> None:
    """Remove the template's own slides (python-pptx has no API for it)."""
    ids = prs.slides._sldIdLst
    for slide_id in list(ids):
        prs.part.drop_rel(slide_id.rId)
        ids.remove(slide_id)


# --- text -------------------------------------------------------------------------------------


_BREAKS = re.compile(r"[ \t\r\n]+")


def wrapped_lines(text: str, width_pt: float, size: float) -> int:
    """Lines ``text`` takes in a box ``width_pt`` wide at ``size`` points (word wrap).

    Lines break at plain spaces only: a no-break space ("NOK 6,012", "12,5 %") holds its
    neighbours together in PowerPoint and LibreOffice, so they count as one word here."""
    per_line = max(1, int(width_pt / (CHAR_WIDTH * size)))
    lines, current = 1, 0
    for word in _BREAKS.split(text):
        if not word:
            continue
        length = len(word)
        if current == 0:
            lines += (length - 1) // per_line
            current = length % per_line or per_line
        elif current + 1 + length <= per_line:
            current += 1 + length
        else:
            lines += 1 + (length - 1) // per_line
            current = length % per_line or per_line
    return lines


def fits(
    paragraphs: Sequence[tuple[str, float, bool]], width: int, height: int, size: float
) -> bool:
    """Whether ``paragraphs`` (text, size relative to the body, bold) fit a ``width`` ×
    ``height`` EMU box at body size ``size``."""
    inner_w = (width - 2 * MARGIN_X) / 12700
    inner_h = (height - 2 * MARGIN_Y) / 12700
    total = 0.0
    for text, scale, bold in paragraphs:
        pt = round(size * scale)  # the size written (whole points)
        glyph = pt * (BOLD_WIDTH if bold else 1.0)
        lines = wrapped_lines(text, inner_w, glyph)
        total += (lines * LINE_HEIGHT * FACE_LINE + PARAGRAPH_SPACE + PARAGRAPH_EXTRA) * pt
    return total <= inner_h


def best_size(
    paragraphs: Sequence[tuple[str, float, bool]], width: int, height: int, largest: float = MAX_PT
) -> float:
    """The largest body size from ``largest`` (:data:`MAX_PT`) down to :data:`MIN_PT` that
    fits."""
    for size in range(int(largest), MIN_PT - 1, -1):
        if fits(paragraphs, width, height, size):
            return float(size)
    return float(MIN_PT)


#: a paragraph to write: text, size relative to the body, bold, bullet
Para = tuple[str, float, bool, bool]


def _fill(
    frame: TextFrame,
    paragraphs: Sequence[Para],
    width: int,
    height: int,
    largest: float = MAX_PT,
) -> float:
    """Write ``paragraphs`` at the largest body size (at most ``largest``) that fits the box;
    returns that size."""
    paragraphs = [(f"• {t}" if bullet else t, s, b, bullet) for t, s, b, bullet in paragraphs]
    size = best_size([(t, s, b) for t, s, b, _ in paragraphs], width, height, largest)
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = MARGIN_X
    frame.margin_top = frame.margin_bottom = MARGIN_Y
    frame.clear()  # type: ignore[no-untyped-call]
    for n, (text, scale, bold, _) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if n == 0 else frame.add_paragraph()  # type: ignore[no-untyped-call]
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(round(size * scale))
        run.font.bold = bold
        paragraph.space_after = Pt(round(size * scale * PARAGRAPH_SPACE))
        paragraph.line_spacing = LINE_HEIGHT
        paragraph.level = 0
    # a body placeholder's own bullets and indents would change the wrapping measured above
    for paragraph in frame.paragraphs:
        p_pr = paragraph._p.get_or_add_pPr()
        p_pr.set("marL", "0")
        p_pr.set("indent", "0")
        if p_pr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}buNone") is None:
            p_pr.insert(
                0,
                p_pr.makeelement(
                    "{http://schemas.openxmlformats.org/drawingml/2006/main}buNone", {}
                ),
            )
    return size


# --- the deck ---------------------------------------------------------------------------------

#: a box on the slide: left, top, width, height in EMU
Box = tuple[float, float, float, float]


def _place(shape: Any, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = (Emu(int(v)) for v in box)


def _textbox(slide: PptxSlide, box: Box) -> Any:
    x, y, cx, cy = (Emu(int(v)) for v in box)
    return slide.shapes.add_textbox(x, y, cx, cy)


class _Writer:
    def __init__(self, template: Path | None) -> None:
        if template is not None:
            try:
                self.prs = Presentation(str(template))
            except Exception as error:  # python-pptx raises several kinds for a bad file
                raise KostraError(
                    say("error.pptx.unreadable_template", template=str(template)),
                    hint=say("error.pptx.unreadable_template.hint", error=str(error)),
                ) from error
            _drop_slides(self.prs)
            self.placed = False
        else:
            self.prs = Presentation()
            self.prs.slide_width = Inches(13.333)
            self.prs.slide_height = Inches(7.5)
            self.placed = True
        self.w = int(self.prs.slide_width or Inches(13.333))
        self.h = int(self.prs.slide_height or Inches(7.5))
        self.margin = int(self.w * 0.05)
        self.layouts: dict[str, SlideLayout] = {}

    def _slide(self, kind: str) -> PptxSlide:
        # the choice reads every layout's placeholders: made once per kind
        if kind not in self.layouts:
            self.layouts[kind] = choose_layout(self.prs, kind)
        slide: PptxSlide = self.prs.slides.add_slide(self.layouts[kind])
        return slide

    def _title(self, slide: PptxSlide, text: str) -> None:
        title = slide.shapes.title
        if title is None:
            box = _textbox(
                slide, (self.margin, self.h * 0.04, self.w - 2 * self.margin, self.h * 0.14)
            )
            _fill(box.text_frame, [(text, 1.6, True, False)], box.width, box.height)
            return
        if self.placed:
            _place(title, (self.margin, self.h * 0.04, self.w - 2 * self.margin, self.h * 0.14))
        _fill(title.text_frame, [(text, 1.6, True, False)], int(title.width), int(title.height))

    def _bodies(self, slide: PptxSlide) -> list:  # type: ignore[type-arg]
        return sorted(
            (p for p in slide.placeholders if p.placeholder_format.type in _BODY_TYPES),
            key=lambda p: int(p.left or 0),
        )

    def _body_area(self, slide: PptxSlide) -> tuple[int, int, int, int]:
        """Where the slide's content goes: the template's body placeholders' bounding box,
        or below the title on the default slide."""
        bodies = self._bodies(slide)
        if not self.placed and bodies:
            left = min(int(b.left) for b in bodies)
            top = min(int(b.top) for b in bodies)
            right = max(int(b.left) + int(b.width) for b in bodies)
            bottom = max(int(b.top) + int(b.height) for b in bodies)
            return left, top, right - left, bottom - top
        top = int(self.h * 0.2)
        return self.margin, top, self.w - 2 * self.margin, int(self.h * 0.93) - top

    def _text_box(self, slide: PptxSlide, index: int, box: Box) -> Any:
        """The ``index``-th body placeholder placed at ``box``, or a new text box when the
        layout has none."""
        bodies = self._bodies(slide)
        if index < len(bodies):
            shape = bodies[index]
            _place(shape, box)
            return shape
        return _textbox(slide, box)

    def _notes(self, slide: PptxSlide, text: str) -> None:
        frame = slide.notes_slide.notes_text_frame
        if frame is None:  # a notes master without a body placeholder
            raise KostraError(
                say("error.pptx.no_notes_area"), hint=say("error.pptx.no_notes_area.hint")
            )
        frame.text = text

    def _clean(self, slide: PptxSlide, used: int) -> None:
        """Remove unused body placeholders (an empty one shows its prompt text)."""
        for shape in self._bodies(slide)[used:]:
            shape._element.getparent().remove(shape._element)
        for shape in list(slide.placeholders):
            kind = shape.placeholder_format.type
            if kind not in _TITLE_TYPES and kind not in _BODY_TYPES and not shape.has_text_frame:
                continue
            if kind not in _TITLE_TYPES and kind not in _BODY_TYPES and not shape.text_frame.text:
                shape._element.getparent().remove(shape._element)

    def title_slide(self, view: TitleSlide, lang: str) -> None:
        slide = self._slide("title")
        self._title(slide, view.title)
        subtitle = next(
            (p for p in slide.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.SUBTITLE),
            None,
        )
        if self.placed and slide.shapes.title is not None:
            title = slide.shapes.title
            _place(title, (title.left, self.h * 0.28, title.width, self.h * 0.2))
        paragraphs: list[Para] = [(view.subtitle, 1.0, False, False)]
        if view.banner:
            paragraphs.append((view.banner, 0.9, True, False))
        box = (self.margin, self.h * 0.52, self.w - 2 * self.margin, self.h * 0.25)
        if subtitle is None:
            subtitle = _textbox(slide, box)
        elif self.placed:
            _place(subtitle, box)
        _fill(subtitle.text_frame, paragraphs, int(subtitle.width), int(subtitle.height))
        self._clean(slide, 0)
        self._notes(slide, view.notes.text(lang))

    def text_slide(self, view: TextSlide, lang: str) -> None:
        has_visual = view.chart is not None or view.picture is not None
        slide = self._slide("content" if view.lines else "title_only")
        self._title(slide, view.title)
        left, top, width, height = self._body_area(slide)
        used = 0
        if view.lines:
            text_height = int(height * view.text_share) if has_visual else height
            box = self._text_box(slide, 0, (left, top, width, text_height))
            _fill(
                box.text_frame,
                [(line.full(), 1.0, False, True) for line in view.lines],
                int(box.width),
                int(box.height),
            )
            used = 1
            if has_visual:
                top, height = top + text_height, height - text_height
        self._clean(slide, used)
        if view.chart is not None:
            chart_width = width if view.picture is None else int(width * 0.62)
            self._chart(slide, view.chart, (left, top, chart_width, height))
        if view.picture is not None:
            pic_left = left + (int(width * 0.64) if view.chart is not None else 0)
            pic_width = width - (pic_left - left)
            caption = int(self.h * 0.05)
            picture = slide.shapes.add_picture(
                io.BytesIO(view.picture), Emu(pic_left), Emu(top), height=Emu(height - caption)
            )
            if picture.width > pic_width:  # keep the aspect ratio inside the column
                ratio = pic_width / picture.width
                picture.width, picture.height = Emu(pic_width), Emu(int(picture.height * ratio))
            box = _textbox(slide, (pic_left, top + int(picture.height), pic_width, caption))
            _fill(
                box.text_frame, [(view.picture_caption, 0.6, False, False)], box.width, box.height
            )
        self._notes(slide, view.notes.text(lang))

    def sector_slide(self, view: SectorSlide, lang: str) -> None:
        slide = self._slide("two")
        self._title(slide, view.title)
        left, top, width, height = self._body_area(slide)
        gap = int(width * 0.04)
        column = (width - gap) // 2
        left_box = self._text_box(slide, 0, (left, top, column, height))
        paragraphs: list[Para] = [
            (view.left_heading, 0.85, True, False),
            (view.verdict.text, 1.0, True, False),
        ]
        if view.verdict.detail:
            paragraphs.append((view.verdict.detail, 0.75, False, False))
        paragraphs += [(o.full(), 0.85, False, True) for o in view.observations]
        size = _fill(left_box.text_frame, paragraphs, int(left_box.width), int(left_box.height))
        right_height = int(height * 0.42) if view.chart is not None else height
        right_box = self._text_box(slide, 1, (left + column + gap, top, column, right_height))
        _fill(
            right_box.text_frame,
            [(view.right_heading, 0.85, True, False), (view.barometer.full(), 1.0, False, False)],
            int(right_box.width),
            int(right_box.height),
            size,  # never larger than the left column's
        )
        self._clean(slide, 2)
        if view.chart is not None:
            self._chart(
                slide,
                view.chart,
                (left + column + gap, top + right_height, column, height - right_height),
            )
        self._notes(slide, view.notes.text(lang))

    def _chart(self, slide: PptxSlide, view: ChartView, box: Box) -> None:
        data = CategoryChartData(number_format=view.number_format)  # type: ignore[no-untyped-call]
        data.categories = list(view.categories)
        for series in view.series:
            data.add_series(  # type: ignore[no-untyped-call]
                series.name, list(series.values), number_format=view.number_format
            )
        kind = {
            "bar": XL_CHART_TYPE.BAR_CLUSTERED,
            "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
            "line": XL_CHART_TYPE.LINE_MARKERS,
        }[view.kind]
        x, y, cx, cy = (Emu(int(v)) for v in box)
        chart_data: Any = data
        frame: Any = slide.shapes.add_chart(kind, x, y, cx, cy, chart_data)
        chart = frame.chart
        chart.has_title = True
        chart.chart_title.text_frame.text = view.title
        chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
        chart.has_legend = len(view.series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(11)
        chart.font.size = Pt(11)
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = view.number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(10)
        if view.highlight in view.categories:
            at = view.categories.index(view.highlight)
            for series in plot.series:
                fill = series.points[at].format.fill
                fill.solid()
                fill.fore_color.rgb = HIGHLIGHT
        if view.kind == "bar":
            # categories top-down in the order given
            chart.category_axis.reverse_order = True
        value_axis = chart.value_axis
        value_axis.has_major_gridlines = False
        if not view.reversed_axis:
            value_axis.minimum_scale = 0  # bars start at zero: heights compare honestly
        value_axis.tick_labels.font.size = Pt(10)
        if view.reversed_axis:
            value_axis.visible = False


def render(view: DeckView, template: Path | None = None) -> bytes:
    """The deck as PPTX bytes (``template``: a .pptx whose master and layouts to use)."""
    writer = _Writer(template)
    for slide in view.slides:
        if isinstance(slide, TitleSlide):
            writer.title_slide(slide, view.lang)
        elif isinstance(slide, SectorSlide):
            writer.sector_slide(slide, view.lang)
        else:
            writer.text_slide(slide, view.lang)
    out = io.BytesIO()
    writer.prs.save(out)
    return out.getvalue()
