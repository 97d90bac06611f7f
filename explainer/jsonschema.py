"""JSON Schema for editors' tools, generated from the content model in schema.py.

The validator and the JSON Schema walk the same Record/Field/ListOf/Scalar/Enum definitions, so
there is one source of truth. The schemas let VS Code (with the YAML extension) and other editors
complete field names and underline mistakes as the editor types; the build stays the authority
(it also checks what a schema cannot: real calendar days, quotes, references).

`explainer schemas` rewrites schemas/*.json and adds the `# yaml-language-server` line to
content files that lack it; tests/test_schema_json.py fails when the committed files are stale.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import schema
from .numbers import WORDS

SCHEMA_DIR = "schemas"
DRAFT = "http://json-schema.org/draft-07/schema#"  # the draft editors' YAML tools support best
HEADER_PREFIX = "# yaml-language-server: $schema="

NON_BLANK = r"\S"
TEXT = rf"^(?!\s*{schema.TODO})\s*\S"  # not blank, and not a placeholder left by `explainer new`
# Same shapes parse_date accepts (it strips spaces); the build also checks the day exists in its month.
DATE_TEXT = r"^\s*[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?\s*$"
# EDTF as explainer/uncertain.py reads it: a date with an optional ~ ? %, a span with `..` for an open
# end (not both ends), or one of a set of two or more. The build also refuses reversed spans and a date
# listed twice in a set, which a pattern cannot see.
_EDTF_ONE = r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?[~?%]?"
_EDTF_END = rf"({_EDTF_ONE}|\.\.)"
EDTF_TEXT = (rf"^\s*({_EDTF_ONE}|(?!\.\./\.\.\s*$){_EDTF_END}/{_EDTF_END}"
             rf"|\[\s*{_EDTF_ONE}\s*(,\s*{_EDTF_ONE}\s*)+\])\s*$")
DAY_TEXT = r"^\s*[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\s*$"
URL_TEXT = r"^\s*[hH][tT][tT][pP][sS]?://[^\s/?#]+[^\s]*\s*$"  # as urlsplit: any case

# A number as a claim writes it (numbers.py): digits with optional thousands separators and decimals,
# or a number word from zero to twenty in any case.
_WORDS = "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in WORDS)
NUMERAL_TEXT = rf"^\s*(?:(?:[0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\.[0-9]+)?|{_WORDS})\s*$"

_SCALARS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "pattern": TEXT},
    "markdown": {"type": "string", "pattern": TEXT},
    "slug": {"type": "string", "pattern": schema.SLUG.pattern},
    "language": {"type": "string", "pattern": schema.LANGUAGE.pattern},
    # Unquoted YAML years are integers and `2024-08-06` may be read as a date: both are accepted.
    "date": {"anyOf": [{"type": "string", "pattern": DATE_TEXT},
                       {"type": "integer", "minimum": 1000, "maximum": 9999}]},
    "edtf": {"anyOf": [{"type": "string", "pattern": EDTF_TEXT},
                       {"type": "integer", "minimum": 1000, "maximum": 9999}]},
    "day": {"type": "string", "pattern": DAY_TEXT},
    "bool": {"type": "boolean"},
    "url": {"type": "string", "pattern": URL_TEXT},
    "path": {"type": "string", "pattern": NON_BLANK},
    "int": {"type": "integer"},
    "count": {"type": "integer", "minimum": 1},
    # no newline anywhere: "$" would also match before a final one, which the build refuses (fullmatch)
    "origins": {"type": "string", "pattern": r"^(?![\s\S]*\n)" + schema.ORIGINS.pattern[1:]},
    "number": {"type": "number"},
    "sha256": {"type": "string", "pattern": r"^\s*[0-9a-fA-F]{64}\s*$"},
    "numeral": {"anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMERAL_TEXT}]},
}
_EXAMPLES = {"date": "2024-08-06", "edtf": "2024-08-06", "day": "2025-06-01", "url": "https://example.org/article"}


def file_schemas() -> dict[str, dict[str, Any]]:
    """Schema file name → JSON Schema, one for each content file and one for summary front matter."""
    out = {schema_name(rel): document(type_, rel) for rel, (type_, _required) in schema.CONTENT_FILES.items()}
    out[schema_name("content/summaries/*.md")] = document(schema.SUMMARY, "content/summaries/*.md (front matter)")
    return out


def schema_name(rel: str) -> str:
    """`content/facts.yaml` → `facts.schema.json`; summaries' front matter → `summary.schema.json`."""
    if rel.startswith("content/summaries/"):
        return "summary.schema.json"
    return Path(rel).stem + ".schema.json"


