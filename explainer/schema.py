"""The content model, declared once: every file, field, type and rule lives here.

The validator (the Checker, checker.py) walks these definitions; the field tables in docs/content-model.md
and the JSON Schema for editors are meant to be generated from the same definitions, so there is one source of truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # use fullmatch: "$" also matches before a final newline
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# A CSP source list for frame-ancestors: 'none', 'self', *, https:, or hosts such as https://*.example.org;
# no ';', ',' or quotes elsewhere, since it is written into an HTTP header.
_SOURCE = r"(?:'none'|'self'|\*|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[A-Za-z0-9.-]+(?::(?:[0-9]+|\*))?(?:/[A-Za-z0-9._~%!$&()*+=:@/-]*)?)"
ORIGINS = re.compile(rf"^{_SOURCE}(?: +{_SOURCE})*$")
TODO = "TODO"  # placeholders written by `explainer new` start with this; the build refuses them
INVALID = object()  # marks a value that failed its check; the error is already recorded
# A value pasted from a word processor: “…” are not YAML quotes, so they stay part of the value.
CURLY_PAIRS = frozenset({("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u201e", "\u201c"), ("\u00ab", "\u00bb")})


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Scalar:
    """A single value: text, markdown, slug, date, bool, url, path, int or number."""

    kind: str


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Enum:
    """One of a fixed set of words."""

    choices: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class ListOf:
    """A list of values of one type."""

    item: Any
    min_items: int = 0


@dataclass(frozen=True, eq=False)  # definitions compare by identity
class Field:
    """One field of a record: its type, its documentation and whether it is required."""

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
