"""Live preview: build, serve output/, rebuild on every save and reload the open browser.

Pieces and why:
- livereload (the package) supplies the browser side: its livereload.js client, its WebSocket
  handler and its script injector. Its ``Server`` is not used: it polls files every 0.8 s,
  ignores changes for 3 s after each reload, and turns a taken port into a traceback.
- watchfiles (kernel notifications) reports a save within ~50–100 ms and groups a burst of
  saves (an editor's "save all", a ``git checkout``) into one change set, so one rebuild.
- One build at a time runs in a worker thread; a page requested meanwhile waits for it.
- The build writes output/ atomically, so a failed build leaves the last good site in place.
  While the last build failed, HTML requests get an error page rendered from memory (from a
  template inside this package, so a broken project template cannot break it), with the
  offending lines of each file; it carries the reload script, so the site comes back by itself.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import ipaddress
import mimetypes
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import jinja2
import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptInjector
from tornado import httpserver, netutil, web
from tornado.websocket import WebSocketClosedError

from . import pipeline, terminal
from .errors import BuildError, ContentError, ExplainerError, UsageError
from .write import check_output_dir

WATCHED_DIRS = ("content", "templates", "seeds", "static")
WATCHED_FILES = ("site.yaml",)
CONTEXT_LINES = 3
MAX_EXCERPTS = 20  # problems shown with their lines; the rest are listed one per line
WATCH_STEP_MS = 25  # a burst of saves is one change set once no further change came for this long
EXIT_OK, EXIT_USAGE = 0, 2

BuildFn = Callable[[Path, Path], object]


# ---------------------------------------------------------------- the state of the last build


@dataclass
class Line:
    number: int
    text: str
    marked: bool


@dataclass
class ShownProblem:
    """A problem as the error page shows it: the message plus the lines around it."""

    problem: ContentError
    lines: list[Line]
    caret: int  # 0-based column for the ^ under the marked line; -1 for none


@dataclass
class Failure:
    """Why the last build failed: content problems, or one message (usage, disk, internal)."""

    problems: list[ContentError] = field(default_factory=list)
    message: str = ""
    changed: set[str] = field(default_factory=set)  # files saved just before the build
    page: bytes = b""  # the error page, rendered once when the build failed

    def ordered(self) -> list[ContentError]:
        """The files just saved first (one broken line there can cascade into many errors
        elsewhere, e.g. every reference to the facts of a facts.yaml that no longer parses),
        then errors before warnings."""
        return sorted(self.problems, key=lambda p: (p.path not in self.changed, p.severity != "error", p.sort_key))

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems) or 1

    def key(self) -> str:
        return self.message + "\n".join(p.format() for p in self.problems)


class Preview:
    """Rebuilds the site one build at a time and knows whether the last build worked."""

    def __init__(self, root: Path, output: Path, build: BuildFn, *, debug: bool = False,
                 out: Callable[[str], None] | None = None, err: Callable[[str], None] | None = None):
        self.root = root
        self.output = output
        self.build = build
        self.debug = debug
        self.say = out or _print
        self.warn = err or _eprint
        self.failure: Failure | None = None
        self.idle = asyncio.Event()
        self.idle.set()
        self.waiting_requests = 0
        self.generation = 0  # bumped whenever what the browser should show changed
        self.cookie = "preview_build"  # per port (set by application()): cookies ignore ports
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="build")
        self._fingerprint = ""

    async def rebuild(self, changed: set[str]) -> bool:
        """Build once (in a worker thread) and reload the browsers if what they show changed."""
        self.idle.clear()
        try:
            failure, fingerprint = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._build_and_report, changed)
            self.failure = failure
        finally:
            self.idle.set()
        if fingerprint == self._fingerprint:
            return False
        self._fingerprint = fingerprint
        self.generation += 1
        reload_browsers()
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
            if self.debug:
                self.warn(traceback.format_exc().rstrip())
            text = (f"internal error ({type(exc).__name__}: {exc}). This is a bug in the generator, "
                    "not in your content; rerun with --debug for the traceback and please report it.")
            if isinstance(exc, OSError):
                text = f"could not write the site: {exc}"
            self.warn(f"error: {text}")
            return Failure(message=text), f"failed:{text}"
        seconds = time.perf_counter() - started
        warnings = list(getattr(result, "warnings", []) or [])
        for warning in warnings:
            self.warn(warning.format())
        verb = "built" if not changed else "rebuilt"
        self.say(f"{verb} {terminal.display(self.output, folder=True)} in {seconds:.2f} s{what}"
                 + (f", {len(warnings)} warning(s)" if warnings else ""))
        return None, "ok:" + _pages_digest(getattr(result, "pages", None))


def _pages_digest(pages: dict[str, bytes] | None) -> str:
    if pages is None:
        return str(time.monotonic())  # unknown result: always reload
    digest = hashlib.sha256()
    for name in sorted(pages):
        digest.update(name.encode() + b"\0" + hashlib.sha256(pages[name]).digest())
    return digest.hexdigest()


def _describe(changed: set[str]) -> str:
    if not changed:
        return ""
    names = sorted(changed)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f" after {len(names)} change(s): {shown}"




def _print(text: str) -> None:
    print(text, flush=True)


def _eprint(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


RELOAD = {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}


def reload_browsers() -> None:
    """Tell every connected page to reload now (livereload's protocol, without its 3 s guard)."""
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(RELOAD)
        except WebSocketClosedError:
            LiveReloadHandler.waiters.discard(waiter)


# ---------------------------------------------------------------- the error page


_PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def error_page(failure: Failure, root: Path) -> bytes:
    """The page shown instead of the site while the last build failed."""
    ordered = failure.ordered()
    shown = [excerpt(p, root) for p in ordered[:MAX_EXCERPTS]]
    html = _PAGES.get_template("serve_error.html").render(
        title="Build failed", failure=failure, shown=shown, more=ordered[MAX_EXCERPTS:], errors=failure.errors,
        warnings=sum(p.severity == "warning" for p in failure.problems))
    return html.encode("utf-8")


def not_found_page(path: str) -> bytes:
    return _PAGES.get_template("serve_error.html").render(
        title="Not found", failure=Failure(message=f"Nothing in the built site at {path}."),
        shown=[], more=[], errors=0, warnings=0).encode("utf-8")


def excerpt(problem: ContentError, root: Path, context: int = CONTEXT_LINES) -> ShownProblem:
    """The lines around a problem, read from the project (never from outside it)."""
    path = (root / problem.path).resolve()
    try:
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return ShownProblem(problem, [], -1)
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ShownProblem(problem, [], -1)
    if not 1 <= problem.line <= len(lines):
        return ShownProblem(problem, [], -1)
    first, last = max(1, problem.line - context), min(len(lines), problem.line + context)
    shown = [Line(n, lines[n - 1].expandtabs(4), n == problem.line) for n in range(first, last + 1)]
    marked = lines[problem.line - 1]
    caret = len(marked[: problem.column - 1].expandtabs(4)) if problem.column >= 1 else -1
    return ShownProblem(problem, shown, caret)


# ---------------------------------------------------------------- HTTP


def site_file(output: Path, raw_path: str) -> Path | None:
    """Map a request path to a file under output/, or None when it tries to leave output/.

    The raw (still percent-encoded) path is decoded once, then every segment is checked, so
    `/../x`, `/%2e%2e/x`, `//etc/passwd` and `\\`-separated tricks are refused; a symlink that
    points outside output/ is refused too.
    """
    if not raw_path.startswith("/"):
        return None
    decoded = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    if "\0" in decoded or "\\" in decoded:
        return None
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts) or any(part == "" for part in parts[:-1]):
        return None
    base = output.resolve()
    target = base.joinpath(*[p for p in parts if p])
    if target.is_dir():
        target = target / "index.html"
    resolved = target.resolve()
    if not resolved.is_relative_to(base):
        return None
    return resolved


