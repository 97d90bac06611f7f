"""Languages: editions per `languages:`, `translations:` beside entries, catalogs and Babel dates.

A small two-language fixture (tests/_languages_fixture.py), partly translated on purpose, is built
once; the tests read the Ukrainian pages as a reader's browser would (parsed HTML) and the
warnings and errors as an editor reads them (file:line:col).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _languages_fixture import FILES, UK
from bs4 import BeautifulSoup
from conftest import MINIMAL, REPO, make_project, tree_hash

from explainer import pipeline
from explainer.errors import BuildError


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def line_of(rel: str, needle: str, files: dict[str, str] = FILES) -> int:
    """The 1-based line of ``needle`` in a fixture file as written (dedented)."""
    import textwrap

    lines = textwrap.dedent(files[rel]).split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages") / "site"
    project = make_project(root, UK)
    result = pipeline.build(root, root / "output")
    return project, result


@pytest.fixture(scope="module")
def uk(built) -> BeautifulSoup:
    return soup(built[0].output / "uk" / "index.html")


# --- the Ukrainian edition as a reader gets it --------------------------------------------------

def test_edition_is_marked_as_ukrainian_with_alternates_for_every_edition(uk):
    assert uk.html["lang"] == "uk"
    alternates = {link["hreflang"]: link["href"] for link in uk.find_all("link", rel="alternate", hreflang=True)}
    assert alternates == {"en": "https://example.org/test/", "uk": "https://example.org/test/uk/",
                          "x-default": "https://example.org/test/"}
    assert uk.find("link", rel="canonical")["href"] == "https://example.org/test/uk/"


def test_language_switch_names_each_language_in_itself_and_works_without_javascript(uk, built):
    nav = uk.find("nav", class_="languages")
    assert nav["aria-label"] == "Мова"
    links = [(a["href"], a["lang"], a["hreflang"], a.get_text(), a.get("aria-current")) for a in nav.find_all("a")]
    assert links == [("../index.html", "en", "en", "English", None),
                     ("index.html", "uk", "uk", "Українська", "page")]
    en = soup(built[0].output / "index.html").find("nav", class_="languages")
    assert [(a["href"], a.get_text()) for a in en.find_all("a")] == [("index.html", "English"),
                                                                       ("uk/index.html", "Українська")]


def test_translated_edition_says_so_near_the_top_and_in_its_data(uk):
    note = uk.find(class_="translation-note")
    assert note.find_parent("header") is not None
    assert "Це переклад оригінальної версії" in text(note)
    assert note.a["href"] == "../index.html" and note.a["lang"] == "en"
    data = json.loads(uk.find("script", type="application/ld+json").string)
    assert data["inLanguage"] == "uk"
    assert data["translationOfWork"] == {"@id": "https://example.org/test/"}


def test_translated_claim_attribution_and_labels(uk):
    fact = uk.find(id="sbu-102")
    claim = "Командос СБУ взяли в полон щонайменше 102 російських військових у середу."
    assert text(fact.find(class_="claim")) == "1 " + claim
    meta = text(fact.find(class_="meta"))
    assert meta.startswith("За даними СБУ, як повідомляє Test Gazette · ")
    assert text(uk.find(id="facts-h")) == "Факти й цитати"
    assert text(fact.find(class_="date-note")) == "Як встановлено дату: Стаття датує це лише словом «середа»."
    assert text(fact.find(class_="from")) == "Джерело: Test Gazette"  # quotes grouped under their source's name


def test_untranslated_text_is_shown_in_the_original_language_and_marked(uk):
    claim = uk.find(id="swap-sizes").find(class_="claim")
    original = claim.find(class_="untranslated")
    assert original["lang"] == "en"
    assert text(original) == "Swaps exchanged between 50 and 95 soldiers."
    assert text(claim.find(class_="untranslated-note")) == "(ще не перекладено)"
    # the claimant too, inside the Ukrainian chain
    meta = uk.find(id="swap-sizes").find(class_="meta")
    assert meta.find("span", lang="en").get_text() == "the Test Gazette"
    # Markdown text (a comparison's) and a glossary entry: the same mark
    comparison = uk.find(id="compare-captures-changed")
    assert comparison.h3.get_text() == "Полонення з часом"
    assert comparison.find(class_="untranslated")["lang"] == "en"
    term = uk.find(id="term-sbu")
    assert term.dt.find(class_="untranslated")["lang"] == "en"
    assert "ще не перекладено" in text(term.dd)


def test_quotes_stay_in_the_sources_words_with_their_language(uk):
    quotes = uk.find_all("blockquote")
    assert len(quotes) == 3
    assert all(q["lang"] == "en" for q in quotes)
    assert text(quotes[0]) == "“its commandos captured no fewer than 102 Russian conscripts”"
    context = uk.find(id="sbu-102").find("details", class_="ctx")
    assert context.summary.get_text() == "У контексті" and context.p["lang"] == "en"


def test_editors_translation_of_a_quote_is_beside_it_and_marked_as_theirs(uk):
    fact = uk.find(id="sbu-102")
    translation = fact.find(class_="quote-translation")
    assert translation.find_previous_sibling("blockquote") is not None
    assert text(translation) == ("Переклад редакції: «її командос узяли в полон щонайменше 102 російських "
                                 "строковиків»")
    assert "lang" not in translation.attrs  # in the page's language
    assert uk.find(id="swap-sizes").find(class_="quote-translation") is None  # none given: none shown


def test_dates_in_ukrainian_at_their_own_precision(uk):
    when = {li["id"]: text(li.find(class_="meta")) for li in uk.select("li.fact")}
    assert "стосується: бл. серпня 2024" in when["sbu-102"]  # c. + month, in the genitive after "бл."
    assert "стосується: 24 або 25 травня 2025" in when["swap-sizes"]  # one of a set
    assert "стосується: 6 серпня 2024 – 25 травня 2025" in when["general-staff-971"]  # a span
    assert "опубліковано 26 травня 2025" in when["general-staff-971"]
    as_of = uk.find(id="general-staff-971").find(class_="as-of")
    assert as_of.get_text() == "(станом на 26 травня 2025)"
    assert as_of.time["datetime"] == "2025-05-26"
    timeline = [text(p) for p in uk.select(".timeline .when")]
    assert timeline == ["бл. серпня 2024", "25 травня 2025"]
    assert "Оновлено 1 червня 2025" in text(uk.find(class_="byline"))


def test_numbers_of_facts_take_the_right_ukrainian_plural(uk):
    assert "3 факти з 1 джерела" in text(uk.find(class_="byline"))
    assert "Зібрано з 3 фактів і 1 джерела." in text(uk.find("footer"))


def test_translated_summary_is_shown_with_its_citations(uk):
    section = uk.find(id="section-intro")
    assert section.h2.get_text() == "Що сталося"
    assert [a["href"] for a in section.select("a.cite")] == ["#general-staff-971", "#swap-sizes", "#sbu-102"]


def test_chart_topics_and_sources_translated(uk):
    assert uk.find(id="chart-captured-h").get_text() == "Взяті в полон"
    assert "СБУ, один день" in uk.find(id="chart-captured").svg.get_text()
    assert [t.get_text() for t in uk.find(id="sbu-102").select(".topic")] == ["Полонення"]
    assert uk.find(id="source-article-a").h3.get_text() == "Стаття А"


def test_every_edition_has_its_own_files_and_one_sitemap_lists_them_all(built):
    out = built[0].output
    for name in ("index.html", "feed.xml", "facts.json", "embed.html", "embed/timeline.html", "explainer-uk.html"):
        assert (out / "uk" / name).is_file(), name
    for name in ("404.html", "robots.txt", "sitemap.xml"):
        assert not (out / "uk" / name).exists(), name
    urls = re.findall(r"<loc>([^<]+)</loc>", (out / "sitemap.xml").read_text(encoding="utf-8"))
    assert urls == ["https://example.org/test/", "https://example.org/test/uk/"]
    assert "/uk/embed/*" in (out / "_headers").read_text(encoding="utf-8")


def test_each_edition_has_its_own_feed_in_its_language(built):
    feed = (built[0].output / "uk" / "feed.xml").read_text(encoding="utf-8")
    assert 'xml:lang="uk"' in feed
    assert ("<title>Новий факт: За даними СБУ, як повідомляє Test Gazette: "
            "Командос СБУ взяли в полон щонайменше 102") in feed
    assert "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/test/uk/feed.xml\"" in feed
    assert "За даними СБУ, як повідомляє Test Gazette" in feed
    assert "<title>New fact: According to the SBU, as reported by the Test Gazette: SBU commandos" in (
        built[0].output / "feed.xml").read_text(encoding="utf-8")


def test_embed_and_offline_file_of_the_edition(built):
    out = built[0].output / "uk"
    embed = soup(out / "embed" / "timeline.html")
    assert embed.html["lang"] == "uk" and embed.h2.get_text() == "Хронологія"
    assert embed.find(class_="translation-note") is not None
    assert all(link["href"].startswith("../../assets/") for link in embed.find_all("link", rel="stylesheet"))
    offline = soup(out / "explainer-uk.html")
    assert offline.html["lang"] == "uk"
    switch = offline.find("nav", class_="languages")
    assert [a["href"] for a in switch.find_all("a")] == ["https://example.org/test/", "index.html"] or \
        switch.find("a", lang="en")["href"] == "https://example.org/test/"


def test_exports_per_edition_keep_ids_and_quotes(built):
    out = built[0].output
    en = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    uk = json.loads((out / "uk" / "facts.json").read_text(encoding="utf-8"))
    assert [f["id"] for f in en["facts"]] == [f["id"] for f in uk["facts"]]
    by_id = {f["id"]: f for f in uk["facts"]}
    assert by_id["sbu-102"]["claim"].startswith("Командос СБУ")
    assert json.dumps(by_id["sbu-102"], ensure_ascii=False).count("its commandos captured no fewer") == 1


def test_the_page_of_embed_codes_loads_no_enhancement_script(built):
    """It has no topic filter and no fact for the script to act on; the front pages keep it."""
    out = built[0].output
    for edition in ("", "uk/"):
        scripts = [s["src"] for s in soup(out / f"{edition}embed.html").find_all("script", src=True)]
        assert scripts == [], edition
        front = [s["src"] for s in soup(out / f"{edition}index.html").find_all("script", src=True)]
        assert len(front) == 1 and "/enhance" in front[0], edition


def test_the_offline_files_size_is_written_in_the_editions_language(built, uk):
    size = text(uk.find(class_="byline")).rpartition("(")[2]
    assert re.fullmatch(r"\d+ кБ\)", size), size  # CLDR's Ukrainian unit, not the English "KB"
    english = text(soup(built[0].output / "index.html").find(class_="byline")).rpartition("(")[2]
    assert re.fullmatch(r"\d+ KB\)", english), english
    words = pipeline_words("uk")
    assert [words.file_size(n) for n in (512, 338_000, 2_400_000)] == ["512 Б", "338 кБ", "2,4 МБ"]


def pipeline_words(code: str):
    """An edition's words as the build makes them, from the package's catalogs (an English original)."""
    from types import SimpleNamespace

    from explainer.editions import words_for
    from explainer.errors import Problems

    return words_for(code, SimpleNamespace(language="en"), (REPO / "locales",), Problems(REPO))


def test_each_editions_data_writes_its_dates_and_words_as_its_page_does(built, uk):
    out = built[0].output
    facts = {f["id"]: f for f in json.loads((out / "uk" / "facts.json").read_text(encoding="utf-8"))["facts"]}
    for fact in uk.select("li.fact"):  # each date's text is the one the page shows beside the fact
        assert facts[fact["id"]]["date"]["text"] in text(fact.find(class_="meta")), fact["id"]
    assert facts["sbu-102"]["date"]["text"] == "бл. серпня 2024"
    assert facts["swap-sizes"]["date"]["text"] == "24 або 25 травня 2025"
    assert facts["general-staff-971"]["said"]["text"] == "26 травня 2025"
    assert facts["general-staff-971"]["as_of"]["text"] == "26 травня 2025"
    events = json.loads((out / "uk" / "timeline.json").read_text(encoding="utf-8"))["events"]
    assert [e["date"]["text"] for e in events] == [text(p) for p in uk.select(".timeline .when")]
    sources = json.loads((out / "uk" / "sources.json").read_text(encoding="utf-8"))["sources"]
    assert all("May" not in json.dumps(s["published"]) for s in sources)
    page = soup(out / "uk" / "index.html")  # the offline file has no JSON-LD (offline.html)
    claims = json.loads(page.find("script", type="application/ld+json").string)["hasPart"]
    noted = {c["@id"].rpartition("#")[2]: c["description"] for c in claims if "description" in c}
    assert noted["sbu-102"] == "Як встановлено дату: Стаття датує це лише словом «середа»."
    english = {f["id"]: f for f in json.loads((out / "facts.json").read_text(encoding="utf-8"))["facts"]}
    assert english["sbu-102"]["date"]["text"] == "c. August 2024"
    claims = json.loads(soup(out / "index.html").find("script", type="application/ld+json").string)["hasPart"]
    assert next(c for c in claims if c["@id"].endswith("#sbu-102"))["description"].startswith(
        "How the date was worked out: The article dates it")


def test_original_edition_keeps_english(built):
    en = soup(built[0].output / "index.html")
    data = json.loads(en.find("script", type="application/ld+json").string)
    assert data["inLanguage"] == "en"
    assert data["workTranslation"] == [{"@id": "https://example.org/test/uk/", "inLanguage": "uk"}]
    assert en.html["lang"] == "en"
    assert en.find(class_="translation-note") is None
    assert "c. August 2024" in text(en.find(id="sbu-102").find(class_="meta"))
    assert en.find(id="sbu-102").find(class_="quote-translation") is None  # the uk translation stays in uk/
    assert "lang" not in en.find("blockquote").attrs


def test_two_builds_are_byte_identical(built, tmp_path):
    project, _ = built
    pipeline.build(project.root, tmp_path / "again")
    assert tree_hash(tmp_path / "again") == tree_hash(project.output)


# --- what an editor is told ---------------------------------------------------------------------

def test_one_warning_per_untranslated_entry_naming_its_fields(built):
    shown = {w.format().split("\n")[0] for w in built[1].warnings}
    line = line_of("content/facts.yaml", "- id: swap-sizes")
    assert (f"content/facts.yaml:{line}:3: warning: fact 'swap-sizes' has no Ukrainian claim, attribution "
            "(translations: uk: claim, attribution)") in shown
    line = line_of("content/glossary.yaml", "- id: sbu", FILES)
    assert (f"content/glossary.yaml:{line}:3: warning: glossary entry 'sbu' has no Ukrainian term, definition "
            "(translations: uk: term, definition)") in shown
    assert (f"content/comparisons.yaml:{line_of('content/comparisons.yaml', '- id:')}:3: warning: comparison "
            "'captures-changed' has no Ukrainian text (translations: uk: text)") in shown
    assert not any("'sbu-102' has no" in w for w in shown)  # fully translated
    assert sum(": warning: fact 'swap-sizes' has no" in w for w in shown) == 1


def test_switching_languages_on_without_translations_only_warns(tmp_path):
    site = make_project(tmp_path / "site")
    site.edit("site.yaml", "language: en\n", "language: en\nlanguages: [en, uk]\n")
    result = pipeline.build(site.root, tmp_path / "out")
    assert (tmp_path / "out" / "uk" / "index.html").is_file()
    messages = [w.message for w in result.warnings]
    assert "there are no Ukrainian summaries (content/summaries/uk/)" in messages
    assert "fact 'sbu-102' has no Ukrainian claim, attribution, date_note, figure.qualifier, figure.label " \
           "(translations: uk: claim, attribution, date_note, figure.qualifier, figure.label)" in messages
    with pytest.raises(BuildError):
        pipeline.build(site.root, tmp_path / "strict", strict=True)


def errors_of(tmp_path, files: dict[str, str]) -> list[str]:
    site = make_project(tmp_path / "site", {**UK, **files})
    with pytest.raises(BuildError) as caught:
        pipeline.check(site.root)
    return [p.format() for p in caught.value.problems if p.severity == "error"]


@pytest.mark.parametrize("rel, old, new, named", [
    ("site.yaml", "{uk: {label: Обміни}}", "{uk: {label: Обміни}, de: {label: Tausch}}", "topic 'exchanges'"),
    ("content/facts.yaml", "            uk:\n              claim: Українські",
     "            de: {claim: Ukrainische}\n            uk:\n              claim: Українські",
     "fact 'general-staff-971'"),
    ("content/facts.yaml", "                uk: {quote: \"її",
     "                de: {quote: \"ihre\"}\n                uk: {quote: \"її", "citation 1 of fact 'sbu-102'"),
], ids=["topic", "fact", "quote"])
def test_translation_into_a_language_not_published_is_an_error_at_the_language(tmp_path, rel, old, new, named):
    """Reported where the language is written: in a list file within its entry (the second or third
    fact here), not at the file's first entry; the same in the preview (translations._key_position)."""
    files = {rel: UK[rel].replace(old, new)}
    line = line_of(rel, "de: {", files)
    col = files[rel].split("\n")[line - 1].index("de:") - 8 + 1  # the fixture is indented by 8
    assert errors_of(tmp_path, files) == [
        f"{rel}:{line}:{col}: error: {named} has a translation into 'de', not one of `languages` in "
        "site.yaml\n    hint: publish that edition by adding 'de' to `languages` in site.yaml, or remove the "
        "translation"]


