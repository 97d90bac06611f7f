#!/usr/bin/env python3
"""The preview's rebuild after a one-fact edit, in one process: CPU time per stage, cold against incremental.

    .venv/bin/python bench/rebuild.py [--facts N | --project DIR] [--edits 5] [--edit fact|summary]
                                      [--no-search] [--profile FILE] [--memory]

Copies the project (or generates one with bench/generate.py) into a temporary folder, then
alternates: a cold build (``pipeline.build``) and an incremental rebuild (``IncrementalBuilder``,
as ``build.py serve`` runs it), each after editing one fact's claim in the middle of
``content/facts.yaml`` (or, with ``--edit summary``, after adding a sentence to a summary). Prints
the median CPU time of this process per stage (CPU time moves much less than wall time on a shared
machine), the CPU time of child processes (Pagefind, which indexes a split story for search) and
the wall time. Checks that both builds gave the same pages. Nothing is asserted.

``--memory`` measures the preview's memory instead: only the preview's builds run (as `build.py
serve` makes them: search in the background, so a save does not wait for Pagefind, whose process
is not counted; blocks of 16 MB or more mapped on their own, held.map_large_blocks), no cold build
beside them, which would set the process's peak itself. It prints
the peak resident memory of this process (``ru_maxrss``) after the first build and after the
edits, the resident memory it holds between saves (VmRSS in /proc/self/status, after the last
edit, once freed memory is handed back as `serve` does: held.give_back_freed), the peak of each
save alone (VmHWM, reset just before the save's build, once the edit's own texts are handed back:
the edit is this script's, an editor's in `serve`), and the median CPU time per save. E.g. ``--facts 50000 --memory``.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import gc
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from generate import project_to_time  # noqa: E402

from explainer import exports, held, pipeline, reach, render  # noqa: E402
from explainer.incremental import IncrementalBuilder, RenderMemo  # noqa: E402

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]  # a claim's
# numbers must be in its quotes (numbers.py): an edit adds words, never digits
STAGES = [  # (module or class, function, label): nested stages are shown indented
    (pipeline, "load_project", "load"), (pipeline, "build_project", "validate"),
    (pipeline, "verify_project", "verify"), (pipeline, "render", "render"),
    (reach, "render", "  embeds, offline file, search (Pagefind waited for)"),
    (RenderMemo, "page_keys", "  page fingerprints"),
    (render, "render_pages", "  pages"), (exports, "data_files", "    exports (JSON, CSV)"),
    (pipeline, "write_site", "write"),
]


def timed(spent: collections.Counter) -> None:
    """Wrap each stage's function to add its CPU time to ``spent``."""
    for owner, name, label in STAGES:
        function = getattr(owner, name)

        def wrapper(*args, _function=function, _label=label, **kwargs):
            started = time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started

        setattr(owner, name, wrapper)


def children() -> float:
    times = os.times()
    return times.children_user + times.children_system


def tree(folder: Path) -> dict[str, bytes]:
    """Every file written into ``folder``, by its path inside it."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (or, with ``VmHWM``, its peak since the last reset_peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> bool:
    """Start the peak (VmHWM) afresh from the memory resident now (Linux 4.0 and later); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def edit(n: int, kind: str, facts: Path, middle: str, summary: Path) -> None:
    """The n-th edit: a fact's claim gains words, or a summary a sentence."""
    if kind == "fact":
        text = facts.read_text(encoding="utf-8")
        edited = rf"\g<1>Edited {WORDS[n % len(WORDS)]}: "
        facts.write_text(re.sub(rf"(- id: {re.escape(middle)}\n  claim: \")", edited, text), encoding="utf-8")
    else:
        cite = re.search(r"\[\[[^\[\]\n]*\]\]", summary.read_text(encoding="utf-8"))
        with summary.open("a", encoding="utf-8") as out:
            out.write(f"\n\nSentence {WORDS[n % len(WORDS)]} of the benchmark."
                      f"{cite.group(0) if cite else ''}\n")


