"""yamlsafe.py on its own: the values it builds, the positions it keeps, the problems it reports.

The builder reads libyaml's events instead of PyYAML's constructors; on every safe document it
must build exactly what ``yaml.safe_load`` builds (dates excepted: they stay text, parsed later
at their own precision), and report each unsafe or broken construct once, where it is written.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import yaml

from explainer import textfiles, yamlsafe
from explainer.errors import Problems
from explainer.textfiles import forbidden_char, read_text
from explainer.yamlsafe import MAX_DEPTH, Doc, _yaml_hint, load_yaml

SAFE_DOCUMENTS = [
    "plain: text\nnumber: 42\nnegative: -7\nhex: 0x1F\nfloat: 3.5\nexp: 1e3\ninf: .inf\n",
    "yes_word: yes\nno_word: no\nons: [on, off, true, False, TRUE]\nnull_word: null\ntilde: ~\nempty:\n",
    "titles: [title, topics, false-claim, true story, nullable, null, 'quoted', \"42\", '3.5', 007, 0o17]\n",
    "- a\n- [b, c, [d, [e]]]\n- {f: g, h: [i, j]}\n- []\n- {}\n- ''\n- - nested\n  - list\n",
    "block: |\n  line one\n  line two\nfolded: >\n  one\n  two\nkeep: |+\n  kept\n\nafter: x\n",
    "quoted: 'it''s'\ndouble: \"tab\\there \\u00e9\"\nexplicit: !!str 42\nnonspecific: ! 42\nlist: !!seq [a]\n",
    "unicode: Зеленський\nrtl: \u200fשלום\u200f\nemoji: 🇺🇦👩‍👩‍👧\nmap: !!map {a: 1}\n",
    "repeat: [title, title, on, on, topics, topics, 1, 1]\nagain: {title: title, topics: topics}\n",
    "- id: a\n  facts: [x, y]\n- id: b\n  facts: []\n  figure: {value: 1.5, low: -2, high: 1_000}\n",
    "just a sentence, the whole document\n",
    "42\n",
    "a: ! [x, '1']\nb: ! {c: d}\n\"\": empty key\n",
]


def load(text: str, path: Path = Path("t.yaml"), **kwargs) -> tuple[Doc | None, list[str]]:
    problems = Problems(Path("."))
    doc = load_yaml(path, problems, text=text, **kwargs)
    return doc, [f"{p.line}:{p.column}: {p.message} | {p.hint}" for p in problems.items]


@pytest.mark.parametrize("text", SAFE_DOCUMENTS)
def test_safe_documents_build_what_pyyaml_builds(text: str) -> None:
    for _ in range(2):  # the second read goes through the plain-text cache
        doc, errors = load(text)
        assert errors == []
        assert doc is not None and doc.data == yaml.safe_load(text)
        assert [type(v) for v in _leaves(doc.data)] == [type(v) for v in _leaves(yaml.safe_load(text))]


def _leaves(value):
    if isinstance(value, dict):
        return [x for k in value for x in [k, *_leaves(value[k])]]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


@pytest.mark.parametrize("lean", [True, False])
def test_a_short_text_written_again_is_held_once(lean: bool) -> None:
    """Memory: a file's attributions, topics and cited source ids are a few texts written thousands
    of times; each is one object however often it is written (a key too). Longer texts, such as
    quotes, are not looked up: most are written once."""
    quote = "a quote of more than forty characters, written twice"
    text = "".join(f"- id: f{i}\n  attribution: the SBU\n  topics: [talks, returns]\n  quote: {quote}\n"
                   for i in range(3))
    doc = Doc(Path("x.yaml"), None)
    doc.data = yamlsafe.parse(yamlsafe.Builder(doc, text, lean=lean), text)
    assert doc.data == yaml.safe_load(text)
    first, *others = doc.data
    for other in others:
        assert other["attribution"] is first["attribution"]
        assert all(a is b for a, b in zip(other["topics"], first["topics"], strict=True))
        assert next(a for a in other if a == "attribution") is next(a for a in first if a == "attribution")
        assert other["quote"] == first["quote"] and other["quote"] is not first["quote"]


def test_dates_stay_text_at_their_own_precision() -> None:
    doc, errors = load("day: 2025-05-25\nmonth: 2024-08\nyear: 2024\nwhen: 2025-05-25T10:00:00Z\n")
    assert errors == []
    assert doc.data == {"day": "2025-05-25", "month": "2024-08", "year": 2024, "when": "2025-05-25T10:00:00Z"}


def test_an_empty_or_comment_only_document_is_none() -> None:
    for text in ("", "# only a comment\n", "---\n"):
        doc, errors = load(text)
        assert errors == [] and doc is not None and doc.data is None


# ---------------------------------------------------------------- positions

DOC = textwrap.dedent("""\
    - id: one
      claim: First.
      citations:
        - source: a
          archive: a.txt
    - id: two
      tags: [x, "y"]
      count: 3
      archive: 2024-b.txt
    """)


@pytest.mark.parametrize("lean", [True, False])
def test_each_value_and_key_has_its_line_and_column(lean: bool) -> None:
    problems = Problems(Path("."))
    doc = load_yaml(Path("t.yaml"), problems, text=DOC)
    if not lean:
        doc.complete()
    assert doc.mark(()) == (1, 1)
    assert doc.mark((0,)) == (1, 3)
    assert doc.mark((0, "claim")) == (2, 10)
    assert doc.mark((0, "claim"), key=True) == (2, 3)
    assert doc.mark((0, "citations", 0, "source")) == (4, 15)
    assert doc.mark((1, "tags", 1)) == (7, 13)
    assert doc.mark((1, "tags", 5)) == (7, 9), "a missing item falls back to its list"
    assert doc.mark((1, "missing"), key=True) == (6, 3), "a missing key falls back to its mapping"
    assert doc.mark((7, "x")) == (1, 1)


def test_a_document_without_positions_points_at_its_first_line() -> None:
    assert Doc(Path("t.yaml"), {"a": 1}).mark(("a",)) == (1, 1)
    doc, errors = load("# nothing yet\n", line_offset=3)  # e.g. an empty front matter after line 3's '---'
    assert errors == [] and doc.mark(("title",)) == (4, 1) and doc.mark(("title",), key=True) == (4, 1)


def test_a_lean_read_keeps_containers_and_archives_and_completes_on_demand() -> None:
    doc, _ = load(DOC)
    assert doc.text is not None, "read lean first"
    assert doc.marks[(0, "citations", 0, "archive")] == (5, 16), "archive positions are kept even when lean"
    assert (0, "claim") not in doc.marks and (1, "count") not in doc.marks, "values' own positions wait"
    assert doc.marks[(1, "archive")] == (9, 12), "also an archive name that starts like a number"
    assert doc.mark((0, "citations", 0, "archive")) == (5, 16)
    assert doc.text is not None, "a kept position needs no second parse"
    assert doc.mark((0, "claim")) == (2, 10)
    assert doc.text is None and (0, "claim") in doc.marks and (0, "claim") in doc.key_marks
    doc.complete()  # a second time is harmless
    assert doc.mark((0, "claim")) == (2, 10)


def test_positions_in_front_matter_count_the_lines_before_it() -> None:
    doc, errors = load("title: T\norder: x: y\n", line_offset=1)
    assert doc is None and errors == [
        "3:9: invalid YAML: mapping values are not allowed in this context | check the indentation of this line "
        "and the one before; put text containing ': ' in quotes"]
    doc, errors = load("title: !bad T\n", line_offset=4)
    assert errors[0].startswith("5:8: the YAML tag '!bad' is not allowed")
    doc, _ = load("title: T\norder: 2\n", line_offset=1)
    assert doc.mark(("order",)) == (3, 8) and doc.mark(("nothing",)) == (2, 1)


# ---------------------------------------------------------------- what is refused

TAG_HINT = "content holds only text, numbers, lists and mappings; remove the '!' tag"


@pytest.mark.parametrize(("text", "expected"), [
    ("a: !!python/object/apply:os.system ['true']\n",
     f"1:4: the YAML tag '!!python/object/apply:os.system' is not allowed | {TAG_HINT}"),
    ("a: !!python/name:os.system\n", f"1:4: the YAML tag '!!python/name:os.system' is not allowed | {TAG_HINT}"),
    ("a: !!binary aGVsbG8=\n", f"1:4: the YAML tag '!!binary' is not allowed | {TAG_HINT}"),
    ("a: !secret x\n", f"1:4: the YAML tag '!secret' is not allowed | {TAG_HINT}"),
    ("a: !!set {x: null}\n", f"1:4: the YAML tag '!!set' is not allowed | {TAG_HINT}"),
    ("a: !!omap [x: 1]\n", f"1:4: the YAML tag '!!omap' is not allowed | {TAG_HINT}"),
    ("a: !tagged [1]\n", f"1:4: the YAML tag '!tagged' is not allowed | {TAG_HINT}"),
    ("1: one\n", "1:1: a key must be a plain word | use a field name such as 'id' or 'title'"),
    ("null: x\n", "1:1: a key must be a plain word | use a field name such as 'id' or 'title'"),
    ("? [a, b]\n: c\n", "1:3: a key must be a plain word | use a field name such as 'id' or 'title'"),
    ("<<: {a: 1}\n", "1:1: YAML merge keys ('<<') are not allowed in content | write the keys out in full"),
    ("a: 1\nb: 2\na: 3\n",
     "3:1: duplicate key 'a' (first given on line 1) | remove one of the two; YAML would silently keep only the "
     "last"),
    ("x: &anchor 1\ny: *anchor\n",
     "2:4: YAML aliases ('*anchor') are not allowed in content | write the value out in full instead of using "
     "'*alias'"),
    ("a: " + "9" * 301 + "\n",
     "1:4: the number is over 300 characters long | put it in quotes if it is text, or check what was pasted here"),
    ('a: "x\\x1by"\n', "1:4: the text contains the invisible control character U+001B | delete it: such characters "
                       "come with text pasted from elsewhere and break the page"),
])
def test_each_unsafe_construct_is_reported_once_where_it_is_written(text: str, expected: str) -> None:
    doc, errors = load(text)
    assert errors == [expected]
    assert doc is not None


@pytest.mark.parametrize(("text", "expected"), [
    ("a: 2025-01-01\x7f\n", "1:14: the text contains the invisible control character U+007F | delete it: such "
                            "characters come with text pasted from elsewhere and break the page"),
    ("a: é\nb: ok \x01\n", "2:7: the text contains the invisible control character U+0001 | delete it: such "
                           "characters come with text pasted from elsewhere and break the page"),
])
def test_a_raw_control_character_is_named_where_it_is(text: str, expected: str) -> None:
    """libyaml stops reading at it; the report says which character and where, in one line."""
    doc, errors = load(text)
    assert (doc, errors) == (None, [expected])
    line, rest = expected.split(":", 1)
    assert load(text, line_offset=3) == (None, [f"{int(line) + 3}:{rest}"]), "in front matter, counted from the file"


def test_refused_values_are_left_out_and_the_rest_is_kept() -> None:
    doc, errors = load("a: !!python/name:os.system\nb: ok\n<<: {c: 1}\n1: [x]\nd: &x [1]\ne: [*x, 2]\nf: 3\n"
                       "2: two\n<<: plain\nnull: [deep, [list]]\ng: 4\nh: !!omap {k: v, l: [m, n]}\ni: [!set [o], p]\n")
    assert len(errors) == 9
    assert doc.data == {"a": None, "b": "ok", "d": [1], "e": [None, 2], "f": 3, "g": 4, "h": None, "i": [None, "p"]}, \
        "a refused value keeps its place as null; a refused key goes with its value"
    assert (1, 4) in doc.refused


def test_an_alias_inside_a_refused_value_is_counted_too() -> None:
    doc, errors = load("a: &a 1\nb: !!omap [*a, {c: *a}, [[*a]]]\nd: ok\n")
    assert errors == ["2:4: the YAML tag '!!omap' is not allowed | " + TAG_HINT,
                      "2:12: YAML aliases ('*a') are not allowed in content (3 aliases in this file) "
                      "| write the value out in full instead of using '*alias'"]
    assert doc.data == {"a": 1, "b": None, "d": "ok"}


def test_a_key_with_a_problem_of_its_own_is_reported_once() -> None:
    doc, errors = load("!!python/name:os.system : v\nok: 1\n")
    assert errors == [f"1:1: the YAML tag '!!python/name:os.system' is not allowed | {TAG_HINT}"]
    assert doc.data == {"ok": 1}


def test_numbers_up_to_300_characters_are_numbers() -> None:
    doc, errors = load("a: " + "9" * 300 + "\nb: " + "9" * 301 + "\n")
    assert errors == ["2:4: the number is over 300 characters long | put it in quotes if it is text, or check what "
                      "was pasted here"]
    assert doc.data == {"a": int("9" * 300), "b": "9" * 301}, "the refused one is kept as the text it was"


def test_an_unexpected_parser_error_is_still_a_content_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever PyYAML raises, the editor gets the file and a position, never a traceback."""
    def parse_fails(error: Exception):
        def parse(builder, text):
            raise error
        return parse

    monkeypatch.setattr(yamlsafe, "parse", parse_fails(yaml.YAMLError("the parser gave up")))
    assert load("a: 1\n", line_offset=2) == (None, [
        "3:1: invalid YAML: the parser gave up | check the file's YAML syntax"])
    monkeypatch.setattr(yamlsafe, "parse", parse_fails(yaml.MarkedYAMLError()))  # no marks, no words
    assert load("a: 1\n", line_offset=2) == (None, [
        "3:1: invalid YAML: invalid YAML | check the YAML syntax at this position"])