def test_translation_of_a_field_that_does_not_exist_is_an_error(tmp_path):
    files = {"content/facts.yaml": UK["content/facts.yaml"].replace(
        "attribution: СБУ\n", "attribution: СБУ\n" + " " * 14 + "clam: x\n")}
    line = line_of("content/facts.yaml", "clam: x", files)
    assert errors_of(tmp_path, files) == [
        f"content/facts.yaml:{line}:7: error: unknown key 'clam' in fact translation\n    hint: did you mean 'claim'?"]


def test_languages_must_include_the_original(tmp_path):
    files = {"site.yaml": UK["site.yaml"].replace("languages: [en, uk]", "languages: [uk]")}
    line = line_of("site.yaml", "languages:", files)
    assert errors_of(tmp_path, files)[0].startswith(
        f"site.yaml:{line}:12: error: `languages` does not include the original language 'en'")


def test_translated_summary_citing_an_unknown_fact_is_an_error(tmp_path):
    files = {"content/summaries/uk/01-intro.md": UK["content/summaries/uk/01-intro.md"].replace(
        "[[swap-sizes]]", "[[swap-size]]")}
    line = line_of("content/summaries/uk/01-intro.md", "[[swap-size]]", files)
    col = files["content/summaries/uk/01-intro.md"].split("\n")[line - 1].index("[[swap-size]]") - 8 + 1
    assert errors_of(tmp_path, files) == [
        f"content/summaries/uk/01-intro.md:{line}:{col}: error: unknown fact 'swap-size'\n"
        "    hint: did you mean 'swap-sizes'?"]


