"""Safe YAML loading that remembers where every value came from.

PyYAML's constructors throw the positions away and silently keep the last of two duplicate keys,
so we read the parser's events (from libyaml's C parser when present) and build plain Python values
ourselves (yaml_builder.py), recording each value's line and column. Only the plain YAML types are
built: any tag that would build a Python object is refused, and anchors/aliases are refused too
(they serve no purpose in content and are the vehicle of "billion laughs" bombs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems
from .textfiles import forbidden_char, read_text
from .yaml_builder import ABORT_DEPTH, MAX_DEPTH, TOO_DEEP, Builder, KeyPath, Mark, NeedsMarks, TooDeep, parse


@dataclass
class Doc:
    """A loaded YAML document: plain data plus the position of each value and key.

    A document is first read *lean*: only the positions of mappings and lists (facts, citations,
    events: what later stages point at) are kept. The position of a single value or key is needed
    only to report an error in it, so the first time one is asked for, the text is parsed again
    with every position kept. At 50k facts this saves a third of the load time and ~240 MB.
    """

    path: Path
    data: Any
    marks: dict[KeyPath, Mark] = field(default_factory=dict)
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    line_offset: int = 0
    text: str | None = None  # kept while lean, to recover every position on demand
    refused: set[Mark] = field(default_factory=set)  # where the loader already reported a value

    def mark(self, keypath: KeyPath, key: bool = False) -> Mark:
        """Position of a value (or of its key), falling back to the nearest enclosing value."""
        if self.text is not None and (keypath not in self.marks or key):
            self.complete()
        if key and keypath in self.key_marks:
            return self.key_marks[keypath]
        while keypath not in self.marks and keypath:
            keypath = keypath[:-1]
        return self.marks.get(keypath, (1 + self.line_offset, 1))

    def complete(self) -> None:
        """Parse the text again, keeping the position of every value and key."""
        text, self.text = self.text, None
        if text is None:
            return
        full = Doc(self.path, None, line_offset=self.line_offset)
        parse(Builder(full, text), text)
        self.marks, self.key_marks = full.marks, full.key_marks


def load_yaml(path: Path, problems: Problems, text: str | None = None, line_offset: int = 0) -> Doc | None:
    """Parse one YAML document; syntax errors and unsafe constructs go to ``problems``."""
    if text is None:
        text = read_text(path, problems)
        if text is None:
            return None
    doc = Doc(path, None, line_offset=line_offset, text=text)
    try:
        try:
            builder = Builder(doc, text, lean=True)
            doc.data = parse(builder, text)
        except NeedsMarks:  # a duplicate key: its message names the first one's line
            doc = Doc(path, None, line_offset=line_offset)
            builder = Builder(doc, text)
            doc.data = parse(builder, text)
    except TooDeep as exc:  # reported where it first went too deep; the rest is never read
        first = [(e[0], e[1]) for e in builder.errors if e[2] == TOO_DEEP] or [builder._pos(exc.args[0])]
        problems.error(path, *first[0], TOO_DEEP,
                       "flatten the structure; the file was not read past this point "
                       f"(it nests {ABORT_DEPTH} levels deep, which would stall the build)")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = (exc.problem or exc.context or "invalid YAML").strip()
        lines = text.splitlines()
        offending = lines[line - 1][column - 1 : column] if mark and line <= len(lines) else ""
        problems.error(path, line + line_offset, column, f"invalid YAML: {message}", _yaml_hint(message, offending))
        return None
    except yaml.reader.ReaderError as exc:  # a raw control character: the reader stops before any parsing
        bad = forbidden_char(text)  # libyaml refuses only characters that FORBIDDEN holds: this finds it
        line, column, name = bad or (1, 1, f"U+{exc.character:04X}")  # pragma: no mutate (a fallback never taken)
        problems.error(path, line + line_offset, column, f"the text contains the invisible control character {name}",
                       "delete it: such characters come with text pasted from elsewhere and break the page")
        return None
    except yaml.YAMLError as exc:
        problems.error(path, 1 + line_offset, 1, f"invalid YAML: {exc}", "check the file's YAML syntax")
        return None
    builder.report_aliases()
    for line, column, message, hint in builder.errors:  # only once the whole file parsed, as before
        problems.error(path, line, column, message, hint)
    for line, column, message, hint in builder.warnings:
        problems.warning(path, line, column, message, hint)
    for line, column, key in cut_prose(text):
        problems.warning(path, line + line_offset, column,
                         f"the text of '{key}' stops at ' #': YAML reads the rest of the line as a comment",
                         f"put the whole text in quotes to keep it ({key}: \"… #1 …\"), or remove the '#'")
    return doc


# Prose fields, whose text a ' #' would silently cut. A comment after an id, a date, a flag or a
# short name (a label, an attribution: `attribution: the city council  # who makes the claim`, as
# the starter writes) is the editor's own note and is left alone.
PROSE_KEYS = ("claim", "text", "definition", "title", "date_note", "facts_date_note", "description", "term",
              "note", "reasoning", "quote")
_CUT_PROSE = re.compile(r"[ \t]*(?:-[ \t]+)?(" + "|".join(PROSE_KEYS) + r")[ \t]*:[ \t]+"
                        r"[^\s'\"|>#&*!%@`\[{][^\n]*?[ \t](#)")


def cut_prose(text: str) -> list[tuple[int, int, str]]:
    """(line, column of the '#', key) of each prose field written as plain text with a comment after it.

    A plain value ends where ' #' starts a comment: `claim: The General Staff #1 said …` publishes
    "The General Staff". Looked for line by line, only on lines holding ' #' (one search in C first).
    """
    found: list[tuple[int, int, str]] = []
    line, counted = 1, 0  # lines counted up to `counted`: linear in the text, however many comments
    at = text.find(" #")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        match = _CUT_PROSE.match(text, start, end)
        if match is not None:
            line += text.count("\n", counted, start)
            counted = start
            found.append((line, match.start(2) - start + 1, match.group(1)))
        at = text.find(" #", end)
    return found

def _yaml_hint(message: str, offending: str) -> str:
    if offending == "\t" or "'\\t'" in message:
        return "indent with spaces, never tabs"
    if "expected <block end>" in message or "mapping values are not allowed" in message:
        return "check the indentation of this line and the one before; put text containing ': ' in quotes"
    if "did not find expected" in message:  # libyaml's words for a bad indent or a quote left open above
        return "check the indentation here and above, and that every quote opened before this line is closed"
    if "found unexpected end of stream" in message or "while scanning a quoted scalar" in message:
        return "a quoted string is not closed: add the closing quote"
    if "but found another document" in message:
        return "a content file holds one YAML document: remove the extra '---'"
    return "check the YAML syntax at this position"


__all__ = ["MAX_DEPTH", "Doc", "KeyPath", "Mark", "load_yaml"]
