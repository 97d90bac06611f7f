"""Render pages on every core: forked workers, merged back in the order the pages were listed.

A split list's pages (paginate.py) are independent once the shared context is built, and their
templates are most of a large build's rendering. Forked workers inherit the renderer and the
context as they are (nothing to pickle but a page's index going out and its bytes coming back),
render their share, and read each page's local links for the link check while they hold it. The
parent puts the results back in the order of the list, so the output is the same bytes whatever
the number of workers. Forking only pays for a long list on a machine with cores to spare: a
small site (the shipped story), a machine with fewer than MIN_CORES cores, a build too big for a
copy of it per worker to fit in MEMORY_BUDGET, or a process with other threads running (``serve``:
forking there could copy a lock held by another thread) renders the pages in-process as before.

Other work that needs nothing rendered (the exports: JSON and CSV of every fact) can run ``aside``:
in one forked child, from two cores up, while this process renders. The child writes the files into
a temporary folder; the parent reads them back (or keeps a large one there, as write.Sink would) once
it needs them. Where the child cannot be forked, or fails, the parent does the work itself: the same
bytes either way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from . import write
from .assets import page_links
from .write import OnDisk, Output

if TYPE_CHECKING:
    from .render import Renderer

Job = tuple[str, str, dict[str, Any]]  # output name, template, the page's own variables
Rendered = tuple[bytes, list[tuple[str, str, str]] | None]  # the page, and its links when already read

# Below this many pages a pool costs more than it saves (fork, start-up, sending the pages back).
MIN_PAGES = 24
# Workers redo part of the work: a forked worker's first touch of each memory page copies it, so at
# 10,000 facts two workers spent 1.44 s of CPU on what takes 0.8 s in-process, and with the main
# process's 0.72 s the stage cost 2.16 s of CPU against 1.26 s. On two cores that is no faster
# (1.5 times slower on the shared development machine): workers are only used from four cores up.
MIN_CORES = 4
# A forked worker shares the build's memory only until it touches it, and rendering touches most of
# it (reference counts): each worker ends up with nearly a copy. Workers are used only while the
# build and its copies fit in this (the memory target for 50,000 facts, see bench/README.md).
MEMORY_BUDGET = 500 * 1024 * 1024
# Work aside pays from about this many facts: the exports take 55 µs a fact (0.55 s at 10,000), a
# fork and the memory pages it makes both processes copy a few milliseconds (the shipped story
# keeps its in-process exports: a fork would cost more than they do).
ASIDE_MIN_FACTS = 1000

_shared: tuple[Renderer, dict[str, Any], list[Job]] | None = None  # what forked workers inherit


def workers_available() -> int:
    """The cores this process may use (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render_pages(renderer: Renderer, context: dict[str, Any], jobs: list[Job], workers: int,
                 meanwhile: Callable[[], None]) -> dict[str, Rendered]:
    """name → (bytes, links) for each job, stopping at the first page whose template fails.

    ``meanwhile`` is other work of the build (the exports), done here while workers render.
    """
    cores = min(workers, workers_available())
    workers = min(cores, MEMORY_BUDGET // max(1, _resident_bytes()) - 1)
    if cores >= MIN_CORES and workers > 1 and len(jobs) >= MIN_PAGES and _can_fork():
        return _in_workers(renderer, context, jobs, workers, meanwhile)
    out: dict[str, Rendered] = {}
    for name, template, extra in jobs:
        try:
            out[name] = (renderer.render_page(context, template, extra), None)
        except jinja2.TemplateError:
            break  # the caller renders it again to report the mistake
    meanwhile()
    return out


def _resident_bytes() -> int:
    """This process's resident memory now (Linux); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _can_fork() -> bool:
    import multiprocessing  # only for a build that may fork: ~5 ms of imports (socket among them) otherwise

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _in_workers(renderer: Renderer, context: dict[str, Any], jobs: list[Job], workers: int,
                meanwhile: Callable[[], None]) -> dict[str, Rendered]:
    global _shared
    import multiprocessing

    # Compile the templates once, before forking, rather than once per worker.
    for template in dict.fromkeys(template for _, template, _ in jobs):
        renderer.env.get_template(template)
    _shared = (renderer, context, jobs)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # Contiguous chunks, several per worker, so a slow stretch of pages does not hold up the end.
            chunk = max(1, len(jobs) // (workers * 4))
            pending = pool.map_async(_render_one, range(len(jobs)), chunksize=chunk)
            meanwhile()
            results = pending.get()
    finally:
        _shared = None
    out: dict[str, Rendered] = {}
    for (name, _, _), result in zip(jobs, results, strict=True):
        if result is None:
            break
        out[name] = result
    return out


def _render_one(index: int) -> Rendered | None:
    """In a worker: one page and its local links; None if its template fails."""
    assert _shared is not None
    renderer, context, jobs = _shared
    name, template, extra = jobs[index]
    try:
        data = renderer.render_page(context, template, extra)
    except jinja2.TemplateError:
        return None
    return data, page_links(name, data)


class Aside:
    """Files made by a forked child into a temporary folder, collected by ``files()``."""

    MANIFEST = ".names"  # written last, one name a line: the child finished

    def __init__(self, make: Callable[[], dict[str, Output]]):
        self.folder = Path(tempfile.mkdtemp(prefix="explainer-aside-"))
        try:
            self.pid = os.fork()
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        if self.pid == 0:  # the child: make the files, write them, and leave without running the parent's cleanup
            code = 1
            try:
                self._write(make())
                code = 0
            finally:
                os._exit(code)

    def _write(self, files: dict[str, Output]) -> None:
        for name, data in files.items():
            with open(self.folder / name, "wb") as out:
                if isinstance(data, OnDisk):
                    data.copy_to(out)
                else:
                    out.write(data)
        (self.folder / self.MANIFEST).write_text("\n".join(files), encoding="utf-8")

    def files(self) -> dict[str, Output] | None:
        """The child's files, in the order it made them; None when it failed (the caller makes them itself)."""
        try:
            _, status = os.waitpid(self.pid, 0)
            manifest = self.folder / self.MANIFEST
            if status != 0 or not manifest.is_file():
                return None
            names = manifest.read_text(encoding="utf-8").splitlines()
            return {name: self._read(self.folder / name) for name in names}
        except OSError:  # the files could not be read back
            return None
        finally:
            self.pid = 0
            shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _read(path: Path) -> Output:
        """A file's bytes; past SPILL_BYTES the open file itself, as write.Sink keeps it."""
        size = path.stat().st_size
        if size <= write.SPILL_BYTES:
            return path.read_bytes()
        return OnDisk(open(path, "rb"), size)

    def close(self) -> None:
        """Stop the child if its files were never collected (the build failed meanwhile)."""
        if self.pid:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.files()


def aside(make: Callable[[], dict[str, Output]], facts: int) -> Aside | None:
    """``make`` started in a forked child, or None: one core, few facts, no fork, or no memory for a copy."""
    if facts < ASIDE_MIN_FACTS or workers_available() < 2 or not _can_fork():
        return None
    if 2 * _resident_bytes() > MEMORY_BUDGET:
        return None
    try:
        return Aside(make)
    except OSError:  # no temporary folder, or no process to spare: made in-process instead
        return None
