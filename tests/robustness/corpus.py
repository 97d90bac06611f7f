"""The corpus: broken and hostile content, each case next to the exact report it must give.

Every case starts from the small complete project of ``conftest.MINIMAL`` (whose line numbers the
expectations refer to) and changes one thing:

- ``Replace(old, new)`` edits a file in place (the first occurrence; ``old`` must be there);
- a ``str`` replaces a whole file (dedented), ``bytes`` writes it byte for byte, ``None`` deletes it;
- ``setup`` does what files cannot (symlinks, sparse files).

``ERRORS`` must fail the build with exactly ``expect`` on stderr (errors only, in the order the
build prints them; warnings are not part of the expectation). ``INERT`` cases are legal content
that looks dangerous: the build succeeds and the page must carry nothing executable, with
``shown`` (text that must appear on the page as text, i.e. escaped) and ``absent`` (markup that
must not appear anywhere in the page source, not even escaped: what a sanitiser removes whole).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import SEED, SEED_SHA256

SIDE_EFFECT = "/tmp/explainer-robustness-pwned"  # a YAML python tag would create it; it must never exist


@dataclass(frozen=True)
class Replace:
    old: str
    new: str


Edit = str | bytes | Replace | None


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, Edit]
    expect: str = ""
    setup: Callable[[Path], None] | None = None
    subprocess: bool = False  # also run end to end through build.py in a child process


@dataclass(frozen=True)
class Inert:
    id: str
    files: dict[str, Edit]
    shown: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    markers: tuple[str, ...] = ("XSS",)
    extra_seed: str = ""  # appended to seeds/a.txt, so a hostile quote is really in its source
    csv_cells: tuple[str, ...] = ()  # text that must reach facts.csv neutralised: with a leading "'"


def apply(root: Path, files: dict[str, Edit]) -> None:
    for rel, edit in files.items():
        path = root / rel
        if edit is None:
            path.unlink()
        elif isinstance(edit, Replace):
            text = path.read_text(encoding="utf-8")
            assert edit.old in text, f"{edit.old!r} is not in {rel}"
            path.write_text(text.replace(edit.old, edit.new, 1), encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(edit, bytes):
                path.write_bytes(edit)
            else:
                path.write_text(textwrap.dedent(edit), encoding="utf-8")


def expected(case: Case) -> str:
    return textwrap.dedent(case.expect).strip("\n")


def _symlink_out(root: Path) -> None:
    (root / "seeds" / "evil.txt").symlink_to(root / "site.yaml")


def _link_out(rel: str, target: str = "/etc/passwd") -> Callable[[Path], None]:
    """``rel`` becomes a symbolic link to a file outside the project (a file on every Linux machine)."""

    def make(root: Path) -> None:
        path = root / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    return make


def _link_loop(root: Path) -> None:
    (root / "static" / "loop").symlink_to("loop")


def _archive_dir(root: Path) -> None:
    (root / "seeds" / "folder").mkdir()


def _fifo(root: Path) -> None:
    (root / "content" / "glossary.yaml").unlink()
    os.mkfifo(root / "content" / "glossary.yaml")  # reading it would wait forever for a writer


def _sparse(rel: str, size: int) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(size)  # a sparse file: the size an editor might paste, without writing it

    return make


def filler(size: int, seed: int = 16) -> str:
    """Deterministic word salad with the word frequencies of prose (a few common words, many rare)."""
    import random

    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10)))
                  for _ in range(30000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    return " ".join(rng.choices(vocabulary, weights, k=size // 4))[:size]


FILLER = filler(1_000_000)
LONG_QUOTE = FILLER[FILLER.index(" ", 500_000) + 1:][:10_000].rsplit(" ", 1)[0]
TYPO_QUOTE = LONG_QUOTE[:20] + "X" + LONG_QUOTE[21:]


def _long_archive(root: Path) -> None:
    with open(root / "seeds" / "a.txt", "a", encoding="utf-8") as seed:
        seed.write(FILLER + "\n")
    reseal(root, "a.txt")


def reseal(root: Path, archive: str) -> None:
    """Record the new sha256 of an archive the case changed on purpose (see content/sources.yaml)."""
    digest = hashlib.sha256((root / "seeds" / archive).read_bytes()).hexdigest()
    sources = root / "content" / "sources.yaml"
    sources.write_text(re.sub(r"sha256: [0-9a-f]{64}", f"sha256: {digest}", sources.read_text(encoding="utf-8"),
                              count=1), encoding="utf-8")


BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
FACTS = "content/facts.yaml"
SOURCES = "content/sources.yaml"
SITE = "site.yaml"
GLOSSARY = "content/glossary.yaml"
SUMMARY = "content/summaries/01-intro.md"
EXTRA = "content/summaries/02-extra.md"  # a second summary: its own mistakes cascade nowhere
INDEX = "templates/index.html"
GS_DATE = 'date: "2025-05-25"'  # the General Staff fact's date, line 23
EDTF_HINT = ("write YYYY, YYYY-MM or YYYY-MM-DD; for an uncertain date: 2024-08~ (about), 2024-08? (uncertain), "
             "2024-08-06/2025-05-25 (a span), 2024-08-06/.. (open end), "
             "\"[2025-05-24,2025-05-25]\" (one of these, in quotes)")
QUOTE_102 = 'quote: "its commandos captured no fewer than 102 Russian conscripts"'
CHANGED_SHA256 = hashlib.sha256(SEED.replace("50 to 95", "50 to 96").encode("utf-8")).hexdigest()


def _template(line: str) -> str:
    """A small complete page template with ``line`` as its fourth line."""
    return f"<!doctype html>\n<html lang=\"en\">\n<title>{{{{ site.title }}}}</title>\n{line}\n</html>\n"


def _extra(body: str, front: str = "title: More\norder: 2\n") -> str:
    return f"---\n{front}---\n{body}"


ERRORS: list[Case] = [
    # --- malformed YAML -------------------------------------------------------------------------
    Case("tab-indentation", {FACTS: Replace("  claim: SBU", "\tclaim: SBU")}, """
        content/facts.yaml:2:1: error: invalid YAML: found a tab character that violates indentation
            hint: indent with spaces, never tabs
        """, subprocess=True),
    Case("unclosed-quote", {FACTS: Replace(QUOTE_102, 'quote: "its commandos captured')}, """
        content/facts.yaml:11:71: error: invalid YAML: did not find expected key
            hint: check the indentation here and above, and that every quote opened before this line is closed
        """),
    Case("bad-indentation", {FACTS: Replace("  attribution: the SBU", "    attribution: the SBU")}, """
        content/facts.yaml:3:16: error: invalid YAML: mapping values are not allowed in this context
            hint: check the indentation of this line and the one before; put text containing ': ' in quotes
        """),
    Case("dedented-key", {FACTS: Replace("  attribution: the SBU", " attribution: the SBU")}, """
        content/facts.yaml:3:2: error: invalid YAML: did not find expected '-' indicator
            hint: check the indentation here and above, and that every quote opened before this line is closed
        """),
    Case("colon-in-plain-text", {FACTS: Replace("attribution: the SBU", "attribution: SBU: the service")}, """
        content/facts.yaml:3:19: error: invalid YAML: mapping values are not allowed in this context
            hint: check the indentation of this line and the one before; put text containing ': ' in quotes
        """),
    Case("two-documents", {GLOSSARY: Replace("- id: sbu", "---\n- id: sbu\n---\n- id: other")}, """
        content/glossary.yaml:3:1: error: invalid YAML: but found another document
            hint: a content file holds one YAML document: remove the extra '---'
        """),
    # --- duplicate keys: PyYAML would silently keep the last one ---------------------------------
    Case("duplicate-key", {FACTS: Replace("  attribution: the SBU", "  attribution: the SBU\n  claim: Other.")}, """
        content/facts.yaml:4:3: error: duplicate key 'claim' (first given on line 2)
            hint: remove one of the two; YAML would silently keep only the last
        """, subprocess=True),
    Case("duplicate-key-in-site", {SITE: Replace("language: en", "language: en\ntitle: Second title")}, """
        site.yaml:4:1: error: duplicate key 'title' (first given on line 1)
            hint: remove one of the two; YAML would silently keep only the last
        """),
    # --- wrong types ----------------------------------------------------------------------------
    Case("list-where-text", {FACTS: Replace("attribution: the SBU", "attribution: [the SBU, the army]")}, """
        content/facts.yaml:3:16: error: expected text, got a list
            hint: write plain text here
        """),
    Case("number-as-id", {GLOSSARY: Replace("- id: sbu", "- id: 102")}, """
        content/glossary.yaml:1:7: error: a number (102) is not a valid id
            hint: ids are lowercase words joined by hyphens, e.g. 'general-staff-971'
        """),
    Case("mapping-where-list", {FACTS: Replace("topics: [captures]", "topics: {captures: yes}")}, """
        content/facts.yaml:7:11: error: expected a list, got a mapping (key: value pairs)
            hint: write each item on its own line starting with '- '
        """),
    Case("text-where-true-false", {FACTS: Replace("approximate: true", "approximate: roughly")}, """
        content/facts.yaml:5:16: error: expected true or false, got text
            hint: write true or false
        """),
    Case("text-as-order", {SUMMARY: Replace("order: 1", "order: first")}, """
        content/summaries/01-intro.md:3:8: error: expected a whole number, got text
            hint: write a number such as 1
        """),
    Case("bad-enum", {"content/comparisons.yaml": Replace("kind: change", "kind: changed")}, """
        content/comparisons.yaml:2:9: error: 'changed' is not one of 'disagreement' or 'change'
            hint: write 'disagreement' or 'change'
        """),
    # --- missing required fields ----------------------------------------------------------------
    Case("missing-claim", {FACTS: Replace(
        "  claim: Swaps exchanged between 50 and 95 soldiers.\n", "")}, """
        content/facts.yaml:12:3: error: fact is missing the required field 'claim'
            hint: add 'claim:' (One neutral sentence.)
        """),
    Case("missing-archive-field", {SOURCES: Replace("  archive: a.txt\n", "")}, """
        content/sources.yaml:1:3: error: source is missing the required field 'archive'
            hint: add 'archive:' (Path of its archived text under `seeds/`.)
        """),
    Case("empty-citations", {FACTS: Replace(
        "  citations:\n    - source: article-a\n      quote: \"could range from 50 to 95 soldiers\"",
        "  citations: []")}, """
        content/facts.yaml:17:14: error: the list is empty; at least 1 item(s) needed
            hint: add an item starting with '- '
        """),
    Case("missing-required-file", {"content/timeline.yaml": None}, """
        content/timeline.yaml:1:1: error: content/timeline.yaml is missing
            hint: create content/timeline.yaml; see docs/content-model.md
        """),
    # --- unknown keys ---------------------------------------------------------------------------
    Case("unknown-key-did-you-mean", {FACTS: Replace("    - source: article-a\n      quote: \"could",
                                                     "    - sorces: article-a\n      quote: \"could")}, """
        content/facts.yaml:18:7: error: unknown key 'sorces' in citation
            hint: did you mean 'source'?
        """),
    Case("unknown-key-in-site", {SITE: Replace("description:", "descripton:")}, """
        site.yaml:2:1: error: unknown key 'descripton' in site
            hint: did you mean 'description'?
        """),
    Case("unknown-key-no-match", {GLOSSARY: Replace("  term: SBU", "  term: SBU\n  colour: red")}, """
        content/glossary.yaml:3:3: error: unknown key 'colour' in term
            hint: a term has the fields: id, term, definition, facts, translations
        """),
    # --- impossible dates -----------------------------------------------------------------------
    Case("february-30", {FACTS: Replace('date: "2025-05-25"', "date: 2025-02-30")}, """
        content/facts.yaml:23:9: error: '2025-02-30' is not a real day: February 2025 has 28 days
            hint: check the day; if only the month is known, write YYYY-MM
        """, subprocess=True),
    Case("month-13", {FACTS: Replace("date: 2024-08", "date: 2025-13")}, """
        content/facts.yaml:4:9: error: '2025-13' has no month 13
            hint: months run from 01 to 12
        """),
    Case("date-in-words", {SOURCES: Replace("published: 2025-05-26", "published: last Tuesday")}, f"""
        content/sources.yaml:5:14: error: 'last Tuesday' is not a date
            hint: {EDTF_HINT}
        """),
    # --- uncertain dates (EDTF) -----------------------------------------------------------------
    Case("edtf-unknown-notation", {FACTS: Replace("date: 2024-08", "date: 2024~-08")}, f"""
        content/facts.yaml:4:9: error: '2024~-08' is not a date
            hint: {EDTF_HINT}
        """),
    Case("edtf-reversed-span", {FACTS: Replace('date: "2025-05-25"', 'date: "2025-05-25/2024-08-06"')}, """
        content/facts.yaml:23:9: error: '2025-05-25/2024-08-06' ends before it starts
            hint: write the earlier date first: 2024-08-06/2025-05-25
        """, subprocess=True),
    Case("edtf-impossible-day-in-span", {FACTS: Replace('date: "2025-05-25"', 'date: "2025-04-31/2025-05-25"')}, """
        content/facts.yaml:23:9: error: '2025-04-31' is not a real day: April 2025 has 30 days
            hint: check the day; if only the month is known, write YYYY-MM
        """),
    Case("edtf-not-a-leap-year", {FACTS: Replace('date: "2025-05-25"', 'date: "[1900-02-28,1900-02-29]"')}, """
        content/facts.yaml:23:9: error: '1900-02-29' is not a real day: February 1900 has 28 days
            hint: check the day; if only the month is known, write YYYY-MM
        """),
    Case("edtf-set-unquoted", {FACTS: Replace('date: "2025-05-25"', "date: [2025-05-24,2025-05-25]")}, """
        content/facts.yaml:23:9: error: expected a date, got a list
            hint: put one of a set of dates in quotes: "[2025-05-24,2025-05-25]"
        """),
    Case("edtf-set-of-one", {FACTS: Replace('date: "2025-05-25"', 'date: "[2025-05-25]"')}, """
        content/facts.yaml:23:9: error: '[2025-05-25]' lists only one date
            hint: write the date without brackets, or list two or more, in quotes: "[2025-05-24,2025-05-25]"
        """),
    Case("edtf-open-both-ends", {FACTS: Replace('date: "2025-05-25"', 'date: "../.."')}, """
        content/facts.yaml:23:9: error: '../..' has neither a start nor an end
            hint: give at least one end, e.g. 2024-08-06/.. or ../2025-05-26
        """),
    Case("said-reversed-span", {FACTS: Replace(GS_DATE, GS_DATE + "\n  said: 2025-05/2025-04")}, """
        content/facts.yaml:24:9: error: '2025-05/2025-04' ends before it starts
            hint: write the earlier date first: 2025-04/2025-05
        """),
    Case("as-of-impossible-day", {FACTS: Replace(GS_DATE, GS_DATE + "\n  as_of: 2025-06-31")}, """
        content/facts.yaml:24:10: error: '2025-06-31' is not a real day: June 2025 has 30 days
            hint: check the day; if only the month is known, write YYYY-MM
        """),
    Case("said-unknown-notation", {FACTS: Replace(GS_DATE, GS_DATE + "\n  said: May 25")}, f"""
        content/facts.yaml:24:9: error: 'May 25' is not a date
            hint: {EDTF_HINT}
        """),
    Case("said-after-its-source", {FACTS: Replace(GS_DATE, GS_DATE + "\n  said: 2025-05-27/2025-06")}, """
        content/facts.yaml:24:9: error: fact 'general-staff-971' is said between 27 May 2025 and June 2025, \
