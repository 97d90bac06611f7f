"""Incremental rebuilds (explainer/incremental.py) give the same bytes as a cold build, whatever the edits.

A generated project with small pages (many list pages) is edited at random, a step at a time, with
a fixed seed per run: claims, dates, titles, summaries, templates, the stylesheet and site.yaml
change; facts are added, removed (with every reference to them) and renamed; a file is broken and
later repaired. After every step the incremental builder and a cold build must agree: the same
pages byte for byte and the same warnings, or the same problems when the content is wrong.
"""

from __future__ import annotations

import gc
import json
import random
import re
import shutil
import sys
import tempfile
import weakref
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from explainer import entries as entries_module
from explainer import pipeline
from explainer.errors import BuildError
from explainer.incremental import IncrementalBuilder
from explainer.renewed import MADE
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


@pytest.mark.parametrize("seed", [1, 2])
def test_an_edition_rebuilt_from_its_memo_matches_a_cold_build(tmp_path, seed):
    """Each other edition keeps its own pages (BuildCache.editions): the same bytes after any edits."""
    root = two_language_project(tmp_path)
    reused = random_edits(root, tmp_path, random.Random(seed), UK_EDITS + EDITS, 10,
                          lambda builder: builder.cache.editions["uk"].reused)
    assert reused > 0


