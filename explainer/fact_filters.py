"""The Renderer's fact-list half: the filters the fact list calls for every fact and quote.

Each is a method of the Renderer (render.py) rather than template code: with 10,000 facts, Jinja's
overhead per expression showed, so what repeats (a source's "From …:" line, a topic's span, the
words "In context") is made once per build and looked up after.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from .attribution import chain_isolated
from .filters import attributed
from .quotes import Archive
from .verify import normalise, normalise_lines

if TYPE_CHECKING:
    import jinja2

    from .i18n import Words
    from .incremental import RenderMemo
    from .model import Citation, Fact, Project, Source


class FactFilters:
    """The fact list's filters for the Renderer (render.py), which sets these attributes."""

    project: Project
    memo: RenderMemo | None
    env: jinja2.Environment
    layout: Any  # paginate.Layout: source_href
    words: Words
    _sources: dict[str, Source]
    _names: dict[str, str]  # source id → its name where its label is not its own (filters.source_names)
    _from_lines: dict[str, Markup]
    _archives: dict[str, Archive]

    def attributed(self, fact: Fact | str) -> str:
        """"According to the SBU, as reported by an unsigned article" (attribution.py writes the chain)."""
        if isinstance(fact, str):  # a template written before the chain: the attribution as it is
            return attributed(fact)
        return chain_isolated(fact, self._sources)

    def source_name(self, source: Source) -> str:
        """How a fact's quotes name their source: its label, or its title when another has that label."""
        return self._names.get(source.id) or source.title

    def from_source(self, source: Source) -> Markup:
        """"From <a href=…>the Kyiv Independent</a>:", the line over a fact's quotes from one source.

        Made once per source, not once per fact: at 10,000 facts the template's link, message
        and formatting for each were a fifth of the fact list's time. The same bytes the
        template wrote: each value through the environment's finalize, then escaped.
        """
        line = self._from_lines.get(source.id)
        if line is None:
            finalize = self.env.finalize
            link = Markup('<a href="{}">{}</a>').format(finalize(self.layout.source_href(source.id)),
                                                         finalize(self.source_name(source)))
            line = self._from_lines[source.id] = Markup(self.words.gettext("From %(source)s:")) % {"source": link}
        return line

    def topic_labels(self, topic_ids: list[str]) -> Markup:
        """A fact's topics by their labels, each in a span, with commas between them.

        A filter: the template's loop needed `loop.last`, and with it Jinja tracked the loop over
        every fact as well. Each topic's span is made once, its label through finalize and escaped.
        """
        spans = self._topic_spans
        return Markup(", ".join(spans[t] for t in topic_ids))

    @functools.cached_property
    def _topic_spans(self) -> dict[str, str]:
        """Topic id → its label in a span, made once per build (topic_labels)."""
        finalize = self.env.finalize
        return {t.id: f'<span class="topic">{escape(finalize(t.label))}</span>' for t in self.project.site.topics}

    @functools.cached_property
    def _in_context_label(self) -> Markup:
        """"In context" in the edition's words, once per build, not once per quote (in_context)."""
        return escape(self.words.gettext("In context"))

    def in_context(self, citation: Citation | str, source: Source) -> Markup:
        """The quote's sentence(s) or paragraph in the archived text, quoted words marked, in a
        `<details>` a reader opens without JavaScript (quotes.py); empty when there is none to show.

        The element is made here, not in the template: with one per quote, Jinja's overhead showed.
        """
        if source.context == "none" or not source.text:
            return Markup("")
        archive = self._archives.get(source.id)
        if archive is None:
            kept = self.memo.archives if self.memo is not None else {}  # the preview's: by the archived text
            archive = kept.get(source.text) or Archive(source.text, normalise, normalise_lines, source.normal)
            self._archives[source.id] = archive
            if self.memo is not None:
                self.memo.archives_now[source.text] = archive
        if isinstance(citation, str):  # a quote's text alone: found by searching the archive
            context = archive.context_html(citation, source.context)
        else:  # where the quote check found it: no second search
            context = archive.context_html(citation.quote, source.context, citation.offset, citation.length)
        if context is None:
            return Markup("")
        return Markup(f'<details class="ctx"><summary>{self._in_context_label}</summary><p>{context}</p></details>')
