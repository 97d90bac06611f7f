"""Generator rules that keep unfinished work off the page, and errors said once and to the point.

Each rule is tested on scratch fixtures (never on the shipped story), failing and passing, with the
exact `path:line:column: severity: message` and hint an editor sees.
"""

from __future__ import annotations

import pytest

from explainer.cli import main

SUMMARY = "content/summaries/01-intro.md"


@pytest.fixture
def run(project, capsys):
    def _run(*args: str) -> tuple[int, str]:
        code = main([*(args or ("check",)), "--project", str(project.root)])
        return code, capsys.readouterr().err
    return _run


def problems(err: str) -> list[str]:
    """Each problem with its hint, as one string: what the editor reads."""
    out: list[str] = []
    for line in err.splitlines():
        if line.startswith("    hint: ") and out:
            out[-1] += "\n" + line
        elif ": error: " in line or ": warning: " in line:
            out.append(line)
    return out


def test_the_fixture_passes_cleanly(run) -> None:
    code, err = run()
    assert code == 0 and problems(err) == []


# ---------------------------------------------------------------- 5. nothing unfinished is published


def test_todo_text_in_a_field_is_an_error(project, run) -> None:
    project.edit("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.", 'claim: "TODO: a claim"')
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/facts.yaml:13:10: error: 'claim' is still a TODO placeholder\n"
                             "    hint: replace it with the real claim"]


def test_placeholder_date_from_new_is_an_error(project, run) -> None:
    project.edit("content/facts.yaml", "date: 2024\n", 'date: "TODO: YYYY, YYYY-MM or YYYY-MM-DD"\n')
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/facts.yaml:15:9: error: 'date' is still a TODO placeholder\n"
                             "    hint: replace it with the real date"]


def test_todo_paragraph_in_a_summary_is_an_error(project, run) -> None:
    project.edit(SUMMARY, "Swaps were small.[[swap-sizes]][[sbu-102]]",
                 "TODO: write this section. Cite facts, e.g. [[todo-fact-id]].\n\n"
                 "Swaps were small.[[swap-sizes]][[sbu-102]]")
    code, err = run()
    assert code == 1
    assert problems(err) == [  # once: not also "a placeholder id" or "cites no fact" for the same paragraph
        f"{SUMMARY}:7:1: error: the summary still has its TODO placeholder text\n"
        "    hint: replace it with the section's own paragraphs, each citing its facts as [[fact-id]]"]


@pytest.mark.parametrize(("rel", "old", "new", "where", "kind", "file"), [
    ("content/timeline.yaml", "facts: [sbu-102]", "facts: [sbu-102, todo-fact-id]", "content/timeline.yaml:9:20",
     "fact", "content/facts.yaml"),
    (SUMMARY, "small.[[swap-sizes]]", "small.[[swap-sizes]][[todo-fact-id]]", f"{SUMMARY}:7:32", "fact",
     "content/facts.yaml"),
    ("content/facts.yaml", "    - source: article-a\n      quote: \"could",
     "    - source: todo-source-id\n      quote: \"could", "content/facts.yaml:18:7", "source", "content/sources.yaml"),
])
def test_placeholder_ids_from_new_are_errors(project, run, rel, old, new, where, kind, file) -> None:
    project.edit(rel, old, new)
    code, err = run()
    assert code == 1
    placeholder = new.split("todo-")[1].split("]")[0].split("\n")[0]
    assert problems(err) == [f"{where}: error: 'todo-{placeholder}' is a placeholder, not a {kind} id\n"
                             f"    hint: replace it with the id of a {kind} in {file}"]


def test_a_summary_paragraph_that_cites_no_fact_is_an_error(project, run) -> None:
    project.edit(SUMMARY, "Swaps were small.[[swap-sizes]][[sbu-102]]",
                 "Swaps were small.[[swap-sizes]][[sbu-102]]\n\nNobody knows how many more.\nIt is unclear.")
    code, err = run()
    assert code == 1
    assert problems(err) == [f"{SUMMARY}:9:1: error: this paragraph cites no fact\n"
                             "    hint: end it with the facts it rests on, e.g. [[fact-id]]: every summary "
                             "paragraph is sourced"]