def test_an_edition_renders_again_only_the_pages_an_edit_changes(tmp_path):
    """No edit: no Ukrainian list page is rendered again; a translated claim: its page; the catalog: all."""
    root = two_language_project(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    memo = builder.cache.editions["uk"]
    builder.build(root, tmp_path / "inc")
    kept = memo.reused
    assert kept > 1 and kept == len([name for name in memo._pages.last if not name.startswith("embed/")])
    translate_claim(root, random.Random(3), 1)
    builder.build(root, tmp_path / "inc")
    assert memo.reused == kept - 1
    edit(root / "locales/uk.po", lambda t: t.replace('msgstr "факт"', 'msgstr "факт№"'))
    result = builder.build(root, tmp_path / "inc")
    assert memo.reused == 0  # the catalog's words are on every page
    assert builder.cache.render.reused == kept  # the English pages read no Ukrainian word
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


def one_page_two_languages(tmp_path: Path) -> Path:
    """The small two-language fixture, on one page, with its own catalog: each edition's files kept whole."""
    from _languages_fixture import FILES
    from conftest import make_project

    root = make_project(tmp_path / "site", FILES).root
    (root / "locales").mkdir(exist_ok=True)
    shutil.copy(REPO / "locales" / "uk.po", root / "locales" / "uk.po")
    return root


# (edit, whether the Ukrainian edition shows it, file, old text, new text): an edition of a story on one
# page is kept whole while nothing it shows changed (fingerprints.edition_key); each step is checked
# against a cold build. A file of the theme is first copied into the project.
ONE_PAGE_EDITS = [
    ("nothing", False, None, "", ""),
    ("the original claim of a translated fact", False, "content/facts.yaml", "claim: SBU", "claim: The SBU"),
    ("an original summary (the edition has its own)", False, "content/summaries/01-intro.md", "were", "were all"),
    ("the claim of an untranslated fact", True, "content/facts.yaml", "Swaps exchanged", "Swaps traded"),
    ("a translated claim", True, "content/facts.yaml", "claim: Командос СБУ", "claim: Бійці СБУ"),
    ("the original attribution (the chain is decided on it)", True, "content/facts.yaml",
     "attribution: the SBU", "attribution: the Test Gazette"),
    ("a source's original label", True, "content/sources.yaml", "label: the Test", "label: the"),
    ("the translated summary", True, "content/summaries/uk/01-intro.md", "невеликими", "малими"),
    ("a word of the catalog", True, "locales/uk.po", 'msgstr "факт"', 'msgstr "факт№"'),
    ("a template", True, "templates/_facts.html", '<ol class="facts"', '<ol data-x class="facts"'),
    ("the stylesheet", True, "static/style.css", "body {", ".x { color: red; }\nbody {"),
    ("nothing, after all that", False, None, "", ""),
]


def test_an_edition_on_one_page_is_kept_whole_while_nothing_it_shows_changed(tmp_path):
    root = one_page_two_languages(tmp_path)
    builder = IncrementalBuilder()
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    memo = builder.cache.editions["uk"]
    for name, shown, path, old, new in ONE_PAGE_EDITS:
        before = memo.edition_reused
        if path is not None:
            if not (root / path).exists():
                (root / path).parent.mkdir(exist_ok=True)
                shutil.copy(REPO / path, root / path)
            text = (root / path).read_text(encoding="utf-8")
            assert old in text, name
            (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")
        incremental = outcome(builder.build, root, tmp_path / "inc")
        assert incremental[0] == "built", name
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold"), name
        assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold"), name
        assert memo.edition_reused == before + (not shown), name


def test_an_edition_with_a_translated_label_follows_the_original_label(tmp_path):
    """The first source's label is translated; its original label still decides whether the source
    reports in its own voice (translated.chain). Made the first fact's claimant, the chain of that
    fact's Ukrainian page changes though the edition's own source does not: as in a cold build."""
    root = two_language_project(tmp_path)
    sources, facts = root / "content/sources.yaml", root / "content/facts.yaml"
    edit(sources, lambda t: re.sub(r'^(  label: "[^"]*"\n)', r'\g<1>  translations: {uk: {label: "Джерело"}}\n',
                                   t, count=1, flags=re.M))
    claimant = re.search(r'^  attribution: "([^"]*)"', facts.read_text(encoding="utf-8"), re.M).group(1)
    builder = IncrementalBuilder()
    before = builder.build(root, tmp_path / "inc")
    edit(sources, lambda t: re.sub(r'^  label: "[^"]*"\n', f'  label: "{claimant}"\n', t, count=1, flags=re.M))
    after = builder.build(root, tmp_path / "inc")
    assert after.pages == pipeline.build(root, tmp_path / "cold").pages
    assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold")
    changed = [name for name in before.pages if name.startswith("uk/facts-") and name.endswith(".html")
               and bytes(before.pages[name]) != bytes(after.pages[name])]
    assert changed and all("Джерело".encode() in bytes(before.pages[name]) for name in changed)


def test_an_edition_split_into_pages_is_not_kept_whole(tmp_path):
    """A split story's edition keeps its list pages one by one (and has search): no key is worked out."""
    root = two_language_project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    builder.build(root, tmp_path / "inc")
    memo = builder.cache.editions["uk"]
    assert memo.edition is None and memo.edition_reused == 0 and memo.reused > 0


def test_the_links_of_an_edition_kept_whole_are_not_read_again(tmp_path, monkeypatch):
    """The link check reads a page's links once per bytes object: another edition's kept files are not
    read again, and a link in them that a removed page breaks is still reported (unmet_links runs)."""
    from explainer import assets

    root = one_page_two_languages(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    read: list[str] = []
    page_links = assets.page_links
    monkeypatch.setattr(assets, "page_links", lambda page, data: read.append(page) or page_links(page, data))
    edit(root / "content/facts.yaml", lambda t: t.replace("claim: SBU", "claim: The SBU"))
    builder.build(root, tmp_path / "inc")
    assert read and not [page for page in read if page.startswith("uk/")]
    assert "index.html" in read  # rendered again: its new bytes are read


def test_a_broken_build_keeps_no_edition_and_the_repair_matches_a_cold_build(tmp_path):
    root = one_page_two_languages(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    good = (root / "content/facts.yaml").read_text(encoding="utf-8")
    (root / "content/facts.yaml").write_text(good.replace("claim: Swaps exchanged", "claim: 7 swaps exchanged"),
                                             encoding="utf-8")  # a number no quote holds: a content error
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    (root / "content/facts.yaml").write_text(good, encoding="utf-8")
    assert_as_cold(builder, root, tmp_path)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_builds_match_cold_builds_after_random_edits(tmp_path, seed):
    root = project(tmp_path)
    reused = random_edits(root, tmp_path, random.Random(seed), EDITS, 12,
                          lambda builder: builder.cache.render.reused, tampered=True)
    assert reused > 0  # the memo was used, so the comparison tested something


@pytest.mark.parametrize("seed", [4, 8])  # 8 rewrites an export in place: not read back
def test_exports_read_back_from_their_files_match_cold_builds_after_random_edits(tmp_path, seed, monkeypatch):
    """Every export counts as large, so the preview reads its unchanged chunks back from the files it
    wrote (held.py), with the output changed behind its back now and then (an export rewritten in
    place, removed, or the whole folder)."""
    from explainer import exports

    monkeypatch.setattr(exports, "IN_PIECES_AT", 100)
    root = project(tmp_path)
    reused = random_edits(root, tmp_path, random.Random(seed), EDITS, 12,
                          lambda builder: builder.cache.render.reused, tampered=True)
    assert reused > 0


def test_one_fact_edit_renders_one_list_page_again(tmp_path):
    root = project(tmp_path)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc")
    list_pages = [name for name in first.pages if name.startswith(("facts-", "timeline-", "sources"))
                  and name.endswith(".html")]
    edit_claim(root, random.Random(0), 1)
    second = builder.build(root, tmp_path / "inc")
    assert builder.cache.render.reused == len(list_pages) - 1
    changed = [name for name in list_pages if first.pages[name] != second.pages[name]]
    assert len(changed) == 1 and changed[0].startswith("facts-")


def test_a_fact_added_without_moving_the_lines_below_renumbers_their_pages(tmp_path, monkeypatch):
    """The facts below keep their entries and objects (validate.py renews them), not their numbers:
    their pages' fingerprints are kept by the fact objects and their numbers (fingerprints.own_inputs),
    and so are their export lines (a chunk per fact here, so no chunk of them is made again anyway)."""
    from explainer import export_memo

    monkeypatch.setattr(export_memo, "CHUNK_BITS", 0)
    root = project(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    add_fact_on_a_blank_line(root, random.Random(3), 1)
    assert_as_cold(builder, root, tmp_path)


def test_a_source_cited_by_one_more_fact_renders_its_page_again(tmp_path):
    """No fact moves, and the source's entry is the same: its page is fingerprinted by its citing facts too."""
    root = project(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    cite_another_source(root, random.Random(5), 1)
    assert_as_cold(builder, root, tmp_path)


def test_a_template_edit_renders_every_page_again(tmp_path):
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    edit(root / "templates" / "_facts.html", lambda t: t.replace("<ol class=\"facts\"", "<ol data-x class=\"facts\""))
    result = builder.build(root, tmp_path / "inc")
    assert builder.cache.render.reused == 0
    assert all(b"<ol data-x" in bytes(data) for name, data in result.pages.items() if name.startswith("facts-"))


def embed_pages(result: pipeline.BuildResult) -> dict[str, object]:
    return {name: data for name, data in result.pages.items() if name.startswith("embed/")}


def test_embeds_are_rendered_again_only_when_what_they_show_changes(tmp_path):
    """A claim no embed shows keeps every embed (the very page of the last build); a compared fact's
    claim renders its comparison's embed again, with the new claim, and no other; an event's title
    the timeline's. Each time the site is the cold build's."""
    root = project(tmp_path)
    ids = fact_ids(root)
    another = (f'\n- id: another\n  kind: change\n  title: "Another"\n  text: "Compared.[[{ids[1]}]]"\n'
               f'  facts: [{ids[1]}, {ids[2]}]\n')
    edit(root / "content/comparisons.yaml", lambda t: t + another)
    builder = IncrementalBuilder()
    first = embed_pages(builder.build(root, tmp_path / "inc"))
    comparisons = yaml.safe_load((root / "content/comparisons.yaml").read_text(encoding="utf-8"))
    assert len(first) == len(comparisons) + 1 and len(comparisons) > 1
    compared = comparisons[0]["facts"][0]
    elsewhere = next(fid for fid in fact_ids(root) if all(fid not in c["facts"] for c in comparisons))

    def claim(fid: str, new: str) -> None:
        edit(root / "content/facts.yaml",
             lambda t: t.replace(f"- id: {fid}\n  claim: \"", f"- id: {fid}\n  claim: \"{new} "))

    claim(elsewhere, "Edited alpha:")
    second = embed_pages(builder.build(root, tmp_path / "inc"))
    assert all(second[name] is first[name] for name in first)
    assert_as_cold(builder, root, tmp_path)

    claim(compared, "Edited beta:")
    third = embed_pages(builder.build(root, tmp_path / "inc"))
    again = [name for name in first if third[name] is not second[name]]
    assert again == [f"embed/comparison-{comparisons[0]['id']}.html"]
    assert b"Edited beta:" in bytes(third[again[0]])
    assert_as_cold(builder, root, tmp_path)

    edit(root / "content/timeline.yaml", lambda t: t.replace('title: "', 'title: "Event gamma ', ))
    fourth = embed_pages(builder.build(root, tmp_path / "inc"))
    assert [name for name in first if fourth[name] is not third[name]] == ["embed/timeline.html"]
    assert b"Event gamma" in bytes(fourth["embed/timeline.html"])
    assert_as_cold(builder, root, tmp_path)


def test_an_embed_template_that_reads_more_is_rendered_every_time(tmp_path):
    """A theme's embed that reads a name its fingerprint does not cover (here the summaries) is not
    kept: a new summary shows in it at once, as in a cold build."""
    root = project(tmp_path, facts=40)
    edit(root / "templates/embed_comparison.html",
         lambda t: t.replace("{% block main %}", "{% block main %}<p>{{ summaries | length }} summaries</p>", 1))
    builder = IncrementalBuilder()
    first = embed_pages(builder.build(root, tmp_path / "inc"))
    count = len(list(root.glob("content/summaries/*.md")))
    more = f"---\ntitle: More\norder: 99\n---\nMore.[[{fact_ids(root)[0]}]]\n"
    (root / "content/summaries/99-more.md").write_text(more, encoding="utf-8")
    second = embed_pages(builder.build(root, tmp_path / "inc"))
    assert not any(second[name] is first[name] for name in first)
    assert all(f"<p>{count + 1} summaries</p>".encode() in bytes(data)
               for name, data in second.items() if "comparison-" in name)
    assert_as_cold(builder, root, tmp_path)


def quoted_fact(built: pipeline.BuildResult) -> tuple:
    """A fact whose first quote is word for word in its source's archive, that citation and the archive file."""
    project = built.project
    fact = next(f for f in project.facts if f.citations and f.citations[0].quote in
                project.sources_by_id[f.citations[0].source].text)
    citation = fact.citations[0]
    return fact, citation, project.root / "seeds" / project.sources_by_id[citation.source].archive


def test_a_changed_archive_renders_the_quotes_in_context_again(tmp_path):
    """Words added after a quote in its source's archived text: the quote's offset is the same,
    but the fact's page shows the new words in its quote in context (Renderer.in_context)."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    _fact, citation, archive = quoted_fact(builder.build(root, tmp_path / "inc"))
    text = archive.read_text(encoding="utf-8")
    archive.write_text(text.replace(citation.quote, citation.quote + " zanzibarred", 1), encoding="utf-8")
    edit(root / "content/sources.yaml", lambda t: t.replace(archive_sha256(text),
                                                            archive_sha256(archive.read_text(encoding="utf-8"))))
    second = builder.build(root, tmp_path / "inc")
    assert second.pages == pipeline.build(root, tmp_path / "cold").pages
    shown = [name for name, data in second.pages.items() if name.startswith("facts-") and b"zanzibarred" in bytes(data)]
    assert shown, "the fact's page shows the archive's new words in context"


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


def test_list_pages_that_read_other_variables_are_rendered_every_time(tmp_path):
    """A theme whose fact list shows something the page fingerprint does not cover stays correct."""
    root = project(tmp_path, facts=40)
    edit(root / "templates" / "_facts.html", lambda t: t.replace('<ol class="facts"',
                                                                 '<p>{{ comparisons | length }}</p><ol class="facts"'))
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    edit_claim(root, random.Random(0), 1)
    result = builder.build(root, tmp_path / "inc")
    assert builder.cache.render.reused == 0
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


@pytest.mark.parametrize("incremental", [False, True])
def test_a_finished_build_is_freed_by_reference_counting(tmp_path, incremental):
    """The collector is paused during a build and freezes what is left: nothing may hold the build in a cycle.

    (Compiled templates keep their filters in reference cycles; the filters once were the renderer's
    own methods, so every build of a long-running preview stayed in memory.) The preview keeps each
    fact for its entry (renewed.items), so there the project and a source are watched instead.
    """
    root = project(tmp_path, facts=40)
    build = IncrementalBuilder().build if incremental else pipeline.build
    for _ in range(2):
        result = build(root, tmp_path / "out")
        kept = [weakref.ref(result.project), weakref.ref(result.project.sources[0])]
        if not incremental:
            kept.append(weakref.ref(result.project.facts[0]))
        del result
        assert [ref() for ref in kept] == [None] * len(kept)


def test_the_objects_of_a_changed_entry_are_freed_by_reference_counting(tmp_path):
    """An entry keeps the fact or event made from it (renewed.items), and nothing it holds may
    hold the entry in turn: once the entry's text changes, the old objects go without the collector."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project
    builder.build(root, tmp_path / "inc")  # the objects are kept from here on
    kept = [weakref.ref(first.facts[0]), weakref.ref(first.events[0])]
    first_id = first.facts[0].id
    del first
    edit(root / "content/facts.yaml", lambda t: re.sub(
        rf"(- id: {re.escape(first_id)}\n  claim: \")", r"\g<1>Edited: ", t))
    edit(root / "content/timeline.yaml", lambda t: t.replace('title: "', 'title: "Edited ', 1))
    gc.disable()
    try:
        builder.build(root, tmp_path / "inc")
        assert [ref() for ref in kept] == [None, None]
    finally:
        gc.enable()


def test_a_build_that_fails_with_a_bug_starts_the_next_one_afresh(tmp_path, monkeypatch):
    """Content problems keep the cache (what was kept is still good); anything else drops it."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    kept = builder.cache
    repair = break_file(root, random.Random(0), 1)
    with pytest.raises(BuildError):
        builder.build(root, tmp_path / "inc")
    assert builder.cache is kept
    repair()

    def fails(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "write_site", fails)
    with pytest.raises(OSError):
        builder.build(root, tmp_path / "inc")
    assert builder.cache is not kept


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


def test_a_file_repaired_after_a_syntax_error_keeps_every_facts_verdict(tmp_path, monkeypatch):
    """A save that breaks facts.yaml fails with no facts at all; the repair brings them back as they
    were, and the last good build's verdicts with them: no fact is checked again (it was 0.3 s at
    10,000 facts on every repair)."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    checked = facts_not_kept(monkeypatch)
    path.write_text(good.replace("  claim: ", '  claim: "unclosed ', 1), encoding="utf-8")
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    path.write_text(good, encoding="utf-8")
    repaired = outcome(builder.build, root, tmp_path / "inc")
    assert checked == [[], []]
    assert repaired == outcome(pipeline.build, root, tmp_path / "cold")


def test_an_archive_changed_while_a_file_was_broken_is_checked_after_the_repair(tmp_path):
    """The failed build's verdicts are not kept, and the last good build's are kept only for sources
    whose text is still the one they were checked against: a quote taken out of its archive while
    facts.yaml was broken is an error once it is repaired, as in a cold build."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    fact, citation, archive = quoted_fact(builder.build(root, tmp_path / "inc"))
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("  claim: ", '  claim: "unclosed ', 1), encoding="utf-8")
    text = archive.read_text(encoding="utf-8")
    archive.write_text(text.replace(citation.quote, "zanzibarred", 1), encoding="utf-8")
    edit(root / "content/sources.yaml", lambda t: t.replace(archive_sha256(text),
                                                            archive_sha256(archive.read_text(encoding="utf-8"))))
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    path.write_text(good, encoding="utf-8")
    repaired = outcome(builder.build, root, tmp_path / "inc")
    assert repaired == outcome(pipeline.build, root, tmp_path / "cold")
    assert repaired[0] == "failed" and any(f"'{fact.id}'" in problem for problem in repaired[1])


def test_a_one_fact_edit_parses_only_that_fact(tmp_path, monkeypatch):
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    texts = parsed_texts(monkeypatch)
    edit_claim(root, random.Random(0), 1)
    # Lines above every entry: all of them move, none is parsed again.
    edit(root / "content/facts.yaml", lambda t: "# a note\n\n" + t)
    result = builder.build(root, tmp_path / "inc")
    assert len(texts) == 1 and texts[0].startswith("- id: ") and "Edited beta: " in texts[0]
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


def test_errors_in_entries_below_inserted_lines_are_reported_where_they_are(tmp_path):
    """The kept entries' positions follow the lines inserted above them: file, line and column exact."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    path = root / "content/facts.yaml"
    edit(path, lambda t: "# a note\n\n# another\n" + t)
    ids = fact_ids(root)
    # A misspelt key in one entry, an unknown topic (a cross-entry check) in another, both untouched so far.
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n  claim: ", f"- id: {ids[30]}\n  claimm: "))
    edit(path, lambda t: re.sub(rf"(- id: {ids[35]}\n(?:(?!- id: ).*\n)*?  topics: \[)", r"\g<1>nosuch, ", t))
    lines = path.read_text(encoding="utf-8").split("\n")
    misspelt = next(n for n, line in enumerate(lines, 1) if line == "  claimm: " + line[10:] and "claimm" in line)
    undeclared = lines.index(f"- id: {ids[35]}") + 1
    incremental = outcome(builder.build, root, tmp_path / "inc")
    assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
    assert incremental[0] == "failed"
    shown = "\n".join(incremental[1])
    assert f"content/facts.yaml:{misspelt}:3: error: unknown key 'claimm' in fact" in shown
    assert f"content/facts.yaml:{undeclared}:3: error: fact '{ids[35]}' uses the undeclared topic 'nosuch'" in shown


def test_positions_in_kept_entries_come_from_their_own_text_once_the_first_parse_is_let_go(tmp_path, monkeypatch):
    """The first build's whole parse (text and positions, 40 MB at 50,000 facts) is let go once its
    items are checked (entries.FirstParse). A mistake in an entry kept since then is still placed
    exactly: a misspelt key and a key naming an unpublished language, both only found by asking the
    entry's text again, after lines were inserted above it and below it; the positions the model
    holds move with their entries without asking (the cited source and the topic, below)."""
    root = project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    ids = fact_ids(root)
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n  claim: ", f"- id: {ids[30]}\n  claimm: "))
    edit(path, lambda t: re.sub(rf"(- id: {ids[20]}\n(?:(?!- id: ).*\n)*?)  citations:\n",
                                r'\g<1>  translations: {xx: {claim: "Xx"}}\n  citations:\n', t))
    builder = IncrementalBuilder()
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    memo = builder.cache.files._entries[path]
    whole = {type(e.base).__name__ for e in memo.entries.values()}
    assert whole == {"FirstParse"} and all(e.base._doc is None for e in memo.entries.values())
    parsed = []
    parse = entries_module.FirstParse._parse
    monkeypatch.setattr(entries_module.FirstParse, "_parse", lambda self, i: parsed.append(i) or parse(self, i))
    for change in (lambda t: "# a note\n\n" + t,
                   lambda t: t.replace(f"- id: {ids[25]}\n", f"# another\n- id: {ids[25]}\n"),
                   lambda t: re.sub(r"(?m)^  topics: \[", "  topics: [nosuch, ", t, count=1)):
        edit(path, change)
        found = outcome(builder.build, root, tmp_path / "inc")
        assert found == outcome(pipeline.build, root, tmp_path / "cold")
        shown = "\n".join(found[1])
        lines = path.read_text(encoding="utf-8").split("\n")
        misspelt = next(n for n, line in enumerate(lines, 1) if line.startswith("  claimm: "))
        translated = next(n for n, line in enumerate(lines, 1) if line.startswith("  translations: {xx:"))
        assert f"content/facts.yaml:{misspelt}:3: error: unknown key 'claimm' in fact" in shown
        assert f"content/facts.yaml:{translated}:" in shown and "translation into 'xx'" in shown
    assert sorted(set(parsed)) == [20, 30]  # only the two entries whose mistakes are not where the model points
    assert "undeclared topic 'nosuch'" in shown


def test_a_yaml_error_in_one_entry_is_reported_for_the_whole_file_and_repaired_entry_by_entry(tmp_path, monkeypatch):
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    ids = fact_ids(root)
    edit(path, lambda t: t.replace(f"- id: {ids[20]}\n  claim: \"", f"- id: {ids[20]}\n  claim: \"\"unclosed "))
    line = path.read_text(encoding="utf-8").split("\n").index(f"- id: {ids[20]}") + 2
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold")
    assert any(p.startswith(f"content/facts.yaml:{line}:") and "invalid YAML" in p for p in failed[1])
    texts = parsed_texts(monkeypatch)
    path.write_text("# repaired\n" + good, encoding="utf-8")
    repaired = outcome(builder.build, root, tmp_path / "inc")
    assert repaired == outcome(pipeline.build, root, tmp_path / "cold") and repaired[0] == "built"
    assert texts == []  # every entry was kept from the build before the mistake


@pytest.mark.parametrize("text", [
    "- a\n- b\n", "# head\n\n- a\n  # note\n- b\n\n", "-\n  a: 1\n- b\n", "- a\n...\n- b\n", "---\n- a\n",
    "%YAML 1.1\n---\n- a\n", "[a, b]\n", "a: 1\n- b\n", "- a\n\t- b\n", "- a\r\n- b\r\n", "x\n- a\n", "",
    "- a\n---\n- b\n", "- a\n%x\n", "-x\n- a\n", "# c\n-\n  - b\n",
])
def test_a_list_file_splits_only_where_entries_parse_alone_to_the_same_items(text):
    from explainer.entry_split import split_entries
    from explainer.errors import Problems
    from explainer.yamlsafe import load_yaml

    split = split_entries(text)
    if split is None:
        return
    pieces = list(zip(*split, strict=True))
    assert "".join(piece for _, piece in pieces) == text[len(text) - sum(len(p) for _, p in pieces):]
    whole = load_yaml(Path("x.yaml"), Problems(Path(".")), text=text)
    items = [load_yaml(Path("x.yaml"), Problems(Path(".")), text=piece).data[0] for _, piece in pieces]
    assert whole.data == items
    for (start, piece), i in zip(pieces, range(len(items)), strict=True):
        assert whole.mark((i,))[0] == start + 1 + (piece[1:2] == "\n")  # a lone '-': the item starts below


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["-", " ", "\n", "a", ".", "%", "#", "---", "...", "\t", "x: 1", "  - b"]),
                max_size=14).map("".join))
def test_a_list_file_splits_at_each_entry_and_nowhere_else(text):
    """Each piece starts with '- ' (or a lone '-') at a line's start and holds no other such line;
    a text with a document marker, a directive or a tab at a line's start is not split."""
    from explainer.entry_split import split_entries

    split = split_entries(text)
    lines = text.split("\n")
    if any(line.startswith(("---", "...", "%")) for line in lines) or "\t" in text:
        assert split is None
    if split is None:
        return
    pieces = list(zip(*split, strict=True))
    entry = re.compile(r"^-(?: |$)", re.M)
    assert "".join(piece for _, piece in pieces) == text[len(text) - sum(len(p) for _, p in pieces):]
    for _, piece in pieces:
        assert [m.start() for m in entry.finditer(piece)] == [0]
    head = text[: len(text) - sum(len(p) for _, p in pieces)]
    assert all(not line.strip() or line.lstrip().startswith("#") for line in head.split("\n"))
    assert [start for start, _ in pieces] == [n for n, line in enumerate(lines) if entry.match(line)]


MISUSES = [("- id: ", "- id: section-"), ("  topics: [", "  topics: [undeclared-topic, "),
           ("    - source: ", "    - source: todo-"),
           ("  citations:\n", "  translations: {xx: {claim: \"Xx\"}}\n  citations:\n"),
           ("  citations:\n", "  said: 2099-01-01\n  citations:\n"),
           ("  citations:\n", "  date_note: \"See [the notice](ftp://example.org/notice).\"\n  citations:\n")]


@pytest.mark.parametrize("old, new", MISUSES, ids=["reserved-id", "undeclared-topic", "placeholder", "translation",
                                                   "said-after-its-source", "note-link"])
def test_a_pass_over_every_fact_still_finds_a_kept_facts_mistake(tmp_path, old, new):
    """The passes over every fact look only at the facts made afresh while they found nothing last
    time (kept_checks.py), and only while every fact the build renews was in the last build's list:
    a fact's mistake is still found after the file was broken whole and put back, and after a save
    elsewhere; mended, it is gone."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    path = root / "content/facts.yaml"
    good = path.read_text(encoding="utf-8")
    block = list(FACT_BLOCK.finditer(good))[25]
    mistaken = good[:block.start()] + block.group(0).replace(old, new, 1) + good[block.end():]
    builder.build(root, tmp_path / "inc")
    path.write_text(mistaken, encoding="utf-8")
    found = outcome(builder.build, root, tmp_path / "inc")
    assert found == outcome(pipeline.build, root, tmp_path / "cold")
    assert found[0] == "failed" or found[1][1]  # an error, or a warning
    assert any(word in str(found) for word in ("section-", "undeclared-topic", "todo-", "'xx'", "January 2099", "ftp:"))
    for text in (mistaken + "\n- [unclosed\n", mistaken, mistaken.replace("  claim: \"", "  claim: \"Beta ", 1)):
        path.write_text(text, encoding="utf-8")
        assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    path.write_text(good, encoding="utf-8")
    assert_as_cold(builder, root, tmp_path)


class SaveClock:
    """file_memo's clock and sleep, where each step waited is a step of time and may write the rest of a save."""

    def __init__(self, rest=None, every_step=False) -> None:
        self.now, self.steps, self.rest, self.every_step = 0.0, 0, rest, every_step

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.steps += 1
        if self.rest is not None:
            self.rest()
            if not self.every_step:
                self.rest = None


def reads_of(monkeypatch, path: Path, then=lambda n: None) -> list[int]:
    """The sizes file_memo reads of ``path``, in order; ``then(n)`` runs right after the n-th read."""
    from explainer import file_memo

    sizes: list[int] = []
    original = file_memo.read_bytes

    def read_bytes(where, quick=False):
        raw = original(where, quick)
        if where == path:
            sizes.append(len(raw))
            then(len(sizes))
        return raw

    monkeypatch.setattr(file_memo, "read_bytes", read_bytes)
    return sizes


@pytest.mark.parametrize("caught", ["emptied", "growing"])
def test_a_save_caught_as_it_is_written_is_read_once_it_is_saved(tmp_path, monkeypatch, caught):
    """The watch reports a save from its first change, and an editor that writes a large file in
    place empties it first, then writes it over tens of milliseconds: the preview's build read it
    half written and failed, and the rest of the save was a second build. It now reads a file once
    no save is writing it (file_memo._read_saved): a large file found empty, or one that changed while
    it was read, is looked at again until it has held still for a few steps, then read whole."""
    from explainer import file_memo

    root = project(tmp_path, facts=60)
    path = root / "content/facts.yaml"
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    saved = path.read_text(encoding="utf-8").replace('  claim: "', '  claim: "Saved whole: ', 1)
    monkeypatch.setattr(file_memo, "EMPTIED_AT", 10_000)  # facts.yaml is large here (60 facts: ~25 KB)
    def rest_of_save(n: int) -> None:
        if caught == "growing" and n == 1:
            path.write_text(saved, encoding="utf-8")  # the rest of the save, written while it was read

    reads = reads_of(monkeypatch, path, rest_of_save)
    if caught == "emptied":
        path.write_text("", encoding="utf-8")  # the save's first step: the file truncated
        clock = SaveClock(lambda: path.write_text(saved, encoding="utf-8"))
    else:
        path.write_text(saved[: len(saved) // 2], encoding="utf-8")  # the part written when the read began
        clock = SaveClock()
    monkeypatch.setattr(file_memo, "time", clock)
    result = builder.build(root, tmp_path / "inc")
    assert "Saved whole: " in result.project.facts[0].claim
    assert reads == ([len(saved.encode())] if caught == "emptied" else [len(saved.encode()) // 2, len(saved.encode())])
    quiet = file_memo.SETTLE_QUIET_STEPS  # steps in a row without a change: the save is done
    assert clock.steps == (1 + quiet if caught == "emptied" else quiet)
    assert_as_cold(builder, root, tmp_path)


def test_a_file_emptied_on_purpose_is_read_empty_after_a_while(tmp_path, monkeypatch):
    """A large file that stays empty is read as it is after SETTLE_MAX_S, and the build says what is
    wrong as a cold build does; a small file emptied is read at once (an editor may empty one)."""
    from explainer import file_memo

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    clock = SaveClock()
    monkeypatch.setattr(file_memo, "time", clock)
    monkeypatch.setattr(file_memo, "EMPTIED_AT", 10_000)  # facts.yaml is large here (~25 KB), a summary not
    (root / "content/facts.yaml").write_text("", encoding="utf-8")
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    waited = file_memo.SETTLE_MAX_S / file_memo.SETTLE_STEP_S
    assert clock.steps == pytest.approx(waited, abs=file_memo.SETTLE_QUIET_STEPS)
    steps, clock.steps = clock.steps, 0
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    assert clock.steps == 0, "read empty last time: nothing to wait for"
    summary = sorted((root / "content/summaries").glob("*.md"))[0]
    summary.write_text("", encoding="utf-8")  # under EMPTIED_AT
    outcome(builder.build, root, tmp_path / "inc")
    assert clock.steps == 0 and steps > 0


def test_a_file_that_never_holds_still_is_read_as_it_is_after_a_while(tmp_path, monkeypatch):
    """A file written to at every step (a program appending to it) is read at SETTLE_MAX_S as it is
    then: the build goes on, and gives what a cold build of that text gives."""
    from explainer import file_memo

    root = project(tmp_path, facts=60)
    path = root / "content/facts.yaml"
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    def append(_n: int = 0) -> None:
        with path.open("a", encoding="utf-8") as out:
            out.write("# still being written\n")

    reads = reads_of(monkeypatch, path, append)  # each read is followed by a change
    clock = SaveClock(append, every_step=True)  # ...and so is each step waited
    monkeypatch.setattr(file_memo, "time", clock)
    result = outcome(builder.build, root, tmp_path / "inc")
    assert result[0] == "built"
    assert clock.steps == pytest.approx(file_memo.SETTLE_MAX_S / file_memo.SETTLE_STEP_S, abs=1)
    assert len(reads) == 2  # once, then again at the deadline


@pytest.mark.parametrize("cut", ["second half", "first half"])
def test_a_file_read_half_written_costs_the_next_build_nothing(tmp_path, monkeypatch, cut):
    """An editor that writes a file in place can be read half written, cut between two entries: that
    build fails (the timeline cites facts that are gone). The entries it let go are kept until a
    build succeeds (entries.EntryMemo._dropped), so the whole file again makes no fact afresh: each
    is the object of the last good build; and a kept fact's warning, which the passes over every fact
    found before the cut, is still given (they look at every fact after entries came back)."""
    root = project(tmp_path, facts=60)
    path = root / "content/facts.yaml"
    blocks = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))
    left_out = blocks[30:] if cut == "second half" else blocks[:30]
    warned = next(b for b in left_out if "  date_note:" not in b.group(0))  # a fact the cut leaves out
    old, new = MISUSES[5]  # a date note's link to an ftp:// address: a warning
    good = path.read_text(encoding="utf-8")
    good = good[:warned.start()] + warned.group(0).replace(old, new, 1) + good[warned.end():]
    path.write_text(good, encoding="utf-8")
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc")
    assert any("ftp://" in w.format() for w in first.warnings)
    blocks = list(FACT_BLOCK.finditer(good))
    half = blocks[30].start()
    head = good[:blocks[0].start()]
    path.write_text(good[:half] if cut == "second half" else head + good[half:], encoding="utf-8")
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    path.write_text(good, encoding="utf-8")
    parsed = parsed_texts(monkeypatch)
    again = builder.build(root, tmp_path / "inc")
    # Not the file whole, nor any entry but the warned fact's own, for its warning's position (its
    # first parse let go of positions: entries.FirstParse): every entry is the last good build's.
    assert [text.split("\n", 1)[0] for text in parsed] == [f"- id: {warned.group(1)}"]
    kept = [a is b for a, b in zip(again.project.facts, first.project.facts, strict=True)]
    assert kept.count(False) == (0 if cut == "second half" else 30)  # put back after facts it came after: copies
    assert [w.format() for w in again.warnings] == [w.format() for w in first.warnings]
    assert_as_cold(builder, root, tmp_path)


def test_the_events_markdown_is_looked_up_only_when_an_event_or_a_number_changed(tmp_path, monkeypatch):
    """MarkdownTexts.events_html: while the events are the last build's objects and every fact keeps its
    number and page, the timeline's texts are not looked up one by one; an edited event, or a fact added
    above the facts they cite (their numbers change), has them all looked up. Each build as cold."""
    from explainer.markdown_render import MarkdownTexts

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    texts = set(re.findall(r'^  text: "(.*)"$', (root / "content/timeline.yaml").read_text(encoding="utf-8"), re.M))
    looked_up = recorded(monkeypatch, MarkdownTexts, "markdown", lambda renderer, text, inline=False: text)

    def events_looked_up() -> int:
        looked_up.clear()
        incremental = outcome(builder.build, root, tmp_path / "inc")
        found = sum(text in texts for text in looked_up)
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
        return found

    edit_claim(root, random.Random(3), 1)
    assert events_looked_up() == 0
    add_fact_on_a_blank_line(root, random.Random(4), 2)  # the facts below it are numbered again
    assert events_looked_up() > 0
    edit_event(root, random.Random(5), 3)
    assert events_looked_up() > 0
    blocks = [m.group(0) for m in FACT_BLOCK.finditer((root / "content/facts.yaml").read_text(encoding="utf-8"))]
    swapped = [blocks[1], blocks[0], *blocks[2:]]  # as many facts, two numbered the other way round
    edit(root / "content/facts.yaml", lambda t: t[:t.index(blocks[0])] + "".join(swapped))
    assert events_looked_up() > 0


def test_an_events_topics_follow_a_fact_it_cites(tmp_path):
    """Renderer.event_topics keeps an event's topics by the fact objects it cites: a cited fact given other
    topics (a new object) changes its event's, as in a cold build."""
    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    edit_claim(root, random.Random(3), 1)  # taken whole
    assert_as_cold(builder, root, tmp_path)
    cited = re.search(r"^  facts: \[([^,\]]+)", (root / "content/timeline.yaml").read_text(encoding="utf-8"), re.M)[1]
    own_topics = rf"(- id: {re.escape(cited)}\n(?:(?!- id: ).*\n)*?  topics: )\[[^\]]*\]"
    edit(root / "content/facts.yaml", lambda t: re.sub(own_topics, r"\g<1>[offensive, talks]", t, count=1))
    assert_as_cold(builder, root, tmp_path)
    page = next(p for p in (tmp_path / "inc").glob("timeline*.html") if f"#{cited}" in p.read_text(encoding="utf-8"))
    assert "offensive" in page.read_text(encoding="utf-8")


def test_a_pass_skipped_by_a_build_forgets_what_it_found(tmp_path):
    """What a pass over every fact found is kept for the next build only (kept_checks.py): while
    site.yaml is broken the declared topics are not checked, so a fact given an undeclared topic
    then is still reported once site.yaml is mended, though it is renewed by then."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    site, facts = root / "site.yaml", root / "content/facts.yaml"
    good_site = site.read_text(encoding="utf-8")
    site.write_text(good_site.replace("title: ", "title: [unclosed ", 1), encoding="utf-8")
    edit(facts, lambda t: t.replace("  topics: [", "  topics: [undeclared-topic, ", 1))
    assert outcome(builder.build, root, tmp_path / "inc")[0] == "failed"
    site.write_text(good_site, encoding="utf-8")
    found = outcome(builder.build, root, tmp_path / "inc")
    assert found == outcome(pipeline.build, root, tmp_path / "cold")
    assert any("undeclared topic 'undeclared-topic'" in p for p in found[1])


def test_a_save_that_moves_nothing_lays_out_no_page_again(tmp_path, monkeypatch):
    """The pages are filled again from the last layout while every item's id and date are the same
    (paginate.KeptLayout); a new date, a new order or new limits lay them out afresh, as cold."""
    from explainer import paginate

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    laid = recorded(monkeypatch, paginate, "by_date")

    def laid_out_by_a_save() -> list[str]:
        laid.clear()
        incremental = outcome(builder.build, root, tmp_path / "inc")
        sections = list(laid)
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold")
        return sections

    edit_claim(root, random.Random(1), 2)
    assert laid_out_by_a_save() == []
    timeline = root / "content/timeline.yaml"
    first = re.search(r'^- date: "([^"]*)"', timeline.read_text(encoding="utf-8"), re.M).group(1)
    edit(timeline, lambda t: t.replace(f'- date: "{first}"', '- date: "2026-01-02"', 1))  # now the last event
    assert "timeline" in laid_out_by_a_save()
    edit(root / "site.yaml", lambda t: t.replace("facts_per_page: 12", "facts_per_page: 7"))
    assert "facts" in laid_out_by_a_save()
    assert read_tree(tmp_path / "inc") == read_tree(tmp_path / "cold")


_PIECES = ["-", " ", "\n", "a", ".", "%", "#", "---", "...", "\t", "x: 1", "  - b", "\n- ", "\n-\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join), st.integers(0, 200), st.integers(0, 6),
       st.lists(st.sampled_from(_PIECES), max_size=3).map("".join), st.sampled_from([1, 3, 1 << 16]))
def test_a_changed_list_file_splits_from_the_last_split_as_it_splits_whole(old, at, cut, inserted, block):
    """The preview splits a saved file again only where it changed (entry_split.moved_starts): wherever
    that tells, the same places as a whole split, and the entries outside the change the same texts.
    (Compared a few characters at a time too: ``block``.)"""
    from explainer import entry_split

    last = entry_split.entry_starts(old)
    if last is None:
        return
    at = min(at, len(old))
    new = old[:at] + inserted + old[min(len(old), at + cut):]
    entry_split._BLOCK, usual = block, entry_split._BLOCK
    try:
        moved = entry_split.moved_starts(old, last[1], new)
    finally:
        entry_split._BLOCK = usual
    whole = entry_split.entry_starts(new)
    if moved is None:
        assert whole is None or at < last[1][0] + 3  # it declines only when the change is that near the start
        return
    a, b, middle = moved
    starts = last[1][:a] + middle + [start + len(new) - len(old) for start in last[1][b:]]
    assert whole == (last[0], starts)
    old_texts, new_texts = entry_split.entry_texts(old, last[1]), entry_split.entry_texts(new, starts)
    assert old_texts[:a] == new_texts[:a] and old_texts[b:] == new_texts[len(new_texts) - len(old_texts) + b:]


def test_a_save_hashes_and_parses_only_the_entries_it_changed(tmp_path, monkeypatch):
    """At 10,000 facts, splitting and hashing every entry again was most of reading the file."""
    from explainer import entries

    root = project(tmp_path, facts=60)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    hashed = recorded(monkeypatch, entries, "entry_keys")
    ids = fact_ids(root)
    path = root / "content/facts.yaml"
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n  claim: \"", f"- id: {ids[30]}\n  claim: \"Gamma "))
    texts = parsed_texts(monkeypatch)
    assert_as_cold(builder, root, tmp_path)
    assert len(hashed) == 1 and len(hashed[0]) == 1 and hashed[0][0].startswith(f"- id: {ids[30]}\n")
    assert texts == hashed[0]


_ENTRIES = "".join(f'- id: f{n}\n  claim: "Claim {n}: a, b"\n  topics: [x, y]\n  notes: |\n    Line {n}\n\n'
                   for n in range(12))
_BREAKS = ['"', "'", "[", "{", ": ", "- ", "\n  ", "\n", "\n- a\n", "\n  x: [\n", " *a", " &b", "!!python/name:x ",
           "x: 1\nx: 2", "\u202e", "\x01", "#", "  : : broken [", "\n    - ", "|", ">-", "[[[[", "}"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(_ENTRIES)), st.integers(0, 12), st.lists(st.sampled_from(_BREAKS), min_size=1, max_size=3))
def test_a_broken_save_reports_what_a_whole_parse_reports(at, cut, inserted):
    """A save that breaks a list file is reported from where its first changed entry starts when that
    parse stops at a mistake (entries._stops_below), not from a parse of the whole file: the same
    messages, lines and columns as the whole parse, whatever the mistake and wherever it is."""
    from explainer.entries import EntryMemo
    from explainer.errors import Problems
    from explainer.yamlsafe import load_yaml

    path = Path("content/facts.yaml")
    memo = EntryMemo()
    assert memo.load(path, _ENTRIES, Problems(Path(".")), most_new=100) is not None
    bad = _ENTRIES[:at] + "".join(inserted) + _ENTRIES[at + cut:]
    whole, saved = Problems(Path(".")), Problems(Path("."))
    expected = load_yaml(path, whole, text=bad)
    doc = memo.load(path, bad, saved, most_new=100)
    assert [p.format() for p in saved.items] == [p.format() for p in whole.items]
    assert (doc is None) == (expected is None)
    if doc is not None and not saved.items:
        assert doc.data == expected.data


def test_a_broken_save_is_not_parsed_whole(tmp_path, monkeypatch):
    """A mistake in the middle of the file: the entries above it are not parsed again, and the error
    names the line and column a whole parse names (and a cold build does)."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    ids = fact_ids(root)
    path = root / "content/facts.yaml"
    edit(path, lambda t: t.replace(f"- id: {ids[30]}\n", f"- id: {ids[30]}\n  : : broken [\n"))
    texts = parsed_texts(monkeypatch)
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold") and failed[0] == "failed"
    line = path.read_text(encoding="utf-8").split("\n").index("  : : broken [") + 1
    assert any(p.startswith(f"content/facts.yaml:{line}:") and "invalid YAML" in p for p in failed[1])
    whole = path.read_text(encoding="utf-8")
    assert whole not in texts and texts[-1].startswith(f"- id: {ids[30]}\n")  # parsed from that entry on


class IncrementalEdits(RuleBasedStateMachine):
    """Hypothesis chooses the edits (and when to repair a broken file); after each, both builds agree."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="incremental-"))
        self.root = project(self.folder, facts=40)
        self.builder = IncrementalBuilder()
        self.repairs: list = []
        self.steps = 0

    @rule(change=st.sampled_from(EDITS), seed=st.integers(0, 2**16))
    def change(self, change, seed: int) -> None:
        self.steps += 1
        repair = change(self.root, random.Random(seed), self.steps % len(STEP_WORDS))
        if repair:
            self.repairs.append(repair)

    @precondition(lambda self: self.repairs)
    @rule()
    def repair(self) -> None:
        self.repairs.pop()()

    @precondition(lambda self: (self.folder / "inc").is_dir())
    @rule(seed=st.integers(0, 2**16))
    def tamper_with_the_output(self, seed: int) -> None:
        """The preview writes only what changed (write_changes.py): what others did to the folder is put right."""
        tamper(self.folder / "inc", random.Random(seed))

    @invariant()
    def same_as_a_cold_build(self) -> None:
        incremental = outcome(self.builder.build, self.root, self.folder / "inc")
        assert incremental == outcome(pipeline.build, self.root, self.folder / "cold")
        if incremental[0] == "built":
            assert read_tree(self.folder / "inc") == read_tree(self.folder / "cold")

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


IncrementalEdits.TestCase.settings = settings(max_examples=3, stateful_step_count=6, deadline=None,
                                              suppress_health_check=list(HealthCheck))
test_incremental_edits_in_any_order = IncrementalEdits.TestCase


class IncrementalEditsTwoLanguages(IncrementalEdits):
    """The same, with a Ukrainian edition: its translations, translated summary and catalog change too."""

    def __init__(self) -> None:
        super().__init__()
        shutil.rmtree(self.folder / "project")
        self.root = two_language_project(self.folder, facts=40)

    @rule(change=st.sampled_from(UK_EDITS), seed=st.integers(0, 2**16))
    def translate(self, change, seed: int) -> None:
        self.steps += 1
        change(self.root, random.Random(seed), self.steps % len(STEP_WORDS))


IncrementalEditsTwoLanguages.TestCase.settings = settings(max_examples=3, stateful_step_count=6, deadline=None,
                                                          suppress_health_check=list(HealthCheck))
test_incremental_edits_in_two_languages = IncrementalEditsTwoLanguages.TestCase


def test_the_numbers_of_unchanged_facts_are_not_read_again(tmp_path, monkeypatch):
    """A fact made from an entry that passed the numbers check last time passes unread (numbers.py)."""
    from explainer import numbers

    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    checked = recorded(monkeypatch, numbers, "_check_fact", lambda fact, problems: fact.id)
    repair = unquoted_number(root, random.Random(0), 1)
    failed = outcome(builder.build, root, tmp_path / "inc")
    assert failed == outcome(pipeline.build, root, tmp_path / "cold") and failed[0] == "failed"
    assert any("in none of its quotes" in p for p in failed[1])
    assert len(checked) == 1 + 40  # the cold build read every fact; the preview only the edited one
    checked.clear()
    repair()
    built = outcome(builder.build, root, tmp_path / "inc")
    assert built == outcome(pipeline.build, root, tmp_path / "cold") and built[0] == "built"
    # The repaired entry's text is the last good build's: its fact is that build's object, which passed
    # (entries.EntryMemo keeps what a failed build let go): read by the cold build only.
    assert len(checked) == 40


def test_a_fact_of_an_unchanged_entry_is_the_same_object_renewed(tmp_path):
    """The preview keeps each fact for its entry: the same object while the entry's text is the
    same, moved with it when lines come in above it, a new one when its text changes; what later
    stages set on it is worked out again. Once made, its entry lets go of the record it was made
    from (renewed.MADE stands in its place)."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project.facts
    edit_claim(root, random.Random(0), 1)
    second = outcome(builder.build, root, tmp_path / "inc")
    assert second == outcome(pipeline.build, root, tmp_path / "cold")
    facts = builder.build(root, tmp_path / "inc").project.facts
    same = [a is b for a, b in zip(first, facts, strict=True)]
    assert same.count(False) == 1
    assert [f.number for f in facts] == list(range(1, 41)) and all(f.spot is None for f in facts)
    assert all(c.offset >= 0 for f in facts for c in f.citations)
    entries = builder.cache.files._entries[root / "content/facts.yaml"].entries
    assert all(entry.clean is MADE for entry in entries.values())
    was = [(f.where.line, [c.where.line for c in f.citations]) for f in facts]
    edit(root / "content/facts.yaml", lambda t: "# moved\n\n" + t)  # every entry two lines down
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    moved = builder.build(root, tmp_path / "inc").project.facts
    assert all(a is b for a, b in zip(facts, moved, strict=True))
    assert [(f.where.line, [c.where.line for c in f.citations]) for f in moved] == [
        (line + 2, [c + 2 for c in quotes]) for line, quotes in was]
    assert [(f.where.line, f.where.column) for f in moved] == [
        (f.where.line, f.where.column) for f in pipeline.build(root, tmp_path / "cold").project.facts]


@pytest.mark.parametrize("from_the_start", [False, True])
def test_a_fact_written_twice_is_reported_as_a_cold_build_reports_it(tmp_path, from_the_start):
    """The same text twice in facts.yaml is one entry: its second place gets a copy of the kept
    fact, placed where it is (its record may be let go already), so the taken id is reported at
    both places, as a cold build reports it, after lines move both; mended, the site is a cold build's."""
    root = project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    block = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))[10].group(0)
    builder = IncrementalBuilder()
    if from_the_start:
        edit(path, lambda t: t + block)
    builder.build(root, tmp_path / "inc") if not from_the_start else None
    steps = [lambda t: t, lambda t: "# a note\n\n" + t, lambda t: t.replace(block, "# moved\n" + block, 1)]
    if not from_the_start:
        steps.insert(0, lambda t: t + block)
    for change in steps:
        edit(path, change)
        found = outcome(builder.build, root, tmp_path / "inc")
        assert found == outcome(pipeline.build, root, tmp_path / "cold")
        assert found[0] == "failed" and sum("duplicate" in line or "is also" in line for line in found[1]) >= 1
    edit(path, lambda t: t.replace(block, "", 1))
    assert_as_cold(builder, root, tmp_path)


def test_a_fact_moved_past_others_is_listed_where_a_cold_build_lists_it(tmp_path):
    """A fact whose entry is cut and pasted elsewhere is a new object (renewed._twin): what the
    later stages keep by fact (each source's list of the facts citing it) lists it in its new
    place. The facts it did not pass keep their objects, moved."""
    root = project(tmp_path, facts=40)
    path = root / "content/facts.yaml"
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project.facts
    block = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))[10].group(0)
    edit(path, lambda t: t.replace(block, "", 1) + block)  # to the end
    assert_as_cold(builder, root, tmp_path)
    moved = builder.build(root, tmp_path / "inc").project.facts
    assert [f.id for f in moved if not any(f is g for g in first)] == [first[10].id]
    last = list(FACT_BLOCK.finditer(path.read_text(encoding="utf-8")))[-1].group(0)
    edit(path, lambda t: t.replace("- id: ", last + "- id: ", 1)[: -len(last)])  # the last to the top
    assert_as_cold(builder, root, tmp_path)


