"""Settings read from the environment (``KOSTRA_*``) with documented defaults."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SSB_API_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
KLASS_API_BASE_URL = "https://data.ssb.no/api/klass/v1"


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


def default_db_path() -> Path:
    """The warehouse file in the user's data directory."""
    return Path(platformdirs.user_data_dir("kostra", appauthor=False)) / "kostra.duckdb"


def default_cache_dir() -> Path:
    """Where fetched chunks wait until a table is complete."""
    return Path(platformdirs.user_cache_dir("kostra", appauthor=False))


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``KOSTRA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="KOSTRA_")

    db: Path = Field(default_factory=default_db_path)
    cache_dir: Path = Field(default_factory=default_cache_dir)
    base_url: str = SSB_API_BASE_URL
    klass_url: str = KLASS_API_BASE_URL
    lang: str = Field(default_factory=default_lang)

    @property
    def lang_chosen(self) -> bool:
        """Whether the user chose the language (``--lang`` or ``KOSTRA_LANG``), not the locale."""
        return "lang" in self.model_fields_set

    @property
    def text_lang(self) -> str:
        """The language of the CLI's own tables and messages: they are written in bokmål and
        English, so nynorsk reads them in bokmål (reports, decks and web pages have nynorsk)."""
        return "en" if self.lang == "en" else "nb"
