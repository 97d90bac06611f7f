"""`check` finds what `build` refuses: exit code 0 from `check` means publishable.

A relative link in a text, a catalog (`locales/*.po`) and a language with no catalog are read by
the check stage, which `check` and `build` share; the link check needs the list of files a build
writes, made from the layout without rendering (explainer/site_files.py), held here to a real build.
"""

from __future__ import annotations

import pytest
from _languages_fixture import UK
from conftest import MINIMAL, make_project

from explainer import pipeline
from explainer.cli import main
from explainer.paginate import layout
from explainer.site_files import LEFT_TO_THE_BUILD, written

BROKEN = ("error: the link 'notes.html' is broken: the build writes no such file\n"
          "    hint: link to another site with its full https:// address, or to a part of this page with #id\n")


@pytest.fixture
def run(project, capsys):
    def _run(*args: str) -> tuple[int, str]:
        code = main([*args, "--project", str(project.root)])
        return code, capsys.readouterr().err
    return _run


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_summarys_broken_relative_link_is_found_by_check_and_build(project, run, command):
    project.edit("content/summaries/01-intro.md", "Swaps were small.", "Swaps were [small](notes.html).")
    code, err = run(command)
    assert code == 1, err
    assert f"content/summaries/01-intro.md:7:20: {BROKEN}" in err
    assert err.count("error:") == 1


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_broken_link_is_reported_beside_another_error(project, run, command):
    project.edit("content/summaries/01-intro.md", "Swaps were small.", "Swaps were [small](notes.html).")
    project.edit("content/summaries/01-intro.md", "[[general-staff-971]]", "[[general-staff-97]]")
    code, err = run(command)
    assert code == 1
    assert f"content/summaries/01-intro.md:7:20: {BROKEN}" in err
    assert "content/summaries/01-intro.md:5:48: error: unknown fact 'general-staff-97'" in err
    assert err.count("error:") == 2


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("fragment, message", [
    ("#compare-captures-change", "there is no comparison 'captures-change'"),
    ("#term-sbuu", "there is no glossary entry 'sbuu'"),
    ("#event-sbu-capture", "there is no event 'sbu-capture'"),
    ("#source-article-b", "there is no source 'article-b'"),
    ("#section-what-happens", "there is no summary 'what-happens'"),
])
def test_a_link_to_a_part_of_the_page_that_does_not_exist_is_an_error(project, run, command, fragment, message):
    """`[why](#compare-nonexistent-thing)` was published as a link that goes nowhere, with exit 0."""
    project.edit("content/summaries/01-intro.md", "Swaps were small.", f"Swaps were [small]({fragment}).")
    code, err = run(command)
    assert code == 1, err
    assert (f"content/summaries/01-intro.md:7:20: error: the link '{fragment}' goes nowhere: {message}\n"
            "    hint: write the id as it is in ") in err
    assert err.count("error:") == 1


def test_links_to_parts_of_the_page_that_exist_pass(project, run):
    project.edit("content/summaries/01-intro.md", "Swaps were small.",
                 "Swaps were [small](#compare-captures-changed), see [SBU](#term-sbu), "
                 "[the article](#source-article-a), [the intro](#section-intro), [top](#top) and [a fact](#sbu-102).")
    code, err = run("check")
    assert (code, err.count("error:")) == (0, 0), err


def test_links_to_files_the_build_writes_pass(project, run):
    project.edit("content/summaries/01-intro.md", "Swaps were small.",
                 "Swaps were [small](facts.csv), see [the feed](feed.xml#top), [embeds](embed.html) and "
                 "[the comparison](embed/comparison-captures-changed.html) or [home](./).")
    code, err = run("check")
    assert (code, err.count("error:")) == (0, 0), err


@pytest.mark.parametrize("rel, old, new, where", [
    ("content/facts.yaml", 'date_note: The article dates it only as "Wednesday".',
     'date_note: "See [the notes](notes.html)."', "content/facts.yaml:6:14"),
    ("content/timeline.yaml", "  approximate: true\n  title: SBU captures",
     '  approximate: true\n  date_note: "See [the notes](notes.html)."\n  title: SBU captures',
     "content/timeline.yaml:7:14"),
    ("content/sources.yaml", "  label: the Test Gazette",
     '  label: the Test Gazette\n  facts_date_note: "See [the notes](notes.html)."', "content/sources.yaml:10:20"),
])
def test_a_broken_link_in_a_date_note_names_its_file_and_field(project, run, rel, old, new, where):
    project.edit(rel, old, new)
    code, err = run("check")
    assert code == 1
    assert f"{where}: {BROKEN}" in err, err
    assert "content:1:" not in err