def test_an_unknown_fact_in_the_original_is_one_message_not_also_a_translation_warning(tmp_path):
    """A typo in the original's [[id]]: its error, and no warning asking the translation, which cites
    the right fact, to cite the misspelt one (or saying it cites one the original does not)."""
    files = {"content/summaries/01-intro.md": MINIMAL["content/summaries/01-intro.md"].replace(
        "[[swap-sizes]]", "[[swap-size]]")}
    site = make_project(tmp_path / "site", {**UK, **files})
    with pytest.raises(BuildError) as caught:
        pipeline.check(site.root)
    assert [p.format().split("\n")[0] for p in caught.value.problems if "01-intro.md" in str(p.path)] == [
        "content/summaries/01-intro.md:7:18: error: unknown fact 'swap-size'"]


def test_translated_summary_without_an_original_is_an_error(tmp_path):
    files = {"content/summaries/uk/02-extra.md": "---\ntitle: Зайве\norder: 2\n---\nТекст.[[sbu-102]]\n"}
    assert errors_of(tmp_path, files) == [
        "content/summaries/uk/02-extra.md:1:1: error: 02-extra.md has no original in content/summaries/\n"
        "    hint: a translated summary has the same file name as the summary it translates: 01-intro.md"]


def test_check_does_not_load_babel(built):
    """Nor Jinja: check reads the catalogs (their compiled form kept by the build), and renders nothing."""
    code = ("import sys; from explainer.cli import main; "
            f"code = main(['check', '--project', {str(built[0].root)!r}]); "
            "print(code, 'babel' in sys.modules, 'explainer.i18n' in sys.modules, 'jinja2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.stdout.split()[-4:] == ["0", "False", "False", "False"]


def test_the_kept_answers_folder_is_the_one_jinja_names():
    from explainer import kept
    from explainer.page_tools import bytecode_cache

    cache = bytecode_cache()  # made by Jinja if it is not there yet
    assert cache is not None and kept._made_folder() == Path(cache.directory) == kept.folder()


# --- catalogs and Babel -------------------------------------------------------------------------

def test_catalogs_hold_every_string_and_ukrainian_translates_them_all():
    out = subprocess.run([sys.executable, str(REPO / "scripts" / "messages.py"), "--check"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(("n", "expected"), [(1, "1 факт"), (2, "2 факти"), (4, "4 факти"), (5, "5 фактів"),
                                             (11, "11 фактів"), (12, "12 фактів"), (21, "21 факт"),
                                             (22, "22 факти"), (25, "25 фактів"), (111, "111 фактів")])
def test_ukrainian_plural_forms(n, expected):
    from explainer.catalogs import load_catalog
    from explainer.errors import Problems

    catalog = load_catalog("uk", (REPO / "locales",), Problems(REPO))
    assert catalog.ngettext("%(num)s fact", "%(num)s facts", n) % {"num": n} == expected


def test_built_in_english_dates_match_cldr():
    """English keeps the built-in formatter (no Babel at run time): it writes what CLDR writes."""
    import datetime

    from babel.dates import format_date

    from explainer.dates import PartialDate

    for month in range(1, 13):
        day = datetime.date(2025, month, 25)
        assert PartialDate(2025, month, 25).human() == format_date(day, "d MMMM y", locale="en")
        assert PartialDate(2025, month).human() == format_date(day, "LLLL y", locale="en")


def test_a_project_overrides_one_string_by_copying_a_catalog(tmp_path):
    site = make_project(tmp_path / "site", UK)
    source = (REPO / "locales" / "uk.po").read_text(encoding="utf-8")
    site.write("locales/uk.po", source.replace('msgstr "Факти й цитати"', 'msgstr "Факти та цитати"'))
    pipeline.build(site.root, site.output)
    page = soup(site.output / "uk" / "index.html")
    assert page.find(id="facts-h").get_text() == "Факти та цитати"
    assert page.find(id="timeline-h").get_text() == "Хронологія"  # the rest as shipped


@pytest.mark.parametrize(("po", "line", "message"), [
    ('msgid "Timeline"\nmsgstr "Хронологія %(oops)s"\n', 1,
     'the catalog cannot be read: the translation of "Timeline" has %(oops)s, which the original does not'),
    ('msgid "Timeline"\nmsgstr "Хронологія"\nthis is not a keyword\n', 3, "the catalog cannot be read: "),
])
def test_a_broken_catalog_is_a_content_error_with_its_line(tmp_path, po, line, message):
    site = make_project(tmp_path / "site", UK)
    site.write("locales/uk.po", po)
    with pytest.raises(BuildError) as caught:
        pipeline.build(site.root, site.output)
    found = [p for p in caught.value.problems if p.path == "locales/uk.po"]
    assert len(found) == 1 and found[0].line == line and found[0].message.startswith(message)
    assert not site.output.exists()


def test_split_lists_name_their_pages_in_the_editions_language(tmp_path):
    split = UK["site.yaml"].replace("updated: 2025-06-01\n",
                                    "updated: 2025-06-01\n        pagination: {facts_per_page: 1}\n")
    site = make_project(tmp_path / "site", {**UK, "site.yaml": split})
    pipeline.build(site.root, site.output)
    page = soup(site.output / "uk" / "facts-2024-08-2.html")
    assert page.html["lang"] == "uk"
    assert page.h1.get_text() == "Факти й цитати: серпень 2024, частина 2"
    assert [a["href"] for a in page.find("nav", class_="languages").find_all("a")] == [
        "../facts-2024-08-2.html", "facts-2024-08-2.html"]
    front = soup(site.output / "uk" / "index.html")
    links = [a.get_text() for a in front.find(id="facts").select(".pages a")]
    assert links == ["серп.", "серп. 2", "усі"]
    alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate", hreflang=True)}
    assert alternates["uk"] == "https://example.org/test/uk/facts-2024-08-2.html"
    assert alternates["x-default"] == "https://example.org/test/facts-2024-08-2.html"
    urls = re.findall(r"<loc>([^<]+)</loc>", (site.output / "sitemap.xml").read_text(encoding="utf-8"))
    assert "https://example.org/test/uk/facts-2024-08-2.html" in urls
    assert "https://example.org/test/facts-2025.html" in urls
    for folder, language in (("", "en"), ("uk/", "uk")):  # each edition's search index, in its language
        entry = site.output / f"{folder}pagefind" / "pagefind-entry.json"
        if entry.exists():  # Pagefind is a runtime pin; without it the build warns and skips search
            assert list(json.loads(entry.read_text(encoding="utf-8"))["languages"]) == [language]


def test_untranslated_site_title_and_recent_changes_are_marked(tmp_path):
    site = make_project(tmp_path / "site", {**UK, "site.yaml": UK["site.yaml"].replace(
        "            title: Тестове пояснення\n            description: Невелике пояснення для тестів.\n",
        "            publisher: Тест\n")})
    site.edit("content/facts.yaml", "  date: \"[2025-05-24,2025-05-25]\"\n",
              "  date: \"[2025-05-24,2025-05-25]\"\n  added: 2025-06-01\n")
    pipeline.build(site.root, site.output)
    page = soup(site.output / "uk" / "index.html")
    assert page.h1["lang"] == "en" and page.h1.get_text() == "Test explainer"
    assert page.find(class_="standfirst")["lang"] == "en"
    assert "Назву й опис цієї версії ще не перекладено." in text(page.find("header"))
    recent = {text(li.a): li.a for li in page.find(id="recent").select("li")}
    assert recent["Swaps exchanged between 50 and 95 soldiers. (ще не перекладено)"].find(
        class_="untranslated")["lang"] == "en"


def test_chart_numbers_in_the_editions_language():
    from explainer.catalogs import load_catalog
    from explainer.charts import Row
    from explainer.errors import Problems
    from explainer.i18n import Words
    from explainer.model import Figure

    words = Words("uk", "en", load_catalog("uk", (REPO / "locales",), Problems(REPO)))
    assert Row(None, Figure("s", "x", low=50, high=95), words).text == "від 50 до 95"
    assert Row(None, Figure("s", "x", value=1000, qualifier="понад"), words).text == "понад 1\xa0000"
    assert Row(None, Figure("s", "x", value=1000, qualifier="upwards of")).text == "upwards of 1,000"  # English


def test_a_language_without_a_catalog_warns_where_it_is_listed(tmp_path):
    site = make_project(tmp_path / "site", {**UK, "site.yaml": UK["site.yaml"].replace("languages: [en, uk]",
                                                                                       "languages: [en, uk, pl]")})
    result = pipeline.build(site.root, site.output)
    line = line_of("site.yaml", "languages:")
    warning = next(w for w in result.warnings if "no catalog" in w.message)
    assert warning.format().split("\n")[0] == (
        f"site.yaml:{line}:21: warning: there is no catalog for 'pl': the pl edition's own words (labels, "
        "\"According to\", \"c.\") stay in English")
    page = soup(site.output / "pl" / "index.html")
    assert page.html["lang"] == "pl"
    assert page.find(id="facts-h").get_text() == "Facts and quotes"
    assert "25 maja 2025" in text(page.find(id="timeline"))  # dates still come from CLDR


def test_an_english_only_build_does_not_load_babel(tmp_path):
    """The shipped explainer's build speed is measured against the bare imports: Babel is not one of them."""
    site = make_project(tmp_path / "site")
    code = ("import sys; from explainer.cli import main; "
            f"code = main(['build', '--project', {str(site.root)!r}]); "
            "print(code, 'babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.stdout.split()[-2:] == ["0", "False"], out.stderr


def test_search_records_carry_the_editions_attribution_chain(built):
    from explainer.editions import words_for
    from explainer.paginate import layout
    from explainer.search import records
    from explainer.theme import lookup
    from explainer.translated import translate

    project, _ = pipeline.check(built[0].root)
    words = words_for("uk", project.site, lookup(project.root).locales, pipeline.Problems(project.root))
    record = records(translate(project, "uk", words), layout(project))[0]
    assert record.title == "Командос СБУ взяли в полон щонайменше 102 російських військових у середу."
    assert record.content.startswith("За даними СБУ, як повідомляє Test Gazette. “its commandos")


def test_the_editions_script_speaks_its_language_and_the_english_one_is_untouched(built):
    out = built[0].output
    uk_page = (out / "uk" / "index.html").read_text(encoding="utf-8")
    uk_script = re.findall(r'<script src="\.\./(assets/[^"]+)"', uk_page)
    en_script = re.findall(r'<script src="(assets/[^"]+)"', (out / "index.html").read_text(encoding="utf-8"))
    assert re.fullmatch(r"assets/enhance-uk\.[0-9a-f]{8}\.js", uk_script[0])
    assert re.fullmatch(r"assets/enhance\.[0-9a-f]{8}\.js", en_script[0])
    translated = (out / uk_script[0]).read_text(encoding="utf-8")
    assert '"Копіювати посилання"' in translated and '"Copy link"' not in translated
    assert (out / en_script[0]).read_bytes() == (REPO / "static" / "enhance.js").read_bytes()
    assert 'data-what="факти"' in (out / "uk" / "index.html").read_text(encoding="utf-8")


def test_a_translated_story_before_its_language_is_published_is_one_error(tmp_path):
    """One mistake (`languages` not yet set), one message: at the first translation, counting the rest."""
    files = {"site.yaml": UK["site.yaml"].replace("        languages: [en, uk]\n", "")}
    errors = errors_of(tmp_path, files)
    assert len(errors) == 1
    line = line_of("site.yaml", "  uk:", files)
    assert errors[0].startswith(f"site.yaml:{line}:3: error: site.yaml has a translation into 'uk', not one of "
                                "`languages` in site.yaml (and 10 more entries)\n")