def test_an_event_of_an_unchanged_entry_is_the_same_object_renewed(tmp_path):
    """The preview keeps each event for its entry, as each fact (renewed.items): what later steps
    set on it is worked out again. An event without an id takes one from its title, with -2 when an
    event above has the same title: once that title changes, the kept event's id loses the -2."""
    root = project(tmp_path, facts=40)
    path = root / "content/timeline.yaml"
    titles = re.findall(r'^  title: "(.*)"$', path.read_text(encoding="utf-8"), re.M)
    edit(path, lambda t: t.replace(f'title: "{titles[0]}"', f'title: "{titles[1]}"'))  # the same as the next's
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project.events
    assert first[1].id == first[0].id + "-2"
    edit(path, lambda t: t.replace(f'title: "{titles[1]}"', f'title: "{titles[0]}"', 1))  # the first's again
    second = outcome(builder.build, root, tmp_path / "inc")
    assert second == outcome(pipeline.build, root, tmp_path / "cold") and second[0] == "built"
    events = builder.build(root, tmp_path / "inc").project.events
    assert [a is b for a, b in zip(first, events, strict=True)].count(False) == 1
    assert events[1] is first[1] and not events[1].id.endswith("-2")
    # The first event lists its first fact alone, then that fact's source says a date note the
    # event inherits (notes.py), then the note goes: the kept event follows.
    edit(path, lambda t: re.sub(r"^  facts: \[([^,\]]+).*$", r"  facts: [\1]", t, count=1, flags=re.M))
    builder.build(root, tmp_path / "inc")
    fact = re.search(r"^  facts: \[(.*)\]$", path.read_text(encoding="utf-8"), re.M).group(1)
    facts = (root / "content/facts.yaml").read_text(encoding="utf-8")
    source = re.search(rf"^- id: {fact}\n(?:(?!- id: ).*\n)*?    - source: (\S+)", facts, re.M).group(1)
    sources = root / "content/sources.yaml"
    before = sources.read_text(encoding="utf-8")
    sources.write_text(before.replace(f"- id: {source}\n", f'- id: {source}\n  facts_date_note: "As reported."\n'),
                       encoding="utf-8")
    noted = builder.build(root, tmp_path / "inc")
    assert noted.project.events[0].date_note_source is not None
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    sources.write_text(before, encoding="utf-8")
    assert builder.build(root, tmp_path / "inc").project.events[0].date_note_source is None
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")


