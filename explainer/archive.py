"""`explainer archive FILE --id ID`: add a source from a saved text or web page.

The archived text is what every quote is checked against, so it is written once and never
rewritten: the command refuses an existing file or id. A plain-text file is copied byte for byte;
a saved `.html` page is reduced to its article text (see `extract_html`). The source entry is
appended to content/sources.yaml as text, like `explainer new`, so the file's comments and order
stay as they were; it records the archive's sha256 and the day it was taken, takes the title,
publisher, author, date and address from the page's own metadata when it has them, and leaves
everything else null (or a TODO the build refuses) for the editor to fill in from the source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .errors import UsageError
from .jsonschema import header_line
from .schema import SLUG

SOURCES = "content/sources.yaml"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
# Never text of the article: code, navigation, page furniture, forms, embedded media.
SKIP = frozenset({"script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer", "aside",
                  "form", "button", "select", "iframe", "object", "canvas", "dialog"})
# Elements that end a paragraph.
BLOCKS = frozenset({"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
                    "blockquote", "pre", "figure", "figcaption", "table", "tr", "td", "th", "dl", "dt", "dd",
                    "hr", "address", "details", "summary", "body"})
VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed",
                  "track", "param"})


@dataclass
class Page:
    """What a saved page gives: its article text and the metadata it declares about itself."""

    text: str
    meta: dict[str, str]


@dataclass
class Archived:
    """Where the text and the entry went, for the lines the command prints."""

    archive: Path
    sources: Path
    line: int
    sha256: str
    filled: list[str]  # fields taken from the page's metadata


class _Extractor(HTMLParser):
    """Paragraphs of text, each marked with whether it lies inside <article> or <main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, bool, bool]] = []
        self.meta: dict[str, str] = {}
        self._words: list[str] = []
        self._stack: list[str] = []
        self._skip = 0
        self._article = 0
        self._main = 0
        self._title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key and a.get("content") and key not in self.meta:
                self.meta[key] = a["content"].strip()
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower().split() and a.get("href"):
            self.meta.setdefault("canonical", a["href"].strip())
            return
        if tag == "title" and self._title is None:
            self._title = []
            self._stack.append(tag)
            return
        if tag in VOID:
            if tag == "br" and not self._skip:
                self._words.append(" ")  # a line break inside a paragraph: the paragraph goes on
            elif tag in BLOCKS:
                self._flush()
            return
        self._stack.append(tag)
        if tag in SKIP:
            self._skip += 1
        elif tag in BLOCKS:
            self._flush()
        self._article += tag == "article"
        self._main += tag == "main"

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return  # a stray end tag: ignore it, as browsers do
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag == "title" and self._title is not None and "title" not in self.meta:
                self.meta["title"] = " ".join("".join(self._title).split())
            if open_tag in SKIP:
                self._skip -= 1
            elif open_tag in BLOCKS:
                self._flush()
            self._article -= open_tag == "article"
            self._main -= open_tag == "main"
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "title" and self._title is not None:
            self._title.append(data)
        elif not self._skip:
            self._words.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._words).split())
        self._words = []
        if text:
            self.paragraphs.append((text, self._article > 0, self._main > 0))

    def close(self) -> None:
        super().close()
        self._flush()


def extract_html(html: str) -> Page:
    """The article's text from a saved page: one paragraph per line, blank lines between.

    Takes the text inside <article> when the page has one, else inside <main>, else the whole
    body; leaves out scripts, styles, navigation, headers, footers, asides and forms. Python's own
    html.parser is enough for this and adds no dependency (a full extractor such as trafilatura
    pulls in lxml and a dozen packages for guesses we would then have to check by hand anyway).
    """
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    paragraphs = parser.paragraphs
    for inside in (1, 2):  # <article>, then <main>
        chosen = [p for p in paragraphs if p[inside]]
        if chosen:
            paragraphs = chosen
            break
    return Page("\n\n".join(p[0] for p in paragraphs) + "\n" if paragraphs else "", parser.meta)


