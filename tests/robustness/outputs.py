"""The output corpus: where an editor points ``--output``, and what the disk does while the site is written.

Each case is a folder state (``setup``, given the scratch folder that holds the project ``site/``),
an ``--output`` (relative to that folder), an optional fault injected into the file system calls
(conditions a test cannot make for real: a full disk, a read-only or busy mount), and the exact
stderr and exit code it must give. Whatever happens, the target folder and the previous
``output/`` keep every byte, no staging folder is left behind, and there is never a traceback
or "internal error".
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from explainer import write


@dataclass(frozen=True)
class OutputCase:
    id: str
    output: str
    expect: str
    code: int
    setup: Callable[[Path], None] | None = None
    fault: Callable[[pytest.MonkeyPatch], None] | None = None


def _folder_of_files(rel: str) -> Callable[[Path], None]:
    def make(base: Path) -> None:
        (base / rel).mkdir(parents=True, exist_ok=True)
        (base / rel / "letter.txt").write_text("keep me\n")

    return make


def _file(rel: str) -> Callable[[Path], None]:
    def make(base: Path) -> None:
        (base / rel).write_text("a file\n")

    return make


def _loop(base: Path) -> None:
    (base / "loop").symlink_to("loop")


def _fail(code: int, where: str) -> Callable[[pytest.MonkeyPatch], None]:
    """Make one file system call fail with ``code``, as the real condition would."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        def failing(*args: object, **kwargs: object) -> None:
            raise OSError(code, os.strerror(code), str(args[0]) if args else None)

        if where == "write":  # a full disk fails the first file it cannot hold
            real = write._write_file
            count = []

            def fill(path: Path, data: bytes) -> None:
                count.append(path)
                if len(count) > 3:
                    failing(path)
                real(path, data)

            monkeypatch.setattr(write, "_write_file", fill)
        elif where == "staging":  # the output's folder cannot be written at all
            monkeypatch.setattr(write.tempfile, "mkdtemp",  # the error names the folder it would have made
                                lambda *a, **k: failing(Path(k["dir"]) / f"{k['prefix']}x1y2z3"))
        elif where == "swap":  # output/ is a mount point: the kernel will not rename it
            monkeypatch.setattr(write, "_exchange", lambda a, b: failing(b))

    return inject


KEPT = "{out} still holds the previous site"
REFUSED_HINT = ("choose a new or empty folder with --output; "
                "a build only replaces a folder holding its .explainer-build file")

CASES: list[OutputCase] = [
    # --- never a folder that is not ours ------------------------------------------------------
    OutputCase("output-is-git", "site/.git", """
        error: refusing to write the site to {out}: it would overwrite the project's sources
            hint: choose a folder of its own, e.g. --output output
        """, 2, setup=_folder_of_files("site/.git")),
    OutputCase("output-is-the-project", "site", """
        error: refusing to write the site to {out}: it would overwrite the project's sources
            hint: choose a folder of its own, e.g. --output output
        """, 2),
    OutputCase("output-holds-the-project", ".", """
        error: refusing to write the site to {out}: it would overwrite the project's sources
            hint: choose a folder of its own, e.g. --output output
        """, 2),
    OutputCase("output-inside-content", "site/content/site", """
        error: refusing to write the site to {out}: it would overwrite the project's sources
            hint: choose a folder of its own, e.g. --output output
        """, 2),
    OutputCase("output-is-someone-elses-folder", "Documents", f"""
        error: refusing to replace {{out}}: it holds files that build.py did not write
            hint: {REFUSED_HINT}
        """, 2, setup=_folder_of_files("Documents")),
    OutputCase("output-is-a-file", "notes.txt", """
        error: the output path {out} exists and is not a directory
            hint: choose another --output, or remove that file
        """, 2, setup=_file("notes.txt")),
    OutputCase("output-parent-is-a-file", "notes.txt/site", """
        error: cannot create {out}: {base}/notes.txt is a file, not a folder
            hint: choose another --output, or remove or rename that file
        """, 2, setup=_file("notes.txt")),
    OutputCase("output-symlink-loop", "loop", """
        error: the output path {out} is a loop of symbolic links
            hint: remove the link, or choose another --output
        """, 2, setup=_loop),
    # --- the disk and the file system fail: the previous site stays -----------------------------
    OutputCase("disk-full", "site/output", f"""
        error: the disk is full: the new site could not be written beside {{out}}
            hint: free some space and build again; {KEPT}
        """, 1, fault=_fail(errno.ENOSPC, "write")),
    OutputCase("read-only-parent", "site/output", f"""
        error: cannot write to {{base}}/site: the file system is read-only
            hint: choose another --output on a writable disk; {KEPT}
        """, 2, fault=_fail(errno.EROFS, "staging")),
    OutputCase("permission-denied", "site/output", f"""
        error: cannot write to {{base}}/site: permission denied
            hint: choose another --output, or make the folder writable; {KEPT}
        """, 2, fault=_fail(errno.EACCES, "staging")),
    OutputCase("output-is-a-mount-point", "site/output", f"""
        error: cannot replace {{out}}: it is a mount point, or on another disk than its folder
            hint: write into a folder inside it instead, e.g. --output {{out}}/site; {KEPT}
        """, 2, fault=_fail(errno.EBUSY, "swap")),
    OutputCase("output-on-another-disk", "site/output", f"""
        error: cannot replace {{out}}: it is a mount point, or on another disk than its folder
            hint: write into a folder inside it instead, e.g. --output {{out}}/site; {KEPT}
        """, 2, fault=_fail(errno.EXDEV, "swap")),
    OutputCase("input-output-error", "site/output", f"""
        error: could not write the site to {{out}}: Input/output error
            hint: check the disk and the folder, then build again; {KEPT}
        """, 1, fault=_fail(errno.EIO, "write")),
]

__all__ = ["CASES", "OutputCase"]
