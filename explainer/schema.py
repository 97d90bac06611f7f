"""The content model, declared once: every file, field, type and rule lives here.

The validator walks these definitions; the field tables in docs/content-model.md and the JSON Schema for editors
are meant to be generated from the same definitions, so there is one source of truth.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from .dates import DateError, parse_date, parse_edtf, type_name
from .errors import Problems
from .yamlsafe import Doc, KeyPath

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # use fullmatch: "$" also matches before a final newline
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# A CSP source list for frame-ancestors: 'none', 'self', *, https:, or hosts such as https://*.example.org;
# no ';', ',' or quotes elsewhere, since it is written into an HTTP header.
_SOURCE = r"(?:'none'|'self'|\*|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9.-]+(?::(?:[0-9]+|\*))?(?:/[A-Za-z0-9._~%!$&()*+=:@/-]*)?)"
ORIGINS = re.compile(rf"^{_SOURCE}(?: +{_SOURCE})*$")
TODO = "TODO"  # placeholders written by `build.py new` start with this; the build refuses them
INVALID = object()  # marks a value that failed its check; the error is already recorded
# A value pasted from a word processor: “…” are not YAML quotes, so they stay part of the value.
CURLY_PAIRS = frozenset({("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u201e", "\u201c"), ("\u00ab", "\u00bb")})
_SUSPECT = (TODO, " ", "\t", "\n", *{pair[0] for pair in CURLY_PAIRS})  # cheap test before placeholder()


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Scalar:
    """A single value: text, markdown, slug, date, bool, url, path, int or number."""

    kind: str


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Enum:
    choices: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class ListOf:
    item: Any
    min_items: int = 0


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Field:
    name: str
    type: Any
    doc: str
    required: bool = True
    nullable: bool = False
    default: Any = None


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Record:
    """A mapping with a fixed set of fields; unknown keys are errors."""

    name: str
    doc: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    def names(self) -> list[str]:
        """The field names, worked out once per record type rather than once per record checked."""
        names = self.__dict__.get("_names")
        if names is None:
            names = [f.name for f in self.fields]
            object.__setattr__(self, "_names", names)  # a cache, not a field: frozen still holds
        return names


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Translations:
    """`translations:` beside an entry's fields: a language tag → the same reader-facing fields, translated.

    Which languages are allowed (those in site.yaml's `languages`) is checked once site.yaml is read
    (explainer/translations.py); here, only the shape: a tag, then a record of the translatable fields.
    """

    record: Record
    doc: str = "Translations of this entry's reader-facing text, by language (see Languages in docs/editors.md)."


def translatable(rec: Record, names: tuple[str, ...], nested: dict[str, tuple[str, ...]] | None = None) -> Record:
    """The record with a `translations:` field whose languages each take the fields named, all optional.

    ``nested`` names an object field (e.g. a fact's `figure`) whose own fields are translated inside it.
    """
    by_name = {f.name: f for f in rec.fields}
    fields = [replace(by_name[n], required=False, nullable=False, default=None) for n in names]
    for name, inner in (nested or {}).items():
        sub = by_name[name].type
        sub_fields = tuple(replace(f, required=False, nullable=False, default=None)
                           for f in sub.fields if f.name in inner)
        fields.append(Field(name, Record(f"{sub.name} translation", f"The translated text of `{name}`.", sub_fields),
                            by_name[name].doc, required=False))
    record = Record(f"{rec.name} translation", f"A {rec.name}'s reader-facing text in one other language.",
                    tuple(fields))
    field_ = Field("translations", Translations(record), "Translations by language code (one of `languages` in "
                   f"site.yaml): {', '.join([*names, *(nested or {})])}.", required=False)
    return Record(rec.name, rec.doc, (*rec.fields, field_))


TEXT = Scalar("text")
MARKDOWN = Scalar("markdown")
SLUG_T = Scalar("slug")
DATE = Scalar("date")  # plain only: YYYY, YYYY-MM or YYYY-MM-DD
EDTF = Scalar("edtf")  # a plain date, or an uncertain one in EDTF Level 1 (see explainer/uncertain.py)
BOOL = Scalar("bool")
URL = Scalar("url")
LANG = Scalar("language")
PATH = Scalar("path")
INT = Scalar("int")
COUNT = Scalar("count")
NUMBER = Scalar("number")
ORIGINS_T = Scalar("origins")  # a CSP source list, e.g. "'self' https://*.example.org"
DAY = Scalar("day")  # a full YYYY-MM-DD date, for the change log
SHA256 = Scalar("sha256")  # 64 hexadecimal digits: the hash of a source's archived text
NUMERAL = Scalar("numeral")  # a number as written in a claim: 1000, "1,000", "2.5" or a word ("three")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
CONTEXT_CHOICES = ("sentence", "paragraph", "none")

APPROXIMATE = Field("approximate", BOOL, "true when the date is approximate; shown as 'c. August 2024' "
                    "(the same as EDTF `~`).", required=False, default=False)
# When the claim was made, and up to when it is known to hold: see "Uncertain dates" in docs/content-model.md.
SAID = Field("said", EDTF, "When the claim was made or published, at its precision; default: the first cited "
             "source's `published` date (or its inferred range).", required=False)
AS_OF = Field("as_of", EDTF, "The day up to which the claim is known to hold; shown as 'as of 26 May 2025' "
              "beside the claim.", required=False)
# What changed: these dates feed the "Recently updated" list and feed.xml.
ADDED = Field("added", DAY, "The day this was added to the explainer (YYYY-MM-DD); lists it as new.",
              required=False)
UPDATED = Field("updated", DAY, "The day this last changed in substance (YYYY-MM-DD); lists it as updated.",
                required=False)
DATE_NOTE = Field("date_note", TEXT, "How the date was worked out, when the source does not give it outright; "
                  "may link to the one place that explains it: [text](#compare-ID).", required=False)

TOPIC = translatable(Record("topic", "A topic facts can be filtered by.", (
    Field("id", SLUG_T, "Slug used in facts' `topics`."),
    Field("label", TEXT, "Name shown to readers."),
)), ("label",))
CHART = translatable(Record("chart", "A chart drawn from the facts that carry a `figure` of this series.", (
    Field("series", SLUG_T, "Series name used in facts' `figure.series`."),
    Field("title", TEXT, "Chart title."),
    Field("description", TEXT, "One sentence describing what the chart shows."),
)), ("title", "description"))
PAGINATION = Record("pagination", "When long lists move off the front page onto pages of their own.", (
    Field("facts_per_page", COUNT, "Above this many facts, the fact list splits into pages by year (then month); "
          "default 100.", required=False),
    Field("events_per_page", COUNT, "Above this many events, the timeline splits into pages by year (then month); "
          "default 100.", required=False),
    Field("sources_per_page", COUNT, "Above this many sources, the source list splits into numbered pages; "
          "default 10.", required=False),
))
EMBED = Record("embed", "How other sites may embed the timeline and comparisons (`embed/`).", (
    Field("frame_ancestors", ORIGINS_T, "Which sites may show the embeds in an iframe, as a CSP source list, e.g. "
          "`'self' https://*.example-news.org`; default `*` (any site). Sent as an HTTP header (see Embeds).",
          required=False, default="*"),
    Field("height", COUNT, "The iframe's height in pixels in the embed code, kept when JavaScript is off; "
          "default 600.", required=False, default=600),
))
SITE = translatable(Record("site", "Settings for the whole explainer (`site.yaml`).", (
    Field("title", TEXT, "The explainer's title."),
    Field("description", TEXT, "One or two sentences for search engines and link previews."),
    Field("language", LANG, "Language tag of the page, e.g. `en` or `en-GB`: the language the content is written in."),
    Field("languages", ListOf(LANG, min_items=1), "The editions to publish, e.g. `[en, uk]`; must include "
          "`language`, whose edition is at the site's root, each other under its code (`uk/`). Default: "
          "`[language]`. See Languages in docs/editors.md.", required=False),
    Field("base_url", URL, "Where the site is published, e.g. `https://example.org/kursk/`."),
    Field("updated", DATE, "When the explainer was last updated; the only date the build prints."),
    Field("publisher", TEXT, "Who publishes the explainer.", required=False),
    Field("topics", ListOf(TOPIC), "Topics facts are tagged with, with their labels.", required=False, default=[]),
    Field("charts", ListOf(CHART), "Charts drawn from facts' figures.", required=False, default=[]),
    Field("pagination", PAGINATION, "Page sizes for long lists; see Pagination in docs/content-model.md.",
          required=False),
    Field("embed", EMBED, "Settings for the embeddable timeline and comparisons; see Embeds in docs/reader-page.md.",
          required=False),
    Field("offline", BOOL, "Write the one-file offline edition `explainer-LANG.html`; by default only for a story "
          "whose facts are not split into pages (a bigger file helps no one on a metered connection).",
          required=False, default=None),
    Field("search", BOOL, "Index a split story with Pagefind and add `search.html`; default true.",
          required=False, default=True),
)), ("title", "description", "publisher"))
INFERRED = Record("published_inferred", "A publication date range inferred from the text itself.", (
    Field("from", DATE, "Earliest date the text allows."),
    Field("to", DATE, "Latest date the text allows; null if open.", nullable=True, required=False),
    Field("reasoning", TEXT, "Why the text implies this range."),
))
SOURCE = translatable(Record("source", "An archived source article (`content/sources.yaml`).", (
    Field("id", SLUG_T, "Slug that citations use."),
    Field("title", TEXT, "The source's headline."),
    Field("publisher", TEXT, "Who published it; null if the source does not say.", nullable=True),
    Field("author", TEXT, "Who wrote it; null if the source does not say.", nullable=True),
    Field("published", EDTF, "When it was published; null if unknown.", nullable=True),
    Field("url", URL, "Where it was published (http/https); null if unknown.", nullable=True),
    Field("retrieved", EDTF, "When the archived text was taken; null if unknown.", nullable=True),
    Field("archive", PATH, "Path of its archived text under `seeds/`."),
    Field("language", LANG, "The language of the source's text (its quotes); default: site.yaml's `language`. "
          "In an edition of another language its quotes are marked with it.", required=False),
    # Provenance v2, the chain side (see explainer/attribution.py and explainer/quotes.py).
    Field("label", TEXT, "How readers are told of the source in an attribution: 'the Kyiv Independent', "
          "'an unsigned article'."),
    # Required by the build (verify.py), not by the schema: left out, the error names the hash to paste.
    Field("sha256", SHA256, "SHA-256 of the archived text (64 hex digits): the text the quotes were checked "
          "against; a changed archive is an error. Left out, the build prints the hash to record.",
          required=False),
    Field("context", Enum(CONTEXT_CHOICES), "How much of the archived text is shown around a quote: `sentence` "
          "(default), `paragraph` or `none`.", required=False, default="sentence"),
    Field("note", TEXT, "Anything a reader should know about the source.", required=False),
    Field("facts_date_note", TEXT, "How the dates of the facts citing this source were worked out, said once: "
          "every fact whose first citation is this source, and which has no `date_note` of its own, inherits it. "
          "The page shows it once, under the source, and a link to it under each such fact; the exports give "
          "each fact the note in full.", required=False),
    Field("published_inferred", INFERRED, "A date range inferred from the text, with the reasoning.",
          required=False),
)), ("title", "label", "note", "facts_date_note"), {"published_inferred": ("reasoning",)})
CITATION = translatable(Record("citation", "A verbatim quote from a source that supports a fact.", (
    Field("source", SLUG_T, "Id of a source in `content/sources.yaml`."),
    Field("quote", TEXT, "Words copied exactly from the source's archived text."),
    Field("translated_by_source", BOOL, "true when the quote is the source's own translation of words first "
          "said or written in another language (e.g. a statement the source quotes in its English); the page "
          "marks it 'Translated by' and the source's label. Only where the source makes this evident.",
          required=False, default=False),
)), ("quote",))
FIGURE = Record("figure", "A number a fact reports, drawn in the chart of its series.", (
    Field("series", SLUG_T, "Series (chart) this number belongs to, declared in `site.yaml` `charts`."),
    Field("value", NUMBER, "The number, when the fact gives one.", required=False),
    Field("low", NUMBER, "Lower end, when the fact gives a range.", required=False),
    Field("high", NUMBER, "Upper end, when the fact gives a range.", required=False),
    Field("qualifier", TEXT, "Words before the number, e.g. 'at least', 'upwards of'.", required=False),
    Field("label", TEXT, "Short label in the chart."),
))
DERIVED = Record("derived", "A number in the claim that no quote contains, and where it comes from.", (
    Field("number", NUMERAL, "The number as the claim writes it: 2025, \"1,000\" or three."),
    Field("reason", TEXT, "One line: how it was worked out, e.g. \"from the article's date\"."),
))
FACT = translatable(Record("fact", "One attributed, sourced claim (`content/facts.yaml`).", (
    Field("id", SLUG_T, "Slug; the fact's anchor on the page and what `[[id]]` cites."),
    Field("claim", TEXT, "One neutral sentence."),
    Field("attribution", TEXT, "Who makes the claim, e.g. \"the SBU\"; the source's `label` when the source "
          "says it in its own voice. The page adds 'as reported by' and the source's label."),
    Field("date", EDTF, "What the claim refers to, at its precision."),
    APPROXIMATE,
    DATE_NOTE,
    SAID,
    AS_OF,
    Field("topics", ListOf(SLUG_T), "Topic slugs declared in `site.yaml`.", required=False, default=[]),
    Field("citations", ListOf(CITATION, min_items=1), "At least one verbatim quote."),
    Field("figure", FIGURE, "A number to chart.", required=False),
    Field("derived", ListOf(DERIVED), "Numbers in the claim that no quote contains, each with its reason.",
          required=False, default=[]),
    ADDED,
    UPDATED,
)), ("claim", "attribution", "date_note"), {"figure": ("qualifier", "label")})
EVENT = translatable(Record("event", "A dated event on the timeline (`content/timeline.yaml`).", (
    Field("id", SLUG_T, "Slug for the event's anchor; defaults to one made from the title.", required=False),
    Field("date", EDTF, "When it happened, at its precision."),
    APPROXIMATE,
    DATE_NOTE,
    Field("title", TEXT, "Short title."),
    Field("text", MARKDOWN, "One or two sentences; inline Markdown and `[[fact-id]]` allowed."),
    Field("facts", ListOf(SLUG_T, min_items=1), "Ids of the facts that support it."),
    ADDED,
    UPDATED,
)), ("title", "text", "date_note"))
COMPARISON = translatable(Record("comparison", "Facts shown side by side where sources disagree or a figure changed.", (
    Field("id", SLUG_T, "Slug for the comparison's anchor."),
    Field("kind", Enum(("disagreement", "change")), "`disagreement` or `change`."),
    Field("title", TEXT, "Short title."),
    Field("text", MARKDOWN, "A short neutral explanation; `[[fact-id]]` allowed."),
    Field("facts", ListOf(SLUG_T, min_items=2), "Ids of the facts compared."),
)), ("title", "text"))
GLOSSARY = translatable(Record("term", "A person, institution or term readers need (`content/glossary.yaml`).", (
    Field("id", SLUG_T, "Slug for the entry's anchor."),
    Field("term", TEXT, "The term."),
    Field("definition", MARKDOWN, "One or two sentences; `[[fact-id]]` allowed."),
    Field("facts", ListOf(SLUG_T, min_items=1), "Ids of the facts it rests on."),
)), ("term", "definition"))
SUMMARY = Record("summary", "Front matter of a summary section (`content/summaries/*.md`).", (
    Field("title", TEXT, "Section heading."),
    Field("order", INT, "Position among the sections, smallest first."),
))

CONTENT_FILES: dict[str, tuple[Any, bool]] = {
    # path: (type, required)
    "site.yaml": (SITE, True),
    "content/sources.yaml": (ListOf(SOURCE, min_items=1), True),
    "content/facts.yaml": (ListOf(FACT, min_items=1), True),
    "content/timeline.yaml": (ListOf(EVENT), True),
    "content/comparisons.yaml": (ListOf(COMPARISON), False),
    "content/glossary.yaml": (ListOf(GLOSSARY), False),
}


class Checker:
    """Checks a loaded document against a type, returning clean values and recording problems."""

    def __init__(self, doc: Doc, problems: Problems):
        self.doc = doc
        self.problems = problems
        # Each kind's check, looked up once per kind rather than once per value. Plain functions,
        # not bound methods: a bound method would refer back to the Checker, and that cycle (with
        # the whole document behind it) would outlive the check while the collector is paused.
        self._scalar_checks: dict[str, Any] = {}

    def error(self, keypath: KeyPath, message: str, hint: str, key: bool = False) -> object:
        line, column = self.doc.mark(keypath, key=key)
        if (line, column) not in self.doc.refused:  # else the loader said what is wrong here
            self.problems.error(self.doc.path, line, column, message, hint)
        return INVALID

    def check(self, value: Any, type_: Any, keypath: KeyPath) -> Any:
        if isinstance(type_, Record):
            return self.record(value, type_, keypath)
        if isinstance(type_, ListOf):
            return self.list(value, type_, keypath)
        if isinstance(type_, Translations):
            return self.translations(value, type_, keypath)
        if isinstance(type_, Enum):
            if value not in type_.choices:
                choices = " or ".join(f"'{c}'" for c in type_.choices)
                return self.error(keypath, f"'{value}' is not one of {choices}", f"write {choices}")
            return value
        return self.scalar(value, type_.kind, keypath)

    def list(self, value: Any, type_: ListOf, keypath: KeyPath) -> Any:
        if not isinstance(value, list):
            return self.error(keypath, f"expected a list, got {type_name(value)}",
                              "write each item on its own line starting with '- '")
        if len(value) < type_.min_items:
            return self.error(keypath, f"the list is empty; at least {type_.min_items} item(s) needed",
                              "add an item starting with '- '")
        items = [self.check(item, type_.item, keypath + (i,)) for i, item in enumerate(value)]
        if keypath and INVALID in items:
            return INVALID  # a nested list is only as good as its worst item
        return items  # top-level lists keep their valid items, so one bad fact hides nothing else

    def record(self, value: Any, rec: Record, keypath: KeyPath) -> Any:
        if not isinstance(value, dict):
            return self.error(keypath, f"expected a {rec.name} (key: value pairs), got {type_name(value)}",
                              f"a {rec.name} has the fields: {', '.join(rec.names())}")
        clean: dict[str, Any] = {}
        known = rec.names()
        misspelt: set[str] = set()
        for key in value:
            if key not in known:
                misspelt = self.unknown_keys(value, rec, keypath)
                break
        ok = True
        for f in rec.fields:
            if f.name not in value:
                if f.required and f.name not in misspelt:  # a misspelt key already said what is wrong
                    self.error(keypath, f"{rec.name} is missing the required field '{f.name}'",
                               f"add '{f.name}:' ({f.doc})")
                ok = ok and not f.required
                clean[f.name] = f.default
                continue
            item = value[f.name]
            if item is None and (f.nullable or not f.required):
                clean[f.name] = None if f.nullable else f.default
                continue
            type_ = f.type
            if item.__class__ is str and item.startswith(_SUSPECT) and self.placeholder(item, f, keypath + (f.name,)):
                clean[f.name] = INVALID
                ok = False
                continue
            if type_.__class__ is Scalar:  # most fields: straight to their check
                clean[f.name] = self.scalar(item, type_.kind, keypath + (f.name,))
            else:
                clean[f.name] = self.check(item, type_, keypath + (f.name,))
            ok = ok and clean[f.name] is not INVALID
        clean["_keypath"] = keypath
        return clean if ok else INVALID

    def translations(self, value: Any, type_: Translations, keypath: KeyPath) -> Any:
        """A map from language tags to the translated fields; which tags may appear is checked later."""
        if not isinstance(value, dict):
            return self.error(keypath, f"expected translations by language (key: value pairs), got {type_name(value)}",
                              "write the language code, then its fields, e.g. 'uk: {claim: \"…\"}'")
        clean: dict[str, Any] = {}
        ok = True
        for key, item in value.items():
            if not isinstance(key, str) or not LANGUAGE.fullmatch(key):
                self.error(keypath + (key,), f"'{key}' is not a language tag",
                           "write a code from site.yaml's `languages`, such as 'uk'", key=True)
                ok = False
                continue
            clean[key] = self.record(item, type_.record, keypath + (key,))
            ok = ok and clean[key] is not INVALID
        return clean if ok else INVALID

    def unknown_keys(self, value: dict, rec: Record, keypath: KeyPath) -> set[str]:
        """Report each unknown key once; return the field names they look like misspellings of."""
        known = rec.names()
        missing = [name for name in known if name not in value]
        misspelt = set()
        for key in value:
            if key in known:
                continue
            close = _closest(str(key), missing) or _closest(str(key), known)
            hint = f"did you mean '{close[0]}'?" if close else f"a {rec.name} has the fields: {', '.join(known)}"
            self.error(keypath + (key,), f"unknown key '{key}' in {rec.name}", hint, key=True)
            misspelt.update(name for name in close if name in missing)
        return misspelt

    def placeholder(self, value: str, f: Field, keypath: KeyPath) -> bool:
        """A TODO left by `new`, or a value wrapped in typographic quotes: reported once, here."""
        text = value.strip()
        if text.startswith(TODO):  # left over from `build.py new`: never publish it
            self.error(keypath, f"'{f.name}' is still a TODO placeholder", f"replace it with the real {f.name}")
            return True
        if len(text) > 1 and (text[0], text[-1]) in CURLY_PAIRS:
            hint = ("YAML only understands straight quotes: write \"…\" (or no quotes) around the value; "
                    "typographic quotes stay part of the text")
            if f.type is TEXT or f.type is MARKDOWN:  # legal text, but likely not what was meant
                line, column = self.doc.mark(keypath)
                self.problems.warning(self.doc.path, line, column,
                                      f"'{f.name}' is wrapped in typographic quotes {text[0]}…{text[-1]}", hint)
                return False
            self.error(keypath, f"'{f.name}' is wrapped in typographic quotes {text[0]}…{text[-1]}", hint)
            return True
        return False

    def scalar(self, value: Any, kind: str, keypath: KeyPath) -> Any:
        check = self._scalar_checks.get(kind)
        if check is None:
            check = self._scalar_checks[kind] = getattr(type(self), f"scalar_{kind}")
        return check(self, value, keypath)

    def scalar_text(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, str):
            hint = "put the text in quotes" if isinstance(value, (int, float, bool)) else "write plain text here"
            return self.error(keypath, f"expected text, got {type_name(value)}", hint)
        if not value.strip():
            return self.error(keypath, "the text is empty", "write the text, or remove the field if it is optional")
        if value.lstrip().startswith(TODO):  # a list item (record fields are checked in placeholder())
            name = keypath[-1] if keypath and isinstance(keypath[-1], str) else "text"
            return self.error(keypath, f"'{name}' is still a TODO placeholder", f"replace it with the real {name}")
        return value.strip()

    scalar_markdown = scalar_text

    def scalar_slug(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            shown = _quoted(value) if isinstance(value, str) else type_name(value)
            return self.error(keypath, f"{shown} is not a valid id",
                              "ids are lowercase words joined by hyphens, e.g. 'general-staff-971'")
        return value

    def scalar_language(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, str) or not LANGUAGE.fullmatch(value):
            shown = _quoted(value) if isinstance(value, str) else type_name(value)
            return self.error(keypath, f"{shown} is not a language tag", "write a tag such as 'en', 'uk' or 'en-GB'")
        return value

    def scalar_origins(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, str) or not ORIGINS.fullmatch(value):
            shown = f"'{value}'" if isinstance(value, str) else type_name(value)
            return self.error(keypath, f"{shown} is not a list of sites allowed to embed",
                              "write * for any site, or addresses such as \"'self' https://*.example.org\"")
        return value

    def scalar_date(self, value: Any, keypath: KeyPath) -> Any:
        try:
            return parse_date(value)
        except DateError as exc:
            return self.error(keypath, str(exc), exc.hint)

    def scalar_edtf(self, value: Any, keypath: KeyPath) -> Any:
        """A plain date, or EDTF Level 1: a span, an open span, one of a set, `~` `?` `%`."""
        try:
            return parse_edtf(value)
        except DateError as exc:
            return self.error(keypath, str(exc), exc.hint)

    def scalar_day(self, value: Any, keypath: KeyPath) -> Any:
        """A full date (for `added`/`updated`): a change happens on a day."""
        hint = "write the day as YYYY-MM-DD, e.g. 2025-06-01"
        try:
            date = parse_date(value)
        except DateError as exc:
            return self.error(keypath, str(exc), exc.hint if "real day" in str(exc) else hint)
        if date.precision != "day":
            return self.error(keypath, f"'{value}' is not a full date", hint)
        return date

    def scalar_sha256(self, value: Any, keypath: KeyPath) -> Any:
        if isinstance(value, str) and value.lstrip().startswith(TODO):
            return self.error(keypath, "'sha256' is still a TODO placeholder",
                              "leave the field out: the build then prints the archive's hash to paste here")
        if not isinstance(value, str) or not SHA256_HEX.match(value.strip().lower()):
            shown = f"'{value}'" if isinstance(value, str) else type_name(value)
            return self.error(keypath, f"{shown} is not a SHA-256 hash",
                              "write the 64 hexadecimal digits of `sha256sum seeds/FILE`")
        return value.strip().lower()

    def scalar_numeral(self, value: Any, keypath: KeyPath) -> Any:
        from .numbers import parse_numeral  # only facts with `derived:` need it

        number = None if isinstance(value, bool) else parse_numeral(value)
        if number is None:
            shown = f"'{value}'" if isinstance(value, str) else type_name(value)
            return self.error(keypath, f"{shown} is not a number",
                              "write the number as the claim does: 2025, \"1,000\" or three")
        return number

    def scalar_bool(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, bool):
            return self.error(keypath, f"expected true or false, got {type_name(value)}", "write true or false")
        return value

    def scalar_url(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.error(keypath, f"expected a web address, got {type_name(value)}",
                              "write a full address starting with https://")
        try:
            parts = urlsplit(value.strip())
        except ValueError:  # e.g. an unclosed IPv6 bracket: "http://[x"
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value.strip()):
            return self.error(keypath, f"'{value}' is not an http(s) web address",
                              "only addresses starting with https:// or http:// are allowed")
        return value.strip()

    def scalar_path(self, value: Any, keypath: KeyPath) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.error(keypath, f"expected a file path, got {type_name(value)}",
                              "write the file's name under seeds/, e.g. '000_article.txt'")
        return value.strip()

    def scalar_int(self, value: Any, keypath: KeyPath) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.error(keypath, f"expected a whole number, got {type_name(value)}", "write a number such as 1")
        return value

    def scalar_count(self, value: Any, keypath: KeyPath) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return self.error(keypath, f"expected a whole number of at least 1, got {type_name(value)}",
                              "write a number such as 100")
        return value

    def scalar_number(self, value: Any, keypath: KeyPath) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return self.error(keypath, f"expected a number, got {type_name(value)}",
                              "write digits without commas or quotes, e.g. 971")
        return value


def _quoted(value: str) -> str:
    """A value in quotes, its line breaks and tabs written as escapes so the message stays on one line."""
    return "'" + value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'"


def _closest(key: str, names: list[str]) -> list[str]:
    """The field a misspelt key most likely meant: one it begins (`translated` → `translated_by_source`),
    else the closest spelling."""
    from difflib import get_close_matches  # only on this error path: it costs start-up time

    begun = [name for name in names if name.startswith(key)]
    return begun[:1] if len(begun) == 1 else get_close_matches(key, names, n=1, cutoff=0.6)