def test_cited_paragraphs_and_an_editors_comment_pass(project, run) -> None:
    project.edit(SUMMARY, "Swaps were small.[[swap-sizes]][[sbu-102]]",
                 "Swaps were small.\nVery small.[[swap-sizes]]\n\n<!-- editor: check with the desk -->\n\n"
                 "- a list item [[sbu-102]]\n- another")
    code, err = run()
    assert code == 0, err
    assert problems(err) == []


def test_an_empty_summary_is_an_error(project, run) -> None:
    project.write("content/summaries/02-empty.md", "---\ntitle: Empty\norder: 2\n---\n\n")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/summaries/02-empty.md:5:1: error: the summary has no text\n"
                             "    hint: write at least one paragraph below the front matter, citing its facts "
                             "as [[fact-id]]"]


def test_two_summaries_with_the_same_order_is_an_error(project, run) -> None:
    project.write("content/summaries/02-more.md", "---\ntitle: More\norder: 1\n---\nMore.[[sbu-102]]\n")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/summaries/02-more.md:3:8: error: order 1 is also the order of 01-intro.md\n"
                             "    hint: give each summary its own order: it sets their sequence"]
    project.edit("content/summaries/02-more.md", "order: 1", "order: 2")
    assert run() == (0, "")


# ---------------------------------------------------------------- 6. errors, once and to the point


def test_a_misspelt_key_is_one_error(project, run) -> None:
    project.edit("content/facts.yaml", "attribution: the Test Gazette", "atribution: the Test Gazette")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/facts.yaml:14:3: error: unknown key 'atribution' in fact\n"
                             "    hint: did you mean 'attribution'?"]


def test_an_unknown_key_that_is_no_misspelling_still_names_the_missing_field(project, run) -> None:
    project.edit("content/facts.yaml", "attribution: the Test Gazette", "source_of_claim: the Test Gazette")
    code, err = run()
    assert code == 1
    assert [p.split("\n")[0] for p in problems(err)] == [
        "content/facts.yaml:12:3: error: fact is missing the required field 'attribution'",
        "content/facts.yaml:14:3: error: unknown key 'source_of_claim' in fact"]


def test_a_file_that_failed_to_parse_gives_no_not_cited_warnings(project, run) -> None:
    project.write("content/timeline.yaml", "- date: 2025-05-25\n  title: [unclosed\n")
    project.write("content/comparisons.yaml", "[]\n")
    code, err = run()
    assert code == 1
    assert all(p.startswith("content/timeline.yaml:") for p in problems(err)), err
    assert "not cited" not in err


