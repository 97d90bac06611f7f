"""Embeds, the offline edition and search (explainer/reach.py), checked on the built files.

The browser checks (iframe height across origins, file:// with no request, search on 10,000
facts) are in tests/browser/test_reach.py.
"""

from __future__ import annotations

import gzip
import html as html_module
import re
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MINIMAL, REPO, Project, make_project, tree_hash
from hypothesis import given
from hypothesis import strategies as st

from explainer import pagefind, pipeline, search, search_memo
from explainer.embeds import relocate
from explainer.errors import BuildError
from explainer.offline import human_size, self_contained
from explainer.two_builds import same_ends, same_objects

SPLIT = "pagination: {facts_per_page: 1, events_per_page: 1, sources_per_page: 1}\n"


class Tags(HTMLParser):
    """Every start tag with its attributes, and the ids."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.add(a["id"])

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def site_yaml(extra: str) -> dict[str, str]:
    return {"site.yaml": MINIMAL["site.yaml"].rstrip(" ") + "        " + extra.replace("\n", "\n        ").rstrip(" ")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("reach") / "site")
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("reach-split") / "site", site_yaml(SPLIT + "offline: true\n"))
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    return project


# --- embeds ----------------------------------------------------------------------------------------

def test_timeline_and_each_comparison_have_an_embed_without_the_sites_chrome(built: Project) -> None:
    out = built.output
    assert sorted(p.name for p in (out / "embed").iterdir()) == ["comparison-captures-changed.html", "timeline.html"]
    timeline = (out / "embed" / "timeline.html").read_text(encoding="utf-8")
    tags = Tags(timeline)
    assert {"event-general-staff-statement", "event-sbu-captures"} <= tags.ids
    assert not tags.all("header") and not tags.all("nav") and not tags.all("footer")
    assert tags.all("base") == [{"target": "_top"}]
    assert {"name": "robots", "content": "noindex"} in tags.all("meta")
    comparison = Tags((out / "embed" / "comparison-captures-changed.html").read_text(encoding="utf-8"))
    assert "compare-captures-changed" in comparison.ids


def test_embed_links_lead_out_to_the_full_explainer(built: Project) -> None:
    html = (built.output / "embed" / "timeline.html").read_text(encoding="utf-8")
    hrefs = [a["href"] for a in Tags(html).all("a")]
    assert "../index.html#general-staff-971" in hrefs  # a citation, on the front page
    assert "../index.html" in hrefs  # "Read the full explainer"
    assert all(h.startswith(("../", "https://")) for h in hrefs), hrefs
    scripts = [s["src"] for s in Tags(html).all("script")]
    assert len(scripts) == 1 and re.fullmatch(r"\.\./assets/embed\.[0-9a-f]{8}\.js", scripts[0])
    assert (built.output / "embed" / scripts[0]).resolve().is_file()


def test_relocate_moves_links_one_folder_down() -> None:
    html = '<a href="#x">a</a><a href="facts-2024.html#y">b</a><a href="https://e.org/">c</a><img src="assets/i.svg">'
    assert relocate(html) == ('<a href="../index.html#x">a</a><a href="../facts-2024.html#y">b</a>'
                              '<a href="https://e.org/">c</a><img src="../assets/i.svg">')


def test_embed_page_offers_each_code_at_a_fixed_height(built: Project) -> None:
    html = (built.output / "embed.html").read_text(encoding="utf-8")
    assert 'href="embed.html"' in (built.output / "index.html").read_text(encoding="utf-8")
    codes = re.findall(r"<pre><code>(.*?)</code></pre>", html, re.DOTALL)
    assert len(codes) == 2
    code = html_module.unescape(codes[0])  # what a producer copies
    assert code.startswith('<iframe id="explainer-timeline" src="https://example.org/test/embed/timeline.html"')
    assert 'height="600"' in code
    assert "xPYMxheightxPYMx" in codes[0]  # pym.js's height message
    assert "<details>" in html and "<script" not in html.split("<main", 1)[1]  # readable without script


def test_frame_ancestors_goes_into_the_headers_file(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site", site_yaml(
        "embed: {frame_ancestors: \"'self' https://*.example-news.org\", height: 420}\n"))
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert (project.output / "_headers").read_text(encoding="utf-8") == (
        "/embed/*\n  Content-Security-Policy: frame-ancestors 'self' https://*.example-news.org\n")
    assert "420" in (project.output / "embed.html").read_text(encoding="utf-8")
    # The main page keeps its policy in <meta>, where frame-ancestors would be ignored.
    assert "frame-ancestors" not in (project.output / "index.html").read_text(encoding="utf-8")


def test_default_headers_file_lets_any_site_frame_the_embeds(built: Project) -> None:
    assert (built.output / "_headers").read_text(encoding="utf-8") == (
        "/embed/*\n  Content-Security-Policy: frame-ancestors *\n")


@pytest.mark.parametrize("value", ["'self'; script-src *", "https://a.org, https://b.org", "", "\"x y\""])
def test_a_frame_ancestors_that_is_not_a_source_list_is_an_error(tmp_path: Path, value: str) -> None:
    project = make_project(tmp_path / "site", site_yaml(f"embed: {{frame_ancestors: {value!r}}}\n"))
    result = project.run("build")
    assert result.returncode == 1
    assert "is not a list of sites allowed to embed" in result.stderr or "the text is empty" in result.stderr \
        or "expected" in result.stderr
    assert "site.yaml:" in result.stderr and "Traceback" not in result.stderr


# --- the offline edition ---------------------------------------------------------------------------

def offline_links_and_sources(path: Path) -> tuple[Tags, list[str]]:
    tags = Tags(path.read_text(encoding="utf-8"))
    loads = [a.get("src") or "" for _, a in tags.tags if "src" in a]
    loads += [a["href"] or "" for a in tags.all("link") if a.get("rel") in ("stylesheet", "icon", "preload")]
    return tags, loads


def test_offline_edition_holds_everything_and_loads_nothing(built: Project) -> None:
    path = built.output / "explainer-en.html"
    html = path.read_text(encoding="utf-8")
    tags, loads = offline_links_and_sources(path)
    assert loads == ["data:,"]  # the empty icon: not even /favicon.ico is asked for
    # no script at all: not even the JSON-LD, which only programs reading the site use (a fifth of the file)
    assert tags.all("script") == []
    csp = next(m["content"] for m in tags.all("meta") if m.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none';")
    assert '<style media="print">' in html
    for fact_id in ("sbu-102", "swap-sizes", "general-staff-971"):
        assert fact_id in tags.ids
    for quote in ("its commandos captured no fewer than 102 Russian conscripts", "could range from 50 to 95 soldiers"):
        assert quote in html
    assert "source-article-a" in tags.ids and "term-sbu" in tags.ids
    for a in tags.all("a"):
        href = a["href"] or ""
        assert href.startswith(("#", "https://", "http://")), href
        if href.startswith("#") and len(href) > 1:
            assert href[1:] in tags.ids, href
    assert "Download for offline reading" not in html


def test_front_page_links_the_offline_file_with_its_size(built: Project) -> None:
    index = Tags((built.output / "index.html").read_text(encoding="utf-8"))
    (link,) = [a for a in index.all("a") if a.get("href") == "explainer-en.html"]
    assert "download" in link
    size = human_size((built.output / "explainer-en.html").stat().st_size)
    assert f"Download for offline reading</a> ({size})" in (built.output / "index.html").read_text(encoding="utf-8")


def test_build_prints_the_offline_files_size(built: Project) -> None:
    result = built.run("build")
    size = (built.output / "explainer-en.html").stat().st_size
    assert f"offline edition: explainer-en.html, {human_size(size)} ({size} bytes)" in result.stdout


def test_split_story_puts_every_fact_in_the_offline_file(split: Project) -> None:
    tags, loads = offline_links_and_sources(split.output / "explainer-en.html")
    assert loads == ["data:,"]
    every = {"sbu-102", "swap-sizes", "general-staff-971", "event-general-staff-statement", "source-article-a"}
    assert every <= tags.ids
    hrefs = [a["href"] or "" for a in tags.all("a")]
    assert "#general-staff-971" in hrefs and not any(re.match(r"(facts|timeline|sources)[-.]", h) for h in hrefs)


def test_self_contained_links() -> None:
    html = '<a href="facts-2024.html#x">1</a><a href="facts.csv">2</a><a href="#y">3</a><a href="https://o.org/">4</a>'
    assert self_contained(html, {"index.html", "facts-2024.html"}, "https://e.org/s/") == (
        '<a href="#x">1</a><a href="https://e.org/s/facts.csv">2</a><a href="#y">3</a><a href="https://o.org/">4</a>')


def test_a_split_story_has_no_offline_file_unless_asked(tmp_path: Path) -> None:
    """Split into pages, a story is too big for one file to help a reader on a metered connection
    (12 MB at 10,000 facts): without `offline: true` the build writes none and links none."""
    project = make_project(tmp_path / "site", site_yaml(SPLIT))
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert not (project.output / "explainer-en.html").exists()
    assert "offline edition" not in result.stdout
    assert "explainer-en.html" not in (project.output / "index.html").read_text(encoding="utf-8")


def test_offline_false_skips_the_file_and_its_link(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site", site_yaml("offline: false\n"))
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert not (project.output / "explainer-en.html").exists()
    assert "offline" not in (project.output / "index.html").read_text(encoding="utf-8").lower()
    assert "offline edition" not in result.stdout


# --- the front page's weight -----------------------------------------------------------------------

def test_shipped_front_page_first_load_is_no_heavier(tmp_path: Path) -> None:
    """The new pages cost the front page two short links (under 150 bytes gzip) and no request."""
    output = tmp_path / "shipped"
    pipeline.build(REPO, output)
    html = (output / "index.html").read_text(encoding="utf-8")
    without = re.sub(r' · <a href="explainer-en\.html" download>Download for offline reading</a> \([^)]*\)', "", html)
    without = re.sub(r' <a href="embed\.html">Embed the timeline or a comparison</a> on another site\.', "", without)
    assert without != html and "explainer-en.html" not in without and "embed.html" not in without

    def gz(text: str) -> int:
        return len(gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0))

    assert gz(html) - gz(without) <= 150
    loaded = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(assets/[^"]+)"', html)
    assert sorted(re.sub(r"\.[0-9a-f]{8}\.", ".", a) for a in loaded) == [
        "assets/enhance.js", "assets/favicon.svg", "assets/print.css"]  # as before: nothing new to fetch
    assert "pagefind" not in html and "search.js" not in html and "embed.js" not in html


# --- search ----------------------------------------------------------------------------------------

def test_a_split_story_gets_a_search_page_and_index(split: Project) -> None:
    out = split.output
    assert (out / "search.html").is_file() and (out / "pagefind" / "pagefind.js").is_file()
    assert not (out / "pagefind" / "pagefind-ui.js").exists()  # Pagefind's UI bundles are not published
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="search.html">Search</a>' in index
    page = Tags((out / "search.html").read_text(encoding="utf-8"))
    csp = next(m["content"] for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy")
    assert "'wasm-unsafe-eval'" in csp and "form-action 'self'" in csp
    (script,) = page.all("script")
    assert (script["src"] or "").startswith("assets/search.")
    assert (out / script["src"]).is_file()


def test_an_unsplit_story_has_no_search(built: Project) -> None:
    assert not (built.output / "search.html").exists() and not (built.output / "pagefind").exists()
    assert "search.html" not in (built.output / "index.html").read_text(encoding="utf-8")
    assert list((built.output / "assets").glob("search*.js")) == []  # no page would load search.js


def test_search_records_point_at_each_items_own_anchor(split: Project) -> None:
    project, _ = pipeline.check(split.root)
    from explainer.paginate import layout

    records = search.records(project, layout(project))
    urls = [r.url for r in records]
    assert "facts-2025.html#general-staff-971" in urls
    assert "timeline-2025.html#event-general-staff-statement" in urls
    assert "index.html#term-sbu" in urls
    (fact,) = [r for r in records if r.url.endswith("#sbu-102")]
    assert "its commandos captured no fewer than 102 Russian conscripts" in fact.content
    assert fact.title == "SBU commandos captured at least 102 Russian soldiers on a Wednesday."  # no number
    assert fact.content.startswith("According to the SBU, as reported by the Test Gazette.")
    (event,) = [r for r in records if r.url.endswith("#event-general-staff-statement")]
    assert "**" not in event.content and "total" in event.content


def test_the_previews_search_records_are_kept_only_while_what_they_are_made_of_is(split: Project) -> None:
    """The preview's memo gives a kept fact, event or glossary entry its last record object (so the
    last index is recognised as the same without comparing texts), and a new record once the
    fact, its address or a source's label changed."""
    import dataclasses

    from explainer.paginate import layout

    project, _ = pipeline.check(split.root)
    memo = search_memo.SearchMemo()
    first = search.records(project, layout(project), memo)
    again = search.records(project, layout(project), memo)
    assert again == first and all(a is b for a, b in zip(again, first, strict=True))
    edited = dataclasses.replace(project.facts[0], claim="An edited claim.")  # a new fact, as an edited entry makes
    project.facts[0] = edited
    after_edit = search.records(project, layout(project), memo)
    (changed,) = [r for r in after_edit if r not in first]
    assert changed.title == "An edited claim." and changed.url.endswith(f"#{edited.id}")
    assert sum(a is b for a, b in zip(after_edit, again, strict=True)) == len(first) - 1
    for source in project.sources:
        object.__setattr__(source, "label", "a renamed source")
    for fact in project.facts:
        fact.__dict__.pop("_chain", None)  # as the next build renews its facts (renewed.renewed_fact)
    renamed = search.records(project, layout(project), memo)
    facts = {r.url for r in renamed if "#term-" not in r.url and "#event-" not in r.url}
    assert all("as reported by a renamed source" in r.content for r in renamed if r.url in facts)
    assert all((r in after_edit) == ("#term-" in r.url or "#event-" in r.url) for r in renamed)


