"""Stage 5: write the site atomically — build aside, then swap it in whole.

The new site is written into a temporary directory beside the output directory and exchanged
with the old one in a single ``renameat2(RENAME_EXCHANGE)`` call on Linux, so a failed or killed
build never leaves ``output/`` missing, empty or mixed. Where that call is not available the
swap falls back to two renames (a window of microseconds without ``output/``).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from pathlib import Path

from .errors import UsageError

_PREFIX = ".output-"
STALE_SECONDS = 60
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_output_dir(output: Path, root: Path) -> None:
    """Refuse an output directory that is, or holds, the project's sources."""
    out, root = output.resolve(), root.resolve()
    if out == root or root.is_relative_to(out) or any(out == root / d or out.is_relative_to(root / d)
                                                         for d in ("content", "templates", "seeds", "static", "tests")):
        raise UsageError(f"refusing to write the site to {output}: it would overwrite the project's sources")
    if out.exists() and not out.is_dir():
        raise UsageError(f"the output path {output} exists and is not a directory")


def write_site(pages: dict[str, bytes], output: Path) -> None:
    """Write every page into a fresh directory, then swap it in place of ``output``."""
    parent = output.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(parent, output.name)
    staging = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{output.name}-", dir=parent))
    try:
        for rel, data in sorted(pages.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staging, 0o755)
        _swap_in(staging, output.resolve())
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _remove_stale(parent: Path, name: str) -> None:
    """Clear leftovers of a build that was killed before it could tidy up.

    Only leftovers older than a minute go, so a build running alongside keeps its staging area.
    """
    now = time.time()
    for leftover in parent.glob(f"{_PREFIX}{name}-*"):
        try:
            if now - leftover.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


def _swap_in(staging: Path, output: Path) -> None:
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        return  # staging now holds the old site; the caller removes it
    old = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{output.name}-old-", dir=output.parent))
    os.rmdir(old)
    os.rename(output, old)
    os.rename(staging, output)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two directories (Linux renameat2); False where unsupported."""
    import ctypes  # only when an old site is swapped out; not ctypes.util, whose lookup runs ldconfig

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the running process's symbols, libc's among them
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))
