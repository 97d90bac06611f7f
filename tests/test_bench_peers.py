"""bench/peers.py times only outputs that show every fact once and escape the probe.

The check is what makes the side-by-side honest: a peer that drops facts or prints the probe's
``<script>`` raw must be refused before any timing. The peers themselves run only where they are
installed (Hugo from Debian, Eleventy from bench/node_modules); otherwise those tests skip.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import peers
from generate import generate

N = 40


def fact_li(fid: str, claim: str) -> str:
    return (f'<li id="{fid}" class="fact" tabindex="-1">\n'
            f'<p class="claim"><span class="num">1</span> {claim}</p>\n</li>\n')


ESCAPED = ('Escaping probe &lt;script&gt;alert(&quot;peers&quot;)&lt;/script&gt; &amp; Tom &amp; Jerry&#39;s '
           '&lt;b&gt;bold&lt;/b&gt; claim.')
IDS = [f"fact-{i:06d}-x" for i in range(6)]
PROBE = IDS[3]


def write_pages(out: Path, pages: list[list[str]], probe_claim: str = ESCAPED) -> Path:
    """A fake output: one HTML file per list of fact ids; the probe fact gets ``probe_claim``."""
    out.mkdir(parents=True, exist_ok=True)
    for n, ids in enumerate(pages):
        body = "".join(fact_li(f, probe_claim if f == PROBE else "A claim.") for f in ids)
        (out / f"page-{n}.html").write_text(f'<ol class="facts">\n{body}</ol>\n', encoding="utf-8")
    return out


def test_a_complete_escaped_output_passes(tmp_path):
    out = write_pages(tmp_path / "out", [IDS[:3], IDS[3:]])
    assert peers.check_output(out, IDS, "paged", PROBE) == "2 page(s) with facts, 6 facts, probe escaped"
    one = write_pages(tmp_path / "one", [IDS])
    assert peers.check_output(one, IDS, "one", PROBE).startswith("1 page(s)")


@pytest.mark.parametrize("claim, why", [
    ('Escaping probe <script>alert("peers")</script> &amp; Tom', "the probe's <script> is not escaped"),
    ("Escaping probe &lt;script&gt;alert(1)&lt;/script&gt; & Tom & Jerry", "not escaped as expected"),
    (ESCAPED.replace("&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>"), "not escaped as expected"),
    (ESCAPED + " & more", "holds a raw '&'"),
])
def test_an_unescaped_probe_is_refused(tmp_path, claim, why):
    out = write_pages(tmp_path / "out", [IDS], probe_claim=claim)
    with pytest.raises(peers.CheckFailed, match=why):
        peers.check_output(out, IDS, "one", PROBE)


@pytest.mark.parametrize("pages, form, why", [
    ([IDS[:5]], "one", "1 missing"),
    ([IDS, IDS[:1]], "paged", "1 shown twice"),
    ([IDS[:3], IDS[3:]], "one", "spread over 2 pages"),
    ([[*IDS, "fact-999999-y"]], "one", "1 unknown"),
])
def test_missing_duplicated_or_misplaced_facts_are_refused(tmp_path, pages, form, why):
    out = write_pages(tmp_path / "out", pages)
    with pytest.raises(peers.CheckFailed, match=why):
        peers.check_output(out, IDS, form, PROBE)


def test_a_page_over_the_page_size_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(peers, "PAGE_SIZE", 2)
    out = write_pages(tmp_path / "out", [IDS[:2], IDS[2:]])
    with pytest.raises(peers.CheckFailed, match="shows 4 facts"):
        peers.check_output(out, IDS, "paged", PROBE)


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    """A small generated project with the probe planted, and the peers' view of its facts."""
    root = generate(tmp_path_factory.mktemp("peers") / "ours", N)
    peers.plant_probe(root, N)
    title, facts = peers.read_facts(root)
    return root, title, facts


def test_the_data_file_carries_every_fact_with_its_citations_resolved(content, tmp_path):
    _root, title, facts = content
    path = tmp_path / "facts.yaml"
    peers.write_data_file(path, title, facts)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["title"] == title
    assert [f["fid"] for f in data["facts"]] == [f.fid for f in facts]
    probe = next(f for f in data["facts"] if f["fid"].startswith(peers.probe_id(N)))
    assert probe["claim"] == peers.PROBE_CLAIM
    assert {"source", "title", "url", "quote"} == set(probe["citations"][0])


