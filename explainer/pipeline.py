"""The whole build in one function: load → validate → verify → render → write.

Nothing is written until everything has been read, checked and rendered.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .assets import broken_links, hash_assets
from .errors import BuildError, ContentError, Problems
from .feed import feed_xml, recent_changes
from .load import load_project
from .model import Project
from .render import STYLESHEET, Renderer, RenderOptions
from .validate import build_project
from .verify import verify_project
from .write import check_output_dir, write_site

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    project: Project
    pages: dict[str, bytes]
    warnings: list[ContentError] = field(default_factory=list)
    seconds: float = 0.0


def check(root: Path, strict: bool = False) -> tuple[Project, Problems]:
    """Load, validate and verify; raise BuildError listing every problem found."""
    problems = Problems(root)
    loaded = load_project(root, problems)
    project = build_project(root, loaded, problems)
    verify_project(project, problems)
    problems.raise_if_errors(strict)
    return project, problems


def render(project: Project, root: Path, base_url: str | None, problems: Problems) -> dict[str, bytes]:
    """Render pages and copy static assets into an in-memory map of output path → bytes."""
    options = RenderOptions(base_url=(base_url or project.site.base_url).rstrip("/") + "/")
    assets = hash_assets(root / "static", inlined=(STYLESHEET,))
    renderer = Renderer(project, root / "templates", options, root / "static", assets)
    renderer.env.globals["recent"] = recent_changes(project)  # the "Recently updated" list (_recent.html)
    pages = renderer.render(problems)
    problems.raise_if_errors()
    pages.update(assets.files)
    pages["feed.xml"] = feed_xml(project, options.base_url)
    for page, link, why in broken_links(pages):  # e.g. a template naming an asset without asset()
        problems.error(root / "templates", 1, 1, f"{page} links to '{link}': {why}",
                       "link pages relatively; for files from static/ write {{ asset('NAME') }}")
    problems.raise_if_errors()
    return pages



def build(root: Path, output: Path, base_url: str | None = None, strict: bool = False) -> BuildResult:
    """Build the site into ``output``; on any error the previous output is left untouched."""
    started = time.perf_counter()
    check_output_dir(output, root)
    project, problems = check(root, strict)
    pages = render(project, root, base_url, problems)
    write_site(pages, output)
    return BuildResult(project, pages, problems.warnings, time.perf_counter() - started)


__all__ = ["BuildError", "BuildResult", "build", "check", "render"]
