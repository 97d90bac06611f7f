#!/usr/bin/env python3
"""Where one build's time goes, stage by stage, in this process (no process start-up, no imports).

Runs the stages of ``explainer.pipeline.build`` one by one with a timer around each (the render
stage split into its parts: Markdown, the context, each kind of page, exports, feed, link check),
several times, and prints the median CPU time of each. It follows ``pipeline.render`` and
``Renderer.render`` as they are written today: if those change, the last line (a whole
``pipeline.build`` timed the same way) shows whether the parts still add up.

    python bench/stages.py --facts 10000 [--runs 3] [--profile FILE.prof]
    python bench/stages.py --project DIR

With ``--profile`` one more build runs under cProfile and the stats are saved (read them with
``python -m pstats FILE.prof`` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
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

from explainer import exports, pipeline  # noqa: E402
from explainer.assets import broken_links, hash_assets  # noqa: E402
from explainer.errors import Problems  # noqa: E402
from explainer.feed import feed_xml, recent_changes  # noqa: E402
from explainer.load import load_project  # noqa: E402
from explainer.render import PAGES, STYLESHEET, Renderer, RenderOptions  # noqa: E402
from explainer.validate import build_project  # noqa: E402
from explainer.verify import verify_project  # noqa: E402
from explainer.write import write_site  # noqa: E402


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
    """The pipeline's stages with a timer each; returns seconds per stage."""
    clock = Clock()
    started = time.process_time()
    with pipeline.gc_paused():
        problems = Problems(root)
        with clock("load: YAML with positions"):
            loaded = load_project(root, problems)
        with clock("validate"):
            project = build_project(root, loaded, problems)
        with clock("verify: archives, quotes"):
            verify_project(project, problems)
        problems.raise_if_errors()
        with clock("render: assets, environment, page layout"):
            options = RenderOptions(base_url=project.site.base_url.rstrip("/") + "/")
            assets = hash_assets(root / "static", inlined=(STYLESHEET,))
            renderer = Renderer(project, root / "templates", options, root / "static", assets)
        with clock("render: recent changes"):
            renderer.env.globals["recent"] = recent_changes(project)
        markdown = renderer.markdown

        def timed_markdown(text: str, inline: bool = False):
            with clock("render: Markdown (summaries, events, comparisons, glossary)"):
                return markdown(text, inline)

        renderer.markdown = timed_markdown  # type: ignore[method-assign]
        with clock("render: context (charts, JSON-LD, CSS) + Markdown"):
            context = renderer.context()
        pages: dict[str, bytes] = {}
        for name, template, extra in (*((n, t, {}) for n, t in PAGES), *renderer.list_pages(context)):
            kind = name if not extra else f"{extra['section'].kind} list pages"
            with clock(f"render: templates, {kind}"):
                pages[name] = renderer.env.get_template(template).render(context, **extra).encode("utf-8")
        with clock("render: exports (JSON, CSV, sitemap, robots)"):
            pages.update(exports.data_files(project, options.base_url, renderer.layout))
            pages["sitemap.xml"] = exports.sitemap(options.base_url, project.site.updated,
                                                   [page.name for _, page in renderer.layout.pages])
            pages["robots.txt"] = exports.robots(options.base_url)
        pages.update(assets.files)
        with clock("render: feed"):
            pages["feed.xml"] = feed_xml(project, options.base_url, renderer.layout)
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
        whole = []
        for _ in range(args.runs):
            started = time.process_time()
            pipeline.build(root, output)
            whole.append(time.process_time() - started)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(pipeline.build, root, output)
            profiler.dump_stats(args.profile)
    print(f"{args.project or f'{args.facts} generated facts'}: median CPU time of {args.runs} in-process builds")
    for stage in runs[0]:
        seconds = statistics.median(r.get(stage, 0.0) for r in runs)
        print(f"  {stage:<62} {seconds * 1000:8.0f} ms")
    print(f"  {'pipeline.build, whole (the same work, untimed inside)':<62} {statistics.median(whole) * 1000:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