def _decode_html(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        match = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
        try:
            return raw.decode(match.group(1).decode("ascii") if match else "cp1252", errors="replace")
        except LookupError:
            return raw.decode("cp1252", errors="replace")


def _plain_text(path: Path, raw: bytes) -> str:
    """A plain-text archive must be what the build reads: UTF-8 without a byte-order mark."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                         "save it as UTF-8 first") from None
    if text.startswith("\ufeff"):
        raise UsageError(f"{path} starts with a byte-order mark; save it as UTF-8 without one")
    return text


def archive(root: Path, file: Path, source_id: str, retrieved: str | None = None,
            today: dt.date | None = None) -> Archived:
    """Copy (or extract) FILE into seeds/ID.txt and append its source entry; never overwrite."""
    if not SLUG.match(source_id):
        raise UsageError(f"'{source_id}' is not a valid id: use lowercase words joined by hyphens, "
                         "e.g. kyiv-independent-2025-05-26")
    if retrieved is not None:
        try:
            dt.date.fromisoformat(retrieved)
        except ValueError:
            raise UsageError(f"--retrieved must be a day written YYYY-MM-DD, got '{retrieved}'") from None
    sources = root / SOURCES
    existing = sources.read_text(encoding="utf-8") if sources.exists() else ""
    if re.search(rf"^[ \t]*-?[ \t]*id:[ \t]*[\"']?{re.escape(source_id)}[\"']?[ \t]*(?:#.*)?$", existing, re.M):
        raise UsageError(f"a source with the id '{source_id}' is already in {SOURCES}; choose another id")
    if not file.is_file():
        raise UsageError(f"{file} is not a file")
    raw = file.read_bytes()
    meta: dict[str, str] = {}
    if file.suffix.lower() in HTML_SUFFIXES:
        page = extract_html(_decode_html(raw))
        if not page.text.strip():
            raise UsageError(f"found no article text in {file}; save the article's text as a .txt file instead")
        text, meta = page.text, page.meta
    else:
        text = _plain_text(file, raw)
        if not text.strip():
            raise UsageError(f"{file} is empty")
    target = root / "seeds" / f"{source_id}.txt"
    _write_new(target, text.encode("utf-8"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    day = retrieved or (today or dt.date.today()).isoformat()
    entry, filled = _entry(source_id, digest, day, file.name, meta)
    try:
        line = _append(root, existing, entry)
    except BaseException:
        # All or nothing: an archive without its entry would refuse the same command run again
        # ("already exists in seeds/") once sources.yaml can be written. The file is the one just made.
        target.unlink()
        raise
    return Archived(target, sources, line, digest, filled)


def _write_new(target: Path, data: bytes) -> None:
    """Write the archive under its name only if nothing has that name: never rewrite an archive."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target.name} already exists in seeds/; archived texts are never rewritten "
                         "(choose another --id, or remove the file yourself if it is not an archive)")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    try:
        os.link(temporary, target)  # fails if the name was taken meanwhile: nothing is overwritten
    except FileExistsError:
        raise UsageError(f"{target.name} already exists in seeds/; archived texts are never rewritten") from None
    finally:
        temporary.unlink()


def _entry(source_id: str, digest: str, day: str, name: str, meta: dict[str, str]) -> tuple[str, list[str]]:
    """The entry's lines: what the page declares about itself, else null (or TODO) with a comment."""
    found = {
        "title": meta.get("og:title") or meta.get("title"),
        "publisher": meta.get("og:site_name"),
        "author": next((v for k in ("author", "article:author") if (v := meta.get(k)) and "://" not in v), None),
        "published": _day(meta.get("article:published_time") or meta.get("date")),
        "url": next((v for k in ("og:url", "canonical") if (v := meta.get(k)) and
                     re.match(r"https?://\S+$", v)), None),
    }
    todo = {
        "title": "# TODO: the headline as the source gives it",
        "publisher": "# TODO: who published it, if the source says; else leave null",
        "author": "# TODO: who wrote it, if the source says; else leave null",
        "published": "# TODO: YYYY, YYYY-MM or YYYY-MM-DD, at the precision the source gives; else leave null",
        "url": "# TODO: https://… where it was published; else leave null",
    }
    lines = [f"# Archived by `explainer archive` from {name}: check every field against the source.",
             f"- id: {source_id}"]
    filled = []
    for key in ("title", "publisher", "author", "published", "url"):
        value = found[key]
        if value:
            filled.append(key)
            lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}  # from the page's own metadata; check it")
        elif key == "title":
            lines.append(f'  title: "TODO: the source\'s headline, as published"  {todo[key]}')
        else:
            lines.append(f"  {key}: null  {todo[key]}")
    lines += [
        f'  retrieved: "{day}"',
        f"  archive: {source_id}.txt",
        "  label: \"TODO: how readers are told of it ('as reported by …'), e.g. the Kyiv Independent\"",
        f"  sha256: {digest}  # of seeds/{source_id}.txt: the text the quotes are checked against",
        "  context: sentence  # how much of its text a quote shows when opened: sentence, paragraph or none",
    ]
    return "\n".join(lines) + "\n", filled


def _day(value: str | None) -> str | None:
    match = re.match(r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2})", value or "")
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def _append(root: Path, existing: str, entry: str) -> int:
    """Append the entry at the end of sources.yaml as text; return the line of its `- id:`."""
    from .scaffold import _prepare  # the same end-of-file handling as `explainer new`

    path = root / SOURCES
    text, indent = _prepare(existing if existing else header_line(root, SOURCES) + "\n")
    entry = "".join(indent + line if line.strip() else line for line in entry.splitlines(keepends=True))
    block = ("\n" if text.strip() and not text.endswith("\n\n") else "") + entry
    line = (text + block).count("\n", 0, len(text) + block.index("- id:")) + 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + block, encoding="utf-8")
    return line