def test_a_date_note_with_a_good_link_is_checked_without_parsing_its_file_again(project, run, monkeypatch):
    """A field's position is found only when a problem is reported there: asking for it at once
    parsed facts.yaml and timeline.yaml again on every check of the shipped story (seven such notes)."""
    from explainer import yamlsafe

    project.edit("content/facts.yaml", 'date_note: The article dates it only as "Wednesday".',
                 'date_note: "See [the timeline](#timeline)."')
    project.edit("content/timeline.yaml", "  approximate: true\n  title: SBU captures",
                 '  approximate: true\n  date_note: "See [the facts](#facts)."\n  title: SBU captures')
    parsed_again: list[str] = []
    complete = yamlsafe.Doc.complete

    def spy(self) -> None:
        if self.text is not None:
            parsed_again.append(self.path.name)
        complete(self)

    monkeypatch.setattr(yamlsafe.Doc, "complete", spy)
    code, err = run("check")
    assert (code, err) == (0, "")
    assert "facts.yaml" not in parsed_again and "timeline.yaml" not in parsed_again


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_translated_summarys_links_are_read_from_its_editions_folder(tmp_path, capsys, command):
    site = make_project(tmp_path / "site", UK)
    site.edit("content/summaries/uk/01-intro.md", "Обміни були невеликими.",
              "Обміни були [невеликими](notes.html), див. [дані](facts.csv) і [корінь](../index.html).")
    assert main([command, "--project", str(site.root)]) == 1
    err = capsys.readouterr().err
    assert f"content/summaries/uk/01-intro.md:7:26: {BROKEN}" in err
    assert err.count("error:") == 1


def test_a_translated_texts_link_names_its_translation(tmp_path, capsys):
    site = make_project(tmp_path / "site", UK)
    site.edit("content/timeline.yaml", "text: Генштаб назвав **загальне** число.",
              'text: "Див. [нотатки](notes.html)."')
    assert main(["check", "--project", str(site.root)]) == 1
    err = capsys.readouterr().err
    assert f"content/timeline.yaml:6:39: {BROKEN}" in err, err


def test_check_reads_the_catalogs(tmp_path, capsys):
    site = make_project(tmp_path / "site", UK)
    site.write("locales/uk.po", 'msgid "%(chart)s: the numbers"\nmsgstr "%(graph)s: числа"\n')
    assert main(["check", "--project", str(site.root)]) == 1
    assert ('locales/uk.po:1:1: error: the catalog cannot be read: the translation of "%(chart)s: the numbers" '
            "has %(graph)s, which the original does not") in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "build"])
def test_words_a_projects_own_template_adds_without_a_translation_are_named(tmp_path, capsys, command):
    """An overridden template with new words: the uk edition showed them in English, unmarked, and
    nothing said so (scripts/messages.py, which adds words to the catalogs, is the repository's only)."""
    site = make_project(tmp_path / "site", UK)
    site.write("templates/_recent.html", '<p class="house">{{ _("Our newsroom words") }}</p>\n'
                                         '<p>{{ _("Recently updated") }}</p>\n')
    assert main([command, "--project", str(site.root)]) == 0
    err = capsys.readouterr().err
    assert err.count(" the words ") == 1, err  # "Recently updated" is in the package's catalog
    assert ('templates/_recent.html:1:1: warning: the words "Our newsroom words" have no translation in any uk '
            "catalog: the uk edition shows them in English\n"
            '    hint: add them to locales/uk.po in the project: msgid "Our newsroom words" and its msgstr') in err
    site.write("locales/uk.po", 'msgid "Our newsroom words"\nmsgstr "Слова нашої редакції"\n')
    assert main([command, "--project", str(site.root)]) == 0
    assert " the words " not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_language_without_a_catalog_warns_once_in_check_and_build(tmp_path, capsys, command):
    site = make_project(tmp_path / "site", {**UK, "site.yaml": UK["site.yaml"].replace(
        "languages: [en, uk]", "languages: [en, uk, fr]")})
    assert main([command, "--project", str(site.root)]) == 0
    err = capsys.readouterr().err
    assert err.count("site.yaml:4:21: warning: there is no catalog for 'fr': the fr edition's own words") == 1, err


PAGINATED = (MINIMAL["site.yaml"].rstrip(" ")
             + "        pagination: {facts_per_page: 1, sources_per_page: 1}\n        search: false\n")


@pytest.mark.parametrize("files", [{}, UK, {"site.yaml": PAGINATED}], ids=["one-page", "two-editions", "split"])
def test_the_files_check_expects_are_the_files_a_build_writes(tmp_path, files):
    site = make_project(tmp_path / "site", files)
    pipeline.build(site.root, site.output)
    built = {p.relative_to(site.output).as_posix() for p in site.output.rglob("*") if p.is_file()}
    built = {name for name in built if not name.startswith(LEFT_TO_THE_BUILD) and name != ".explainer-build"}
    project, _ = pipeline.check(site.root)
    assert written(project, layout(project)) == built
