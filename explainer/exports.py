"""Machine-readable copies of the content: facts.json, timeline.json, sources.json, glossary.json and
facts.csv (what search engines read about the site is in metadata.py).

Everything here is deterministic (sorted keys, content order, no build time), so two builds of
the same content give the same bytes. Each edition's files are in its own language: the content is
its translated copy, and a date's `text` is written as its page writes it (``words``, i18n.py).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .attribution import chain
from .dates import PartialDate
from .model import Date, Event, Fact, Project, Source, Term
from .paginate import Layout
from .paginate import layout as page_layout
from .write import Output, Sink

if TYPE_CHECKING:
    from .i18n import Words  # imported by the render stage only (i18n.py)

DATA_FILES = ("facts.json", "timeline.json", "sources.json", "glossary.json", "facts.csv")
CSV_COLUMNS = (
    "number", "id", "date", "approximate", "said", "as_of", "attribution", "credit", "claim", "topics", "sources",
    "quotes", "translated_by_source", "date_note",
    "figure_series", "figure_qualifier", "figure_value", "figure_low", "figure_high", "figure_label", "url",
)


def date_json(date: Date | None, moment: bool = False, words: Words | None = None) -> dict[str, Any] | None:
    """A date for re-use: its EDTF notation, ISO 8601 form (null for one of a set), range and text.

    `earliest` and `latest` are the first and last day it can be (null for an open end). A
    ``moment`` (when a claim was said) words a span as one day within it: "between 24 and 25 May 2025".
    ``words``: an edition's language other than English, whose readers get the text its page shows
    ("бл. серпня 2024?"); None, the English the generator writes.
    """
    if date is None:
        return None
    key = (date, moment, _language(words))
    out = _DATE_JSON.get(key)
    if out is None:  # many facts share a date: each is worked out once
        if words is not None:
            text = words.text(date, moment)
        else:
            text = "".join(t for t, _ in date.pieces(moment=True)) if moment else date.human()
        out = _DATE_JSON[key] = {
            "edtf": date.edtf, "iso": date.iso, "precision": date.precision, "approximate": date.approximate,
            "uncertain": date.uncertain, "earliest": date.earliest, "latest": date.latest, "text": text,
        }
    return out


_DATE_JSON: dict[Any, dict[str, Any]] = {}


def _language(words: Words | None) -> Any:
    """What a date's text depends on besides the date: the edition's language and catalog."""
    return None if words is None else (words.language, words.catalog)


def in_words(words: Words | None) -> Words | None:
    """``words`` for the exports: None for English, whose texts the generator writes itself."""
    return None if words is None or words.english else words


def said_from(fact: Fact) -> str | None:
    """Where a fact's `said` date comes from: the fact itself, or its first cited source."""
    return "fact" if fact.said else "source" if fact.published else None


_NOTE_LINK = re.compile(r"\[([^\[\]\n]+)\]\(\s*([^()\s]+)\s*\)")


def note_text(note: str | None, base_url: str) -> str | None:
    """A date note for the exports, read away from the page: each link as its text and full address."""
    if not note or "](" not in note:
        return note

    def address(m: re.Match[str]) -> str:
        target = m.group(2)
        return f"{m.group(1)} ({target if target.startswith(('http://', 'https://')) else base_url + target})"
    return _NOTE_LINK.sub(address, note)


def note_from(item: Fact | Event, own: str = "fact") -> str | None:
    """Where a date note comes from: the item itself (``own``), or the source that says it once for its facts."""
    return own if item.date_note else "source" if item.date_note_source else None


def csv_date(date: Date | None) -> str:
    """ISO 8601 for a plain date (as before uncertain dates existed), else its EDTF notation."""
    if date is None:
        return ""
    return date.iso if date.__class__ is PartialDate else date.edtf