def test_the_previews_records_follow_a_fact_to_its_new_page(split: Project) -> None:
    """While the preview's layout keeps every item in place (paginate.KeptLayout: the same page_of),
    each kept fact keeps its record without its address being asked for; a fact whose date moves it
    to another page gets a record with its new address, and so does every fact the move shifted."""
    from explainer.paginate import KeptLayout

    project, _ = pipeline.check(split.root)
    memo, kept = search_memo.SearchMemo(), KeptLayout()
    first = search.records(project, kept.layout(project), memo)
    again = search.records(project, kept.layout(project), memo)
    assert all(a is b for a, b in zip(again, first, strict=True))
    import dataclasses

    before = kept.layout(project).fact_href(project.facts[0].id)
    latest = max((f.date for f in project.facts), key=lambda d: d.sort_key)
    moved = project.facts[0] = dataclasses.replace(project.facts[0], date=latest)  # as an edited entry makes it
    laid = kept.layout(project)
    assert laid.fact_href(moved.id) != before  # on another page now
    after = search.records(project, laid, memo)
    facts = [r for r in after if "#term-" not in r.url and "#event-" not in r.url]
    assert [r.url for r in facts] == [laid.fact_href(f.id) for f in project.facts]


def test_the_previews_records_of_facts_kept_in_place_are_taken_without_a_look(split: Project) -> None:
    """With every fact on its page (KeptLayout), the facts the last build had at the same places at
    either end keep their records; an edited fact in the middle gets a new one, with its new claim."""
    import dataclasses

    from explainer.paginate import KeptLayout

    project, _ = pipeline.check(split.root)
    memo, kept = search_memo.SearchMemo(), KeptLayout()
    first = search.records(project, kept.layout(project), memo)
    middle = len(project.facts) // 2
    edited = dataclasses.replace(project.facts[middle], claim="A claim edited in the middle.")
    project.facts[middle] = edited
    after = search.records(project, kept.layout(project), memo)
    assert [a is b for a, b in zip(after, first, strict=True)].count(False) == 1
    assert after[middle].title == "A claim edited in the middle." and after[middle].url.endswith(f"#{edited.id}")
    event = dataclasses.replace(project.events[0], text="An event's text edited.")  # as an edited entry makes it
    project.events[0] = event
    again = search.records(project, kept.layout(project), memo)
    (record,) = [r for r, a in zip(again, after, strict=True) if r is not a]
    assert record.content == "An event's text edited." and record.url.endswith(f"#event-{event.id}")


