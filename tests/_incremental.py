"""What the incremental tests share: a generated project with small pages, a build's outcome, the
comparison with a cold build, and the random edits (each one a step an editor might take).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

from explainer import pipeline
from explainer.errors import BuildError
from explainer.incremental import IncrementalBuilder
from explainer.verify import archive_sha256

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate

SMALL_PAGES = "pagination: {facts_per_page: 12, events_per_page: 6, sources_per_page: 1}\n"


FACT_BLOCK = re.compile(r"^- id: (\S+)\n(?:(?!- id: ).*\n?)*", re.M)


def project(tmp_path: Path, facts: int = 120) -> Path:
    root = generate(tmp_path / "project", facts)
    site = root / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + SMALL_PAGES, encoding="utf-8")
    return root


def built_project(tmp_path: Path, facts: int = 120) -> tuple[Path, IncrementalBuilder]:
    """A generated project (``project``) and an incremental builder that has built it once into tmp_path/inc."""
    root = project(tmp_path, facts)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    return root, builder


def outcome(build, root: Path, output: Path) -> tuple[str, object]:
    """The pages and warnings of a build, or its problems when it fails."""
    try:
        result = build(root, output)
    except BuildError as exc:
        return "failed", [p.format() for p in exc.problems]
    return "built", (result.pages, [w.format() for w in result.warnings])


def assert_as_cold(builder: IncrementalBuilder, root: Path, tmp_path: Path) -> None:
    """The builder's next build gives what a cold build gives: pages, warnings or problems, and the files."""
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold")


def fact_ids(root: Path) -> list[str]:
    return FACT_BLOCK.findall((root / "content" / "facts.yaml").read_text(encoding="utf-8"))


def replace_in_content(root: Path, old: str, new: str) -> None:
    for path in [*root.glob("content/*.yaml"), *root.glob("content/summaries/**/*.md")]:
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")


def edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


# A step as a word, not a number (not even "two"): a claim's number must be in its quotes (numbers.py).
STEP_WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]


def word(step: int) -> str:
    return STEP_WORDS[step]


def edit_claim(root: Path, rng: random.Random, step: int) -> None:
    fid = rng.choice(fact_ids(root))
    edit(root / "content/facts.yaml", lambda t: re.sub(
        rf"(- id: {re.escape(fid)}\n  claim: \")", rf"\g<1>Edited {word(step)}: ", t))


def move_fact(root: Path, rng: random.Random, step: int) -> None:
    """A new date: the fact moves to another page (and the timeline's order is unchanged)."""
    fid = rng.choice(fact_ids(root))
    year = rng.choice(["2022", "2023-05", "2024-08-0" + str(rng.randint(1, 9)), "2025"])
    edit(root / "content/facts.yaml", lambda t: re.sub(
        rf"(- id: {re.escape(fid)}\n(?:(?!- id: ).*\n)*?  date: )\"[^\"]*\"", rf'\g<1>"{year}"', t))


def remove_fact(root: Path, rng: random.Random, step: int) -> None:
    """A fact and every reference to it go (an event left with no fact may then be an error)."""
    fid = rng.choice(fact_ids(root))
    edit(root / "content/facts.yaml", lambda t: re.sub(rf"^- id: {re.escape(fid)}\n(?:(?!- id: ).*\n?)*", "", t,
                                                      flags=re.M))
    for path in [*root.glob("content/*.yaml"), *root.glob("content/summaries/**/*.md")]:
        edit(path, lambda t: t.replace(f"[[{fid}]]", "").replace(f", {fid}", "").replace(f"{fid}, ", ""))


def rename_fact(root: Path, rng: random.Random, step: int) -> None:
    fid = rng.choice(fact_ids(root))
    replace_in_content(root, fid, f"renamed-{step}-{fid}")


def add_fact(root: Path, rng: random.Random, step: int) -> None:
    """A copy of a fact under a new id, at a random place in the file."""
    path = root / "content/facts.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = list(FACT_BLOCK.finditer(text))
    copy = rng.choice(blocks).group(0)
    copy = re.sub(r"^- id: (\S+)", rf"- id: added-{step}", copy).rstrip("\n") + "\n\n"
    at = rng.choice(blocks).start()
    path.write_text(text[:at] + copy + text[at:], encoding="utf-8")