def fact_json(fact: Fact, base_url: str, sources: dict[str, Source], layout: Layout,
              words: Words | None = None) -> dict[str, Any]:
    fig = fact.figure
    return {
        "id": fact.id, "number": fact.number, "url": base_url + layout.fact_href(fact.id),
        "claim": fact.claim, "attribution": fact.attribution, "credit": chain(fact, sources),
        "derived": [{"number": d.number, "reason": d.reason} for d in fact.derived],
        "date": date_json(fact.date, words=words), "date_note": note_text(fact.full_date_note, base_url),
        "date_note_from": note_from(fact), "topics": fact.topics,
        "said": date_json(fact.when_said, True, words), "said_from": said_from(fact),
        "as_of": date_json(fact.as_of, words=words),
        "citations": [{"source": c.source, "quote": c.quote, "source_url": sources[c.source].url,
                       "translated_by_source": c.translated_by_source} for c in fact.citations],
        "figure": None if fig is None else {
            "series": fig.series, "label": fig.label, "qualifier": fig.qualifier,
            "value": fig.value, "low": fig.low, "high": fig.high,
        },
    }


def fact_line(fact: Fact, base_url: str, sources: dict[str, Source], layout: Layout,
              words: Words | None = None) -> bytes:
    """``encoded(fact_json(...))``, the same bytes, written out key by key in sorted order.

    The dates, most of a line, are encoded once per date (facts share them) instead of once per
    fact; the rest goes through json's C string encoder. At 10,000 facts this halves facts.json's
    time (the exports are made beside the render, on the core Pagefind uses). tests/test_fast_paths.py
    compares every fact's line with the encoder's.
    """
    enc, fig = _encode, fact.figure
    cites = ", ".join(
        f'{{"quote": {enc(c.quote)}, "source": {enc(c.source)}, '
        f'"source_url": {_NULL if (url := sources[c.source].url) is None else enc(url)}, '
        f'"translated_by_source": {"true" if c.translated_by_source else "false"}}}'
        for c in fact.citations)
    note = note_text(fact.full_date_note, base_url)
    derived = "[]" if not fact.derived else enc([{"number": d.number, "reason": d.reason} for d in fact.derived])
    figure = _NULL if fig is None else enc({"series": fig.series, "label": fig.label, "qualifier": fig.qualifier,
                                            "value": fig.value, "low": fig.low, "high": fig.high})
    noted, said = note_from(fact), said_from(fact)
    line = (
        f'{{"as_of": {_date_line(fact.as_of, False, words)}, "attribution": {enc(fact.attribution)}, '
        f'"citations": [{cites}], "claim": {enc(fact.claim)}, "credit": {enc(chain(fact, sources))}, '
        f'"date": {_date_line(fact.date, False, words)}, '
        f'"date_note": {_NULL if note is None else enc(note)}, '
        f'"date_note_from": {_NULL if noted is None else enc(noted)}, "derived": {derived}, '
        f'"figure": {figure}, "id": {enc(fact.id)}, "number": {enc(fact.number)}, '
        f'"said": {_date_line(fact.when_said, True, words)}, "said_from": {_NULL if said is None else enc(said)}, '
        f'"topics": {enc(fact.topics)}, "url": {enc(base_url + layout.fact_href(fact.id))}}}'
    )
    return line.encode("utf-8")


_NULL = "null"


def _date_line(date: Date | None, moment: bool = False, words: Words | None = None) -> str:
    """``date_json(date, moment, words)`` as encoded JSON, once per date."""
    if date is None:
        return _NULL
    key = (date, moment, _language(words))
    text = _DATE_LINES.get(key)
    if text is None:
        text = _encode(date_json(date, moment, words))
        if len(_DATE_LINES) < _DATE_LINES_MAX:
            _DATE_LINES[key] = text
    return text


_DATE_LINES: dict[Any, str] = {}  # (date, moment, language) → its JSON, for _date_line
_DATE_LINES_MAX = 100_000  # pragma: no mutate (a bound for a long-running preview, as dates._PARSED has)


def event_json(event: Event, base_url: str, layout: Layout, words: Words | None = None) -> dict[str, Any]:
    return {"id": event.id, "url": base_url + layout.event_href(event.id), "date": date_json(event.date, words=words),
            "date_note": note_text(event.full_date_note, base_url), "date_note_from": note_from(event, "event"),
            "title": event.title, "text": event.text, "facts": event.facts}


def source_json(source: Source, base_url: str, layout: Layout, words: Words | None = None) -> dict[str, Any]:
    inferred = source.published_inferred
    return {
        "id": source.id, "url": base_url + layout.source_href(source.id), "title": source.title,
        "publisher": source.publisher, "author": source.author, "published": date_json(source.published, words=words),
        "published_inferred": None if not inferred else {
            "from": date_json(inferred["from"], words=words), "to": date_json(inferred.get("to"), words=words),
            "reasoning": inferred["reasoning"],
        },
        "source_url": source.url, "retrieved": date_json(source.retrieved, words=words),
        "archive": f"seeds/{source.archive}",
        "label": source.label, "sha256": source.sha256, "context": source.context,
        "note": source.note, "facts_date_note": note_text(source.facts_date_note, base_url),
        "cited_by": [f.id for f in source.cited_by],
    }


