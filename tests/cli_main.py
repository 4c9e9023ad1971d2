"""Running ``kostra`` as its console script does, inside a test (a helper module, no tests)."""

from __future__ import annotations

import pytest

from kostra.cli import main


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``kostra argv`` through :func:`kostra.cli.main` (its one error handler included): the
    exit code, standard output and standard error."""
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