@pytest.mark.parametrize("broken, error", [
    (lambda text: text + "\t",
     "content/facts.yaml:42:1: error: invalid YAML: found a tab character that violates indentation"),
    (lambda text: "\ufeff" + text, "content/facts.yaml:1:1: error: the file starts with a byte-order mark"),
    (lambda text: text.replace("claim: ", 'claim: "', 1),
     "content/facts.yaml:6:44: error: invalid YAML: did not find expected key"),
    (lambda text: "", "content/facts.yaml:1:1: error: the file is empty"),
    (None, "content/facts.yaml:1:1: error: content/facts.yaml is missing"),
], ids=["tab", "bom", "unclosed-quote", "empty", "missing"])
def test_an_unreadable_facts_file_is_its_only_problem_in_every_edition(tmp_path, capsys, broken, error) -> None:
    from _languages_fixture import UK
    from conftest import make_project

    site = make_project(tmp_path / "site", UK)  # two editions; article-a below dates the facts that cite it
    site.edit("content/sources.yaml", "  label: the Test Gazette", "  label: the Test Gazette\n"
              "  facts_date_note: The article is undated.")
    assert main(["check", "--project", str(site.root)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    facts = site.root / "content" / "facts.yaml"
    if broken is None:
        facts.unlink()
    else:
        facts.write_text(broken(facts.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["check", "--project", str(site.root)]) == 1
    err = capsys.readouterr().err
    errors = [p for p in problems(err) if ": error: " in p]
    assert len(errors) == 1 and errors[0].startswith(error), errors
    assert "inherits" not in err  # no fact is known to inherit the note: no guess about it either


def test_a_duplicate_source_id_is_one_error(project, run) -> None:
    """The later entry, another archive, no longer stands in for the first: no quote is checked against it."""
    project.add_source("article-a", "b.txt", "Other words entirely.\n")
    code, err = run()
    assert code == 1
    assert problems(err) == [
        "content/sources.yaml:11:3: error: duplicate source id 'article-a' (first used on line 1)\n"
        "    hint: give each one its own id"]


def test_a_source_given_the_id_of_another_is_one_error_naming_the_id_cited(project, run) -> None:
    """The second source's id changed to the first's: the facts citing its old id are not each an error too."""
    project.add_source("article-a", "b.txt", "Swaps could range from 50 to 95 soldiers.\n")
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could range",
                 "    - source: article-b\n      quote: \"could range")
    code, err = run()
    assert code == 1
    assert problems(err) == [
        "content/sources.yaml:11:3: error: duplicate source id 'article-a' (first used on line 1)\n"
        "    hint: give each one its own id; facts cite 'article-b', which no source has: is one of these entries "
        "meant to be it?"]


@pytest.mark.parametrize("rel, entry, kind, line", [
    ("content/timeline.yaml", "- {id: again, date: 2024, title: Again, text: Again., facts: [sbu-102]}\n" * 2,
     "timeline event", 11),
    ("content/comparisons.yaml", "- {id: captures-changed, kind: change, title: Again, text: Again.,"
     " facts: [sbu-102, swap-sizes]}\n", "comparison", 6),
    ("content/glossary.yaml", "- {id: sbu, term: SBU again, definition: Again., facts: [swap-sizes]}\n",
     "glossary entry", 5),
], ids=["event", "comparison", "glossary"])
def test_a_duplicate_id_of_any_kind_is_one_error(project, run, rel, entry, kind, line) -> None:
    with open(project.root / rel, "a", encoding="utf-8") as f:
        f.write(entry)
    code, err = run()
    assert code == 1
    found = problems(err)
    assert len(found) == 1 and found[0].startswith(f"{rel}:{line}:3: error: duplicate {kind} id"), found


HALF_HINT = ("    hint: write a citation as [[fact-id]]: two brackets on each side; as it is, the page would show "
             "the brackets and the id as text")


@pytest.mark.parametrize("written, where, message", [
    ("Swaps were small.[[swap-sizes] More.[[sbu-102]]", "7:18", "the citation '[[swap-sizes]' is not closed"),
    ("Swaps were small.[[swap-sizes][[sbu-102]]", "7:18", "the citation '[[swap-sizes]' is not closed"),
    ("Swaps were small.[[swap-sizes]", "7:18", "the citation '[[swap-sizes]' is not closed"),  # its only one
    ("Swaps were small.[[swap-sizes\nand more.[[sbu-102]]", "7:18", "the citation '[[swap-sizes' is not closed"),
    ("Swaps were small.[swap-sizes]][[sbu-102]]", "7:18", "the citation '[swap-sizes]]' is not opened"),
], ids=["mid-paragraph", "before-another", "only-citation", "end-of-line", "one-opening-bracket"])
def test_a_citation_a_bracket_short_is_one_error_where_it_is(project, run, written, where, message) -> None:
    project.edit(SUMMARY, "Swaps were small.[[swap-sizes]][[sbu-102]]", written)
    project.edit(SUMMARY, "[[general-staff-971]]", "[[general-staff-971]][[swap-sizes]][[sbu-102]]")
    code, err = run()
    assert code == 1
    assert problems(err) == [f"{SUMMARY}:{where}: error: {message} with two brackets\n{HALF_HINT}"]


def test_a_half_citation_in_a_yaml_text_is_an_error_at_the_field(project, run) -> None:
    project.edit("content/comparisons.yaml", "text: The count grew.[[sbu-102]]", "text: The count grew.[[sbu-102]")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/comparisons.yaml:4:9: error: the citation '[[sbu-102]' is not closed with two "
                             f"brackets\n{HALF_HINT}"]


def test_brackets_in_a_code_span_or_around_a_link_are_text(project, run) -> None:
    project.edit(SUMMARY, "Swaps were small.", "Swaps were `[[small]` and `[x]]`, [see [1]](https://example.org/a) "
                 "and [[the source](https://example.org/a)].")
    code, err = run()
    assert (code, problems(err)) == (0, [])


@pytest.mark.parametrize("name", ["07-extra.MD", "08-extra.markdown"])
def test_a_markdown_file_not_named_md_is_a_warning_not_silence(project, run, name) -> None:
    project.write(f"content/summaries/{name}", "---\ntitle: Extra\norder: 7\n---\nMore.[[sbu-102]]\n")
    code, err = run()
    assert (code, problems(err)) == (0, [
        f"content/summaries/{name}:1:1: warning: {name} is not read: only files ending in .md are summaries\n"
        f"    hint: rename it to {name.split('.')[0]}.md to publish it"])


@pytest.mark.parametrize("rel, old, new, where, key", [
    ("content/facts.yaml", "claim: Swaps exchanged between", "claim: Swaps #2 exchanged between", "13:16", "claim"),
    ("content/timeline.yaml", "text: Mass captures reported.", "text: Mass captures #3 reported.", "8:23", "text"),
    ("content/glossary.yaml", "definition: Ukraine's", "definition: Ukraine's #1", "3:25", "definition"),
    ("content/summaries/01-intro.md", "title: What happened", "title: What #1 happened", "2:13", "title"),
], ids=["claim", "event-text", "definition", "summary-title"])
def test_a_comment_cutting_a_plain_prose_field_is_a_warning(project, run, rel, old, new, where, key) -> None:
    project.edit(rel, old, new)
    code, err = run()
    assert (code, problems(err)) == (0, [
        f"{rel}:{where}: warning: the text of '{key}' stops at ' #': YAML reads the rest of the line as a comment\n"
        f"    hint: put the whole text in quotes to keep it ({key}: \"… #1 …\"), or remove the '#'"])


def test_a_comment_after_an_id_a_date_or_quoted_text_is_no_warning(project, run) -> None:
    project.edit("content/facts.yaml", "- id: swap-sizes", "- id: swap-sizes  # the sizes")
    project.edit("content/facts.yaml", "date: 2024\n", "date: 2024  # only the year\n")
    project.edit("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.",
                 'claim: "Swaps exchanged between 50 and 95 soldiers. #swaps"  # quoted: kept whole')
    project.edit("content/sources.yaml", "label: the Test Gazette", "label: the Test Gazette  # as it signs")
    code, err = run()
    assert (code, problems(err)) == (0, [])


@pytest.mark.parametrize("old, new", [
    ("title: What happened", 'title: "What happened'),
    ("order: 1", "order: 1\nsubtitle: x"),
    ("order: 1", "order: three"),
    ("order: 1\n---", "order: 1"),
    ("---\ntitle", "\ufeff---\ntitle"),
    (None, ""),
], ids=["unclosed-quote", "unknown-key", "order-not-a-number", "no-closing-line", "bom", "empty"])
def test_a_broken_original_summary_leaves_its_translation_alone(tmp_path, capsys, old, new) -> None:
    from _languages_fixture import UK
    from conftest import make_project

    site = make_project(tmp_path / "site", UK)
    if old is None:
        site.write(SUMMARY, new)
    else:
        site.edit(SUMMARY, old, new)
    assert main(["check", "--project", str(site.root)]) == 1
    errors = [p for p in problems(capsys.readouterr().err) if ": error: " in p]
    assert errors and all(p.startswith(SUMMARY + ":") for p in errors), errors


def test_a_front_matter_without_its_closing_line_says_so(project, run) -> None:
    project.edit(SUMMARY, "order: 1\n---", "order: 1")
    code, err = run()
    assert code == 1
    assert problems(err) == [
        f"{SUMMARY}:1:1: error: the front matter has no closing '---' line\n"
        "    hint: end the front matter (its 'title:' and 'order:') with a line of '---', before the text"]


def _fact_971_problems(tmp_path, capsys, old: str, new: str) -> list[str]:
    """check's problems about fact 'general-staff-971' of the two-language fixture, after an edit."""
    from _languages_fixture import UK
    from conftest import make_project

    site = make_project(tmp_path / "site", UK)
    site.edit("content/facts.yaml", old, new)
    assert main(["check", "--project", str(site.root)]) == 1
    start = site.root.joinpath("content/facts.yaml").read_text(encoding="utf-8").split("\n").index(
        "- id: general-staff-971") + 1
    return [p for p in problems(capsys.readouterr().err)
            if p.startswith("content/facts.yaml:") and int(p.split(":")[1]) >= start]


QUOTE_UNTRANSLATED = ("content/facts.yaml:36:7: warning: citation 1 of fact 'general-staff-971' has no Ukrainian quote "
                      "(translations: uk: quote)\n    hint: until it is translated, the page shows the quote in the "
                      "source's own words only")


def test_a_misspelt_key_in_a_translation_is_one_error(tmp_path, capsys) -> None:
    found = _fact_971_problems(tmp_path, capsys, "      attribution: Генштабу ЗСУ", "      attribtion: Генштабу ЗСУ")
    assert found == [QUOTE_UNTRANSLATED,  # the fixture's own: its quote has no translation
                     "content/facts.yaml:41:7: error: unknown key 'attribtion' in fact translation\n"
                     "    hint: did you mean 'attribution'?"]


def test_a_country_code_for_a_language_is_one_error_with_did_you_mean(tmp_path, capsys) -> None:
    found = _fact_971_problems(tmp_path, capsys, "    uk:\n      claim: Українські", "    ua:\n      claim: Українські")
    assert found == [
        QUOTE_UNTRANSLATED,
        "content/facts.yaml:39:5: error: fact 'general-staff-971' has a translation into 'ua', not one of `languages` "
        "in site.yaml\n    hint: did you mean 'uk'? (else publish that edition by adding 'ua' to `languages` in "
        "site.yaml, or remove the translation)"]


def test_an_uncited_fact_is_still_a_warning_when_the_files_are_sound(project, run) -> None:
    project.edit(SUMMARY, "[[swap-sizes]][[sbu-102]]", "[[sbu-102]]")
    code, err = run()
    assert code == 0
    assert problems(err) == ["content/facts.yaml:12:3: warning: fact 'swap-sizes' is not cited anywhere\n"
                             "    hint: cite it in a summary, timeline event, comparison or glossary entry, "
                             "or remove it"]


def test_an_undeclared_topic_gets_did_you_mean(project, run) -> None:
    project.edit("content/facts.yaml", "topics: [exchanges]", "topics: [exchange]")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/facts.yaml:16:12: error: fact 'swap-sizes' uses the undeclared topic 'exchange'\n"
                             "    hint: did you mean 'exchanges'? (declared under 'topics:' in site.yaml)"]
    project.edit("content/facts.yaml", "topics: [exchange]", "topics: [weather]")
    code, err = run()
    assert problems(err) == ["content/facts.yaml:16:12: error: fact 'swap-sizes' uses the undeclared topic 'weather'\n"
                             "    hint: declare it under 'topics:' in site.yaml, or fix the spelling"]


