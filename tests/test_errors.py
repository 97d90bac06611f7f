"""Editors' mistakes: exact messages with file, line and column, all reported in one run."""

from __future__ import annotations

from explainer.cli import main


def lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def test_clean_project_builds(project, capsys):
    code = main(["build", "--project", str(project.root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "built" in out and "3 facts" in out


def test_duplicate_key_names_both_lines(project, refused):
    project.write("content/sources.yaml", """\
        - id: article-a
          title: Article A
          title: Article A again
          publisher: null
          author: null
          published: null
          url: null
          retrieved: null
          archive: a.txt
        """)
    refused("content/sources.yaml:3:3", "duplicate key 'title' (first given on line 2)",
            "remove one of the two; YAML would silently keep only the last")


def test_tab_indentation_points_at_the_tab(project, refused):
    project.write("content/timeline.yaml", "- date: 2025-05-25\n\ttitle: x\n")
    err = refused("content/timeline.yaml:2:1", "invalid YAML")
    assert "hint: indent with spaces, never tabs" in err


def test_unclosed_quote(project, run):
    project.write("content/glossary.yaml", '- id: sbu\n  term: "SBU\n  definition: x\n  facts: [sbu-102]\n')
    code, err = run()
    assert code == 1
    assert "content/glossary.yaml:" in err and "a quoted string is not closed: add the closing quote" in err


def test_unknown_key_suggests_the_right_one(project, refused):
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could",
                 "    - sorces: article-a\n      quote: \"could")
    err = refused("content/facts.yaml:18:7", "unknown key 'sorces' in citation", "did you mean 'source'?")
    assert "missing the required field" not in err  # one mistake, one message
    assert err.count(": error: ") == 1


def test_unknown_key_without_a_close_match_lists_the_fields(project, run):
    project.edit("content/facts.yaml", "  attribution: the Test Gazette",
                 "  attribution: the Test Gazette\n  colour: red")
    code, err = run()
    assert code == 1
    assert ("error: unknown key 'colour' in fact\n    hint: a fact has the fields: id, claim, attribution, date,"
            in err)


def test_unknown_top_level_site_key_suggests(project, refused):
    project.edit("site.yaml", "language: en", "langauge: en")
    err = refused("site.yaml:3:1", "unknown key 'langauge' in site", "did you mean 'language'?")
    assert "missing the required field 'language'" not in err  # the misspelt key said it all


def test_missing_required_field_and_wrong_type(project, refused):
    project.edit("content/facts.yaml", "  attribution: the SBU\n", "")
    project.edit("content/facts.yaml", "claim: Swaps exchanged between 50 and 95 soldiers.", "claim: [a, list]")
    err = refused("content/facts.yaml:1:3", "fact is missing the required field 'attribution'")
    assert "content/facts.yaml:12:10: error: expected text, got a list" in err


def test_impossible_date(project, refused):
    project.edit("content/timeline.yaml", "date: 2025-05-25", "date: 2025-02-30")
    refused("content/timeline.yaml:1:9", "'2025-02-30' is not a real day: February 2025 has 28 days")


def test_all_problems_are_reported_in_one_run(project, run):
    project.edit("site.yaml", "language: en", "language: English!")  # site.yaml errors hide nothing else
    project.edit("content/timeline.yaml", "date: 2025-05-25", "date: 2025-13")
    project.edit("content/summaries/01-intro.md", "[[general-staff-971]]", "[[general-staff-972]]")
    code, err = run()
    assert code == 1
    errors = [line for line in lines(err) if ": error: " in line]
    assert len(errors) == 3, err
    assert "build failed: 3 error(s); nothing was written" in err


def test_number_as_id(project, refused):
    project.edit("content/glossary.yaml", "- id: sbu", "- id: 42")
    refused("content/glossary.yaml:1:7", "a number (42) is not a valid id")


def test_no_traceback_for_content_errors(project):
    project.write("content/facts.yaml", "- {id: x, claim: [unclosed\n")
    result = project.run("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/facts.yaml:2:1: error: invalid YAML" in result.stderr


def test_usage_errors_exit_2(project):
    result = project.run("publish")
    assert result.returncode == 2
    assert "invalid choice: 'publish'" in result.stderr
    result = project.run("build", "--base-url", "ftp://example.org/")
    assert result.returncode == 2
    assert "--base-url must start with http:// or https://" in result.stderr


def test_a_report_whose_reader_left_early_ends_quietly_with_141(project):
    """`build.py | head -1`: the pipe is closed before the report is printed. No "internal error"
    on stderr: exit 141, as a program SIGPIPE stopped, and the site is built."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    read, write = os.pipe()
    os.close(read)  # every write to the pipe now fails: deterministic, unlike a real `head`
    try:
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "--project", str(project.root)],
                                stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert result.returncode == 141, result.stderr
    assert result.stderr == ""
    assert (project.output / "index.html").is_file()


def test_refuses_to_write_output_over_the_sources(project):
    result = project.run("build", output=project.root / "content")
    assert result.returncode == 2
    assert "it would overwrite the project's sources" in result.stderr
    assert (project.root / "content" / "facts.yaml").exists()


def test_malformed_url_is_a_content_error_not_a_crash(project, refused):
    project.edit("content/sources.yaml", "url: https://example.org/a", "url: 'http://[x'")
    refused("content/sources.yaml:6:8", "'http://[x' is not an http(s) web address")


def test_non_ascii_digits_are_not_a_date(project, refused):
    project.edit("content/timeline.yaml", "date: 2025-05-25", "date: '٢٠٢٤'")
    refused("content/timeline.yaml:1:9", "'٢٠٢٤' is not a date")



def test_a_problem_names_its_file_from_the_project_folder_and_a_linked_file_as_itself(tmp_path) -> None:
    from explainer.errors import Problems

    root = tmp_path / "story"
    (root / "content").mkdir(parents=True)
    (tmp_path / "elsewhere.yaml").write_text("a: 1\n")
    (root / "content" / "linked.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    problems = Problems(root)
    for _ in range(2):  # the second time from the folders resolved the first time: the same names
        problems.warning(root / "content" / "facts.yaml", 3, 5, "a warning")
        problems.error(root / "content" / "linked.yaml", 1, 1, "a link")
        problems.error(tmp_path / "elsewhere.yaml", 2, 2, "outside the project")
    assert [p.path for p in problems.items] == ["content/facts.yaml", "content/linked.yaml",
                                                (tmp_path / "elsewhere.yaml").as_posix()] * 2