class PreviewSocket(LiveReloadHandler):
    """livereload's WebSocket, plus a catch-up for a page whose build was replaced while it loaded.

    Without it, a save that lands between a page load and its socket handshake (tens of ms) never
    reaches that page. Each HTML response carries the build generation in a cookie; the socket
    handshake sends it back, and a page older than the current build is reloaded at once.
    """

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)
        if self in LiveReloadHandler.waiters and self._page_is_stale():
            self.send_message(RELOAD)

    def _page_is_stale(self) -> bool:
        seen = self.get_cookie(self.preview.cookie, "")
        return seen.isdigit() and int(seen) < self.preview.generation


class SiteHandler(web.RequestHandler):
    """Serves output/ (or the error page while the last build failed), never from a build in progress."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def compute_etag(self) -> None:
        return None  # always fresh: the preview changes under the browser's feet

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    async def get(self) -> None:
        await self.respond(include_body=True)

    async def head(self) -> None:
        await self.respond(include_body=False)

    async def respond(self, include_body: bool) -> None:
        await self.preview.wait_until_built()
        try:
            target = site_file(self.preview.output, self.request.path)
        except UnicodeDecodeError:
            target = None
        if target is None:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("403 forbidden: only files of the built site are served\n")
            return
        failure = self.preview.failure
        if failure is not None and (target.suffix == ".html" or not target.is_file()):
            self.send(failure.page or error_page(failure, self.preview.root), "text/html; charset=utf-8", 500,
                      include_body)
            return
        try:
            data = target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            self.send(not_found_page(self.request.path), "text/html; charset=utf-8", 404, include_body)
            return
        self.send(data, content_type(target), 200, include_body)

    def send(self, data: bytes, ctype: str, status: int, include_body: bool) -> None:
        self.set_status(status)
        if ctype.startswith("text/html"):
            self.set_cookie(self.preview.cookie, str(self.preview.generation), samesite="Strict")
        self.set_header("Content-Type", ctype)
        if include_body:
            self.finish(data)
        else:
            self.set_header("Content-Length", str(len(data)))
            self.finish()


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/javascript", "application/json", "image/svg+xml"):
        return guessed + "; charset=utf-8"
    return guessed


def application(preview: Preview, port: int) -> web.Application:
    """livereload's WebSocket and client script, and our own handler for the site."""
    preview.cookie = f"preview_build_{port}"

    class Injector(LiveScriptInjector):
        # An external script (not inline) so a page's own Content-Security-Policy with
        # script-src 'self' does not block the reload.
        script = f'<script src="/livereload.js?port={port}" defer></script>'.encode()

    return web.Application(
        [(r"/livereload", PreviewSocket, {"preview": preview}),
         (r"/livereload\.js", LiveReloadJSHandler),
         (r"/.*", SiteHandler, {"preview": preview})],
        transforms=[Injector],
        debug=False,
        log_function=lambda _handler: None,  # no access log: the terminal is for build results
    )