def add_fact_on_a_blank_line(root: Path, rng: random.Random, step: int) -> None:
    """A copy of a fact on one line (JSON: YAML's flow style) in place of the blank line before an entry:
    the entries below keep their lines, so their facts are kept (the same objects), but their numbers shift."""
    path = root / "content/facts.yaml"
    text = path.read_text(encoding="utf-8")
    value = yaml.safe_load(rng.choice(list(FACT_BLOCK.finditer(text))).group(0))[0]
    value["id"] = f"added-{step}"
    at = rng.choice([m.start() for m in re.finditer(r"\n\n(?=- id: )", text)]) + 1
    path.write_text(text[:at] + "- " + json.dumps(value, ensure_ascii=False) + "\n" + text[at + 1:], encoding="utf-8")


CITATION = re.compile(r"^    - source: (\S+)\n      quote: .*\n", re.M)


def cite_another_source(root: Path, rng: random.Random, step: int) -> None:
    """A fact gains another fact's citation of a source it did not cite: that source's page lists it,
    while every fact keeps its id, number and page."""
    path = root / "content/facts.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = list(FACT_BLOCK.finditer(text))
    fact = rng.choice(blocks)
    cited = set(CITATION.findall(fact.group(0)))
    others = [c for b in blocks for c in CITATION.finditer(b.group(0)) if c.group(1) not in cited]
    last = list(CITATION.finditer(fact.group(0)))
    if not others or not last:
        return
    at = fact.start() + last[-1].end()
    path.write_text(text[:at] + rng.choice(others).group(0) + text[at:], encoding="utf-8")


def edit_event(root: Path, rng: random.Random, step: int) -> None:
    edit(root / "content/timeline.yaml", lambda t: t.replace('title: "', f'title: "Event {word(step)} ', 1)
         if rng.random() < 0.5 else re.sub(r'text: "', f'text: "New *{word(step)}* ', t, count=rng.randint(1, 3)))


def edit_comparison(root: Path, rng: random.Random, step: int) -> None:
    """A comparison's title or text (its embed's and the front page's), or one of its facts' claims."""
    path = root / "content/comparisons.yaml"
    pick = rng.random()
    if pick < 0.6:
        field = "title" if pick < 0.3 else "text"
        edit(path, lambda t: re.sub(rf'{field}: "', f'{field}: "Compared {word(step)} ', t, count=rng.randint(1, 2)))
        return
    fid = rng.choice(re.findall(r"facts: \[([^,\]]+)", path.read_text(encoding="utf-8")))
    edit(root / "content/facts.yaml", lambda t: re.sub(
        rf"(- id: {re.escape(fid)}\n  claim: \")", rf"\g<1>Edited {word(step)}: ", t))


def edit_source(root: Path, rng: random.Random, step: int) -> None:
    edit(root / "content/sources.yaml", lambda t: re.sub(r'title: "', f'title: "Source {word(step)} ', t, count=1))


def edit_summary(root: Path, rng: random.Random, step: int) -> None:
    path = rng.choice(sorted(root.glob("content/summaries/*.md")))  # the original's, not uk/
    cite = rng.choice(fact_ids(root))
    edit(path, lambda t: t.rstrip("\n") + f" Sentence {word(step)}.[[{cite}]]\n")


def edit_template(root: Path, rng: random.Random, step: int) -> None:
    name, old = rng.choice([("_facts.html", "<ol class=\"facts\""), ("list_page.html", "<nav aria-label"),
                            ("_timeline.html", "<ol class=\"timeline\""), ("base.html", "<header")])
    edit(root / "templates" / name, lambda t: t.replace(old, f"<!-- {step} -->{old}", 1))


def edit_site(root: Path, rng: random.Random, step: int) -> None:
    edit(root / "site.yaml", lambda t: re.sub(r"^title: ", f"title: Edition {word(step)} of ", t, flags=re.M))


def edit_archive(root: Path, rng: random.Random, step: int) -> None:
    """A source's archived text changes after its first line's quotes (their offsets stay): the
    quotes in context on the pages of the facts that cite it change (its new hash recorded)."""
    archive = rng.choice(sorted((root / "seeds").glob("*.txt")))
    text = archive.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    archive.write_text(first.rstrip(".") + f" and {word(step)} more." + ("\n" + rest if rest else ""),
                       encoding="utf-8")
    edit(root / "content/sources.yaml", lambda t: re.sub(
        rf"(archive: {re.escape(archive.name)}\n(?:(?!- id: ).*\n)*?  sha256: )\S+",
        rf"\g<1>{archive_sha256(archive.read_text(encoding='utf-8'))}", t))


