"""The languages kostra writes and the one the locale asks for.

Kept apart from :mod:`kostra.settings` so that ``kostra --help`` can choose the language of its
messages without importing pydantic (issue 12.5: a command's libraries load only when it runs).
"""

from __future__ import annotations

import os

#: The languages kostra writes: bokmål (the default), nynorsk and English.
LANGS = ("nb", "nn", "en")

#: Locale language codes and the language kostra writes for them ("no" is Norwegian, bokmål).
_LOCALE_LANGS = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}


def default_lang() -> str:
    """The language when ``KOSTRA_LANG`` is unset: the locale's (the first set of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG``, as POSIX reads them) when it is bokmål, nynorsk or English,
    else bokmål (also for the ``C`` and ``POSIX`` locales)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            return _LOCALE_LANGS.get(code, "nb")
    return "nb"
