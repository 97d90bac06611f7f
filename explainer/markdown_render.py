"""The Renderer's Markdown half: a text → sanitised HTML (nh3) with `[[fact-id]]` citations as numbered
links, remembered across the preview's builds (incremental.py).

Two fast paths skip Python-Markdown where its output is known (plain prose, prose with **strong**
words: tests/test_markdown_fast_path.py checks them against Markdown); citation runs are held out of
Markdown's way (its link parser is slow on them) and put back in text only, never inside a link.
Where a text came from is looked up here too, for errors in it and in its relative links.
"""

from __future__ import annotations

import re
from html import unescape
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import markdown
import nh3
from markupsafe import Markup

from .bidi import Prose
from .markdown_checks import CITE
from .markdown_guard import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_SCHEMES,
    ALLOWED_TAGS,
    HELD,
    HELD_STRAY,
    HOLD,
    HOLD_END,
    MARKS,
    MAX_MARKS,
    RESERVED,
    STRAY_MARKUP_LIMIT,
    UNSTRAY,
    MarkdownRefused,
    MarkdownTooDeep,
    busiest_paragraph,
    hold_stray_markup,
)
from .model import Fact, Project
from .two_builds import same_objects

if TYPE_CHECKING:
    from .incremental import RenderMemo

_CITE_RUN = re.compile(r"(?:\[\[[^\S\n]*[a-z0-9-]+[^\S\n]*\]\])+")  # spaces inside are forgiven, as validate does
# A tag in nh3's output, whose attribute values are always double-quoted: citations go in text only.
_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_HREF = re.compile(r'<a [^>]*?href="([^"]*)"')
# One line of prose that Markdown would only wrap in <p>: it starts with a letter or an opening
# quote (not a list, heading or quote marker) and holds no character Markdown or HTML treats
# specially (* _ ` [ ] < > & \\ ! # | ~ and line breaks). Most event and glossary texts are like this,
# and Python-Markdown takes ~0.4 ms even on them.
_PLAIN = re.compile(r"(?:[^\W\d_]|[\u2018\u201c\"'(])[^*_`\[\]<>&\\!#|~\t\n\r]*")
# The same prose with words in **strong** emphasis, each span's text plain, starting and ending with a
# non-space and followed by plain text: Markdown gives <strong> for each span and nothing else. Most
# generated timeline events are like this; tests/test_markdown_fast_path.py checks against Markdown.
_STRONG = re.compile(r"\*\*([^*_`\[\]<>&\\!#|~\s](?:[^*_`\[\]<>&\\!#|~\t\n\r]*[^*_`\[\]<>&\\!#|~\s])?)\*\*")
_PLAIN_STRONG = re.compile(r"(?:[^\W\d_]|[\u2018\u201c\"'(])[^*_`\[\]<>&\\!#|~\t\n\r]*"
                           r"(?:" + _STRONG.pattern + r"[^*_`\[\]<>&\\!#|~\t\n\r]+)+")