@pytest.mark.parametrize("change", [edit_label, toggle_date_note, edit_archive])
def test_kept_facts_show_what_their_sources_say_now(tmp_path, change):
    """A kept fact (renewed.items) is renewed: its attribution chain, inherited date note and quotes
    in context follow its sources' labels, notes and archives, as a cold build's do."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    for step in range(2):  # a date note added, then taken away again
        change(root, random.Random(step), step)
        incremental = outcome(builder.build, root, tmp_path / "inc")
        assert incremental == outcome(pipeline.build, root, tmp_path / "cold") and incremental[0] == "built"


def test_kept_export_lines_follow_facts_to_their_new_pages(tmp_path):
    """Two facts moved into a year that then needs a page per month: the year's other facts move to
    those pages with the same entries and numbers; their lines in facts.json and facts.csv give the
    new addresses."""
    from explainer.paginate import layout

    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    pages = layout(builder.build(root, tmp_path / "inc").project).facts.pages
    first, second = pages[0], pages[1]  # at 40 facts, a page per year of 9 to 11 facts
    for fact in second.items[: 13 - len(first.items)]:
        edit(root / "content/facts.yaml", lambda t, fid=fact.id: re.sub(
            rf"(- id: {re.escape(fid)}\n(?:(?!- id: ).*\n)*?  date: )\"[^\"]*\"", rf'\g<1>"{first.title}-06"', t))
    moved = outcome(builder.build, root, tmp_path / "inc")
    assert moved == outcome(pipeline.build, root, tmp_path / "cold") and moved[0] == "built"
    assert f"{first.name[:-5]}-06.html".encode() in moved[1][0]["facts.json"]


def test_markdown_stays_kept_over_rebuilds_that_reuse_all_of_it(tmp_path, monkeypatch):
    """A rebuild that took every text from the last build keeps them all for the next one too."""
    from explainer import render

    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    rendered: list[str] = []
    original = render.Renderer._markdown

    def markdown(self, text, inline=False):
        rendered.append(text)
        return original(self, text, inline)

    monkeypatch.setattr(render.Renderer, "_markdown", markdown)
    for step in range(3):
        edit_claim(root, random.Random(step), step)
        builder.build(root, tmp_path / "inc")
    assert rendered == []


def test_an_edit_to_many_entries_parses_the_file_whole(tmp_path, monkeypatch):
    """Past half the entries, one parse of the whole file is quicker than each entry's own."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    texts = parsed_texts(monkeypatch)
    edit(root / "content/facts.yaml", lambda t: t.replace('  claim: "', '  claim: "Edited: '))
    result = builder.build(root, tmp_path / "inc")
    whole = (root / "content/facts.yaml").read_text(encoding="utf-8")
    assert texts == [whole]
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


