"""The quote check and its archives, rule by rule: what passes, and each mistake's exact message and hint.

The provenance chain is only as good as what `verify.py` forgives and refuses; these pin both.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from conftest import SEED

from explainer.verify import normalise

QUOTE_102 = 'quote: "its commandos captured no fewer than 102 Russian conscripts"'


# --- what the quote check forgives: typography, spacing, Unicode's two spellings, nothing else ---

@pytest.mark.parametrize(("mark", "plain"), [
    *((m, "'") for m in "\u2018\u2019\u201a\u201b\u2032"),  # ‘ ’ ‚ ‛ ′
    *((m, '"') for m in "\u201c\u201d\u201e\u201f\u2033"),  # “ ” „ ‟ ″
    *((m, "-") for m in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),  # hyphens, dashes, minus
])
def test_each_typographic_mark_reads_as_its_plain_character(mark, plain):
    assert normalise(f"a{mark}b {mark}") == f"a{plain}b {plain}"


def test_an_accent_typed_as_a_combining_mark_matches_the_precomposed_letter():
    assert normalise("Cafe\u0301 \u2019") == "Caf\u00e9 '"
    assert normalise("Cafe\u0301") == "Caf\u00e9"


def test_other_characters_are_kept_as_they_are():
    assert normalise("Ça coûte ½ — x") == "Ça coûte ½ - x"
    assert normalise("a\n\n b") == "a b"


def test_a_clean_project_has_no_warnings(project, run):
    code, err = run()
    assert (code, err.count("warning")) == (0, 0), err


def test_a_quote_at_the_very_start_of_the_archive_is_found(project, run):
    project.edit("content/facts.yaml", QUOTE_102, "quote: \"Ukraine's SBU stated that its commandos captured no "
                 "fewer than 102 Russian conscripts\"")
    code, err = run()
    assert code == 0, err


# --- archives: only real files inside seeds/ -----------------------------------------------------

@pytest.mark.parametrize("archive", ["/etc/hostname", "sub\\\\a.txt", "../site.yaml", "sub/../../a.txt"])
def test_an_archive_path_leaving_seeds_is_refused(project, refused, archive):
    project.edit("content/sources.yaml", "archive: a.txt", f'archive: "{archive}"')
    shown = archive.replace("\\\\", "\\")
    refused("content/sources.yaml:8:12", f"archive '{shown}' must be a path inside seeds/",
            "write just the file name under seeds/, e.g. '003_article.txt'")


def test_an_archive_in_a_subfolder_of_seeds_is_accepted(project, run):
    (project.root / "seeds" / "sub").mkdir()
    os.replace(project.root / "seeds" / "a.txt", project.root / "seeds" / "sub" / "a.txt")
    project.edit("content/sources.yaml", "archive: a.txt", "archive: sub/a.txt")
    code, err = run()
    assert code == 0, err


def test_a_missing_archive_says_what_to_do(project, refused):
    project.edit("content/sources.yaml", "archive: a.txt", "archive: gone.txt")
    refused("content/sources.yaml:8:12", "archive 'gone.txt' does not exist in seeds/",
            "copy the source's text into seeds/ or fix the file name")


def test_a_link_out_of_seeds_is_refused(project, refused):
    (project.root / "seeds" / "out.txt").symlink_to(project.root / "site.yaml")
    project.edit("content/sources.yaml", "archive: a.txt", "archive: out.txt")
    refused("content/sources.yaml:8:12", "archive 'out.txt' points outside seeds/",
            "archived texts must be real files inside seeds/, not links elsewhere")


def test_a_folder_is_not_an_archive(project, refused):
    (project.root / "seeds" / "folder").mkdir()
    project.edit("content/sources.yaml", "archive: a.txt", "archive: folder")
    refused("content/sources.yaml:8:12", "archive 'folder' is not a file", "point at the text file itself")


def test_two_sources_may_share_one_archive(project, run):
    project.add_source("article-b", "a.txt")
    project.edit("content/sources.yaml", "sha256: " + hashlib.sha256(b"").hexdigest(),
                 "sha256: " + hashlib.sha256(SEED.encode("utf-8")).hexdigest())
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could",
                 "    - source: article-b\n      quote: \"could")
    code, err = run()
    assert code == 0, err
    sources = json.loads((project.output / "sources.json").read_text("utf-8"))["sources"]
    assert {s["id"]: s["cited_by"] for s in sources} == {
        "article-a": ["sbu-102", "general-staff-971"], "article-b": ["swap-sizes"]}


def test_a_fact_quoting_a_source_twice_is_listed_once(project, run):
    project.edit("content/facts.yaml", f"      {QUOTE_102}\n",
                 f"      {QUOTE_102}\n    - source: article-a\n      quote: \"on Wednesday alone\"\n")
    code, err = run()
    assert code == 0, err
    sources = json.loads((project.output / "sources.json").read_text("utf-8"))["sources"]
    assert sources[0]["cited_by"] == ["sbu-102", "swap-sizes", "general-staff-971"]


def test_an_archive_that_is_not_utf8_is_one_error_not_a_crash(project, run):
    (project.root / "seeds" / "a.txt").write_bytes(SEED.replace("’", "'").replace("—", "-").encode("cp1252")
                                                   + "café".encode("cp1252"))
    code, err = run()
    assert code == 1
    assert err.count("error:") == 1, err
    assert "seeds/a.txt" in err and "convert it to UTF-8" in err
    assert "the quote for fact" not in err and "sha256" not in err


# --- citations: one message per mistake -----------------------------------------------------------

def test_an_unknown_source_with_no_close_id_names_the_file_to_look_in(project, refused):
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could",
                 "    - source: zzz\n      quote: \"could")
    # alone: its numbers are not checked against quotes never verified
    refused("content/facts.yaml:18:15", "fact 'swap-sizes' cites the unknown source 'zzz'",
            "use an id defined in content/sources.yaml", alone=True)


def test_a_source_with_errors_is_not_also_unknown(project, run):
    project.edit("content/sources.yaml", "url: https://example.org/a", "url: ftp://example.org/a")
    code, err = run()
    assert code == 1
    assert err.count("error:") == 1, err
    assert "unknown source" not in err


def test_a_fact_with_errors_is_not_also_an_unknown_reference(project, run):
    project.edit("content/facts.yaml", 'date: "2025-05-25"', 'date: "2025-04-31"')
    code, err = run()
    assert code == 1
    assert "'2025-04-31' is not a real day: April 2025 has 30 days" in err
    assert err.count("error:") == 1, err
    assert "unknown fact" not in err


def test_a_fact_whose_archive_failed_is_not_checked_for_numbers(project, run):
    (project.root / "seeds" / "a.txt").unlink()
    code, err = run()
    assert code == 1
    assert err.count("error:") == 1, err


# --- elided quotes --------------------------------------------------------------------------------

def test_an_elided_part_like_nothing_in_the_source_gets_no_closest_passage(project, refused):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "its commandos captured … zebra quokka"')
    refused("content/facts.yaml:10:14", "the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)",
            "copy the words exactly; \"zebra quokka\" is not in it")


def test_elided_parts_in_order_with_typography_folded_pass(project, run):
    project.edit("content/facts.yaml", QUOTE_102, "quote: \"Ukraine's SBU … 102 Russian conscripts\"")
    code, err = run()
    assert code == 0, err


# --- warnings for what nothing uses, and when they would be guesses ----------------------------

def test_unused_warnings_carry_their_hints(project, run):
    project.edit("content/summaries/01-intro.md", "[[swap-sizes]]", "")
    project.add_source("article-b", "b.txt", "Another text.")
    code, err = run()
    assert code == 0
    assert ("content/facts.yaml:12:3: warning: fact 'swap-sizes' is not cited anywhere\n"
            "    hint: cite it in a summary, timeline event, comparison or glossary entry, or remove it\n") in err
    assert ("content/sources.yaml:11:3: warning: source 'article-b' is not cited by any fact\n"
            "    hint: cite it from a fact, or remove it\n") in err


@pytest.mark.parametrize(("path", "old", "new"), [
    ("content/timeline.yaml", "date: 2025-05-25", "date: 2025-13"),
    ("content/comparisons.yaml", "kind: change", "kind: nonsense"),
    ("content/glossary.yaml", "term: SBU", "term: [SBU]"),
    ("content/summaries/01-intro.md", "order: 1", "order: first"),
])
def test_an_error_in_a_file_that_cites_facts_holds_back_unused_fact_warnings(project, run, path, old, new):
    project.edit("content/summaries/01-intro.md", "[[swap-sizes]]", "")
    project.add_source("article-b", "b.txt", "Another text.")
    project.edit(path, old, new)
    code, err = run()
    assert code == 1
    assert f"{path}:" in err
    assert "is not cited anywhere" not in err  # its uses are not all known: the warning would be a guess
    assert "source 'article-b' is not cited by any fact" in err  # sources are still known


def test_an_error_in_facts_holds_back_unused_source_warnings_only(project, run):
    project.add_source("article-b", "b.txt", "Another text.")
    project.edit("content/facts.yaml", 'date: "2025-05-25"', 'date: "2025-04-31"')
    code, err = run()
    assert code == 1
    assert "is not cited by any fact" not in err


def test_an_error_elsewhere_keeps_both_warnings(project, run):
    project.edit("content/summaries/01-intro.md", "[[swap-sizes]]", "")
    project.add_source("article-b", "b.txt", "Another text.")
    project.edit("content/sources.yaml", "url: https://example.org/a", "url: ftp://example.org/a")
    code, err = run()
    assert code == 1
    assert "fact 'swap-sizes' is not cited anywhere" in err
    assert "source 'article-b' is not cited by any fact" in err


def test_a_source_without_sha256_is_not_checked_for_quotes(project, run):
    project.edit("content/sources.yaml", f"  sha256: {hashlib.sha256(SEED.encode()).hexdigest()}\n", "")
    project.edit("content/facts.yaml", "could range from 50 to 95 soldiers", "could range from 50 to 90 soldiers")
    code, err = run()
    assert code == 1
    assert "records no sha256 of its archive" in err
    assert err.count("error:") == 1, err  # until its text is confirmed, a quote's check would prove nothing


def test_an_invalid_source_among_valid_ones_is_not_also_unknown(project, run):
    project.add_source("article-b", "b.txt", "Another text.")
    project.edit("content/sources.yaml", "url: https://example.org/a", "url: ftp://example.org/a")
    code, err = run()
    assert code == 1
    assert "unknown source" not in err
    assert err.count("error:") == 1, err


def test_with_no_valid_source_a_citation_is_not_blamed_for_it(project, run):
    project.edit("content/sources.yaml", "url: https://example.org/a", "url: ftp://example.org/a")
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could",
                 "    - source: zzz\n      quote: \"could")
    code, err = run()
    assert code == 1
    assert "unknown source" not in err  # sources.yaml's own error says why no source is known
    assert err.count("error:") == 1, err


def test_an_unknown_source_is_one_error_not_also_unsupported_numbers(project, refused):
    project.edit("content/facts.yaml", "    - source: article-a\n      quote: \"could range from 50 to 95 soldiers\"",
                 "    - source: zzz\n      quote: \"The numbers exchanged\"")
    refused("content/facts.yaml:18:15", "fact 'swap-sizes' cites the unknown source 'zzz'", alone=True)


def test_a_missing_archive_is_one_error_not_also_unsupported_numbers(project, run):
    project.edit("content/facts.yaml", "could range from 50 to 95 soldiers", "The numbers exchanged")
    (project.root / "seeds" / "a.txt").unlink()
    code, err = run()
    assert code == 1
    assert "archive 'a.txt' does not exist in seeds/" in err
    assert err.count("error:") == 1, err


def test_an_unknown_fact_with_no_close_id_names_the_file_to_look_in(project, refused):
    project.edit("content/timeline.yaml", "facts: [sbu-102]", "facts: [zzz]")
    refused("content/timeline.yaml:9:11", "unknown fact 'zzz'", "use an id defined in content/facts.yaml")
