"""A bounded, seeded fuzz of the running preview: whatever happens, it ends serving the latest good build.

Forty-five random steps (seeded, so a failure replays; ``FUZZ_SEED=n`` tries another sequence)
against a real `build.py serve`: good saves, bursts, broken content and its repair, renames,
file names that are not UTF-8, a folder moved away and back, junk WebSocket frames and requests
in the middle of it all. At the end every page is fetched and compared, byte for byte, with a
cold build of the same files; the terminal never showed a traceback.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest
from _preview import WAIT, Server, read_until_closed, request, save_named, ws_frame, ws_handshake
from conftest import Project, make_project

from explainer import serve_http
from explainer.pipeline import build

SEED = int(os.environ.get("FUZZ_SEED", "1604"))
STEPS = 45
FACTS, TIMELINE, SUMMARY = "content/facts.yaml", "content/timeline.yaml", "content/summaries/01-intro.md"
BROKEN = {  # file → a broken version of it
    FACTS: "- id: sbu-102\n  claim: [unclosed\n",
    TIMELINE: "- date: 2025-13-45\n  title: Impossible\n  text: x\n  facts: [nowhere]\n",
    SUMMARY: "no front matter [[missing-fact]]\n",
    "site.yaml": "title: [\n",
}
BAD_NAMES = [b"content/\xff.yaml", b"content/summaries/\xfe.md", b"seeds/\xff\xfe", b"\xff.yaml"]
JUNK = [b"not json", b"[1]", b"\xff\xfe", b"{" * 5000, b'{"command": 7}', os.urandom(64)]


class Fuzz:
    """The project, the server and the random steps between them."""

    def __init__(self, project: Project, server: Server, rng: random.Random):
        self.project, self.server, self.rng = project, server, rng
        self.good = {rel: (project.root / rel).read_text(encoding="utf-8") for rel in BROKEN}
        self.version = 0
        self.log: list[str] = []
        self.bad_names = 0

    def run(self, steps: int) -> None:
        """Every kind of step at least once (every bad name too), the rest drawn at random."""
        kinds = [self.save, self.burst, self.break_file, self.repair, self.rename, self.bad_name,
                 self.move_folder, self.junk_frame, self.fetch, self.settle]
        plan = kinds + [self.bad_name] * (len(BAD_NAMES) - 1)
        plan += [self.rng.choice([*kinds, self.save, self.junk_frame]) for _ in range(steps - len(plan))]
        self.rng.shuffle(plan)
        for action in plan:
            self.log.append(action.__name__)
            action()

    def save(self) -> None:
        """A good edit: the claim of one fact gets a new version mark (letters: a claim's numbers are checked)."""
        self.version += 1
        self.good[FACTS] = re.sub(r"on a Wednesday[^\n]*", f"on a Wednesday (version {'x' * self.version}).",
                                  self.good[FACTS])
        if self.read(FACTS) != BROKEN[FACTS]:
            self.write(FACTS, self.good[FACTS])

    def burst(self) -> None:
        for _ in range(self.rng.randint(2, 6)):
            self.save()

    def break_file(self) -> None:
        rel = self.rng.choice(list(BROKEN))
        self.write(rel, BROKEN[rel])

    def repair(self) -> None:
        for rel, text in self.good.items():
            if self.read(rel) != text:
                self.write(rel, text)

    def rename(self) -> None:
        """The summary renamed (an editor's "save as" then delete), or renamed back."""
        summaries = self.project.root / "content" / "summaries"
        current = summaries / "01-intro.md"
        if current.exists():
            current.rename(summaries / "01-intro-renamed.md")
        else:
            (summaries / "01-intro-renamed.md").rename(current)

    def bad_name(self) -> None:
        """The next name that is not UTF-8 in turn: created, or removed if it is there."""
        path = os.path.join(os.fsencode(self.project.root), BAD_NAMES[self.bad_names % len(BAD_NAMES)])
        self.bad_names += 1
        if os.path.lexists(path):
            shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
        elif path.endswith(b".md"):
            with open(path, "wb") as f:
                f.write(b"---\ntitle: Odd name\norder: 9\n---\nSwaps.[[swap-sizes]]\n")
        elif path.endswith(b".yaml"):
            with open(path, "wb") as f:
                f.write(b"x: 1\n")
        else:
            os.makedirs(path)

    def move_folder(self) -> None:
        """static/ moved away (the build fails) and, at once or a few steps later, back."""
        static, aside = self.project.root / "static", self.project.root.parent / "static-aside"
        if static.exists():
            static.rename(aside)
        else:
            aside.rename(static)

    def junk_frame(self) -> None:
        sock, head = ws_handshake(self.server.port, origin=self.rng.choice([None, f"http://127.0.0.1:{self.server.port}"]))
        with sock:
            assert head.startswith(b"HTTP/1.1 101 "), head
            with contextlib.suppress(OSError):
                sock.sendall(ws_frame(self.rng.choice(JUNK), self.rng.choice([1, 1, 2])))
            read_until_closed(sock)

    def fetch(self) -> None:
        status, _headers, _body = request(self.server.port, self.rng.choice(["/", "/index.html", "/data/facts.json"]))
        assert status in (200, 404, 500), status

    def settle(self) -> None:
        """Wait for the build the last steps started (as an editor who looks at the page would)."""
        mark = len(self.server.lines)
        self.save()
        self.write(FACTS, self.read(FACTS))  # a save even while facts.yaml is broken, so a build follows
        self.server.wait_for(r"^(rebuilt |build failed |error: )", after=mark)

    def path(self, rel: str) -> Path:
        """Where a file is now (the summary may be renamed)."""
        renamed = self.project.root / "content" / "summaries" / "01-intro-renamed.md"
        return renamed if rel == SUMMARY and renamed.exists() else self.project.root / rel

    def read(self, rel: str) -> str:
        return self.path(rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        self.path(rel).write_text(text, encoding="utf-8")

    def restore(self) -> None:
        """Undo what stops a good build: broken files, the renamed summary, static/ moved away."""
        if not (self.project.root / "static").exists():
            self.move_folder()
        if not (self.project.root / SUMMARY).exists():
            self.rename()
        self.repair()
        self.version += 1
        self.good["site.yaml"] = self.good["site.yaml"].replace("Test explainer", f"Test explainer {self.version}", 1)
        self.write("site.yaml", self.good["site.yaml"])


@pytest.mark.slow
def test_the_preview_ends_serving_the_latest_good_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    server = Server(project, "--port", "0").start()
    fuzz = Fuzz(project, server, random.Random(SEED))
    try:
        fuzz.run(STEPS)
        fuzz.restore()
        cold = build(project.root, tmp_path / "cold").pages
        script = b'<script src="/preview.js" defer></script>'
        expected_index = serve_http.with_client(cold["index.html"], script)
        deadline = time.monotonic() + WAIT
        while request(server.port, "/")[2] != expected_index:  # polls for the last build, for up to WAIT
            assert time.monotonic() < deadline, f"not serving the latest good build (seed {SEED}: {fuzz.log})"
            time.sleep(0.05)
        for rel in ("site.yaml", FACTS):  # both watches (the project folder's, content/'s) still report saves
            mark = len(server.lines)
            fuzz.write(rel, fuzz.read(rel) + "\n")
            server.wait_for(save_named(rel), after=mark)
        for rel, data in cold.items():
            expected = serve_http.with_client(data, script) if rel.endswith(".html") else data
            status, _headers, served = request(server.port, "/" + rel)
            assert (status, served) == (200, expected), f"{rel} differs (seed {SEED}: {fuzz.log})"
        assert server.proc.poll() is None
        assert "Traceback" not in server.output, server.output
    finally:
        server.stop()