def term_json(term: Term, base_url: str) -> dict[str, Any]:
    return {"id": term.id, "url": f"{base_url}#term-{term.id}", "term": term.term,
            "definition": term.definition, "facts": term.facts}


_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def encoded(item: dict[str, Any]) -> bytes:
    """One item of a JSON export as its line: json's C encoder, keys sorted."""
    return _encode(item).encode("utf-8")


SEP = b",\n"  # between the items of a JSON export's list, one a line (dump)
# The preview's exports from this size up stay in pieces (_in_pieces): once written, their lines are
# read back from the file (held.py), not held, and a file whose lines are all as written is left alone
# (held.InPieces.lies_in); a build's new lines past it wait in a temporary file until written
# (held.Spill). Joined (up to 16 MB, until 2 Dec 2026), a 10,000-fact story's exports (18 MB) were
# held twice, as lines and joined, and an unchanged one was read back from disk to be compared.
IN_PIECES_AT = 1 << 20


def dump(head: dict[str, Any], key: str, lines: Iterable[bytes]) -> Output:
    """A JSON object: ``head``'s fields and ``key``'s list, one item (already ``encoded``) per line, keys sorted.

    ``lines`` are the items' lines, each piece one line or several already joined by SEP.

    Each item goes through json's C encoder (an indent would make it pure Python, about ten
    times slower) and is written as soon as it is encoded, so the export is held only once:
    one item per line also keeps the file readable and its diffs small (and lets the preview
    keep each item's line: incremental.py).
    """
    if isinstance(lines, list):  # the preview's kept pieces: joined at once, copied once, not into a buffer
        # that grows (which copies 11 MB of facts.json about four times as long at 10,000 facts); a
        # large file is left in its pieces, written one after another (held.InPieces)
        return _in_pieces(list(_pieces(head, key, lines, apart=True)), lines)
    out = Sink()  # memory, or a temporary file once it is large (write.py)
    for piece in _pieces(head, key, lines):
        out.write(piece)
    return out.value()


def _in_pieces(pieces: list[Any], kept: list[Any]) -> Output:
    """The preview's export from its pieces, among them ``kept``, the memo's chunks of lines: joined when
    small, else left in pieces, which once written are read back from the file (held.py)."""
    from .held import InPieces, joined

    return joined(pieces) if sum(map(len, kept)) < IN_PIECES_AT else InPieces(pieces, kept)


def _pieces(head: dict[str, Any], key: str, lines: Iterable[bytes], apart: bool = False) -> Iterator[bytes]:
    """The bytes of dump's object, in order: its head's fields and ``key``'s list, keys sorted. Each
    line comes with the separator before it (half the writes into a Sink), or ``apart`` from it (for
    one join: no line copied twice, 5 MB at 10,000 facts)."""
    yield b"{"
    for i, name in enumerate(sorted([*head, key])):
        yield f"{', ' if i else ''}{_encode(name)}: ".encode()
        if name != key:
            yield _encode(head[name]).encode("utf-8")
            continue
        yield b"["
        for j, line in enumerate(lines):
            if apart:
                yield SEP if j else b"\n"
                yield line
            else:
                yield (SEP if j else b"\n") + line
        yield b"\n]"
    yield b"}\n"


# lines(kind, items, line, sep): the items' lines in order, in pieces each of one or more lines joined by sep
Lines = Callable[[str, Sequence[Any], Callable[[Any], bytes], bytes], Iterable[bytes]]


def each_line(kind: str, items: Sequence[Any], line: Callable[[Any], bytes], sep: bytes) -> Iterable[bytes]:
    """Every item's line, made afresh, a piece each (the preview passes its own ``lines``, which keeps
    them in chunks: incremental.py)."""
    return map(line, items)


