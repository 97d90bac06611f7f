"""The shipped Kursk explainer, read as a reader would: every statement sourced, nothing invented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from _pages import parse_page
from bs4 import BeautifulSoup

from explainer.cli import main
from explainer.quotes import fragments
from explainer.verify import normalise

REPO = Path(__file__).resolve().parent.parent
SEEDS = {p.name: normalise(p.read_text(encoding="utf-8")) for p in (REPO / "seeds").glob("*.txt")}
SOURCES = yaml.safe_load((REPO / "content" / "sources.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def soup(tmp_path_factory) -> BeautifulSoup:
    """The built index.html, parsed. Not called `page`: that is pytest-playwright's browser page."""
    out = tmp_path_factory.mktemp("shipped") / "output"
    assert main(["build", "--project", str(REPO), "--output", str(out), "--strict"]) == 0
    return parse_page(out)


def all_seed_text() -> str:
    return " ".join(SEEDS.values())


def test_seeds_are_the_shared_archives_byte_for_byte():
    shared = REPO.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.glob("*.txt"):
        assert (REPO / "seeds" / original.name).read_bytes() == original.read_bytes()


def test_every_fact_on_the_page_quotes_its_source_verbatim(soup):
    facts = soup.select("#facts ol.facts > li[id]")
    assert len(facts) >= 40
    for fact in facts:
        quotes = [bq.get_text(" ", strip=True).strip("“”") for bq in fact.find_all("blockquote")]
        assert quotes, f"fact {fact['id']} shows no quote"
        for quote in quotes:
            for part in fragments(quote):  # words left out with '…': each part is in the text
                assert normalise(part) in all_seed_text(), f"fact {fact['id']}: quote not in any archived text"


def test_every_quote_opens_in_its_context_with_the_quoted_words_marked(soup):
    for fact in soup.select("#facts ol.facts > li[id]"):
        for item in fact.select("ul.citations > li > div.quote"):
            marks = [m.get_text() for m in item.select("details.ctx mark")]
            assert marks, f"fact {fact['id']}: a quote without its context"
            quote = item.blockquote.get_text(" ", strip=True).strip("“”")
            assert [normalise(m) for m in marks] == [normalise(p) for p in fragments(quote)], fact["id"]


def test_attributions_name_the_claimant_and_the_page_adds_the_source(soup):
    labels = [s["label"] for s in SOURCES]
    assert labels == ["an unsigned article", "the Kyiv Independent"]
    for fact in soup.select("#facts ol.facts > li[id]"):
        credit = fact.select_one(".meta").get_text().split(" · ")[0]
        assert re.fullmatch(r"According to .+?(, as reported by (an unsigned article|the Kyiv Independent))?", credit)
        assert "the article" not in credit and "cited by" not in credit, fact["id"]


def test_every_fact_is_attributed(soup):
    for fact in soup.select("#facts ol.facts > li[id]"):
        assert "According to " in fact.get_text(), fact["id"]


def test_every_summary_paragraph_cites_a_fact(soup):
    paragraphs = soup.select(".summaries section p")
    assert len(paragraphs) >= 10
    for p in paragraphs:
        assert p.select("a.cite"), f"uncited summary paragraph: {p.get_text()[:80]}"


