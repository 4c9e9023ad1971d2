"""A child process that converts a PDF's charts with vl-convert while its parent works.

vl-convert 1.9 holds the GIL while it converts, so a thread cannot convert beside Python work;
a process can. The parent (:class:`kostra.report.render.ChartProcess`) starts this module
before it reads the year's data; it starts vl-convert's engine at once (about half a second),
then answers requests in order: each a length-prefixed pickle of ``(kind, spec, lang)`` on
stdin, each answer a status byte and a length-prefixed body on stdout (the image, or the
error's text). Only the parent writes to its stdin.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import BinaryIO

HEADER = struct.Struct("<Q")
OK = b"+"
FAILED = b"-"


def _read(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def main() -> None:
    """Convert charts until stdin closes."""
    from kostra.report import render

    render.warm_up_charts()
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            kind, spec, lang = pickle.loads(
                _read(requests, HEADER.unpack(_read(requests, HEADER.size))[0])
            )
        except EOFError:
            return
        try:
            if kind == "png":
                body = render.chart_png(spec, lang, config=render.PRINT_CONFIG)
            else:
                body = render.chart_svg(spec, lang, config=render.PRINT_CONFIG).encode("utf-8")
            status = OK
        except Exception as error:  # reported to the parent, which converts it again itself
            body, status = repr(error).encode("utf-8"), FAILED
        answers.write(status + HEADER.pack(len(body)) + body)
        answers.flush()


if __name__ == "__main__":
    main()
