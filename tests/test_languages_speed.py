"""What keeps a multilingual build quick gives the same words: language names and kept catalogs.

- A language switch names each language in itself; the build reads that from the language's own
  CLDR file (i18n.native_name), which must say what Babel's whole locale says, and keeps it.
- A catalog (`locales/uk.po`) is compiled once and kept beside the compiled templates; a later
  build reads the kept one, with the same translations, and a changed or damaged one is compiled again.
- An edition's dates and numbers written by Babel are kept too: a second build of the same story
  writes the same bytes without importing Babel (kept.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from _languages_fixture import UK
from babel import Locale
from babel.localedata import locale_identifiers
from conftest import REPO, make_project

from explainer import catalogs, i18n, page_tools
from explainer.errors import Problems

UK_PO = REPO / "locales" / "uk.po"


def babel_name(code: str) -> str:
    name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
    return name[:1].upper() + name[1:]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(page_tools, "bytecode_cache", lambda: jinja2.FileSystemBytecodeCache(str(folder)))
    return folder


def test_each_language_is_named_in_itself_as_babel_names_it(cache):
    codes = [code for code in locale_identifiers() if "_" not in code] + ["en-GB", "pt-BR", "sr-Latn"]
    expected = {code: babel_name(code) for code in codes}
    assert {code: i18n.native_name(code) for code in codes} == expected
    assert {code: i18n.native_name(code) for code in codes} == expected  # again, from the kept names
    assert i18n.native_name("uk") == "Українська" and i18n.native_name("en") == "English"
    assert i18n.native_name("zz") == "zz"  # no such language: its code


def test_a_kept_language_name_is_read_without_babel(cache):
    assert i18n.native_name("uk") == "Українська"
    (kept,) = cache.glob("__explainer_language_name_uk_*.txt")
    script = ("import sys, jinja2\nfrom explainer import i18n, page_tools\n"
              f"page_tools.bytecode_cache = lambda: jinja2.FileSystemBytecodeCache({str(cache)!r})\n"
              "print(i18n.native_name('uk'), 'babel' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["Українська", "False"], done.stderr
    kept.write_bytes(b"")  # damaged: looked up again
    assert i18n.native_name("uk") == "Українська" and kept.read_text(encoding="utf-8") == "українська"


def words(catalog) -> dict[str, str]:
    """Every string of the Ukrainian catalog as the catalog translates it, plurals included."""
    out = {"fact 1": catalog.ngettext("%(num)s fact", "%(num)s facts", 1),
           "fact 3": catalog.ngettext("%(num)s fact", "%(num)s facts", 3),
           "fact 5": catalog.ngettext("%(num)s fact", "%(num)s facts", 5),
           "date": catalog.pgettext("date pattern (CLDR)", "LLLL y")}
    for line in UK_PO.read_text(encoding="utf-8").splitlines():
        if line.startswith('msgid "') and line != 'msgid ""':
            msgid = line[7:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            out[msgid] = catalog.gettext(msgid)
    return out


def test_a_kept_catalog_gives_the_same_translations(cache, tmp_path):
    fresh = words(catalogs.read_catalog(UK_PO))
    assert len(list(cache.glob("__explainer_catalog_*.mo"))) == 1
    assert words(catalogs.read_catalog(UK_PO)) == fresh
    assert fresh["Timeline"] == "Хронологія" and fresh["fact 3"] != fresh["fact 5"]


def test_a_later_build_reads_the_kept_catalog_without_babels_reader(cache):
    catalogs.read_catalog(UK_PO)
    script = ("import sys, jinja2\nfrom pathlib import Path\nfrom explainer import catalogs, page_tools\n"
              f"page_tools.bytecode_cache = lambda: jinja2.FileSystemBytecodeCache({str(cache)!r})\n"
              f"print(catalogs.read_catalog(Path({str(UK_PO)!r})).gettext('Timeline'))\n"
              "print('babel.messages.pofile' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["Хронологія", "False"], done.stderr


def test_a_changed_catalog_is_compiled_again(cache, tmp_path):
    po = tmp_path / "uk.po"
    po.write_text('msgid "Timeline"\nmsgstr "Хронологія"\n', encoding="utf-8")
    assert catalogs.read_catalog(po).gettext("Timeline") == "Хронологія"
    po.write_text('msgid "Timeline"\nmsgstr "Події"\n', encoding="utf-8")
    assert catalogs.read_catalog(po).gettext("Timeline") == "Події"
    assert len(list(cache.glob("__explainer_catalog_*.mo"))) == 2


def test_a_damaged_kept_catalog_is_compiled_again(cache):
    catalogs.read_catalog(UK_PO)
    (kept,) = cache.glob("__explainer_catalog_*.mo")
    kept.write_bytes(b"not a catalog")
    assert catalogs.read_catalog(UK_PO).gettext("Timeline") == "Хронологія"
    assert kept.read_bytes()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")  # a .mo file again


def test_a_broken_catalog_is_reported_on_every_build(cache, tmp_path):
    folder = tmp_path / "locales"
    folder.mkdir()
    (folder / "uk.po").write_text('msgid "Timeline"\nmsgstr "Хронологія %(oops)s"\n', encoding="utf-8")
    for _ in range(2):
        problems = Problems(tmp_path)
        catalogs.load_catalog("uk", (folder,), problems)
        assert [(p.path, p.line) for p in problems.errors] == [("locales/uk.po", 1)]
    assert not list(cache.glob("__explainer_catalog_*.mo"))


BUILD = """
import json, sys, jinja2
from pathlib import Path
from explainer import page_tools, parallel, pipeline
page_tools.bytecode_cache = lambda: jinja2.FileSystemBytecodeCache(sys.argv[3])
parallel.can_fork_child = lambda: False  # one process: what it imported is what the build needed
pipeline.build(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps(sorted(m for m in sys.modules if m.startswith("babel"))))
"""


def build(root: Path, output: Path, cache: Path) -> list[str]:
    """A build in a fresh interpreter; the Babel modules it imported."""
    done = subprocess.run([sys.executable, "-c", BUILD, str(root), str(output), str(cache)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_second_build_writes_the_same_edition_without_babel(cache, tmp_path):
    root = make_project(tmp_path / "site", UK).root
    first = build(root, tmp_path / "first", cache)
    assert "babel.dates" in first and "babel.numbers" in first
    (formats,) = cache.glob("__explainer_formats_uk_*.json")
    assert json.loads(formats.read_text(encoding="utf-8"))["d 2025-05-26 d MMMM y"] == "26 травня 2025"
    assert build(root, tmp_path / "second", cache) == []
    assert read_tree(tmp_path / "second") == read_tree(tmp_path / "first")
    formats.write_text("{not json", encoding="utf-8")  # damaged: Babel writes them again
    assert "babel.dates" in build(root, tmp_path / "third", cache)
    assert read_tree(tmp_path / "third") == read_tree(tmp_path / "first")
    assert json.loads(formats.read_text(encoding="utf-8"))["d 2025-05-26 d MMMM y"] == "26 травня 2025"


def test_two_stories_in_one_language_share_the_kept_dates(cache, tmp_path):
    """Each build adds its dates to the kept ones: building another story does not make the first load Babel."""
    first = make_project(tmp_path / "first", UK).root
    other = {**UK, "site.yaml": UK["site.yaml"].replace("updated: 2025-06-01", "updated: 2025-07-03")}
    second = make_project(tmp_path / "second", other).root
    assert "babel.dates" in build(first, tmp_path / "out-1", cache)
    assert "babel.dates" in build(second, tmp_path / "out-2", cache)  # a date the first story has not
    assert build(first, tmp_path / "out-3", cache) == []
    assert build(second, tmp_path / "out-4", cache) == []


def test_kept_dates_stay_few(cache, monkeypatch):
    from explainer.kept import Formats

    monkeypatch.setattr(Formats, "MAX_FORMATS", 2)
    for keys in (["a", "b"], ["c"], ["d", "e", "f"]):
        formats = Formats("uk")
        for key in keys:
            assert formats.text(key, lambda key=key: key.upper()) == key.upper()
        formats.save()
    (path,) = cache.glob("__explainer_formats_uk_*.json")
    assert json.loads(path.read_text(encoding="utf-8")) == {"d": "D", "e": "E", "f": "F"}  # past 2: this build's
    formats = Formats("uk")
    assert formats.text("d", lambda: "wrong") == "D"  # kept
