#!/usr/bin/env python3
"""Lighthouse scores for the shipped explainer: build it, serve it on 127.0.0.1, run npm lighthouse.

    python bench/lighthouse.py [--preset mobile|desktop] [--runs N]

Needs `npm ci --prefix bench` (lighthouse is pinned in bench/package.json, apart from the test
tools) and chromium (CHROME_PATH, default
/usr/bin/chromium). Runs offline. Prints the four category scores (the median of N runs) and
writes the last full report to bench/results/lighthouse-PRESET.json (git-ignored). The site is
served gzip-compressed with long caching for assets/, as a static host would serve it.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serves the site as a typical static host would: gzip for text, long caching for assets/."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=31536000" if "/assets/" in self.path else "no-cache")
        self.end_headers()
        self.wfile.write(body)


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHost, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def lighthouse(url: str, preset: str, report: Path) -> dict[str, float]:
    """One Lighthouse run; the category scores out of 100."""
    cmd = ["npx", "--no-install", "lighthouse", url, f"--chrome-flags={CHROME_FLAGS}", "--output=json",
           f"--output-path={report}", "--quiet", f"--only-categories={','.join(CATEGORIES)}"]
    if preset == "desktop":
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(cmd, cwd=REPO / "bench", env=env, check=True, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    return {name: round(100 * (data["categories"][name]["score"] or 0)) for name in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", choices=("mobile", "desktop"), default="mobile")
    parser.add_argument("--runs", type=int, default=1, help="runs to take the median of (default: 1)")
    args = parser.parse_args()
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    report = results_dir / f"lighthouse-{args.preset}.json"
    sys.path.insert(0, str(REPO))  # the repository's own package, wherever this is run from
    from explainer.pipeline import build

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "output"
        build(REPO, site)
        httpd, url = serve(site)
        try:
            runs = [lighthouse(url, args.preset, report) for _ in range(args.runs)]
        except (subprocess.CalledProcessError, FileNotFoundError) as exc:
            print(f"lighthouse failed: {exc}; run `npm ci --prefix bench` first and check CHROME_PATH", file=sys.stderr)
            return 1
        finally:
            httpd.shutdown()
    print(f"Lighthouse ({args.preset}, median of {len(runs)} run(s)) for {url}")
    for name in CATEGORIES:
        print(f"  {name:15} {statistics.median(r[name] for r in runs):5.0f}")
    print(f"full report: {report.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
