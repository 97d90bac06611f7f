"""Text held out of Python-Markdown's way, so hostile Markdown costs linear time and forges nothing.

Python-Markdown's inline parser takes time in the square of what it meets within one paragraph;
these helpers hold citation runs and stray markup characters out of its way as placeholders, and
refuse the rare paragraph whose well-formed markup alone would take too long.
"""

from __future__ import annotations

import re

# What the sanitiser (nh3, markdown_render.py) keeps; validate.py warns of the rest without loading the renderer.
ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br", "abbr", "q", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_SCHEMES = {"http", "https"}

# Placeholders, held out of Markdown's way: noncharacters, which the loader refuses in every content
# file, so no text can forge one (a private-use character could: it crashed the build or made a
# citation the editor never wrote). Any that reach here anyway are replaced first.
HOLD, HOLD_END = "\ufdd0", "\ufdd1"  # around a held citation run's number
HELD = re.compile(HOLD + r"(\d+)" + HOLD_END)
_STRAY = {"[": "\ufdd2", "]": "\ufdd3", "<": "\ufdd4"}  # markup characters that open nothing
UNSTRAY = {"\ufdd2": "[", "\ufdd3": "]", "\ufdd4": "&lt;"}
RESERVED = re.compile("[\ufdd0-\ufdd4]")
HELD_STRAY = re.compile("[\ufdd2-\ufdd4]")

# Python-Markdown searches ahead from every '[' and '<' for what could close it, so thousands of
# unmatched ones take time in the square of their number (8,000 '![' took 14 s). Above this many in
# one text, each one that opens no well-formed link, tag, autolink or code span is held out of its
# way (it would have been shown as written anyway) and put back once the HTML is made.
STRAY_MARKUP_LIMIT = 100
_MARKUP = re.compile(r"""
    !?\[[^\[\]\n]*\](?:\([^()\s]*(?:\s+"[^"\n]*")?\)|\[[^\[\]\n]*\]|(?![(\[]))  # a link or image
  | <(?:/?[A-Za-z][^<>\n]*|https?://[^<>\s]*)>  # a tag or an autolink
  | `[^`\n]*`  # a code span, kept as written
  | [\[\]<]  # a stray: held
""", re.X)
# Even well-formed inline markup costs Python-Markdown time in the square of its count within one
# paragraph (16,000 links in one: 2 s; 16,000 <em>: 5 s), so a paragraph may hold this many marks.
MAX_MARKS = 1000
MARKS = "[<`*_&\\"
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])")  # a blank line or a list item


def hold_stray_markup(text: str) -> str:
    """Swap the brackets and '<' that open nothing for placeholders, in one linear pass."""
    return _MARKUP.sub(lambda m: _STRAY.get(m.group(0), m.group(0)), text)


def busiest_paragraph(text: str) -> tuple[int, int]:
    """The most marks in one paragraph (or list item) and the line (from 0) where it starts."""
    most, where, line, start = 0, 0, 0, 0
    for brk in (*_BLOCK_BREAK.finditer(text), None):
        end = brk.start() if brk else len(text)
        marks = sum(text.count(c, start, end) for c in MARKS)
        if marks > most:
            most, where = marks, line
        if brk:
            line += text.count("\n", start, brk.end())
            start = brk.end()
    return most, where


class MarkdownRefused(Exception):
    """Markdown that would take Python-Markdown too long (or too deep) to render, with where and why."""

    def __init__(self, text: str, message: str, hint: str, line: int = 0):
        super().__init__(message)
        self.text, self.hint, self.line = text, hint, line


class MarkdownTooDeep(MarkdownRefused):
    """Python-Markdown recursed too far (lists nested hundreds of levels deep)."""

    def __init__(self, text: str):
        super().__init__(text, "the Markdown is nested too deeply to render",
                         "nest lists and quotes a few levels at most")
