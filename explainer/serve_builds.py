"""The preview's builds: one at a time in a worker thread, and what the last one gave.

The build writes output/ atomically, so a failed build leaves the last good site in place; while
the last build failed, HTML requests get the error page (rendered once, from memory). Whatever a
build raises, the preview reports it in the terminal and on the page and keeps going.

Search in the background: a rebuild of a story with search publishes its pages with the last
search index and leaves Pagefind running (search_memo.SearchMemo). When Pagefind is done, and no newer
build has replaced the site meanwhile, the new index is written in, in the build thread (so never
during a build): in `serve`, only the index's files that changed, each atomically (through the
builds' own write_changes.WrittenSite, which then knows the site on disk as it is); and the
terminal says "search index updated". The site is then the same, byte for byte, as a cold
build's. Open search pages reload then, not with the rebuild: they would only search the last
index again.

A build's large changed files (the exports) are written after it, in the build thread while the
browsers reload (``write_later``, write_changes.py): the page an editor looks at never waits for
57 MB of `facts.json`. A request for one of those files waits until it is written
(`wait_until_written`), and a failure to write it is shown like a failed build's.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import held, pagefind, terminal
from .errors import BuildError, ContentError, ExplainerError
from .serve_page import Failure, error_page
from .terminal import one_line, to_stderr, to_stdout

BuildFn = Callable[[Path, Path], object]
UnchangedFn = Callable[[Path, set[str]], bool]  # IncrementalBuilder.unchanged's signature: the root, the changed files
MidSaveFn = Callable[[Path, set[str]], list[str]]  # IncrementalBuilder.read_mid_save's: the files read mid-save
WriteFn = Callable[[dict[str, Any], Path], None]  # write.write_site's signature: the pages, the output folder


class Preview:
    """Rebuilds the site one build at a time and knows whether the last build worked."""

    def __init__(self, root: Path, output: Path, build: BuildFn, *, debug: bool = False,
                 out: Callable[[str], None] | None = None, err: Callable[[str], None] | None = None,
                 write: WriteFn | None = None, unchanged: UnchangedFn | None = None,
                 read_mid_save: MidSaveFn | None = None, write_later: Callable[[], None] | None = None):
        """``write`` puts the site with a new search index on disk (default: the whole site, write.write_site);
        serve passes one that writes only the files that changed (write_changes.WrittenSite).
        ``unchanged(root, changed)``: whether the files reported changed hold what the last build
        read, so that after a good build there is nothing to build again (IncrementalBuilder.unchanged).
        ``read_mid_save(root, changed)``: those of the changed files that changed again since the build
        read them, whose failure is not reported (IncrementalBuilder.read_mid_save).
        ``write_later()`` writes the large files a build left (IncrementalBuilder.write_later)."""
        self.root = root
        self.output = output
        self.build = build
        self.write = write
        self.unchanged = unchanged
        self.read_mid_save = read_mid_save
        self.write_later = write_later
        self.debug = debug
        self.say = out or to_stdout
        self.warn = err or to_stderr
        self.failure: Failure | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self.waiting_requests = 0
        self.generation = 0  # bumped whenever what the browser should show changed
        self.pages_generation = 0  # the generation of the last build: a page loaded before it is stale
        self.search_generation = 0  # ...and of the last search index: a search page loaded before it is
        self.cookie = "preview_build"  # per port (set by the HTTP application): cookies ignore ports
        # The HTTP side reloads the browsers: all but the search pages while their index is being made.
        self.on_new_build: Callable[[bool], None] = lambda search_too: None
        self.on_search_updated: Callable[[], None] = lambda: None  # ...and the search pages once it is in
        self.search_settled = asyncio.Event()  # set while no index is being made in the background
        self.search_settled.set()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build")
        self._fingerprint = ""
        self._pending: tuple[pagefind.Indexing, dict, str] | None = None  # the index the site awaits, its pages
        self._tasks: set[asyncio.Task[None]] = set()
        self._writes = 0  # writes that changed files on disk (_count_write)
        self._on_disk = ""  # the fingerprint of what the last good build wrote (worker thread only)
        self._later: tuple[str, ...] = ()  # the large files the last build left for write_later (worker thread)
        self.writing_later: frozenset[str] = frozenset()  # ...being written now: requests for them wait
        self.written_later = asyncio.Event()
        self.written_later.set()

    async def rebuild(self, changed: set[str]) -> bool:
        """Build once (in a worker thread) and reload the browsers if what they show changed."""
        self.idle.clear()
        pending = None
        try:
            failure, fingerprint, pending = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._build_and_report, changed)
        except Exception as exc:  # reporting the build failed (a bug): still a result, never a dead preview
            failure = self._internal_error(exc)
            fingerprint = f"failed:{failure.message}"
        finally:
            later = self._hold_later_files()  # before the requests held during the build go on
            self.idle.set()
            # Freed memory handed back to the system in the build's thread, before the next build
            # starts and while the browsers reload (held.give_back_freed); then the large files it left.
            self._executor.submit(held.give_back_freed)
            if later:
                self._write_later_files()
        self.failure = failure
        if pending is not None and failure is None:
            self.search_settled.clear()
            task = asyncio.create_task(self._index_in_background(pending[0]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif self._pending is None:
            self.search_settled.set()
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        self.generation += 1
        self.pages_generation = self.generation
        if pending is None or failure is not None:
            self.search_generation = self.generation
        self._reload(self.search_generation == self.generation)
        return True

    def _reload(self, search_too: bool) -> None:
        """Tell the browsers what they show changed (a failure here is said, never raised)."""
        try:
            self.on_new_build(search_too)
        except Exception as exc:
            self.warn(f"note: could not reload the open pages ({one_line(exc)}); reload them by hand")

    def _hold_later_files(self) -> bool:
        """Whether the build left large files to write after it; requests for them wait from now on."""
        names, self._later = frozenset(self._later), ()
        if not names or self.write_later is None:
            return False
        self.writing_later = names
        self.written_later.clear()
        return True

    def _write_later_files(self) -> None:
        """The large files the build left, written next in the build thread, while the browsers reload."""
        assert self.write_later is not None
        written = asyncio.get_running_loop().run_in_executor(self._executor, self.write_later)
        task = asyncio.create_task(self._written_later(written))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _written_later(self, written: asyncio.Future[None]) -> None:
        """Once they are written, requests for them go on; if they could not be, the browsers show why."""
        try:
            await written
        except Exception as exc:
            if isinstance(exc, ExplainerError):  # with its hint: what the folder holds now
                message = f"{exc}; {exc.hint}" if exc.hint else str(exc)
                self.warn(f"error: {message}")
            else:
                message = self._internal_error(exc).message
            self.failure = Failure(message=message)
            self._fingerprint = f"failed:{message}"
            self.generation += 1
            self.pages_generation = self.search_generation = self.generation
            self._reload(True)
        finally:
            self.writing_later = frozenset()
            self.written_later.set()

    async def wait_until_written(self, target: Path) -> None:
        """A request for a large file the last build left to write after the reload waits until it is written."""
        if not self.writing_later:
            return
        try:
            name = target.relative_to(self.output.resolve()).as_posix()
        except ValueError:
            return
        if name in self.writing_later:
            self.waiting_requests += 1
            try:
                await self.written_later.wait()
            finally:
                self.waiting_requests -= 1

    async def _index_in_background(self, indexing: pagefind.Indexing) -> None:
        """Wait for Pagefind, then write its index into the site unless a newer build replaced it."""
        try:
            await self._collect_search(indexing)
        finally:
            if self._pending is None:
                self.search_settled.set()

    async def _collect_search(self, indexing: pagefind.Indexing) -> None:
        loop = asyncio.get_running_loop()
        try:
            problem = await loop.run_in_executor(None, _run_search, indexing)
            fingerprint = await loop.run_in_executor(self._executor, self._install_search, indexing, problem)
        except RuntimeError:  # the preview is stopping: its executor takes no more work
            return
        if fingerprint is None:
            return
        if fingerprint != "failed" and self._fingerprint == fingerprint[1]:
            self._fingerprint = fingerprint[0]  # the site as it is now: a rebuild to the same pages reloads nothing
        if self.failure is None:
            self.generation += 1
            self.search_generation = self.generation
            try:
                self.on_search_updated()
            except Exception as exc:
                self.warn(f"note: could not reload the open search pages ({one_line(exc)}); reload them by hand")

    def _install_search(self, indexing: pagefind.Indexing,
                        problem: pagefind.SearchUnavailable | None) -> tuple[str, str] | str | None:
        """In the build thread: the site written again with Pagefind's new index, if it is still the
        one the site awaits. Returns the new and the old fingerprint, "failed", or None (superseded)."""
        pending = self._pending
        if pending is None or pending[0] is not indexing:
            return None  # a newer build published another index
        self._pending = None
        if indexing.closed and problem is None:
            return None  # a newer build stopped it, then failed: the site keeps the last index until one works
        _, pages, old = pending
        try:
            if problem is not None:
                raise problem
            files = indexing.finish()
        except pagefind.SearchUnavailable as exc:
            self._search_failed(exc)
            return "failed"
        pages = {name: data for name, data in pages.items() if not name.startswith(pagefind.FOLDER + "/")}
        pages.update(files)
        try:
            if self.write is not None:
                self.write(pages, self.output)
            else:
                from .write import write_site

                write_site(pages, self.output)
        except ExplainerError as exc:
            self.warn(f"error: could not write the new search index: {exc}")
            return "failed"
        self.say(f"search index updated in {time.perf_counter() - indexing.started:.2f} s")
        # What a next save that changes nothing leaves shown: a write of its own (not the pages' digest,
        # which read and hashed every page, 175 MB at 50,000 facts, while the next save waited).
        if self.write is not None:
            self._count_write()
        else:
            self._on_disk = "ok:" + _pages_digest(pages)
        # Writing the records and reading the index back freed tens of MB at 50,000 facts: handed back
        # as after a build (held.give_back_freed), in this same thread.
        held.give_back_freed()
        return self._on_disk, old

    async def wait_until_built(self) -> None:
        """A request made while a build runs is answered with that build's result."""
        if self.idle.is_set():
            return
        self.waiting_requests += 1
        try:
            await self.idle.wait()
        finally:
            self.waiting_requests -= 1

    def _search_failed(self, exc: pagefind.SearchUnavailable) -> None:
        from .reach import UNAVAILABLE_HINT

        message = f"{exc.reason}, so search still finds what it did before the last change"
        self.warn(ContentError("site.yaml", 1, 1, message, UNAVAILABLE_HINT, "warning").format())

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._pending is not None:
            self._pending[0].close()  # stops Pagefind, so the thread waiting for it ends

    def _build_and_report(self, changed: set[str]) -> tuple[Failure | None, str, Any]:
        """Run one build; print the outcome; return the failure (if any), a fingerprint and the
        search index the site now awaits (read here: the next job in this thread may collect it).

        A background Pagefind is paused while the build runs, which gets every core: the save
        reaches the browser sooner, and the build stops Pagefind anyway if its records changed.
        """
        if self._built_already(changed):
            # A second report of a save the last build read (a file emptied, then written; or a build
            # another change started, which read this save first): named, so no save goes unsaid.
            failed = "; it failed, and the browser shows why" if self.failure is not None else ""
            self.say(f"already built: {terminal.changed_names(changed)} (the last build read this save{failed})")
            return self.failure, self._fingerprint, None
        paused = self._pending[0] if self._pending is not None else None
        if paused is not None:
            paused.pause()
        try:
            outcome = self._build(changed)
        finally:
            if paused is not None:
                paused.pause(False)
        if outcome is None:  # a save still being written: nothing new to show, no new index to wait for
            return self.failure, self._fingerprint, None
        failure, fingerprint = outcome
        if failure is not None:
            # Rendered now, with the files as the build read them, not as they are mid-edit later.
            failure.page = error_page(failure, self.root)
        return failure, fingerprint, self._pending

    def _built_already(self, changed: set[str]) -> bool:
        """Whether the files reported changed hold what the last build read (``unchanged``), and that
        build gave what the same content gives again: it worked, or it failed on the content (a save
        of a mistake reported twice was built twice, 0.6-0.9 s at 50,000 facts, and the editor's fix
        waited for it). A build that failed otherwise (the disk, a bug) is tried again."""
        if self.unchanged is None:
            return False
        if self.failure is None:
            built = self._fingerprint.startswith("ok:")
        else:
            built = bool(self.failure.problems) and not self.failure.message
        return built and self.unchanged(self.root, changed)

    def _build(self, changed: set[str]) -> tuple[Failure | None, str] | None:
        """Build, print the outcome and return it: the failure (if any) and a fingerprint; None when
        the build failed on a file that changed again since it was read (see read_mid_save)."""
        started = time.perf_counter()
        what = terminal.described(changed)
        try:
            result = self.build(self.root, self.output)
        except BuildError as exc:
            mid_save = self.read_mid_save(self.root, changed) if self.read_mid_save is not None else []
            if mid_save:  # the rest of the save is coming: the browsers keep what they show
                self.warn(f"note: {', '.join(mid_save)} changed while the build read it (a save still being "
                          "written); building again once it is saved")
                return None
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
        fingerprint = self._built_fingerprint(result)
        self._later = tuple(getattr(result, "later", ()) or ())
        indexing = getattr(result, "search_pending", None)
        # The site awaits this index; Pagefind starts once the browsers are told to reload (rebuild).
        self._pending = (indexing, result.pages, fingerprint) if indexing is not None else None  # type: ignore[union-attr]
        verb = "built" if not changed else "rebuilt"
        self.say(f"{verb} {terminal.display(self.output, folder=True)} in {seconds:.2f} s{what}"
                 + (f", {len(warnings)} warning(s)" if warnings else "")
                 + ("; search index updating" if indexing is not None else ""))
        return None, fingerprint

    def _built_fingerprint(self, result: object) -> str:
        """What the browsers show after a good build: the same as last time when the write changed
        no file (the preview's builds say which they changed: write_changes.py), a new write when it
        changed some, or wrote the site whole (serve's first build; `serve` writes with ``write``);
        else the pages' digest, whose hashing costs about 30 ms at 10,000 facts (37 MB), and at
        50,000 facts 0.7 s, every kept page unpacked and the exports read back first (held.py)."""
        changed = getattr(result, "changed", None)
        if (changed is None and self.write is None) or (changed is not None and not self._on_disk):
            self._on_disk = "ok:" + _pages_digest(getattr(result, "pages", None))
        elif changed is None or changed:
            self._count_write()
        return self._on_disk  # unchanged: what the last good build left (a failed one writes nothing)

    def _count_write(self) -> None:
        """The site on disk is a new one: what the browsers show is one more write (worker thread only)."""
        self._writes += 1
        self._on_disk = f"ok:write {self._writes}"

    def _internal_error(self, exc: Exception) -> Failure:
        if self.debug:
            self.warn("".join(traceback.format_exception(exc)).rstrip())
        text = (f"internal error ({type(exc).__name__}: {exc}). This is a bug in the generator, "
                "not in your content; rerun with --debug for the traceback and please report it.")
        if isinstance(exc, OSError):
            text = f"could not write the site: {exc}"
        self.warn(f"error: {text}")
        return Failure(message=text)


def _run_search(indexing: pagefind.Indexing) -> pagefind.SearchUnavailable | None:
    """Start the background Pagefind and wait for it to exit, in a thread of its own (not the build's)."""
    try:
        indexing.start(pagefind.BACKGROUND_THREADS, detached=True)
    except pagefind.SearchUnavailable as exc:
        return exc
    indexing.wait()
    return None


def _pages_digest(pages: dict[str, bytes] | None) -> str:
    if pages is None:
        return str(time.monotonic())  # unknown result: always reload
    digest = hashlib.sha256()
    for name in sorted(pages):
        digest.update(name.encode() + b"\0" + hashlib.sha256(bytes(pages[name])).digest())
    return digest.hexdigest()
