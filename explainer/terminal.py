"""What the command line prints: problems (coloured on a terminal only) and one-line summaries.

Colour helps an editor find the errors in a long report, but escape codes are noise in a log file,
a CI page or a pipe, so they are used only when the stream is a terminal, never when NO_COLOR is
set (https://no-color.org/) and never for TERM=dumb.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TextIO

RESET = "\033[0m"
STYLES = {"error": "\033[1;31m", "warning": "\033[1;33m", "hint": "\033[36m", "ok": "\033[32m",
          "failed": "\033[1;31m", "path": "\033[1m"}
_PROBLEM = re.compile(r"^(?P<path>[^\n]*?:\d+:\d+:) (?P<severity>error|warning):")


def use_colour(stream: TextIO) -> bool:
    """Colour only for a person at a terminal that can show it."""
    if os.environ.get("NO_COLOR", "") != "":
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, colour: bool) -> str:
    return f"{STYLES[style]}{text}{RESET}" if colour else text


def format_problem(text: str, colour: bool) -> str:
    """Colour a formatted problem (`path:line:col: error: message` + `hint:` line) for a terminal."""
    if not colour:
        return text
    first, sep, rest = text.partition("\n")
    match = _PROBLEM.match(first)
    if match:
        severity = match["severity"]
        first = (paint(match["path"], "path", True) + " " + paint(severity + ":", severity, True)
                 + first[match.end():])
    rest = re.sub(r"^(\s*)(hint:)", lambda m: m[1] + paint(m[2], "hint", True), rest, flags=re.MULTILINE)
    return first + sep + rest


def build_summary(output: str, pages: int, facts: int, sources: int, events: int, warnings: int,
                  seconds: float, colour: bool = False) -> str:
    """The one line after every build: what was written and how long it took."""
    text = (f"built {output} in {seconds:.2f} s: {pages} page(s), {facts} facts, {sources} sources, "
            f"{events} events, {warnings} warning(s)")
    return paint(text, "warning" if warnings else "ok", colour)


def failure_summary(errors: int, warnings: int, colour: bool = False) -> str:
    """The one line after a failed build: how many problems, and that nothing was written."""
    text = f"build failed: {errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")
    return paint(text + "; nothing was written", "failed", colour)


def display(path: Path, folder: bool = False) -> str:
    """A path as the editor typed it: relative to the working directory when it is inside it."""
    try:
        text = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        text = str(path)
    return text + "/" if folder else text


def counts(problems: list) -> str:
    """"2 error(s), 1 warning(s)": how a failed build sums up its problems."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error(s)" + (f", {warnings} warning(s)" if warnings else "")


def github_annotation(problem) -> str:
    """`::error file=…,line=…,col=…::message` for GitHub Actions, which shows it on the changed line.

    The hint goes on a second line of the annotation (%0A); properties and message are escaped as
    GitHub's workflow commands require.
    """
    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    message = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
    return (f"::{problem.severity} file={prop(problem.path)},line={problem.line},col={problem.column}::"
            f"{data(message)}")


def printable(text: str) -> str:
    """``text`` safe for any terminal or page: a file name that is not UTF-8 (which Python holds as
    lone surrogates) shows as ``\\xff`` instead of stopping the report with an encoding error."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an undecodable byte
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.encode(encoding, "backslashreplace").decode(encoding)


def to_stdout(text: str) -> None:
    print(printable(text), flush=True)


def to_stderr(text: str) -> None:
    print(printable(text), file=sys.stderr, flush=True)


def one_line(exc: BaseException) -> str:
    """An exception as one line; an exception group as its first leaf (watchfiles raises groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text}"


def described(changed: set[str]) -> str:
    """The preview's " after N change(s): …" for a rebuild, or nothing for the first build."""
    return f" after {len(changed)} change(s): {changed_names(changed)}" if changed else ""


def changed_names(changed: set[str]) -> str:
    """The changed files as the terminal shows them: the first three by name, then how many more."""
    names = sorted(changed)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