def test_every_summary_paragraph_in_the_markdown_cites_a_fact():
    for path in sorted((REPO / "content" / "summaries").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[2]
        for paragraph in filter(None, (p.strip() for p in body.split("\n\n"))):
            assert re.search(r"\[\[[a-z0-9-]+\]\]", paragraph), f"{path.name}: {paragraph[:80]}"


def test_there_are_four_to_six_summaries(soup):
    assert 4 <= len(soup.select(".summaries section")) <= 6


def test_every_timeline_event_has_a_supporting_fact(soup):
    events = soup.select("#timeline ol > li")
    assert len(events) >= 10
    for event in events:
        assert event.select("a.cite"), event.get("id")


def test_timeline_spans_mariupol_to_the_may_2025_exchange(soup):
    # a span or a set has a <time> per date: the event is placed by its first
    datetimes = [li.find("time")["datetime"] for li in soup.select("#timeline ol > li")]
    assert datetimes == sorted(datetimes, key=lambda d: (d[:4], d[5:7] or "13", d[8:10] or "32"))
    assert datetimes[0].startswith("2022")
    assert datetimes[-1].startswith("2025-05")


def test_weekday_only_event_is_approximate_with_a_note(soup):
    event = soup.select_one("#timeline li[id*='sbu']")
    assert event.find("time").get_text().startswith("c. ")
    assert "Wednesday" in event.select_one(".date-note").get_text()


def test_every_glossary_entry_is_sourced(soup):
    entries = soup.select("#glossary dd")
    assert len(entries) >= 8
    for dd in entries:
        assert dd.select("a.cite"), dd.find_previous_sibling("dt").get_text()


def test_comparisons_show_both_sides_attributed(soup):
    comparisons = soup.select("#comparisons .comparison")
    assert len(comparisons) >= 3
    kinds = " ".join(c.get_text() for c in comparisons)
    assert "Sources disagree" in kinds and "Changed over time" in kinds
    for c in comparisons:
        sides = c.select(".side-by-side > li")
        assert len(sides) >= 2
        assert all("According to " in s.get_text() for s in sides)


def metadata(soup: BeautifulSoup, source_id: str) -> dict[str, str]:
    source = soup.select_one(f"#source-{source_id}")
    return {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
            for dt in source.find_all("dt")}


def test_source_metadata_is_never_invented(soup):
    """Every shown metadata value is in the article's own text; missing values say 'unknown'."""
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    for source in SOURCES:
        text = SEEDS[source["archive"]]
        shown = metadata(soup, source["id"])
        for field, label in (("publisher", "Publisher"), ("author", "Author")):
            if source[field] is None:
                assert shown[label] == "unknown"
            else:
                assert source[field] in text, f"{source['id']}: {field} not in its text"
        if source["published"] is None:
            assert shown["Published"].startswith("unknown")
        else:
            year, month, day = (int(x) for x in str(source["published"]).split("-"))
            assert str(source["published"]) in text or f"{months[month - 1]} {day}, {year}" in text
        if source["url"] is None:
            assert shown["Address"] == "unknown"
        if source["retrieved"] is None:
            assert shown["Archived text retrieved"] == "unknown"


def test_undated_article_says_so_and_marks_its_inferred_range(soup):
    shown = metadata(soup, "untitled-kursk-prisoners-article")
    assert shown["Published"].startswith("unknown")
    assert "inferred from the text" in shown["Published"]
    assert "twice" in shown["Note"]


# --- The editorial guide, checked where a machine can (docs/editors.md: "The editorial guide") -------------

CONTENT = REPO / "content"
SITE = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
FACTS = yaml.safe_load((CONTENT / "facts.yaml").read_text(encoding="utf-8"))
EVENTS = yaml.safe_load((CONTENT / "timeline.yaml").read_text(encoding="utf-8"))
GLOSSARY = yaml.safe_load((CONTENT / "glossary.yaml").read_text(encoding="utf-8"))
COMPARISONS = yaml.safe_load((CONTENT / "comparisons.yaml").read_text(encoding="utf-8"))
FACTS_BY_ID = {fact["id"]: fact for fact in FACTS}
CITATION = re.compile(r"\[\[[a-z0-9-]+\]\]")
MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
# Whoever a sentence can name as the source of its claim: the two articles and the people and
# bodies they quote. A sentence that carries a number names one of them.
CLAIMANTS = ("article", "Kyiv Independent", "General Staff", "SBU", "Budanov", "Ombudsman", "Zelensky",
             "Moscow", "critics", "Critics", "sources")
# Words that carry a claim in the present tense: true only as of the source's day.
PRESENT_TENSE = re.compile(r"\b(remains|continues|still|so far|are ongoing|is ongoing|keep secret|has consistently"
                           r"|is politically|are not allowed)\b")
# The General Staff's framing of the exchanges; the headline describes, it does not conclude.
FRAMING = re.compile(r"\b(fed|feed|fill|filled|fuelled|fueled|exchange fund|key to|helped)\b", re.I)


def summary_bodies() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8").split("---", 2)[2]
            for path in sorted((CONTENT / "summaries").glob("*.md"))}


def prose() -> dict[str, str]:
    """Every piece of the page's own prose, by where it comes from."""
    texts = {f"summaries/{name}": body for name, body in summary_bodies().items()}
    texts |= {f"glossary {t['id']}": t["definition"] for t in GLOSSARY}
    texts |= {f"comparison {c['id']}": c["text"] for c in COMPARISONS}
    texts |= {f"event {e['id']}": e["text"] for e in EVENTS}
    return texts


