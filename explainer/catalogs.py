"""An edition's catalogs: the `.po` files of a language along the theme's lookup order, read and checked.

A project's own `locales/uk.po` comes first, the package's next, then the English words written in
the templates themselves (i18n.py). The `.po` files are read with Babel and compiled in memory: no
compile step, no `.mo` files to keep in step; the compiled catalog is kept between builds (kept.py).
A translation that would break a page (a `%(name)s` place its original lacks) is a content error
naming the file and line, found before any page is rendered.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import re
from pathlib import Path
from typing import Any

from .errors import Problems

FOLDER = "locales"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog_files(language: str, folders: tuple[Path, ...]) -> list[Path]:
    """The `.po` files for a language, first match first: `uk-UA.po`, then `uk.po`, in each folder in turn.

    The package's own `en.po` is left out: it is the empty template (the English is in the
    templates), and reading it would load Babel into every English build for nothing.
    """
    from .theme import default_dir

    template = (default_dir(FOLDER) / "en.po").resolve()
    codes = dict.fromkeys((language, language.split("-")[0]))
    return [folder / f"{code}.po" for folder in folders for code in codes
            if (folder / f"{code}.po").is_file() and (folder / f"{code}.po").resolve() != template]


def read_catalog(path: Path) -> gettext_module.GNUTranslations:
    """A `.po` file as gettext translations, compiled in memory with Babel (fuzzy entries are left out).

    The compiled catalog is kept between builds (kept.py), keyed by the file's bytes and the installed Babel.
    """
    from . import kept

    data = path.read_bytes()
    compiled = kept.catalog_path(data)
    if (known := kept.read(compiled)) is not None:
        try:
            return gettext_module.GNUTranslations(io.BytesIO(known))
        except Exception:  # a damaged file: compiled again below
            pass
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(data), abort_invalid=True)
    for message in catalog:
        if message.id and message.string:
            unknown = _places(message.string) - _places(message.id)
            if unknown:  # the template would fail at the first page that shows it
                raise CatalogError(message.lineno, f"the translation of \"{_first(message.id)}\" has "
                                   f"%({sorted(unknown)[0]})s, which the original does not")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    if compiled is not None:
        kept.keep(compiled, buffer.getvalue())
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


class CatalogError(ValueError):
    """A translation that would break the page: the line it is on, and what is wrong."""

    def __init__(self, lineno: int, message: str):
        super().__init__(message)
        self.lineno = lineno


def _places(text: str | tuple[str, ...]) -> set[str]:
    return {name for part in (text if isinstance(text, tuple) else (text,)) for name in PLACEHOLDER.findall(part)}


def _first(text: str | tuple[str, ...]) -> str:
    return text[0] if isinstance(text, tuple) else text


def load_catalog(language: str, folders: tuple[Path, ...], problems: Problems) -> gettext_module.NullTranslations:
    """The chain of catalogs for a language; an unreadable one is a content error naming the file."""
    chain: gettext_module.NullTranslations | None = None
    for path in catalog_files(language, folders):
        try:
            found = read_catalog(path)
        except Exception as exc:  # Babel's PoFileError, or a broken header: the editor's file, not our bug
            line = getattr(exc, "lineno", 0) or 0
            line = line if isinstance(exc, CatalogError) else line + 1  # Babel counts lines from 0
            problems.error(path, max(line, 1), 1, f"the catalog cannot be read: {exc}",
                           "fix the .po file (msgid/msgstr pairs in double quotes; a translation may use only the "
                           "%(name)s places of its original), or remove it to use the package's own")
            continue
        if chain is None:
            chain = found
        else:
            chain.add_fallback(found)
    return chain or gettext_module.NullTranslations()


def check_catalogs(site: Any, root: Path, problems: Problems) -> None:
    """Every edition's catalogs read in the check stage, so `check` finds what `build` would refuse.

    A broken `.po` file is an error (load_catalog); a language of `languages:` with no catalog
    anywhere is one warning at the place it is listed: its edition's words stay in English.
    """
    if site is None:
        return
    from .theme import lookup

    theme = lookup(root)
    folders = theme.locales
    own_words = None  # the words of the project's own templates, read once when an edition needs them
    for code in dict.fromkeys([site.language, *site.languages]):
        if catalog_files(code, folders):
            chain = load_catalog(code, folders, problems)
            if code != site.language:
                own_words = own_words if own_words is not None else _template_words(_own_templates(theme.templates))
                _check_template_words(own_words, chain, code, problems)
        elif code != site.language and code.split("-")[0].lower() != "en":  # i18n.is_english, not imported by check
            line, column = _position(root / "site.yaml", code)
            problems.warning(root / "site.yaml", line, column,
                             f"there is no catalog for '{code}': the {code} edition's own words (labels, "
                             "\"According to\", \"c.\") stay in English", f"copy the package's locales/en.po to "
                             f"locales/{code}.po in the project and translate it (see docs/templates.md)")


def _own_templates(folders: tuple[Path, ...]) -> list[Path]:
    """The project's own templates: those in a folder before the package's theme (theme.lookup),
    less exact copies of the package's own (whose words its catalogs hold: Babel is not loaded for them)."""
    from .theme import default_dir

    package = default_dir("templates")
    own = []
    for folder in folders:
        if folder.resolve() == package.resolve():
            continue
        for path in sorted(folder.rglob("*.html")):
            theirs = package / path.relative_to(folder)
            if not (theirs.is_file() and theirs.read_bytes() == path.read_bytes()):
                own.append(path)
    return own


