"""Stage 1: read every content file into position-aware documents, reporting unreadable ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problems
from .halves import load_list
from .schema import CONTENT_FILES, ListOf
from .textfiles import BIDI_HINT, MAX_FILE_BYTES, bidi_control, forbidden_char, read_text
from .yamlsafe import Doc, load_yaml

if TYPE_CHECKING:
    from .file_memo import FileMemo

LIST_FILES = frozenset(rel for rel, (type_, _required) in CONTENT_FILES.items() if isinstance(type_, ListOf))
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
_OPENED = re.compile(r"---[ \t]*(?:\n|\Z)")  # front matter's first line, at the file's start


@dataclass
class SummaryFile:
    """A summary file as read: its front matter and its Markdown body."""

    path: Path
    meta: Doc | None
    body: str
    body_line: int


@dataclass
class Loaded:
    """Every content file as read, before validation."""

    docs: dict[str, Doc]
    summaries: list[SummaryFile]


def load_project(root: Path, problems: Problems, memo: FileMemo | None = None) -> Loaded:
    """Read site.yaml, the content YAML files and the summaries; a missing optional file is fine.

    With ``memo`` (incremental.py), a file whose bytes are unchanged since the last build is not parsed again.
    """
    docs: dict[str, Doc] = {}
    for rel, (_type, required) in CONTENT_FILES.items():
        path = root / rel
        if not path.exists():
            if required:
                problems.error(path, 1, 1, f"{rel} is missing", f"create {rel}; see docs/content-model.md")
            continue
        if _too_big(path, problems):
            continue
        if memo is None:
            doc = load_list(path, problems) if rel in LIST_FILES else load_yaml(path, problems)
        elif rel in LIST_FILES:  # read entry by entry
            doc = memo.load_list(path, problems)
        else:
            doc = memo.load(path, problems, partial(load_yaml, path))
        if doc is None:
            continue
        if doc.data is None:
            problems.error(path, 1, 1, "the file is empty", "add the content, or write [] for an empty list"
                           if rel in LIST_FILES else "write the explainer's settings (title, description, "
                           "language, base_url, updated: see docs/content-model.md), or run `explainer init` "
                           "in a new folder for a complete example")
            continue
        docs[rel] = doc
    return Loaded(docs, load_summaries(root / "content" / "summaries", problems, memo))


def _too_big(path: Path, problems: Problems) -> bool:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        mb = 1024 * 1024
        problems.error(path, 1, 1, f"the file is {size // mb} MB, over the {MAX_FILE_BYTES // mb} MB limit",
                       "split the content or check that the right file was saved here")
        return True
    return False


def load_summaries(folder: Path, problems: Problems, memo: FileMemo | None = None) -> list[SummaryFile]:
    """Each summary is Markdown with YAML front matter between two '---' lines."""
    summaries = []
    if not folder.is_dir():
        problems.error(folder, 1, 1, "content/summaries/ is missing", "create it with at least one .md summary")
        return summaries
    _warn_other_markdown(folder, problems)
    for path in sorted(folder.glob("*.md")):
        if _too_big(path, problems):
            continue
        summary = memo.load(path, problems, partial(_load_summary, path)) if memo else _load_summary(path, problems)
        if summary is not None:
            summaries.append(summary)
    if not summaries and not problems.errors:
        problems.error(folder, 1, 1, "there are no summaries", "add a Markdown file such as 01-what-happened.md")
    return summaries


# Names a Markdown file may have that the build does not read as a summary (it reads `*.md` only).
OTHER_MARKDOWN = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")


def _warn_other_markdown(folder: Path, problems: Problems) -> None:
    """A summary named `07-extra.MD` or `08-extra.markdown` is not read: say so, not leave it off the page unsaid."""
    for path in sorted(folder.iterdir()):
        if path.suffix != ".md" and path.suffix.lower() in OTHER_MARKDOWN and not path.name.startswith("."):
            problems.warning(path, 1, 1, f"{path.name} is not read: only files ending in .md are summaries",
                             f"rename it to {path.stem}.md to publish it")


def _load_summary(path: Path, problems: Problems, text: str | None = None) -> SummaryFile | None:
    """A summary from its file, or from its text already read (the preview's FileMemo)."""
    if text is None:
        text = read_text(path, problems)
    if text is None:
        return None
    text = text.replace("\r\n", "\n")
    bad = forbidden_char(text)
    if bad is not None:
        problems.error(path, bad[0], bad[1], f"the text contains the invisible control character {bad[2]}",
                       "delete it: such characters come with text pasted from elsewhere and break the page")
        return None
    match = _FRONT_MATTER.match(text)
    if not match and _OPENED.match(text):  # it starts with '---': the closing line is what is missing
        problems.error(path, 1, 1, "the front matter has no closing '---' line",
                       "end the front matter (its 'title:' and 'order:') with a line of '---', before the text")
        return None
    if not match:
        problems.error(path, 1, 1, "the summary has no front matter",
                       "start the file with '---', then 'title:' and 'order:', then '---'")
        return None
    meta = load_yaml(path, problems, text=match.group(1) or "", line_offset=1)
    body_line = text[: match.end()].count("\n") + 1
    bidi = bidi_control(text[match.end():])  # the front matter's own values were checked as YAML
    if bidi is not None:
        problems.warning(path, body_line + bidi[0] - 1, bidi[1],
                         f"the text contains the bidirectional control character {bidi[2]}", BIDI_HINT)
    return SummaryFile(path, meta, text[match.end():], body_line)
