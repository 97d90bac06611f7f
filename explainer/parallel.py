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
in one forked child (``Forked``, as the other editions are: editions.py), from two cores up, while
this process renders. The child sends the files back through a pipe; the parent reads them once it
needs them (a large one waits in a temporary file, as write.Sink would keep it). Where the child
cannot be forked, or fails, the parent does the work itself: the same bytes either way.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jinja2

from .assets import page_links
from .write import Output

if TYPE_CHECKING:
    from .render import Renderer

Job = tuple[str, str, dict[str, Any]]  # output name, template, the page's own variables
Links = list[tuple[str, str, str]]  # a page's local links (assets.page_links)
Rendered = tuple[Any, Links | None]  # the page (its bytes, or what ``settle`` made of them), and its links when read
Settle = Callable[[str, bytes, Links | None], Rendered]  # render_pages' ``settle``

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
                 meanwhile: Callable[[], None], settle: Settle | None = None) -> dict[str, Rendered]:
    """name → (bytes, links) for each job, stopping at the first page whose template fails.

    ``meanwhile`` is other work of the build (the exports), done here while workers render.
    ``settle`` takes each page as soon as it is rendered, and gives what is held of it until the
    build ends (the preview's: the page compressed, and its links, incremental.RenderMemo.keep_page).
    """
    cores = min(workers, workers_available())
    workers = min(cores, MEMORY_BUDGET // max(1, _resident_bytes()) - 1)
    if cores >= MIN_CORES and workers > 1 and len(jobs) >= MIN_PAGES and _can_fork():
        return _in_workers(renderer, context, jobs, workers, meanwhile, settle)
    out: dict[str, Rendered] = {}
    for name, template, extra in jobs:
        try:
            data = renderer.render_page(context, template, extra)
        except jinja2.TemplateError:
            break  # the caller renders it again to report the mistake
        out[name] = (data, None) if settle is None else settle(name, data, None)
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
    """Whether this process may fork: the system can (multiprocessing lists "fork" wherever os.fork
    exists), and no other thread runs (``serve``: a fork could copy a lock another thread holds)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _in_workers(renderer: Renderer, context: dict[str, Any], jobs: list[Job], workers: int,
                meanwhile: Callable[[], None], settle: Settle | None) -> dict[str, Rendered]:
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
        out[name] = result if settle is None else settle(name, *result)
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


# Work in a child process ------------------------------------------------------------------------
# The other editions of a multilingual site (editions.py) need nothing the original's pages make:
# with a second core they are rendered by a forked child while this process renders the original.


def can_fork_child(small_work: bool = True, copies: bool = True) -> bool:
    """Whether a forked child may take work to another core: fork exists, a second core is ours (and
    not busy, for ``small_work`` whose saving a busy core would cancel), no other thread runs
    (``serve``: a fork could copy a lock another thread holds), and the child's copy of the build
    fits in MEMORY_BUDGET beside it (unless the child ``copies`` little of it: pagefind.py's).

    The exports of a big story are not small work (0.5 s at 10,000 facts against ~35 ms of copied
    memory pages), and the load average, a mean over the last minute, mostly counts the builds
    before this one when several run in a row: for them only the cores are counted.
    """
    cores = workers_available()
    return (cores >= 2 and (not small_work or _load() < cores) and _can_fork()
            and (not copies or 2 * _resident_bytes() <= MEMORY_BUDGET))


def _load() -> float:
    """The 1-minute load average (0 where it cannot be read).

    A child costs CPU (the first write to each memory page the two processes share copies it: ~35 ms
    for the shipped explainer), which pays only while another core is free: with the cores already
    busy (a load average at or over their number) the child and this process compete for them, and
    on the 2-core development machine at a load of 3 to 4 the build took 0.08 s longer with the
    child than without it.
    """
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not Unix
        return 0.0


ChildWork = Callable[[], tuple[dict[str, Any], Any]]  # → (output path → bytes or OnDisk, anything picklable)


class Forked:
    """``work`` done in a forked child while this process goes on; its files come back through a pipe.

    os.fork and a pipe, not multiprocessing: one child, one answer, and none of multiprocessing's
    imports (15 to 25 ms for its pool on the loaded development machine). The child
    sends a pickled header (its extra value and each file's name and size) and then the files' bytes
    one after the other; a large file (write.SPILL_BYTES) waits on disk here as it did there. If the
    child fails in any way it sends no header, and ``result`` says so with None: the caller then does
    the work itself, so an error surfaces exactly as it would have without a child.
    """

    def __init__(self, work: ChildWork):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow a fork)
            os.close(read)
            _child(work, write)
        os.close(write)
        self.pid: int | None = pid
        self._pipe = os.fdopen(read, "rb")

    def result(self) -> tuple[dict[str, Any], Any] | None:
        """(files, extra) as ``work`` returned them in the child, or None if the child failed."""
        import pickle

        from .write import SPILL_BYTES, Sink

        files: dict[str, Any] = {}
        try:
            header = pickle.load(self._pipe)
            if header is None:
                return None
            extra, sizes = header
            for name, size in sizes:
                if size <= SPILL_BYTES:
                    data = self._pipe.read(size)
                    if len(data) != size:
                        return None
                    files[name] = data
                    continue
                sink = Sink()
                left = size
                while left:
                    chunk = self._pipe.read(min(left, 1 << 20))
                    if not chunk:
                        return None
                    sink.write(chunk)
                    left -= len(chunk)
                files[name] = sink.value()
        except (EOFError, OSError, pickle.UnpicklingError):
            return None
        finally:
            self.stop()
        return files, extra

    def stop(self) -> None:
        """Stop the child if it still runs (the build failed meanwhile) and collect it; idempotent."""
        if self.pid is None:
            return
        self._pipe.close()  # a child still writing gets a broken pipe and ends
        pid, self.pid = self.pid, None
        import signal  # here: its enums cost every build ~1 ms to import

        with contextlib.suppress(ProcessLookupError):  # pragma: no cover - already gone
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _child(work: ChildWork, fd: int) -> None:  # pragma: no cover - runs in the forked child
    """Do the work, send the answer, and leave at once: no exit handlers or buffers of the parent's run here."""
    import pickle

    status = 1
    try:
        with os.fdopen(fd, "wb", buffering=1 << 16) as out:
            try:
                files, extra = work()
            except BaseException:
                pickle.dump(None, out)  # the parent does the work again, and reports it as it would
            else:
                pickle.dump((extra, [(name, len(data)) for name, data in files.items()]), out)
                for data in files.values():
                    if isinstance(data, bytes):
                        out.write(data)
                    else:
                        data.copy_to(out)  # write.OnDisk
                status = 0
    except BaseException:
        pass
    finally:
        os._exit(status)


class Aside:
    """Files made by a forked child (``Forked``) while this process renders; collected by ``files()``."""

    def __init__(self, make: Callable[[], dict[str, Output]]):
        self._forked = Forked(lambda: (make(), None))
        self.pid = self._forked.pid

    def files(self) -> dict[str, Output] | None:
        """The child's files, in the order it made them; None when it failed (the caller makes them itself)."""
        result = self._forked.result()
        return None if result is None else result[0]

    def close(self) -> None:
        """Stop the child if its files were never collected (the build failed meanwhile)."""
        self._forked.stop()


def shares_a_core(searching: bool) -> bool:
    """Whether work aside would share the one other core with Pagefind (``searching``: still indexing).

    Then the exports' child takes only part of them (render.py): at 10,000 facts Pagefind and all
    the exports were 2.1 s of CPU on that core, against 1.5 s left in this process after Pagefind starts.
    """
    return searching and workers_available() <= 2


def aside(make: Callable[[], dict[str, Output]], facts: int) -> Aside | None:
    """``make`` started in a forked child, or None: few facts, or no free core, fork or memory for a copy."""
    if facts < ASIDE_MIN_FACTS or not can_fork_child(small_work=False):
        return None
    try:
        return Aside(make)
    except OSError:  # no process to spare: made in-process instead
        return None
