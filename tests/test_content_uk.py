"""The Ukrainian edition of the shipped explainer says what the English says, with the same care.

Reads the content with yaml.safe_load only (not the generator), so it checks the translations
themselves: every reader-facing field and every quote has a Ukrainian translation, placed as the
entry's last key; each translated text cites the same facts, keeps every number, every hedge and
attribution, every date and every fixed name of its English original. See "Translating the
explainer" in docs/editors.md for the conventions these checks enforce.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LANG = "uk"


def load(rel: str):
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


SITE = load("site.yaml")
SOURCES = load("content/sources.yaml")
FACTS = load("content/facts.yaml")
TIMELINE = load("content/timeline.yaml")
GLOSSARY = load("content/glossary.yaml")
COMPARISONS = load("content/comparisons.yaml")

# Which fields of which entry a reader sees (docs: the i18n format's table). Dotted: nested.
FIELDS = {
    "site": ("title", "description"),
    "topic": ("label",),
    "chart": ("title", "description"),
    "source": ("title", "label", "note", "published_inferred.reasoning", "facts_date_note"),
    "fact": ("claim", "attribution", "date_note", "figure.qualifier", "figure.label"),
    "citation": ("quote",),
    "event": ("title", "text", "date_note"),
    "glossary": ("term", "definition"),
    "comparison": ("title", "text"),
}


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str  # for messages: "fact 'x'", "citation 2 of fact 'x'"
    data: dict


def entries() -> list[Entry]:
    found = [Entry("site", "site.yaml", SITE)]
    found += [Entry("topic", f"topic {t['id']!r}", t) for t in SITE.get("topics", [])]
    found += [Entry("chart", f"chart {c['series']!r}", c) for c in SITE.get("charts", [])]
    found += [Entry("source", f"source {s['id']!r}", s) for s in SOURCES]
    for fact in FACTS:
        found.append(Entry("fact", f"fact {fact['id']!r}", fact))
        found += [Entry("citation", f"citation {n} of fact {fact['id']!r}", c)
                  for n, c in enumerate(fact["citations"], 1)]
    found += [Entry("event", f"event {e['id']!r}", e) for e in TIMELINE]
    found += [Entry("glossary", f"glossary {g['id']!r}", g) for g in GLOSSARY]
    found += [Entry("comparison", f"comparison {c['id']!r}", c) for c in COMPARISONS]
    return found


ENTRIES = entries()


def get(data: dict, dotted: str):
    for key in dotted.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def translation(entry: Entry) -> dict:
    return get(entry.data, f"translations.{LANG}") or {}


# --- Summaries ---------------------------------------------------------------------------------

SUMMARY_DIR = ROOT / "content" / "summaries"


def read_summary(path: Path) -> tuple[dict, str, list[str]]:
    """(front matter, body, front matter keys in file order)."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    keys = [line.split(":", 1)[0] for line in front.splitlines() if re.match(r"^\w+:", line)]
    return yaml.safe_load(front), body.strip(), keys


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


ENGLISH_SUMMARIES = sorted(SUMMARY_DIR.glob("*.md"))


# --- Every English text paired with its Ukrainian ----------------------------------------------

@dataclass(frozen=True)
class Pair:
    where: str
    english: str
    ukrainian: str


def pairs() -> list[Pair]:
    found = []
    for entry in ENTRIES:
        for field in FIELDS[entry.kind]:
            english, ukrainian = get(entry.data, field), get(translation(entry), field)
            if isinstance(english, str) and isinstance(ukrainian, str):
                found.append(Pair(f"{entry.name} {field}", english, ukrainian))
    for path in ENGLISH_SUMMARIES:
        uk_path = SUMMARY_DIR / LANG / path.name
        if not uk_path.exists():
            continue
        (en_front, en_body, _), (uk_front, uk_body, _) = read_summary(path), read_summary(uk_path)
        found.append(Pair(f"summary {path.name} title", en_front["title"], uk_front["title"]))
        en_paras, uk_paras = paragraphs(en_body), paragraphs(uk_body)
        if len(en_paras) == len(uk_paras):
            found += [Pair(f"summary {path.name} paragraph {n}", e, u)
                      for n, (e, u) in enumerate(zip(en_paras, uk_paras, strict=True), 1)]
        else:  # test_summaries_have_the_same_paragraphs reports it; still compare the whole body
            found.append(Pair(f"summary {path.name} body", en_body, uk_body))
    return found


PAIRS = pairs()
PAIR_IDS = [p.where for p in PAIRS]

CITATION = re.compile(r"\[\[([^\]]+)\]\]")
ANCHOR = re.compile(r"\]\((#[^)\s]+)\)")


def prose(text: str) -> str:
    """The text without [[fact-id]] citations and link targets (their digits are not numbers)."""
    return ANCHOR.sub("]", CITATION.sub(" ", text))