LIST_EDITS = [edit_claim, move_fact, remove_fact, rename_fact, add_fact, edit_event, edit_source, edit_label,
              edit_archive, insert_lines_above]


@pytest.mark.parametrize("bits", [0, 1, 63])
def test_kept_export_chunks_match_cold_builds_whatever_their_size(tmp_path, monkeypatch, bits):
    """The exports' lines are kept in chunks (export_memo.ExportMemo.lines), cut after an item whose id's
    hash has the low bits clear: every item a chunk, about two, about 64. Facts added, removed,
    moved and renamed, events and sources edited: the same bytes as a cold build."""
    from explainer import export_memo

    monkeypatch.setattr(export_memo, "CHUNK_BITS", bits)
    root = project(tmp_path)
    random_edits(root, tmp_path, random.Random(bits), LIST_EDITS, 8, lambda builder: 0)


def test_a_one_fact_edit_encodes_only_that_facts_lines_again(tmp_path, monkeypatch):
    """With a chunk per item, a claim edited makes one line of facts.json and one row of facts.csv
    again, and no event's or source's line."""
    from explainer import export_memo, exports

    monkeypatch.setattr(export_memo, "CHUNK_BITS", 0)
    made: list[str] = []
    for name in ("fact_line", "event_json", "source_json"):
        original = getattr(exports, name)
        monkeypatch.setattr(exports, name, lambda item, *rest, _f=original, _n=name: made.append(_n) or _f(item, *rest))
    original_edtf = exports._edtf  # twice a row of facts.csv: `said` and `as_of`
    monkeypatch.setattr(exports, "_edtf", lambda date: made.append("row") or original_edtf(date))
    root = project(tmp_path)
    builder = IncrementalBuilder()
    builder.build(root, tmp_path / "inc")
    made.clear()
    edit_claim(root, random.Random(4), 0)
    result = builder.build(root, tmp_path / "inc")
    assert made.count("fact_line") == 1 and made.count("event_json") == made.count("source_json") == 0
    assert made.count("row") == 2  # one row
    assert result.pages == pipeline.build(root, tmp_path / "cold").pages


