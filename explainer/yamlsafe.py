"""Safe YAML loading that remembers where every value came from.

PyYAML's constructors throw the positions away and silently keep the last of two duplicate keys,
so we compose the node tree (with libyaml's C parser when present) and build plain Python values
ourselves, recording each value's line and column. Only the plain YAML types are built: any tag
that would build a Python object is refused, and anchors/aliases are refused too (they serve no
purpose in content and are the vehicle of "billion laughs" bombs).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Mark = tuple[int, int]
KeyPath = tuple[Any, ...]

MAX_DEPTH = 40
MAX_FILE_BYTES = 64 * 1024 * 1024  # every file the build reads; parsing costs about 35 bytes of memory a byte
MAX_NUMBER_CHARS = 300  # longer numbers are typos or pasted junk (and Python refuses ints over 4300 digits)
# Characters that are invisible, break HTML (the spec calls them parse errors) or cannot be encoded:
# C0/C1 controls except tab and line breaks, DEL, lone surrogates and noncharacters.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]"
)
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.SafeLoader("")


@dataclass
class Doc:
    """A loaded YAML document: plain data plus the position of each value and key."""

    path: Path
    data: Any
    marks: dict[KeyPath, Mark] = field(default_factory=dict)
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)
    line_offset: int = 0
    refused: set[Mark] = field(default_factory=set)  # where the loader already reported a value

    def mark(self, keypath: KeyPath, key: bool = False) -> Mark:
        """Position of a value (or of its key), falling back to the nearest enclosing value."""
        if key and keypath in self.key_marks:
            return self.key_marks[keypath]
        while keypath not in self.marks and keypath:
            keypath = keypath[:-1]
        return self.marks.get(keypath, (1 + self.line_offset, 1))


def read_text(path: Path, problems: Problems) -> str | None:
    """Read a UTF-8 text file, reporting undecodable bytes and byte-order marks by position."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):  # a FIFO or device would hang
            problems.error(path, 1, 1, "this is not a regular file", "replace it with a plain text file")
            return None
        size = info.st_size
        if size > MAX_FILE_BYTES:
            mb = 1024 * 1024
            problems.error(path, 1, 1, f"the file is {size // mb} MB, over the {MAX_FILE_BYTES // mb} MB limit",
                           "split the content or check that the right file was saved here")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.error(path, 1, 1, f"cannot read file: {exc.strerror}", "check that the file exists and is readable")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        problems.error(
            path, line, column, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file with UTF-8 encoding",
        )
        return None
    if text.startswith("\ufeff"):
        problems.error(path, 1, 1, "the file starts with a byte-order mark", "save the file as UTF-8 without BOM")
        return None
    return text


