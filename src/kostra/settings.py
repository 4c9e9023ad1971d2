"""Settings read from the environment (``KOSTRA_*``) with documented defaults."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kostra.langs import LANGS, default_lang

SSB_API_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
KLASS_API_BASE_URL = "https://data.ssb.no/api/klass/v1"

__all__ = ["LANGS", "Settings", "default_lang"]


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
    #: ``kostra fetch`` and ``kostra import`` compute the year the reports read once new data
    #: is stored (``KOSTRA_COMPUTE_YEAR=0``: left to the first report)
    compute_year: bool = True

    @property
    def lang_chosen(self) -> bool:
        """Whether the user chose the language (``--lang`` or ``KOSTRA_LANG``), not the locale."""
        return "lang" in self.model_fields_set

    @property
    def text_lang(self) -> str:
        """The language of the CLI's own tables and messages: ``nb``, ``nn`` or ``en`` (every
        surface has nynorsk; error messages are written in bokmål and English, see
        :mod:`kostra.errors`)."""
        return self.lang if self.lang in ("nb", "nn", "en") else "nb"
