"""What a kept list page's fingerprint is made of (the preview's, incremental.py).

A list page is taken from the last build when its fingerprint is unchanged: a digest of what the
page shows of its own (its items, and the numbers and pages of the facts they cite) and of what
every list page shares (templates, assets, site.yaml, the sources and a digest of their archived
texts, the pages of each list, the catalogs). Only the list-page templates that read no other
variable than LIST_PAGE_NAMES are fingerprinted; a theme whose list pages read more has them
rendered every time. A fact or event made from a kept entry stands by its entry's token
(entries.TOKENS) and what other entries decide (its number, its id). The preview keeps each page's
own part while what it reads is the same (own_inputs), so a save works out the pages that changed.

Another edition of a story on one page is kept whole by a key of the same making (edition_key).
"""

from __future__ import annotations

import hashlib
import marshal
import weakref
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from itertools import repeat
from operator import attrgetter
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import jinja2
import jinja2.meta
import jinja2.nodes

from .dates import PartialDate
from .entries import TOKENS
from .model import Source, Spot, Where

if TYPE_CHECKING:
    from .render import Renderer

# What a list page may read from the shared context and still be memoised by its own items:
# the page's own variables, what the shared fingerprint covers, and the filters' helpers.
LIST_PAGE_NAMES = frozenset({
    "section", "page", "previous", "next", "page_path", "facts", "events", "sources",  # the page's own
    "site", "css", "csp", "script", "base_url", "topics", "sources_by_id", "data_files", "asset",  # shared
    "layout", "event_topics",  # only the page's own items' entries are read (layout: whether a list is split)
    "editions", "translation_of", "links_absolute",  # the language switch: from site and base_url (editions.py)
})


def edition_key(project: Any, translated: Any, theme: Any, base_url: str, words: Any) -> bytes | None:
    """What another edition of a story on one page shows, as a key for all its files (RenderMemo.edition).

    The edition is rendered from its translated copy of the project, so the key holds that copy's
    every field and every source (with a digest of its archived text), the original's site and the
    original attributions its chains are decided on (translated.chain), every file of the theme's
    templates and static folders, the catalogs and the address: an edit to an original text the
    edition shows translated renders none of it again. None for a story split into pages (it has
    list pages, kept one by one, and search) or in no other edition.
    """
    from .paginate import limits

    most = limits(translated)  # a list is split when it holds more than a page (paginate.py): counted, not laid out
    if (len(translated.facts) > most.facts_per_page or len(translated.events) > most.events_per_page
            or len(translated.sources) > most.sources_per_page):
        return None
    originals = project.facts_by_id
    theme_files = folder_files([*theme.templates, *theme.static])
    return digest((
        base_url, words.language, words.state, theme_files, state(project.site),
        [(source_state(s), text_digest(s.text)) for s in project.sources],
        [(source_state(s), text_digest(s.text)) for s in translated.sources],
        [(state(f), originals[f.id].attribution if f.id in originals else None) for f in translated.facts],
        state(translated.site), state(translated.events), state(translated.comparisons), state(translated.glossary),
        state(translated.summaries), state(translated.translated_summaries), str(translated.root),
    ))


def folder_files(folders: list[Any]) -> list[tuple[str, bytes]]:
    """Every file in these folders, by its path inside its folder, with its bytes: a theme as data."""
    return [(str(path.relative_to(folder)), path.read_bytes())
            for folder in folders for path in sorted(Path(folder).rglob("*")) if path.is_file()]


LIST_PAGE_TEMPLATES = ("list_page.html", "_facts.html", "_timeline.html", "_sources.html")  # by section kind
# An embed (embeds.py) may read what a list page may, and its own variables besides.
EMBED_NAMES = LIST_PAGE_NAMES | {"embed", "total_events", "comparison", "text"}
EMBED_TEMPLATES = ("embed_timeline.html", "embed_comparison.html")


def read_only_known_names(env: jinja2.Environment, checked: dict[tuple[str, str], tuple[frozenset[str], list[str]]],
                          templates: Sequence[str], names: frozenset[str]) -> bool:
    """Whether these templates (and everything they use) read only ``names``; ``checked`` keeps what
    each template's text reads, by its name and text."""
    seen: set[str] = set()
    todo = list(templates)
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
            known = checked[name, source] = _names_read(env, source)
        if not known[0] <= names:
            return False
        todo.extend(known[1])
    return True