def document(type_: Any, rel: str) -> dict[str, Any]:
    doc = {"$schema": DRAFT, "title": rel, **to_json_schema(type_)}
    doc["description"] = f"{rel}: {_doc(type_)} Generated from explainer/schema.py; do not edit by hand."
    return doc


def to_json_schema(type_: Any) -> dict[str, Any]:
    """The JSON Schema of one content type, accepting exactly what the Checker accepts where it can."""
    if isinstance(type_, schema.Record):
        return _record(type_)
    if isinstance(type_, schema.ListOf):
        out: dict[str, Any] = {"type": "array", "items": to_json_schema(type_.item)}
        if type_.min_items:
            out["minItems"] = type_.min_items
        return out
    if isinstance(type_, schema.Enum):
        return {"enum": list(type_.choices)}
    if isinstance(type_, schema.Translations):  # language tag → the translated fields
        return {"type": "object", "description": type_.doc,
                "propertyNames": {"pattern": schema.LANGUAGE.pattern},
                "additionalProperties": _record(type_.record)}
    if isinstance(type_, schema.Scalar) and type_.kind in _SCALARS:
        return dict(_SCALARS[type_.kind])
    raise TypeError(f"no JSON Schema for {type_!r}: add it to _SCALARS in explainer/jsonschema.py")


def _record(rec: schema.Record) -> dict[str, Any]:
    properties = {}
    for f in rec.fields:
        prop = to_json_schema(f.type)
        if f.nullable or not f.required:  # the Checker takes null for optional fields too
            prop = {"anyOf": [prop, {"type": "null"}]}
        prop["description"] = f.doc if f.required else f"(optional) {f.doc}"
        if isinstance(f.type, schema.Scalar) and f.type.kind in _EXAMPLES:
            prop["examples"] = [_EXAMPLES[f.type.kind]]
        properties[f.name] = prop
    out: dict[str, Any] = {"type": "object", "description": rec.doc, "properties": properties,
                           "additionalProperties": False}
    required = [f.name for f in rec.fields if f.required]
    if required:
        out["required"] = required
    return out


def _doc(type_: Any) -> str:
    if isinstance(type_, schema.ListOf):
        return f"a list; each item is {_doc(type_.item)[0].lower()}{_doc(type_.item)[1:]}"
    return getattr(type_, "doc", "")


def render(doc: dict[str, Any]) -> str:
    """Stable text in the schema's own field order, so a diff of the file reads like schema.py's."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def header_line(root: Path, rel: str) -> str:
    """The comment that points editors' YAML tools at the file's schema, by a relative path."""
    target = root / SCHEMA_DIR / schema_name(rel)
    relative = os.path.relpath(target, (root / rel).parent)
    return HEADER_PREFIX + Path(relative).as_posix()


def write_schemas(root: Path) -> list[Path]:
    """Rewrite schemas/*.json and add the header line to content YAML files that lack it."""
    folder = root / SCHEMA_DIR
    folder.mkdir(exist_ok=True)
    changed = []
    for name, doc in file_schemas().items():
        path = folder / name
        text = render(doc)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for rel in schema.CONTENT_FILES:
        if ensure_header(root, rel):
            changed.append(root / rel)
    return changed


def ensure_header(root: Path, rel: str) -> bool:
    """Put the schema comment on the first line of an existing YAML file; True if it changed."""
    path = root / rel
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    want = header_line(root, rel)
    first, _, rest = text.partition("\n")
    if first == want:
        return False
    body = rest if first.startswith(HEADER_PREFIX) else text  # replace a stale header, keep the rest
    path.write_text(want + "\n" + body, encoding="utf-8")
    return True


__all__ = ["DATE_TEXT", "EDTF_TEXT", "file_schemas", "header_line", "to_json_schema", "write_schemas"]