# Numbers: English "1,000" and Ukrainian "1000", "1 000" (space, no-break or narrow no-break) are one number.
ENGLISH_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+")
UKRAINIAN_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|\d+")


def numbers(text: str, pattern: re.Pattern) -> set[str]:
    return {re.sub(r"[^\d]", "", n) for n in pattern.findall(prose(text))}


# Hedges and attributions: an English marker -> the Ukrainian renderings accepted for it. Where the
# English has a marker n times, the Ukrainian must have its renderings at least n times.
HEDGES = {
    r"\bupwards of\b": r"понад|більш як|більше ніж",
    r"\bat least\b": r"щонайменше|принаймні|не менше",
    r"\bno fewer than\b": r"не менше ніж|не менш як|щонайменше",
    r"\balmost\b": r"майже",
    r"\babout \d": r"близько|приблизно",
    r"\bc\. (?=[A-Z\d])": r"(?<!\w)бл\.|прибл\.|приблизно|близько",
    r"\bcould range\b": r"могл\w* коливатися|може коливатися",
    r"\bgenerally believed\b": r"загалом вважа",
    r"\bdared?s?\b": r"наважу",
    r"\breportedly\b|\bwas reported to\b|\breported visit\b": r"за повідомленнями|нібито",
    r"\bso far\b": r"досі|поки що",
    r"\bas of\b": r"станом на",
    r"\bpreviously\b": r"раніше",
    r"\brecent(?:ly)?\b": r"нещодавн|останн",
    r"\bunclear\b": r"незрозуміл|неясн|неочевидн",
    r"\bunknown\b|\bnot known\b": r"невідом|не відом",
    r"\btypically\b": r"зазвичай",
    r"\boften\b": r"часто",
    r"\bundated\b": r"недатован|без дати|не має дати",
    r"\bunsigned\b": r"непідписан",
    r"\bestimate\b": r"оцінк",
    r"\binferred\b": r"виведен|виводиться",
    r"\bsaid to\b": r"говорили|кажуть|нібито",
    r"\btalk\b": r"говор|розмов",
    r"\bclaim(?:s|ed)?\b": r"тверд",
    r"\bremains to be seen\b": r"ще належить побачити|ще невідомо",
    r"\bnot expected\b": r"не очіку",
    r"\bfirst known\b": r"перш\w* відом",
    r"\bsuggests?\b": r"вказу|свідч",
    r"\bcan take\b|\bcould take\b": r"мож|могл",
    r"\bso-called\b": r"так зван",
    r"\bnor?\b|\bneither\b": r"жодн|ні\b|не\b|без\b",
    r"\bwithout saying\b|\bdoes not say\b|\bdo not say\b|\bdo not settle\b":
        r"не каж|не уточню|не сказано|не дають змоги|не наводить|не повідомля",
}
ATTRIBUTION = (r"\baccording to\b|\breports?\b|\breported\b|\bsays\b|\bsaid\b|\badd(?:s|ed)\b|\bexplained\b"
               r"|\bcalls?\b|\b(?<!so-)called\b|\bstated\b|\bdescrib(?:es|ed)\b|\bby [^.;]*'s account\b")
ATTRIBUTION_UK = (r"за даними|за словами|згідно з|за версією|за підрахунком|пиш|писал|повідом|каж|сказан|заяв"
                  r"|дода|поясн|ідеться|стверджу|назва|назив|описує|розповід|говор|навод|навів|навел")

# Names fixed by the translation glossary (docs/editors.md): where the English has the name, so does the Ukrainian.
NAMES = {
    r"Azovstal": r"Азовстал",
    r"\bAzov\b(?!stal)": r"Азов",
    r"General Staff": r"Генштаб|Генеральн\w* штаб",
    r"\bSBU\b": r"СБУ",
    r"Mariupol": r"Маріупол",
    r"Kursk": r"Курськ|Курщин",
    r"Budanov": r"Буданов",
    r"Zelensky": r"Зеленськ",
    r"Putin": r"Путін",
    r"Ombudsman": r"Уповноважен|омбудсман|Омбудсман",
    r"exchange fund": r"обмінн\w* фонд",
    r"Kyiv Independent": r"The Kyiv Independent",
    r"\bKyiv\b(?! Independent)": r"Київ|Києв",
    r"Sum[iy]\b": r"Сумськ",
    r"Kharkiv": r"Харківськ",
    r"Donbas": r"Донбас",
    r"Turkey|Turkish": r"Туреччин",
    r"Moscow": r"Москв",
    r"Crimean Tatars": r"кримськ\w* татар",
    r"martial law": r"воєнн\w* стан",
    r"all-for-all": r"всіх на всіх",
    r"1,000-for-1,000": r"1000 на 1000",
    r"Telegram": r"Telegram",
    r"Ukraine Official": r"Ukraine Official",
}

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
GENITIVE = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
            "жовтня", "листопада", "грудня"]