def test_this_project_passes_its_own_check(content, tmp_path):
    root, _title, facts = content
    project = Project(root)
    built = project.run()
    assert built.returncode == 0, built.stderr
    ids = [f.fid for f in facts]
    probe = next(f for f in ids if f.startswith(peers.probe_id(N)))
    assert peers.check_output(project.output, ids, "paged", probe).endswith(f"{N} facts, probe escaped")


@pytest.mark.parametrize("peer", list(peers.MAKERS))
@pytest.mark.parametrize("form", peers.FORMS)
def test_each_installed_peer_shows_every_fact_escaped(content, tmp_path, peer, form, monkeypatch):
    if peers.missing_tools([peer]):
        pytest.skip(f"{peer} is not installed: {peers.missing_tools([peer])[peer]}")
    monkeypatch.setattr(peers, "PAGE_SIZE", 15)  # 40 facts on 3 pages
    _root, title, facts = content
    project, out = tmp_path / peer, tmp_path / "out"
    peers.MAKERS[peer](project, title, facts, form)
    result = subprocess.run(peers.command(peer, project, out, sys.executable), capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    ids = [f.fid for f in facts]
    probe = next(f for f in ids if f.startswith(peers.probe_id(N)))
    pages = "3 page(s)" if form == "paged" else "1 page(s)"
    assert peers.check_output(out, ids, form, probe) == f"{pages} with facts, {N} facts, probe escaped"


def test_our_build_without_search_is_timed_beside_ours_on_the_same_facts(content, tmp_path):
    """The column that shows what Pagefind's index costs: the same project, `search: false`, and
    nothing else changed; a story split into pages (where there is search) builds without it."""
    root, _title, facts = content
    paged = tmp_path / "paged"
    shutil.copytree(root, paged)
    with (paged / "site.yaml").open("a", encoding="utf-8") as f:
        f.write("pagination:\n  facts_per_page: 15\n")
    off = peers.without_search(paged, tmp_path / "off")
    assert yaml.safe_load((off / "site.yaml").read_text(encoding="utf-8"))["search"] is False
    assert (off / "content" / "facts.yaml").read_bytes() == (paged / "content" / "facts.yaml").read_bytes()
    ids = [f.fid for f in facts]
    probe = next(f for f in ids if f.startswith(peers.probe_id(N)))
    outs = {}
    for name, project in (("ours", paged), (peers.NO_SEARCH, off)):
        outs[name] = tmp_path / f"out-{name}"
        built = subprocess.run(peers.command(name, project, outs[name], sys.executable), capture_output=True,
                               text=True, cwd=tmp_path, timeout=120)
        assert built.returncode == 0, built.stderr
        assert peers.check_output(outs[name], ids, "paged", probe).endswith(f"{N} facts, probe escaped")
    assert (outs["ours"] / "search.html").is_file()
    assert not (outs[peers.NO_SEARCH] / "search.html").exists()
    assert not list(outs[peers.NO_SEARCH].rglob("pagefind*"))


def series(*seconds: float) -> peers.Series:
    return peers.Series(seconds=list(seconds), cpu=[s * 2 for s in seconds], peak_mb=[1.0] * len(seconds))


def test_the_like_for_like_table_takes_our_search_off_build_against_each_peer_round_by_round(capsys):
    rows = [("10k facts, 100 a page", {"ours": series(3.0, 3.0, 3.0), peers.NO_SEARCH: series(2.0, 1.0, 3.0),
                                        "hugo-files": series(1.0, 2.0, 1.5)})]
    peers.print_tables(rows, ["ours", "hugo-files", peers.NO_SEARCH], set())
    out = capsys.readouterr().out
    assert "| work | this project | hugo-files | this project, search off |" in out
    like = out.split("like for like, wall clock: this project without search against the peers:\n")[1]
    assert like.splitlines()[0] == "| work | this project, search off | hugo-files |"
    # rounds 2/1, 1/2, 3/1.5: the median of the rounds' ratios, 2.0 (the medians alone, 2.0 / 1.5, say 1.3)
    assert "| 10k facts, 100 a page | 2.00 s | 1.50 s (2.0× faster) |" in like


def test_without_our_search_off_build_there_is_no_like_for_like_table(capsys):
    rows = [("10k facts, one page", {"ours": series(3.0), "eleventy": series(1.0)})]
    peers.print_tables(rows, ["ours", "eleventy"], set())
    assert "like for like" not in capsys.readouterr().out


def test_a_missing_peer_is_named_with_its_install_command(monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    assert peers.main(["--peers", "hugo-data", "--sizes", "10"]) == 2
    err = capsys.readouterr().err
    assert "hugo-data: not installed, left out. To install: apt-get update && apt-get install -y hugo" in err
    assert "no peer to compare with" in err
