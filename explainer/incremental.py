"""Incremental rebuilds for the live preview: the same build, with its stages memoised by their inputs.

A build is a pure function of the project's files. ``IncrementalBuilder`` keeps what the last
build computed, each piece keyed by everything it was computed from, and reuses a piece only when
its key is unchanged, so a rebuild gives the same bytes as a cold build (tests/test_incremental.py
checks this after random sequences of edits):

- each content file's parsed document, with the problems found reading it, keyed by its bytes
  (file_memo.py);
- each entry of a list file (`content/*.yaml`), keyed by a digest of its text (entries.py): its
  parsed value until it is checked clean, its positions relative to the entry, its checked record
  once it was checked without a problem, and the fact, event, comparison or glossary entry made
  from that record while the entry stays in place (a fact also when it moves, its record then let
  go: renewed.items); a changed file is parsed
  again only in its new entries;
- each fact that passed the verify stage, with where its quotes were found, while its entry and
  its sources' normalised texts are unchanged (verify.QuoteMemo, verified.py), and each archive's
  paragraphs for the quotes in context;
- the facts', events' and sources' lines in the JSON and CSV exports, in chunks of about 64
  items, each chunk keyed by its items' entry tokens (a fact: the object), numbers (a source: the
  facts citing it) and addresses, and the sources (export_memo.py);
- the search index, keyed by its records (Pagefind runs again only when one changed; in `serve`,
  in the background, the last index published meanwhile: search_memo.SearchMemo);
- each Markdown text's HTML, keyed by the text and the number and page of every fact it cites;
- another edition of a story on one page: all its files, keyed by everything it shows (edition_key),
  so an edit to an original text it shows translated renders none of it;
- each list page's bytes and links, keyed by a fingerprint of what it shows: its own facts,
  events or sources, and what every page shares (templates, assets, site.yaml, every field of
  the sources: titles, addresses, labels for the attribution chain, how much context a quote
  shows, and a digest of the archived text the quotes in context come from; the pages of each
  list). A fact's page is rendered again when that fact changes (its dates, `said`, `as_of`,
  `published`, `derived`, its quotes and their offsets), or when a source it cites changes; a
  timeline or source page when one of its items, or a fact it cites, changes;
- each embed's bytes and links (embeds.py), keyed the same way: the timeline embed by the events
  it shows, a comparison's by the comparison, its text and its facts.

The checks across entries run in full every time (unique ids, references, `said` against the
sources, unused items), as do the front page, the 404 page, the feed and the sitemap. A fact or
event made from a kept entry stands in the fingerprints by its entry's token (entries.TOKENS) and
what other entries decide (its number, its id).

What a list page's fingerprint is made of is fingerprints.py's: it assumes the list-page templates
read only the variables the shipped ones do; a theme whose list pages read anything else (the
whole list of facts, the charts...) has its list pages rendered every time, which is slower but
still correct.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .assets import page_links
from .errors import ContentError
from .export_memo import ExportMemo
from .file_memo import FileMemo
from .fingerprints import (
    EMBED_NAMES,
    EMBED_TEMPLATES,
    LIST_PAGE_NAMES,
    LIST_PAGE_TEMPLATES,
    digest,
    embed_state,
    fact_numbers,
    fact_placement,
    own_inputs,
    page_state,
    read_only_known_names,
    shared_state,
    text_digest,
)
from .held import Packed
from .kept_checks import KeptChecks
from .paginate import KeptLayout
from .search_memo import SearchMemo
from .two_builds import TwoBuilds, same_at_each_place
from .verify import QuoteMemo
from .write_changes import WrittenSite

if TYPE_CHECKING:
    from .pipeline import BuildResult
    from .render import Renderer


class RenderMemo:
    """The last build's Markdown and list pages, each with the key it was rendered under."""

    def __init__(self) -> None:
        # Each kept for the next build only if this build used it (TwoBuilds: ``last`` and ``now``).
        self.markdown: TwoBuilds[dict[tuple, Any]] = TwoBuilds(dict)  # MarkdownTexts: a text's HTML and links
        self._pages: TwoBuilds[dict[str, tuple[bytes, Packed, Any]]] = TwoBuilds(dict)  # name → (key, page, links)
        # A list page → (what its state reads: fingerprints.own_inputs, the digest of its state)
        self._own: TwoBuilds[dict[str, tuple[tuple, bytes]]] = TwoBuilds(dict)
        # A Markdown text → what its citation links show (MarkdownTexts.cite_state), while every fact's
        # id, number and page are the same (fact_placement: the last build's, and this build's once known)
        self.cites: TwoBuilds[dict[str, tuple]] = TwoBuilds(dict)
        # The events' HTML (MarkdownTexts.events_html): the events, the placement, the list, and what
        # its look-ups kept (Markdown keys and HTML, citation states, links)
        self.events: TwoBuilds[tuple | None] = TwoBuilds(lambda: None)
        self._placement: TwoBuilds[bytes | None] = TwoBuilds(lambda: None)
        # What the last placement worked out was made from: the facts, their pages (paginate.KeptLayout's
        # dict: the same object while no fact moved), the front page; and the placement
        self._placed: tuple[list, dict[str, str], str, bytes] | None = None
        # Every fact's number by its id (fingerprints.fact_numbers), with the placement it was worked out under
        self._numbers: tuple[bytes, dict[str, int]] | None = None
        # An event's facts (the objects) → their topics (Renderer.event_topics)
        self.topics: TwoBuilds[dict[tuple, list[str]]] = TwoBuilds(dict)
        # The events and facts the topics were worked out for, the topics by event, and which events cite
        # each fact (made by the next build that needs it): Renderer.event_topics
        self.all_topics: TwoBuilds[tuple | None] = TwoBuilds(lambda: None)
        self.exports = ExportMemo()  # the export lines in chunks (export_memo.py)
        # Each archived text split and normalised for the quotes in context (quotes.Archive), by the text.
        # Not a TwoBuilds: kept while its source is, whether or not this build rendered a quote from it
        # (start), with what this build made added (finish).
        self.archives: dict[str, Any] = {}
        self.archives_now: dict[str, Any] = {}
        self.digests: dict[str, bytes] = {}  # each archived text's digest for the page fingerprints, by the text
        self.search = SearchMemo()  # the last index per language, and Pagefind making a newer one (search_memo.py)
        self._words: Any = None  # the catalogs the kept Markdown was rendered with
        self.reused = 0  # pages taken from the last build, for the preview's log and the tests
        # (template, source) → (the names it reads from its context, the templates it uses)
        self._checked: dict[tuple[str, str], tuple[frozenset[str], list[str]]] = {}
        self._shared: bytes | None = None  # this build's digest of what every list page and embed shares
        self._known: dict[tuple[str, ...], bool] = {}  # this build's read_only_known: templates → verdict
        # Another edition's files, while all it shows is the same: (key, files, problems found rendering them)
        self.edition: tuple[bytes, dict[str, Any], list[ContentError]] | None = None
        self.edition_reused = 0  # builds that took all the edition's files from the last, for the tests

    def start(self, project: Any = None, words: Any = None) -> None:
        """Begin a build; ``words`` (i18n.Words), whose catalogs name the citation links in Markdown."""
        if words is not None and words.state != self._words:  # "fact" in a citation's label: keyed by the catalogs
            self.markdown.last, self.events.last, self._words = {}, None, words.state
            self.exports = ExportMemo()  # the exports' dates are written in the catalog's words too
        for kept in self._each_build():
            kept.start()
        self.exports.start()
        self.reused, self.archives_now, self._shared, self._known = 0, {}, None, {}
        if project is not None:  # the archives of this build's sources stay, whichever pages it renders
            texts = {source.text for source in project.sources}  # the same objects as last time: no hashing
            self.archives = {text: archive for text, archive in self.archives.items() if text in texts}
            self.digests = {text: found for text, found in self.digests.items() if text in texts}

    def text_digest(self, text: str) -> bytes:
        """An archived text's digest, kept while the text is (verify.QuoteMemo gives it the same object)."""
        found = self.digests.get(text)
        if found is None:
            found = self.digests[text] = text_digest(text)
        return found

    def finish(self) -> None:
        """Keep this build's results (only what it used: stale entries go)."""
        for kept in self._each_build():
            kept.finish()
        self.exports.finish()
        self.archives.update(self.archives_now)
        self.archives_now = {}

    def _each_build(self) -> tuple[TwoBuilds[Any], ...]:
        """The memos that keep for the next build only what this one used (not the archives: see __init__)."""
        return (self.markdown, self._pages, self._own, self.cites, self._placement, self.topics, self.events,
                self.all_topics)

    def placement(self, renderer: Renderer) -> bytes:
        """Every fact's id, number and page this build (fingerprints.fact_placement), worked out once."""
        if self._placement.now is None:
            facts, section = renderer.project.facts, renderer.layout.facts
            last = self._placed
            if last is not None and last[1] is section.page_of and last[2] == section.home \
                    and same_at_each_place(facts, last[0], "id"):  # the same ids at each place: the same numbers
                self._placement.now = last[3]
            else:
                self._placement.now = fact_placement(renderer)
            self._placed = (list(facts), section.page_of, section.home, self._placement.now)
        return self._placement.now

    def cite_state(self, renderer: Renderer, text: str) -> tuple:
        """``renderer.cite_state(text)``, kept by the text while every fact's placement is the same: the
        numbers and pages of the facts a text cites follow from their ids, which the text holds."""
        if self.placement(renderer) != self._placement.last:
            self.cites.last, self._placement.last = {}, self._placement.now  # the kept states are stale
        found = self.cites.last.get(text)
        if found is None:
            found = renderer.cite_state(text)
        self.cites.now[text] = found
        return found

    def page_keys(self, renderer: Renderer, context: dict[str, Any], jobs: list) -> dict[str, bytes]:
        """name → key for each list page that can be memoised (none if the templates read more)."""
        if not any("section" in extra for _, _, extra in jobs):  # a site on one page: nothing to key
            return {}
        if not self.read_only_known(renderer, LIST_PAGE_TEMPLATES, LIST_PAGE_NAMES):
            return {}
        shared = self.shared_key(renderer, context)
        placement = self.placement(renderer)
        numbers: list[dict[str, int]] = []  # each fact's number by its id, once a page's state is worked out
        keys = {}
        for name, template, extra in jobs:
            if "section" in extra:
                own = self._own_state(renderer, context, extra, placement, numbers)
                keys[name] = digest((shared, template, name, own))
        return keys

    def read_only_known(self, renderer: Renderer, templates: tuple[str, ...], names: frozenset[str]) -> bool:
        """fingerprints.read_only_known_names, once a build: it reads every template it looks at."""
        found = self._known.get(templates)
        if found is None:
            found = self._known[templates] = read_only_known_names(renderer.env, self._checked, templates, names)
        return found

    def shared_key(self, renderer: Renderer, context: dict[str, Any]) -> bytes:
        """The digest of what every list page and embed may show besides its own items, once a build."""
        if self._shared is None:
            self._shared = digest(shared_state(renderer, context))
        return self._shared

    def embed_page(self, renderer: Renderer, context: dict[str, Any], embed: Any,
                   render: Callable[[], bytes]) -> bytes | Packed:
        """An embed's page (embeds.render): the last build's while what it shows is the same, else
        ``render()``, kept compressed; its links are set on the renderer for the link check."""
        if not self.read_only_known(renderer, EMBED_TEMPLATES, EMBED_NAMES):
            return render()
        numbers = self._fact_numbers(renderer, self.placement(renderer))
        key = digest((self.shared_key(renderer, context), embed_state(renderer, context, embed, numbers)))
        hit = self._pages.last.get(embed.name)
        if hit is not None and hit[0] == key and hit[2] is not None:
            self._pages.now[embed.name] = hit
            renderer.page_links[embed.name] = hit[2]
            return hit[1]
        data = render()
        links = renderer.page_links[embed.name] = page_links(embed.name, data)
        return self.keep_page(embed.name, key, data, links)

    def _own_state(self, renderer: Renderer, context: dict[str, Any], extra: dict[str, Any], placement: bytes,
                   numbers: list[dict[str, int]]) -> bytes:
        """The digest of what a list page shows of its own (fingerprints.page_state), kept while what
        it reads is the same (fingerprints.own_inputs): a save at 10,000 facts works out one page's."""
        name = extra["page"].name
        inputs = own_inputs(renderer, context, extra, placement)
        last = self._own.last.get(name)
        if inputs is not None and last is not None and last[0] == inputs:
            found = last[1]
        else:
            if not numbers and extra["section"].kind != "facts":  # only events and sources cite facts
                numbers.append(self._fact_numbers(renderer, placement))
            found = digest(page_state(renderer, context, extra, numbers[0] if numbers else None))
        if inputs is not None:
            self._own.now[name] = (inputs, found)
        return found

    def _fact_numbers(self, renderer: Renderer, placement: bytes) -> dict[str, int]:
        """fingerprints.fact_numbers (a pass over every fact), kept while the placement is the same:
        it covers every fact's id and number."""
        if self._numbers is None or self._numbers[0] != placement:
            self._numbers = (placement, fact_numbers(renderer.facts))
        return self._numbers[1]

    def kept_pages(self, keys: dict[str, bytes]) -> dict[str, tuple[Packed, Any]]:
        """The pages whose key is unchanged since the last build: name → (page, links)."""
        kept = {}
        for name, key in keys.items():
            hit = self._pages.last.get(name)
            if hit is not None and hit[0] == key and hit[2] is not None:
                kept[name] = (hit[1], hit[2])
                self._pages.now[name] = hit
        self.reused = len(kept)
        return kept

    def keep_page(self, name: str, key: bytes, data: bytes, links: Any) -> Packed:
        """Keep a page, as soon as it is rendered, with one link per file it links to (if any is broken,
        the check reads it in full); the page as the build gives it on: compressed (held.Packed)."""
        page = Packed(data)
        self._pages.now[name] = (key, page, list({(target, why): (link, target, why)
                                                  for link, target, why in reversed(links)}.values()))
        return page


