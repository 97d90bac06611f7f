"""Reading a file the build can trust as text: a regular file under the size limit, UTF-8 without a
byte-order mark (an archived text in another encoding gets advice to convert it), and where the first
invisible control character or bidirectional control is, by line and column (load.py, yamlsafe.py).

One reader, read_utf8, serves every file: read_text reports what it refuses, and the preview's
quick read of a known archive (verify._quick_read) takes the same rules with fewer system calls.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .errors import Problems

MAX_FILE_BYTES = 64 * 1024 * 1024  # every file the build reads; parsing costs about 35 bytes of memory a byte
# Characters that are invisible, break HTML (the spec calls them parse errors) or cannot be encoded:
# C0/C1 controls except tab and line breaks, DEL, lone surrogates and noncharacters.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)
# Anything that may hide a forbidden character: one itself (in the BMP), any character beyond the
# BMP (where the other noncharacters are), or a double-quoted escape that can make one (\x1b, \e,
# \u0000, \N...). A quick scan: one range class; \" and \\ (common in quotes) do not count.
SUSPECT = re.compile(  # pragma: no mutate (matching everything would only make every file take the slow path)
    r"\\[0abvfeNxuU]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\U00010000-\U0010ffff]")
_ESCAPE = re.compile(r"\\[0abvfeNxuU]")  # SUSPECT's first half: found by its backslash, quickly
_SUSPECT_CHAR = re.compile(SUSPECT.pattern.split("|", 1)[1])  # its second half
_PLAIN_ASCII = bytes([9, 10, 13, *range(32, 127)])  # ASCII that is not a control character
# read_utf8's open: in binary mode (Windows would otherwise translate line ends), and without waiting
# for a writer should a FIFO take the file's place after stat (fstat then refuses it).
_OPEN = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
# A quick read's (read_utf8): only where a link can be refused as the file is opened (not on Windows,
# where every read takes the long way).
_QUICK_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK if hasattr(os, "O_NOFOLLOW") else None
_CHUNK = 64 * 1024  # what read_utf8 reads at a time past the size fstat gave (the first read finds the end)


def may_hide_forbidden(text: str) -> bool:
    """Whether SUSPECT matches somewhere in ``text``, found faster.

    One regular expression with a choice costs 70 ms on a 4 MB facts.yaml (10,000 facts), for a file
    that almost never holds one. Its halves apart cost half as much, and an ASCII text (most content
    written with straight quotes) needs no expression for the characters: its bytes without the plain
    ones are empty (0.3 ms).
    """
    if "\\" in text and _ESCAPE.search(text) is not None:
        return True
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _PLAIN_ASCII))
    return _SUSPECT_CHAR.search(text) is not None


# Bidirectional embeddings, overrides and isolates: legal, but one left open reorders the text after
# it ("4202 tsuguA .c"). The page isolates every field; the editor is warned where one is.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BIDI_NAMES = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING", "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE", "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE", "\u2069": "POP DIRECTIONAL ISOLATE",
}
BIDI_HINT = ("it reorders the text after it; delete it unless the text needs it (the page isolates each field, "
             "so it cannot reach past the field)")


class Unreadable(Exception):
    """A file the build cannot take as text: what read_text reports, where, and what to do about it."""

    def __init__(self, message: str, hint: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.hint, self.line, self.column = message, hint, line, column


def read_text(path: Path, problems: Problems, archive: bool = False) -> str | None:
    """Read a UTF-8 text file, reporting undecodable bytes and byte-order marks by position.

    An ``archive`` (a source's text in seeds/) is a copy of someone else's words: a byte-order mark
    is dropped, and one in another encoding gets advice to convert it, never to edit it.
    """
    try:
        return read_utf8(path, archive)
    except Unreadable as exc:
        problems.error(path, exc.line, exc.column, exc.message, exc.hint)
        return None


def read_utf8(path: Path | str, archive: bool = False, quick: bool = False) -> str:
    """A regular file under the size limit as UTF-8 text without a byte-order mark (an archive's is
    dropped), read with open, fstat, read and close; else Unreadable, saying why (read_text's error).

    A file is looked at first, following links (stat: a FIFO or a device is refused unopened, since
    opening one may wait or act), and read to its end. A ``quick`` read (verify._quick_read: an archive
    the last build read right in seeds/) makes those system calls alone: a link is refused (O_NOFOLLOW,
    as lstat would), a FIFO opens without waiting (O_NONBLOCK) for fstat to refuse it, and a file that
    grew since fstat is refused, for the caller to read the long way.
    """
    return decode_utf8(read_bytes(path, quick), archive)


def read_bytes(path: Path | str, quick: bool = False) -> bytes:
    """read_utf8's bytes, before they are decoded (decode_utf8): the same checks, the same Unreadable.
    The preview reads a content file once, keying what it made of it by these bytes (file_memo.py)."""
    if not quick:
        _check(_looked_at(path))
    elif _QUICK_OPEN is None:
        raise Unreadable("this system cannot open a file refusing a link", "read it the long way")
    try:
        fd = os.open(path, _QUICK_OPEN if quick else _OPEN)  # type: ignore[arg-type]
    except OSError as exc:
        raise _cannot_read(exc) from None
    try:
        info = os.fstat(fd)
        _check(info)
        raw = os.read(fd, info.st_size + 1)
        if not quick:  # to the end, as Path.read_bytes read it: a file that grew, or a short read
            # Joined once: adding each chunk to the bytes read so far copied them all again, 0.7 s for
            # a 20 MB facts.yaml read while its save was still being written.
            parts = [raw]
            while part := os.read(fd, _CHUNK):
                parts.append(part)
            raw = b"".join(parts) if len(parts) > 1 else raw
        elif len(raw) > info.st_size:
            raise Unreadable("the file changed while it was read", "save it again")
    except OSError as exc:
        raise _cannot_read(exc) from None
    finally:
        os.close(fd)
    return raw


def _looked_at(path: Path | str) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as exc:
        raise _cannot_read(exc) from None


def _check(info: os.stat_result) -> None:
    """Refuse what is not a regular file (a folder is read, which says so) or is over the size limit."""
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
        raise Unreadable("this is not a regular file", "replace it with a plain text file")
    if info.st_size > MAX_FILE_BYTES:
        mb = 1024 * 1024
        raise Unreadable(f"the file is {info.st_size // mb} MB, over the {MAX_FILE_BYTES // mb} MB limit",
                         "split the content or check that the right file was saved here")


def _cannot_read(exc: OSError) -> Unreadable:
    return Unreadable(f"cannot read file: {exc.strerror}", "check that the file exists and is readable")


def decode_utf8(raw: bytes, archive: bool = False) -> str:
    """The bytes as UTF-8, or Unreadable at the first bad byte; a byte-order mark dropped from an archive."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")  # valid: the first bad byte is where it ends
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise Unreadable(f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                         _convert_hint(raw) if archive else "save the file with UTF-8 encoding",
                         line, column) from None
    if text.startswith("\ufeff"):
        if archive:
            return text[1:]
        raise Unreadable("the file starts with a byte-order mark", "save the file as UTF-8 without BOM")
    return text


def _convert_hint(raw: bytes) -> str:
    """Advice for an archived text in a legacy encoding: convert it to UTF-8, keeping every word."""
    cyrillic = raw[:65536].decode("cp1251", "replace")  # a sample is enough to tell
    letters = [c for c in cyrillic if ord(c) > 127 and c.isalpha()]
    if letters and sum("\u0400" <= c <= "\u04ff" for c in letters) > 0.8 * len(letters):
        encoding = "WINDOWS-1251"  # Cyrillic, as many Russian and Ukrainian sites still serve it
    else:
        encoding = "WINDOWS-1252"  # the usual Western legacy encoding
    return (f"the archived text seems to be in another encoding ({encoding}?): convert it to UTF-8 without "
            f"changing its words, e.g. iconv -f {encoding} -t UTF-8 old.txt > new.txt")


def forbidden_char(text: str) -> tuple[int, int, str] | None:
    """Line, column and name of the first invisible control character, or None when the text is clean."""
    match = FORBIDDEN.search(text)
    if match is None:
        return None
    before = text[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1, f"U+{ord(match.group()):04X}"


def bidi_control(text: str) -> tuple[int, int, str] | None:
    """Line, column and name of the first bidirectional control character, or None."""
    match = BIDI.search(text)
    if match is None:
        return None
    before = text[: match.start()]
    char = match.group()
    return (before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1,
            f"U+{ord(char):04X} ({_BIDI_NAMES[char]})")
