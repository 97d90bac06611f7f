#!/usr/bin/env python3
"""Benchmark the editor's preview loop: from saving a file to the browser showing the result.

Copies the project (site.yaml, content/, seeds/, templates/, static/, locales/) into a temporary folder,
or generates one with bench/generate.py (--facts N), starts `build.py serve` on a free port, opens
the page in Debian's chromium (Playwright) and then, several times over:
- edits a summary (a new sentence at its end) and times file write → the sentence on the page;
- edits one fact's claim (a fact in the middle of content/facts.yaml), on the page that shows
  that fact (the front page, or its list page once facts are paginated), and times write → the
  new claim on the page: the one-fact edit the incremental rebuild must make fast;
- breaks the claim of a fact three quarters down the file (an unclosed ``[``) and times write →
  the error page; repairs it and times write → the site back. (Until 1 Dec 2026 it broke the
  first fact's claim, where a parse of the whole file stops at once; a mistake further down is
  the usual one.)
Times are taken in this process around the write and a per-frame (requestAnimationFrame) check
in the page, so they include detection, rebuild, the reload message, the page load and paint.
The preview updates the open page in place where it can (explainer/serve_client.js); then the
split is save → reload message, message → page fetched, fetched → page updated and painted;
after a full reload it is save → navigation starts, → page received, → first contentful paint.
Last, the preview's resident memory after the edits, once Pagefind's background run is over, and
its peak (Linux: /proc/PID/status), the real `serve` process's, where bench/rebuild.py --memory
measures its builds in one process.

    .venv/bin/python bench/reload.py [--project DIR | --facts N] [--edits 9] [--fact-edits 9]
                                     [--errors 3] [--json FILE]

The real project is never edited. Nothing is asserted: it prints the figures (recorded in bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import project_to_time

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic", "--disable-gpu"]
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]
TIMEOUT_MS = 120_000  # a full rebuild of a generated story on a loaded machine can take many seconds
CONNECTED = "() => !!(window.explainerPreview && window.explainerPreview.connected)"
HAS_TEXT = "text => document.body && document.body.innerText.includes(text)"
# Epoch times (ms): the last in-place update's (reload message, page fetched, painted), or else the
# new page's navigation start, response end and first contentful paint.
PAGE_TIMES = """() => {
  const update = window.explainerPreview && window.explainerPreview.timings;
  if (update) return {start: update.message, response: update.received, paint: update.painted, inPlace: true};
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const t0 = performance.timeOrigin;
  return {start: t0, response: t0 + nav.responseEnd, paint: fcp ? t0 + fcp.startTime : null, inPlace: false};
}"""
PAINTED = "() => { const p = window.explainerPreview; return !(p && p.timings) || !!p.timings.painted; }"


class Sample:
    """One save: total time as Playwright saw it, and where the time went (browser clock)."""

    def __init__(self, total: float, wrote_at: float, page: dict):
        self.total = total
        self.in_place = bool(page["inPlace"])
        self.to_navigation = page["start"] / 1000 - wrote_at  # detect + build + reload message
        self.to_response = (page["response"] - page["start"]) / 1000  # request → page received
        self.to_paint = ((page["paint"] or page["response"]) - page["response"]) / 1000  # → updated, painted


class Server:
    """`build.py serve --port 0` in its own session; collects its output lines."""

    def __init__(self, project: Path):
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(REPO / "build.py"), "serve", "--project", str(project), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.url = ""
        ready = threading.Event()

        def read() -> None:
            for line in self.proc.stdout:  # type: ignore[union-attr]
                self.lines.append(line.rstrip("\n"))
                found = re.search(r"serving (http://\S+)", line)
                if found:
                    self.url = found.group(1)
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(300) or not self.url:
            self.stop()
            sys.exit("the preview server did not start:\n" + "\n".join(self.lines))

    def build_seconds(self) -> list[float]:
        return [float(m.group(1)) for line in self.lines if (m := re.search(r"built .* in ([0-9.]+) s", line))]

    def memory_mb(self) -> tuple[float, float] | None:
        """The preview's resident memory and its peak so far, in MB (Linux's /proc; else None), once
        its search index is made: Pagefind, in processes of its own (not counted), runs in the
        background after a save, while the preview writes its records and reads its index, so
        memory taken during that run depends on when the last save landed (up to 60 s waited)."""
        deadline = time.monotonic() + 60
        while self.children() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # the index read back in once Pagefind exits
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return None
        kb = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        return int(kb["VmRSS"]) / 1024, int(kb["VmHWM"]) / 1024

    def children(self) -> bool:
        """Whether the preview has a child process running (Pagefind; Linux's /proc)."""
        try:
            return any(Path(f"/proc/{self.proc.pid}/task/{task.name}/children").read_text().strip()
                       for task in Path(f"/proc/{self.proc.pid}/task").iterdir())
        except OSError:
            return False

    def stop(self) -> None:
        """Ctrl-C, as an editor stops it; a preview still running 30 s later is killed, never left behind."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                print("note: the preview did not stop within 30 s of Ctrl-C; it was killed", file=sys.stderr)


def claim_line(facts_text: str, at: float = 0.5) -> tuple[str, int, int]:
    """The id of a fact ``at`` this share of facts.yaml (the middle) and the span of its one-line ``claim:`` value."""
    ids = [m for m in re.finditer(r"^- id: (\S+)$", facts_text, re.M)]
    if not ids:
        sys.exit("content/facts.yaml has no '- id:' lines to find a fact by")
    fact = ids[int(len(ids) * at)]
    claim = re.compile(r"^  claim: .*$", re.M).search(facts_text, fact.end())
    if claim is None:
        sys.exit(f"no one-line claim after fact {fact.group(1)}")
    return fact.group(1), claim.start(), claim.end()


def page_showing(output: Path, fact_id: str) -> str:
    """The output page (a name beside index.html) whose fact list holds ``fact_id``."""
    needle = f'<li id="{fact_id}" class="fact"'
    pages = sorted(output.glob("*.html"), key=lambda path: path.name != "index.html")  # the front page first
    for path in pages:
        if path.name.startswith("explainer-"):  # the offline edition shows every fact but is no preview page
            continue
        if needle in path.read_text(encoding="utf-8"):
            return path.name
    sys.exit(f"no page in {output} shows fact {fact_id}")


def timed_change(page: Page, path: Path, text: str, wait_for: str) -> Sample:
    """Write ``text`` to ``path``; time until ``wait_for`` is on the page."""
    wrote_at, started = time.time(), time.perf_counter()
    path.write_text(text, encoding="utf-8")
    page.wait_for_function(HAS_TEXT, arg=wait_for, polling="raf", timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - started
    page.wait_for_function(CONNECTED, timeout=TIMEOUT_MS)  # a reloaded page listens again
    page.wait_for_function(PAINTED, timeout=TIMEOUT_MS)
    return Sample(elapsed, wrote_at, page.evaluate(PAGE_TIMES))


def report(name: str, samples: list[float]) -> dict[str, float | list[float]]:
    ms = [round(s * 1000, 1) for s in samples]
    print(f"{name:<34} median {statistics.median(ms):6.0f} ms   min {min(ms):5.0f}   max {max(ms):5.0f}   "
          f"(n={len(ms)}: {', '.join(f'{m:.0f}' for m in ms)})")
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "samples_ms": ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, default=REPO, help="project to copy (default: this repository)")
    parser.add_argument("--facts", type=int, default=0,
                        help="instead of copying a project, generate one with N facts (bench/generate.py)")
    parser.add_argument("--edits", type=int, default=9, help="summary edits to time (default: 9)")
    parser.add_argument("--fact-edits", type=int, default=9, help="one-fact edits to time (default: 9)")
    parser.add_argument("--errors", type=int, default=3, help="break/repair rounds to time (default: 3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--server-log", type=Path, help="also write the preview server's output to this file")
    parser.add_argument("--no-search", action="store_true",
                        help="set `search: false` in the copy's site.yaml (a split story is indexed by Pagefind)")
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

    with tempfile.TemporaryDirectory(prefix="reload-bench-") as tmp:
        project = project_to_time(Path(tmp) / "site", args.project.resolve(), args.facts, search=not args.no_search)
        summaries = sorted((project / "content" / "summaries").glob("*.md"))
        if not summaries:
            sys.exit("the project has no content/summaries/*.md to edit")
        summary, facts = summaries[-1], project / "content" / "facts.yaml"
        summary_text, facts_text = summary.read_text(encoding="utf-8"), facts.read_text(encoding="utf-8")
        if "claim:" not in facts_text:
            sys.exit("content/facts.yaml has no 'claim:' to break")
        fact_id, claim_start, claim_end = claim_line(facts_text)

        server = Server(project)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(server.url)
                page.wait_for_function(CONNECTED, timeout=TIMEOUT_MS)
                if "Build failed" in page.inner_text("body"):
                    sys.exit("the project does not build; fix it first:\n" + "\n".join(server.lines[-20:]))
                edits, fact_edits, broken, repaired = [], [], [], []
                marker = ""
                cite = re.search(r"\[\[[^\[\]\n]*\]\]", summary_text)  # every paragraph of a summary cites a fact
                cited = cite.group(0) if cite else ""
                for n in range(max(args.edits, 1)):
                    marker = f"Benchmark sentence {WORDS[n % len(WORDS)]} was saved."
                    edits.append(timed_change(page, summary, f"{summary_text.rstrip()}\n\n{marker}{cited}\n", marker))
                summary_text = f"{summary_text.rstrip()}\n\n{marker}{cited}\n"  # what is on disk now
                if args.fact_edits:
                    page.goto(server.url + page_showing(project / "output", fact_id))
                    page.wait_for_function(CONNECTED, timeout=TIMEOUT_MS)
                    for n in range(args.fact_edits):  # words, not digits: a claim's numbers must be in its quotes
                        claim = f"Benchmark claim {WORDS[n % len(WORDS)]} was saved."
                        facts_text = (facts_text[:claim_start] + f"  claim: {json.dumps(claim)}"
                                      + facts_text[claim_end:])
                        claim_end = claim_start + len(f"  claim: {json.dumps(claim)}")
                        fact_edits.append(timed_change(page, facts, facts_text, claim))
                    marker = claim  # the page now open shows the fact, not the summary
                # A fact three quarters down (the error page's excerpt must not show the marker waited for).
                broken_start = claim_line(facts_text, 0.75)[1]
                broken_text = facts_text[:broken_start] + facts_text[broken_start:].replace("claim:", "claim: [", 1)
                for _ in range(args.errors):
                    broken.append(timed_change(page, facts, broken_text, "Build failed"))
                    repaired.append(timed_change(page, facts, facts_text, marker))  # the last sentence is back
                browser.close()
            memory = server.memory_mb()
        finally:
            server.stop()

    story = f"generated, {args.facts} facts" if args.facts else str(args.project)
    print(f"project: {story}  ({len(summaries)} summaries; fact edited: {fact_id}; chromium {chromium})")
    figures = {"edit_to_page": report("save summary -> new text on page", [s.total for s in edits]),
               "edit_to_navigation": report("  of which: save -> reload message", [s.to_navigation for s in edits]),
               "edit_response": report("            message -> page received", [s.to_response for s in edits]),
               "edit_paint": report("            received -> updated, painted", [s.to_paint for s in edits])}
    figures["edits_in_place"] = sum(s.in_place for s in edits + fact_edits)
    print(f"pages updated in place: {figures['edits_in_place']} of {len(edits) + len(fact_edits)} edits")
    if fact_edits:
        figures["fact_edit_to_page"] = report("save one fact -> new claim on page", [s.total for s in fact_edits])
        figures["fact_edit_to_navigation"] = report("  of which: save -> reload message",
                                                    [s.to_navigation for s in fact_edits])
    if broken:
        figures["break_to_error_page"] = report("break facts.yaml -> error page", [s.total for s in broken])
        figures["repair_to_page"] = report("repair facts.yaml -> site back", [s.total for s in repaired])
    if args.server_log:
        args.server_log.write_text("\n".join(server.lines) + "\n", encoding="utf-8")
    if memory is not None:
        figures["server_memory_mb"] = {"resident": round(memory[0]), "peak": round(memory[1])}
        print(f"the preview's memory after the edits: resident {memory[0]:.0f} MB, peak {memory[1]:.0f} MB")
    builds = server.build_seconds()
    if builds:
        figures["server_build"] = report("server-side build (each)", builds)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
