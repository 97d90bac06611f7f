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
    code: int
    error: str  # the stderr is exactly "error: {error}\n    hint: {hint}", with {out} and {base} filled in
    hint: str
    setup: Callable[[Path], None] | None = None
    fault: Callable[[pytest.MonkeyPatch], None] | None = None

    @property
    def expect(self) -> str:
        return f"error: {self.error}\n    hint: {self.hint}"


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
OVERWRITES_SOURCES = ("refusing to write the site to {out}: it would overwrite the project's sources",
                      "choose a folder of its own, e.g. --output output")
MOUNT_POINT = ("cannot replace {out}: it is a mount point, or on another disk than its folder",
               "write into a folder inside it instead, e.g. --output {out}/site")

CASES: list[OutputCase] = [
    # --- never a folder that is not ours ------------------------------------------------------
    *(OutputCase(case_id, output, 2, *OVERWRITES_SOURCES, setup=setup) for case_id, output, setup in [
        ("output-is-git", "site/.git", _folder_of_files("site/.git")),
        ("output-is-the-project", "site", None),
        ("output-holds-the-project", ".", None),
        ("output-inside-content", "site/content/site", None),
    ]),
    OutputCase("output-is-someone-elses-folder", "Documents", 2,
               "refusing to replace {out}: it holds files that the explainer generator did not write",
               "choose a new or empty folder with --output; "
               "a build only replaces a folder holding its .explainer-build file", setup=_folder_of_files("Documents")),
    OutputCase("output-is-a-file", "notes.txt", 2, "the output path {out} exists and is not a directory",
               "choose another --output, or remove that file", setup=_file("notes.txt")),
    OutputCase("output-parent-is-a-file", "notes.txt/site", 2,
               "cannot create {out}: {base}/notes.txt is a file, not a folder",
               "choose another --output, or remove or rename that file", setup=_file("notes.txt")),
    OutputCase("output-symlink-loop", "loop", 2, "the output path {out} is a loop of symbolic links",
               "remove the link, or choose another --output", setup=_loop),
    # --- the disk and the file system fail while site/output is written: the previous site stays --
    *(OutputCase(case_id, "site/output", code, error, f"{hint}; {KEPT}", fault=_fail(number, call))
      for case_id, code, number, call, (error, hint) in [
        ("disk-full", 1, errno.ENOSPC, "write", ("the disk is full: the new site could not be written beside {out}",
                                                 "free some space and build again")),
        ("read-only-parent", 2, errno.EROFS, "staging", ("cannot write to {base}/site: the file system is read-only",
                                                         "choose another --output on a writable disk")),
        ("permission-denied", 2, errno.EACCES, "staging", ("cannot write to {base}/site: permission denied",
                                                           "choose another --output, or make the folder writable")),
        ("output-is-a-mount-point", 2, errno.EBUSY, "swap", MOUNT_POINT),
        ("output-on-another-disk", 2, errno.EXDEV, "swap", MOUNT_POINT),
        ("input-output-error", 1, errno.EIO, "write", ("could not write the site to {out}: Input/output error",
                                                       "check the disk and the folder, then build again")),
    ]),
]

__all__ = ["CASES", "OutputCase"]