def test_aliases_are_counted_and_reported_once_at_the_first() -> None:
    doc, errors = load("a: &a [1]\nb: [*a, *a]\nc: {k: *a}\n*a : v\nz: 1\n")
    assert errors == ["2:5: YAML aliases ('*a') are not allowed in content (4 aliases in this file) "
                      "| write the value out in full instead of using '*alias'"]
    assert doc.data == {"a": [1], "b": [None, None], "c": {"k": None}, "z": 1}, "an alias key goes with its value"


def test_an_alias_inside_a_refused_value_is_still_counted() -> None:
    _, errors = load("<<: {k: [*a, *a]}\nz: &a 1\n")
    assert errors[-1].startswith("1:10: YAML aliases ('*a') are not allowed in content (2 aliases in this file)")


def test_the_first_duplicate_is_named_with_the_line_of_the_original() -> None:
    doc, errors = load("- id: x\n  claim: one\n  attribution: me\n  claim: two\n  claim: three\n")
    assert [e.split(" | ")[0] for e in errors] == ["4:3: duplicate key 'claim' (first given on line 2)",
                                                   "5:3: duplicate key 'claim' (first given on line 2)"]
    assert doc.data == [{"id": "x", "claim": "one", "attribution": "me"}]


def test_nesting_is_refused_past_the_limit_and_kept_up_to_it() -> None:
    assert MAX_DEPTH == 40, "the README documents 40 levels"
    deepest = "- " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    doc, errors = load(deepest)
    assert errors == []
    value = doc.data[0]
    for _ in range(MAX_DEPTH - 1):
        value = value[0]
    assert value == []
    doc, errors = load("- " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\nafter: x\n")
    assert doc is None or errors, "one level more is refused"
    doc, errors = load("- " + "[" * (MAX_DEPTH + 1) + "x" + "]" * (MAX_DEPTH + 1) + "\n- after\n")
    assert errors == [f"1:{MAX_DEPTH + 3}: the YAML is nested more than {MAX_DEPTH} levels deep "
                      "| flatten the structure"]
    assert doc.data[1] == "after"


# ---------------------------------------------------------------- broken YAML: the position and the hint


@pytest.mark.parametrize(("text", "expected"), [
    ("a:\n\tb: 1\n", "2:1: invalid YAML: found character that cannot start any token | indent with spaces, never tabs"),
    ("a:\n  b: 1\n\tc: 2\n", "3:1: invalid YAML: found a tab character that violates indentation | indent with spaces, "
                             "never tabs"),
    ("a: b: c\n", "1:5: invalid YAML: mapping values are not allowed in this context | check the indentation of this "
                  "line and the one before; put text containing ': ' in quotes"),
    ("- a\n- b\nc: d\n", "3:1: invalid YAML: did not find expected '-' indicator | check the indentation here and "
                         "above, and that every quote opened before this line is closed"),
    ("a:\n  b: 1\n c: 2\n", "3:2: invalid YAML: did not find expected key | check the indentation here and above, "
                            "and that every quote opened before this line is closed"),
    ("a: 1\n  b: 2\n", "2:4: invalid YAML: mapping values are not allowed in this context | check the indentation of "
                      "this line and the one before; put text containing ': ' in quotes"),
    ('a: "open\n', "2:1: invalid YAML: found unexpected end of stream | a quoted string is not closed: "
                   "add the closing quote"),
    ("a: 1\n---\nb: 2\n", "2:1: invalid YAML: but found another document | a content file holds one YAML document: "
                          "remove the extra '---'"),
    ("a: [1, 2\n", "2:1: invalid YAML: did not find expected ',' or ']' | check the indentation here and above, "
                   "and that every quote opened before this line is closed"),
    ("a: @x\n", "1:4: invalid YAML: found character that cannot start any token | check the YAML syntax at "
                "this position"),
])
def test_broken_yaml_is_one_error_with_the_position_and_a_fitting_hint(text: str, expected: str) -> None:
    doc, errors = load(text)
    assert doc is None
    assert errors == [expected]


@pytest.mark.parametrize(("message", "offending", "hint"), [
    ("found character that cannot start any token", "\t", "indent with spaces, never tabs"),
    ("found character '\\t' that cannot start any token", "x", "indent with spaces, never tabs"),
    # the pure-Python parser's words (used where PyYAML was built without libyaml)
    ("expected <block end>, but found '<block mapping start>'", "x",
     "check the indentation of this line and the one before; put text containing ': ' in quotes"),
    ("did not find expected node content", "x",
     "check the indentation here and above, and that every quote opened before this line is closed"),
    ("while scanning a quoted scalar", "x", "a quoted string is not closed: add the closing quote"),
    ("found unexpected end of stream", "", "a quoted string is not closed: add the closing quote"),
    ("found undefined tag handle", "!", "check the YAML syntax at this position"),
])
def test_each_kind_of_syntax_error_gets_its_hint(message: str, offending: str, hint: str) -> None:
    assert _yaml_hint(message, offending) == hint


# ---------------------------------------------------------------- reading files


def test_read_text_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("título: ok\n", encoding="utf-8")
    problems = Problems(tmp_path)
    assert read_text(path, problems) == "título: ok\n" and problems.items == []


@pytest.mark.parametrize(("raw", "expected"), [
    (b"ok\nsecond line caf\xe9\n", "2:16: the file is not valid UTF-8 (byte 0xe9) | save the file with UTF-8 "
                                   "encoding"),
    (b"\xff", "1:1: the file is not valid UTF-8 (byte 0xff) | save the file with UTF-8 encoding"),
    ("ok\nab\xe7".encode("latin-1"), "2:3: the file is not valid UTF-8 (byte 0xe7) | save the file with UTF-8 "
                                    "encoding"),
    (b"\xef\xbb\xbfa: 1\n", "1:1: the file starts with a byte-order mark | save the file as UTF-8 without BOM"),
])
def test_read_text_reports_undecodable_bytes_by_position(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(raw)
    problems = Problems(tmp_path)
    assert read_text(path, problems) is None
    assert [f"{p.path}:{p.line}:{p.column}: {p.message} | {p.hint}" for p in problems.items] == [f"a.yaml:{expected}"]


def test_read_text_refuses_what_is_not_a_readable_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    with open(tmp_path / "huge", "wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)  # the documented limit: 64 MB
    problems = Problems(tmp_path)
    for name in ("fifo", "folder", "huge", "missing"):
        assert read_text(tmp_path / name, problems) is None
    assert [f"{p.path}:{p.line}:{p.column}: {p.message} | {p.hint}" for p in problems.items] == [
        "fifo:1:1: this is not a regular file | replace it with a plain text file",
        "folder:1:1: cannot read file: Is a directory | check that the file exists and is readable",
        "huge:1:1: the file is 64 MB, over the 64 MB limit | split the content or check that the right file was "
        "saved here",
        "missing:1:1: cannot read file: No such file or directory | check that the file exists and is readable",
    ]


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textfiles, "MAX_FILE_BYTES", 1024)  # the same rule, without reading 64 MB
    (tmp_path / "at-limit").write_text("x" * 1024)
    (tmp_path / "over").write_text("x" * 1025)
    problems = Problems(tmp_path)
    assert read_text(tmp_path / "at-limit", problems) == "x" * 1024
    assert read_text(tmp_path / "over", problems) is None
    assert [p.message for p in problems.items] == ["the file is 0 MB, over the 0 MB limit"]


def test_load_yaml_reads_the_file_when_given_no_text(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\n")
    problems = Problems(tmp_path)
    assert load_yaml(tmp_path / "a.yaml", problems).data == {"a": 1}
    assert load_yaml(tmp_path / "missing.yaml", problems) is None
    assert [p.message for p in problems.items] == ["cannot read file: No such file or directory"]


# ---------------------------------------------------------------- invisible characters


@pytest.mark.parametrize(("text", "expected"), [
    ("clean text\twith tab\r\nand lines\n", None),
    ("\u200fRTL mark, ZWJ 👩\u200d👩\u200d👧, BOM-like \ufeff inside", None),
    ("\x00", (1, 1, "U+0000")),
    ("ab\ncd\x08", (2, 3, "U+0008")),
    ("a\x0bb", (1, 2, "U+000B")),
    ("a\x0cb", (1, 2, "U+000C")),
    ("\x0e\x1f", (1, 1, "U+000E")),
    ("x\x1f", (1, 2, "U+001F")),
    ("x\x7f", (1, 2, "U+007F")),
    ("x\x85", (1, 2, "U+0085")),
    ("x\x9f", (1, 2, "U+009F")),
    ("x\xa0ok", None),
    ("line\n\nthird \ud800", (3, 7, "U+D800")),
    ("x\ufdd0", (1, 2, "U+FDD0")),
    ("x\ufdef", (1, 2, "U+FDEF")),
    ("x\ufdf0", None),
    ("x\ufffe", (1, 2, "U+FFFE")),
    ("x\U0001ffff", (1, 2, "U+1FFFF")),
    ("x\U0010fffe", (1, 2, "U+10FFFE")),
    ("x\U0001f600", None),
])
def test_forbidden_characters_are_found_by_line_and_column(text: str, expected) -> None:
    assert forbidden_char(text) == expected


def test_an_escape_that_makes_a_forbidden_character_is_caught_after_parsing() -> None:
    for escape, name in (("\\x00", "U+0000"), ("\\e", "U+001B"), ("\\u0007", "U+0007"), ("\\N", "U+0085"),
                         ("\\U0010FFFF", "U+10FFFF")):
        doc, errors = load(f'a: "x{escape}"\nb: fine\n')
        assert errors[0].startswith(f"1:4: the text contains the invisible control character {name} |"), errors
        assert doc.data == {"a": "x\ufffd", "b": "fine"}, "reported, and the rest of the file still read"
    doc, errors = load('a: "quote \\" and backslash \\\\ are fine"\n')
    assert errors == [] and doc.data == {"a": 'quote " and backslash \\ are fine'}


@pytest.mark.parametrize("text", [
    "", "plain: text\n", "quote: \"a \\\" b\"\n", "tab:\there\r\n", "esc: \"\\x1b\"\n", "e: \"\\e\"\n",
    "ctl: \x1b\n", "del: \x7f\n", "nul: \x00", "typographic: “ok” – fine\n", "c1: \x85\n", "bidi: \u202e\n",
    "astral: \U0001f600\n", "nonchar: \ufdd0\n", "surrogate: \ud800\n", "backslash only: \\\\ \\n \\t\n",
    "after non-ascii é: \\u0000\n", "after non-ascii é: \x01\n",
])
def test_the_quick_scan_for_hidden_characters_finds_what_the_full_pattern_finds(text):
    assert textfiles.may_hide_forbidden(text) is (textfiles.SUSPECT.search(text) is not None)
