"""Languages on the page: each edition's catalog of words (gettext `.po`) and its dates and numbers (Babel).

Catalogs are plain gettext files, `locales/LANG.po`, found along the theme's lookup order (theme.py):
a project's own `locales/uk.po` comes first, the package's next, then the English words written in
the templates themselves. A project's file may hold only the strings it changes; a newsroom adds a
language by copying `locales/uk.po` (or the untranslated `locales/en.po`) to `locales/xx.po` in its
project and translating it. Finding and reading them is catalogs.py's part.

Dates and numbers in an edition of another language than English are written with Babel (CLDR):
month names, their grammatical case ("25 травня 2025", but "травень 2025"), digit grouping. The
words around them ("c.", "from", "or", "as of") come from the catalog. English keeps the built-in
formatter (dates.py, uncertain.py), which writes what CLDR's English does for these patterns
(tests/test_languages.py compares them) without loading Babel: the shipped build stays as fast.

Imported by the render stage only: `explainer check` loads neither this module nor Babel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext as gettext_module
from typing import Any

from markupsafe import Markup, escape

from .catalogs import PLACEHOLDER as _PLACEHOLDER
from .dates import PartialDate


class Untranslated(str):
    """An original text standing in for a missing translation: the page marks it (editions.py)."""

    lang = "en"


def untranslated(text: str, language: str) -> Untranslated:
    value = Untranslated(text)
    value.lang = language
    return value


def is_english(language: str) -> bool:
    return language.split("-")[0].lower() == "en"


class Words:
    """One edition's language: the catalog's words, and dates and numbers written for it."""

    def __init__(self, language: str, original: str, catalog: gettext_module.NullTranslations):
        self.language = language
        self.original = original  # the language the content is written in
        self.english = is_english(language)
        self.catalog = catalog
        self.gettext = catalog.gettext
        self.ngettext = catalog.ngettext
        self.pgettext = catalog.pgettext
        self._locale: Any = None
        self._html: dict[tuple[Any, bool], Markup] = {}
        self._formats: Any = None  # kept.Formats, once a date or number is written with Babel
        self.state: tuple[tuple[str, bytes], ...] = ()  # the catalog files read, for incremental.py

    @property
    def locale(self) -> Any:
        """Babel's locale for the language (its base language when CLDR lacks the region)."""
        if self._locale is None:
            from babel import Locale, UnknownLocaleError

            for code in (self.language.replace("-", "_"), self.language.split("-")[0], "en"):
                try:
                    self._locale = Locale.parse(code)
                    break
                except (UnknownLocaleError, ValueError):
                    continue
        return self._locale

    @property
    def formats(self) -> Any:
        """What Babel wrote for this language, kept between builds (kept.py): Babel is loaded on a miss only."""
        if self._formats is None:
            from .kept import Formats

            self._formats = Formats(self.language)
        return self._formats

    def keep_formats(self) -> None:
        """Keep this build's dates and numbers for the next (called once the edition is rendered)."""
        if self._formats is not None:
            self._formats.save()

    def number(self, value: float | int) -> str:
        """1000 → "1 000" in Ukrainian; English keeps the page's digits as they were ("1000")."""
        if self.english:
            return str(value)

        def make() -> str:
            from babel.numbers import format_decimal

            return format_decimal(value, locale=self.locale)

        return self.formats.text(f"n {value!r}", make)

    def file_size(self, size: int) -> str:
        """A download's size as the language writes it: "338 KB" (offline.human_size), "338 кБ", "2,4 МБ"."""
        from .offline import human_size

        if self.english:
            return human_size(size)
        value, unit = ((size, "digital-byte") if size < 1000 else (round(size / 1000), "digital-kilobyte")
                       if size < 1_000_000 else (round(size / 1_000_000, 1), "digital-megabyte"))

        def make() -> str:
            from babel.units import format_unit

            return format_unit(value, unit, length="short", locale=self.locale)

        return self.formats.text(f"u {value!r} {unit}", make)

    # Dates ----------------------------------------------------------------------------------------

    def _pattern(self, date: PartialDate, pattern: str) -> str:
        """A date in a CLDR pattern (Babel's answers are kept: a story repeats its few dates)."""
        day = dt.date(date.year, date.month or 1, date.day or 1)

        def make() -> str:
            from babel.dates import format_date

            return format_date(day, pattern, locale=self.locale)

        return self.formats.text(f"d {day.isoformat()} {pattern}", make)

    def plain(self, date: PartialDate) -> str:
        """A single date at its precision, without "c." or "?": "25 травня 2025", "травень 2025", "2025".

        An approximate month has its own pattern: after "c." a language may need another case
        (Ukrainian "бл. серпня 2024", the genitive, where a month alone is "серпень 2024").
        """
        if date.precision == "day":
            pattern = self.pgettext("date pattern (CLDR)", "d MMMM y")
        elif date.precision == "month" and date.approximate:
            pattern = self.pgettext("date pattern (CLDR), after c.", "LLLL y")
        elif date.precision == "month":
            pattern = self.pgettext("date pattern (CLDR)", "LLLL y")
        else:
            pattern = self.pgettext("date pattern (CLDR)", "y")
        return self._pattern(date, pattern)

    def month_short(self, date: PartialDate) -> str:
        """A month's short name, as a page's link text: "Aug", "серп."."""
        if self.english:
            from .dates import MONTHS

            return MONTHS[date.month - 1][:3]
        return self._pattern(date, self.pgettext("date pattern (CLDR)", "LLL"))

    def human(self, date: PartialDate) -> str:
        """A single date as readers see it, with "c." (approximate) and "?" (uncertain) from the catalog."""
        if self.english:
            return date.human()
        text = self.plain(date)
        if date.uncertain:
            text = self.gettext("%(date)s?") % {"date": text}
        return self.gettext("c. %(date)s") % {"date": text} if date.approximate else text

    def shared(self, dates: list[PartialDate]) -> list[str]:
        """Each date's text, saying the shared month and year once (as uncertain.shared_texts does)."""
        last = dates[-1]
        texts = [self.human(d) for d in dates]
        if any(d.qualified or d.precision != last.precision or d.year != last.year for d in dates):
            return texts
        if last.precision == "day":
            same_month = all(d.month == last.month for d in dates)
            short = "d" if same_month else self.pgettext("date pattern (CLDR)", "d MMMM")
            return [self._pattern(d, short) for d in dates[:-1]] + texts[-1:]
        if last.precision == "month":
            return [self._pattern(d, self.pgettext("date pattern (CLDR)", "LLLL")) for d in dates[:-1]] + texts[-1:]
        return texts

    def pieces(self, date: Any, moment: bool = False) -> list[tuple[str, str | None]]:
        """(text, machine form) parts of a date, a span or one of a set, in this language."""
        if self.english:
            return date.pieces(moment=moment) if date.__class__ is not PartialDate else [(date.human(), date.iso)]
        if date.__class__ is PartialDate:
            return [(self.human(date), date.iso)]
        if hasattr(date, "dates"):  # one of a set: "24 або 25 травня 2025"
            texts = self.shared(list(date.dates))
            out: list[tuple[str, str | None]] = []
            for i, (text, one) in enumerate(zip(texts, date.dates, strict=True)):
                if i:
                    out.append((self.gettext(" or ") if i == len(texts) - 1 else ", ", None))
                out.append((text, one.iso))
            return out
        a, b = date.start, date.end
        if b is None:
            template = self.gettext("%(date)s or later") if moment else self.gettext("from %(date)s")
            return fill(template, date=(self.human(a), a.iso))
        if a is None:
            template = self.gettext("%(date)s or earlier") if moment else self.gettext("until %(date)s")
            return fill(template, date=(self.human(b), b.iso))
        first, last = self.shared([a, b])
        if moment:
            return fill(self.gettext("between %(start)s and %(end)s"), start=(first, a.iso), end=(last, b.iso))
        return [(first, a.iso), ("–" if " " not in first else " – ", None), (last, b.iso)]

    def text(self, date: Any, moment: bool = False) -> str:
        """A date as plain text (the feed, the exports)."""
        return "".join(text for text, _ in self.pieces(date, moment))

    def date_html(self, date: Any, moment: bool = False) -> Markup:
        """`<time>` elements for a date (each of a span's or set's dates); unknown dates say so."""
        if date is None:
            return Markup('<span class="unknown">{}</span>').format(self.gettext("unknown"))
        key = (date, moment)
        html = self._html.get(key)
        if html is None:
            html = self._html[key] = time_html(self.pieces(date, moment))
        return html

    def fact_when(self, fact: Any) -> Markup:
        """A fact's date, and when it was said if that differs (filters.fact_when, in this language)."""
        if not fact.said_differs:
            return self.date_html(fact.date)
        template = self.gettext("said %(date)s") if fact.said else self.gettext("published %(date)s")
        said = fill_html(template, date=self.date_html(fact.when_said, moment=True))
        about = self.date_html(fact.date, moment=getattr(fact.date, "start", True) is None)
        return Markup('<span class="said">{}</span> · {}').format(said, fill_html(self.gettext("about %(date)s"),
                                                                                  date=about))

    def as_of(self, fact: Any) -> Markup:
        """" (станом на 26 травня 2025)" beside a claim; nothing without `as_of`."""
        if fact.as_of is None:
            return Markup("")
        text = fill_html(self.gettext("as of %(date)s"), date=self.date_html(fact.as_of, moment=True))
        return Markup(' <span class="as-of">({})</span>').format(text)

    def as_of_text(self, fact: Any) -> str:
        return self.gettext("as of %(date)s") % {"date": self.text(fact.as_of, moment=True)}