def sentences(text: str) -> list[str]:
    """Plain sentences: citations dropped, link texts kept, split after . ? ! and a space."""
    plain = MD_LINK.sub(r"\1", CITATION.sub("", text)).replace("*", "")
    return [s.strip() for s in re.split(r"(?<=[.?!])[\"”]?\s+", plain) if s.strip()]


def test_title_description_and_feed_do_not_adopt_a_sides_framing(soup, tmp_path):
    for text in (SITE["title"], SITE["description"]):
        assert not FRAMING.search(text), text
    assert "Kursk" in SITE["title"] and "exchanges" in SITE["title"]
    head = {m.get("property") or m.get("name"): m.get("content") for m in soup.select("meta[content]")}
    assert soup.title.get_text() == head["og:title"] == head["twitter:title"] == SITE["title"]
    assert head["description"] == head["og:description"] == SITE["description"]


def test_the_top_of_the_page_says_most_facts_rest_on_one_unsigned_undated_article(soup):
    from_first = sum(1 for f in FACTS if f["citations"][0]["source"] == "untitled-kursk-prisoners-article")
    assert from_first > len(FACTS) / 2
    assert "one unsigned, undated article" in SITE["description"]
    first = soup.select_one(".summaries section p").get_text(" ", strip=True)
    assert first.startswith("About the sources.")
    assert "no publisher, no author and no date" in first and "for you as a reader" in first.lower()


def unattributed_numbers(texts: dict[str, str]) -> list[str]:
    """Sentences with a digit that name no claimant (a pronoun is not enough: 'it reports')."""
    return [f"{where}: {sentence}" for where, text in texts.items() for sentence in sentences(text)
            if re.search(r"\d", sentence) and not any(c in sentence for c in CLAIMANTS)]


def test_every_summary_sentence_with_a_number_names_who_says_so():
    assert unattributed_numbers(summary_bodies()) == []


def test_every_glossary_comparison_and_timeline_sentence_with_a_number_names_who_says_so():
    assert unattributed_numbers({w: t for w, t in prose().items() if not w.startswith("summaries/")}) == []


def test_present_tense_claims_in_prose_carry_their_day():
    """'remains', 'still', 'so far'… are true as of a source's day: the sentence says which day
    ("as of 26 May 2025"), or, for the undated first article, "at the time of" its writing or a
    claimant in the past ("the first article said")."""
    undated = []
    for where, text in prose().items():
        for sentence in sentences(text):
            if PRESENT_TENSE.search(sentence) and not (
                    re.search(r"\bas of \d{1,2} [A-Z][a-z]+ \d{4}\b", sentence, re.I) or "at the time of" in sentence
                    or re.search(r"\b(said|reported)\b", sentence)):
                undated.append(f"{where}: {sentence}")
    assert undated == []


def test_words_in_double_quotes_in_prose_are_verbatim_from_a_source():
    seeds = all_seed_text()
    quoted = re.compile(r"[\"“]([^\"”]{3,})[\"”]")
    texts = prose() | {f"fact {f['id']}": f["claim"] for f in FACTS}
    for where, text in texts.items():
        for words in quoted.findall(CITATION.sub("", text)):
            words = normalise(words.rstrip(",."))
            capitalised = words[:1].upper() + words[1:]  # a quote may start mid-sentence in lower case
            assert words in seeds or capitalised in seeds, f"{where}: quoted words not in any source: {words}"


def test_hedges_of_the_source_stay_in_the_claim():
    """A claim is exported alone (CSV, JSON, JSON-LD, feed): the quote's hedge must be in it."""
    hedges = ("could", "generally believed", "dares", "reportedly", "recounted", "so-called", "previously",
              "no fewer than", "at least", "upwards of", "typically", "almost", "often", "unclear",
              "announced", "question arises", "not expected",
              "clearly")  # the source's certainty is kept as well as its doubt
    for fact in FACTS:
        quotes = " ".join(c["quote"] for c in fact["citations"]).lower()
        for hedge in hedges:
            if hedge in quotes:
                claim = fact["claim"].lower()
                same = {"no fewer than": ("at least", "no fewer than"), "question arises": ("question arises",)}
                assert any(h in claim for h in same.get(hedge, (hedge,))) or hedge in fact["attribution"], \
                    f"fact {fact['id']} drops the hedge '{hedge}': {fact['claim']}"


