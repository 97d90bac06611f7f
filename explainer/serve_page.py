"""The preview's own pages: the error page shown while the last build failed, and "not found".

Each problem is shown with the lines around it, read lazily: only as far into the file as the
problem's window, never more than ``MAX_SCAN_BYTES``, each line cut at ``MAX_LINE_CHARS``. So a
1 GB archive (refused by the build at line 1) costs a few kilobytes of page, not a copy of it.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .errors import ContentError
from .terminal import printable

CONTEXT_LINES = 3
MAX_EXCERPTS = 20  # problems shown with their lines; the rest are listed one per line...
MAX_LISTED = 200  # ...up to this many; the terminal has them all
MAX_LINE_CHARS = 500  # a longer line is cut, with "…" at the end
MAX_SCAN_BYTES = 8 * 1024 * 1024  # how far into a file the page looks for a problem's lines
_CHUNK = 64 * 1024
_CUT = "…"


@dataclass
class Line:
    """A line of a file shown on the preview's error page."""

    number: int
    text: str
    marked: bool


@dataclass
class ShownProblem:
    """A problem as the error page shows it: the message plus the lines around it."""

    problem: ContentError
    lines: list[Line]
    caret: int  # 0-based column for the ^ under the marked line; -1 for none


@dataclass
class Failure:
    """Why the last build failed: content problems, or one message (usage, disk, internal)."""

    problems: list[ContentError] = field(default_factory=list)
    message: str = ""
    changed: set[str] = field(default_factory=set)  # files saved just before the build
    page: bytes = b""  # the error page, rendered once when the build failed

    def ordered(self) -> list[ContentError]:
        """The files just saved first (one broken line there can cascade into many errors
        elsewhere, e.g. every reference to the facts of a facts.yaml that no longer parses),
        then errors before warnings."""
        return sorted(self.problems, key=lambda p: (p.path not in self.changed, p.severity != "error", p.sort_key))

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems) or 1

    def key(self) -> str:
        return self.message + "\n".join(p.format() for p in self.problems)


@functools.cache
def page_templates() -> jinja2.Environment:
    """Where the preview's own page template comes from: next to this module, inside the package,
    so a broken project template cannot break the page that reports it."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def error_page(failure: Failure, root: Path) -> bytes:
    """The page shown instead of the site while the last build failed."""
    ordered = failure.ordered()
    shown = [excerpt(p, root) for p in ordered[:MAX_EXCERPTS]]
    more = ordered[MAX_EXCERPTS:MAX_LISTED]
    html = page_templates().get_template("serve_error.html").render(
        title="Build failed", failure=failure, shown=shown, more=more,
        unlisted=max(0, len(ordered) - MAX_LISTED), errors=failure.errors,
        warnings=sum(p.severity == "warning" for p in failure.problems))
    return printable(html).encode("utf-8")


def not_found_page(path: str) -> bytes:
    return page_templates().get_template("serve_error.html").render(
        title="Not found", failure=Failure(message=f"Nothing in the built site at {path}."),
        shown=[], more=[], unlisted=0, errors=0, warnings=0).encode("utf-8")


def excerpt(problem: ContentError, root: Path, context: int = CONTEXT_LINES) -> ShownProblem:
    """The lines around a problem, read from the project (never from outside it)."""
    path = (root / problem.path).resolve()
    if problem.line < 1 or not path.is_relative_to(root.resolve()):
        return ShownProblem(problem, [], -1)
    try:
        window, unfinished = read_lines(path, max(1, problem.line - context), problem.line + context)
    except OSError:
        return ShownProblem(problem, [], -1)
    if problem.line not in window:
        return ShownProblem(problem, [], -1)
    shown = [Line(n, _shown_text(raw, cut=n == unfinished), n == problem.line) for n, raw in sorted(window.items())]
    marked = window[problem.line].decode("utf-8", errors="replace")
    caret = -1
    if 1 <= problem.column <= min(len(marked), MAX_LINE_CHARS) + 1:
        caret = len(_visible(marked[: problem.column - 1]).expandtabs(4))
    return ShownProblem(problem, shown, caret)


def read_lines(path: Path, first: int, last: int, budget: int = MAX_SCAN_BYTES) -> tuple[dict[int, bytes], int]:
    """Lines ``first``..``last`` (1-based, without line ends) of a regular file, each cut to a few
    times ``MAX_LINE_CHARS`` bytes, reading no further than the window and at most ``budget``
    bytes; also the number of the line the budget cut short (0 when none was).

    A FIFO or a device gives no lines: the file is opened non-blocking and checked before any read.
    """
    keep = MAX_LINE_CHARS * 4 + 4  # enough bytes for MAX_LINE_CHARS characters, and to see the line is longer
    lines: dict[int, bytearray] = {}
    number, read, ended = 1, 0, False
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_BINARY", 0))  # each where the system has it (Windows has only O_BINARY)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return {}, 0
        while number <= last and read < budget:
            chunk = os.read(fd, min(_CHUNK, budget - read))
            if not chunk:
                ended = True
                break
            read += len(chunk)
            breaks = chunk.count(b"\n")
            if number + breaks < first:  # the window is further on: count the lines, keep none
                number += breaks
                continue
            for i, piece in enumerate(chunk.split(b"\n")):
                if i:
                    number += 1
                if first <= number <= last:
                    line = lines.setdefault(number, bytearray())
                    line += piece[: max(0, keep - len(line))]
    finally:
        os.close(fd)
    if ended and number in lines and not lines[number]:
        del lines[number]  # the empty "line" after the file's last line end
    unfinished = number if not ended and number in lines and read >= budget else 0
    return {n: bytes(text).rstrip(b"\r") for n, text in lines.items() if n <= last}, unfinished


def _shown_text(raw: bytes, cut: bool) -> str:
    text = _visible(raw.decode("utf-8", errors="replace"))
    if len(text) > MAX_LINE_CHARS or cut:
        text = text[:MAX_LINE_CHARS] + _CUT
    return text.expandtabs(4)


_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F]}


def _visible(text: str) -> str:
    """Control characters (a NUL-filled file, a stray escape) as U+FFFD, one for one, so columns still line up."""
    return text.translate(_CONTROLS)