def test_kept_entries_let_go_of_their_parsed_yaml_and_archives_are_held_once(tmp_path):
    """Memory at 50,000 facts: an entry checked clean keeps its record and positions, not its
    parsed YAML (the broken one keeps it, to be checked again); an archive read again is the
    string the last build held, not a second copy. The builds still match cold builds."""
    root = project(tmp_path, facts=40)
    builder = IncrementalBuilder()
    first = builder.build(root, tmp_path / "inc").project
    edit_claim(root, random.Random(0), 1)
    second = builder.build(root, tmp_path / "inc").project
    assert all(a.text is b.text for a, b in zip(first.sources, second.sources, strict=True))
    entries = builder.cache.files._entries[root / "content/facts.yaml"].entries
    assert len(entries) == 40 and all(e.value is None and e.clean is not None for e in entries.values())
    edit(root / "content/facts.yaml", lambda t: t.replace("  claim: ", "  colour: red\n  claim: ", 1))  # unknown
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
    entries = builder.cache.files._entries[root / "content/facts.yaml"].entries
    broken = [e for e in entries.values() if e.clean is None]
    assert len(broken) == 1 and broken[0].value is not None
    edit(root / "content/facts.yaml", lambda t: t.replace("  colour: red\n", "", 1))
    assert outcome(builder.build, root, tmp_path / "inc") == outcome(pipeline.build, root, tmp_path / "cold")