class MarkdownTexts:
    """Markdown for the Renderer (render.py), which sets these attributes and provides ``cite_html``."""

    project: Project
    memo: RenderMemo | None
    md: markdown.Markdown
    facts: dict[str, Fact]
    layout: Any  # paginate.Layout: fact_href
    local_links: dict[str, str]  # a relative link in Markdown → the first text that has it
    cite_html: Any  # fact ids → the bracketed group of citation links (Renderer.cite_html)

    def markdown(self, text: str, inline: bool = False) -> Markup:
        """Markdown → sanitised HTML with `[[fact-id]]` turned into numbered citation links."""
        key = None
        if self.memo is not None:  # the same text citing the same numbers and pages gives the same HTML
            key = (text, inline, self.memo.cite_state(self, text))
            hit = self.memo.markdown.last.get(key)
            if hit is not None:
                self.memo.markdown.now[key] = hit  # kept for the next build too
                html, links = hit
                for link in links:
                    self.local_links.setdefault(link, text)
                return html
        html, links = self._markdown(text, inline)
        for link in links:
            self.local_links.setdefault(link, text)
        if key is not None:
            self.memo.markdown.now[key] = (html, links)
        return html

    def events_html(self, events: list[Any]) -> list[tuple[Any, Markup]]:
        """Each event with its text's HTML (inline). The preview's memo takes the last build's list
        whole while the events are its very objects in the same order (renewed: the same texts) and
        every fact's number and page is the same (what the citations show): 6,670 look-ups at 50,000
        facts. What the texts' HTML was kept by, their citation states and their links are carried
        over as the look-ups would have."""
        memo = self.memo
        if memo is None:
            return [(event, self.markdown(event.text, inline=True)) for event in events]
        placement = memo.placement(self)  # type: ignore[arg-type]
        kept = memo.events.last
        if kept is not None and kept[1] == placement and same_objects(events, kept[0]):
            _, _, out, (html, cites, links) = kept
            memo.markdown.now.update(html)
            memo.cites.now.update(cites)
            for link, text in links:
                self.local_links.setdefault(link, text)
        else:
            marks = len(memo.markdown.now), len(memo.cites.now), len(self.local_links)
            out = [(event, self.markdown(event.text, inline=True)) for event in events]
            made = (memo.markdown.now, memo.cites.now, self.local_links)  # what the look-ups added
            html, cites, links = (dict(islice(d.items(), n, None)) for d, n in zip(made, marks, strict=True))
            kept = (list(events), placement, out, (html, cites, list(links.items())))
        memo.events.now = kept
        return list(out)

    def cite_state(self, text: str) -> tuple[tuple[str, int, str], ...]:
        """What a text's citation links show: each cited fact's number and page."""
        if "[[" not in text:
            return ()
        facts, href = self.facts, self.layout.fact_href
        return tuple((i, facts[i].number if i in facts else 0, href(i))
                     for i in (c.strip() for c in CITE.findall(text)))

    def _markdown(self, text: str, inline: bool) -> tuple[Markup, list[str]]:
        runs: list[str] = []  # citation runs, held out of Markdown's way: its link parser is slow on them
        held = text if text.isascii() else RESERVED.sub("\ufffd", text)
        if "[[" in held:
            held = _CITE_RUN.sub(lambda m: f"{HOLD}{runs.append(m.group(0)) or len(runs) - 1}{HOLD_END}", held)
        strays = held.count("[") + held.count("<") > STRAY_MARKUP_LIMIT
        if strays:
            held = hold_stray_markup(held)
        if _PLAIN.fullmatch(held):  # no Markdown in it: what convert() would give
            html = f"<p>{held}</p>"
        elif "**" in held and _PLAIN_STRONG.fullmatch(held):  # plain but for **strong** words: the same
            html = "<p>" + _STRONG.sub(r"<strong>\1</strong>", held) + "</p>"
        else:
            if sum(held.count(c) for c in MARKS) > MAX_MARKS:
                marks, line = busiest_paragraph(held)
                if marks > MAX_MARKS:
                    raise MarkdownRefused(text, f"the paragraph holds {marks} Markdown marks ([ < ` * _ & \\), "
                                          f"over the limit of {MAX_MARKS}", "split it into shorter paragraphs", line)
            self.md.reset()
            try:
                html = self.md.convert(held)
            except RecursionError:
                raise MarkdownTooDeep(text) from None
        html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer")
        if strays:
            html = HELD_STRAY.sub(lambda m: UNSTRAY[m.group(0)], html)
        links = []  # a relative link is checked with the pages; its mistakes are blamed on this text
        if 'href="' in html:
            links = [unescape(href) for href in _HREF.findall(html)
                     if not href.startswith(("http://", "https://", "#"))]
        if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Prose(self._place_citations(html, runs) if runs else html), links

    def _place_citations(self, html: str, runs: list[str]) -> str:
        """Put each held run back as citation links: in text only, and after a link, never inside one."""
        parts = _TAG.split(html)  # text, tag, text, ...
        after_link: list[str] = []  # citations written inside a link's text wait for its end: no <a> in <a>
        in_link = False

        def cite(m: re.Match[str]) -> str:
            links = str(self.cite_html([c.strip() for c in CITE.findall(runs[int(m.group(1))])]))
            if in_link:
                after_link.append(links)
                return ""
            return links

        for i, part in enumerate(parts):
            if not i % 2:
                parts[i] = HELD.sub(cite, part)
                continue
            # a tag: a held run inside a link's address goes back to what the editor wrote
            part = HELD.sub(lambda m: runs[int(m.group(1))], part)
            if part.startswith(("<a ", "<a>")):
                in_link = True
            elif part == "</a>":
                in_link = False
                part += "".join(after_link)
                after_link.clear()
            parts[i] = part
        return "".join(parts)

    def note_html(self, note: str) -> str | Markup:
        """A date note: plain text, or inline Markdown when it links to the one explanation it points to."""
        if "](" not in note:  # no link: the text as written, escaped like any value
            return note
        return self.markdown(note, inline=True)

    def locate_link(self, link: str) -> tuple[Path, int, int] | None:
        """Where a relative link in Markdown was written (file, line, column); None if no text has it."""
        text = self.local_links.get(link)
        if text is None:
            return None
        for item in [*self.project.events, *self.project.comparisons, *self.project.glossary]:
            if text in (getattr(item, "text", None), getattr(item, "definition", None)) and item.text_where:
                where = item.text_where  # a YAML text's own lines do not map to the file's: point at its start
                return where.path, where.line, where.column
        path, line = self.locate(text)
        at = max(0, text.find(link))
        return path, line + text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1) + 1

    def locate(self, text: str) -> tuple[Path, int]:
        """Where a Markdown text came from (only needed on the rare error path, so a plain search)."""
        p = self.project
        for summary in p.summaries:
            if summary.body == text:
                return summary.where.path, summary.body_line
        for item in [*p.events, *p.comparisons, *p.glossary]:
            if text in (getattr(item, "text", None), getattr(item, "definition", None)):
                return item.where.path, item.where.line
        return p.root / "content", 1  # pragma: no cover - every Markdown text comes from one of those
