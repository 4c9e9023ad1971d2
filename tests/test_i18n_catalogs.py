"""The gettext catalogs: every message id used in code or templates is translated (nb, nn, en)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from kostra.i18n import LANGS, plural, sector_name, text
from kostra.i18n.messages import catalog_path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "kostra"

#: Calls that look a message up by a literal key: t("key", ...) in Python and t('key') in the
#: report template, label("key", ...) and L("key") for the web, text/plural from kostra.i18n.
_CALL = re.compile(
    r"(?<![\w.])(?:t|L|label|text|plural|i18n\.text|i18n\.plural)\(\s*(['\"])([a-z][a-z0-9_.]*[a-z0-9])\1"
)


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _used_keys() -> dict[str, set[str]]:
    """Message ids used with a literal key, and the files they are used in."""
    used: dict[str, set[str]] = {}
    files = [
        *SOURCE.rglob("*.py"),
        *SOURCE.rglob("*.j2"),
    ]
    for path in files:
        if path.relative_to(SOURCE).parts[0] == "i18n":
            continue
        for match in _CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), set()).add(path.name)
    return used


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_keys_used_in_code_and_templates_are_translated_everywhere() -> None:
    used = _used_keys()
    assert len(used) > 150, "the scan found too few keys: has the lookup's name changed?"
    for lang in LANGS:
        catalog = _catalog(lang)
        untranslated = sorted(
            f"{key} ({', '.join(sorted(files))})"
            for key, files in used.items()
            if catalog.get(key) is None or not catalog.get(key).string
        )
        assert not untranslated, f"untranslated in {lang}: {untranslated}"


def test_every_catalog_has_every_id_translated() -> None:
    catalogs = {lang: _catalog(lang) for lang in LANGS}
    ids = {
        lang: {m.id if isinstance(m.id, str) else m.id[0] for m in c if m.id}
        for lang, c in catalogs.items()
    }
    assert ids["nb"] == ids["nn"] == ids["en"]
    for lang, catalog in catalogs.items():
        for message in catalog:
            if not message.id:
                continue
            forms = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(forms), f"{lang}: {message.id} has an empty translation"
            assert not message.fuzzy, f"{lang}: {message.id} is fuzzy"


def test_placeholders_agree_between_languages() -> None:
    """A translation fills the same {placeholders} as bokmål, so .format() never fails."""
    nb = {m.id: m.string for m in _catalog("nb") if m.id}
    for lang in ("nn", "en"):
        for message in _catalog(lang):
            if not message.id:
                continue
            ours = message.string if isinstance(message.string, tuple) else (message.string,)
            theirs = nb[message.id]
            theirs = theirs if isinstance(theirs, tuple) else (theirs,)
            expected = set().union(*(_fields(s) for s in theirs))
            for form in ours:
                assert _fields(form) <= expected | {"n"}, (lang, message.id, form)
                if not isinstance(message.id, tuple):
                    assert _fields(form) == expected, (lang, message.id, form)


@pytest.mark.parametrize(
    ("lang", "key", "one", "two"),
    [
        ("nb", "cells", "1 celle", "2 celler"),
        ("nn", "cells", "1 celle", "2 celler"),
        ("en", "cells", "1 cell", "2 cells"),
        ("nb", "points", "1 poeng", "2 poeng"),
        ("en", "points", "1 point", "2 points"),
        ("nn", "municipalities", "1 kommune", "2 kommunar"),
    ],
)
def test_plural_forms(lang: str, key: str, one: str, two: str) -> None:
    assert plural(key, 1, lang) == one
    assert plural(key, 2, lang) == two
    assert plural(key, 0, lang) == two.replace("2", "0")


def test_lookups_in_each_language() -> None:
    assert text("subtitle", "nn", name="Voss", peer="ASSS") == "Voss samanlikna med ASSS"
    assert text("subtitle", "nb", name="Voss", peer="ASSS") == "Voss sammenlignet med ASSS"
    assert text("subtitle", "en", name="Voss", peer="ASSS") == "Voss compared with ASSS"
    assert sector_name("grunnskole", "nn", capital=True) == "Grunnskule"
    assert sector_name("no_such_sector", "en") == "no such sector"


def test_catalogs_ship_with_the_package() -> None:
    """The .po files are package data, read at run time: no compile step after install."""
    pyproject = (SOURCE.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert "i18n/locales/*/LC_MESSAGES/*.po" in pyproject
    for lang in LANGS:
        assert catalog_path(lang).is_file()
        text = catalog_path(lang).read_text(encoding="utf-8")
        for placeholder in ("EMAIL@ADDRESS", "FULL NAME", "FIRST AUTHOR", "YEAR-MO-DA"):
            assert placeholder not in text, (lang, placeholder)
