"""The preview's builds: one at a time in a worker thread, and what the last one gave.

The build writes output/ atomically, so a failed build leaves the last good site in place; while
the last build failed, HTML requests get the error page (rendered once, from memory). Whatever a
build raises, the preview reports it in the terminal and on the page and keeps going.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import terminal
from .errors import BuildError, ExplainerError
from .serve_page import Failure, error_page, printable

BuildFn = Callable[[Path, Path], object]


def to_stdout(text: str) -> None:
    print(printable(text), flush=True)


def to_stderr(text: str) -> None:
    print(printable(text), file=sys.stderr, flush=True)


def one_line(exc: BaseException) -> str:
    """An exception as one line; an exception group as its first leaf (watchfiles raises groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text}"


class Preview:
    """Rebuilds the site one build at a time and knows whether the last build worked."""

    def __init__(self, root: Path, output: Path, build: BuildFn, *, debug: bool = False,
                 out: Callable[[str], None] | None = None, err: Callable[[str], None] | None = None):
        self.root = root
        self.output = output
        self.build = build
        self.debug = debug
        self.say = out or to_stdout
        self.warn = err or to_stderr
        self.failure: Failure | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self.waiting_requests = 0
        self.generation = 0  # bumped whenever what the browser should show changed
        self.cookie = "preview_build"  # per port (set by the HTTP application): cookies ignore ports
        self.on_new_build: Callable[[], None] = lambda: None  # the HTTP side reloads the browsers
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build")
        self._fingerprint = ""
        self._writes = 0  # good builds that changed files on disk
        self._on_disk = ""  # the fingerprint of what the last good build wrote (worker thread only)

    async def rebuild(self, changed: set[str]) -> bool:
        """Build once (in a worker thread) and reload the browsers if what they show changed."""
        self.idle.clear()
        try:
            failure, fingerprint = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._build_and_report, changed)
        except Exception as exc:  # reporting the build failed (a bug): still a result, never a dead preview
            failure = self._internal_error(exc)
            fingerprint = f"failed:{failure.message}"
        finally:
            self.idle.set()
        self.failure = failure
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        self.generation += 1
        try:
            self.on_new_build()
        except Exception as exc:
            self.warn(f"note: could not reload the open pages ({one_line(exc)}); reload them by hand")
        return True

    async def wait_until_built(self) -> None:
        """A request made while a build runs is answered with that build's result."""
        if self.idle.is_set():
            return
        self.waiting_requests += 1
        try:
            await self.idle.wait()
        finally:
            self.waiting_requests -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def _build_and_report(self, changed: set[str]) -> tuple[Failure | None, str]:
        """Run one build; print the outcome; return the failure (if any) and a fingerprint."""
        failure, fingerprint = self._build(changed)
        if failure is not None:
            # Rendered now, with the files as the build read them, not as they are mid-edit later.
            failure.page = error_page(failure, self.root)
        return failure, fingerprint

    def _build(self, changed: set[str]) -> tuple[Failure | None, str]:
        started = time.perf_counter()
        what = _describe(changed)
        try:
            result = self.build(self.root, self.output)
        except BuildError as exc:
            failure = Failure(problems=exc.problems, changed=changed)
            for problem in exc.problems:
                self.warn(problem.format())
            first = failure.ordered()[0]
            if len(exc.problems) > 1 and first.path in changed:
                self.warn(f"first problem in what you just changed: "
                          f"{first.path}:{first.line}:{first.column}: {first.message}")
            self.warn(f"build failed{what}: {terminal.counts(exc.problems)}; the browser shows them, "
                      f"and {terminal.display(self.output, folder=True)} keeps the last good site")
            return failure, "failed:" + failure.key()
        except ExplainerError as exc:
            self.warn(f"error: {exc}")
            return Failure(message=str(exc)), f"failed:{exc}"
        except Exception as exc:  # a bug or a disk error must not stop the preview
            failure = self._internal_error(exc)
            return failure, f"failed:{failure.message}"
        seconds = time.perf_counter() - started
        warnings = list(getattr(result, "warnings", []) or [])
        for warning in warnings:
            self.warn(warning.format())
        verb = "built" if not changed else "rebuilt"
        self.say(f"{verb} {terminal.display(self.output, folder=True)} in {seconds:.2f} s{what}"
                 + (f", {len(warnings)} warning(s)" if warnings else ""))
        return None, self._built_fingerprint(result)

    def _built_fingerprint(self, result: object) -> str:
        """What the browsers show after a good build: the same as last time when the write changed
        no file (the preview's builds say which they changed: write_changes.py), else the pages'
        digest, whose hashing costs about 30 ms at 10,000 facts (37 MB) on every save."""
        changed = getattr(result, "changed", None)
        if changed is None or not self._on_disk:
            self._on_disk = "ok:" + _pages_digest(getattr(result, "pages", None))
        elif changed:
            self._writes += 1
            self._on_disk = f"ok:write {self._writes}"
        return self._on_disk  # unchanged: what the last good build left (a failed one writes nothing)

    def _internal_error(self, exc: Exception) -> Failure:
        if self.debug:
            self.warn("".join(traceback.format_exception(exc)).rstrip())
        text = (f"internal error ({type(exc).__name__}: {exc}). This is a bug in the generator, "
                "not in your content; rerun with --debug for the traceback and please report it.")
        if isinstance(exc, OSError):
            text = f"could not write the site: {exc}"
        self.warn(f"error: {text}")
        return Failure(message=text)


def _pages_digest(pages: dict[str, bytes] | None) -> str:
    if pages is None:
        return str(time.monotonic())  # unknown result: always reload
    digest = hashlib.sha256()
    for name in sorted(pages):
        digest.update(name.encode() + b"\0" + hashlib.sha256(bytes(pages[name])).digest())
    return digest.hexdigest()


def _describe(changed: set[str]) -> str:
    if not changed:
        return ""
    names = sorted(changed)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f" after {len(names)} change(s): {shown}"