class BuildCache:
    """Everything a build can reuse from the last one."""

    def __init__(self) -> None:
        self.files = FileMemo()
        self.quotes = QuoteMemo()
        self.render = RenderMemo()
        self.editions: dict[str, RenderMemo] = {}  # each other edition's pages, by its language code
        self.links: dict[str, tuple[Any, Any, Any]] = {}  # each page's bytes, links and broken ones, last build
        self.link_names: set[str] | None = None  # the files of the site the links were checked against
        self.written = WrittenSite()  # what the last write put on disk: the next writes only what changed
        self.layout = KeptLayout()  # the pages, filled again while every item's id and date are the same
        self.checks = KeptChecks()  # the passes over every fact that found nothing: made over the fresh ones

    def edition(self, code: str) -> RenderMemo:
        """The memo of the edition ``code`` (a method here, so a cold build never imports this module)."""
        return self.editions.setdefault(code, RenderMemo())


class IncrementalBuilder:
    """``build()`` as pipeline.build, reusing the last build's work where its inputs are unchanged.

    With ``background_search`` (`serve`), a rebuild does not wait for Pagefind: see search_memo.SearchMemo.
    With ``write_large_later`` (`serve`), a rebuild leaves its large changed files (the exports) for
    `write_later`, which the preview calls once the browsers were told to reload (write_changes.py).
    """

    def __init__(self, background_search: bool = False, write_large_later: bool = False) -> None:
        self.background_search = background_search
        self.write_large_later = write_large_later
        self.cache = self._new_cache()

    def _new_cache(self) -> BuildCache:
        cache = BuildCache()
        cache.render.search.background = self.background_search
        cache.written.write_large_later = self.write_large_later
        return cache

    def write_later(self) -> None:
        """Write the large files the last build left (an error: ExplainerError, as the build's write raises)."""
        self.cache.written.write_later()

    def close(self) -> None:
        """Stop a Pagefind still indexing in the background (the preview stops)."""
        self._stop_search()

    def _stop_search(self) -> None:
        self.cache.render.search.stop()
        for memo in self.cache.editions.values():
            memo.search.stop()

    def unchanged(self, root: Path, changed: set[str]) -> bool:
        """Whether every file reported changed (paths relative to ``root``) holds the bytes the last
        build read: an editor that empties a file and then writes it is reported twice, once as
        the build reads it whole and once after, with nothing new (a build of 0.7 s at 50,000 facts)."""
        return bool(changed) and self.cache.files.holds([root / name for name in changed])

    def read_mid_save(self, root: Path, changed: set[str]) -> list[str]:
        """The files reported changed (paths relative to ``root``) that the latest build read and that
        changed since: a large file seen half-written (a save of facts.yaml at 50,000 facts takes
        15–35 ms; the watch may report its first half) fails its build with thousands of errors that
        are not the editor's. The preview reports no such failure: the rest of the save is coming."""
        paths = {root / name: name for name in changed}
        return sorted(paths[path] for path in self.cache.files.changed_since_read(list(paths)))

    def build(self, root: Path, output: Path, base_url: str | None = None, strict: bool = False) -> BuildResult:
        from .errors import ExplainerError
        from .pipeline import build

        self.cache.files.begin()
        try:
            return build(root, output, base_url=base_url, strict=strict, cache=self.cache)
        except ExplainerError:  # content or usage problems: what was kept is still good
            raise
        except BaseException:  # a bug or a disk error mid-build: start the next build afresh
            self._stop_search()
            self.cache = self._new_cache()
            raise