def test_an_undeclared_chart_series_is_an_error_at_the_series(project, run) -> None:
    project.edit("content/facts.yaml", "figure: {series: captured,", "figure: {series: capture,")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/facts.yaml:11:20: error: fact 'sbu-102' has a figure in the undeclared series "
                             "'capture'\n    hint: did you mean 'captured'? (declared under 'charts:' in site.yaml)"]


def test_a_comparison_of_one_fact_says_how_many_it_has(project, run) -> None:
    project.edit("content/comparisons.yaml", "facts: [sbu-102, general-staff-971]", "facts: [sbu-102]")
    code, err = run()
    assert code == 1
    assert problems(err)[0] == ("content/comparisons.yaml:5:10: error: the list has 1 item; at least 2 are needed\n"
                                "    hint: add another item")


def test_an_address_with_a_space_says_so(project, run) -> None:
    project.edit("content/sources.yaml", "url: https://example.org/a", "url: https://example.org/a b")
    code, err = run()
    assert (code, problems(err)) == (1, [
        "content/sources.yaml:6:8: error: the web address 'https://example.org/a b' contains a space\n"
        "    hint: copy the address again from the browser's address bar (a space in it is written %20)"])


def test_a_quote_with_three_dots_is_told_how_an_elision_is_written(project, run) -> None:
    project.edit("content/facts.yaml", '"its commandos captured no fewer than 102 Russian conscripts"',
                 '"its commandos captured ... 102 Russian conscripts"')
    code, err = run()
    assert code == 1
    assert problems(err)[0].startswith(
        "content/facts.yaml:10:14: error: the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)\n")
    assert problems(err)[0].endswith("; if '...' marks words left out, write it as '…' or '[…]' (an elision), "
                                     "not three dots")


