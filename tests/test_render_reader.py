"""What the built explainer sends readers: weight, security policy, metadata, charts and data files.

The browser suite (tests/browser/) checks the same build in chromium; these tests read the files.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from conftest import MINIMAL, REPO, make_project

from explainer.charts import nice_max, number_text
from explainer.page_tools import csp_hash, minify_css
from explainer.pipeline import build

KB = 1024
FIRST_ROUND_TRIP = 14 * KB  # what a new TCP connection can deliver in its first round trip (10 segments)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag and all(n.attrs.get(k) == v for k, v in attrs.items())]

    def find(self, tag: str, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)


VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}


class _Tree(HTMLParser):
    """Just enough of a DOM to assert on: tags, attributes, text, nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node("#text", {}, text=data))


def parse(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped explainer, built once for this module."""
    output = tmp_path_factory.mktemp("shipped") / "output"
    build(REPO, output)
    return output


@pytest.fixture(scope="module")
def index(shipped: Path) -> str:
    return (shipped / "index.html").read_text(encoding="utf-8")


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


# --- weight ----------------------------------------------------------------------------------------

def test_first_round_trip_carries_everything_above_the_fold(shipped: Path) -> None:
    """Index ≤ 14 KB gzip if the content allows; otherwise its first 14 KB hold the head (with all
    CSS), the masthead, the contents and the whole first section."""
    compressed = gz((shipped / "index.html").read_bytes())
    if len(compressed) <= FIRST_ROUND_TRIP:
        return
    first = zlib.decompressobj(wbits=31).decompress(compressed[:FIRST_ROUND_TRIP]).decode("utf-8", "ignore")
    assert "</style>" in first and "</header>" in first
    first_section = re.search(r'<section id="([^"]+)"', first)
    assert first_section, "the first section does not start in the first 14 KB"
    assert first.index("</section>") > first_section.start()  # ... and ends there too


def test_whole_page_is_under_60_kb_transferred(shipped: Path, index: str) -> None:
    """Everything a visit loads: the page, its script, icon and print stylesheet, gzip-compressed."""
    loaded = [shipped / "index.html"]
    loaded += [shipped / href for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', index)]
    loaded += [shipped / src for src in re.findall(r'<script src="([^"]+)"', index)]
    loaded += [shipped / href for href in re.findall(r'<link rel="icon" href="([^"]+)"', index)]
    assert all(p.is_file() for p in loaded), loaded
    total = sum(len(gz(p.read_bytes())) for p in loaded)
    assert total <= 60 * KB, f"{total / KB:.1f} KB"


def test_script_is_a_small_file_and_optional(shipped: Path, index: str) -> None:
    scripts = re.findall(r"<script\b[^>]*>", index)
    sources = [m.group(1) for s in scripts if (m := re.search(r'src="([^"]+)" defer', s))]
    assert len(sources) == 1 and re.fullmatch(r"assets/enhance(\.[0-9a-f]{8})?\.js", sources[0])  # maybe hashed
    assert all("application/ld+json" in s for s in scripts if "src=" not in s)  # data, not code
    assert (shipped / sources[0]).stat().st_size <= 3.5 * KB  # 3 KB before previewUpdate (the live preview)


def test_no_third_party_resource_anywhere(shipped: Path) -> None:
    """Every resource a page loads is a relative (same-origin) address: no fonts, CDNs, analytics."""
    for page in shipped.glob("*.html"):
        tree = parse(page.read_text(encoding="utf-8"))
        for node in tree.iter():
            url = node.attrs.get("src") or (node.attrs.get("href") if node.tag == "link" and  # canonical and
                                            node.attrs.get("rel") not in ("canonical", "alternate")  # hreflang
                                            else None)  # alternates name pages; browsers load neither
            if url:
                assert not urlsplit(url).netloc and not url.startswith("//"), f"{page.name}: {url}"
        css = "".join(n.all_text() for n in tree.find_all("style"))
        assert "url(" not in css and "@import" not in css


# --- security policy -----------------------------------------------------------------------------

def test_csp_allows_only_same_origin_and_the_inline_style_by_hash(index: str) -> None:
    tree = parse(index)
    csp = tree.find("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    policy = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    style = tree.find("style").all_text()
    assert policy["style-src"] == "'self' " + csp_hash(style)
    assert "unsafe-inline" not in csp and "http" not in csp
    assert index.index("Content-Security-Policy") < index.index("<style>")  # policy applies before the style


def test_csp_hash_matches_what_browsers_compute() -> None:
    assert csp_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def test_minified_css_keeps_rules_and_strings() -> None:
    assert minify_css("/* note */\na  >  b ,\n c { color : red ;  }\n") == "a>b,c{color : red}"
    css = 'a::after { content: " , > /* not a comment */" ; }'
    assert minify_css(css) == 'a::after{content: " , > /* not a comment */"}'
    assert minify_css("q::before { content: '\\'' }") == "q::before{content: '\\''}"


# --- metadata and sharing ------------------------------------------------------------------------

def test_metadata_for_search_and_sharing(index: str) -> None:
    tree = parse(index)
    site = (REPO / "site.yaml").read_text(encoding="utf-8")
    base_url = re.search(r"^base_url: (\S+)", site, re.MULTILINE).group(1).rstrip("/") + "/"
    html = tree.find("html")
    assert html.attrs["lang"] == "en"
    assert tree.find("title").all_text().strip()
    assert tree.find("meta", name="description").attrs["content"]
    assert tree.find("link", rel="canonical").attrs["href"] == base_url
    for prop in ("og:type", "og:title", "og:description", "og:url"):
        assert tree.find("meta", property=prop).attrs["content"], prop
    assert tree.find("meta", property="og:url").attrs["content"] == base_url
    assert tree.find("meta", name="twitter:card").attrs["content"] == "summary"


def test_json_ld_describes_the_article_its_claims_and_sources(shipped: Path, index: str) -> None:
    block = parse(index).find("script", type="application/ld+json").all_text()
    data = json.loads(block)
    facts = json.loads((shipped / "facts.json").read_text(encoding="utf-8"))["facts"]
    sources = json.loads((shipped / "sources.json").read_text(encoding="utf-8"))["sources"]
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert [c["@type"] for c in data["hasPart"]] == ["Claim"] * len(facts)
    # a claim true only "as of" a day carries that day in its text (facts.json keeps the two apart)
    assert [c["text"] for c in data["hasPart"]] == [
        f["claim"] if f["as_of"] is None else f"{f['claim']} (as of {f['as_of']['text']})" for f in facts]
    assert [w["name"] for w in data["citation"]] == [s["title"] for s in sources]
    work_ids = {w["@id"] for w in data["citation"]}
    assert all(a["@id"] in work_ids for c in data["hasPart"] for a in c["appearance"])
    assert "<" not in block  # cannot close its <script> early


def test_sitemap_and_robots(shipped: Path) -> None:
    root = ElementTree.fromstring((shipped / "sitemap.xml").read_bytes())
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert locs == ["https://example.org/kursk-prisoners/", "https://example.org/kursk-prisoners/uk/"]  # each edition
    robots = (shipped / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {locs[0]}sitemap.xml" in robots


def test_404_page_is_not_indexed_and_works_at_any_depth(shipped: Path) -> None:
    tree = parse((shipped / "404.html").read_text(encoding="utf-8"))
    assert tree.find("meta", name="robots").attrs["content"] == "noindex"
    assert tree.find("h1").all_text() == "Page not found"
    assert not [n for n in tree.iter() if n.attrs.get("src")]
    links = {n.attrs["href"] for n in tree.iter() if n.attrs.get("href")}
    assert not tree.find_all("link", rel="canonical")  # a 404 is nobody's canonical page
    assert all(h.startswith(("https://", "#", "data:")) for h in links), links  # no relative link to break
    icon = tree.find("link", rel="icon").attrs["href"]
    assert icon.startswith("data:image/svg+xml;base64,")  # inline: no /favicon.ico asked for at any depth


def test_base_url_option_changes_canonical_and_data_urls(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    build(project.root, project.output, base_url="https://staging.example.net/x")
    html = (project.output / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://staging.example.net/x/">' in html
    facts = json.loads((project.output / "facts.json").read_text(encoding="utf-8"))["facts"]
    assert facts[0]["url"] == f"https://staging.example.net/x/#{facts[0]['id']}"
    assert 'href="https://staging.example.net/x/"' in (project.output / "404.html").read_text(encoding="utf-8")


# --- data files ----------------------------------------------------------------------------------

def keys_sorted(value: object) -> bool:
    if isinstance(value, dict):
        return list(value) == sorted(value) and all(keys_sorted(v) for v in value.values())
    if isinstance(value, list):
        return all(keys_sorted(v) for v in value)
    return True


def test_data_files_are_linked_and_parse(shipped: Path, index: str) -> None:
    links = {a.attrs["href"] for a in parse(index).find("section", id="data").find_all("a")}
    assert links == {"facts.json", "facts.csv", "timeline.json", "sources.json", "glossary.json"}
    for name in links - {"facts.csv"}:
        text = (shipped / name).read_text(encoding="utf-8")
        data = json.loads(text)
        assert keys_sorted(data), f"{name}: keys are not sorted"
        [items] = [value for value in data.values() if isinstance(value, list)]
        assert len(text.splitlines()) == len(items) + 2, f"{name}: not one item per line"


def test_facts_json_and_csv_hold_every_fact_in_page_order(shipped: Path, index: str) -> None:
    page_ids = [li.attrs["id"] for li in parse(index).find_all("li") if "fact" in li.attrs.get("class", "").split()]
    facts = json.loads((shipped / "facts.json").read_text(encoding="utf-8"))["facts"]
    assert [f["id"] for f in facts] == page_ids
    assert all(f["citations"] and f["citations"][0]["quote"] for f in facts)
    rows = list(csv.DictReader(io.StringIO((shipped / "facts.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == page_ids
    assert rows[0]["quotes"] == " | ".join(c["quote"] for c in facts[0]["citations"])


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    one, two = tmp_path / "one", tmp_path / "two"
    build(project.root, one)
    build(project.root, two)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


# --- charts --------------------------------------------------------------------------------------

RANGE_FACT = """\
        - id: swap-range
          claim: Swaps exchanged between 50 and 95 soldiers.
          attribution: the article
          date: 2023
          topics: [exchanges]
          citations:
            - source: article-a
              quote: "could range from 50 to 95 soldiers"
          figure: {series: captured, low: 50, high: 95, label: Earlier swaps}
"""


@pytest.fixture
def charted(tmp_path: Path) -> Node:
    """The small test project with a range added to its chart."""
    facts = MINIMAL["content/facts.yaml"].replace("        - id: swap-sizes", RANGE_FACT + "        - id: swap-sizes")
    summary = MINIMAL["content/summaries/01-intro.md"].replace("[[swap-sizes]]", "[[swap-sizes]][[swap-range]]")
    project = make_project(tmp_path / "site", {"content/facts.yaml": facts, "content/summaries/01-intro.md": summary})
    build(project.root, project.output)
    return parse((project.output / "index.html").read_text(encoding="utf-8"))


def test_chart_has_title_description_and_citations(charted: Node) -> None:
    figure = charted.find("figure", id="chart-captured")
    svg = figure.find("svg")
    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-labelledby"] == "chart-captured-t chart-captured-d"
    assert figure.find("title", id="chart-captured-t").all_text() == "Prisoners captured"
    assert figure.find("desc", id="chart-captured-d").all_text().startswith("Reported captures over time.")
    cites = [a.attrs["href"] for a in figure.find("figcaption").find_all("a")]
    assert cites == ["#swap-range", "#sbu-102"]  # date order: 2023, then August 2024


def test_chart_shows_qualifiers_and_draws_ranges_as_ranges(charted: Node) -> None:
    svg = charted.find("figure", id="chart-captured").find("svg")
    values = [t.all_text() for t in svg.find_all("text") if t.attrs.get("class") == "value"]
    assert values == ["50 to 95", "at least 102"]
    assert len(svg.find_all("rect", **{"class": "range"})) == 1
    assert len(svg.find_all("line", **{"class": "cap"})) == 2  # an end cap at each end
    assert len(svg.find_all("rect", **{"class": "bar"})) == 1


def test_chart_numbers_are_also_a_table(charted: Node) -> None:
    table = charted.find("figure", id="chart-captured").find("table")
    assert [th.all_text() for th in table.find_all("th")] == ["Reported figure", "What it counts", "Date", "Fact"]
    rows = [[td.all_text() for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    assert rows == [["50 to 95", "Earlier swaps", "2023", "2"], ["at least 102", "SBU, one day", "c. August 2024", "1"]]


def test_citations_say_where_they_go(charted: Node) -> None:
    cite = charted.find("a", **{"class": "cite"})
    assert cite.find("span", **{"class": "vh"}).all_text() == "fact "
    assert re.fullmatch(r"fact \d+", cite.all_text())


@pytest.mark.parametrize(("value", "scale"), [(102, 200), (971, 1000), (1000, 1000), (95, 100), (7, 10), (0, 1)])
def test_chart_scale_ends_on_a_round_number(value: float, scale: float) -> None:
    assert nice_max(value) == scale


def test_numbers_are_grouped_for_scanning() -> None:
    assert (number_text(1000), number_text(2.5), number_text(971.0)) == ("1,000", "2.5", "971")


# --- structure screen readers rely on --------------------------------------------------------------

def test_headings_go_down_one_level_at_a_time(index: str) -> None:
    levels = [int(n.tag[1]) for n in parse(index).iter() if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


def test_styled_lists_keep_list_semantics(index: str) -> None:
    """Lists drawn without bullets carry role="list", which Safari and VoiceOver otherwise drop."""
    styled = [n for n in parse(index).iter() if n.tag in ("ul", "ol") and n.attrs.get("class")]
    assert {n.attrs["class"] for n in styled} >= {"timeline", "facts", "sources", "citations", "toc"}
    assert all(n.attrs.get("role") == "list" for n in styled)


def test_landmarks_and_skip_link(index: str) -> None:
    tree = parse(index)
    body = tree.find("body")
    first_link = body.find("a")
    assert first_link.attrs["href"] == "#main" and "Skip" in first_link.all_text()
    assert tree.find("main").attrs["id"] == "main"
    labels = [nav.attrs["aria-label"] for nav in tree.find_all("nav")]
    assert "Contents" in labels and len(set(labels)) == len(labels)  # each navigation landmark named apart
    assert len(tree.find_all("header")) == 1 and len(tree.find_all("footer")) == 1


def test_facts_keep_slug_anchors_numbers_and_text_fragment_links(project_built: Node) -> None:
    fact = project_built.find("li", id="sbu-102")
    assert fact.attrs["tabindex"] == "-1"
    assert fact.find("span", **{"class": "num"}).all_text() == "1"
    link = fact.find("p", **{"class": "quote-meta"}).find("a")
    assert link.attrs["href"].startswith("https://example.org/a#:~:text=its%20commandos%20captured%20no,")
    times = {t.attrs["datetime"] for t in project_built.find_all("time")}
    assert {"2024-08", "2025-05-25", "2024"} <= times


@pytest.fixture
def project_built(tmp_path: Path) -> Node:
    project = make_project(tmp_path / "site")
    build(project.root, project.output)
    return parse((project.output / "index.html").read_text(encoding="utf-8"))


def test_json_ld_stays_data_whatever_the_content_says(tmp_path: Path) -> None:
    """A claim that tries to close the <script> element stays a JSON string inside it."""
    hostile = 'Swaps </script><script>alert("XSS")</script> & <!-- of 50 to 95.'
    facts = MINIMAL["content/facts.yaml"].replace(
        "claim: Swaps exchanged between 50 and 95 soldiers.", f"claim: '{hostile}'")
    project = make_project(tmp_path / "site", {"content/facts.yaml": facts})
    build(project.root, project.output)
    html = (project.output / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1
    assert html.count("<script") == 2  # the JSON-LD and the enhancement file, nothing injected
    claims = [c["text"] for c in json.loads(blocks[0])["hasPart"]]
    assert hostile in claims


def test_a_long_series_draws_only_its_latest_figures() -> None:
    """Hundreds of figures in one series would outgrow the front page: the latest MAX_ROWS are drawn."""
    from explainer.charts import MAX_ROWS, build_charts
    from explainer.dates import PartialDate
    from explainer.model import Chart, Fact, Figure, Where

    where = Where(Path("content/facts.yaml"), 1, 1)
    facts = [Fact(f"f{i}", "c", "a", PartialDate(2000 + i), None, [], [], Figure("s", f"year {2000 + i}", value=i),
                  where, number=i) for i in range(MAX_ROWS + 5)]
    [view] = build_charts([Chart("s", "T", "D")], facts)
    assert view.total == MAX_ROWS + 5
    assert [row.fact.id for row in view.rows] == [f"f{i}" for i in range(5, MAX_ROWS + 5)]
    assert view.svg.count('class="bar"') == MAX_ROWS
