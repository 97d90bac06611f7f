"""Plain values built straight from libyaml's parser events, with the position of each (yamlsafe.py).

The builder is the fast, careful half of yamlsafe: one loop over the parser's events that keeps
line and column, refuses tags that would build objects, aliases, duplicate keys, nesting too deep
and numbers too long, and never recurses. yamlsafe.load_yaml drives it and turns what it
reports into the editor's messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from .textfiles import BIDI, BIDI_HINT, FORBIDDEN, bidi_control, forbidden_char, may_hide_forbidden

if TYPE_CHECKING:
    from .yamlsafe import Doc

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Mark = tuple[int, int]
KeyPath = tuple[Any, ...]

MAX_DEPTH = 40
# Parsing stops for good this deep: libyaml's time grows with the square of the nesting (each token
# is checked against every open level), so 2 MB of '[' would take minutes; refused here, any file
# costs time linear in its size. Between MAX_DEPTH and this, the deep part is reported and dropped.
ABORT_DEPTH = 100
# Values whose position a later stage takes on every build, not only on error (a source's
# `archive`, checked against seeds/): kept even by a lean read, which would otherwise parse again.
KEEP_POSITIONS = frozenset({"archive"})
MAX_NUMBER_CHARS = 300  # longer numbers are typos or pasted junk (and Python refuses ints over 4300 digits)
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.SafeLoader("")  # pragma: no mutate (only its construct_yaml_* methods are used)



def parse(builder: Builder, text: str) -> Any:
    loader = _Loader(text)
    try:
        return builder.build(loader)
    finally:
        loader.dispose()  # pragma: no mutate (frees libyaml's parser now rather than when collected)


class NeedsMarks(Exception):
    """Raised by a lean builder that met an error whose message needs a position it did not keep."""


class TooDeep(Exception):
    """Raised once the YAML nests ABORT_DEPTH levels deep: parsing any further would take quadratic time."""

class Builder:
    """Builds plain values straight from the parser's events, recording marks, refusing unsafe input.

    Working from events rather than a composed node tree is about four times faster: composing
    calls the Python resolver hooks for every node. The builder is a loop over a stack, so deep
    nesting cannot exhaust Python's recursion limit. The value of a refused key is still walked
    (so anchors and bad tags inside it are caught) but dropped; a subtree that is too deep, or a
    mapping used as a key, is skipped whole.
    """

    def __init__(self, doc: Doc, text: str, lean: bool = False):
        self.doc = doc
        self.lean = lean  # keep only the positions of mappings and lists (see Doc)
        self.errors: list[tuple[int, int, str, str]] = []
        self.warnings: list[tuple[int, int, str, str]] = []
        # Invisible characters are rare: look for them value by value only in a file that may have
        # one (one quick scan; a double-quoted "\x1b" only becomes one once parsed).
        self.check_chars = may_hide_forbidden(text)
        self.first_alias: tuple[yaml.Mark, str] | None = None
        self.aliases = 0

    def _pos(self, mark: yaml.Mark) -> Mark:
        return (mark.line + 1 + self.doc.line_offset, mark.column + 1)

    def _error(self, mark: yaml.Mark, message: str, hint: str) -> None:
        line, column = self._pos(mark)
        self.doc.refused.add((line, column))
        self.errors.append((line, column, message, hint))

    def _alias(self, event: Any) -> None:
        if self.first_alias is None:
            self.first_alias = (event.start_mark, event.anchor)
        self.aliases += 1

    def report_aliases(self) -> None:
        """Report the first '*alias' of the file once, where it is written, with how many there are."""
        if self.first_alias is None:
            return
        mark, name = self.first_alias
        more = f" ({self.aliases} aliases in this file)" if self.aliases > 1 else ""
        line, column = self._pos(mark)
        self.errors.append((line, column, f"YAML aliases ('*{name}') are not allowed in content{more}",
                            "write the value out in full instead of using '*alias'"))

    def build(self, loader: Any) -> Any:
        """Consume one document's events and return its value (None for an empty stream)."""
        get = loader.get_event
        get()  # StreamStartEvent
        if loader.check_event(yaml.StreamEndEvent):
            return None
        get()  # DocumentStartEvent
        value = self._document(get)
        get()  # DocumentEndEvent
        if not loader.check_event(yaml.StreamEndEvent):
            mark = loader.peek_event().start_mark
            raise yaml.composer.ComposerError(  # pragma: no mutate (PyYAML's words; only the problem is shown)
                "expected a single document in the stream", None, "but found another document", mark)
        return value

    def _document(self, get: Any) -> Any:  # one loop, kept together for speed
        marks = self.doc.marks
        offset = self.doc.line_offset + 1
        key_marks = self.doc.key_marks
        lean = self.lean
        fast = not self.check_chars
        # A short text met again is the object met first (the parser makes a new one each time): a
        # file's attributions, topics, dates and cited source ids are few texts written thousands of
        # times, and the preview holds them all (15 MB of copies at 50,000 facts).
        once: dict[str, str] = {}
        same = once.setdefault
        # Each open container: [value, keypath, pending key (dicts)]
        stack: list[list[Any]] = []
        root: Any = None
        skip = 0  # depth inside a skipped subtree, whose events are consumed and dropped
        while True:
            event = get()
            cls = event.__class__
            if cls is _SCALAR and stack and not skip and fast and event.tag is None:
                # Fast path for the bulk of a content file: an untagged scalar that is plain text.
                text = event.value
                if not event.implicit[0] or (text and (text[0] not in _IMPLICIT or text in _PLAIN_TEXT)):
                    parent = stack[-1]
                    container = parent[0]
                    mark = event.start_mark
                    if len(text) <= _SHORT:
                        text = same(text, text)
                    if container.__class__ is list:
                        if not lean:
                            marks[parent[1] + (len(container),)] = (mark.line + offset, mark.column + 1)
                        container.append(text)
                        continue
                    key = parent[2]
                    if key is None:
                        if text not in container:
                            parent[2] = text
                            if not lean:
                                key_marks[parent[1] + (text,)] = (mark.line + offset, mark.column + 1)
                            continue
                    elif key is not _REFUSED:
                        parent[2] = None
                        if not lean or key in KEEP_POSITIONS:
                            marks[parent[1] + (key,)] = (mark.line + offset, mark.column + 1)
                        container[key] = text
                        continue
            if cls is _SEQ_END or cls is _MAP_END:
                if skip:
                    skip -= 1
                    continue
                stack.pop()
                if not stack:
                    return root
                continue
            if skip:
                if cls is _SEQ_START or cls is _MAP_START:
                    skip += 1
                    if skip + len(stack) > ABORT_DEPTH:
                        raise TooDeep(event.start_mark)
                if cls is yaml.AliasEvent:
                    self._alias(event)
                continue
            opens = cls is _SEQ_START or cls is _MAP_START
            parent = stack[-1] if stack else None
            if parent is not None and parent[0].__class__ is dict and parent[2] is None:
                parent[2] = self._key(event, parent)  # this event is a key
                if opens and parent[2] is _REFUSED:
                    skip = 1
                continue
            attach = True
            if parent is None:
                keypath: KeyPath = ()
            elif parent[0].__class__ is dict:
                key, parent[2] = parent[2], None
                if key is _REFUSED:  # walked for its own problems, then dropped
                    keypath, attach = ("\0skipped",), False  # pragma: no mutate (a path no real key has)
                else:
                    keypath = parent[1] + (key,)
            else:
                keypath = parent[1] + (len(parent[0]),)
            if attach and (opens or not lean or (keypath and keypath[-1] in KEEP_POSITIONS)):
                marks[keypath] = self._pos(event.start_mark)
            value = self._value(event, len(stack))
            if value.__class__ is str and len(value) <= _SHORT:  # a date, or text that looks like a value
                value = same(value, value)
            if value is _REFUSED:
                value, skip = None, int(opens)
                opens = False
            if not attach:
                pass
            elif parent is None:
                root = value
            elif parent[0].__class__ is list:
                parent[0].append(value)
            else:
                parent[0][keypath[-1]] = value
            if opens:
                stack.append([value, keypath, None])
            elif parent is None:
                return root

    def _value(self, event: Any, depth: int) -> Any:
        """A new value: an empty container to fill, or a scalar; _REFUSED when not allowed."""
        cls = event.__class__
        if cls is yaml.AliasEvent:
            self._alias(event)
            return _REFUSED  # pragma: no mutate (an alias is a leaf: refused or None, it ends up None)
        if depth > MAX_DEPTH:
            self._error(event.start_mark, TOO_DEEP, "flatten the structure")
            return _REFUSED
        if cls is _SCALAR:
            value = self._scalar(event)
            return None if value is _REFUSED else value
        default = "tag:yaml.org,2002:seq" if cls is _SEQ_START else "tag:yaml.org,2002:map"
        if event.tag not in (None, "!", default):
            return self._bad_tag(event, event.tag)
        return [] if cls is _SEQ_START else {}

    def _key(self, event: Any, parent: list[Any]) -> Any:
        """A mapping key: a plain, new word; anything else is reported and its value walked, not kept."""
        if event.__class__ is _SCALAR and _tag(event) == "tag:yaml.org,2002:merge":
            self._error(event.start_mark, "YAML merge keys ('<<') are not allowed in content",
                        "write the keys out in full")
            return _REFUSED
        if event.__class__ is yaml.AliasEvent:
            self._alias(event)
            return _REFUSED
        reported = len(self.errors)
        key = self._scalar(event) if event.__class__ is _SCALAR else None
        if not isinstance(key, str):
            if len(self.errors) == reported:  # else the key's own problem was just reported
                self._error(event.start_mark, "a key must be a plain word", "use a field name such as 'id' or 'title'")
            return _REFUSED
        keypath = parent[1] + (key,)
        if key in parent[0]:
            if self.lean:
                raise NeedsMarks
            line, _column = self.doc.key_marks[keypath]
            self._error(event.start_mark, f"duplicate key '{key}' (first given on line {line})",
                        "remove one of the two; YAML would silently keep only the last")
            return _REFUSED
        if not self.lean:
            self.doc.key_marks[keypath] = self._pos(event.start_mark)
        return key

    def _scalar(self, event: Any) -> Any:
        tag = _tag(event)
        if tag not in _SCALAR_TAGS:
            return self._bad_tag(event, tag)
        value = event.value
        if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
            bad = forbidden_char(value) if self.check_chars else None
            if bad is not None:
                self._error(event.start_mark, f"the text contains the invisible control character {bad[2]}",
                            "delete it: such characters come with text pasted from elsewhere and break the page")
                return FORBIDDEN.sub("\ufffd", value)  # reported once; the rest of the checks go on
            if self.check_chars and BIDI.search(value):
                line, column = self._pos(event.start_mark)
                name = bidi_control(value)[2]  # type: ignore[index]
                self.warnings.append((line, column, f"the text contains the bidirectional control character {name}",
                                      BIDI_HINT))
            return value  # dates stay text: we parse them at their own precision
        if tag == "tag:yaml.org,2002:null":
            return None
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
        if tag == "tag:yaml.org,2002:bool":
            return _constructor.construct_yaml_bool(node)
        if len(value) > MAX_NUMBER_CHARS:
            self._error(event.start_mark, f"the number is over {MAX_NUMBER_CHARS} characters long",
                        "put it in quotes if it is text, or check what was pasted here")
            return value
        if tag == "tag:yaml.org,2002:int":
            return _constructor.construct_yaml_int(node)
        return _constructor.construct_yaml_float(node)

    def _bad_tag(self, event: Any, tag: str) -> object:
        short = tag.replace("tag:yaml.org,2002:", "!!")
        self._error(event.start_mark, f"the YAML tag '{short}' is not allowed",
                    "content holds only text, numbers, lists and mappings; remove the '!' tag")
        return _REFUSED


_SCALAR, _SEQ_START, _SEQ_END = yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.SequenceEndEvent
_MAP_START, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_REFUSED = object()  # a value or key that was reported
_SHORT = 40  # texts up to this long are looked for among those met before (Builder._document)
TOO_DEEP = f"the YAML is nested more than {MAX_DEPTH} levels deep"
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers


def _tag(event: Any) -> str:
    """The scalar's tag, resolved as PyYAML's SafeLoader would (plain scalars by their look)."""
    tag = event.tag
    if tag is not None and tag != "!":
        return tag
    if not event.implicit[0]:
        return "tag:yaml.org,2002:str"  # quoted, or a non-specific '!' tag
    value = event.value
    for tag, regexp in _IMPLICIT.get(value[:1] if value else "", ()):  # PyYAML files each under its first characters
        if regexp.match(value):
            return tag
    # Remembered for the builder's fast path: 'title', 'topics', 'false-claim' are text, though they start like true.
    _PLAIN_TEXT.add(value)  # pragma: no mutate (only a cache: the same answer would be worked out again)
    return "tag:yaml.org,2002:str"


_PLAIN_TEXT: set[str] = set()  # unquoted values already found to be text, for the builder's fast path
