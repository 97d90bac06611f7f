"""Hosting anywhere: the output works at a domain root, under a sub-path and from disk (file://).

Also: hashed asset names for long cache lifetimes, the deploy workflow, and packaging pins.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import yaml
from _links import css_urls, is_external, parse_page
from conftest import REPO, Project, make_project, serve_folder

from explainer.assets import broken_links

HASHED = re.compile(r"^assets/(?:[\w-]+/)*[\w-]+\.[0-9a-f]{8}\.\w+$")


def built(tmp_path: Path, *args: str) -> Project:
    project = make_project(tmp_path / "site")
    project.write("static/fonts/serif.woff2", "not really a font")
    css = project.root / "static" / "print.css"  # style.css is inlined; print.css is a linked asset
    css.write_text(css.read_text(encoding="utf-8") +
                   '@font-face { font-family: S; src: url("fonts/serif.woff2") format("woff2"); }\n',
                   encoding="utf-8")
    result = project.run("build", *args)
    assert result.returncode == 0, result.stderr
    return project


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def crawl(start: str) -> dict[str, int]:
    """Follow every local href/src (and CSS url()) from the start page; return URL → status."""
    seen: dict[str, int] = {}
    queue = [start]
    page_ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str]] = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, body, ctype = fetch(url)
        seen[url] = status
        if status != 200:
            continue
        links: list[str] = []
        if "html" in ctype:
            page = parse_page(body.decode("utf-8"))
            page_ids[url] = page.ids
            links = page.links
        elif "css" in ctype:
            links = css_urls(body.decode("utf-8"))
        for link in links:
            if is_external(link):
                continue
            target, fragment = urldefrag(urljoin(url, link))
            if fragment:
                fragments.append((target, fragment))
            queue.append(target)
    for target, fragment in fragments:
        if target in page_ids:
            assert fragment in page_ids[target], f"#{fragment} is not an id on {target}"
    return seen


@pytest.mark.parametrize("prefix", ["/", "/kursk/"])
def test_served_at_root_and_under_a_sub_path(tmp_path: Path, prefix: str) -> None:
    project = built(tmp_path, "--base-url", "https://example.org" + prefix)
    with serve_folder(project.output, prefix) as start:
        if prefix != "/":  # the test host really publishes only under the prefix
            assert fetch(start.removesuffix(prefix) + "/index.html")[0] == 404
        seen = crawl(start)
    broken = {url: status for url, status in seen.items() if status != 200}
    assert not broken, broken
    assert all(url.startswith(start) for url in seen), [u for u in seen if not u.startswith(start)]
    assert any(u.endswith(".css") for u in seen) and any(u.endswith("feed.xml") for u in seen)
    assert any(u.endswith(".woff2") for u in seen)  # the stylesheet's url() followed its font's new name

    page = parse_page((project.output / "index.html").read_text(encoding="utf-8"))
    canonical = [a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "canonical"]
    assert canonical == ["https://example.org" + prefix]


def test_opened_from_disk(tmp_path: Path) -> None:
    """file://: every href and src resolves to a file, with no server to add index.html or a root."""
    output = built(tmp_path).output
    checked = 0
    for page_path in output.rglob("*.html"):
        page = parse_page(page_path.read_text(encoding="utf-8"))
        for link in page.links:
            if is_external(link) or link.startswith("#"):
                continue
            path = urlsplit(link).path
            assert not path.startswith("/"), f"{link}: root-relative links break under file:// and sub-paths"
            assert not path.endswith("/"), f"{link}: a folder link opens a listing, not index.html, from disk"
            assert (page_path.parent / path).is_file(), f"{link} in {page_path.name} is not a file"
            checked += 1
    for css in output.rglob("*.css"):
        for link in css_urls(css.read_text(encoding="utf-8")):
            if not is_external(link):
                assert (css.parent / urlsplit(link).path).is_file(), f"{link} in {css.name}"
                checked += 1
    assert checked >= 3  # stylesheet, feed, font at least


def test_asset_names_carry_a_content_hash(tmp_path: Path) -> None:
    project = built(tmp_path)
    assets = sorted(p.relative_to(project.output).as_posix() for p in (project.output / "assets").rglob("*")
                    if p.is_file())
    assert assets and all(HASHED.match(a) for a in assets), assets
    for rel in assets:
        digest = rel.rsplit(".", 2)[-2]
        assert hashlib.sha256((project.output / rel).read_bytes()).hexdigest().startswith(digest)
    html = (project.output / "index.html").read_text(encoding="utf-8")
    (css,) = [a for a in assets if a.startswith("assets/print.") and a.endswith(".css")]
    assert f'href="{css}"' in html

    # Changing the stylesheet changes its name, so a long-cached old copy is never used.
    project.edit("static/print.css", "--fg: #000;", "--fg: #111;")
    assert project.run("build").returncode == 0
    (new_css,) = [p.relative_to(project.output).as_posix() for p in (project.output / "assets").glob("print.*.css")]
    assert new_css != css and f'href="{new_css}"' in (project.output / "index.html").read_text(encoding="utf-8")