def forbidden_char(text: str) -> tuple[int, int, str] | None:
    """Line, column and name of the first invisible control character, or None when the text is clean."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    before = text[: match.start()]
    return before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1, f"U+{ord(match.group()):04X}"


def load_yaml(path: Path, problems: Problems, text: str | None = None, line_offset: int = 0) -> Doc | None:
    """Parse one YAML document; syntax errors and unsafe constructs go to ``problems``."""
    if text is None:
        text = read_text(path, problems)
        if text is None:
            return None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = (exc.problem or exc.context or "invalid YAML").strip()
        lines = text.splitlines()
        offending = lines[line - 1][column - 1 : column] if mark and line <= len(lines) else ""
        problems.error(path, line + line_offset, column, f"invalid YAML: {message}", _yaml_hint(message, offending))
        return None
    except yaml.YAMLError as exc:
        problems.error(path, 1 + line_offset, 1, f"invalid YAML: {exc}", "check the file's YAML syntax")
        return None
    doc = Doc(path, None, line_offset=line_offset)
    if node is not None:
        doc.data = _Builder(doc, problems, text).build(node, (), 0)
    return doc


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


class _Builder:
    """Turns a composed node tree into plain values, recording marks and refusing unsafe input."""

    def __init__(self, doc: Doc, problems: Problems, text: str = ""):
        self.doc = doc
        self.problems = problems
        self.text = text
        self.seen: set[int] = set()
        self.alias_reported = False

    def _pos(self, node: yaml.Node) -> Mark:
        return (node.start_mark.line + 1 + self.doc.line_offset, node.start_mark.column + 1)

    def _error(self, node: yaml.Node, message: str, hint: str) -> None:
        line, column = self._pos(node)
        self.doc.refused.add((line, column))
        self.problems.error(self.doc.path, line, column, message, hint)

    def build(self, node: yaml.Node, keypath: KeyPath, depth: int) -> Any:
        if id(node) in self.seen:
            self._alias(node)
            return None
        self.seen.add(id(node))
        self.doc.marks[keypath] = self._pos(node)
        if depth > MAX_DEPTH:
            self._error(node, f"the YAML is nested more than {MAX_DEPTH} levels deep", "flatten the structure")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                return self._bad_tag(node)
            return [self.build(item, keypath + (i,), depth + 1) for i, item in enumerate(node.value)]
        if node.tag != "tag:yaml.org,2002:map":
            return self._bad_tag(node)
        return self._mapping(node, keypath, depth)

    def _mapping(self, node: yaml.MappingNode, keypath: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._error(key_node, "YAML merge keys ('<<') are not allowed in content", "write the keys out in full")
                self._skip(value_node, depth)
                continue
            reported = len(self.problems.items)
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                if len(self.problems.items) == reported:  # else the key's own problem was just reported
                    self._error(key_node, "a key must be a plain word", "use a field name such as 'id' or 'title'")
                self._skip(value_node, depth)
                continue
            if key in result:
                line, _ = self.doc.key_marks[keypath + (key,)]
                self._error(key_node, f"duplicate key '{key}' (first given on line {line})",
                            "remove one of the two; YAML would silently keep only the last")
                self._skip(value_node, depth)
                continue
            self.doc.key_marks[keypath + (key,)] = self._pos(key_node)
            result[key] = self.build(value_node, keypath + (key,), depth + 1)
        return result

    def _skip(self, node: yaml.Node, depth: int) -> None:
        """Walk a value whose key was refused, so anchors and bad tags inside it are still caught."""
        self.build(node, ("\0skipped", id(node)), depth + 1)

    def _alias(self, node: yaml.Node) -> None:
        """Report the first '*alias' of the file once, where it is written (the node only knows its anchor)."""
        if self.alias_reported:
            return
        self.alias_reported = True
        aliases = [t for t in _tokens(self.text) if isinstance(t, yaml.AliasToken)]
        if not aliases:  # pragma: no cover - a shared node always comes from an alias
            self._error(node, "YAML anchors and aliases are not allowed in content",
                        "write the value out in full instead of using '*alias'")
            return
        first = aliases[0]
        more = f" ({len(aliases)} aliases in this file)" if len(aliases) > 1 else ""
        line, column = first.start_mark.line + 1 + self.doc.line_offset, first.start_mark.column + 1
        message = f"YAML aliases ('*{first.value}') are not allowed in content{more}"
        self.problems.error(self.doc.path, line, column, message,
                            "write the value out in full instead of using '*alias'")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            return self._bad_tag(node)
        if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
            bad = forbidden_char(node.value)
            if bad is not None:
                self._error(node, f"the text contains the invisible control character {bad[2]}",
                            "delete it: such characters come with text pasted from elsewhere and break the page")
                return _FORBIDDEN.sub("\ufffd", node.value)  # reported once; the rest of the checks go on
            return node.value  # dates stay text: we parse them at their own precision
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _constructor.construct_yaml_bool(node)
        if len(node.value) > MAX_NUMBER_CHARS:
            self._error(node, f"the number is over {MAX_NUMBER_CHARS} characters long",
                        "put it in quotes if it is text, or check what was pasted here")
            return node.value
        if tag == "tag:yaml.org,2002:int":
            return _constructor.construct_yaml_int(node)
        return _constructor.construct_yaml_float(node)

    def _bad_tag(self, node: yaml.Node) -> None:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        self._error(node, f"the YAML tag '{tag}' is not allowed",
                    "content holds only text, numbers, lists and mappings; remove the '!' tag")
        return None


def _tokens(text: str) -> list[yaml.Token]:
    """The file's tokens; only called on the rare error path, so the normal load stays one pass."""
    try:
        return list(yaml.scan(text, Loader=_Loader))
    except yaml.YAMLError:  # pragma: no cover - the text already composed without error
        return []
