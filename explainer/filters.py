"""The templates' filters that need no renderer: dates as `<time>` (cached, one per date), a fact's
"said … · about …", "as of", quotes grouped by source, sources' short names, and links to a quote
with a text fragment. The renderer registers them (render.py); i18n.py has the dates for other languages.
"""

from __future__ import annotations

from urllib.parse import quote as urlquote

from markupsafe import Markup

from .dates import PartialDate
from .model import Citation, Date, Fact, Source
from .quotes import ELLIPSIS, fragments


def format_date(date: PartialDate | None) -> Markup:
    """`<time>` at the date's own precision; unknown dates say so."""
    if date is None:
        return Markup('<span class="unknown">unknown</span>')
    html = _DATES.get(date)
    if html is None:  # many facts share a date: each is formatted once
        if date.__class__ is PartialDate:
            html = Markup('<time datetime="{iso}">{text}</time>').format(iso=date.iso, text=date.human())
        else:  # a span or a set (uncertain.py): a <time> for each of its dates
            html = time_html(date.pieces())
        _DATES[date] = html
    return html


def format_said(date: Date | None) -> Markup:
    """When a claim was made: one moment, so a span reads "between 24 and 25 May 2025"."""
    if date is None or date.__class__ is PartialDate:
        return format_date(date)
    html = _SAID.get(date)
    if html is None:
        html = _SAID[date] = time_html(date.pieces(moment=True))
    return html


def fact_when(fact: Fact) -> Markup:
    """A fact's date, and when it was said if that differs: "said 25 May 2025 · about 6 August 2024 – …".

    A filter, not a template macro: it runs once per fact, and a Jinja macro call costs ten times more.
    """
    if not fact.said_differs:
        return format_date(fact.date)
    label = "said" if fact.said else "published"
    # `../2025-05-25` reads "about 25 May 2025 or earlier", not "about until 25 May 2025"
    about = format_said(fact.date) if getattr(fact.date, "start", True) is None else format_date(fact.date)
    # Markup.format runs a pure-Python formatter (~20 µs a call); both dates are already escaped Markup
    return Markup(f'<span class="said">{label} {format_said(fact.when_said)}</span> · about {about}')


def as_of(fact: Fact) -> Markup:
    """" (as of 26 May 2025)", for beside the claim wherever it appears; nothing without `as_of`."""
    if fact.as_of is None:
        return _NOTHING
    # one moment, like `said`: "as of 6 August 2024 or later", never "as of from 6 August 2024"
    return Markup(f' <span class="as-of">(as of {format_said(fact.as_of)})</span>')


_NOTHING = Markup("")


def time_html(pieces: list[tuple[str, str | None]]) -> Markup:
    """Dates as `<time>` elements with their machine form, the words between them as text."""
    return Markup("").join(Markup('<time datetime="{}">{}</time>').format(iso, text) if iso else text
                           for text, iso in pieces)


_DATES: dict[Date, Markup] = {}
_SAID: dict[Date, Markup] = {}


def attributed(who: str) -> str:
    """"According to …" with the attribution as written."""
    return f"According to {who}"


def quotes_by_source(citations: list[Citation]) -> list[tuple[str, list[Citation]]]:
    """A fact's quotes grouped by source, in the order each source is first cited: one source line each."""
    if len(citations) == 1:
        return [(citations[0].source, citations)]
    groups: dict[str, list[Citation]] = {}
    for citation in citations:
        groups.setdefault(citation.source, []).append(citation)
    return list(groups.items())


def source_names(sources: list[Source]) -> dict[str, str]:
    """Each source's short name for its quotes: its `label`, unless another source shares it (then its title)."""
    counts: dict[str, int] = {}
    for source in sources:
        counts[source.label] = counts.get(source.label, 0) + 1
    return {s.id: s.label for s in sources if s.label and counts[s.label] == 1}


def fragment_link(source: Source, quote: str) -> str:
    """The source URL with a text fragment, so the browser scrolls to and highlights the quote."""
    url = (source.url or "").split("#", 1)[0]
    # words left out: from the first fragment's start to the last one's end
    if ("…" in quote or "[" in quote) and ELLIPSIS.search(quote):
        parts = fragments(quote) or [""]
        first, last = parts[0].split(), parts[-1].split()
        return f"{url}#:~:text={_fragment_part(' '.join(first[:4]))},{_fragment_part(' '.join(last[-4:]))}"
    words = quote.split()
    if len(words) > 8:
        target = f"{_fragment_part(' '.join(words[:4]))},{_fragment_part(' '.join(words[-4:]))}"
    else:
        target = _fragment_part(" ".join(words))
    return f"{url}#:~:text={target}"


def _fragment_part(text: str) -> str:
    if text.isascii():  # most quotes: one translate() in C gives what quote() gives (11 µs a call saved)
        return text.translate(_QUOTED_ASCII)
    return urlquote(text, safe="").replace("-", "%2D")


# Each ASCII character as urllib.parse.quote(safe="") writes it, with "-" as %2D (it ends a fragment's range)
_QUOTED_ASCII = {c: urlquote(chr(c), safe="").replace("-", "%2D") for c in range(128)}

