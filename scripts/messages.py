#!/usr/bin/env python3
"""The catalogs of the page's words: every string the templates and the renderers show, in locales/*.po.

    python scripts/messages.py          # rewrite locales/en.po from the sources, add new strings to the others
    python scripts/messages.py --check  # exit 1 when en.po is stale or a catalog lacks a translation

en.po is the template: every message with an empty translation (English is written in the sources).
Each other catalog keeps its translations; a string new in the sources is added to it untranslated,
one gone from them is dropped. tests/test_languages.py runs the check.
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from explainer.catalogs import KEYWORDS, TEMPLATE_OPTIONS  # noqa: E402  (how a project's own templates are read too)

LOCALES = REPO / "locales"
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("explainer/**.py", "python")]
HEADER = "The page's words for the sourced-explainer theme. Copy this file to your project's locales/ to change them."


def extracted() -> Catalog:
    """Every message in the templates and the Python renderers, in a stable order."""
    fixed = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)  # stable files: no build date in them
    catalog = Catalog(project="sourced-explainer", version="1", fuzzy=False, creation_date=fixed,
                      revision_date=fixed, msgid_bugs_address="", last_translator="", language_team="")
    options = {"templates/**.html": TEMPLATE_OPTIONS}
    for path, line, message, comments, context in extract_from_dir(
            str(REPO), METHODS, options_map=options, keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        catalog.add(message, None, [(path, line)], auto_comments=comments, context=context)
    return catalog


def render(catalog: Catalog) -> str:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False, omit_header=False)
    return buffer.getvalue().decode("utf-8")


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def updated(path: Path, template: Catalog) -> Catalog:
    catalog = read(path)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    return catalog


def untranslated(catalog: Catalog) -> list[str]:
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            out.append(str(message.id))
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    template = extracted()
    template.header_comment = "# " + HEADER
    problems = []
    files = {LOCALES / "en.po": template}
    for path in sorted(LOCALES.glob("*.po")):
        if path.name != "en.po":
            files[path] = updated(path, template)
    for path, catalog in files.items():
        text = render(catalog)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                problems.append(f"{path.relative_to(REPO)} is not up to date: run python scripts/messages.py")
            if path.name != "en.po":
                problems += [f"{path.relative_to(REPO)}: no translation of {m!r}" for m in untranslated(catalog)]
        else:
            path.write_text(text, encoding="utf-8")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
