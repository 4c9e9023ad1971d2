"""The web pages' words: messages of the one gettext catalog the report uses too
(:mod:`kostra.i18n.messages`), so page and report say the same."""

from __future__ import annotations

from kostra.i18n import LANGS
from kostra.i18n.messages import has, text

__all__ = ["LANGS", "label"]


def label(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang`` (a message of :mod:`kostra.i18n`'s catalogs)."""
    if not has(key):
        raise KeyError(key)
    return text(key, lang, **values)
