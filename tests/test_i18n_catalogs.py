"""The gettext catalogs: every message id used in code or templates is translated (nb, nn, en)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from kostra.catalog import load_catalog
from kostra.i18n import LANGS, plural, sector_name, text, unit_name
from kostra.i18n.messages import _unit_key, catalog_path
from language_checks import SOURCE, used_keys

#: Tables of messages (kostra.i18n): Words/Phrases(prefix, keys) and Phrase(key).
_TABLES = ("Words", "Phrases", "Phrase")


def _catalog(lang: str) -> Catalog:
    with catalog_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def _sources() -> dict[Path, ast.Module]:
    """The parsed modules of the package, less kostra.i18n itself."""
    return {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in SOURCE.rglob("*.py")
        if path.relative_to(SOURCE).parts[0] != "i18n"
    }


def _table_keys() -> dict[str, set[str]]:
    """Message ids of the Words/Phrases/Phrase tables made in the package, and their files.

    The prefix and keys must be literals: the scan cannot see a computed one, so that fails.
    """
    keys: dict[str, set[str]] = {}
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in _TABLES:
                continue
            where = f"{path.name}:{node.lineno}"
            literal = [ast.literal_eval(arg) for arg in node.args]  # raises if not literal
            if node.func.id == "Phrase":
                (key,) = literal
                ids = [key]
            else:
                prefix, names = literal
                assert isinstance(names, tuple), where
                assert names, where
                ids = [f"{prefix}.{name}" for name in names]
            for key in ids:
                keys.setdefault(key, set()).add(where)
    return keys


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_keys_used_in_code_and_templates_are_translated_everywhere() -> None:
    used = used_keys()
    assert len(used) > 150, "the scan found too few keys: has the lookup's name changed?"
    for lang in LANGS:
        catalog = _catalog(lang)
        untranslated = sorted(
            f"{key} ({', '.join(sorted(files))})"
            for key, files in used.items()
            if catalog.get(key) is None or not catalog.get(key).string
        )
        assert not untranslated, f"untranslated in {lang}: {untranslated}"


def test_keys_of_message_tables_are_translated_everywhere() -> None:
    """Words/Phrases/Phrase tables (CLI headers, legends, download headers) read plain
    messages: each key is a non-plural message with a translation in every language."""
    keys = _table_keys()
    assert len(keys) > 300, "the scan found too few table keys: has a table's name changed?"
    for lang in LANGS:
        catalog = _catalog(lang)
        wrong = sorted(
            f"{key} ({', '.join(sorted(where))})"
            for key, where in keys.items()
            if catalog.get(key) is None
            or not catalog.get(key).string
            or isinstance(catalog.get(key).string, tuple)
        )
        assert not wrong, f"missing, empty or plural in {lang}: {wrong}"


def test_every_unit_of_the_key_figures_has_its_words() -> None:
    """A key figure's unit shows beside it on every page (``U(unit)`` in the templates): the
    catalog's bokmål units have a message in every language; SI symbols stay as they are."""
    units = {indicator.unit for indicator in load_catalog().indicators} - {"m²", "kWh"}
    assert len(units) > 10
    for lang in LANGS:
        catalog = _catalog(lang)
        missing = sorted(unit for unit in units if catalog.get(_unit_key(unit)) is None)
        assert not missing, (lang, missing)
    assert unit_name("årsverk", "en") == "FTEs"
    assert unit_name("timer", "nn") == "timar"
    assert unit_name("kr", "nb") == "kr"
    assert unit_name("km²", "en") == "km²"  # not a catalog unit: as it is


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


