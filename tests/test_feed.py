"""What changed: `added`/`updated` dates, the "Recently updated" list and feed.xml (Atom, RFC 4287)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from _links import parse_page
from conftest import Project, make_project

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def dated_project(tmp_path: Path) -> Project:
    """The test project with change dates: one fact added, one added then updated, one event added."""
    project = make_project(tmp_path / "site")
    project.edit("content/facts.yaml", "  date: 2024\n", "  date: 2024\n  added: 2025-06-02\n")
    project.edit("content/facts.yaml", '  date: "2025-05-25"\n',
                 '  date: "2025-05-25"\n  added: 2025-05-30\n  updated: "2025-06-05"\n')
    project.edit("content/timeline.yaml", "  title: SBU captures\n", "  title: SBU captures\n  added: 2025-06-03\n")
    project.edit("content/timeline.yaml", "The General Staff gave its **total**.",
                 "The General Staff gave its **total**, [per the article](https://example.org/a).[[general-staff-971]]")
    return project


def build(project: Project, *args: str) -> Path:
    result = project.run("build", *args)
    assert result.returncode == 0, result.stderr
    return project.output


def feed(output: Path) -> ET.Element:
    root = ET.fromstring((output / "feed.xml").read_bytes())
    assert root.tag == f"{A}feed"
    return root


def test_feed_has_the_elements_rfc_4287_requires(tmp_path: Path) -> None:
    output = build(dated_project(tmp_path))
    root = feed(output)
    for tag in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{tag}")) == 1 and root.find(f"{A}{tag}").text, tag
    assert root.find(f"{A}author/{A}name").text == "Test explainer"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links == {"self": "https://example.org/test/feed.xml", "alternate": "https://example.org/test/"}
    assert root.find(f"{A}updated").text == "2025-06-05T00:00:00Z"  # the newest change, not the clock

    entries = root.findall(f"{A}entry")
    assert len(entries) == 3
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"{A}{tag}")) == 1 and entry.find(f"{A}{tag}").text, tag
        assert RFC3339.match(entry.find(f"{A}updated").text)
        (link,) = entry.findall(f"{A}link")
        assert link.get("rel") == "alternate" and link.get("href") == entry.find(f"{A}id").text
    ids = [e.find(f"{A}id").text for e in entries]
    assert len(set(ids)) == len(ids)


def test_feed_entries_are_the_changes_newest_first_and_link_into_the_page(tmp_path: Path) -> None:
    output = build(dated_project(tmp_path))
    entries = feed(output).findall(f"{A}entry")
    assert [(e.find(f"{A}title").text, e.find(f"{A}updated").text[:10]) for e in entries] == [
        ("Updated fact: According to Ukraine's General Staff, as reported by the Test Gazette: "
         "Ukrainian forces captured 971 Russian soldiers.", "2025-06-05"),
        ("New on the timeline: SBU captures", "2025-06-03"),
        ("New fact: According to the Test Gazette: Swaps exchanged between 50 and 95 soldiers.", "2025-06-02"),
    ]  # a claim read alone in a feed reader is still attributed, never said in the site's own voice
    assert entries[0].find(f"{A}published").text == "2025-05-30T00:00:00Z"
    page_ids = parse_page((output / "index.html").read_text(encoding="utf-8")).ids
    for entry in entries:
        href = entry.find(f"{A}link").get("href")
        assert href.startswith("https://example.org/test/#")
        assert href.split("#", 1)[1] in page_ids
    assert entries[2].find(f"{A}summary").text == (
        "According to the Test Gazette: Swaps exchanged between 50 and 95 soldiers.")


def test_event_summaries_are_plain_text(tmp_path: Path) -> None:
    project = dated_project(tmp_path)
    project.edit("content/timeline.yaml", "- date: 2025-05-25\n", "- date: 2025-05-25\n  added: 2025-06-04\n")
    summary = feed(build(project)).findall(f"{A}entry")[1].find(f"{A}summary").text
    assert summary == "25 May 2025: The General Staff gave its total, per the article."


def test_feed_is_deterministic_and_follows_base_url(tmp_path: Path) -> None:
    project = dated_project(tmp_path)
    first = (build(project) / "feed.xml").read_bytes()
    assert (build(project) / "feed.xml").read_bytes() == first
    staged = feed(build(project, "--base-url", "https://staging.example.net/kursk"))
    assert staged.find(f"{A}id").text == "https://staging.example.net/kursk/"
    assert all(e.find(f"{A}id").text.startswith("https://staging.example.net/kursk/#")
               for e in staged.findall(f"{A}entry"))


def test_page_lists_recent_changes_and_advertises_the_feed(tmp_path: Path) -> None:
    output = build(dated_project(tmp_path))
    html = (output / "index.html").read_text(encoding="utf-8")
    page = parse_page(html)
    alternates = [a for t, a in page.tags if t == "link" and a.get("rel") == "alternate"]
    assert alternates and alternates[0]["type"] == "application/atom+xml"
    assert (output / alternates[0]["href"]).is_file()

    section = html[html.index('<section id="recent"'):]
    section = section[: section.index("</section>")]
    assert re.search(r"<h2[^>]*>Recently updated</h2>", section)
    items = re.findall(r"<li>(.*?)</li>", section, re.DOTALL)
    assert len(items) == 3
    assert 'datetime="2025-06-05"' in items[0] and "Updated fact" in items[0]
    # Each claim listed alone keeps who makes it, outside its link: the event has no claimant.
    assert [re.sub(r"<[^>]+>", "", item).split(": ", 1)[1] for item in items] == [
        "Updated fact: According to Ukraine&#39;s General Staff, as reported by the Test Gazette: "
        "Ukrainian forces captured 971 Russian soldiers.",
        "New on the timeline: SBU captures",
        "New fact: According to the Test Gazette: Swaps exchanged between 50 and 95 soldiers."]
    targets = re.findall(r'href="#([^"]+)"', section)
    assert targets == ["general-staff-971", "event-sbu-captures", "swap-sizes"]
    assert set(targets) <= page.ids


def test_without_change_dates_there_is_no_list_and_an_empty_valid_feed(project: Project) -> None:
    output = build(project)
    assert 'id="recent"' not in (output / "index.html").read_text(encoding="utf-8")
    root = feed(output)
    assert root.findall(f"{A}entry") == []
    assert root.find(f"{A}updated").text == "2025-06-01T00:00:00Z"  # site.yaml's `updated`


def test_change_dates_must_be_full_days(project: Project) -> None:
    project.edit("content/facts.yaml", "  date: 2024\n", "  date: 2024\n  added: 2025-06\n")
    project.edit("content/timeline.yaml", "  title: SBU captures\n", "  title: SBU captures\n  updated: soon\n")
    result = project.run("check")
    assert result.returncode == 1
    assert "content/facts.yaml:16:10: error: '2025-06' is not a full date" in result.stderr
    assert "content/timeline.yaml:8:12: error: 'soon' is not a date" in result.stderr
    assert result.stderr.count("hint: write the day as YYYY-MM-DD, e.g. 2025-06-01") == 2