def edit_label(root: Path, rng: random.Random, step: int) -> None:
    """A source's label changes: the attribution chain of every fact citing it changes."""
    edit(root / "content/sources.yaml", lambda t: re.sub(r'label: "', f'label: "{word(step)} ', t,
                                                         count=rng.randint(1, 4)))


def toggle_date_note(root: Path, rng: random.Random, step: int) -> None:
    """A source's facts_date_note is added or taken away: the facts citing it first inherit it or not."""
    path = root / "content/sources.yaml"
    text = path.read_text(encoding="utf-8")
    if "  facts_date_note: " in text:
        path.write_text(re.sub(r"^  facts_date_note: .*\n", "", text, flags=re.M), encoding="utf-8")
        return
    ids = re.findall(r"^- id: (\S+)", text, re.M)
    chosen = rng.choice(ids)
    note = f"  facts_date_note: \"As reported, {word(step)}.\"\n"
    path.write_text(text.replace(f"- id: {chosen}\n", f"- id: {chosen}\n{note}"), encoding="utf-8")


def edit_stylesheet(root: Path, rng: random.Random, step: int) -> None:
    edit(root / "static" / "style.css", lambda t: t + f"\n.edit-{step} {{ color: red; }}\n")


def break_file(root: Path, rng: random.Random, step: int):
    """A duplicate id or a YAML syntax error: the build fails; the returned function repairs it."""
    path = rng.choice([root / "content/facts.yaml", root / "content/timeline.yaml", root / "site.yaml"])
    before = path.read_text(encoding="utf-8")
    ids = fact_ids(root)
    if path.name == "facts.yaml" and rng.random() < 0.5:
        replace_in_content(root, f"- id: {ids[0]}\n", f"- id: {ids[1]}\n")
    else:
        path.write_text(before + "\n  - [unclosed\n", encoding="utf-8")
    return lambda: path.write_text(before, encoding="utf-8")


def insert_lines_above(root: Path, rng: random.Random, step: int) -> None:
    """Comment and blank lines above an entry (or at the top): every entry below moves down."""
    path = rng.choice([root / "content/facts.yaml", root / "content/timeline.yaml", root / "content/sources.yaml"])
    text = path.read_text(encoding="utf-8")
    starts = [0, *(m.start() for m in re.finditer(r"^- ", text, re.M))]
    at = rng.choice(starts)
    path.write_text(text[:at] + f"# note {word(step)}\n\n" * rng.randint(1, 3) + text[at:], encoding="utf-8")