#: Modules whose Norwegian string literals are data, not texts a user reads, each with its
#: reason. Every other module of the package keeps its user-facing texts in the catalogs: a
#: Norwegian literal coming back into one fails
#: :func:`test_no_norwegian_literals_in_modules_with_catalog_texts`.
NOT_CATALOG = {
    "analysis/_barometer/text.py": "bokmål nouns whose agreement picks the quantifier message",
    "analysis/kostra_view.py": "SSB's unit id 'antall'",
    "analysis/need.py": "the published source's own title (Grønt hefte)",
    "errors.py": "an attribute docstring",
    "exports.py": "header names an export is read back by, in both languages",
    "geography/peers.py": "the standard groups' data names, translated by peer_group_name",
    "i18n/formats.py": "the list conjunction of each language",
    "i18n/messages.py": "SSB's unit id 'antall'",
    "report/batch.py": "a file-name word",
    "report/geo.py": "a TopoJSON object name",
    "report/maps.py": "a TopoJSON object name",
    "report/model.py": "the source's own name (Statistisk sentralbyrå)",
    "report/pipeline.py": "the sources' own names (Statistisk sentralbyrå, Grønt hefte)",
    "sample.py": "the sample's vintage label and the bokmål notice beside it",
    "sources/_ssb/metadata.py": "SSB's word for preliminary figures, matched in its notes",
    "sources/files/_common.py": "column names and age words of files people save, matched",
    "sources/files/_frame.py": "SSB's region labels quoted in an example",
    "sources/files/px.py": "PX's Norwegian variable name for the year, matched",
    "sources/klass.py": "Klass's own name of a classification",
    "testing/pxweb_server.py": "the test server's SSB-shaped metadata",
    "web/prerender.py": "a URL parameter name",
}
CATALOG_ONLY = tuple(
    name
    for name in sorted(str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*.py"))
    if name not in NOT_CATALOG
)
#: Norwegian words (bokmål and nynorsk) that mark a text as Norwegian, whole words.
_NORWEGIAN = re.compile(
    r"(?i)(?<![\w-])(og|ikke|ikkje|eller|med|fra|frå|uten|utan|av|er|til|ingen|kommuner?|"
    r"kommunene|kommunar|snitt|snittet|tall|tal|tallene|tala|nøkkeltall|nøkkeltal|innbyggere|"
    r"innbyggjarar|antall|mangler|manglar|sammenlign\w*|samanlikn\w*|endring|verdi|plass|"
    r"enhet|eining|kilde|kjelde|kilder|merknad\w*|beregnet|berekna|behovsindeks|utgifter|"
    r"årganger?|tabell|lager|hentet|henta)(?![\w-])|[æøåÆØÅ]"
)
#: Calls whose string arguments are not shown: character swaps (a name folded to ASCII: æ → ae).
_SPARED_CALLS = ("maketrans", "replace")


def _norwegian_literals(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, text) of string literals that read as Norwegian, less docstrings, option help
    and the arguments of message tables (user errors are catalog messages too)."""
    spared: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            spared.add(id(first.value))
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func).split(".")[-1]
            if name in _TABLES or name in _SPARED_CALLS:
                spared.update(id(part) for part in ast.walk(node))
        if isinstance(node, ast.Dict):  # keys are ids ("antall" is a unit of the catalog)
            spared.update(id(key) for key in node.keys if key is not None)
        if isinstance(node, ast.keyword) and node.arg == "help":
            spared.update(id(part) for part in ast.walk(node.value))
        # a key looked up (path_params.get("kommune"), row["kommune"]) is an id, not a text
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(".get") and node.args:
            spared.add(id(node.args[0]))
        if isinstance(node, ast.Subscript):
            spared.add(id(node.slice))
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in spared
        and not node.value.startswith("/")  # a URL path (/kommune/…)
        and _NORWEGIAN.search(node.value)
    )


def test_the_literal_scan_tells_norwegian_from_english() -> None:
    source = '''
"""Module docstring: kommuner og tall."""
A = "Kommuner {year} ({n})"
B = "Municipalities {year} ({n})"
C = Words("cli.geo", ("code", "år"))
D = KostraError("Year is out of range.", nb="Året er utenfor.")
E = "snitt"
F = "peer_average"
G = {"antall": ("", "")}
I = params.get("kommune", "")
J = self.nb = "Kommunen fantes ikke."
H = "/kommune/{kommune}/nokkeltall"
'''
    found = [text for _, text in _norwegian_literals(ast.parse(source))]
    assert found == [
        "Kommuner {year} ({n})",
        "Året er utenfor.",
        "snitt",
        "Kommunen fantes ikke.",
    ]


def test_no_norwegian_literals_in_modules_with_catalog_texts() -> None:
    """Texts of these modules are catalog messages; a Norwegian literal is one that escaped."""
    assert len(CATALOG_ONLY) > 100, "the scan finds too few modules: has the package moved?"
    assert all((SOURCE / name).exists() for name in NOT_CATALOG), "a listed module is gone"
    found = []
    for name in CATALOG_ONLY:
        path = SOURCE / name
        for line, value in _norwegian_literals(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{name}:{line} {value!r}")
    assert found == [], "\n".join(found)


def _template_texts(source: str) -> list[str]:
    """What a template says itself: the text between tags, and the quoted strings of its
    expressions that are not message keys (``L('key')``), URL paths or names."""
    expressions = re.findall(r"\{\{.*?\}\}|\{%.*?%\}", source, flags=re.DOTALL)
    quoted = [
        text
        for expression in expressions
        for text in re.findall(r"'([^']*)'|\"([^\"]*)\"", expression)
        for text in text
        if text and not text.startswith("/") and " " in text.strip()
    ]
    body = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.DOTALL)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    body = re.sub(r"<[^>]+>", " ", body)
    return [*quoted, *(line.strip() for line in body.splitlines() if line.strip())]


def test_templates_hold_no_norwegian_text_of_their_own() -> None:
    """The web and report templates say everything through L()/t(): a Norwegian word written
    into a template would show in English and nynorsk pages too."""
    found = []
    for path in sorted([*SOURCE.rglob("*.j2")]):
        for said in _template_texts(path.read_text(encoding="utf-8")):
            if _NORWEGIAN.search(said):
                found.append(f"{path.name}: {said!r}")
    assert found == [], "\n".join(found)
    assert _template_texts("<p>{{ L('sources') }}: Kilde SSB</p>") == [": Kilde SSB"]


def test_compiled_catalogs_are_kept_in_the_cache_and_rebuilt_when_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra.i18n import messages

    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path))
    messages.translations.cache_clear()
    try:
        expected = messages.translations("en").gettext("title")
        (kept,) = tmp_path.glob("kostra-en-*.mo")
        messages.translations.cache_clear()
        compiled: list[str] = []
        original = messages._compile
        monkeypatch.setattr(
            messages,
            "_compile",
            lambda source, lang: compiled.append(lang) or original(source, lang),
        )
        assert messages.translations("en").gettext("title") == expected
        assert compiled == []  # read back, not compiled
        kept.write_bytes(b"not a catalog")
        messages.translations.cache_clear()
        assert messages.translations("en").gettext("title") == expected
        assert compiled == ["en"]
        assert kept.read_bytes().startswith(b"\xde\x12\x04\x95")  # a GNU .mo file again
    finally:
        messages.translations.cache_clear()