NUMBER_HEDGES = ("no fewer than", "at least", "upwards of", "almost", "more than", "could range from")


def test_a_number_hedged_in_the_source_is_hedged_in_event_titles_too():
    """A timeline title is read alone: "SBU reports 102 captured" turned "no fewer than 102" into a count."""
    hedge = "|".join(NUMBER_HEDGES)
    for event in EVENTS:
        quotes = " ".join(c["quote"] for f in event["facts"] for c in FACTS_BY_ID[f]["citations"])
        for number in re.findall(r"\d[\d,]*", event["title"]):
            if re.search(rf"\b(?:{hedge}) {number}\b", quotes):
                assert re.search(rf"\b(?:{hedge}) {number}\b", event["title"]), \
                    f"event {event['id']}: '{number}' is hedged in its facts' quotes, not in its title"


def test_a_claimant_is_not_the_reporter_of_its_own_words():
    """"According to President Zelensky: …, a point he often discusses": that he often discusses it is
    the article's report, not his claim. A claim whose subject reports what its claimant said, announced
    or discusses belongs to whoever reports it (here the article)."""
    labels = {s["label"] for s in SOURCES}
    verbs = r"(announced|announces|said|says|discuss\w*|declared|outlined|set out|thanked)"
    for fact in FACTS:
        if fact["attribution"] in labels:
            continue
        claimant = re.escape(fact["attribution"].split()[-1])
        assert not re.search(rf"(?:\b{claimant}|\b(?:he|she|it|they))\W+(?:\w+\W+){{0,8}}?{verbs}\b",
                             fact["claim"]), f"fact {fact['id']}: {fact['claim']}"


def test_a_statement_is_dated_the_day_the_quote_says_it_was_made():
    """"Moscow declared on April 26": the claim was said that day, not on the article's day."""
    months = {m: i for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July", "August",
                                          "September", "October", "November", "December"), 1)}
    said_on = re.compile(r"(\w+) (?:said|declared|announced|stated) on (" + "|".join(months) + r") (\d{1,2})\b")
    checked = 0
    for fact in FACTS:
        for citation in fact["citations"]:
            found = said_on.search(citation["quote"])
            if found and found[1] in fact["attribution"]:  # the claimant's words, not another statement's day
                said = str(fact.get("said", PUBLISHED[citation["source"]]))
                assert said[5:] == f"{months[found[2]]:02d}-{int(found[3]):02d}", f"fact {fact['id']}: said {said}"
                checked += 1
    assert checked >= 1


def test_a_count_over_a_period_is_dated_with_the_period():
    """The 971 were captured between 6 August 2024 and 25 May 2025, and the headline's "almost 1,000"
    is that count: neither is an event of the day it was announced."""
    for fact_id in ("general-staff-971-captured", "general-staff-count-period", "headline-almost-1000-captured"):
        assert FACTS_BY_ID[fact_id]["date"] == "2024-08-06/2025-05-25", fact_id


def test_an_early_figure_above_the_later_whole_period_count_is_a_disagreement():
    """Captures add up: talk of "upwards of 1,000" early on and 971 for the whole period cannot both be
    right, so the page shows them as sources that disagree, not as a figure that changed."""
    comparison = next(c for c in COMPARISONS if c["id"] == "captured-count-talk-vs-971")
    assert comparison["kind"] == "disagreement"
    assert "neither article explains the difference" in comparison["text"]


MONTH_FIRST = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\. \d{1,2}\b"
                         r"|\b(?:January|February|March|April|May|June|July|August|September|October|November"
                         r"|December) \d{1,2}\b")
IN_QUOTES = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’|“[^”]*”")


def test_dates_in_the_sites_own_words_are_written_as_the_page_writes_them():
    """"30 August 2024" on the fact's line, "on Aug. 30, 2024" in its claim: the page's own words write
    day, month, year; the sources' "May 25" stays only inside quotation marks, as their words."""
    texts = prose() | {f"fact {f['id']}": f["claim"] for f in FACTS}
    texts |= {f"{kind} {item['id']} date_note": item["date_note"]
              for kind, items in (("fact", FACTS), ("event", EVENTS)) for item in items if item.get("date_note")}
    texts |= {f"event {e['id']} title": e["title"] for e in EVENTS}
    found = {where: MONTH_FIRST.findall(IN_QUOTES.sub("", text)) for where, text in texts.items()}
    assert {where: dates for where, dates in found.items() if dates} == {}


