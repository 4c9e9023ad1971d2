"""A child process that converts a PDF's charts with vl-convert while its parent works.

vl-convert 1.9 holds the GIL while it converts, so a thread cannot convert beside Python work;
a process can. The parent (:class:`kostra.report.printing.ChartProcess`) starts this module
before it reads the year's data; it starts vl-convert's engine at once (about half a second),
then answers requests in order: each a length-prefixed pickle of ``(function, spec,
arguments)`` on stdin (vl-convert's ``vegalite_to_svg`` or ``vegalite_to_png``, the spec and
its arguments as the parent prepared them), each answer a status byte and a length-prefixed
body on stdout (the image, or the error's text). Only the parent writes to its stdin. It
imports nothing of kostra's but this module, so it costs little more than vl-convert's work.
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


#: the conversions a request may name
FUNCTIONS = ("vegalite_to_svg", "vegalite_to_png")
#: a one-point chart that starts vl-convert's engine
WARM_UP: dict[str, object] = {"mark": "point", "data": {"values": [{}]}}


def main() -> None:
    """Convert charts until stdin closes."""
    import vl_convert

    vl_convert.vegalite_to_svg(WARM_UP)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            function, spec, arguments = pickle.loads(
                _read(requests, HEADER.unpack(_read(requests, HEADER.size))[0])
            )
        except EOFError:
            return
        try:
            if function not in FUNCTIONS:
                raise ValueError(f"not a conversion: {function!r}")
            image = getattr(vl_convert, function)(spec, **arguments)
            body, status = image.encode("utf-8") if isinstance(image, str) else image, OK
        except Exception as error:  # reported to the parent, which converts it again itself
            body, status = repr(error).encode("utf-8"), FAILED
        answers.write(status + HEADER.pack(len(body)) + body)
        answers.flush()


if __name__ == "__main__":
    main()
