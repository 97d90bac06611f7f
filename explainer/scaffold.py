"""`new source|fact|event|summary` starts a new entry from a commented template; `init DIR` a new explainer.

The template is appended as text (the file is never re-dumped), so the editor's comments, order
and formatting stay exactly as they were. Every entry gets a fresh id (new-fact-1, new-fact-2, …)
and TODO placeholders that the build refuses until they are replaced: a TODO text is an error,
a new fact's quote is not in any source, a new event cites `todo-fact-id`, and a new source's
archive file does not exist yet. So a half-filled template can never be published.

`init DIR` copies the starter project in starter/ (a leading `_` in a name becomes `.`, so the
package carries `.github/` and `.vscode/` as ordinary files), pins the generator in its
requirements.txt (installed.py), maps the JSON Schemas in `.vscode/settings.json` and writes `schemas/`.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import __version__, installed
from .confine import links_out
from .errors import UsageError
from .jsonschema import SCHEMA_DIR, header_line, schema_name, write_schemas
from .schema import CONTENT_FILES

KINDS = ("source", "fact", "event", "summary")
FILES = {"source": "content/sources.yaml", "fact": "content/facts.yaml", "event": "content/timeline.yaml"}

TEMPLATES = {
    "source": """\
# TODO: new source. Copy the article's text byte for byte into seeds/{id}.txt (or change
# `archive:` to its file name), fill in what the source itself says, leave unknowns null.
{dash}id: {id}
{ind}title: "TODO: the source's headline, as published"
{ind}publisher: null  # who published it; null if the source does not say
{ind}author: null  # who wrote it; null if the source does not say
{ind}published: null  # YYYY, YYYY-MM or YYYY-MM-DD, at the precision the source gives
{ind}url: null  # https://… where it was published; null if unknown
{ind}retrieved: null  # YYYY-MM-DD when the archived text was taken; null if unknown
{ind}archive: {id}.txt  # its text under seeds/ (`explainer archive FILE --id ID` copies it and fills this in)
{ind}label: "TODO: how readers are told of it in 'According to …, as reported by …', e.g. the Kyiv Independent"
{ind}sha256: null  # TODO: once seeds/{id}.txt is there, the build prints its hash to paste here
{ind}context: sentence  # how much of its text a quote shows when opened: sentence, paragraph or none
{ind}# facts_date_note: "…"  # how its facts' dates were worked out, said once: facts without a date_note inherit it
""",
    "fact": """\
# TODO: new fact. One neutral sentence, who says it, and the exact words from the source.
{dash}id: {id}  # rename: a short slug such as general-staff-971-captured
{ind}claim: "TODO: one neutral sentence"
{ind}attribution: "TODO: who makes the claim, e.g. Ukraine's General Staff"  # the source's label if it says it itself
{ind}date: "TODO: YYYY, YYYY-MM or YYYY-MM-DD"  # what the claim refers to, at the precision the source gives
{ind}# Uncertain dates (EDTF): 2024-08~ about, 2024-08? uncertain, 2024-08-06/2025-05-25 a span,
{ind}# 2024-08-06/.. an open end, "[2025-05-24,2025-05-25]" one of these (quote the brackets).
{ind}# said: "{today}"  # when the claim was made, if not the day its source was published
{ind}# as_of: "{today}"  # for a claim in the present tense ("has so far"): the day it is known to hold
{ind}added: "{today}"  # the day this fact was added; lists it under "Recently updated"
{ind}topics: []  # topic ids declared in site.yaml
{ind}citations:
{ind}  - source: {source}  # a source id from content/sources.yaml
{ind}    quote: "TODO: copy the exact words from the source's archived text"  # words left out: …
{ind}    # translated_by_source: true  # the source's own translation of words said in another language
{ind}# derived:  # numbers in the claim that no quote contains, each with a one-line reason
{ind}#   - number: 2025
{ind}#     reason: "from the article's date"
""",
    "event": """\