def test_an_announcement_stays_an_announcement():
    committee = FACTS_BY_ID["budanov-exchange-committee"]
    assert "announced the establishment" in committee["claim"]
    assert committee["attribution"] == "an unsigned article"  # the article reports what Budanov announced
    everything = " ".join(prose().values()) + " ".join(t["term"] for t in GLOSSARY)
    assert "has been set up" not in everything and "set up to coordinate" not in everything
    assert not any(c["id"] == "ad-hoc-swaps-to-committee-and-talks" for c in COMPARISONS)
    assert "(announced)" in next(t["term"] for t in GLOSSARY if t["id"] == "exchange-committee")


def chart_unit(chart: dict) -> str:
    """The thing a chart counts: the last word of its title ('Russian soldiers reported captured')."""
    return chart["title"].split()[-1].lower()


def test_no_chart_mixes_units():
    """Every bar of a chart counts the thing its title names: the quote says it of that number."""
    charts = {chart["series"]: chart for chart in SITE["charts"]}
    charted = [f for f in FACTS if "figure" in f]
    assert charted
    for fact in charted:
        chart = charts[fact["figure"]["series"]]
        quotes = " ".join(c["quote"] for c in fact["citations"]).lower()
        assert chart_unit(chart) in quotes, \
            f"fact {fact['id']} is charted in '{chart['title']}' but its quote does not count '{chart_unit(chart)}'"
        assert not re.search(r"\b(19|20)\d\d\b", fact["figure"]["label"]) or "to" in fact["figure"]["label"], \
            f"fact {fact['id']}: a chart label names a span, not an inferred year"


def test_mariupol_returnees_are_not_placed_with_the_azovstal_defenders(soup):
    fact = FACTS_BY_ID["seventy-mariupol-defenders-returned"]
    assert "azovstal" not in fact["topics"]
    azovstal = soup.select_one("section#section-the-azovstal-defenders")
    assert "70 troops" not in azovstal.get_text() and "#seventy-mariupol-defenders-returned" not in str(azovstal)
    assert "[[seventy-mariupol-defenders-returned]]" in summary_bodies()["05-the-1000-for-1000-exchange.md"]


def test_the_may_24_or_25_explanation_is_given_once_and_linked():
    texts = prose()
    full = [w for w, t in texts.items() if "a day after" in t]
    assert full == ["comparison date-of-final-phase"]
    for where, text in texts.items():
        if "24 or 25 May" in text and where != "comparison date-of-final-phase":
            assert "(#compare-date-of-final-phase)" in text, where


def test_the_two_added_claims_are_facts_and_the_ombudsmans_not_soon_is_on_the_timeline():
    assert "Families of these prisoners are desperately hoping" in \
        FACTS_BY_ID["families-hoping-for-return"]["citations"][0]["quote"]
    assert "particularly desperate" in FACTS_BY_ID["azov-prisoners-plight-desperate"]["citations"][0]["quote"]
    assert any("all-for-all-not-expected-soon" in e["facts"] for e in EVENTS)


def test_every_fact_and_event_records_the_day_it_was_added(soup):
    for item in FACTS + EVENTS:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(item.get("added"))), item.get("id", item.get("title"))
    assert len(soup.select(".recent li")) == 5


def test_the_feed_has_entries(tmp_path):
    out = tmp_path / "output"
    assert main(["build", "--project", str(REPO), "--output", str(out)]) == 0
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") >= 10
    assert SITE["title"].replace("'", "&apos;") in feed or SITE["title"] in feed


QUOTED_STATEMENTS = ("zelensky-bring-back-everyone", "general-staff-unconventional-decisions",
                     "general-staff-success-recognised")


def test_words_the_source_quotes_say_whose_words_they_are():
    """A claim made of a statement's words in the Kyiv Independent's quotation marks says so."""
    for fact_id in QUOTED_STATEMENTS:
        citation = FACTS_BY_ID[fact_id]["citations"][0]
        text = SOURCE_TEXT[citation["source"]]
        at = text.find(normalise(citation["quote"]))
        assert at > 0 and text[at - 1] == '"', f"{fact_id}: the source does not quote these words"
        assert "as the Kyiv Independent quotes them)" in FACTS_BY_ID[fact_id]["claim"], fact_id