def test_the_kept_layout_looks_at_the_facts_that_changed_and_at_every_event(split: Project) -> None:
    """paginate.KeptLayout: a fact edited in place of another (same id and date) keeps every page; a
    fact given another date is laid out afresh; an event renamed in place (a derived id that a new
    twin changed: the same object) is laid out afresh too, so its link follows it."""
    import dataclasses

    from explainer.paginate import KeptLayout

    project, _ = pipeline.check(split.root)
    kept = KeptLayout()
    first = kept.layout(project)
    middle = len(project.facts) // 2
    project.facts[middle] = dataclasses.replace(project.facts[middle], claim="Edited.")
    assert kept.layout(project).facts.page_of is first.facts.page_of
    latest = max((f.date for f in project.facts), key=lambda d: d.sort_key)
    project.facts[0] = dataclasses.replace(project.facts[0], date=latest)
    assert kept.layout(project).facts.page_of is not first.facts.page_of
    event = project.events[-1]
    page = kept.layout(project).event_href(event.id).split("#")[0]
    event.id = "renamed-event"
    assert kept.layout(project).event_href("renamed-event") == f"{page}#event-renamed-event"


@given(st.lists(st.integers(0, 4), max_size=8), st.lists(st.integers(0, 4), max_size=8))
def test_same_ends_counts_the_same_objects_at_each_end(now: list[int], last: list[int]) -> None:
    """``two_builds.same_ends`` (search records, the kept layout) against a loop: the same objects (not
    equal ones) from the start, then from the end of what is left."""
    pool = [object() for _ in range(5)]
    a, b = [pool[i] for i in now], [pool[i] for i in last]
    head = 0
    while head < min(len(a), len(b)) and a[head] is b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] is b[-1 - tail]:
        tail += 1
    assert same_ends(a, b) == (head, tail)
    assert same_objects(a, b) == (len(a) == len(b) == head)
    assert same_ends(a, [object() for _ in b]) == (0, 0)


