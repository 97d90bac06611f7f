#!/usr/bin/env python3
"""Where one build's time goes, stage by stage, in this process (no process start-up, no imports).

Runs the stages of ``explainer.pipeline.build`` one by one with a timer around each (the render
stage split into its parts: Markdown, the context, each kind of page, exports, feed, link check),
several times, and prints the median CPU time of each. It follows ``pipeline.render`` and
``Renderer.render`` as they are written today: if those change, the last line (a whole
``pipeline.build`` timed the same way) shows whether the parts still add up. The exports are timed
here in this process; a build of 1,000 facts or more on two cores makes them in a forked child
(``parallel.aside``), so the whole build's line is lower than the sum by about that stage.

    python bench/stages.py --facts 10000 [--runs 3] [--profile FILE.prof]
    python bench/stages.py --project DIR

With ``--profile`` one more build runs under cProfile and the stats are saved (read them with
``python -m pstats FILE.prof`` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))
from generate import generate  # noqa: E402

from explainer import editions, exports, metadata, pipeline, reach  # noqa: E402
from explainer.assets import broken_links, hash_assets  # noqa: E402
from explainer.errors import Problems  # noqa: E402
from explainer.feed import RECENT_ITEMS, changes, feed_xml  # noqa: E402
from explainer.load import load_project  # noqa: E402
from explainer.paginate import layout as page_layout  # noqa: E402
from explainer.render import FRONT_PAGE, PAGES, STYLESHEET, Renderer, RenderOptions  # noqa: E402
from explainer.theme import lookup  # noqa: E402
from explainer.translations import check_translations  # noqa: E402
from explainer.validate import build_project  # noqa: E402
from explainer.verify import verify_project  # noqa: E402
from explainer.write import write_site  # noqa: E402

SEARCH_WAIT = "reach: waiting for Pagefind (wall time, after rendering)"
SEARCH_CPU = "reach: Pagefind's own process (CPU, on another core)"


class Clock:
    """CPU seconds of this process per named stage, summed within one build.

    CPU time, not wall time: on a machine shared with other jobs, wall time mostly measures the
    others; this process's CPU time barely moves with the load (the build is single-threaded).
    """

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.process_time()
        try:
            yield
        finally:
            self.spent[name] += time.process_time() - started


def one_build(root: Path, output: Path) -> dict[str, float]:
    """The pipeline's stages with a timer each; returns seconds per stage.

    Pagefind runs in a process of its own, started before the quote checks and collected before the
    front page, as the build does: its CPU time (from the children's rusage) and the wall time this process
    waited for it are reported apart from the sum, which is this process's CPU time only.
    """
    clock = Clock()
    started = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = 0.0
    with pipeline.gc_paused():
        problems = Problems(root)
        with clock("load: YAML with positions"):
            loaded = load_project(root, problems)
        with clock("validate"):
            project = build_project(root, loaded, problems)
            check_translations(project, loaded, problems)
        with clock("reach: search records written, Pagefind started"):
            indexing = reach.start_search(project, page_layout(project), problems)
        with clock("verify: archives, quotes"):
            verify_project(project, problems)
        problems.raise_if_errors()
        with clock("render: assets, environment, page layout"):
            options = RenderOptions(base_url=project.site.base_url.rstrip("/") + "/")
            theme = lookup(root)
            assets = hash_assets(theme.static, inlined=(STYLESHEET,))
            site = project.site
            words = editions.words_for(site.language, site, theme.locales, problems)
            renderer = Renderer(project, theme.templates, options, theme.static, assets, words=words)
            editions.setup(renderer, site, options.base_url, site.language)  # as pipeline.render does
        with clock("render: recent changes"):
            renderer.env.globals["recent"] = changes(project)[:RECENT_ITEMS]
        markdown = renderer.markdown

        def timed_markdown(text: str, inline: bool = False):
            with clock("render: Markdown (summaries, events, comparisons, glossary)"):
                return markdown(text, inline)

        renderer.markdown = timed_markdown  # type: ignore[method-assign]
        with clock("render: context (charts, JSON-LD, CSS) + Markdown"):
            context = renderer.context()
        pages: dict[str, bytes] = {}
        with clock("reach: embeds, offline edition"):
            pages.update(reach.render(renderer, context, problems))
        jobs = [*((n, t, {}) for n, t in PAGES), *renderer.list_pages(context)]
        for name, template, extra in jobs:
            if name == FRONT_PAGE:
                continue
            kind = name if not extra else f"{extra['section'].kind} list pages"
            with clock(f"render: templates, {kind}"):
                pages[name] = renderer.render_page(context, template, extra)
        with clock("render: exports (JSON, CSV, sitemap, robots)"):
            pages.update(exports.data_files(project, options.base_url, renderer.layout))
            pages["sitemap.xml"] = metadata.sitemap(options.base_url, project.site.updated,
                                                   [page.name for _, page in renderer.layout.pages])
            pages["robots.txt"] = metadata.robots(options.base_url)
        wall = time.perf_counter()
        with clock("reach: Pagefind's index read, search page"):
            pages.update(reach.search_pages(renderer, context, problems, indexing))
        waited = time.perf_counter() - wall
        with clock(f"render: templates, {FRONT_PAGE}"):
            pages[FRONT_PAGE] = renderer.render_page(context, "index.html", {})
        pages.update(assets.files)
        with clock("render: feed"):
            pages["feed.xml"] = feed_xml(project, options.base_url, renderer.layout)
        others = [code for code in site.languages if code != site.language]
        with clock("render: other editions (in this process)"):  # a build forks them aside (pipeline.render)
            for code in others:
                pages.update(editions.render_other(project, code, theme, options, assets, problems, 1))
        with clock("render: link check"):
            broken = broken_links(pages)
        assert not broken, broken[:3]
        with clock("write"):
            write_site(pages, output)
    clock.spent["total (sum of the stages above)"] = time.process_time() - started
    md = clock.spent["render: Markdown (summaries, events, comparisons, glossary)"]
    clock.spent["render: context (charts, JSON-LD, CSS) + Markdown"] -= md
    clock.spent["render: context (charts, JSON-LD, CSS)"] = clock.spent.pop(
        "render: context (charts, JSON-LD, CSS) + Markdown")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock.spent[SEARCH_CPU] = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    clock.spent[SEARCH_WAIT] = waited
    return dict(clock.spent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facts", type=int, default=10000, help="generate a project of N facts (default: 10000)")
    parser.add_argument("--project", type=Path, help="time this project instead of a generated one")
    parser.add_argument("--runs", type=int, default=3, help="builds to take the median of (default: 3)")
    parser.add_argument("--profile", type=Path, help="also profile one build with cProfile into this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stages-bench-") as tmp:
        root = args.project.resolve() if args.project else generate(Path(tmp) / "p", args.facts)
        output = Path(tmp) / "out"
        runs = [one_build(root, output) for _ in range(args.runs)]
        whole, whole_wall = [], []
        for _ in range(args.runs):
            started, wall = time.process_time(), time.perf_counter()
            pipeline.build(root, output)
            whole.append(time.process_time() - started)
            whole_wall.append(time.perf_counter() - wall)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(pipeline.build, root, output)
            profiler.dump_stats(args.profile)
    print(f"{args.project or f'{args.facts} generated facts'}: median CPU time of {args.runs} in-process builds")
    total = "total (sum of the stages above)"
    apart = (SEARCH_CPU, SEARCH_WAIT)
    for stage in [*(s for s in runs[0] if s != total and s not in apart), total, *apart]:
        seconds = statistics.median(r.get(stage, 0.0) for r in runs)
        print(f"  {stage:<62} {seconds * 1000:8.0f} ms")
        if stage == total:
            print("  not in the sum:")
    print(f"  {'pipeline.build, whole (the same work, untimed inside)':<62} {statistics.median(whole) * 1000:8.0f} ms"
          f"  (wall {statistics.median(whole_wall) * 1000:.0f} ms, Pagefind overlapping)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