def _template_words(paths: list[Path]) -> list[tuple[Path, int, str]]:
    """(file, line, words) of each gettext message in the project's own templates, read as
    `scripts/messages.py` reads the package's (Babel's Jinja2 extractor)."""
    if not paths:
        return []
    from babel.messages.extract import extract

    found = []
    for path in paths:
        try:
            with path.open("rb") as file:
                for line, message, _comments, _context in extract(
                        "jinja2.ext:babel_extract", file, keywords=KEYWORDS, options=TEMPLATE_OPTIONS):
                    found.append((path, line, message[0] if isinstance(message, tuple) else message))
        except Exception:  # unreadable, or not a template Jinja can parse: the build reports it where it renders
            continue
    return found


# How the templates' messages are read, here and by scripts/messages.py (which makes the package's catalogs).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def _check_template_words(words: list[tuple[Path, int, str]], chain: gettext_module.NullTranslations, code: str,
                          problems: Problems) -> None:
    """Words a project's own template adds that no catalog of the edition translates: the page would
    show them in English, unmarked, and nothing said so (an overridden `_facts.html` with new text)."""
    for path, line, message in words:
        if not _translates(chain, message):
            problems.warning(path, line, 1, f"the words \"{message}\" have no translation in any {code} "
                             f"catalog: the {code} edition shows them in English",
                             f"add them to locales/{code}.po in the project: msgid \"{message}\" and its msgstr "
                             "(see docs/templates.md)")


def _translates(chain: gettext_module.NullTranslations | None, message: str) -> bool:
    """Whether a catalog of the chain holds the message (a translation equal to it counts)."""
    while chain is not None:
        catalog = getattr(chain, "_catalog", {})
        if message in catalog or (message, 0) in catalog:
            return True
        chain = getattr(chain, "_fallback", None)
    return False


def _position(path: Path, code: str) -> tuple[int, int]:
    """Where `languages:` names a language in site.yaml (site.yaml's model keeps no positions for it)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError:
        return 1, 1
    for number, line in enumerate(lines, 1):
        if line.startswith("languages:"):
            at = re.search(rf"\b{re.escape(code)}\b", line)
            return number, (at.start() + 1 if at else 1)
    return 1, 1
