#!/usr/bin/env python3
"""Time the build as whole processes and compare it with the interpreter's floor.

Each command runs several times; the medians (wall clock) and the largest peak RSS are printed with
the ratios the performance issue sets targets for:

- the shipped explainer's full build against ``python -c "import jinja2, markdown, yaml"``,
  interleaved run by run so both see the same machine load (target: at most 1.5x);
- builds of generated content at 1k, 10k and 50k facts (10k at most 3 s; 50k at most 5.5x the 10k
  time; peak memory at most 500 MB at 50k);
- ``build.py check`` at 10k facts (at most half of the 10k build).

    python bench/run.py                      # everything, 5 runs each
    python bench/run.py --quick              # 1k and 10k, 3 runs: about half a minute
    python bench/run.py --sizes 10000 --runs 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

REPO = Path(__file__).resolve().parent.parent
FLOOR = ["-c", "import jinja2, markdown, yaml"]


@dataclass
class Timing:
    """Every run of one command: wall seconds and peak resident memory in MB."""

    label: str
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system: less sensitive to other load
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mb)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def row(self) -> str:
        spread = f"{min(self.seconds):.3f}–{max(self.seconds):.3f}"
        return (f"{self.label:<38} {self.median:7.3f} s  (runs {spread})  cpu {self.cpu_median:7.3f} s  "
                f"peak {self.peak:6.1f} MB")


def run_once(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """One whole process: wall time around spawn-to-exit, its CPU time and its own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss: KB on Linux


def measure(timings: list[tuple[Timing, list[str]]], runs: int, cwd: Path) -> None:
    """Run the commands round-robin, so a burst of load elsewhere hits them all alike."""
    for _ in range(runs):
        for timing, cmd in timings:
            seconds, cpu, peak = run_once(cmd, cwd)
            timing.seconds.append(seconds)
            timing.cpu.append(cpu)
            timing.peak_mb.append(peak)


def weights(out: Path) -> str:
    """The page weights readers pay: each HTML file gzip-compressed (the budget is 60 KB)."""
    sizes = {p.name: len(gzip.compress(p.read_bytes())) for p in out.glob("*.html")}
    name = max(sizes, key=sizes.__getitem__)
    index = sizes.get("index.html", 0)
    return (f"{len(sizes)} HTML file(s); gzip: index.html {index / 1024:.1f} KB, largest {name} "
            f"{sizes[name] / 1024:.1f} KB (budget 60 KB: {verdict(sizes[name] <= 60 * 1024)})")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{mem_kb / 1024 / 1024:.1f} GB RAM"
    except OSError:
        mem = "unknown RAM"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average {load}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default: 5)")
    parser.add_argument("--sizes", default="1000,10000,50000",
                        help="comma-separated fact counts to generate and build (default: 1000,10000,50000)")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000 and 3 runs")
    parser.add_argument("--shipped", type=Path, default=REPO,
                        help="project to time against the floor (default: this repository)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to time (default: this one)")
    parser.add_argument("--work", type=Path, default=None, help="where to generate projects (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs
    sizes = [1000, 10000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    py, build = args.python, str(REPO / "build.py")

    # Installed packages (jinja2, markdown, yaml) come byte-compiled; give the explainer the same,
    # even where PYTHONDONTWRITEBYTECODE is set, or every run would compile it from source (~30 ms).
    subprocess.run([py, "-m", "compileall", "-q", str(REPO / "explainer")], check=True)
    print(machine())
    print(f"{runs} runs each; medians of wall-clock time, peak RSS of the largest run\n")
    with tempfile.TemporaryDirectory(prefix="explainer-bench-", dir=args.work) as tmp:
        work = Path(tmp)
        results: dict[str, Timing] = {}

        floor, shipped = Timing("floor: import jinja2, markdown, yaml"), Timing("shipped explainer: build")
        measure([(floor, [py, *FLOOR]),
                 (shipped, [py, build, "--project", str(args.shipped), "--output", str(work / "out-shipped")])],
                runs, work)
        results.update(floor=floor, shipped=shipped)
        for t in (floor, shipped):
            print(t.row())
        ratio = shipped.median / floor.median
        print(f"  ratio build/floor = {ratio:.2f}  (target ≤ 1.5: {verdict(ratio <= 1.5)}); "
              f"in CPU time {shipped.cpu_median / floor.cpu_median:.2f}\n")

        for n in sizes:
            project = generate(work / f"p{n}", n)
            b = Timing(f"{n} facts: build")
            pair = [(b, [py, build, "--project", str(project), "--output", str(work / f"out-{n}")])]
            c = Timing(f"{n} facts: check") if n == 10000 else None
            if c is not None:
                pair.append((c, [py, build, "check", "--project", str(project)]))
            measure(pair, runs, work)
            results[f"build-{n}"] = b
            print(b.row())
            if c is not None:
                results[f"check-{n}"] = c
                print(c.row())
                half = verdict(c.median <= b.median / 2)
                print(f"  check/build = {c.median / b.median:.2f}  (target ≤ 0.5: {half}); "
                      f"in CPU time {c.cpu_median / b.cpu_median:.2f}")
            if n == 10000:
                print(f"  10k build {b.median:.2f} s  (target ≤ 3 s: {verdict(b.median <= 3)})")
            if n == 50000:
                print(f"  peak memory {b.peak:.0f} MB  (target ≤ 500 MB: {verdict(b.peak <= 500)})")
                if "build-10000" in results:
                    r = b.median / results["build-10000"].median
                    print(f"  50k/10k = {r:.2f}  (target ≤ 5.5: {verdict(r <= 5.5)})")
            out = work / f"out-{n}"
            print(f"  output: {weights(out)}\n")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": machine(), "runs": runs,
                                         **{k: {"seconds": t.seconds, "peak_mb": t.peak_mb}
                                            for k, t in results.items()}}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