def test_no_quote_is_called_a_translation_the_sources_do_not_state(soup):
    """Neither article says in what language the General Staff or Zelensky spoke, so no citation is
    marked `translated_by_source` (docs: "never guess") and no claim or summary names the language
    of their words: "in the Kyiv Independent's English" was the editors' inference, not a source's."""
    assert [f["id"] for f in FACTS if any(c.get("translated_by_source") for c in f["citations"])] == []
    assert soup.select("#facts .translated") == []
    texts = {f"fact {f['id']}": f["claim"] for f in FACTS} | prose()
    assert [where for where, text in texts.items() if re.search(r"\bEnglish\b", text)] == []


def test_the_undated_articles_dating_note_is_said_once_and_its_facts_link_to_it(soup):
    note = next(s for s in SOURCES if s["id"] == UNDATED)["facts_date_note"]
    assert "undated" in note and "c. August 2024" in note
    assert soup.get_text().count(note) == 1
    assert soup.select_one(f"#source-{UNDATED}-date-note + dd").get_text().startswith(note)
    links = soup.select(f'#facts .date-note a[href="#source-{UNDATED}-date-note"]')
    heirs = [f for f in FACTS if f["citations"][0]["source"] == UNDATED and "date_note" not in f]
    assert len(links) == len(heirs) >= 30


def test_a_date_note_is_not_repeated_beyond_a_pair_unless_it_points_to_the_explanation():
    """Say a repeated thing once: a note that three or more facts share is either the source's
    `facts_date_note` or a short pointer to the comparison that explains it. (An event may repeat
    the note of the facts it rests on: it is read in the timeline, apart from them.)"""
    counts: dict[str, int] = {}
    for item in FACTS:
        if item.get("date_note"):
            counts[item["date_note"]] = counts.get(item["date_note"], 0) + 1
    repeated = [note for note, n in counts.items() if n > 2 and RELEASE_POINTER not in note]
    assert repeated == []
    source_notes = {s.get("facts_date_note") for s in SOURCES} - {None}
    assert not source_notes & set(counts), "a fact repeats its source's note: remove it, it is inherited"


def test_quotes_from_one_source_are_grouped_under_its_label(soup):
    labels = {s["id"]: s["label"] for s in SOURCES}
    for fact in soup.select("#facts ol.facts > li[id]"):
        data = FACTS_BY_ID[fact["id"]]
        cited = list(dict.fromkeys(c["source"] for c in data["citations"]))
        lines = fact.select("ul.citations > li > p.from")
        assert [p.get_text() for p in lines] == [f"From {labels[s]}:" for s in cited], fact["id"]
        assert [p.a["href"] for p in lines] == [f"#source-{s}" for s in cited], fact["id"]
        assert len(fact.select("ul.citations div.quote blockquote")) == len(data["citations"]), fact["id"]


def test_what_is_not_known_holds_only_unknowns():
    body = summary_bodies()["06-what-is-not-known.md"]
    for paragraph in filter(None, (p.strip() for p in body.split("\n\n"))):
        assert re.search(r"not known|unknown|unclear|[Nn]either|remains to be seen|question", paragraph), paragraph


# --- Dates and tense, with `as_of`, `said` and EDTF uncertain dates (issue 12) ---------------------

UNDATED = "untitled-kursk-prisoners-article"
SOURCE_TEXT = {s["id"]: SEEDS[s["archive"]] for s in SOURCES}
PUBLISHED = {s["id"]: s["published"] for s in SOURCES}
# Words that put a claim in the present: it holds as of its source's day, so it needs `as_of`.
PRESENT_IN_CLAIM = re.compile(r"\b(is|are|has|have|remains?|continues?|keeps?|still|so far|ongoing|typically"
                              r"|would|arises|dares)\b")
# The one day the sources leave open: the final phase of the 1,000-for-1,000 exchange.
ONE_OF_TWO_DAYS = "[2025-05-24,2025-05-25]"
ABOUT_THE_RELEASE = re.compile(r"final phase|May 25 prisoner release|returnees|1,000-for-1,000 exchange|three phases")
RELEASE_POINTER = "‘24 or 25 May 2025?’"
# The General Staff's statement, which the Kyiv Independent of 26 May says was made "on May 25".
STATEMENT_OF_MAY_25 = ("general-staff-971-captured", "general-staff-count-period", "kursk-key-to-exchanges",
                       "campaign-unexpected-asymmetric", "general-staff-unconventional-decisions",
                       "general-staff-success-recognised")
