"""A program started by a forked child once the child has written its input: the writing on another core.

A cold build of a split story starts Pagefind (pagefind.py) after writing its records as pages:
0.09 s at 10,000 facts and 0.3 s at 50,000, on the build's critical path, while the second core
waits for Pagefind. ``ForkedExec`` forks; the child writes the input and then becomes the program
(``os.execve``), so the build goes on at once. It is waited on, polled, signalled and killed as the
``subprocess.Popen`` it stands for. The child touches only what it writes (the records, already
made here), so it copies little of the build's memory before the program replaces it.

Where the child cannot write the input or start the program, it writes why to the program's
stderr and exits with EXIT_FAILED: the caller reports it as the program failing, with that message
(pagefind.Indexing: "Pagefind failed (OSError: …)", and the site is built without search).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable

EXIT_FAILED = 127  # the shell's "command not found": the child could not write its input or exec


class ForkedExec:
    """``prepare()`` run in a forked child, which then runs ``argv`` in ``cwd`` with ``env``, its stdin and
    stdout on /dev/null and its stderr on the file descriptor ``stderr``."""

    def __init__(self, prepare: Callable[[], object], argv: list[str], env: dict[str, str], cwd: str,
                 stderr: int):
        self.args = argv
        self.returncode: int | None = None
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child (coverage does not follow a fork)
            _become(prepare, argv, env, cwd, stderr)

    def poll(self) -> int | None:
        """The program's exit code, or None while it runs (as Popen.poll)."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the program to end (as Popen.wait; raises subprocess.TimeoutExpired)."""
        if timeout is None:
            if self.returncode is None:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            return self.returncode
        deadline = time.monotonic() + timeout
        delay = 0.0005
        while self.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.005)  # Popen's own loop waits up to 50 ms after the end
        return self.returncode

    def send_signal(self, signal: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)


def _become(prepare: Callable[[], object], argv: list[str], env: dict[str, str], cwd: str,
            stderr: int) -> None:  # pragma: no cover - runs in the forked child
    """Write the input, then become the program; never return. If either fails, the reason goes to
    ``stderr`` (the caller shows it as the program's message) and the exit code is EXIT_FAILED."""
    try:
        prepare()
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(stderr, 2)
        os.chdir(cwd)
        os.execve(argv[0], argv, env)
    except BaseException as exc:
        with contextlib.suppress(BaseException):
            os.write(stderr, f"{type(exc).__name__}: {exc}".encode("utf-8", "replace"))
    os._exit(EXIT_FAILED)
