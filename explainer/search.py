"""Search for big stories: once the facts are split into pages, Pagefind indexes them for `search.html`.

Every fact (claim, attribution, quotes), timeline event and glossary entry becomes one Pagefind
record whose address is the item's own anchor (`facts-2024-08.html#fact-id`), so a result lands on
the item, not at the top of a page of a hundred. The index is static files under `pagefind/`,
fetched from the same site only when a reader searches; nothing runs on a server and nothing is
sent elsewhere. The front page only gains a link to `search.html`.

Pagefind is a pinned runtime dependency (`pagefind[bin]`, a Rust binary in a wheel). Where its
binary is missing or fails, the build warns and publishes the site without search: search is an
extra, the explainer is complete without it.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape

FOLDER = "pagefind"
PAGE = "search.html"
# Pagefind's own UI bundles: search.html has its own few lines of script, so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
_MARKUP = re.compile(r"\[\[[a-z0-9-]+\]\]|[*_`]")


class SearchUnavailable(Exception):
    """Pagefind is not installed or did not finish; the message says which."""


@dataclass(frozen=True)
class Record:
    url: str  # the item's anchor, relative to the site's root
    title: str
    content: str


def wanted(project: Any, layout: Any) -> bool:
    """Search is built for a story whose facts are split into pages, unless site.yaml says `search: false`."""
    return bool(getattr(project.site, "search", True)) and layout.facts.split


def plain(text: str) -> str:
    """Markdown text as words to index: citation markers and emphasis marks dropped."""
    return " ".join(_MARKUP.sub("", text).split())


def records(project: Any, layout: Any) -> list[Record]:
    """One record per fact, event and glossary entry, in a stable order."""
    from .attribution import chain

    sources = project.sources_by_id
    out = []
    for fact in project.facts:
        quotes = " ".join(f"“{c.quote}”" for c in fact.citations)
        out.append(Record(layout.fact_href(fact.id), f"{fact.number}. {fact.claim}",
                          f"{fact.claim} {chain(fact, sources)}. {quotes}"))  # the edition's words (editions.py)
    for event in sorted(project.events, key=lambda e: (e.date.sort_key, e.id)):
        out.append(Record(layout.event_href(event.id), event.title, f"{event.title}. {plain(event.text)}"))
    for term in sorted(project.glossary, key=lambda t: (t.term.lower(), t.id)):
        out.append(Record(f"{layout.facts.home or ''}#term-{term.id}", term.term,
                          f"{term.term}: {plain(term.definition)}"))
    return out


def executable() -> Path | None:
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    path = get_executable()
    return path if path is not None and path.is_file() else None


def index(items: list[Record], language: str) -> dict[str, bytes]:
    """Pagefind's bundle for these records as output path → bytes (see `write_records`)."""
    binary = executable()
    if binary is None:
        raise SearchUnavailable("Pagefind is not installed, so the site has no search")
    with tempfile.TemporaryDirectory(prefix="explainer-pagefind-") as scratch:
        site, bundle = Path(scratch) / "site", Path(scratch) / "bundle"
        write_records(items, site, language)
        try:
            subprocess.run([str(binary), "--site", str(site), "--output-path", str(bundle), "--silent",
                            "--force-language", language.split("-")[0].lower()],
                           capture_output=True, check=True, timeout=600, cwd=scratch)
        except (OSError, subprocess.SubprocessError) as exc:
            detail = (getattr(exc, "stderr", b"") or b"").decode("utf-8", "replace").strip()[:300]
            raise SearchUnavailable(f"Pagefind failed ({detail or exc}), so the site has no search") from None
        files = {f"{FOLDER}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
                 for p in sorted(bundle.rglob("*")) if p.is_file() and p.name not in UNUSED}
    if f"{FOLDER}/pagefind.js" not in files:
        raise SearchUnavailable("Pagefind wrote no pagefind.js, so the site has no search")
    return files


def write_records(items: list[Record], folder: Path, language: str) -> None:
    """Records as small pages for Pagefind's command line: one per page of the site, in order.

    Each record is a section under a heading whose id is the item's address on the site
    (`facts-2024-08.html#sbu-102`): Pagefind answers with that heading as a sub-result
    (`0003.html#facts-2024-08.html#sbu-102`) and search.js links to what follows the first `#`.
    Pages rather than a file per record: Pagefind's own per-record API answers one record per
    0.1 s, and 11,000 files take seconds just to write; ~100 pages index in about a second.
    """
    folder.mkdir(parents=True)
    pages: dict[str, list[Record]] = {}
    for item in items:
        pages.setdefault(item.url.partition("#")[0] or "index.html", []).append(item)
    lang = escape(language)
    for n, (page, records) in enumerate(pages.items()):
        sections = "".join(f'<section><h2 id="{escape(r.url)}">{escape(r.title)}</h2><p>{escape(r.content)}</p>'
                           "</section>" for r in records)
        (folder / f"{n:04d}.html").write_text(
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(page)}</title></head>'
            f"<body><main data-pagefind-body>{sections}</main></body></html>", encoding="utf-8")
