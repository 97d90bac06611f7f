"""Incremental rebuilds for the live preview: the same build, with its stages memoised by their inputs.

A build is a pure function of the project's files. ``IncrementalBuilder`` keeps what the last
build computed, each piece keyed by everything it was computed from, and reuses a piece only when
its key is unchanged, so a rebuild gives the same bytes as a cold build (tests/test_incremental.py
checks this after random sequences of edits):

- each content file's parsed document, with the problems found reading it, keyed by its bytes;
- each entry of a list file (`content/*.yaml`), keyed by a digest of its text (entries.py): its
  parsed value until it is checked clean, its positions relative to the entry, and its checked
  record once it was checked without a problem; a changed file is parsed again only in its new entries;
- where each quote was found in its archive, keyed by the source, the quote and the archive's
  normalised text (verify.QuoteMemo), and each archive's paragraphs for the quotes in context;
- each fact's and event's line in the JSON and CSV exports, keyed by its entry's token, number
  and address, and the sources;
- the search index, keyed by its records (Pagefind runs again only when one changed; in `serve`,
  in the background, the last index published meanwhile: search.SearchMemo);
- each Markdown text's HTML, keyed by the text and the number and page of every fact it cites;
- each list page's bytes and links, keyed by a fingerprint of what it shows: its own facts,
  events or sources, and what every page shares (templates, assets, site.yaml, every field of
  the sources: titles, addresses, labels for the attribution chain, how much context a quote
  shows, and a digest of the archived text the quotes in context come from; the pages of each
  list). A fact's page is rendered again when that fact changes (its dates, `said`, `as_of`,
  `published`, `derived`, its quotes and their offsets), or when a source it cites changes; a
  timeline or source page when one of its items, or a fact it cites, changes.

The checks across entries run in full every time (unique ids, references, `said` against the
sources, unused items, the numbers in claims), as do the front page, the 404 page, the feed and
the sitemap. A fact or event made from a kept entry stands in the fingerprints by its entry's
token (entries.TOKENS) and what other entries decide (its number, its id).

The page fingerprint assumes the list-page templates read only the variables the shipped ones
do; a theme whose list pages read anything else (the whole list of facts, the charts...) has its
list pages rendered every time, which is slower but still correct.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, TypeVar

import jinja2
import jinja2.meta
import jinja2.nodes

from .dates import PartialDate
from .entries import TOKENS, EntryMemo, ListDoc
from .errors import ContentError, Problems
from .model import Source, Spot, Where
from .search import SearchMemo
from .textfiles import read_text
from .verify import QuoteMemo
from .write_changes import WrittenSite
from .yamlsafe import Doc

if TYPE_CHECKING:
    from .pipeline import BuildResult
    from .render import Renderer

T = TypeVar("T")

# What a list page may read from the shared context and still be memoised by its own items:
# the page's own variables, what the shared fingerprint covers, and the filters' helpers.
LIST_PAGE_NAMES = frozenset({
    "section", "page", "previous", "next", "page_path", "facts", "events", "sources",  # the page's own
    "site", "css", "csp", "script", "base_url", "topics", "sources_by_id", "data_files", "asset",  # shared
    "layout", "event_topics",  # only the page's own items' entries are read (layout: whether a list is split)
    "editions", "translation_of", "links_absolute",  # the language switch: from site and base_url (editions.py)
})


class FileMemo:
    """Each file's load result and the problems found reading it, keyed by a hash of the file's bytes."""

    def __init__(self) -> None:
        self._files: dict[Path, tuple[bytes, Any, list[ContentError]]] = {}
        self._entries: dict[Path, EntryMemo] = {}  # the entries of each list file, by their text
        self._seen: set[Path] = set()

    def load(self, path: Path, problems: Problems, read: Callable[[Problems], T]) -> T:
        """``read(problems)`` for ``path``, or its last result if the file's bytes are unchanged."""
        try:
            data = hashlib.blake2b(path.read_bytes(), digest_size=32).digest()  # the bytes would double the memory
        except OSError:  # reported by read() as usual
            return read(problems)
        self._seen.add(path)
        hit = self._files.get(path)
        if hit is not None and hit[0] == data:
            problems.items.extend(hit[2])
            return hit[1]
        self._files.pop(path, None)  # the old document goes before the new one is built, not after
        found = Problems(problems.root)
        result = read(found)
        problems.items.extend(found.items)
        self._files[path] = (data, result, found.items)
        return result

    def load_list(self, path: Path, problems: Problems) -> Doc | None:
        """A list file's document, parsing again only its entries whose text changed (entries.py)."""
        def read(found: Problems) -> Doc | None:
            text = read_text(path, found)
            if text is None:
                return None
            memo = self._entries.setdefault(path, EntryMemo())
            return memo.load(path, text, found, most_new=len(memo.entries) // 2)

        return self.load(path, problems, read)

    def slim(self) -> None:
        """Once the build's items are checked: drop the parsed values of the entries checked clean
        (entries.EntryMemo.slim), in the memos and in the documents kept for the next build."""
        for path, memo in self._entries.items():
            memo.slim()
            hit = self._files.get(path)
            if hit is not None and isinstance(hit[1], ListDoc):
                hit[1].slim()

    def forget_unseen(self) -> None:
        """Drop files no longer read (removed or renamed), after a build."""
        for path in set(self._files) - self._seen:
            del self._files[path]
        for path in set(self._entries) - self._seen:
            del self._entries[path]
        self._seen.clear()


class RenderMemo:
    """The last build's Markdown and list pages, each with the key it was rendered under."""

    def __init__(self) -> None:
        self.markdown: dict[tuple, Any] = {}
        self.markdown_now: dict[tuple, Any] = {}
        self._pages: dict[str, tuple[bytes, bytes, Any]] = {}  # name → (key, bytes, links)
        self._pages_now: dict[str, tuple[bytes, bytes, Any]] = {}
        # (file, entry token, id, number, address) → (shared key, the item's line)
        self._lines: dict[tuple, tuple[bytes, bytes]] = {}
        self._lines_now: dict[tuple, tuple[bytes, bytes]] = {}
        # Each archived text split and normalised for the quotes in context (quotes.Archive), by the text.
        self.archives: dict[str, Any] = {}
        self.archives_now: dict[str, Any] = {}
        self.search = SearchMemo()  # the last index per language, and Pagefind making a newer one (search.py)
        self._words: Any = None  # the catalogs the kept Markdown was rendered with
        self.reused = 0  # pages taken from the last build, for the preview's log and the tests
        # (template, source) → (whether it reads only LIST_PAGE_NAMES, the templates it uses)
        self._checked: dict[tuple[str, str], tuple[bool, list[str]]] = {}

    def start(self, project: Any = None, words: Any = None) -> None:
        """Begin a build; ``words`` (i18n.Words), whose catalogs name the citation links in Markdown."""
        if words is not None and words.state != self._words:  # "fact" in a citation's label: keyed by the catalogs
            self.markdown, self._words = {}, words.state
        self.markdown_now, self._pages_now, self.reused = {}, {}, 0
        self._lines_now, self.archives_now = {}, {}
        if project is not None:  # the archives of this build's sources stay, whichever pages it renders
            texts = {source.text for source in project.sources}
            self.archives = {text: archive for text, archive in self.archives.items() if text in texts}

    def finish(self) -> None:
        """Keep this build's results (only what it used: stale entries go)."""
        self.markdown, self._pages, self._lines = self.markdown_now, self._pages_now, self._lines_now
        self.archives.update(self.archives_now)
        self.markdown_now, self._pages_now, self._lines_now, self.archives_now = {}, {}, {}, {}

    def export_lines(self, renderer: Renderer) -> Callable[[str, Iterable[Any], Callable[[Any], bytes]],
                                                          Iterator[bytes]]:
        """``lines`` for exports.data_files: a fact's or event's line kept while its entry, number and
        address are unchanged, and everything every line may show (the sources, the site's address)."""
        layout = renderer.layout
        # An item's address is its page (page_of) or, on no page of its own, its section's home.
        shared = _digest((renderer.options.base_url, layout.facts.home, layout.timeline.home,
                          [(_source_state(s), layout.source_href(s.id)) for s in renderer.project.sources]))
        lines, now = self._lines, self._lines_now

        def each(kind: str, items: Iterable[Any], line: Callable[[Any], bytes]) -> Iterator[bytes]:
            page_of = (layout.facts if kind != "timeline.json" else layout.timeline).page_of
            for item in items:
                token = TOKENS.get(item)
                if token is None:
                    yield line(item)
                    continue
                key = (kind, token, item.id, getattr(item, "number", 0), page_of.get(item.id))
                hit = lines.get(key)
                if hit is None or hit[0] != shared:
                    hit = (shared, line(item))
                now[key] = hit
                yield hit[1]

        return each

    def page_keys(self, renderer: Renderer, context: dict[str, Any], jobs: list) -> dict[str, bytes]:
        """name → key for each list page that can be memoised (none if the templates read more)."""
        if not any("section" in extra for _, _, extra in jobs):  # a site on one page: nothing to key
            return {}
        if not _list_pages_read_only_known_names(renderer.env, self._checked):
            return {}
        shared = _digest(_shared_state(renderer, context))
        keys = {}
        for name, template, extra in jobs:
            if "section" in extra:
                keys[name] = _digest((shared, template, name, _page_state(renderer, context, extra)))
        return keys

    def kept_pages(self, keys: dict[str, bytes]) -> dict[str, tuple[bytes, Any]]:
        """The pages whose key is unchanged since the last build: name → (bytes, links)."""
        kept = {}
        for name, key in keys.items():
            hit = self._pages.get(name)
            if hit is not None and hit[0] == key and hit[2] is not None:
                kept[name] = (hit[1], hit[2])
                self._pages_now[name] = hit
        self.reused = len(kept)
        return kept

    def keep_page(self, name: str, key: bytes, data: bytes, links: Any) -> None:
        """Keep a page with one link per file it links to: if any is broken, the check reads it in full."""
        if links is None:
            from .assets import page_links
            links = page_links(name, data)
        self._pages_now[name] = (key, data, list({(target, why): (link, target, why)
                                                  for link, target, why in reversed(links)}.values()))


class BuildCache:
    """Everything a build can reuse from the last one."""

    def __init__(self) -> None:
        self.files = FileMemo()
        self.quotes = QuoteMemo()
        self.render = RenderMemo()
        self.editions: dict[str, RenderMemo] = {}  # each other edition's pages, by its language code
        self.written = WrittenSite()  # what the last write put on disk: the next writes only what changed


class IncrementalBuilder:
    """``build()`` as pipeline.build, reusing the last build's work where its inputs are unchanged.

    With ``background_search`` (`serve`), a rebuild does not wait for Pagefind: see search.SearchMemo.
    """

    def __init__(self, background_search: bool = False) -> None:
        self.background_search = background_search
        self.cache = self._new_cache()

    def _new_cache(self) -> BuildCache:
        cache = BuildCache()
        cache.render.search.background = self.background_search
        return cache

    def close(self) -> None:
        """Stop a Pagefind still indexing in the background (the preview stops)."""
        self._stop_search()

    def _stop_search(self) -> None:
        self.cache.render.search.stop()
        for memo in self.cache.editions.values():
            memo.search.stop()

    def build(self, root: Path, output: Path, base_url: str | None = None, strict: bool = False) -> BuildResult:
        from .errors import ExplainerError
        from .pipeline import build

        try:
            return build(root, output, base_url=base_url, strict=strict, cache=self.cache)
        except ExplainerError:  # content or usage problems: what was kept is still good
            raise
        except BaseException:  # a bug or a disk error mid-build: start the next build afresh
            self._stop_search()
            self.cache = self._new_cache()
            raise


def _list_pages_read_only_known_names(env: jinja2.Environment,
                                      checked: dict[tuple[str, str], tuple[bool, list[str]]]) -> bool:
    """Whether the list-page templates (and everything they use) read only LIST_PAGE_NAMES."""
    seen: set[str] = set()
    todo = ["list_page.html", "_facts.html", "_timeline.html", "_sources.html"]  # included by section kind
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateError:
            return False  # the build reports it
        known = checked.get((name, source))
        if known is None:
            known = checked[name, source] = _reads_only_known_names(env, source)
        if not known[0]:
            return False
        todo.extend(known[1])
    return True


def _reads_only_known_names(env: jinja2.Environment, source: str) -> tuple[bool, list[str]]:
    try:
        ast = env.parse(source)
    except jinja2.TemplateError:
        return False, []  # the build reports it
    # A name the template sets itself ({% set heading = ... %} read in a block) is its own.
    assigned = {node.name for node in ast.find_all(jinja2.nodes.Name) if node.ctx in ("store", "param")}
    # A computed name ("_" ~ section.kind ~ ".html") is one of the three section templates, checked anyway.
    uses = [used for used in jinja2.meta.find_referenced_templates(ast) if used is not None]
    return jinja2.meta.find_undeclared_variables(ast) - assigned <= LIST_PAGE_NAMES, uses


def _shared_state(renderer: Renderer, context: dict[str, Any]) -> tuple:
    """What every list page may show besides its own items."""
    layout = renderer.layout
    templates = []
    for folder in renderer.env.loader.searchpath:  # type: ignore[union-attr]
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                templates.append((str(path.relative_to(folder)), path.read_bytes()))
    sections = [(s.kind, s.home, [(p.name, p.title, p.group, p.label) for p in s.pages])
                for s in (layout.facts, layout.timeline, layout.sources)]
    # A source's archived text shows on the pages of the facts that cite it (a quote in context,
    # Renderer.in_context): its digest is shared, so a changed archive renders the list pages again
    # (its recorded sha256 changes with it too, but the text is what the pages show).
    sources = [(_source_state(s), _text_digest(s.text), layout.source_href(s.id))
               for s in renderer.project.sources]
    return (templates, sorted(renderer.assets.names.items()), str(context["css"]),
            context["csp"], context["script"], context["base_url"], state(context["site"]), sections, sources,
            renderer.words.state)  # the catalogs the page's words come from (i18n.py)


def _page_state(renderer: Renderer, context: dict[str, Any], extra: dict[str, Any]) -> tuple:
    """What one list page shows of its own: its items, and what of other items they show."""
    facts, section = renderer.facts, renderer.layout.facts
    page_of, home = section.page_of, section.home  # a fact's link is its page and its id (Layout.fact_href)

    def cited(ids: list[str]) -> list:
        return [(i, facts[i].number if i in facts else 0, page_of.get(i, home)) for i in ids]

    kind = extra["section"].kind
    if kind == "facts":
        items: Any = [_entry_state(f) for f in extra["facts"]]  # each links to this page, named below
        originals = getattr(renderer, "originals_by_id", None)  # an edition's: its attribution chain reads them
        if originals is not None:
            items = [(item, _entry_state(originals[f.id])) for item, f in zip(items, extra["facts"], strict=True)]
    elif kind == "timeline":
        topics = context["event_topics"]
        items = [(_entry_state(e), str(text), topics.get(e.id), cited(e.facts)) for e, text in extra["events"]]
    else:
        items = [(_source_state(s), cited([f.id for f in s.cited_by])) for s in extra["sources"]]
    neighbours = [(p.name, p.title) if p else None for p in (extra["previous"], extra["next"])]
    return kind, extra["page"].name, extra["page"].title, neighbours, items


def _entry_state(item: Any) -> Any:
    """A fact or event as plain data for a fingerprint: an item made from a kept entry (entries.py)
    is its entry's token and what other entries decide (its number, its derived id). The rest
    follows from its text and the sources, which the shared fingerprint covers: the date its first
    source lends it (`published`), its quotes' offsets (from the sources' archives)."""
    token = TOKENS.get(item)
    if token is None:
        return state(item)
    return token, item.id, getattr(item, "number", 0)


def _source_state(source: Source) -> Any:
    """A source as plain data for a fingerprint, without the facts citing it and its archived text
    (covered on their own): a source made from a kept entry is its entry's token, which stands for
    every other field."""
    token = TOKENS.get(source)
    if token is None:
        return state(source, skip=("cited_by", "text"))
    return token, source.id


def state(value: Any, skip: tuple[str, ...] = ()) -> Any:
    """A value as plain data, for a fingerprint: positions in files are left out (they show nowhere)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is PartialDate:  # as plain data, so the fingerprint is marshalled (see _digest)
        return ("PartialDate", value.year, value.month, value.day, value.approximate, value.uncertain)
    if kind is list or kind is tuple:
        return [state(v) for v in value]
    if kind is Where or kind is Spot:  # where an item was written, which no page shows
        return None
    if kind is Source and not skip:  # a source is shown by its id wherever it is cited
        return ("source", value.id)
    names = _FIELDS.get((kind, skip))
    if names is None:
        if kind is dict:
            return [(state(k), state(v)) for k, v in value.items()]
        if isinstance(value, PurePath):
            return str(value)
        if not is_dataclass(value):
            return repr(value)  # unknown: its repr (which at worst never matches, so it is rendered again)
        names = _FIELDS[kind, skip] = tuple(f.name for f in fields(value) if f.name not in skip)
    return (kind.__name__, *[state(getattr(value, name)) for name in names])


_LEAVES = {str, int, float, bool, type(None)}
_FIELDS: dict[tuple[type, tuple[str, ...]], tuple[str, ...]] = {}


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


def _digest(value: Any) -> bytes:
    """A fingerprint's digest. Plain data (what state() gives) goes through marshal's version 2, in C
    and about four times quicker than repr at 10,000 facts; it writes no references between
    objects, so equal values give equal bytes whichever objects hold them. Anything else marshal
    refuses (a str subclass such as Markup) is digested by its repr; the prefix keeps the two apart."""
    try:
        data = b"m" + marshal.dumps(value, 2)
    except ValueError:
        data = b"r" + repr(value).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=20).digest()