# ---------------------------------------------------------------- watching


_dir_filter = watchfiles.DefaultFilter()  # skips editors' swap and backup files, .git, caches


class Watcher:
    """Reports saves under the watched folders and to site.yaml, grouped into change sets.

    site.yaml is watched through its folder (not recursively: the project folder also holds
    .venv/ and output/), so editors that save by replacing the file are seen too. When a watched
    folder appears or is replaced, its watch is restarted.
    """

    def __init__(self, root: Path, changes: asyncio.Queue[set[str]]):
        self.root = root
        self.changes = changes
        self.stop = asyncio.Event()
        self._restart = asyncio.Event()

    async def run(self) -> None:
        root_task = asyncio.create_task(self._watch_root())
        try:
            while not self.stop.is_set():
                self._restart.clear()
                folders = [self.root / d for d in WATCHED_DIRS if (self.root / d).is_dir()]
                if folders:
                    await self._watch(folders, until=self._restart)
                else:
                    await _first(self._restart.wait(), self.stop.wait())
        finally:
            self.stop.set()
            await root_task

    async def _watch_root(self) -> None:
        names = set(WATCHED_FILES) | set(WATCHED_DIRS)

        def keep(change: watchfiles.Change, path: str) -> bool:
            return Path(path).parent == self.root and Path(path).name in names

        async for batch in watchfiles.awatch(self.root, watch_filter=keep, recursive=False, step=WATCH_STEP_MS,
                                             stop_event=self.stop, ignore_permission_denied=True):
            if any(Path(p).name in WATCHED_DIRS for _c, p in batch):
                self._restart.set()
            self.changes.put_nowait({p for _c, p in batch})

    async def _watch(self, folders: list[Path], until: asyncio.Event) -> None:
        combined = _AnyEvent(self.stop, until)
        try:
            async for batch in watchfiles.awatch(*folders, watch_filter=_dir_filter,
                                                 step=WATCH_STEP_MS, stop_event=combined,
                                                 ignore_permission_denied=True):
                self.changes.put_nowait({p for _c, p in batch})
        except (FileNotFoundError, RuntimeError) as exc:  # a watched folder vanished
            self.changes.put_nowait({str(folders[0])})
            _eprint(f"note: watching paused ({exc}); it resumes when the folder is back")
            await _first(until.wait(), self.stop.wait())