def _names_read(env: jinja2.Environment, source: str) -> tuple[frozenset[str], list[str]]:
    """The names a template reads from its context, and the templates it uses."""
    try:
        ast = env.parse(source)
    except jinja2.TemplateError:
        return frozenset({"(a template that does not parse)"}), []  # never known: the build reports it
    # A name the template sets itself ({% set heading = ... %} read in a block) is its own.
    assigned = {node.name for node in ast.find_all(jinja2.nodes.Name) if node.ctx in ("store", "param")}
    # A computed name ("_" ~ section.kind ~ ".html") is one of the three section templates, checked anyway.
    uses = [used for used in jinja2.meta.find_referenced_templates(ast) if used is not None]
    return frozenset(jinja2.meta.find_undeclared_variables(ast) - assigned), uses


def shared_state(renderer: Renderer, context: dict[str, Any]) -> tuple:
    """What every list page may show besides its own items."""
    layout = renderer.layout
    templates = folder_files(renderer.env.loader.searchpath)  # type: ignore[union-attr]
    sections = [(s.kind, s.home, [(p.name, p.title, p.group, p.label) for p in s.pages])
                for s in (layout.facts, layout.timeline, layout.sources)]
    # A source's archived text shows on the pages of the facts that cite it (a quote in context,
    # Renderer.in_context): its digest is shared, so a changed archive renders the list pages again
    # (its recorded sha256 changes with it too, but the text is what the pages show).
    digest_of = renderer.memo.text_digest if renderer.memo is not None else text_digest
    sources = [(source_state(s), digest_of(s.text), layout.source_href(s.id)) for s in renderer.project.sources]
    # An edition's attribution chains are decided on the original sources' labels (translated.chain),
    # which its own sources do not show where a label is translated.
    originals = [source_state(s) for s in getattr(renderer, "original_sources", ())]
    return (templates, sorted(renderer.assets.names.items()), str(context["css"]),
            context["csp"], context["script"], context["base_url"], state(context["site"]), sections, sources,
            originals, renderer.words.state)  # the catalogs the page's words come from (i18n.py)


def page_state(renderer: Renderer, context: dict[str, Any], extra: dict[str, Any],
               numbers: dict[str, int] | None = None) -> tuple:
    """What one list page shows of its own: its items, and what of other items they show.

    ``numbers``: each fact's number by its id (fact_numbers), made once for all the pages of a build.
    """
    kind = extra["section"].kind
    if numbers is None and kind != "facts":  # a page of facts cites none
        numbers = fact_numbers(renderer.facts)
    if kind == "facts":
        items: Any = _fact_states(renderer, extra["facts"])  # each links to this page, named below
    elif kind == "timeline":
        items = _event_states(renderer, context, extra["events"], numbers)  # type: ignore[arg-type]
    else:
        items = [(source_state(s), _cited(renderer, numbers, list(map(_ID, s.cited_by))))  # type: ignore[arg-type]
                 for s in extra["sources"]]
    neighbours = [(p.name, p.title) if p else None for p in (extra["previous"], extra["next"])]
    return kind, extra["page"].name, extra["page"].title, neighbours, items


def embed_state(renderer: Renderer, context: dict[str, Any], embed: Any, numbers: dict[str, int]) -> tuple:
    """What one embed (embeds.Embed) shows of its own: the timeline's events as a timeline page's, or
    a comparison, its text and its facts with their numbers and pages (each links to its fact)."""
    extra = embed.extra
    head = (embed.name, embed.frame_id, str(embed.title), embed.template)
    if "events" in extra:
        return (*head, extra["total_events"], _event_states(renderer, context, extra["events"], numbers))
    facts = extra["facts"]
    return (*head, entry_states([extra["comparison"]]), str(extra["text"]), _fact_states(renderer, facts),
            _cited(renderer, numbers, list(map(_ID, facts))))


def _cited(renderer: Renderer, numbers: dict[str, int], ids: list[str]) -> list:
    """Each cited fact's id, number and page (a fact's link: Layout.fact_href), looked up in C (map)."""
    section = renderer.layout.facts
    return list(zip(ids, map(numbers.get, ids, repeat(0)), map(section.page_of.get, ids, repeat(section.home)),
                    strict=True))


def _fact_states(renderer: Renderer, facts: list[Any]) -> Any:
    """The facts' entry states; in an edition, with their originals' (its attribution chain reads them)."""
    items = entry_states(facts)
    originals = getattr(renderer, "originals_by_id", None)
    if originals is not None:
        items = list(zip(items, entry_states([originals[f.id] for f in facts]), strict=True))
    return items


def _event_states(renderer: Renderer, context: dict[str, Any], shown: list[tuple[Any, Any]],
                  numbers: dict[str, int]) -> list:
    """Each (event, its HTML) as its entry state, its HTML, its topics and the facts it cites."""
    topics = context["event_topics"]
    events = [e for e, _ in shown]
    return [(own, str(text), topics.get(e.id), _cited(renderer, numbers, e.facts))
            for own, e, (_, text) in zip(entry_states(events), events, shown, strict=True)]


