"""The source registry in ``kostra.sources`` names only readers that exist."""

from __future__ import annotations

import pytest

from kostra.errors import SourceError
from kostra.sources import SOURCES, get_source, jsonstat, klass


def test_every_registered_source_loads() -> None:
    assert {"file", "jsonstat", "klass"} <= set(SOURCES)
    for name, source in SOURCES.items():
        assert source.name == name
        assert callable(source.load())
    assert get_source("jsonstat").load() is jsonstat.decode
    assert get_source("KLASS").load() is klass.KlassClient


def test_unknown_source_lists_the_known_ones() -> None:
    with pytest.raises(SourceError) as info:
        get_source("eurostat")
    assert info.value.hint is not None
    assert "jsonstat" in info.value.hint