class _AnyEvent:
    """Looks like one event to watchfiles; set when either of two events is."""

    def __init__(self, *events: asyncio.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)

    def set(self) -> None:
        for event in self.events:
            event.set()


async def _first(*awaitables) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()


# ---------------------------------------------------------------- the command


def serve(root: Path, output: Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          strict: bool = False, debug: bool = False) -> int:
    """`build.py serve`: returns the exit code (0 after Ctrl-C, 2 when the address can't be used)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    check_output_dir(output, root)

    def build(root: Path, output: Path) -> pipeline.BuildResult:
        return pipeline.build(root, output, base_url=base_url, strict=strict)

    try:
        return asyncio.run(_serve(root, output, host, port, build, debug))
    except KeyboardInterrupt:  # Ctrl-C before the server was up
        _print("stopped")
        return EXIT_OK


async def _serve(root: Path, output: Path, host: str, port: int, build: BuildFn, debug: bool) -> int:
    try:
        sockets = netutil.bind_sockets(port, address=host)
    except (OSError, socket.gaierror) as exc:
        print(f"error: {_bind_problem(host, port, exc)}", file=sys.stderr, flush=True)
        return EXIT_USAGE
    bound = sockets[0].getsockname()[1]
    preview = Preview(root, output, build, debug=debug)
    server = httpserver.HTTPServer(application(preview, bound))
    server.add_sockets(sockets)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    changes: asyncio.Queue[set[str]] = asyncio.Queue()
    watcher = Watcher(root, changes)
    watch_task = asyncio.create_task(watcher.run())
    await preview.rebuild(set())
    if not _is_loopback(host):
        _eprint(f"warning: listening on {host}: anyone who can reach this machine can read the preview, "
               "unpublished drafts included; use --host 127.0.0.1 to keep it private")
    watched = ", ".join([*WATCHED_FILES, *(d + "/" for d in WATCHED_DIRS)])
    _print(f"serving http://{_url_host(host)}:{bound}/ (watching {watched}); press Ctrl-C to stop")
    build_task = asyncio.create_task(_rebuild_on_changes(preview, changes, root))
    await stop.wait()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
    watcher.stop.set()
    build_task.cancel()
    server.stop()
    for waiter in list(LiveReloadHandler.waiters):
        waiter.close()
    await asyncio.gather(watch_task, build_task, return_exceptions=True)
    await server.close_all_connections()
    preview.close()
    _print("stopped")
    return EXIT_OK


async def _rebuild_on_changes(preview: Preview, changes: asyncio.Queue[set[str]], root: Path) -> None:
    """One rebuild per change set; sets that arrive during a build are merged into the next one."""
    while True:
        batch = await changes.get()
        while not changes.empty():
            batch |= changes.get_nowait()
        await preview.rebuild({_relative(p, root) for p in batch})


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1" if host != "::" else "[::1]"
    return f"[{host}]" if ":" in host else host


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"port {port} on {host} is already in use (is another preview running?); "
                f"stop it, or choose another port: --port {port + 1 if port < 65535 else 8001}")
    if exc.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; ports below 1024 need admin rights, use e.g. --port 8000"
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on host '{host}': {exc.strerror or exc}; use --host 127.0.0.1"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"