# "the offensive, which began on Aug. 6, 2024": no source says so (the General Staff's count starts then).
OFFENSIVE_BEGAN_AUG_6 = re.compile(r"\b(began|begun|begins|started|start of the offensive|beginning)\b\W+"
                                   r"(?:[\w.,]+\W+){0,3}?(Aug(?:\.|ust)? 6|6 Aug)", re.I)
EDTF_PIECE = re.compile(r"(\d{4})(?:-\d{2}(?:-\d{2})?)?([~?%]?)")


def claim_words(fact: dict) -> str:
    """The claim without quoted words and without "(… as the Kyiv Independent quotes them)"."""
    claim = re.sub(r"\([^)]*quotes them\)", "", fact["claim"])
    return re.sub(r"\bto have\b", "", re.sub(r"\"[^\"]*\"", "", claim))


def cites_only(fact: dict, source_id: str) -> bool:
    return all(c["source"] == source_id for c in fact["citations"])


def pieces(value: object) -> list[tuple[str, str, str]]:
    """Each date of a plain or EDTF value: (the text, its year, its qualifier); open ends left out."""
    return [(m.group(0), m.group(1), m.group(2)) for m in EDTF_PIECE.finditer(str(value))]


def test_every_present_tense_claim_says_as_of_when():
    missing = [f"{f['id']}: {f['claim']}" for f in FACTS
               if PRESENT_IN_CLAIM.search(claim_words(f)) and "as_of" not in f]
    assert missing == []


def test_as_of_is_the_sources_day_and_for_the_undated_article_one_estimate_not_a_day():
    """A dated source: its day (or the day the claim was said). The undated first article: the same
    estimate for every claim, never a day, marked approximate and uncertain as its facts' dates are."""
    undated_as_of = set()
    for fact in (f for f in FACTS if "as_of" in f):
        source = fact["citations"][0]["source"]
        if PUBLISHED[source] is None:
            undated_as_of.add(fact["as_of"])
        else:
            assert fact["as_of"] in (PUBLISHED[source], fact.get("said")), fact["id"]
    assert undated_as_of == {"2024-08%"}


def test_the_undated_articles_facts_invent_no_day_and_mark_an_inferred_year():
    """The first article gives no date: none of its facts or events has a day, and a year the article
    does not name (2024) is shown as inferred with `?` ("c. August 2024?"); 2022 is in its text."""
    events = [e for e in EVENTS if all(cites_only(FACTS_BY_ID[i], UNDATED) for i in e["facts"])]
    dated = [(f["id"], f["date"]) for f in FACTS if cites_only(f, UNDATED)] + [(e["id"], e["date"]) for e in events]
    dated += [(f["id"], f["as_of"]) for f in FACTS if cites_only(f, UNDATED) and "as_of" in f]
    assert len(dated) > 40
    for where, value in dated:
        for text, year, qualifier in pieces(value):
            assert text.count("-") < 2, f"{where}: {value} names a day the undated article does not give"
            assert year in SOURCE_TEXT[UNDATED] or qualifier in ("?", "%"), \
                f"{where}: the year of {value} is inferred, not in the article: mark it with ? (or %)"
        assert not any(k in f for f in [FACTS_BY_ID.get(where, {})] for k in ("said", "approximate")), where


def test_a_day_given_without_its_year_is_shown_as_inferred():
    """'May 16', 'April 26': the year comes from the byline, and the date note says it is inferred."""
    month_day = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November"
                           r"|December|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) (\d{1,2})\b(?!, \d{4})")
    for item in FACTS + EVENTS:
        facts = [item] if "claim" in item else [FACTS_BY_ID[i] for i in item["facts"]]
        for fact in facts:
            for citation in fact["citations"]:
                for month, day in month_day.findall(citation["quote"]):
                    if f"{month} {day}, 20" in SOURCE_TEXT[citation["source"]]:
                        continue  # the source gives the year elsewhere
                    if any(text.endswith(f"-{int(day):02d}") for text, _, _ in pieces(item["date"])):
                        assert "inferred" in (item.get("date_note") or "") or "?" in str(item["date"]), \
                            f"{item.get('id')}: '{month} {day}' has no year in its source; say it is inferred"