after source 'article-a' reporting it was published (26 May 2025)
            hint: 'said' is when the claim was made, at the latest the day its source was published; check both dates
        """),
    Case("event-edtf-empty-end", {"content/timeline.yaml": Replace("- date: 2025-05-25", "- date: 2025-05-25/")}, """
        content/timeline.yaml:1:9: error: '2025-05-25/' has an empty end
            hint: write '..' for an open end, e.g. 2024-08-06/..
        """),
    # --- ids ------------------------------------------------------------------------------------
    Case("duplicate-fact-id", {FACTS: Replace("- id: swap-sizes", """- id: sbu-102
  claim: A second fact with the same id.
  attribution: the SBU
  date: 2024
  citations:
    - source: article-a
      quote: "could range from 50 to 95 soldiers"
- id: swap-sizes""")}, """
        content/facts.yaml:12:3: error: duplicate fact id 'sbu-102' (first used on line 1)
            hint: give each one its own id
        """),
    Case("duplicate-glossary-id", {GLOSSARY: """\
        - id: sbu
          term: SBU
          definition: Ukraine's security service.
          facts: [sbu-102]
        - id: sbu
          term: Security Service of Ukraine
          definition: The same service.
          facts: [sbu-102]
        """}, """
        content/glossary.yaml:5:3: error: duplicate glossary entry id 'sbu' (first used on line 1)
            hint: give each one its own id
        """),
    Case("id-with-spaces", {GLOSSARY: Replace("- id: sbu", "- id: The SBU")}, """
        content/glossary.yaml:1:7: error: 'The SBU' is not a valid id
            hint: ids are lowercase words joined by hyphens, e.g. 'general-staff-971'
        """),
    # --- the provenance chain -------------------------------------------------------------------
    Case("unknown-source", {FACTS: Replace("    - source: article-a\n      quote: \"could",
                                           "    - source: article-b\n      quote: \"could")}, """
        content/facts.yaml:18:15: error: fact 'swap-sizes' cites the unknown source 'article-b'
            hint: did you mean 'article-a'?
        """),
    Case("unknown-fact-in-summary", {SUMMARY: Replace("[[general-staff-971]]", "[[general-staff-972]]")}, """
        content/summaries/01-intro.md:5:48: error: unknown fact 'general-staff-972'
            hint: did you mean 'general-staff-971'?
        """),
    Case("malformed-citation", {SUMMARY: Replace("[[general-staff-971]]", "[[General Staff]]")}, """
        content/summaries/01-intro.md:5:48: error: '[[General Staff]]' is not a valid citation
            hint: cite a fact by its id, e.g. [[general-staff-971-captured]]
        """),
    Case("quote-not-in-source", {FACTS: Replace("no fewer than 102", "no fewer than 120")}, """
        content/facts.yaml:10:14: error: the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)
            hint: copy the words exactly; the closest passage is: "its commandos captured no fewer than 102 Russian conscripts"
        """, subprocess=True),  # noqa: E501 - the exact message
    Case("empty-quote", {FACTS: Replace(QUOTE_102, 'quote: ""')}, """
        content/facts.yaml:10:14: error: the text is empty
            hint: write the text, or remove the field if it is optional
        """),
    Case("blank-quote", {FACTS: Replace(QUOTE_102, 'quote: "   "')}, """
        content/facts.yaml:10:14: error: the text is empty
            hint: write the text, or remove the field if it is optional
        """),
    # --- files ----------------------------------------------------------------------------------
    Case("empty-file", {GLOSSARY: ""}, """
        content/glossary.yaml:1:1: error: the file is empty
            hint: add the content, or write [] for an empty list
        """),
    Case("comments-only-file", {GLOSSARY: "# nothing here yet\n"}, """
        content/glossary.yaml:1:1: error: the file is empty
            hint: add the content, or write [] for an empty list
        """),
    Case("not-utf8", {GLOSSARY: "- id: sbu\n  term: Servi\xe7o\n".encode("latin-1")}, """
        content/glossary.yaml:2:14: error: the file is not valid UTF-8 (byte 0xe7)
            hint: save the file with UTF-8 encoding
        """, subprocess=True),
    Case("not-utf8-summary", {EXTRA: _extra("Caf\xe9 [[sbu-102]]\n").encode("latin-1")}, """
        content/summaries/02-extra.md:5:4: error: the file is not valid UTF-8 (byte 0xe9)
            hint: save the file with UTF-8 encoding
        """),
    Case("byte-order-mark", {GLOSSARY: b"\xef\xbb\xbf- id: sbu\n"}, """
        content/glossary.yaml:1:1: error: the file starts with a byte-order mark
            hint: save the file as UTF-8 without BOM
        """),
    Case("very-large-file", {}, """
        content/glossary.yaml:1:1: error: the file is 65 MB, over the 64 MB limit
            hint: split the content or check that the right file was saved here
        """, setup=_sparse(GLOSSARY, 65 * 1024 * 1024)),
    Case("very-large-archive", {}, """
        seeds/a.txt:1:1: error: the file is 100 MB, over the 64 MB limit
            hint: split the content or check that the right file was saved here
        """, setup=_sparse("seeds/a.txt", 100 * 1024 * 1024)),
    Case("not-a-regular-file", {}, """
        content/glossary.yaml:1:1: error: this is not a regular file
            hint: replace it with a plain text file
        """, setup=_fifo),
    Case("control-character", {GLOSSARY: Replace("term: SBU", 'term: "S\\x1b[31mBU"')}, """
        content/glossary.yaml:2:9: error: the text contains the invisible control character U+001B
            hint: delete it: such characters come with text pasted from elsewhere and break the page
        """),
    Case("raw-control-character", {GLOSSARY: Replace("term: SBU", "term: S\x1bBU")}, """
        content/glossary.yaml:2:10: error: the text contains the invisible control character U+001B
            hint: delete it: such characters come with text pasted from elsewhere and break the page
        """),
    Case("control-character-in-summary", {EXTRA: _extra("One\ntwo\x00 [[sbu-102]]\n")}, """
        content/summaries/02-extra.md:6:4: error: the text contains the invisible control character U+0000
            hint: delete it: such characters come with text pasted from elsewhere and break the page
        """),
    Case("very-long-number", {GLOSSARY: Replace("- id: sbu", "- id: " + "9" * 5000)}, """
        content/glossary.yaml:1:7: error: the number is over 300 characters long
            hint: put it in quotes if it is text, or check what was pasted here
        """),
    Case("infinite-figure", {FACTS: Replace("value: 102", "value: .inf")}, """
        content/facts.yaml:11:37: error: expected a number, got a number (inf)
            hint: write digits without commas or quotes, e.g. 971
        """),
    # --- archives must stay inside seeds/ -------------------------------------------------------
    Case("archive-dot-dot", {SOURCES: Replace("archive: a.txt", "archive: ../site.yaml")}, """
        content/sources.yaml:8:12: error: archive '../site.yaml' must be a path inside seeds/
            hint: write just the file name under seeds/, e.g. '003_article.txt'
        """),
    Case("archive-absolute", {SOURCES: Replace("archive: a.txt", "archive: /etc/passwd")}, """
        content/sources.yaml:8:12: error: archive '/etc/passwd' must be a path inside seeds/
            hint: write just the file name under seeds/, e.g. '003_article.txt'
        """),
    Case("archive-symlink-out", {SOURCES: Replace("archive: a.txt", "archive: evil.txt")}, """
        content/sources.yaml:8:12: error: archive 'evil.txt' points outside seeds/
            hint: archived texts must be real files inside seeds/, not links elsewhere
        """, setup=_symlink_out),
    Case("archive-missing", {SOURCES: Replace("archive: a.txt", "archive: b.txt")}, """
        content/sources.yaml:8:12: error: archive 'b.txt' does not exist in seeds/
            hint: copy the source's text into seeds/ or fix the file name
        """, subprocess=True),
    Case("archive-is-a-folder", {SOURCES: Replace("archive: a.txt", "archive: folder")}, """
        content/sources.yaml:8:12: error: archive 'folder' is not a file
            hint: point at the text file itself
        """, setup=_archive_dir),
    # --- nothing outside the project is read: links out are refused before anything is read -------
    Case("static-link-out", {}, """
        static/env.txt:1:1: error: this is a link to /etc/passwd, outside the project
            hint: the build reads nothing outside the project folder: copy the file in instead of linking to it
        """, setup=_link_out("static/env.txt"), subprocess=True),
    Case("template-link-out", {}, """
        templates/_key.html:1:1: error: this is a link to /etc/passwd, outside the project
            hint: the build reads nothing outside the project folder: copy the file in instead of linking to it
        """, setup=_link_out("templates/_key.html")),
    Case("summary-link-out", {}, """
        content/summaries/02-extra.md:1:1: error: this is a link to /etc/passwd, outside the project
            hint: the build reads nothing outside the project folder: copy the file in instead of linking to it
        """, setup=_link_out(EXTRA)),
    Case("site-yaml-link-out", {}, """
        site.yaml:1:1: error: this is a link to /etc/passwd, outside the project
            hint: the build reads nothing outside the project folder: copy the file in instead of linking to it
        """, setup=_link_out(SITE)),
    Case("seeds-folder-link-out", {}, """
        seeds:1:1: error: this is a link to /etc, outside the project
            hint: the build reads nothing outside the project folder: copy the file in instead of linking to it
        """, setup=_link_out("seeds", "/etc")),
    Case("symlink-loop-in-static", {}, """
        static/loop:1:1: error: this symbolic link leads round in a loop
            hint: remove the link, or point it at a real file
        """, setup=_link_loop),
    # --- YAML that would build Python objects or explode ----------------------------------------
    Case("python-object-apply", {GLOSSARY: Replace(
        "term: SBU", f"term: !!python/object/apply:os.system ['touch {SIDE_EFFECT}']")}, """
        content/glossary.yaml:2:9: error: the YAML tag '!!python/object/apply:os.system' is not allowed
            hint: content holds only text, numbers, lists and mappings; remove the '!' tag
        """, subprocess=True),
    Case("python-name", {GLOSSARY: Replace("term: SBU", "term: !!python/name:os.system")}, """
        content/glossary.yaml:2:9: error: the YAML tag '!!python/name:os.system' is not allowed
            hint: content holds only text, numbers, lists and mappings; remove the '!' tag
        """),
    Case("local-tag", {GLOSSARY: Replace("term: SBU", "term: !secret SBU")}, """
        content/glossary.yaml:2:9: error: the YAML tag '!secret' is not allowed
            hint: content holds only text, numbers, lists and mappings; remove the '!' tag
        """),
    Case("billion-laughs", {GLOSSARY: BOMB}, """
        content/glossary.yaml:1:1: error: expected a list, got a mapping (key: value pairs)
            hint: write each item on its own line starting with '- '
        content/glossary.yaml:2:8: error: YAML aliases ('*a') are not allowed in content (72 aliases in this file)
            hint: write the value out in full instead of using '*alias'
        """, subprocess=True),
    Case("alias-in-front-matter", {EXTRA: _extra("More. [[sbu-102]]\n", "title: &t More\norder: 2\nx: *t\n")}, """
        content/summaries/02-extra.md:4:1: error: unknown key 'x' in summary
            hint: a summary has the fields: title, order
        content/summaries/02-extra.md:4:4: error: YAML aliases ('*t') are not allowed in content
            hint: write the value out in full instead of using '*alias'
        """),
    Case("merge-key", {GLOSSARY: Replace("  term: SBU", "  <<: {term: SBU}")}, """
        content/glossary.yaml:1:3: error: term is missing the required field 'term'
            hint: add 'term:' (The term.)
        content/glossary.yaml:2:3: error: YAML merge keys ('<<') are not allowed in content
            hint: write the keys out in full
        """),
    Case("deep-nesting", {GLOSSARY: "- " + "[" * 60 + "]" * 60 + "\n"}, """
        content/glossary.yaml:1:3: error: expected a term (key: value pairs), got a list
            hint: a term has the fields: id, term, definition, facts, translations
        content/glossary.yaml:1:43: error: the YAML is nested more than 40 levels deep
            hint: flatten the structure
        """),
    Case("markdown-nested-too-deep", {EXTRA: _extra(
        "".join("    " * i + "- a\n" for i in range(300)) + "[[sbu-102]]\n")}, """
        content/summaries/02-extra.md:5:1: error: the Markdown is nested too deeply to render
            hint: nest lists and quotes a few levels at most
        """),
    # --- addresses: only http(s) ----------------------------------------------------------------
    Case("url-javascript", {SOURCES: Replace("url: https://example.org/a", "url: javascript:alert(1)")}, """
        content/sources.yaml:6:8: error: 'javascript:alert(1)' is not an http(s) web address
            hint: only addresses starting with https:// or http:// are allowed
        """, subprocess=True),
    Case("url-data", {SOURCES: Replace("url: https://example.org/a",
                                       'url: "data:text/html,<script>alert(1)</script>"')}, """
        content/sources.yaml:6:8: error: 'data:text/html,<script>alert(1)</script>' is not an http(s) web address
            hint: only addresses starting with https:// or http:// are allowed
        """),
    Case("url-vbscript", {SOURCES: Replace("url: https://example.org/a", "url: VBScript:MsgBox(1)")}, """
        content/sources.yaml:6:8: error: 'VBScript:MsgBox(1)' is not an http(s) web address
            hint: only addresses starting with https:// or http:// are allowed
        """),
    Case("base-url-javascript", {SITE: Replace("base_url: https://example.org/test/",
                                               "base_url: javascript://example.org/%0aalert(1)")}, """
        site.yaml:4:11: error: 'javascript://example.org/%0aalert(1)' is not an http(s) web address
            hint: only addresses starting with https:// or http:// are allowed
        """),
    # --- summaries ------------------------------------------------------------------------------
    Case("summary-without-front-matter", {EXTRA: "Just text [[sbu-102]]\n"}, """
        content/summaries/02-extra.md:1:1: error: the summary has no front matter
            hint: start the file with '---', then 'title:' and 'order:', then '---'
        """),
    Case("front-matter-not-a-mapping", {EXTRA: _extra("Text.[[sbu-102]]\n", "- title\n- order\n")}, """
        content/summaries/02-extra.md:2:1: error: expected a summary (key: value pairs), got a list
            hint: a summary has the fields: title, order
        """),
    # --- an editor's broken template (a whole small template, so the line numbers stay put) --------
    Case("template-unknown-variable", {INDEX: _template("<h1>{{ sitee.title }}</h1>")}, """
        templates/index.html:4:1: error: template error: 'sitee' is undefined
            hint: check the variable's name; the page's variables are listed in docs/templates.md
        """, subprocess=True),
    Case("template-unknown-attribute", {INDEX: _template("<h1>{{ site.titel }}</h1>")}, """
        templates/index.html:4:1: error: template error: 'explainer.model.Site object' has no attribute 'titel'
            hint: check the variable's name; the page's variables are listed in docs/templates.md
        """),
    Case("template-syntax-error", {INDEX: _template("<h1>{{ site.title }</h1>")}, """
        templates/index.html:4:1: error: template error: unexpected '}'
            hint: check the template syntax ({% %} and {{ }} must close)
        """),
    Case("template-unclosed-block", {INDEX: _template("{% if site.title %}\n<h1>{{ site.title }}</h1>")}, """
        templates/index.html:5:1: error: template error: Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.
            hint: check the template syntax ({% %} and {{ }} must close)
        """),  # noqa: E501 - the exact message
    Case("template-unknown-filter", {INDEX: _template("<h1>{{ site.title | shout }}</h1>")}, """
        templates/index.html:4:1: error: template error: No filter named 'shout'.
            hint: check the template syntax ({% %} and {{ }} must close)
        """),
    # --- hostile input that used to hang, crash or mislead (issue 16) -------------------------------
    Case("deep-nesting-megabytes", {GLOSSARY: "- " + "[" * 2_000_000 + "\n"}, """
        content/glossary.yaml:1:43: error: the YAML is nested more than 40 levels deep
            hint: flatten the structure; the file was not read past this point (it nests 100 levels deep, which would stall the build)
        """),  # noqa: E501 - the exact message
    Case("long-mistyped-quote", {FACTS: Replace(QUOTE_102, f'quote: "{TYPO_QUOTE}"')}, f"""
        content/facts.yaml:10:14: error: the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)
            hint: copy the words exactly; the closest passage is: "{LONG_QUOTE[:LONG_QUOTE.rfind(" ", 0, 400)]} …"
        """, setup=_long_archive),
    Case("too-much-markup-in-a-paragraph", {EXTRA: _extra("Intro.[[sbu-102]]\n\n" + "*a* " * 600 + "[[sbu-102]]\n")}, """
        content/summaries/02-extra.md:7:1: error: the paragraph holds 1200 Markdown marks ([ < ` * _ & \\), over the limit of 1000
            hint: split it into shorter paragraphs
        """),  # noqa: E501 - the exact message
    Case("id-with-a-trailing-newline", {GLOSSARY: Replace("- id: sbu", '- id: "sbu\\n"')}, """
        content/glossary.yaml:1:7: error: 'sbu\\n' is not a valid id
            hint: ids are lowercase words joined by hyphens, e.g. 'general-staff-971'
        """),
    Case("relative-link-in-a-summary",
         {EXTRA: _extra("Some text.[[sbu-102]]\n\nSee [the notes](notes.html) too.[[sbu-102]]\n")},
         """
        content/summaries/02-extra.md:7:17: error: the link 'notes.html' is broken: the build writes no such file
            hint: link to another site with its full https:// address, or to a part of this page with #id
        """),
    Case("archive-in-windows-1251", {"seeds/a.txt": "Привет, мир.\n".encode("cp1251")}, """
        seeds/a.txt:1:1: error: the file is not valid UTF-8 (byte 0xcf)
            hint: the archived text seems to be in another encoding (WINDOWS-1251?): convert it to UTF-8 without changing its words, e.g. iconv -f WINDOWS-1251 -t UTF-8 old.txt > new.txt
        """),  # noqa: E501 - the exact message
    Case("quote-nothing-resembles", {FACTS: Replace(QUOTE_102, 'quote: "nothing of the kind was said here"')}, """
        content/facts.yaml:10:14: error: the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)
            hint: copy the words exactly from the source's archived text; no passage of it resembles this quote
        """),
    # Provenance v2, the chain side: numbers, hashes, elisions, attributions (tests/test_provenance_chain.py).
    Case("unknown-number", {FACTS: Replace("claim: Swaps exchanged between 50 and 95 soldiers.",
                                           "claim: Swaps exchanged between 50 and 90 soldiers.")}, """
        content/facts.yaml:13:10: error: the number 90 in the claim of fact 'swap-sizes' is in none of its quotes
            hint: quote the words that give it, or list it under 'derived:' with a one-line reason, e.g. derived: [{number: "90", reason: "how it was worked out"}]
        """),  # noqa: E501 - the exact message
    Case("changed-archive", {"seeds/a.txt": Replace("50 to 95", "50 to 96")}, f"""
        content/sources.yaml:10:11: error: the archive of source 'article-a' (a.txt) has changed since its sha256 was recorded
            hint: archived texts are never edited: restore the file from version control; if the source itself must be replaced, archive it as a new source (its sha256 is now {CHANGED_SHA256})
        """, subprocess=True),  # noqa: E501 - the exact message
    Case("missing-sha256", {SOURCES: Replace(f"  sha256: {SEED_SHA256}\n", "")}, f"""
        content/sources.yaml:1:3: error: source 'article-a' records no sha256 of its archive (a.txt)
            hint: add 'sha256: {SEED_SHA256}' after checking that seeds/a.txt is the text as archived
        """),
    Case("elided-fragments-out-of-order", {FACTS: Replace(QUOTE_102, 'quote: "102 Russian conscripts … its commandos"')}, """
        content/facts.yaml:10:14: error: the parts of the quote for fact 'sbu-102' are not in this order within one paragraph of source 'article-a' (a.txt)
            hint: each part between '…' must come in the order the source gives it, all in one paragraph (one line of the archived text); the first part is in: "102 Russian conscripts"
        """),  # noqa: E501 - the exact message
    Case("elided-fragment-not-in-source", {FACTS: Replace(QUOTE_102, 'quote: "its commandos […] 103 Russian"')}, """
        content/facts.yaml:10:14: error: the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)
            hint: copy the words exactly; "103 Russian" is not in it; the closest passage is: "102 Russian"
        """),
    Case("hand-written-attribution-chain", {FACTS: Replace("attribution: the SBU",
                                                           "attribution: the SBU, as reported by the article")}, """
        content/facts.yaml:3:16: error: the attribution of fact 'sbu-102' writes 'as reported by' itself
            hint: name only who makes the claim, e.g. 'the SBU'; the page writes 'According to …, as reported by' and the source's label
        """),  # noqa: E501 - the exact message
    Case("source-without-label", {SOURCES: Replace("  label: the Test Gazette\n", "")}, """
        content/sources.yaml:1:3: error: source is missing the required field 'label'
            hint: add 'label:' (How readers are told of the source in an attribution: 'the Kyiv Independent', 'an unsigned article'.)
        """),  # noqa: E501 - the exact message
    Case("derived-not-a-number", {FACTS: Replace("  figure: {",
                                                 "  derived: [{number: lots, reason: a guess}]\n  figure: {")}, """
        content/facts.yaml:11:22: error: 'lots' is not a number
            hint: write the number as the claim does: 2025, "1,000" or three
        """),
    Case("context-unknown-word", {SOURCES: Replace("  label: the Test Gazette\n",
                                                   "  label: the Test Gazette\n  context: article\n")}, """
        content/sources.yaml:10:12: error: 'article' is not one of 'sentence' or 'paragraph' or 'none'
            hint: write 'sentence' or 'paragraph' or 'none'
        """),
]

XSS = "<script>alert('XSS')</script>"
# Right-to-left override and mark, Hebrew, a flag and a family emoji (joiners), then 20,000 characters.
MIXED = "Swaps \u202eexchanged\u202c \u200f\u05e9\u05dc\u05d5\u05dd\u200f 🇺🇦👩‍👩‍👧 " + "x" * 20000
JINJA = "{{ 7*7 }} {% for x in range(3) %}XSS{% endfor %} {{ site.title }}"

INERT: list[Inert] = [
    Inert("script-in-every-plain-field", {
        SITE: Replace("title: Test explainer", f'title: "Test {XSS}"'),
        FACTS: Replace("claim: SBU commandos captured at least 102 Russian soldiers on a Wednesday.",
                       f'claim: "{XSS} SBU commandos captured at least 102 Russian soldiers on a Wednesday."'),
        GLOSSARY: Replace("term: SBU", f'term: "SBU {XSS}"'),
        "content/comparisons.yaml": Replace("title: Captures over time", f'title: "Captures {XSS}"'),
        SOURCES: Replace("author: null", 'author: "\\"><img src=x onerror=alert(\'XSS\')>"'),
    }, shown=(f"Test {XSS}", f"SBU {XSS}", f"Captures {XSS}", "\"><img src=x onerror=alert('XSS')>"),
        absent=(XSS,)),
    Inert("markup-in-markdown-summary", {EXTRA: _extra(
        "Hello <script>alert('XSS')</script> world. [[sbu-102]]\n\n"  # every paragraph cites: a rule
        "<iframe src=\"https://evil.example/XSS\"></iframe> [[sbu-102]]\n\n"
        "<style>body { background: url(javascript:XSS) }</style> [[sbu-102]]\n\n"
        "<p onclick=\"alert('XSS')\" onmouseover=\"XSS\">Click</p> [[sbu-102]]\n\n"
        "<img src=x onerror=\"alert('XSS')\"> <svg onload=alert('XSS')></svg> [[sbu-102]]\n\n"
        "<a href=\"javascript:alert('XSS')\">raw link</a> "
        "[md link](javascript:alert('XSS')) [data](data:text/html,XSS) [vb](vbscript:XSS) "
        "[spaced](  JaVaScRiPt:alert('XSS')) <a href=\"jav&#x09;ascript:alert('XSS')\">entity</a> [[sbu-102]]\n"
    )}, shown=("Hello", "world.", "Click", "md link", "raw link"),
        absent=("<script", "<iframe", "<style", "<img", "<svg", "javascript:", "vbscript:")),
    Inert("markup-in-inline-markdown", {
        "content/timeline.yaml": Replace(
            "text: The General Staff gave its **total**.",
            "text: \"Total <b onclick=alert('XSS')>bold</b> [x](javascript:alert('XSS'))\""),
        GLOSSARY: Replace("definition: Ukraine's security service, as named in the article.",
                          "definition: \"Service <iframe src=//evil.example/XSS></iframe><script>XSS</script>\""),
    }, shown=("Total", "bold", "Service"), absent=("<b onclick", "javascript:", "<iframe", "<script")),
    Inert("jinja-syntax-in-content", {
        SITE: Replace("description: A small explainer used by the tests.", f'description: "{JINJA}"'),
        FACTS: Replace("attribution: the SBU", f'attribution: "{JINJA}"'),
        "content/timeline.yaml": Replace("title: SBU captures", f'title: "{JINJA}"'),
        EXTRA: _extra(f"{JINJA} [[sbu-102]]\n"),
    }, shown=(JINJA,), absent=("49",), markers=("XSSXSS",)),
    Inert("hostile-quote-really-in-its-source", {
        FACTS: Replace(QUOTE_102, f"quote: \"{XSS} and {{{{ 7*7 }}}} 102\""),  # 102: the claim's number
    }, shown=(f"“{XSS} and {{{{ 7*7 }}}} 102”",), absent=(XSS, "49"), extra_seed=f"\n{XSS} and {{{{ 7*7 }}}} 102\n"),
    Inert("attribute-breaking-url", {
        SOURCES: Replace("url: https://example.org/a", "url: 'https://example.org/a?q=\"onmouseover=\"alert(1)'"),
    }, shown=('https://example.org/a?q="onmouseover="alert(1)',), markers=("XSS-none",)),
    Inert("citation-inside-a-link-address", {
        EXTRA: _extra("[link](https://example.org/[[sbu-102]]) and `[[swap-sizes]]` [[sbu-102]]\n"),
    }, shown=("link",)),
    # --- issue 16: hostile input that used to hang, crash, forge or mislead --------------------------
    Inert("thousands-of-stray-brackets", {EXTRA: _extra("![" * 8000 + " [[sbu-102]]\n")}, shown=("![" * 8000,)),
    Inert("private-use-characters", {EXTRA: _extra("Icons \ue000 0\ue001 and \ue0005\ue001 kept.[[sbu-102]]\n")},
          shown=("Icons \ue000 0\ue001 and \ue0005\ue001 kept.",)),
    Inert("bidi-override-in-a-field", {FACTS: Replace("attribution: the SBU", 'attribution: "the \u202eSBU"')},
          shown=("According to the \u202eSBU",)),
    Inert("citation-inside-link-text", {EXTRA: _extra("[see [[sbu-102]]](https://example.org/x) more\n")},
          shown=("see",)),
    Inert("spaced-citation", {EXTRA: _extra("Spaced [[ sbu-102 ]] cite.\n")}, shown=("Spaced",)),
    Inert("cyrillic-summary-names", {
        "content/summaries/02-событие.md": _extra("Один.[[sbu-102]]\n", "title: Событие\norder: 2\n"),
        "content/summaries/03-обмен.md": _extra("Два.[[swap-sizes]]\n", "title: Обмен\norder: 3\n"),
    }, shown=("Событие", "Обмен")),
    Inert("quote-in-nfd-archive-in-nfc", {FACTS: Replace(QUOTE_102, 'quote: "Cafe\u0301 au lait, 102"')},
          shown=("Cafe\u0301 au lait, 102",), extra_seed="\nCafé au lait, 102\n"),
    Inert("archive-with-byte-order-mark", {"seeds/a.txt": b"\xef\xbb\xbf" + SEED.encode("utf-8")},
          shown=("its commandos captured no fewer than 102 Russian conscripts",)),
    Inert("formula-in-csv-fields", {  # live formulas, were facts.csv opened in a spreadsheet as written
        FACTS: Replace("  claim: Swaps exchanged between 50 and 95 soldiers.\n  attribution: the Test Gazette",
                       "  claim: '=HYPERLINK(\"https://evil.example/XSS\", \"Swaps\")'\n"
                       "  attribution: \"@SUM(1+1)*cmd|' /C calc'!A0\""),
    }, shown=('=HYPERLINK("https://evil.example/XSS", "Swaps")', "@SUM(1+1)*cmd|' /C calc'!A0"),
        csv_cells=('=HYPERLINK("https://evil.example/XSS", "Swaps")', "@SUM(1+1)*cmd|' /C calc'!A0")),
    Inert("bidi-emoji-and-long-text", {
        FACTS: Replace("claim: Swaps exchanged between 50 and 95 soldiers.", f'claim: "{MIXED}"'),
    }, shown=(MIXED,)),
]

assert len(ERRORS) >= 40, len(ERRORS)
assert len({c.id for c in ERRORS} | {c.id for c in INERT}) == len(ERRORS) + len(INERT), "duplicate case ids"
__all__ = ["ERRORS", "INERT", "SIDE_EFFECT", "Case", "Inert", "Replace", "apply", "expected", "reseal"]
