"""Live preview (`explainer serve`): build, serve output/, rebuild on every save and reload the open browser.

The pieces, one module each:
- ``serve_builds``: one build at a time in a worker thread, and what the last build gave;
- ``serve_page``: the error page shown while the last build failed (only a window of each file);
- ``serve_http``: which hosts it answers, the files it serves, the live-reload WebSocket;
- ``serve_watch``: the watch-and-rebuild loop, which survives any error;
- this module: the command, which binds the port and runs them until Ctrl-C.

The browser side is ``serve_client.js``, our own: it speaks livereload.js's protocol, and on a
save updates the open page in place (a full reload when its stylesheets or scripts changed).
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tornado import httpserver, netutil

from . import held, pipeline
from .errors import UsageError
from .incremental import IncrementalBuilder
from .serve_builds import BuildFn, MidSaveFn, Preview, UnchangedFn, WriteFn
from .serve_http import Hosts, application
from .serve_watch import WATCHED_DIRS, WATCHED_FILES, Watcher, rebuild_on_changes
from .terminal import one_line, to_stderr, to_stdout
from .write import check_output_dir, write_site

EXIT_OK, EXIT_USAGE = 0, 2


def serve(root: Path, output: Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          strict: bool = False, debug: bool = False) -> int:
    """`explainer serve`: returns the exit code (0 after Ctrl-C, 2 when the address can't be used)."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    check_output_dir(output, root)

    # One for the session: each rebuild redoes only what changed; search is indexed in the background.
    # Its large files (the exports) are written once the browsers were told to reload (Preview.rebuild).
    builder = IncrementalBuilder(background_search=True, write_large_later=True)
    held.map_large_blocks()  # a save's largest blocks go back to the system once freed, not at its end

    def build(root: Path, output: Path) -> pipeline.BuildResult:
        return builder.build(root, output, base_url=base_url, strict=strict)

    def write(pages: dict[str, Any], output: Path) -> None:  # a new search index: only the files that changed
        write_site(pages, output, builder.cache.written)
        builder.write_later()  # nothing waits for this write: its large files too, at once

    try:
        return asyncio.run(_serve(root, output, host, port, build, debug, write, builder.unchanged,
                                  builder.read_mid_save, builder.write_later))
    except KeyboardInterrupt:  # Ctrl-C before the server was up
        to_stdout("stopped")
        return EXIT_OK
    finally:
        builder.close()  # a Pagefind still indexing in the background


async def _serve(root: Path, output: Path, host: str, port: int, build: BuildFn, debug: bool,
                 write: WriteFn | None = None, unchanged: UnchangedFn | None = None,
                 read_mid_save: MidSaveFn | None = None, write_later: Callable[[], None] | None = None) -> int:
    try:
        sockets = netutil.bind_sockets(port, address=host)
    except (OSError, socket.gaierror) as exc:
        to_stderr(f"error: {_bind_problem(host, port, exc)}")
        return EXIT_USAGE
    quiet_network_noise(debug)
    bound = sockets[0].getsockname()[1]
    preview = Preview(root, output, build, debug=debug, write=write, unchanged=unchanged, read_mid_save=read_mid_save,
                      write_later=write_later)
    app = application(preview, bound, Hosts.for_bind(host))
    server = httpserver.HTTPServer(app)
    server.add_sockets(sockets)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    changes: asyncio.Queue[set[str]] = asyncio.Queue()
    watcher = Watcher(root, changes)
    watch_task = asyncio.create_task(watcher.run())
    await preview.rebuild(set())
    await asyncio.sleep(0)  # a Ctrl-C that came in with the build's end is handled (stop set) before the check
    build_task = None
    if not stop.is_set():  # Ctrl-C during the first build: stop, without announcing a preview that never runs
        if not _is_loopback(host):
            to_stderr(f"warning: listening on {host}: anyone who can reach this machine can read the preview, "
                      "unpublished drafts included; use --host 127.0.0.1 to keep it private")
        watched = ", ".join([*WATCHED_FILES, *(d + "/" for d in WATCHED_DIRS)])
        to_stdout(f"serving http://{_url_host(host)}:{bound}/ (watching {watched}); press Ctrl-C to stop")
        build_task = asyncio.create_task(rebuild_on_changes(preview, changes, root))
        await stop.wait()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
    watcher.stop.set()
    if build_task is not None:
        build_task.cancel()
    server.stop()
    app.settings["browsers"].close_all()
    await asyncio.gather(watch_task, *([build_task] if build_task else []), return_exceptions=True)
    await server.close_all_connections()
    preview.close()
    to_stdout("stopped")
    return EXIT_OK


NOISE_LOGS = ("tornado.general", "tornado.access", "asyncio")  # what clients cause: junk, resets, scans
BUG_LOGS = ("tornado.application",)  # a request handler that raised: a bug in the preview


class _OneLine(logging.Handler):
    """A request handler's failure as one line, without the traceback (which --debug shows)."""

    def emit(self, record: logging.LogRecord) -> None:
        what = (record.getMessage().splitlines() or ["a request"])[0]
        cause = f": {one_line(record.exc_info[1])}" if record.exc_info and record.exc_info[1] else ""
        to_stderr(f"error: internal error in the preview ({what}{cause}); rerun with --debug for the traceback")


def quiet_network_noise(debug: bool) -> None:
    """What browsers and port scanners send (junk frames, broken handshakes, dropped connections)
    is no news for the editor's terminal, which is for build results. A request handler that
    raised is a bug: one line. ``--debug`` shows all of it with tracebacks."""
    for name in (*NOISE_LOGS, *BUG_LOGS):
        log = logging.getLogger(name)
        log.propagate = False
        if debug:
            log.handlers[:] = [logging.StreamHandler()]
            log.setLevel(logging.WARNING)
        elif name in BUG_LOGS:
            log.handlers[:] = [_OneLine()]
            log.setLevel(logging.ERROR)
        else:
            log.handlers[:] = [logging.NullHandler()]


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