def memory(args: argparse.Namespace) -> int:
    """The preview's first build and edits alone, in this process: its memory and CPU per save."""
    with tempfile.TemporaryDirectory(prefix="rebuild-bench-") as tmp:
        root = project_to_time(Path(tmp) / "site", args.project, args.facts, search=not args.no_search)
        facts = root / "content" / "facts.yaml"
        ids = re.findall(r"^- id: (\S+)", facts.read_text(encoding="utf-8"), re.M)
        summary = sorted((root / "content" / "summaries").glob("*.md"))[-1]
        builder = IncrementalBuilder(background_search=True)  # as `serve` builds
        held.map_large_blocks()  # as `serve` does
        profile = cProfile.Profile() if args.profile else None
        try:
            started = time.process_time()
            builder.build(root, Path(tmp) / "out")
            first, first_peak = time.process_time() - started, peak_mb()
            held.give_back_freed()  # as serve does after each build, while the browsers reload
            saves, save_peaks = [], []
            for n in range(args.edits):
                edit(n, args.edit, facts, ids[len(ids) // 2], summary)
                gc.collect()
                held.give_back_freed()  # the edit's own texts (an editor's, not the preview's), gone
                peak_from_here = reset_peak()
                started = time.process_time()
                if profile is not None:
                    profile.enable()
                builder.build(root, Path(tmp) / "out")
                if profile is not None:
                    profile.disable()
                saves.append(time.process_time() - started)
                if peak_from_here:
                    save_peaks.append(resident_mb("VmHWM"))
                held.give_back_freed()
            resident = resident_mb()
        finally:
            builder.close()
        if profile is not None:
            profile.dump_stats(args.profile)
    story = f"generated, {args.facts} facts" if args.facts else str(args.project)
    print(f"project: {story}; the preview's builds alone, {args.edits} {args.edit} edits")
    print(f"first build: {first:.2f} s CPU; peak resident memory {first_peak:.0f} MB")
    print(f"per save: median {statistics.median(saves or [0]) * 1000:.0f} ms CPU (process_time)")
    print(f"after the edits: peak resident memory {max([first_peak, peak_mb(), *save_peaks]):.0f} MB, "
          f"held {resident:.0f} MB")
    if save_peaks:
        print(f"peak during a save (from its start, the edit's own memory handed back first): "
              f"max {max(save_peaks):.0f} MB ({', '.join(f'{mb:.0f}' for mb in save_peaks)})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=REPO, help="project to copy (default: this repository)")
    parser.add_argument("--facts", type=int, default=0, help="generate a project of N facts instead")
    parser.add_argument("--edits", type=int, default=5, help="edits to time (default: 5)")
    parser.add_argument("--edit", choices=("fact", "summary"), default="fact", help="what each edit changes")
    parser.add_argument("--no-search", action="store_true",
                        help="set `search: false` in the copy's site.yaml (no Pagefind: the preview's own work alone)")
    parser.add_argument("--profile", type=Path,
                        help="write a cProfile of the incremental rebuilds (with --memory: of the saves) to this file")
    parser.add_argument("--memory", action="store_true",
                        help="the preview's builds alone: peak and held memory of this process, CPU per save")
    args = parser.parse_args()
    if args.memory:
        return memory(args)
    spent: collections.Counter = collections.Counter()
    timed(spent)
    with tempfile.TemporaryDirectory(prefix="rebuild-bench-") as tmp:
        root = project_to_time(Path(tmp) / "site", args.project, args.facts, search=not args.no_search)
        facts = root / "content" / "facts.yaml"
        ids = re.findall(r"^- id: (\S+)", facts.read_text(encoding="utf-8"), re.M)
        middle = ids[len(ids) // 2]
        summary = sorted((root / "content" / "summaries").glob("*.md"))[-1]
        builder = IncrementalBuilder()
        profile = cProfile.Profile() if args.profile else None
        builder.build(root, Path(tmp) / "incremental")  # the preview's first build
        figures: dict[str, dict[str, list[float]]] = {"cold": collections.defaultdict(list),
                                                      "incremental": collections.defaultdict(list)}
        for n in range(args.edits):
            edit(n, args.edit, facts, middle, summary)
            pages = {}
            for kind, build in (("incremental", builder.build), ("cold", pipeline.build)):
                spent.clear()
                cpu, kids, wall = time.process_time(), children(), time.perf_counter()
                if profile is not None and kind == "incremental":
                    profile.enable()
                pages[kind] = build(root, Path(tmp) / kind).pages
                if profile is not None and kind == "incremental":
                    profile.disable()
                figures[kind]["whole build (this process)"].append(time.process_time() - cpu)
                figures[kind]["child processes (Pagefind)"].append(children() - kids)
                figures[kind]["wall"].append(time.perf_counter() - wall)
                for label, seconds in spent.items():
                    figures[kind][label].append(seconds)
            if pages["cold"] != pages["incremental"]:
                print(f"edit {n}: the incremental build differs from the cold build", file=sys.stderr)
                return 1
            if tree(Path(tmp) / "cold") != tree(Path(tmp) / "incremental"):
                print(f"edit {n}: the incremental build wrote other files than the cold build", file=sys.stderr)
                return 1
        if profile is not None:
            profile.dump_stats(args.profile)
    story = f"generated, {args.facts} facts" if args.facts else str(args.project)
    print(f"project: {story}; {args.edits} {args.edit} edits; median CPU ms (process_time) per stage")
    print(f"{'stage':<48} {'cold':>8} {'incremental':>12}")
    for label in [label for _, _, label in STAGES] + ["whole build (this process)", "child processes (Pagefind)",
                                                       "wall"]:
        cold, incremental = figures["cold"].get(label), figures["incremental"].get(label)
        if cold or incremental:
            print(f"{label:<48} {statistics.median(cold or [0]) * 1000:8.0f} "
                  f"{statistics.median(incremental or [0]) * 1000:12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