ENGLISH = Words("en", "en", gettext_module.NullTranslations())  # the templates' own words


def fill(template: str, **parts: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """A catalog string's words around its `%(name)s` places, each place one (text, machine form) piece."""
    out: list[tuple[str, str | None]] = []
    for i, chunk in enumerate(_PLACEHOLDER.split(template)):
        if i % 2:
            out.append(parts[chunk])
        elif chunk:
            out.append((chunk.replace("%%", "%"), None))
    return out


def fill_html(template: str, **parts: Markup) -> Markup:
    """A catalog string with HTML in its places: the words escaped, the HTML kept."""
    return Markup("").join(parts[chunk] if i % 2 else escape(chunk.replace("%%", "%"))
                           for i, chunk in enumerate(_PLACEHOLDER.split(template)))


def time_html(pieces: list[tuple[str, str | None]]) -> Markup:
    return Markup("").join(Markup('<time datetime="{}">{}</time>').format(iso, text) if iso else text
                           for text, iso in pieces)


def native_name(code: str) -> str:
    """A language's name in that language, as a language switch shows it: "Українська", "English".

    Every page of every edition names each edition, so the original's build needs them all. A
    language code alone ("uk") is looked up in its own CLDR file only, without the files it inherits
    from (the name is the language's own, never inherited), and the name is kept between builds
    (kept.py). "English" is written here, so an English build of a one-language site loads no Babel.
    """
    if code == "en":
        return "English"  # CLDR's (tests/test_languages_speed.py compares them)
    name = _own_name(code) if code.isalpha() and code.islower() else None
    if name is None:
        from babel import Locale, UnknownLocaleError

        try:
            name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_")) or code
        except (UnknownLocaleError, ValueError):
            return code
    return name[:1].upper() + name[1:]


def _own_name(code: str) -> str | None:
    """The name a language's own CLDR file gives it, or None (no such file, or it does not say)."""
    from . import kept

    path = kept.name_path(code)
    with contextlib.suppress(UnicodeDecodeError):
        name = (kept.read(path) or b"").decode("utf-8")
        if name:
            return name
    import pickle

    from babel.localedata import exists, resolve_locale_filename

    if not exists(code):
        return None
    try:
        with open(resolve_locale_filename(code), "rb") as handle:  # as babel.localedata.load reads it
            name = pickle.load(handle).get("languages", {}).get(code)
    except (OSError, pickle.UnpicklingError, AttributeError):
        return None
    if not isinstance(name, str) or not name:
        return None
    if path is not None:
        kept.keep(path, name.encode("utf-8"))
    return name


def mark_untranslated(value: Any, words: Words) -> Any:
    """Jinja's finalize for an edition: an Untranslated text is shown marked, in its own language."""
    if value.__class__ is Untranslated:
        return Markup('<span lang="{}" class="untranslated">{}</span><span class="untranslated-note"> ({})</span>'
                      ).format(value.lang, str(value), words.gettext("not yet translated"))
    return value


def install(env: Any, words: Words) -> None:
    """Jinja's i18n extension with this edition's catalog: `{{ _("Timeline") }}`, `ngettext(...)` in templates."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(words.gettext, words.ngettext, newstyle=True, pgettext=words.pgettext)
    env.filters["plain"] = str  # a text without its untranslated mark, where no markup may go (<title>)
    env.filters["number"] = words.number
    env.filters["lang_attr"] = lambda source: lang_attr(source, words)
    env.filters["editors_translation"] = lambda citation: editors_translation(citation, words)
    if not words.english:  # English keeps filters.py's own (cached) date filters
        env.filters.update(date=words.date_html, said_date=lambda date: words.date_html(date, moment=True),
                           fact_when=words.fact_when, as_of=words.as_of)


def lang_attr(source: Any, words: Words) -> Markup:
    """` lang="en"` on a quote whose source is in another language than the page; else nothing."""
    language = getattr(source, "language", None) or words.original
    return Markup(' lang="{}"').format(language) if language != words.language else Markup("")


def editors_translation(citation: Any, words: Words) -> Markup:
    """A citation's quote translated by the editors, marked as theirs, for beside the original words."""
    given = ((getattr(citation, "translations", None) or {}).get(words.language) or {}).get("quote")
    if not given:
        return Markup("")
    quoted = words.gettext("“%(quote)s”") % {"quote": given}  # the language's own quotation marks
    return Markup('<p class="quote-translation"><span class="label">{}</span> {}</p>').format(
        words.gettext("Editors' translation:"), quoted)