def test_the_date_hint_shows_a_set_of_dates_quoted(project, run) -> None:
    project.edit("content/facts.yaml", "date: 2024\n", "date: around 2024\n")
    code, err = run()
    assert code == 1
    assert '"[2025-05-24,2025-05-25]" (one of these, in quotes)' in err
    assert " [2025-05-24" not in err


def test_markdown_the_sanitiser_removes_is_a_warning(project, run) -> None:
    project.edit(SUMMARY, "Swaps were small.", "Swaps were <b>small</b>.\nSee [this](javascript:alert(1)).")
    project.edit("content/timeline.yaml", "text: Mass captures reported.", "text: Mass <u>captures</u> reported.")
    code, err = run("build")
    assert code == 0
    assert problems(err) == [  # a build prints warnings in the order it meets them: events, then summaries
        "content/timeline.yaml:8:9: warning: the HTML tag <u> is removed from the page\n"
        "    hint: write Markdown instead (**bold**, *italic*, [text](https://…)); raw HTML tags are dropped",
        "content/summaries/01-intro.md:7:12: warning: the HTML tag <b> is removed from the page\n"
        "    hint: write Markdown instead (**bold**, *italic*, [text](https://…)); raw HTML tags are dropped",
        "content/summaries/01-intro.md:8:12: warning: the link 'javascript:alert(1)' is removed from the page\n"
        "    hint: only http:// and https:// links are kept: link to the web address instead"]