def test_pagefind_gets_its_records_on_pages_of_a_fixed_size(tmp_path: Path) -> None:
    items = [search.Record(f"facts-{n // 100}.html#f-{n}", f"Claim <{n}>", "a & b")
             for n in range(2 * pagefind.RECORDS_PER_PAGE + 1)]
    pagefind.write_records(items, tmp_path / "site", "en")
    pages = sorted((tmp_path / "site").iterdir())
    assert [p.name for p in pages] == ["0000.html", "0001.html", "0002.html"]
    first = pages[0].read_text(encoding="utf-8")
    assert first.count("<section>") == pagefind.RECORDS_PER_PAGE and pages[2].read_text().count("<section>") == 1
    assert '<h2 id="facts-0.html#f-0">Claim &lt;0&gt;</h2><p>a &amp; b</p>' in first


def test_two_builds_are_byte_identical_search_index_included(split: Project, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    pipeline.build(split.root, first)
    pipeline.build(split.root, second)
    assert (first / "pagefind" / "pagefind.js").is_file()
    assert tree_hash(first) == tree_hash(second)


def test_the_index_is_the_same_whatever_pagefinds_threads(split: Project, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind gets every core but the build's own (one thread on two cores): the same index as with all."""
    from explainer import parallel

    monkeypatch.delenv("RAYON_NUM_THREADS", raising=False)
    monkeypatch.setattr(parallel, "workers_available", lambda: 4)
    assert pagefind._spare_cores() == 3
    monkeypatch.setattr(parallel, "workers_available", lambda: 1)
    assert pagefind._spare_cores() is None  # one core: Pagefind's own default
    monkeypatch.setattr(parallel, "workers_available", lambda: 2)
    assert pagefind._spare_cores() == 1
    pipeline.build(split.root, tmp_path / "one")
    monkeypatch.setenv("RAYON_NUM_THREADS", "4")  # the editor's own choice is left alone
    assert pagefind._spare_cores() is None
    pipeline.build(split.root, tmp_path / "four")
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "four")


def test_missing_pagefind_warns_and_builds_without_search(split: Project, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    monkeypatch.setattr("pagefind_bin.get_executable", lambda: tmp_path / "no-such-pagefind", raising=False)
    result = pipeline.build(split.root, tmp_path / "out")
    assert [w.message for w in result.warnings] == ["Pagefind is not installed, so the site has no search"]
    assert not (tmp_path / "out" / "search.html").exists()
    assert "search.html" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_search_false_turns_search_off(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site", site_yaml(SPLIT + "search: false\n"))
    result = project.run("build")
    assert result.returncode == 0, result.stderr
    assert not (project.output / "search.html").exists() and not (project.output / "pagefind").exists()


def test_a_split_timeline_embeds_its_latest_page_and_links_to_the_rest(split: Project) -> None:
    html = (split.output / "embed" / "timeline.html").read_text(encoding="utf-8")
    tags = Tags(html)
    assert "event-general-staff-statement" in tags.ids and "event-sbu-captures" not in tags.ids  # the latest
    assert "The latest 1 of 2 events" in html
    assert "../index.html#timeline" in [a["href"] for a in tags.all("a")]
    assert "../timeline-2025.html#general-staff-971" not in html  # citations point at the facts' pages
    assert "../facts-2025.html#general-staff-971" in [a["href"] for a in tags.all("a")]


def test_a_mistake_in_an_embed_template_is_reported_once_with_its_line(project: Project) -> None:
    project.edit("templates/embed_base.html", "{{ site.title }}</a></h1>", "{{ site.titel }}</a></h1>")
    result = project.run("build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == ["templates/embed_base.html:23:1: error: template error: "
                      "'explainer.model.Site object' has no attribute 'titel'"], result.stderr
    assert not project.output.exists()  # nothing half-written


def test_a_failing_pagefind_warns_with_its_message_and_builds_without_search(split: Project, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'index: disk on fire' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind, "executable", lambda: fake)
    result = pipeline.build(split.root, tmp_path / "out")
    assert [w.message for w in result.warnings] == ["Pagefind failed (index: disk on fire), so the site has no search"]
    assert not (tmp_path / "out" / "search.html").exists()
    assert "search.html" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("mistake", [
    ("templates/list_page.html", "{{ section.kind }}", "{{ sektion.kind }}"),  # found while rendering
    ("content/facts.yaml", "no fewer than 102 Russian", "no fewer than 103 Russian"),  # by the quote check
])
def test_pagefind_started_early_is_stopped_and_cleaned_up_when_the_build_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mistake: tuple[str, str, str]) -> None:
    project = make_project(tmp_path / "site", site_yaml(SPLIT))
    project.edit(*mistake)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # Pagefind's scratch folder goes here
    started: list[pagefind.Indexing] = []
    real = pagefind.Indexing.__init__

    def spy(self: pagefind.Indexing, *args: object) -> None:
        real(self, *args)
        started.append(self)

    monkeypatch.setattr(pagefind.Indexing, "__init__", spy)
    with pytest.raises(BuildError):
        pipeline.build(project.root, tmp_path / "out")
    assert len(started) == 1 and started[0]._process is not None and started[0]._process.poll() is not None
    assert not [p for p in scratch.iterdir() if p.name.startswith("explainer-pagefind-")]


def test_a_search_index_closed_before_it_started_frees_its_records():
    """The preview's background index (started only once the site is out) is often stopped first, by a
    newer save: its records go with it, though its callback refers back to it (a cycle the preview's
    frozen collector never frees: 18 MB a save at 50,000 facts)."""
    import gc
    import weakref

    if pagefind.executable() is None:
        pytest.skip("Pagefind is not installed")
    items = [search.Record("facts.html#a", "A claim", "According to the SBU. “a quote”")]
    record = weakref.ref(items[0])
    indexing = pagefind.Indexing(items, "en", later=True)
    indexing.finished = lambda files: (indexing, files)  # as SearchMemo.start sets it: a cycle
    del items
    enabled = gc.isenabled()
    gc.disable()
    try:
        indexing.close()
        assert record() is None
    finally:
        if enabled:
            gc.enable()


def _writing_held(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Make the preview's writing of records stop after its first page until released: (entered, release)."""
    entered, release, pages = threading.Event(), threading.Event(), []
    real = pagefind.write_records

    def held(items, folder, language, between):
        def each_page() -> None:
            pages.append("page")
            if len(pages) == 2:  # the first page is written: hold the second
                entered.set()
                release.wait()
            between()

        real(items, folder, language, each_page)

    monkeypatch.setattr(pagefind, "write_records", held)
    return entered, release


def _background_index(monkeypatch) -> tuple[pagefind.Indexing, threading.Thread, threading.Event]:
    """An index of the preview's whose records are being written in a thread, held after their first page:
    (the index, the writing thread, the event that releases it)."""
    if pagefind.executable() is None:
        pytest.skip("Pagefind is not installed")
    entered, release = _writing_held(monkeypatch)
    items = [search.Record(f"facts.html#f-{n}", f"Claim {n}", "According to the SBU. “a quote”")
             for n in range(3 * pagefind.RECORDS_PER_PAGE)]
    indexing = pagefind.Indexing(items, "en", later=True)
    writer = threading.Thread(target=indexing.start, kwargs={"threads": 1, "detached": True})
    writer.start()
    assert entered.wait(60), "the records are being written"
    return indexing, writer, release


def _returns(call) -> bool:
    """Whether ``call()`` returns while the records' writing is held (a deadlock guard, not a timing)."""
    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    caller.join(30)
    return not caller.is_alive()


def test_a_rebuild_pauses_the_previews_records_without_waiting_for_them(monkeypatch):
    """A save pauses the background index (serve_builds.py) while its records are still being written in
    another thread: pause() returns at once, the writing waits at its next page until the rebuild is
    done, then Pagefind runs and its index comes in as usual."""
    indexing, writer, release = _background_index(monkeypatch)
    assert _returns(indexing.pause), "pause() did not wait for the records"
    release.set()
    assert indexing._process is None, "paused: no Pagefind yet"
    assert not indexing._go.is_set()
    indexing.pause(False)
    writer.join(60)
    assert not writer.is_alive() and indexing._process is not None
    files = indexing.finish()
    assert f"{pagefind.FOLDER}/pagefind.js" in files
    assert indexing.closed


def test_stopping_the_previews_index_while_its_records_are_written(monkeypatch):
    """A newer save with other records stops the background index: close() returns while the records
    are being written; the writing stops at its next page, no Pagefind starts, and the scratch folder goes."""
    indexing, writer, release = _background_index(monkeypatch)
    scratch = Path(indexing._scratch.name)
    indexing.pause()
    assert _returns(indexing.close), "close() did not wait for the records"
    assert scratch.is_dir(), "the writing thread removes it once it has stopped"
    release.set()
    writer.join(60)
    assert not writer.is_alive()
    assert indexing._process is None and not scratch.exists()
    assert len(list(scratch.parent.glob(scratch.name + "*"))) == 0


def test_a_save_that_takes_the_index_over_waits_for_its_records(monkeypatch):
    """A save whose records are those the background index is still writing takes that index over
    (SearchMemo.start) and starts it again once the site is out (serve_builds._run_search): that
    start returns at once, and its wait() lasts until the first writer has started Pagefind and
    Pagefind has finished, so the index it then collects is complete."""
    indexing, writer, release = _background_index(monkeypatch)
    started, seen = threading.Event(), []

    def take_over() -> None:
        indexing.start(1, detached=True)
        started.set()
        indexing.wait()
        seen.append(indexing._process is not None and indexing._process.poll() == 0)

    second = threading.Thread(target=take_over)
    second.start()
    assert started.wait(30), "a second start() returns while the records are written"
    release.set()
    second.join(60)
    writer.join(60)
    assert seen == [True], "wait() returned before Pagefind had run"
    assert f"{pagefind.FOLDER}/pagefind.js" in indexing.finish()


def test_the_preview_keeps_one_search_record_per_unchanged_fact(tmp_path):
    """A fact the preview keeps (its entry's text unchanged) keeps its search record object from build
    to build, and the records are those made afresh."""
    from explainer.incremental import IncrementalBuilder
    from explainer.paginate import layout

    root = make_project(tmp_path / "project", MINIMAL).root
    builder = IncrementalBuilder()
    project = builder.build(root, tmp_path / "out").project
    memo = builder.cache.render.search
    first = search.records(project, layout(project), memo)
    again = search.records(project, layout(project), memo)
    assert [a is b for a, b in zip(first, again, strict=True)][:len(project.facts)] == [True] * len(project.facts)
    assert again == search.records(project, layout(project))
