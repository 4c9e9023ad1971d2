"""No machine-specific absolute paths in the repository (issue #13's done-when).

Greps every tracked text file for paths that exist only on one machine: a home directory (root's,
a user's on Linux, macOS or Windows) or the folder the project happened to be checked out under.
The patterns are built from parts, so this file does not match itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# built from parts, so this file does not match itself
_ROOTS = ["/" + "work/", "/" + "root/", "/" + "home/[^/\\s]+/", "/" + "Users/[^/\\s]+/"]
MACHINE_PATH = re.compile(
    r"(?<![\w.~-])(?:" + "|".join(_ROOTS) + r")|[A-Za-z]:\\\\?Users\\\\?", re.IGNORECASE
)


def _tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: no list of tracked files")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    return [REPO / name for name in listed.split("\0") if name]


def machine_paths(text: str) -> list[str]:
    """The machine-specific absolute paths in ``text``."""
    return [m.group(0) for m in MACHINE_PATH.finditer(text)]


def test_the_pattern_finds_machine_paths_and_spares_others() -> None:
    assert machine_paths("see " + "/" + "work/main/src") == ["/" + "work/"]
    assert machine_paths("HOME=" + "/" + "root/.cache") == ["/" + "root/"]
    assert machine_paths("/" + "home/ola/kostra") == ["/" + "home/ola/"]
    assert machine_paths("C:" + "\\" + "Users" + "\\" + "kari")
    assert machine_paths("src/kostra/" + "work/x, ../shared, ~/.cache, https://x.no/home/a/") == []


def test_no_tracked_file_holds_a_machine_specific_path() -> None:
    found: list[str] = []
    for path in _tracked_files():
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (Parquet, images)
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for hit in machine_paths(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {hit}")
    assert found == []