STEM = ["січ", "лют", "берез", "квіт", "трав", "черв", "лип", "серп", "верес", "жовт", "листопад", "груд"]
MONTH_NAME = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
MONTH_ABBR = r"(Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
ABBR = {"Jan.": 0, "Feb.": 1, "Mar.": 2, "Apr.": 3, "Aug.": 7, "Sep.": 8, "Sept.": 8, "Oct.": 9, "Nov.": 10, "Dec.": 11}
SHORT_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"  # a chart label's "6 Aug 2024"


def month_index(name: str) -> int:
    if name in ABBR:
        return ABBR[name]
    if name in MONTHS:
        return MONTHS.index(name)
    return [m[:3] for m in MONTHS].index(name[:3])


def expected_dates(english: str) -> list[tuple[str, str]]:
    """Each date written in the English prose -> (the English, a pattern its Ukrainian form matches)."""
    text, found = prose(english), []

    def take(pattern: str, build) -> None:
        nonlocal text
        for m in re.finditer(pattern, text):
            found.append((m.group(0), build(m)))
        text = re.sub(pattern, " ", text)

    either = r"(?:або|чи)"
    take(rf"\b(\d{{1,2}}) or (\d{{1,2}}) {MONTH_NAME} (\d{{4}})\b",  # 24 or 25 May 2025
         lambda m: rf"\b{m[1]} {either} {m[2]} {GENITIVE[month_index(m[3])]} {m[4]}")
    take(rf"\b(\d{{1,2}}) {MONTH_NAME} (\d{{4}})\b",  # 25 May 2025
         lambda m: rf"\b{m[1]} {GENITIVE[month_index(m[2])]} {m[3]}")
    take(rf"\b(\d{{1,2}}) {SHORT_MONTH} (\d{{4}})\b",  # 6 Aug 2024
         lambda m: rf"\b{m[1]} {GENITIVE[month_index(m[2])]} {m[3]}")
    take(rf"(?:{MONTH_NAME}|{MONTH_ABBR}) (\d{{1,2}}), (\d{{4}})\b",  # May 26, 2025 / Aug. 6, 2024
         lambda m: rf"\b{m[3]} {GENITIVE[month_index(m[1] or m[2])]} {m[4]}")
    take(rf"\b(\d{{1,2}}) {MONTH_NAME}\b",  # 26 April
         lambda m: rf"\b{m[1]} {GENITIVE[month_index(m[2])]}")
    take(rf"\b{MONTH_NAME} (\d{{1,2}})\b(?!,? \d{{4}})",  # May 16
         lambda m: rf"\b{m[2]} {GENITIVE[month_index(m[1])]}")
    take(rf"\b{MONTH_NAME} (\d{{4}})\b",  # August 2024, May 2025
         lambda m: rf"{STEM[month_index(m[1])]}\w* {m[2]}")
    return found


# --- Tests ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_every_reader_facing_field_has_a_ukrainian_translation(entry):
    tr = translation(entry)
    for field in FIELDS[entry.kind]:
        if get(entry.data, field) is None:
            assert get(tr, field) is None, f"{entry.name}: translates {field}, which the original lacks"
            continue
        value = get(tr, field)
        assert isinstance(value, str) and value.strip(), f"{entry.name} has no Ukrainian {field}"
        # Only a name kept in Latin script may be written without Cyrillic.
        assert re.search(r"[А-Яа-яІіЇїЄєҐґ]", value) or value in {"The Kyiv Independent", "Ukraine Official"}, \
            f"{entry.name}: the Ukrainian {field} {value!r} is not in Ukrainian"
    extra = {k for k in tr if k not in {f.split(".")[0] for f in FIELDS[entry.kind]}}
    assert not extra, f"{entry.name}: translates fields that are not reader-facing: {sorted(extra)}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_translations_are_the_last_key_of_each_entry(entry):
    keys = list(entry.data)
    assert keys[-1] == "translations", f"{entry.name}: `translations:` is not its last key ({keys[-1]!r} is)"
    assert list(entry.data["translations"]) == [LANG]


def test_every_source_says_its_quotes_are_english():
    assert SITE.get("language") == "en" and LANG in SITE.get("languages", [])
    for source in SOURCES:
        assert source.get("language") == "en", f"source {source['id']!r} has no `language: en`"


def test_every_summary_has_a_ukrainian_counterpart_with_the_same_front_matter():
    uk_names = sorted(p.name for p in (SUMMARY_DIR / LANG).glob("*.md"))
    assert uk_names == [p.name for p in ENGLISH_SUMMARIES]
    for path in ENGLISH_SUMMARIES:
        en_front, _, en_keys = read_summary(path)
        uk_front, _, uk_keys = read_summary(SUMMARY_DIR / LANG / path.name)
        assert uk_keys == en_keys, f"{path.name}: front matter keys {uk_keys} differ from {en_keys}"
        untranslated = {k: v for k, v in en_front.items() if k != "title"}
        assert {k: v for k, v in uk_front.items() if k != "title"} == untranslated
        assert uk_front["title"] != en_front["title"], f"{path.name}: the title is not translated"


