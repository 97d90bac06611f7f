"""Docs that can't drift: every content field and every command-line option is documented (in
README.md or docs/*.md), every module is in the maintainers' module map, every relative link and
#anchor in them resolves, and the README stays short."""

import re
from pathlib import Path

import pytest

from explainer import schema
from explainer.cli import NEW_KINDS, parser

REPO = Path(__file__).resolve().parent.parent
DOC_FILES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
DOCS = "\n".join(path.read_text(encoding="utf-8") for path in DOC_FILES)
README_MAX_LINES = 260

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def records(type_) -> list[schema.Record]:
    """Every record reachable from a content file's type, nested ones included."""
    if isinstance(type_, schema.ListOf):
        return records(type_.item)
    if isinstance(type_, schema.Record):
        found = [type_]
        for f in type_.fields:
            found += records(f.type)
        return found
    return []


ALL_FIELDS = sorted({(rec.name, f.name) for t, _ in schema.CONTENT_FILES.values() for rec in records(t)
                     for f in rec.fields} | {("summary", f.name) for f in schema.SUMMARY.fields})


@pytest.mark.parametrize(("record", "field"), ALL_FIELDS)
def test_every_content_field_is_documented(record, field):
    assert f"`{field}`" in DOCS, f"{record}.{field} is not documented in README.md or docs/"


def test_every_command_and_option_is_documented():
    for action in parser()._actions:
        for name in action.option_strings:
            if name.startswith("--") and name != "--help":
                assert name in DOCS, f"{name} is not documented in README.md or docs/"
        for choice in action.choices or ():
            if action.dest == "format":
                assert f"--format {choice}" in DOCS or f"`{choice}`" in DOCS, f"--format {choice} is undocumented"
                continue
            documented = f"`{choice}`" if action.dest == "command" else f"new {choice}"
            assert documented in DOCS or choice in DOCS.split("new source|")[1][:40], \
                f"{action.dest} {choice} is not documented in README.md or docs/"
    assert "new " + "|".join(NEW_KINDS) in DOCS, "the kinds `new` makes are not all documented"


def test_the_module_map_names_every_module():
    """docs/maintainers.md's table of the package's modules, stage by stage: a new module is placed in it."""
    text = (REPO / "docs" / "maintainers.md").read_text(encoding="utf-8")
    table = text[text.index("| Stage | Module | Job |"):text.index("## Installing")]
    modules = sorted(path.name for path in (REPO / "explainer").glob("*.py") if not path.name.startswith("__"))
    missing = [name for name in modules if f"`{name}`" not in table]
    assert not missing, f"not in docs/maintainers.md's module map: {missing}"


def test_readme_is_short():
    lines = (REPO / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move details to docs/ (at most {README_MAX_LINES})"


def prose_blocks(text: str) -> list[str]:
    """The paragraphs of a Markdown file outside fenced code, with code spans removed."""
    blocks, block, fence = [], [], None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
        elif line.strip():
            block.append(line)
            continue
        blocks.append("\n".join(block))
        block = []
    blocks.append("\n".join(block))
    return [CODE_SPAN.sub("", b) for b in blocks if b]


def slugify(text: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", re.sub(r"<[^>]+>", "", text).strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor GitHub gives a file (a repeated heading gets -1, -2, …)."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for block in prose_blocks(path.read_text(encoding="utf-8").replace("`", "")):
        for line in block.split("\n"):
            if m := HEADING.match(line):
                base = slugify(m.group(2))
                n = counts.get(base, 0)
                found.add(base if n == 0 else f"{base}-{n}")
                counts[base] = n + 1
    return found


def test_slugs_are_githubs():
    assert slugify("Starting a new entry: `build.py new`".replace("`", "")) == "starting-a-new-entry-buildpy-new"
    assert slugify("Uncertain dates, said and as_of") == "uncertain-dates-said-and-as_of"
    assert slugify("How an editor adds…") == "how-an-editor-adds"


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_anchor_resolves(path):
    broken = []
    for block in prose_blocks(path.read_text(encoding="utf-8")):
        for url in LINK.findall(block):
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", url):
                continue
            file_part, _, anchor = url.partition("#")
            target = (path.parent / file_part).resolve() if file_part else path
            if not target.exists():
                broken.append(f"{url}: no file {file_part}")
            elif anchor and target.suffix == ".md" and anchor not in anchors(target):
                broken.append(f"{url}: no heading with the anchor #{anchor} in {target.relative_to(REPO)}")
    assert not broken, f"broken links in {path.relative_to(REPO)}:\n" + "\n".join(broken)


@pytest.mark.parametrize("path", [REPO / "README.md", REPO / "docs" / "editors.md"])
def test_the_folders_the_preview_watches_are_all_named(path):
    """Where the docs say which saves the preview rebuilds on, they name every folder it watches."""
    from explainer.serve_watch import WATCHED_DIRS, WATCHED_FILES

    text = " ".join(path.read_text(encoding="utf-8").split())
    said = re.search(r"save (?:`site\.yaml` or )?a file under ((?:`[\w.]+/?`(?:, | or )?)+)", text)
    assert said, f"{path.name} no longer says which saves the preview rebuilds on"
    named = set(re.findall(r"`([\w.]+?)/?`", said[1]))
    assert named | {"site.yaml"} >= {*WATCHED_DIRS, *WATCHED_FILES}, \
        f"{path.name} leaves out {set(WATCHED_DIRS) - named}"
