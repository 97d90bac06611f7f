"""The Checker: walks a loaded document along the content model's definitions (schema.py), returning
clean values and recording a problem, with its line and column, for each value that does not fit.
"""

from __future__ import annotations

import functools
import math
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

from .dates import DateError, parse_date, parse_edtf, type_name
from .errors import Problems
from .schema import (
    CURLY_PAIRS,
    INVALID,
    LANGUAGE,
    MARKDOWN,
    ORIGINS,
    SHA256_HEX,
    SLUG,
    TEXT,
    TODO,
    Enum,
    Field,
    ListOf,
    Record,
    Scalar,
    Translations,
)
from .yamlsafe import Doc, KeyPath

_SUSPECT = (TODO, " ", "\t", "\n", *{pair[0] for pair in CURLY_PAIRS})  # cheap test before placeholder()
_ABSENT = object()  # a field the record does not have (None is a value: `key:` with nothing after it)


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
            if value:  # a comparison of one fact: say what it has, not that it is empty
                return self.error(keypath, f"the list has {len(value)} item{'s' if len(value) > 1 else ''}; "
                                  f"at least {type_.min_items} are needed", "add another item")
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
        plan, known = _plan(rec)
        misspelt: set[str] = set()
        if not known.issuperset(value):
            misspelt = self.unknown_keys(value, rec, keypath)
        ok = True
        get = value.get
        for name, f, required, nullable, default, quick in plan:
            item = get(name, _ABSENT)
            if item is _ABSENT:
                if required:
                    ok = False
                    if name not in misspelt:  # a misspelt key already said what is wrong
                        self.error(keypath, f"{rec.name} is missing the required field '{name}'",
                                   f"add '{name}:' ({f.doc})")
                clean[name] = default
                continue
            if item is None and (nullable or not required):
                clean[name] = None if nullable else default
                continue
            if quick is not None:  # a value that plainly passes: no key path, no lookups (see _fast_checks)
                checked = quick(item)
                if checked is not None:
                    clean[name] = checked
                    continue
            type_ = f.type
            if item.__class__ is str and item.startswith(_SUSPECT) and self.placeholder(item, f, keypath + (name,)):
                clean[name] = INVALID
                ok = False
                continue
            if type_.__class__ is Scalar:  # most fields: straight to their check
                checked = clean[name] = self.scalar(item, type_.kind, keypath + (name,))
            else:
                checked = clean[name] = self.check(item, type_, keypath + (name,))
            ok = ok and checked is not INVALID
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
            if isinstance(item, dict) and isinstance(clean[key], dict) and not _plan(type_.record)[1].issuperset(item):
                clean[key][MISSPELT] = _misspelt(item, type_.record)
        return clean if ok else INVALID

    def unknown_keys(self, value: dict, rec: Record, keypath: KeyPath) -> set[str]:
        """Report each unknown key once; return the field names they look like misspellings of."""
        known = rec.names()
        missing = [name for name in known if name not in value]
        misspelt = set()
        for key in value:
            if key in known:
                continue
            close = _closest(str(key), tuple(missing)) or _closest(str(key), tuple(known))
            hint = f"did you mean '{close[0]}'?" if close else f"a {rec.name} has the fields: {', '.join(known)}"
            self.error(keypath + (key,), f"unknown key '{key}' in {rec.name}", hint, key=True)
            misspelt.update(name for name in close if name in missing)
        return misspelt

    def placeholder(self, value: str, f: Field, keypath: KeyPath) -> bool:
        """A TODO left by `new`, or a value wrapped in typographic quotes: reported once, here."""
        text = value.strip()
        if text.startswith(TODO):  # left over from `explainer new`: never publish it
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
        if parts.scheme in ("http", "https") and parts.netloc and any(c.isspace() for c in value.strip()):
            return self.error(keypath, f"the web address '{value}' contains a space",
                              "copy the address again from the browser's address bar (a space in it is written %20)")
        if parts.scheme not in ("http", "https") or not parts.netloc:
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


def _text(item: Any) -> Any:
    """Text the full check would return stripped with no problem, or None: ask the full check."""
    if item.__class__ is str and item and not item.startswith(_SUSPECT):
        text = item.strip()
        if text and not text.startswith(TODO):
            return text
    return None


def _slug(item: Any) -> Any:
    return item if item.__class__ is str and SLUG.fullmatch(item) else None


def _bool(item: Any) -> Any:
    return item if item is True or item is False else None


_FAST_KINDS = {"text": _text, "markdown": _text, "slug": _slug, "bool": _bool}


def _fast_checks(rec: Record) -> dict[str, Any]:
    """Each field's quick check: for the kinds most values are (text, ids, true/false), a test that
    returns the clean value when the full check would pass it unchanged, else None.

    Most of a large story's values are plain: at 10,000 facts the full walk (a key path, a lookup
    and a call per value) was two thirds of validation. A value the quick check does not accept
    goes through the full check, so every problem is found and worded exactly as before.
    """
    checks = rec.__dict__.get("_fast")
    if checks is None:  # worked out once per record type, kept on it as Record.names() keeps its names
        checks = {f.name: _FAST_KINDS.get(f.type.kind) if f.type.__class__ is Scalar else None for f in rec.fields}
        object.__setattr__(rec, "_fast", checks)
    return checks


def _plan(rec: Record) -> tuple[tuple[tuple[str, Field, bool, bool, Any, Any], ...], frozenset[str]]:
    """Each field as the record check reads it, (name, field, required, nullable, default, quick
    check), and the set of the names: a tuple unpacked per field instead of five attribute lookups,
    and one set test for unknown keys instead of a list searched per key (a sixth of the check
    at 10,000 facts). Worked out once per record type and kept on it, as _fast_checks."""
    plan = rec.__dict__.get("_plan")
    if plan is None:
        fast = _fast_checks(rec)
        plan = (tuple((f.name, f, f.required, f.nullable, f.default, fast[f.name]) for f in rec.fields),
                frozenset(rec.names()))
        object.__setattr__(rec, "_plan", plan)
    return plan


def _quoted(value: str) -> str:
    """A value in quotes, its line breaks and tabs written as escapes so the message stays on one line."""
    return "'" + value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'"


# In a translation with unknown keys: the fields they look like misspellings of, whose "no translation"
# warning would say the same mistake again (translations.py).
MISSPELT = "_misspelt"


def _misspelt(value: dict, rec: Record) -> frozenset[str]:
    """The fields a record's unknown keys most likely meant (as unknown_keys' "did you mean")."""
    known = tuple(rec.names())
    return frozenset(chain.from_iterable(_closest(str(key), known) for key in value if key not in known))


@functools.lru_cache(maxsize=1024)
def _closest(key: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The field a misspelt key most likely meant: one it begins (`translated` → `translated_by_source`),
    else the closest spelling. Kept per key and fields: a key misspelt by a find-and-replace over
    10,000 facts asked difflib the same question 10,000 times (0.6 s)."""
    from difflib import get_close_matches  # only on this error path: it costs start-up time

    begun = [name for name in names if name.startswith(key)]
    return tuple(begun[:1] if len(begun) == 1 else get_close_matches(key, list(names), n=1, cutoff=0.6))