def test_markdown_the_sanitiser_keeps_gives_no_warning(project, run) -> None:
    project.edit(SUMMARY, "Swaps were small.", "Swaps were <em>small</em>, <abbr title='x'>SBU</abbr> "
                 "[said](https://example.org/a), not `<b>` or [this](#facts).")
    code, err = run("build")
    assert code == 0 and problems(err) == []


def test_a_text_in_typographic_quotes_gets_a_hint(project, run) -> None:
    project.edit("content/facts.yaml", "attribution: the Test Gazette", "attribution: \u201cthe Test Gazette\u201d")
    code, err = run()
    assert code == 0  # legal text, so a warning: the quotes would be published
    assert problems(err) == ["content/facts.yaml:14:16: warning: 'attribution' is wrapped in typographic quotes "
                             "\u201c\u2026\u201d\n    hint: YAML only understands straight quotes: write \"\u2026\" "
                             "(or no quotes) around the value; typographic quotes stay part of the text"]


def test_a_date_in_typographic_quotes_is_one_error_with_the_hint(project, run) -> None:
    project.edit("content/facts.yaml", "date: 2024\n", "date: \u201c2024\u201d\n")
    code, err = run()
    assert code == 1
    assert problems(err) == ["content/facts.yaml:15:9: error: 'date' is wrapped in typographic quotes "
                             "\u201c\u2026\u201d\n    hint: YAML only understands straight quotes: write \"\u2026\" "
                             "(or no quotes) around the value; typographic quotes stay part of the text"]
    project.edit("content/facts.yaml", "date: \u201c2024\u201d\n", 'date: "2024"\n')
    assert run() == (0, "")


@pytest.mark.parametrize("rel, hint", [
    ("site.yaml", "write the explainer's settings (title, description, language, base_url, updated"),
    ("content/facts.yaml", "add the content, or write [] for an empty list"),
])
def test_an_empty_file_gets_the_hint_its_kind_needs(project, capsys, rel, hint) -> None:
    """site.yaml holds settings, not a list: 'write [] for an empty list' would make it a list."""
    (project.root / rel).write_text("", encoding="utf-8")
    assert main(["check", "--project", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert f"{rel}:1:1: error: the file is empty\n    hint: {hint}" in err


def test_a_missing_summaries_folder_is_its_one_problem(project, capsys) -> None:
    """Its error came last, after a "not cited anywhere" warning for every fact the summaries cite."""
    import shutil

    shutil.rmtree(project.root / "content" / "summaries")
    assert main(["check", "--project", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert problems(err) == ["content/summaries:1:1: error: content/summaries/ is missing\n"
                             "    hint: create it with at least one .md summary"], err


def test_a_fact_id_in_typographic_quotes_is_one_error_not_also_each_citation(project, capsys) -> None:
    """The id's own error said what to do; each citation of the fact then added 'unknown fact', with a
    did-you-mean pointing at another fact."""
    project.edit("content/facts.yaml", "- id: sbu-102\n", "- id: “sbu-102”\n")
    assert main(["check", "--project", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert [p.split("\n")[0] for p in problems(err)] == [
        "content/facts.yaml:1:7: error: 'id' is wrapped in typographic quotes “…”"], err
