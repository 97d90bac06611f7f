"""Provenance v2, the chain side: who said it through whom, numbers, elided quotes, context, archive hashes.

Each rule passes and fails here with the exact `path:line:column` message and hint it prints.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from _pages import parse_page
from bs4 import BeautifulSoup
from conftest import SEED
from hypothesis import example, given, settings
from hypothesis import strategies as st

from explainer.attribution import join
from explainer.numbers import numerals, parse_numeral, unsupported
from explainer.quotes import fragments, is_elided

QUOTE_102 = 'quote: "its commandos captured no fewer than 102 Russian conscripts"'


def meta(soup: BeautifulSoup, fact_id: str) -> str:
    return soup.find(id=fact_id).select_one(".meta").get_text(" ", strip=True)


# --- 4. Attribution through a source -----------------------------------------------------------------

def test_the_page_writes_the_chain_from_attribution_and_label(project, run):
    code, err = run()
    assert code == 0, err
    soup = parse_page(project.output)
    assert meta(soup, "sbu-102").startswith("According to the SBU, as reported by the Test Gazette ·")
    # the attribution is the source's own label: said once
    assert meta(soup, "swap-sizes").startswith("According to the Test Gazette ·")


def test_a_part_of_the_source_is_the_source_itself(project, run):
    project.edit("content/facts.yaml", "attribution: the Test Gazette", "attribution: the Test Gazette's headline")
    code, err = run()
    assert code == 0, err
    assert meta(parse_page(project.output), "swap-sizes").startswith("According to the Test Gazette's headline ·")


def test_several_sources_are_all_named(project, run):
    project.add_source("article-b", "b.txt", "The numbers exchanged in these swaps could range from 50 to 95 "
                       "soldiers.\n", label="an unsigned article")
    project.edit("content/facts.yaml", QUOTE_102,
                 QUOTE_102 + '\n    - source: article-b\n      quote: "could range from 50 to 95 soldiers"')
    code, err = run()
    assert code == 0, err
    assert meta(parse_page(project.output), "sbu-102").startswith(
        "According to the SBU, as reported by the Test Gazette and an unsigned article ·")
    assert join(["a", "b", "c"]) == "a, b and c"


@pytest.mark.parametrize(("attribution", "words"), [
    ("the SBU, as reported by the article", "as reported by"),
    ("unnamed reports cited by the Kyiv Independent", "cited by"),
    ("the Kyiv Independent (headline, citing the General Staff)", "citing"),
    ("According to the SBU", "According to"),
    ("talk reported by the article", "reported by"),
    ("Anadolu via Getty Images", "via"),
])
def test_an_attribution_that_writes_the_chain_itself_is_refused(project, refused, attribution, words):
    project.edit("content/facts.yaml", "attribution: the SBU", f"attribution: {attribution}")
    refused("content/facts.yaml:3:16", f"the attribution of fact 'sbu-102' writes '{words}' itself",
            "name only who makes the claim, e.g. 'the SBU'; the page writes 'According to …, as reported by' and "
            "the source's label")


def test_a_name_is_not_mistaken_for_a_chain(project, run):
    project.edit("content/facts.yaml", "attribution: the SBU", "attribution: La Via Campesina")
    code, err = run()
    assert code == 0, err


def test_a_source_needs_a_label(project, refused):
    project.edit("content/sources.yaml", "  label: the Test Gazette\n", "")
    refused("content/sources.yaml:1:3", "source is missing the required field 'label'")


def test_the_chain_is_in_every_export(project, run):
    code, err = run()
    assert code == 0, err
    facts = {f["id"]: f for f in json.loads((project.output / "facts.json").read_text(encoding="utf-8"))["facts"]}
    assert facts["sbu-102"]["attribution"] == "the SBU"
    assert facts["sbu-102"]["credit"] == "According to the SBU, as reported by the Test Gazette"
    assert facts["sbu-102"]["derived"] == []
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((project.output / "facts.csv").read_text("utf-8")))}
    assert rows["swap-sizes"]["credit"] == "According to the Test Gazette"
    sources = json.loads((project.output / "sources.json").read_text(encoding="utf-8"))["sources"]
    assert (sources[0]["label"], sources[0]["context"]) == ("the Test Gazette", "sentence")
    assert sources[0]["sha256"] == hashlib.sha256(SEED.encode()).hexdigest()
    ld = json.loads(parse_page(project.output).find("script", type="application/ld+json").string)
    credits = {c["@id"].rsplit("#", 1)[1]: c["creditText"] for c in ld["hasPart"]}
    assert credits["sbu-102"] == "According to the SBU, as reported by the Test Gazette"


# --- 5. Numbers are checked ----------------------------------------------------------------------

def test_a_number_no_quote_holds_is_refused(project, refused):
    project.edit("content/facts.yaml", "102 Russian soldiers on a Wednesday.", "102 Russian soldiers and 5 officers.")
    refused("content/facts.yaml:2:10", "the number 5 in the claim of fact 'sbu-102' is in none of its quotes",
            "quote the words that give it, or list it under 'derived:' with a one-line reason, "
            "e.g. derived: [{number: \"5\", reason: \"how it was worked out\"}]")


def test_a_number_word_is_a_number(project, run):
    project.edit("content/facts.yaml", "102 Russian soldiers on a Wednesday.", "102 Russian soldiers in three raids.")
    code, err = run()
    assert code == 1
    assert "error: the number three in the claim of fact 'sbu-102' is in none of its quotes" in err


def test_a_derived_number_with_its_reason_passes(project, run):
    project.edit("content/facts.yaml", "102 Russian soldiers on a Wednesday.", "102 Russian soldiers and 5 officers.")
    project.edit("content/facts.yaml", "  figure: {series: captured",
                 "  derived:\n    - {number: 5, reason: the sum of two figures in the article}\n"
                 "  figure: {series: captured")
    code, err = run()
    assert code == 0, err


def test_a_derived_number_the_claim_does_not_write_is_refused(project, refused):
    project.edit("content/facts.yaml", "  figure: {series: captured",
                 "  derived:\n    - {number: \"1,000\", reason: a rounding}\n  figure: {series: captured")
    refused("content/facts.yaml:12:16", "fact 'sbu-102' lists 1,000 under 'derived:' but its claim does not write it",
            "remove the entry, or write the number in the claim as listed")


def test_a_derived_entry_must_be_a_number(project, refused):
    project.edit("content/facts.yaml", "  figure: {series: captured",
                 "  derived:\n    - {number: many, reason: x}\n  figure: {series: captured")
    refused("content/facts.yaml:12:16", "'many' is not a number",
            "write the number as the claim does: 2025, \"1,000\" or three")


def test_the_year_of_the_facts_date_needs_no_entry(project, run):
    project.edit("content/facts.yaml", "claim: Ukrainian forces captured 971 Russian soldiers.",
                 "claim: Ukrainian forces captured 971 Russian soldiers by May 2025.")
    code, err = run()
    assert code == 0, err
    project.edit("content/facts.yaml", "by May 2025.", "by May 2026.")
    code, err = run()
    assert code == 1
    assert "error: the number 2026 in the claim of fact 'general-staff-971' is in none of its quotes" in err


def test_a_wrong_quote_is_reported_once_not_again_as_missing_numbers(project, run):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "its commandos captured many conscripts"')
    code, err = run()
    assert code == 1
    assert "the quote for fact 'sbu-102' is not in source" in err
    assert "the number 102" not in err


@pytest.mark.parametrize(("claim", "quote", "missing"), [
    ("The 1,000-for-1,000 swap", "The swap was agreed", ["1,000"]),
    ("a 1,000-strong unit", "some 1000 soldiers", []),
    ("three phases", "3 phases", []),
    ("3 phases", "in three phases over three days", []),
    ("from 50 to 95 soldiers", "could range from 50 to 95", []),
    ("from 50 to 90 soldiers", "could range from 50 to 95", ["90"]),
    ("2.5 per cent", "2.50 per cent", []),
    ("an F16 and v2 of it", "nothing", []),  # digits glued to letters are names, not amounts
    ("one thousand men", "1,000 men", ["one"]),  # only the words zero to twenty are read
])
def test_numbers_compare_by_value(claim, quote, missing):
    assert [n.text for n in unsupported(claim, [quote], set())] == missing


def test_numerals_and_parse_numeral():
    assert [(n.text, n.value) for n in numerals("Aug. 6, 2024, and 20,000 members")] == [
        ("6", 6.0), ("2024", 2024.0), ("20,000", 20000.0)]
    assert [parse_numeral(v) for v in (2025, "1,000", " Three ", "2.5", "many", "3 4", True)] == [
        2025.0, 1000.0, 3.0, 2.5, None, None, None]


# --- 6. Quotes with words left out ----------------------------------------------------------------

def test_an_elided_quote_passes_and_keeps_its_ellipsis(project, run):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "its commandos captured … 102 Russian conscripts"')
    code, err = run()
    assert code == 0, err
    fact = parse_page(project.output).find(id="sbu-102")
    assert fact.blockquote.get_text() == "“its commandos captured … 102 Russian conscripts”"
    assert [m.get_text() for m in fact.select(".ctx mark")] == ["its commandos captured", "102 Russian conscripts"]


def test_the_bracketed_ellipsis_works_too(project, run):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "SBU stated […] no fewer than 102"')
    code, err = run()
    assert code == 0, err


OUT_OF_ORDER = ("the parts of the quote for fact 'sbu-102' are not in this order within one paragraph of source "
                "'article-a' (a.txt)")


def test_elided_fragments_out_of_order_are_refused(project, refused):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "102 Russian conscripts … its commandos captured"')
    refused("content/facts.yaml:10:14", OUT_OF_ORDER,
            "each part between '…' must come in the order the source gives it, all in one paragraph (one "
            "line of the archived text); the first part is in: \"102 Russian conscripts\"")


def test_elided_fragments_from_two_paragraphs_are_refused(project, refused):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "its commandos captured … captured 971 Russian soldiers"')
    refused("content/facts.yaml:10:14", OUT_OF_ORDER)


def test_an_elided_fragment_not_in_the_source_shows_the_closest_passage(project, refused):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "its commandos captured … 103 Russian conscripts"')
    refused("content/facts.yaml:10:14", "the quote for fact 'sbu-102' is not in source 'article-a' (a.txt)",
            "copy the words exactly; \"103 Russian conscripts\" is not in it; the closest passage is: "
            "\"102 Russian conscripts\"")


def test_a_quote_of_only_an_ellipsis_is_refused(project, refused):
    project.edit("content/facts.yaml", QUOTE_102, 'quote: "[…]"')
    refused("content/facts.yaml:10:14", "the quote for fact 'sbu-102' has no words besides '…'",
            "copy the words from the source; '…' marks only where words are left out")


def test_fragments():
    assert is_elided("a … b") and is_elided("a [...] b") and not is_elided("a. b")
    assert fragments("… a b […] c [...] d …") == ["a b", "c", "d"]


# --- 7. Quote in context ----------------------------------------------------------------------------

def test_each_quote_opens_on_its_sentence_with_the_words_marked(project, run):
    code, err = run()
    assert code == 0, err
    details = parse_page(project.output).find(id="swap-sizes").select_one("details.ctx")
    assert details.summary.get_text() == "In context"
    assert details.p.decode_contents() == ("The numbers exchanged in these swaps <mark>could range from 50 to 95 "
                                           "soldiers</mark>.")


def test_context_paragraph_shows_the_whole_paragraph(project, run):
    project.edit("content/sources.yaml", "  label: the Test Gazette\n",
                 "  label: the Test Gazette\n  context: paragraph\n")
    code, err = run()
    assert code == 0, err
    text = parse_page(project.output).find(id="swap-sizes").select_one("details.ctx p").get_text()
    assert text == SEED.split("\n")[0]


def test_context_none_republishes_nothing_more(project, run):
    project.edit("content/sources.yaml", "  label: the Test Gazette\n", "  label: the Test Gazette\n  context: none\n")
    code, err = run()
    assert code == 0, err
    assert parse_page(project.output).select("details.ctx") == []


def test_context_is_one_of_three_words(project, refused):
    project.edit("content/sources.yaml", "  label: the Test Gazette\n", "  label: the Test Gazette\n  context: page\n")
    refused("content/sources.yaml:10:12", "'page' is not one of 'sentence' or 'paragraph' or 'none'",
            "write 'sentence' or 'paragraph' or 'none'")


def test_context_folds_typography_like_the_quote_check(project, run):
    # the source has " — "; the fixture's quote types it as " - "
    assert "offensive - the General Staff said" in (project.root / "content/facts.yaml").read_text("utf-8")
    code, err = run()
    assert code == 0, err
    marked = parse_page(project.output).find(id="general-staff-971").select_one(".ctx mark").get_text()
    assert marked == "captured 971 Russian soldiers during a months-long offensive — the General Staff said"


# --- 8. Archive integrity -------------------------------------------------------------------------

def test_a_changed_archive_is_refused(project, refused):
    (project.root / "seeds/a.txt").write_text(SEED.replace("50 to 95", "50 to 96"), encoding="utf-8")
    now = hashlib.sha256(SEED.replace("50 to 95", "50 to 96").encode()).hexdigest()
    err = refused("content/sources.yaml:10:11",
                  "the archive of source 'article-a' (a.txt) has changed since its sha256 was recorded",
                  "archived texts are never edited: restore the file from version control; if the source itself "
                  f"must be replaced, archive it as a new source (its sha256 is now {now})")
    assert "the quote for fact" not in err  # checked against another text, the quotes prove nothing


def test_a_source_without_sha256_is_told_the_hash(project, refused):
    project.edit("content/sources.yaml", f"  sha256: {hashlib.sha256(SEED.encode()).hexdigest()}\n", "")
    refused("content/sources.yaml:1:3", "source 'article-a' records no sha256 of its archive (a.txt)",
            f"add 'sha256: {hashlib.sha256(SEED.encode()).hexdigest()}' after checking that seeds/a.txt "
            "is the text as archived")


def test_a_malformed_sha256_is_refused(project, refused):
    project.edit("content/sources.yaml", f"sha256: {hashlib.sha256(SEED.encode()).hexdigest()}", "sha256: abc")
    refused("content/sources.yaml:10:11", "'abc' is not a SHA-256 hash",
            "write the 64 hexadecimal digits of `sha256sum seeds/FILE`")


def test_no_template_writes_the_chain_by_hand():
    from conftest import REPO

    for path in (REPO / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "as reported by" not in text.lower() and "According to" not in text, path.name
        assert "attribution | attributed" not in text, f"{path.name}: write {{{{ fact | attributed }}}}"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab .’—\u00a0\t", min_size=1, max_size=30), min_size=1, max_size=4),
       st.integers(0, 200), st.integers(1, 40), st.sampled_from(["sentence", "paragraph"]))
def test_context_placed_from_the_quote_checks_match_is_the_one_found_by_searching(lines, at, size, mode):
    from explainer.quotes import Archive
    from explainer.verify import normalise

    text = "\n".join(lines)
    normal = normalise(text)
    quote = normal[at:at + size].strip()
    if not quote:
        return
    offset = normal.find(quote)
    archive = Archive(text, normalise)
    assert archive.context_html(quote, mode, offset, len(quote)) == archive.context_html(quote, mode, offset)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab .’—\u00a0\t", min_size=0, max_size=30), min_size=0, max_size=5),
       st.lists(st.text(alphabet="ab .’", min_size=1, max_size=6), min_size=1, max_size=3), st.integers(-1, 60))
@example(["a b", "a c"], ["a", "c"], -1)  # the first part in a paragraph without the rest: the next one starts with it
def test_a_quote_is_placed_in_the_first_paragraph_holding_its_fragments_in_order(lines, parts, hint):
    """Archive holds the whole normalised text and slices paragraphs from it (memory: 15 MB of
    paragraph strings at 50,000 facts); the paragraph it finds is the first, read one by one, that
    holds every fragment in order, wherever the quote check's match (``hint``) points."""
    from explainer.quotes import Archive, find_paragraph, paragraphs
    from explainer.verify import normalise

    text = "\n".join(lines)
    archive = Archive(text, normalise)
    normals = [normalise(p) for p in paragraphs(text)]
    assert archive.whole == normalise(text) == " ".join(normals)
    assert [archive.normal(i) for i in range(len(normals))] == normals
    wanted = [normalise(p) for p in parts if normalise(p)]
    expected = find_paragraph(normals, wanted) if wanted else None
    found = archive.find_paragraph(wanted, hint if hint < len(archive.whole) else -1)
    if hint < 0 or expected is None:
        assert found == expected
    else:  # the paragraph the match points at, if it holds them; else the first
        assert found is not None and in_order_at(normals[found], wanted)


def in_order_at(paragraph: str, parts: list[str]) -> bool:
    from explainer.quotes import in_order

    return in_order(paragraph, parts) is not None


def test_the_quotes_shown_in_context_share_the_text_the_quote_check_searched(tmp_path):
    """The archive the preview keeps for a source's quotes in context holds the source's normalised
    text itself (the quote check's), not a copy of it or of each paragraph."""
    from conftest import REPO

    from explainer.incremental import IncrementalBuilder

    builder = IncrementalBuilder()
    project = builder.build(REPO, tmp_path / "out").project
    archives = builder.cache.render.archives
    shown = [s for s in project.sources if s.context != "none" and s.cited_by]
    assert shown and all(archives[s.text].whole is s.normal for s in shown)
    assert all(s.normal == " ".join(s.text.split()) or not s.text.isascii() for s in shown)
