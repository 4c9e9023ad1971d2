"""The report's PDF: its charts as static images, converted beside the layout, and WeasyPrint.

A PDF's charts are static: SVG from vl-convert, PNG for the maps. A command that writes one PDF
converts them in a second process (:class:`ChartProcess`; vl-convert holds the GIL, so a thread
could not work beside Python). WeasyPrint does not wait for them: each chart's ``<img>`` points
at ``kostra-chart:N``, which WeasyPrint finds in its image cache as a :class:`_ChartImage`, and
that waits for chart N only when the layout first needs its size. The layout reaches the first
chart after the title pages, by which time the child has converted it, so the conversion no
longer adds to the PDF's time. The PDF is byte-identical to the one made from
:func:`kostra.report.render.print_html`, where every chart is converted first (a test holds
them equal).
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kostra.report.charts import Chart, shared_datasets
from kostra.report.locale import vega_locale

#: Print style of the static charts: no grid lines (bars and points carry their values; fewer
#: SVG elements also make WeasyPrint draw the PDF faster).
PRINT_CONFIG: dict[str, Any] = {"axis": {"grid": False}}
#: Scale of the charts the PDF embeds as PNG (the maps): 2 × 96 px per CSS inch ≈ 190 dpi on
#: paper. WeasyPrint draws an SVG map's hundreds of paths in Python (about a ninth of its whole
#: PDF drawing time); a PNG it only embeds.
PRINT_RASTER_SCALE = 2.0
#: The PDF's options: tagged PDF/UA-1 (structure tree, figures with their alt text, table
#: headers), the document language from ``<html lang>`` and the title from ``<title>``
PDF_VARIANT = "pdf/ua-1"
#: Where a chart's ``<img>`` points while its child converts it
CHART_ADDRESS = "kostra-chart:{}"


def _locale_options(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    # the spec carries its locale in ``config.locale``: ``lang`` only fills a spec without one
    if "locale" in spec.get("config", {}):
        return {}
    locale = vega_locale(lang)
    return {"format_locale": locale["number"], "time_format_locale": locale["time"]}


def chart_svg(
    spec: dict[str, Any], lang: str = "nb", *, config: dict[str, Any] | None = None
) -> str:
    """A chart spec as a static SVG (vl-convert), with the report's locale; ``config`` is
    merged into the spec's own (the PDF passes :data:`PRINT_CONFIG`)."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(
        shared_datasets(spec), config=config, **_locale_options(spec, lang)
    )
    return svg


def chart_png(
    spec: dict[str, Any],
    lang: str = "nb",
    *,
    scale: float = PRINT_RASTER_SCALE,
    config: dict[str, Any] | None = None,
) -> bytes:
    """A chart spec as a PNG (vl-convert) at ``scale`` pixels per CSS pixel, like
    :func:`chart_svg` otherwise."""
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(
        shared_datasets(spec), scale=scale, config=config, **_locale_options(spec, lang)
    )
    return png


def static_image(chart: Chart, lang: str) -> bytes:
    """``chart`` converted for print: a PNG for the raster charts (maps), else an SVG."""
    if chart.raster:
        return chart_png(chart.spec, lang, config=PRINT_CONFIG)
    return chart_svg(chart.spec, lang, config=PRINT_CONFIG).encode("utf-8")


def data_url(chart: Chart, image: bytes) -> str:
    """``image`` (from :func:`static_image`) as a ``data:`` address."""
    kind = "png" if chart.raster else "svg+xml"
    return f"data:image/{kind};base64,{base64.b64encode(image).decode('ascii')}"


def image_tag(chart: Chart, source: str) -> str:
    """The print version's ``<img>`` of ``chart`` at ``source``, with its text alternative."""
    alt = html.escape(chart.alt, quote=True)
    if chart.raster:
        # the PNG has PRINT_RASTER_SCALE pixels per CSS pixel: its CSS size is the chart's own
        return (
            f'<img src="{source}" alt="{alt}" style="image-resolution: {PRINT_RASTER_SCALE:g}dppx">'
        )
    return f'<img src="{source}" alt="{alt}">'


