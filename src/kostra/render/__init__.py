"""Renderers: a view model in, bytes out, registered by name.

``RENDERERS["pptx"]`` writes the council deck (:mod:`kostra.render.pptx`). A new output format
registers a writer here instead of adding a branch to a command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

#: name → renderer(view, template) -> bytes; imported on first use (python-pptx is heavy)
RENDERERS: dict[str, str] = {"pptx": "kostra.render.pptx:render"}


def renderer(name: str) -> Callable[..., bytes]:
    """The registered renderer called ``name`` (``KeyError`` when none is registered)."""
    import importlib

    module, _, attribute = RENDERERS[name].partition(":")
    function: Callable[..., bytes] = getattr(importlib.import_module(module), attribute)
    return function


def render(name: str, view: Any, template: Path | None = None) -> bytes:
    """Render ``view`` with the renderer ``name``."""
    return renderer(name)(view, template)
