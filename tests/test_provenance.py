"""The provenance chain: every fact cited, every quote in its source, every reference known."""

from __future__ import annotations

from hashlib import sha256

import pytest

from explainer.verify import normalise


def test_fact_without_citations_is_refused(project, run):
    project.edit("content/facts.yaml",
                 "  citations:\n    - source: article-a\n      quote: \"could range from 50 to 95 soldiers\"",
                 "  citations: []")
    code, err = run()
    assert code == 1
    assert "content/facts.yaml:17:14: error: the list is empty; at least 1 item(s) needed" in err


def test_unknown_source_is_refused_with_a_suggestion(project, run):
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could",
                 "    - source: article-b\n      quote: \"could")
    code, err = run()
    assert code == 1
    assert ("content/facts.yaml:18:7: error: fact 'swap-sizes' cites the unknown source 'article-b'\n"
            "    hint: did you mean 'article-a'?") in err


def test_quote_not_in_source_shows_the_closest_passage(project, run):
    project.edit("content/facts.yaml", "could range from 50 to 95 soldiers", "could range from 50 to 90 soldiers")
    code, err = run()
    assert code == 1
    assert "content/facts.yaml:18:7: error: the quote for fact 'swap-sizes' is not in source 'article-a' (a.txt)" in err
    assert 'the closest passage is: "could range from 50 to 95 soldiers."' in err


def test_typographic_quotes_dashes_and_spacing_are_forgiven(project, run):
    # the source has "Ukraine’s" (curly) and " — " (em dash); the quote types them plainly
    project.edit("content/facts.yaml", 'quote: "its commandos captured no fewer than 102 Russian conscripts"',
                 "quote: \"Ukraine's SBU stated   that its commandos captured no fewer than 102\"")
    code, err = run()
    assert code == 0, err


def test_matching_is_not_looser_than_typography(project, run):
    project.edit("content/facts.yaml", "could range from 50 to 95 soldiers", "Could range from 50 to 95 soldiers")
    code, err = run()
    assert code == 1
    assert "the quote for fact 'swap-sizes' is not in source" in err


@pytest.mark.parametrize(("raw", "normal"), [
    ("Ukraine’s  offensive\n— “today”", "Ukraine's offensive - \"today\""),
    ("a\u2013b\u2014c\u2212d", "a-b-c-d"),
    ("  spaced\t\tout  ", "spaced out"),
])
def test_normalise_folds_only_whitespace_quotes_and_dashes(raw, normal):
    assert normalise(raw) == normal


def test_unknown_fact_in_summary_is_pinpointed(project, run):
    project.edit("content/summaries/01-intro.md", "small.[[swap-sizes]]", "small.[[swap-size]]")
    code, err = run()
    assert code == 1
    assert ("content/summaries/01-intro.md:7:18: error: unknown fact 'swap-size'\n"
            "    hint: did you mean 'swap-sizes'?") in err


def test_unknown_fact_in_timeline_is_refused(project, run):
    project.edit("content/timeline.yaml", "facts: [sbu-102]", "facts: [sbu-103]")
    code, err = run()
    assert code == 1
    assert "content/timeline.yaml:9:11: error: unknown fact 'sbu-103'" in err


def test_malformed_citation_marker(project, run):
    project.edit("content/summaries/01-intro.md", "[[general-staff-971]]", "[[General Staff 971]]")
    code, err = run()
    assert code == 1
    assert "content/summaries/01-intro.md:5:48: error: '[[General Staff 971]]' is not a valid citation" in err


def test_missing_archive_is_refused(project, run):
    (project.root / "seeds" / "a.txt").unlink()
    code, err = run()
    assert code == 1
    assert "content/sources.yaml:8:12: error: archive 'a.txt' does not exist in seeds/" in err


def test_archive_outside_seeds_is_refused(project, run):
    project.edit("content/sources.yaml", "archive: a.txt", "archive: ../site.yaml")
    code, err = run()
    assert code == 1
    assert "content/sources.yaml:8:12: error: archive '../site.yaml' must be a path inside seeds/" in err


def test_unused_fact_and_source_are_warnings_and_fail_under_strict(project, run):
    project.edit("content/summaries/01-intro.md", "[[swap-sizes]]", "")
    project.write("seeds/b.txt", "Another text.")
    with open(project.root / "content" / "sources.yaml", "a", encoding="utf-8") as f:
        f.write("- {id: article-b, title: B, publisher: null, author: null, published: null, url: null,"
                f" retrieved: null, archive: b.txt, label: B, sha256: {sha256(b'Another text.').hexdigest()}}}\n")
    code, err = run()
    assert code == 0
    assert "content/facts.yaml:12:3: warning: fact 'swap-sizes' is not cited anywhere" in err
    assert "content/sources.yaml:11:3: warning: source 'article-b' is not cited by any fact" in err
    code, err = run("build", "--strict")
    assert code == 1
    assert "build failed: 0 error(s), 2 warning(s); nothing was written" in err