class ChartProcess:
    """The print version's charts converted by a child process while this one works.

    Started before the year's data are read (:func:`start_chart_process`), the child starts
    vl-convert's engine at once; the template hands it each chart as it reaches it
    (:meth:`__call__` returns a placeholder). :meth:`fill` puts the images in once they are all
    converted; :func:`write_pdf` lets WeasyPrint lay the pages out meanwhile. A chart the child
    could not convert (it failed, died or never started) is converted in this process, so its
    error, if any, is raised here.
    """

    def __init__(self) -> None:
        import queue
        import subprocess
        import sys
        import threading

        self._process: subprocess.Popen[bytes] = subprocess.Popen(
            [sys.executable, "-m", "kostra.report._chart_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._lang = "nb"
        # each chart and the number of its answer (None: not sent, converted here)
        self._charts: list[tuple[Chart, int | None]] = []
        self._sent = 0
        self._answers: list[tuple[bool, bytes]] = []
        self._answered = threading.Condition()
        self._child_done = False
        self._requests: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._all_sent = False
        # pipes are written and read on threads (they wait without the GIL), so neither side
        # blocks on a full pipe while the other is busy
        self._threads: list[threading.Thread] = [
            threading.Thread(target=self._write, daemon=True, name="kostra-charts-out"),
            threading.Thread(target=self._read, daemon=True, name="kostra-charts-in"),
        ]
        for thread in self._threads:
            thread.start()

    def _write(self) -> None:
        stream = self._process.stdin
        assert stream is not None
        try:
            while (request := self._requests.get()) is not None:
                stream.write(request)
                stream.flush()
        except OSError:
            pass  # the child is gone: what it did not answer is converted here
        finally:
            with contextlib.suppress(OSError):
                stream.close()

    def _read(self) -> None:
        from kostra.report._chart_worker import HEADER, OK

        stream = self._process.stdout
        assert stream is not None
        try:
            while len(status := stream.read(1)) == 1:
                head = stream.read(HEADER.size)
                if len(head) < HEADER.size:
                    return
                size = HEADER.unpack(head)[0]
                body = stream.read(size)
                if len(body) < size:
                    return
                with self._answered:
                    self._answers.append((status == OK, body))
                    self._answered.notify_all()
        finally:
            with self._answered:
                self._child_done = True
                self._answered.notify_all()

    def __call__(self, chart: Chart, lang: str) -> str:
        """A placeholder for ``chart``'s image, which the child is asked to convert."""
        import pickle

        from kostra.report._chart_worker import HEADER

        self._lang = lang
        token = f"@@kostra-image-{len(self._charts)}@@"
        # the arguments chart_png and chart_svg pass (the child imports only vl-convert)
        arguments: dict[str, Any] = {"config": PRINT_CONFIG, **_locale_options(chart.spec, lang)}
        if chart.raster:
            arguments["scale"] = PRINT_RASTER_SCALE
        function = "vegalite_to_png" if chart.raster else "vegalite_to_svg"
        try:
            request = pickle.dumps((function, shared_datasets(chart.spec), arguments))
        except (pickle.PicklingError, TypeError, AttributeError):
            self._charts.append((chart, None))
            return token
        self._charts.append((chart, self._sent))
        self._sent += 1
        self._requests.put(HEADER.pack(len(request)) + request)
        return token

    @property
    def answers(self) -> list[tuple[bool, bytes]]:
        """The child's answers so far, in order: whether it converted, and the image or error."""
        with self._answered:
            return list(self._answers)

    @property
    def returncode(self) -> int | None:
        """The child's exit status once it has ended."""
        return self._process.returncode

    def kill(self) -> None:
        """End the child now (what it has not answered is converted here)."""
        self._process.kill()

    def image(self, index: int) -> bytes:
        """Chart ``index``'s image: the child's answer, waited for, or converted here."""
        self._no_more_charts()  # the template has handed over every chart
        chart, answer = self._charts[index]
        if answer is not None:
            with self._answered:
                self._answered.wait_for(lambda: len(self._answers) > answer or self._child_done)
                converted = self._answers[answer] if len(self._answers) > answer else None
            if converted is not None and converted[0]:
                return converted[1]
        return static_image(chart, self._lang)

    def with_addresses(self, html_text: str) -> str:
        """``html_text`` with each placeholder replaced by an ``<img>`` at the chart's
        :data:`CHART_ADDRESS`."""
        tags = [
            image_tag(chart, CHART_ADDRESS.format(i)) for i, (chart, _) in enumerate(self._charts)
        ]
        return _PLACEHOLDER.sub(lambda m: tags[int(m.group(1))], html_text)

    def fill(self, html_text: str) -> str:
        """``html_text`` with every placeholder replaced by its image; waits for the child."""
        try:
            tags = [
                image_tag(chart, data_url(chart, self.image(i)))
                for i, (chart, _) in enumerate(self._charts)
            ]
        finally:
            self.end()
        return _PLACEHOLDER.sub(lambda m: tags[int(m.group(1))], html_text)

    def _no_more_charts(self) -> None:
        if not self._all_sent:
            self._all_sent = True
            self._requests.put(None)

    def end(self) -> None:
        """Close the child's input and wait for it to end."""
        self._no_more_charts()
        for thread in self._threads:
            thread.join()
        self._process.wait()

    def chart(self, index: int) -> Chart:
        """The chart behind placeholder ``index``."""
        return self._charts[index][0]

    def __len__(self) -> int:
        return len(self._charts)


_PLACEHOLDER = re.compile(r"@@kostra-image-([0-9]+)@@")
_STARTED: ChartProcess | None = None


def start_chart_process() -> None:
    """Start the child that converts the next PDF's charts (:class:`ChartProcess`); the next
    PDF or print version this process renders uses it. For a command that writes one PDF: it
    starts vl-convert while the command reads the year. One started and not yet used is kept."""
    global _STARTED
    if _STARTED is not None:
        return
    try:
        _STARTED = ChartProcess()
    except OSError:
        _STARTED = None  # converted in this process


def take_chart_process() -> ChartProcess | None:
    """The chart process :func:`start_chart_process` started, once (then None)."""
    global _STARTED
    started, _STARTED = _STARTED, None
    return started


@dataclass(frozen=True)
class _Fonts:
    """What WeasyPrint's SVG images read of its layout context: the fonts their text uses."""

    font_config: object


class _LoadFailed(Exception):
    """WeasyPrint could not read a chart's image (it would show the alt text instead)."""


class _ChartImage:
    """One chart as WeasyPrint's image, loaded from the child's answer when the layout first
    asks for its size. WeasyPrint calls these two methods on every image; both pass on to the
    image WeasyPrint makes of the chart's ``data:`` address, as it would for the ``<img>``."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load
        self._image: Any = None

    def _loaded(self) -> Any:
        if self._image is None:
            self._image = self._load()
            if self._image is None:
                raise _LoadFailed
        return self._image

    def get_intrinsic_size(self, image_resolution: float, font_size: float) -> Any:
        return self._loaded().get_intrinsic_size(image_resolution, font_size)

    def draw(self, *arguments: Any) -> Any:
        return self._loaded().draw(*arguments)


def write_pdf(html_text: str, charts: ChartProcess | None = None) -> bytes:
    """The print version ``html_text`` as a tagged PDF (WeasyPrint). With ``charts``, its
    placeholders are the charts that process converts while WeasyPrint lays the pages out."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    if charts is None:
        return _weasyprint(weasyprint.HTML(string=html_text, base_url="."), FontConfiguration())
    try:
        document = weasyprint.HTML(string=charts.with_addresses(html_text), base_url=".")
        fonts = FontConfiguration()
        images = {
            CHART_ADDRESS.format(i): _ChartImage(_loader(document, fonts, charts, i))
            for i in range(len(charts))
        }
        return _weasyprint(document, fonts, images)
    except _LoadFailed:
        # as for any <img> WeasyPrint cannot read: the alt text in the image's place
        return write_pdf(charts.fill(html_text))
    finally:
        charts.end()


def _loader(document: Any, fonts: Any, charts: ChartProcess, index: int) -> Callable[[], Any]:
    def load() -> Any:
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.images import get_image_from_uri

        chart = charts.chart(index)
        return get_image_from_uri(
            cache={},
            url_fetcher=document.url_fetcher,
            options={**DEFAULT_OPTIONS, "pdf_variant": PDF_VARIANT},
            url=data_url(chart, charts.image(index)),
            context=_Fonts(fonts),
        )

    return load


def _weasyprint(document: Any, fonts: Any, images: dict[str, _ChartImage] | None = None) -> bytes:
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT, font_config=fonts, cache=images)
    return pdf