# TODO: new timeline event. List the facts that support it under `facts:`.
{dash}id: {id}  # rename: a short slug for the event's anchor
{ind}date: "TODO: YYYY, YYYY-MM or YYYY-MM-DD"  # when it happened; or a span 2024-08-06/2025-05-25
{ind}title: "TODO: short title"
{ind}text: "TODO: one or two sentences; inline Markdown allowed"
{ind}facts: [todo-fact-id]  # TODO: ids of the facts that support it
{ind}added: "{today}"  # the day this event was added; lists it under "Recently updated"
""",
}
SUMMARY = """\
---
title: "TODO: section heading"
order: {order}
---
TODO: write this section in short paragraphs. Cite the facts each sentence rests on by their
ids, e.g. [[todo-fact-id]]. The build lists every citation that does not name a fact.
"""


@dataclass
class Scaffolded:
    """Where the new entry went, for the `path:line` the command prints."""

    path: Path
    line: int
    id: str


def new(root: Path, kind: str, today: dt.date | None = None) -> Scaffolded:
    """Append a template entry of ``kind`` (or create a summary file) and say where it is."""
    today = today or dt.date.today()
    for link, message, hint in links_out(root):  # it reads and appends to content files: never one elsewhere
        raise UsageError(f"{link.relative_to(root)}: {message}", hint)
    if kind == "summary":
        return _new_summary(root)
    if kind not in FILES:
        raise UsageError(f"'new' makes one of: {', '.join(KINDS)}; got '{kind}'")
    rel = FILES[kind]
    path = root / rel
    text = path.read_text(encoding="utf-8") if path.exists() else header_line(root, rel) + "\n"
    new_id = fresh_id(root, kind)
    text, indent = _prepare(text)
    entry = TEMPLATES[kind].format(id=new_id, dash=indent + "- ", ind=indent + "  ", today=today.isoformat(),
                                   source=_first_source(root))
    block = ("\n" if text.strip() and not text.endswith("\n\n") else "") + entry
    line = (text + block).count("\n", 0, len(text) + block.index("- id:")) + 1
    path.write_text(text + block, encoding="utf-8")
    return Scaffolded(path, line, new_id)


def fresh_id(root: Path, kind: str) -> str:
    """new-KIND-N with N one more than any already in the content, so ids never clash."""
    pattern = re.compile(rf"\bnew-{kind}-(\d+)\b")
    used = [0]
    for path in [root / "site.yaml", *sorted((root / "content").rglob("*"))]:
        if path.is_file() and path.suffix in (".yaml", ".yml", ".md"):
            used += [int(n) for n in pattern.findall(path.read_text(encoding="utf-8", errors="replace"))]
    return f"new-{kind}-{max(used) + 1}"


def _prepare(text: str) -> tuple[str, str]:
    """End the text with a newline, drop an empty-list `[]`, and find the list's indentation."""
    if text and not text.endswith("\n"):
        text += "\n"
    text = re.sub(r"^\s*\[\]\s*$\n?", "", text, flags=re.MULTILINE)  # `[]` would not take block items
    match = re.search(r"^([ \t]*)- ", text, flags=re.MULTILINE)
    return text, match.group(1) if match else ""


def _first_source(root: Path) -> str:
    """A real source id to start from, so only the quote is left to fill in."""
    path = root / FILES["source"]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    match = re.search(r"^[ \t]*- id:[ \t]*[\"']?([a-z0-9-]+)", text, flags=re.MULTILINE)
    return match.group(1) if match else "todo-source-id"


def _new_summary(root: Path) -> Scaffolded:
    folder = root / "content" / "summaries"
    folder.mkdir(parents=True, exist_ok=True)
    orders = [0]
    for path in folder.glob("*.md"):
        text = path.read_text(encoding="utf-8", errors="replace")
        match = re.search(r"^order:[ \t]*(\d+)[ \t]*$", text, re.MULTILINE)
        if match:
            orders.append(int(match.group(1)))
    order = max(orders) + 1
    path, n = folder / f"{order:02d}-new-section.md", 1
    while path.exists():
        n += 1
        path = folder / f"{order:02d}-new-section-{n}.md"
    path.write_text(SUMMARY.format(order=order), encoding="utf-8")
    return Scaffolded(path, 2, path.stem)


STARTER = Path(__file__).resolve().parent / "starter"
# Editors' swap, backup and lock files and caches, which a working tree's starter may hold: never
# copied into a new explainer, and never put in the wheel (pyproject.toml's exclude-package-data).
LEFTOVERS = ("*.sw?", "*~", ".#*", "#*#", ".DS_Store", "Thumbs.db", "*.py[cod]", "__pycache__")


def leftover(rel: Path) -> bool:
    """Is this path, or a folder on it, an editor's leftover or a cache rather than part of the starter?"""
    return any(fnmatch.fnmatchcase(part, pattern) for part in rel.parts for pattern in LEFTOVERS)


def init(folder: Path, origin: installed.Origin | None = None) -> list[Path]:
    """Start a new explainer in ``folder`` (new or empty): it builds and passes `check` at once.

    Its requirements.txt installs the generator from where the running one was installed from
    (``origin``, read from pip's record unless given), or says what to write there.
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"'{folder}' is a file, not a folder: 'init' starts a new explainer in a new or empty "
                         "folder", "give the name of a folder that does not exist yet")
    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"'{folder}' is not empty: 'init' starts a new explainer in a new or empty folder, "
                         "so it never overwrites anything")
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for source in sorted(STARTER.rglob("*")):
        if source.is_file() and not leftover(source.relative_to(STARTER)):
            parts = source.relative_to(STARTER).parts
            target = folder.joinpath(*("." + p[1:] if p.startswith("_") else p for p in parts))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            made.append(target)
    requirements = installed.requirements_text(origin or installed.origin(), __version__)
    made.append(_write(folder / "requirements.txt", requirements))
    made.append(_write(folder / ".vscode" / "settings.json", vscode_settings()))
    made += [path for path in write_schemas(folder) if path not in made]
    return made


def vscode_settings() -> str:
    """Map each content file to its JSON Schema for the YAML extension (redhat.vscode-yaml)."""
    mapping = {f"./{SCHEMA_DIR}/{schema_name(rel)}": [rel] for rel in CONTENT_FILES}
    return json.dumps({"yaml.schemas": mapping, "files.trimTrailingWhitespace": False}, indent=2) + "\n"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