def own_inputs(renderer: Renderer, context: dict[str, Any], extra: dict[str, Any], placement: bytes) -> tuple | None:
    """What page_state reads for a list page, in a form quick to compare with the last build's: when
    equal (==), the page's state is the same, so the preview keeps its digest (RenderMemo). None for
    an edition's page of facts (its facts are copies, and their originals count too).

    - Facts are compared as objects (`is`: Fact has no __eq__) with their numbers. The same fact object
      in a later build is a kept entry's, renewed (renewed.renewed_fact): the same token, id and
      fields; what later stages set on it again comes from the sources, which the shared fingerprint
      covers. A fact made afresh is a new object each build, so it never matches.
    - Events and sources are made afresh each build: they are compared by their entry states (a
      token, or every field); a source's citing facts as objects; their texts and topics as values.
    - Each cited fact's number and page (page_state's cited()) follow from the ids, which the states
      hold, and ``placement`` (fact_placement): the same placement, the same numbers and pages.

    The memo holds these until the next build: references to objects the build holds anyway.
    """
    kind, page = extra["section"].kind, extra["page"]
    neighbours = tuple((p.name, p.title) if p else None for p in (extra["previous"], extra["next"]))
    head = (kind, page.name, page.title, neighbours)
    if kind == "facts":
        if getattr(renderer, "originals_by_id", None) is not None:
            return None
        facts = extra["facts"]
        return (*head, tuple(facts), tuple(map(_NUMBER, facts)))
    if kind == "timeline":
        events = [event for event, _ in extra["events"]]
        topics = context["event_topics"]
        return (*head, placement, tuple(entry_states(events)), tuple(str(text) for _, text in extra["events"]),
                tuple(map(topics.get, map(_ID, events))))
    sources = extra["sources"]
    return (*head, placement, tuple(map(source_state, sources)), tuple(tuple(s.cited_by) for s in sources))


def fact_placement(renderer: Renderer) -> bytes:
    """Each fact's id, number and page, as a digest: what a cited fact shows of itself on a list page."""
    facts, section = renderer.facts, renderer.layout.facts
    ids = list(facts)
    return digest((ids, list(map(_NUMBER, facts.values())), list(map(section.page_of.get, ids)), section.home))


def fact_numbers(facts: dict[str, Any]) -> dict[str, int]:
    """Each fact's number by its id (0 for an id no fact has: page_state's cited())."""
    return dict(zip(facts, map(_NUMBER, facts.values()), strict=True))


_ID, _NUMBER = attrgetter("id"), attrgetter("number")


def entry_states(items: list[Any]) -> list[Any]:
    """_entry_state of each item: the tokens looked up all at once (TOKENS.get per item, as a map in C,
    is most of a page's fingerprint at 10,000 facts); an item made afresh (no token) as its fields."""
    tokens = entry_tokens(items)
    if None in tokens:
        return [_entry_state(item) for item in items]
    try:
        numbers = list(map(_NUMBER, items))
    except AttributeError:  # events have none
        numbers = [getattr(item, "number", 0) for item in items]
    return list(zip(tokens, map(_ID, items), numbers, strict=True))


def entry_tokens(items: Sequence[Any]) -> list[int | None]:
    """Each item's entry token (entries.TOKENS), None for an item made afresh: TOKENS.get, in C."""
    return list(map(TOKENS.data.get, map(weakref.ref, items)))


def _entry_state(item: Any) -> Any:
    """A fact or event as plain data for a fingerprint: an item made from a kept entry (entries.py)
    is its entry's token and what other entries decide (its number, its derived id). The rest
    follows from its text and the sources, which the shared fingerprint covers: the date its first
    source lends it (`published`), its quotes' offsets (from the sources' archives)."""
    token = TOKENS.get(item)
    if token is None:
        return state(item)
    return token, item.id, getattr(item, "number", 0)


def source_state(source: Source) -> Any:
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
    if isinstance(value, str):  # Untranslated (marked on the page), Markup: not the same as the plain text
        return (kind.__name__, getattr(value, "lang", None), str(value))
    if kind is PartialDate:  # as plain data, so the fingerprint is marshalled (see digest)
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


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


def digest(value: Any) -> bytes:
    """A fingerprint's digest. Plain data (what state() gives) goes through marshal's version 2, in C
    and about four times quicker than repr at 10,000 facts; it writes no references between
    objects, so equal values give equal bytes whichever objects hold them. Anything else marshal
    refuses (a str subclass such as Markup) is digested by its repr; the prefix keeps the two apart."""
    try:
        data = b"m" + marshal.dumps(value, 2)
    except ValueError:
        data = b"r" + repr(value).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=20).digest()