def data_files(project: Project, base_url: str, layout: Layout | None = None, lines: Lines = each_line,
               only: Iterable[str] = DATA_FILES, events: Sequence[Event] | None = None,
               words: Words | None = None) -> dict[str, Output]:
    """facts.json, timeline.json, sources.json, glossary.json and facts.csv (those named in ``only``).

    Each item's `url` is its anchor on the page that shows it (see paginate.py). ``lines(kind,
    items, line, sep)`` gives the facts', events' and sources' lines: each ``line(item)``, or the same bytes
    kept, in pieces of one or more lines joined by ``sep`` (the file's separator between lines).
    ``events``: the project's events in date order (the renderer has sorted them already).
    ``words``: the edition's language (i18n.py), in which the dates' texts are written.
    """
    layout, words = layout or page_layout(project), in_words(words)
    site = project.site
    head = {"title": site.title, "url": base_url, "updated": site.updated.iso}
    sources = project.sources_by_id
    make = {
        "facts.json": lambda: dump(head, "facts", lines("facts.json", project.facts,
                                                        lambda f: fact_line(f, base_url, sources, layout, words), SEP)),
        "timeline.json": lambda: dump(head, "events", lines(
            "timeline.json", events if events is not None else sorted(project.events, key=_date_order),
            lambda e: encoded(event_json(e, base_url, layout, words)), SEP)),
        "sources.json": lambda: dump(head, "sources", lines(
            "sources.json", project.sources, lambda s: encoded(source_json(s, base_url, layout, words)), SEP)),
        "glossary.json": lambda: dump(head, "terms", (encoded(term_json(t, base_url)) for t in project.glossary)),
        "facts.csv": lambda: facts_csv(project, base_url, layout, lines),
    }
    wanted = set(only)
    return {name: make[name]() for name in DATA_FILES if name in wanted}


def _date_order(event: Event) -> tuple:
    return event.date.sort_key, event.id


def facts_csv(project: Project, base_url: str, layout: Layout, lines: Lines = each_line) -> Output:
    """One row per fact; several citations are joined with " | " in `sources` and `quotes`."""
    out = Sink()
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")  # encoded as written, held once
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    sources = project.sources_by_id

    def row(f: Fact) -> list[Any]:
        fig = f.figure
        figure = ["", "", "", "", "", ""] if fig is None else [
            fig.series, cell(fig.qualifier or ""), _num(fig.value), _num(fig.low), _num(fig.high), cell(fig.label)]
        return [
            f.number, f.id, csv_date(f.date), "true" if f.date.approximate else "false",
            _edtf(f.when_said), _edtf(f.as_of), cell(f.attribution), cell(chain(f, sources)), cell(f.claim),
            " ".join(f.topics), " | ".join(c.source for c in f.citations),
            cell(" | ".join(c.quote for c in f.citations)),
            " | ".join("true" if c.translated_by_source else "false" for c in f.citations),
            cell(note_text(f.full_date_note, base_url) or ""), *figure, base_url + layout.fact_href(f.id),
        ]

    if lines is each_line:  # the cold build: every row straight into the one buffer
        for f in project.facts:
            writer.writerow(row(f))
        text.flush()
        return out.value()
    text.flush()
    line = io.StringIO()
    one = csv.writer(line, lineterminator="\r\n")

    def csv_line(f: Fact) -> bytes:
        line.seek(0)
        line.truncate()
        one.writerow(row(f))
        return line.getvalue().encode("utf-8")

    rows = lines("facts.csv", project.facts, csv_line, b"")
    if isinstance(rows, list):  # the preview's kept pieces: one join, or left in pieces when large (as dump)
        return _in_pieces([bytes(out.value()), *rows], rows)
    out.write(b"".join(rows))
    return out.value()


def _edtf(date: Date | None) -> str:
    """EDTF notation for the CSV, worked out once per date (facts share their sources' dates)."""
    if date is None:
        return ""
    text = _EDTF.get(date)
    if text is None:
        text = _EDTF[date] = date.edtf
    return text


_EDTF: dict[Any, str] = {}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Text a spreadsheet will not run: a cell starting like a formula gets a leading `'` (OWASP).

    `=HYPERLINK(...)` in a claim would otherwise be a live formula when facts.csv is opened in
    Excel or LibreOffice. Numbers written by the build itself (``_num``) start with a digit or
    a minus sign of a real number and are left as they are; the JSON files keep the exact text.
    """
    return "'" + text if text.startswith(FORMULA_START) else text


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
