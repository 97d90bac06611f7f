"""The preview's search index: the last one made per language, and the Pagefind making a newer one.

A cold build waits for its Pagefind (pagefind.Indexing). The preview (`serve`) keeps the last index it
made for each language with the records it was made from (`SearchMemo`): a rebuild whose records are
the same publishes that index again without Pagefind (`Kept`); one with other records publishes the
last index at once and leaves Pagefind making the new one in the background (`Background`), which
serve_builds.py writes into the site when it is done, unless a newer build stopped it meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import pagefind

if TYPE_CHECKING:
    from .pagefind import Indexing
    from .search import Record


class Kept:
    """An index made before, for the same records: what the preview shows again without Pagefind."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files

    def finish(self) -> dict[str, bytes]:
        return self.files

    def close(self) -> None:
        """Nothing runs: nothing to stop."""


class Background:
    """The preview's index while Pagefind makes a newer one: the last index, published at once.

    The pages of the rebuild go out without waiting; the preview then starts ``indexing`` on
    pagefind.BACKGROUND_THREADS and writes its index into the site when it is done (serve_builds.py), unless
    a newer build stopped it meanwhile (SearchMemo.start).
    """

    def __init__(self, last: dict[str, bytes], indexing: Indexing):
        self.last, self.indexing = last, indexing  # indexing: started by the preview (`start`), once the site is out

    def finish(self) -> dict[str, bytes]:
        return self.last

    def close(self) -> None:
        """Pagefind keeps running after the build: the preview collects it, or a newer build stops it."""


class SearchMemo:
    """The preview's search index: the last one made per language, and the Pagefind making a newer one.

    A build whose records are those of the last index publishes it again (Kept): no Pagefind. Else
    a cold build, and the preview's first build, wait for Pagefind. With ``background`` (`serve`),
    a rebuild that has an earlier index publishes it at once and leaves Pagefind running
    (Background); a newer build with other records stops it, one with the same records takes it over.
    """

    def __init__(self, background: bool = False):
        self.background = background
        # Each index with its records: a fact kept from the last build keeps its Record object
        # (fact_records), so two lists of them share their records, and comparing them is quick
        # (a list compares the same object without looking inside; a digest of the records would
        # cost 0.14 s a build at 50,000 facts).
        self._kept: dict[str, tuple[list[Record], dict[str, bytes]]] = {}
        self._running: dict[str, tuple[list[Record], Indexing]] = {}
        # The last build's records (see `records`): its facts and their records, in order; the sources
        # they were made with; each event's and glossary entry's, by what it is made of.
        self.facts: list[Any] = []
        self.fact_records: list[Record] = []
        self.text_records: dict[tuple[str, str, str], Record] = {}
        self.text_list: list[Record] = []  # the last build's, in order, and what they were made from:
        self.text_items: tuple[list, list, tuple] | None = None  # its events, glossary and their places
        self.sources_named: list | None = None
        self.fact_places: tuple[dict[str, str], str] | None = None  # the facts' page_of and home then

    def start(self, items: list[Record], language: str) -> Indexing | Kept | Background:
        """The index for these records: kept, being made (in the background when allowed), or started now.

        Raises pagefind.SearchUnavailable when Pagefind cannot start.
        """
        kept = self._kept.get(language)
        if kept is not None and kept[0] == items:
            self.stop(language)  # an index for other records is of no use any more
            return Kept(kept[1])
        running = self._running.get(language)
        if running is not None and running[0] == items and running[1].usable():
            indexing = running[1]
        else:
            self.stop(language)
            indexing = pagefind.Indexing(items, language, later=self.background and kept is not None)
            indexing.finished = lambda files: self._keep(items, language, indexing, files)
            self._running[language] = (items, indexing)
        if self.background and kept is not None:
            return Background(kept[1], indexing)
        return indexing

    def stop(self, language: str | None = None) -> None:
        """Stop Pagefind for one language (every language: None), the records it indexes being out of date."""
        for code in [language] if language is not None else list(self._running):
            running = self._running.pop(code, None)
            if running is not None:
                running[1].close()

    def _keep(self, items: list[Record], language: str, indexing: Indexing, files: dict[str, bytes]) -> None:
        """Keep a finished index (a failed one is never kept, so the next build tries again)."""
        self._kept[language] = (items, files)
        if self._running.get(language, (None, None))[1] is indexing:
            del self._running[language]