@pytest.mark.parametrize("path", ENGLISH_SUMMARIES, ids=[p.name for p in ENGLISH_SUMMARIES])
def test_summaries_have_the_same_paragraphs(path):
    en, uk = read_summary(path)[1], read_summary(SUMMARY_DIR / LANG / path.name)[1]
    assert len(paragraphs(uk)) == len(paragraphs(en)), f"{path.name}: paragraphs differ in number"


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_the_same_citations_and_links(pair):
    assert Counter(CITATION.findall(pair.ukrainian)) == Counter(CITATION.findall(pair.english)), \
        f"{pair.where}: [[fact-id]] citations differ"
    assert Counter(ANCHOR.findall(pair.ukrainian)) == Counter(ANCHOR.findall(pair.english)), \
        f"{pair.where}: in-page links differ"


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_every_number_survives(pair):
    missing = numbers(pair.english, ENGLISH_NUMBER) - numbers(pair.ukrainian, UKRAINIAN_NUMBER)
    assert not missing, f"{pair.where}: the Ukrainian lacks {sorted(missing)}"


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_every_hedge_survives(pair):
    english, ukrainian = prose(pair.english), prose(pair.ukrainian)
    for marker, renderings in HEDGES.items():
        wanted = len(re.findall(marker, english))
        if wanted and marker.startswith(r"\bnor?"):  # a negation: present, however phrased
            wanted = 1
        got = len(re.findall(renderings, ukrainian, flags=re.IGNORECASE))
        assert got >= wanted, (f"{pair.where}: the English says {marker!r} {wanted}x, the Ukrainian has "
                               f"{renderings!r} {got}x:\n{pair.ukrainian}")


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_every_attribution_survives(pair):
    english, ukrainian = prose(pair.english), prose(pair.ukrainian)
    if re.search(ATTRIBUTION, english):
        assert re.search(ATTRIBUTION_UK, ukrainian, flags=re.IGNORECASE), \
            f"{pair.where}: the English names who says it, the Ukrainian does not:\n{pair.ukrainian}"


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_every_date_survives_in_ukrainian_form(pair):
    for english, pattern in expected_dates(pair.english):
        assert re.search(pattern, prose(pair.ukrainian)), f"{pair.where}: {english!r} has no Ukrainian form ({pattern})"


@pytest.mark.parametrize("pair", PAIRS, ids=PAIR_IDS)
def test_fixed_names_survive(pair):
    for english, ukrainian in NAMES.items():
        if re.search(english, pair.english):
            assert re.search(ukrainian, pair.ukrainian, flags=re.IGNORECASE), \
                f"{pair.where}: the English names {english!r}, the Ukrainian lacks {ukrainian!r}"


def test_the_checks_see_every_text():
    """Guards the guards: the pairing found every translated text (a silently empty PAIRS passes all)."""
    fields = sum(1 for e in ENTRIES for f in FIELDS[e.kind] if get(e.data, f) is not None)
    assert len(PAIRS) >= fields + len(ENGLISH_SUMMARIES)
    assert expected_dates("the last on 24 or 25 May 2025, said on May 25; Aug. 6, 2024 and c. August 2024") == [
        ("24 or 25 May 2025", r"\b24 (?:або|чи) 25 травня 2025"),
        ("Aug. 6, 2024", r"\b6 серпня 2024"),
        ("May 25", r"\b25 травня"),
        ("August 2024", r"серп\w* 2024"),
    ]
    assert expected_dates("General Staff, 6 Aug 2024 to 25 May 2025") == [
        ("25 May 2025", r"\b25 травня 2025"),
        ("6 Aug 2024", r"\b6 серпня 2024"),
    ]
    checked = {p.where for p in PAIRS}
    assert "source 'untitled-kursk-prisoners-article' facts_date_note" in checked
    assert "fact 'general-staff-971-captured' figure.label" in checked
    linked_notes = [p for p in PAIRS if p.where.endswith("date_note") and ANCHOR.search(p.english)]
    assert len(linked_notes) >= 7 and all(ANCHOR.findall(p.english) == ["#compare-date-of-final-phase"]
                                          for p in linked_notes)
    assert numbers("1,000-for-1,000 and 971 [[at-least-54-exchanges]]", ENGLISH_NUMBER) == {"1000", "971"}
    assert numbers("1\u00a0000 і 1 000 та 971", UKRAINIAN_NUMBER) == {"1000", "971"}