def test_facts_and_events_of_the_may_2025_release_share_one_open_date():
    """The final phase, the 'May 25 prisoner release', its returnees and the exchange it ended are one
    release: the same "24 or 25 May 2025" everywhere, never one of the two days."""
    release = {f["id"] for f in FACTS if any(ABOUT_THE_RELEASE.search(c["quote"]) for c in f["citations"])
               and " agreed " not in f["claim"]}  # the swap's agreement, on 16 May, quotes its size too
    assert {"final-phase-303-returned", "may-25-release-services", "seventy-mariupol-defenders-returned",
            "exchange-1000-for-1000", "exchange-three-phases"} <= release
    for fact_id in release:
        assert FACTS_BY_ID[fact_id]["date"] == ONE_OF_TWO_DAYS, fact_id
    events = [e for e in EVENTS if release & set(e["facts"])]
    assert len(events) == 2
    for event in events:
        assert event["date"] == ONE_OF_TWO_DAYS and "approximate" not in event, event["id"]
    for path in [CONTENT / name for name in ("facts.yaml", "timeline.yaml")]:
        assert not re.search(r"date: \"?2025-05-24~?\"?\n", path.read_text(encoding="utf-8"))  # not "c. 24 May"


def test_date_notes_point_to_the_one_explanation_of_the_two_days():
    """The why (a day after / the May 25 release) is told once, in the comparison; notes point there."""
    assert next(c for c in COMPARISONS if c["id"] == "date-of-final-phase")["title"] == RELEASE_POINTER.strip("‘’")
    for item in FACTS + EVENTS:
        note = item.get("date_note") or ""
        assert "a day after" not in note and "May 25 prisoner release" not in note, item.get("id")
        if item["date"] == ONE_OF_TWO_DAYS:
            assert RELEASE_POINTER in note and len(note) < 200, item.get("id")
            assert f"[{RELEASE_POINTER}](#compare-date-of-final-phase)" in note, item.get("id")


def test_the_date_notes_of_the_two_days_link_to_the_explanation_on_the_page(soup):
    links = soup.select('.date-note a[href="#compare-date-of-final-phase"]')
    assert len(links) == sum(item["date"] == ONE_OF_TWO_DAYS for item in FACTS + EVENTS) >= 7
    assert {a.get_text() for a in links} == {RELEASE_POINTER}


def test_the_general_staffs_words_are_dated_by_its_statement():
    """The Kyiv Independent of 26 May reports what the General Staff 'said on May 25': `said` says so."""
    for fact_id in STATEMENT_OF_MAY_25:
        assert FACTS_BY_ID[fact_id].get("said") == "2025-05-25", fact_id
    assert "said on May 25" in SOURCE_TEXT["kyiv-independent-2025-05-26"]


def test_what_had_previously_happened_is_dated_before_the_report_not_on_it():
    critics = FACTS_BY_ID["critics-questioned-kursk-value"]
    assert critics["date"].startswith("../") and critics["date"][3:] < PUBLISHED["kyiv-independent-2025-05-26"]


def test_reported_and_undated_statements_are_spans_between_what_the_source_allows():
    """Putin's 'recent' visit after the April 26 declaration, reported on 26 May: a span, not a month."""
    visit = "2025-04-26/2025-05-26"
    assert FACTS_BY_ID["putin-reportedly-visited-kursk"]["date"] == visit
    assert next(e for e in EVENTS if e["id"] == "putin-visit-reported")["date"] == visit
    for item in FACTS + EVENTS:
        assert str(item["date"]) != "2025-05", f"{item.get('id')}: a May 2025 date the sources allow to narrow"


def test_nothing_says_the_offensive_began_on_6_august_2024():
    """The General Staff counts captures from Aug. 6, 2024; neither article dates the offensive's start.
    Checked in every content file, comments and a source's reasoning included, and in timeline titles."""
    files = [*CONTENT.glob("*.yaml"), *(CONTENT / "summaries").glob("*.md"), REPO / "site.yaml"]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            unquoted = re.sub(r"'[^']*'", "", line)  # words quoted from a source may say so; ours may not
            assert not OFFENSIVE_BEGAN_AUG_6.search(unquoted), f"{path.name}: {line.strip()}"
    for event in EVENTS:
        if "2024-08-06" in str(event["date"]):
            assert "offensive" not in event["id"] and "offensive" not in event["title"].lower(), event["id"]