def test_a_missing_asset_is_a_template_error(project: Project) -> None:
    project.edit("templates/base.html", "asset('print.css')", "asset('prints.css')")
    result = project.run("build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"templates/base\.html:\d+:1: error: template error: asset\('prints\.css'\): there is no "
                     r"static/prints\.css", result.stderr), result.stderr


def test_pages_workflow_builds_tests_and_deploys() -> None:
    workflows = list((REPO / ".github" / "workflows").glob("*.yml"))
    assert workflows
    texts = {p.name: p.read_text(encoding="utf-8") for p in workflows}
    pages = next(t for t in texts.values() if "actions/deploy-pages" in t)
    flow = yaml.safe_load(pages)
    steps = [s for job in flow["jobs"].values() for s in job.get("steps", [])]
    uses = " ".join(s.get("uses", "") for s in steps)
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    assert ".ci/run" in runs or "./dev test" in runs  # tests before deploying
    assert re.search(r"build\.py build .*--base-url", runs)  # built for the Pages address


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"not pinned exactly: {line}"
        pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_pyproject_matches_requirements() -> None:
    """requirements*.txt (the quick start) and pyproject.toml (pip install .[test]) pin the same versions."""
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["requires-python"] == ">=3.11"
    runtime = _pins((REPO / "requirements.txt").read_text(encoding="utf-8").splitlines())
    dev = _pins((REPO / "requirements-dev.txt").read_text(encoding="utf-8").splitlines())
    assert _pins(meta["dependencies"]) == runtime
    assert _pins(meta["optional-dependencies"]["test"]) == dev


def test_every_runtime_dependency_is_pinned_on_every_python_from_3_11() -> None:
    """What each pinned runtime package requires is itself pinned, with a marker that holds wherever it is
    required: pyproject.toml claims exact pins, so pip must never pick a version of its own."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = [Requirement(line.split("#", 1)[0]) for line in (REPO / "requirements.txt").read_text("utf-8").splitlines()
            if line.split("#", 1)[0].strip()]
    missing = []
    for version in ("3.11", "3.12", "3.13", "3.14", "3.15"):
        where = {"python_version": version, "python_full_version": f"{version}.0"}
        wanted = [pin for pin in pins if pin.marker is None or pin.marker.evaluate(where)]
        pinned = {canonicalize_name(pin.name) for pin in wanted}
        for pin in wanted:
            for line in metadata.requires(pin.name) or []:
                needed = Requirement(line)
                if any(needed.marker is None or needed.marker.evaluate({**where, "extra": extra})
                       for extra in pin.extras or {""}) and canonicalize_name(needed.name) not in pinned:
                    missing.append(f"Python {version}: {pin.name} requires {needed}")
    assert not missing, "\n".join(missing)


def test_unhashed_or_root_relative_links_fail_the_build(project: Project) -> None:
    """A template naming `assets/print.css` or `/feed.xml` would break a host; the build says so."""
    project.edit("templates/base.html", "{{ asset('print.css') }}", "assets/print.css")
    project.edit("templates/base.html", 'href="feed.xml"', 'href="/feed.xml"')
    result = project.run("build")
    assert result.returncode == 1
    assert "templates:1:1: error: index.html links to 'assets/print.css': the build writes no such file" \
        in result.stderr
    assert "index.html links to '/feed.xml': a link from the domain root breaks" in result.stderr
    assert "{{ asset('NAME') }}" in result.stderr
    assert not project.output.exists()


def test_broken_links_resolves_like_a_browser() -> None:
    pages = {"index.html": b'<a href="sub/">s</a><a href="feed.xml#x">f</a><a href="https://e.org/">e</a>'
                           b'<a href="#top">t</a><a href="mailto:a@b.c">m</a><a href="?q=1">q</a>',
             "sub/index.html": b'<a href="../index.html">up</a><img src="../assets/a.png"><a href="./">me</a>',
             "feed.xml": b""}
    assert broken_links(pages) == [("sub/index.html", "../assets/a.png", "the build writes no such file")]


def test_link_check_reads_attributes_after_any_whitespace_and_non_ascii_links() -> None:
    pages = {"index.html": '<a href="a.html">a</a><a\nhref="b.html">b</a><img\tsrc="c.png"><img data-src="x"'
                           ' src="d.png"><a href="caf\u00e9.html">e</a><a href="&amp;.html">f</a><a href="ok.html">'
                           .encode(), "ok.html": b""}
    assert broken_links(pages) == [("index.html", link, "the build writes no such file")
                                   for link in ("a.html", "b.html", "c.png", "d.png", "caf\u00e9.html", "&.html")]