def break_entry(root: Path, rng: random.Random, step: int):
    """A mistake inside one entry far down the file (a misspelt key, a bad date, an unclosed quote,
    an alias, a tab, an unknown tag): reported at its exact line and column; repaired afterwards."""
    path = root / "content/facts.yaml"
    before = path.read_text(encoding="utf-8")
    blocks = list(FACT_BLOCK.finditer(before))
    block = rng.choice(blocks[len(blocks) // 2:])
    mistakes = [("  claim: ", "  claimm: "), ("  date: \"", "  date: \"2024-13-"), ("  claim: \"", "  claim: \"\n\""),
                ("  claim: ", "  claim: *alias "), ("  claim: ", "  claim:\t"),
                ("  claim: ", "  claim: !!python/name:x ")]
    old, new = rng.choice(mistakes)
    text = block.group(0).replace(old, new, 1)
    path.write_text(before[:block.start()] + text + before[block.end():], encoding="utf-8")
    return lambda: path.write_text(before, encoding="utf-8")


def unquoted_number(root: Path, rng: random.Random, step: int):
    """A number no quote holds, in one claim (numbers.py): an error until it is taken out again."""
    path = root / "content/facts.yaml"
    before = path.read_text(encoding="utf-8")
    fid = rng.choice(fact_ids(root))
    path.write_text(re.sub(rf"(- id: {re.escape(fid)}\n  claim: \")", rf"\g<1>{9000 + step} ", before),
                    encoding="utf-8")
    return lambda: path.write_text(before, encoding="utf-8")


def misuse_fact(root: Path, rng: random.Random, step: int):
    """A fact given what a pass over every fact catches (kept_checks.py): a reserved id, an undeclared
    topic, a placeholder source, an unknown language's translation. An error (a warning for the
    translation) until it is taken out again."""
    path = root / "content/facts.yaml"
    before = path.read_text(encoding="utf-8")
    blocks = list(FACT_BLOCK.finditer(before))
    block = rng.choice(blocks)
    old, new = rng.choice(MISUSES)
    text = block.group(0).replace(old, new, 1)
    path.write_text(before[:block.start()] + text + before[block.end():], encoding="utf-8")
    return lambda: path.write_text(before, encoding="utf-8")


def unsplittable(root: Path, rng: random.Random, step: int) -> None:
    """A document marker or a flow list: the file is read whole, with the same result."""
    path = rng.choice([root / "content/facts.yaml", root / "content/timeline.yaml"])
    marker = rng.choice(["---\n", "%YAML 1.1\n---\n"])
    edit(path, lambda t: t if t.startswith(("---", "%")) else marker + t)


def cut_and_paste_fact(root: Path, rng: random.Random, step: int) -> None:
    """A fact's entry, unchanged, cut and pasted elsewhere in the file (or pasted twice: its id is then taken)."""
    path = root / "content/facts.yaml"
    blocks = [m.group(0) for m in FACT_BLOCK.finditer(path.read_text(encoding="utf-8"))]
    block = rng.choice(blocks)
    if not block.endswith("\n"):
        return
    twice = rng.random() < 0.2
    rest = blocks.copy() if twice else [b for b in blocks if b is not block]
    rest.insert(rng.randrange(len(rest) + 1), block)
    edit(path, lambda t: t[: t.index(blocks[0])] + "".join(rest))


EDITS = [edit_claim, edit_claim, move_fact, remove_fact, cut_and_paste_fact, cut_and_paste_fact, rename_fact, add_fact,
         add_fact_on_a_blank_line, edit_event, edit_comparison,
         edit_source, cite_another_source,
         edit_summary, edit_template, edit_archive, edit_label, edit_site, edit_stylesheet, break_file,
         insert_lines_above, insert_lines_above, break_entry, unsplittable, unquoted_number, toggle_date_note,
         misuse_fact]


# A second edition (editions.py): its pages are memoised on their own (BuildCache.editions).

REPO = Path(__file__).resolve().parent.parent


def two_language_project(tmp_path: Path, facts: int = 120) -> Path:
    """The generated project with a Ukrainian edition: one summary translated, the catalog in the project."""
    root = project(tmp_path, facts)
    edit(root / "site.yaml", lambda t: t.replace("language: en\n", "language: en\nlanguages: [en, uk]\n", 1))
    first = sorted(root.glob("content/summaries/*.md"))[0]
    ids = fact_ids(root)
    (root / "content/summaries/uk").mkdir(parents=True)
    (root / "content/summaries/uk" / first.name).write_text(
        f"---\ntitle: Що сталося\norder: 1\n---\nПерше речення.[[{ids[0]}]]\n\nДруге.[[{ids[-1]}]]\n",
        encoding="utf-8")
    (root / "locales").mkdir(exist_ok=True)
    shutil.copy(REPO / "locales" / "uk.po", root / "locales" / "uk.po")
    return root


def translate_claim(root: Path, rng: random.Random, step: int) -> None:
    """A fact's claim translated into Ukrainian, or its translation changed."""
    fid = rng.choice(fact_ids(root))
    claim = f'    uk: {{claim: "Перекладено {word(step)}"}}\n'

    def change(text: str) -> str:
        block = re.search(rf"^- id: {re.escape(fid)}\n(?:(?!- id: ).*\n)*", text, re.M)
        if block is None:
            return text
        old = block.group(0)
        if "    uk: {claim: " in old:
            new = re.sub(r"    uk: \{claim: .*\n", claim, old)
        else:
            new = re.sub(r"(  claim: .*\n)", rf"\g<1>  translations:\n{claim}", old, count=1)
        return text[:block.start()] + new + text[block.end():]

    edit(root / "content/facts.yaml", change)


def edit_uk_summary(root: Path, rng: random.Random, step: int) -> None:
    """A sentence added to the translated summary (content/summaries/uk/), citing a fact."""
    cite = rng.choice(fact_ids(root))
    for path in root.glob("content/summaries/uk/*.md"):
        edit(path, lambda t: t.rstrip("\n") + f" Речення {word(step)}.[[{cite}]]\n")


def edit_uk_catalog(root: Path, rng: random.Random, step: int) -> None:
    """A word of the edition's catalog (locales/uk.po): a heading, or "fact" in every citation link's label."""
    msgid = rng.choice(["fact", "Facts and quotes"])
    edit(root / "locales/uk.po",
         lambda t: re.sub(rf'(msgid "{msgid}"\nmsgstr ")[^"]*"', rf'\g<1>{msgid} {word(step)}"', t))


UK_EDITS = [translate_claim, translate_claim, edit_uk_summary, edit_uk_catalog]


def random_edits(root: Path, tmp_path: Path, rng: random.Random, edits: list, steps: int,
                 reused_by, tampered: bool = False) -> int:
    """``steps`` random edits (each repaired when it breaks the content), after each one an incremental
    and a cold build compared: outcome, pages, warnings and the written folder. With ``tampered``, the
    preview's output is sometimes changed behind its back. Returns the pages the memo reused in all."""
    builder = IncrementalBuilder()
    reused = 0
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    for step in range(steps):
        change = rng.choice(edits)
        repair = change(root, rng, step)
        for name in (change.__name__, "repair") if repair else (change.__name__,):
            if name == "repair":
                repair()
            incremental = outcome(builder.build, root, tmp_path / "inc")
            assert incremental == outcome(pipeline.build, root, tmp_path / "cold"), f"step {step}: {name}"
            if incremental[0] == "built":  # the written site is the same too
                reused += reused_by(builder)
                assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold")
        if tampered and rng.random() < 0.25 and (tmp_path / "inc").is_dir():
            tamper(tmp_path / "inc", rng)
    return reused


def quoted_fact(built: pipeline.BuildResult) -> tuple:
    """A fact whose first quote is word for word in its source's archive, that citation and the archive file."""
    project = built.project
    fact = next(f for f in project.facts if f.citations and f.citations[0].quote in
                project.sources_by_id[f.citations[0].source].text)
    citation = fact.citations[0]
    return fact, citation, project.root / "seeds" / project.sources_by_id[citation.source].archive


def read_tree(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every file and folder of a written site: its mode, and a file's bytes (an emptied folder counts)."""
    return {str(p.relative_to(folder)): (p.lstat().st_mode, None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def tamper(output: Path, rng: random.Random) -> None:
    """Change the preview's output folder behind its back, as an editor or another program might."""
    files = sorted(p for p in output.rglob("*") if p.is_file())
    choice = rng.choice(["remove", "same size", "stray file", "stray folder", "mode", "whole folder"])
    victim = rng.choice(files)
    if choice == "remove":
        victim.unlink()
    elif choice == "same size":
        data = victim.read_bytes()
        victim.write_bytes(data[::-1])
    elif choice == "stray file":
        (victim.parent / "stray.html").write_bytes(b"not of this site")
    elif choice == "stray folder":
        (victim.parent / "stray" / "deeper").mkdir(parents=True)
    elif choice == "mode":
        victim.chmod(0o600)
    else:
        shutil.rmtree(output)


def recorded(monkeypatch, owner, name: str, what=lambda *args: args[0]) -> list:
    """What each call of ``owner.name`` is given (``what`` of its arguments), the calls going through."""
    calls: list = []
    real = getattr(owner, name)
    monkeypatch.setattr(owner, name, lambda *args, **kwargs: calls.append(what(*args)) or real(*args, **kwargs))
    return calls


def parsed_texts(monkeypatch) -> list[str]:
    """The texts the preview's list files are parsed from, as it parses them."""
    from explainer import entries

    texts: list[str] = []
    original = entries.load_yaml

    def load_yaml(path, problems, text=None, line_offset=0):
        texts.append(text)
        return original(path, problems, text=text, line_offset=line_offset)

    monkeypatch.setattr(entries, "load_yaml", load_yaml)
    return texts


def facts_not_kept(monkeypatch) -> list[list[str]]:
    """The ids of the facts each preview build's verify stage does not keep from the last build."""
    from explainer import verified

    found: list[list[str]] = []
    original = verified.Verified.__init__

    def spy(self, memo, project, index):
        original(self, memo, project, index)
        found.append([fact.id for fact in self.todo])

    monkeypatch.setattr(verified.Verified, "__init__", spy)
    return found


MISUSES = [("- id: ", "- id: section-"), ("  topics: [", "  topics: [undeclared-topic, "),
           ("    - source: ", "    - source: todo-"),
           ("  citations:\n", "  translations: {xx: {claim: \"Xx\"}}\n  citations:\n"),
           ("  citations:\n", "  said: 2099-01-01\n  citations:\n"),
           ("  citations:\n", "  date_note: \"See [the notice](ftp://example.org/notice).\"\n  citations:\n")]
