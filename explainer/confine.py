"""Nothing outside the project is read: symbolic links that lead out of it are refused first.

The build reads site.yaml, content/, seeds/, templates/, static/ and locales/. A link among them that
resolves outside the project folder would publish a file from elsewhere on the machine
(``static/env.txt -> /proc/self/environ``, a template linked to ``~/.aws/credentials``), so the
inputs are scanned before anything is read, and each such link is an error. A link that stays
inside the project is fine, and is followed (once: a cycle of folders is not walked forever).
Hard links are ordinary files and are out of reach of any such check.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import Problems

INPUTS = ("site.yaml", "content", "seeds", "templates", "static", "locales")


def refuse_links_out(root: Path, problems: Problems) -> None:
    """Report each link under the inputs that leads out of the project, or round in a loop."""
    for link, message, hint in links_out(root):
        problems.error(link, 1, 1, message, hint)


def links_out(root: Path) -> list[tuple[Path, str, str]]:
    """(link, message, hint) for every bad symbolic link among the inputs, in path order.

    One ``scandir`` per folder tells links and folders apart without a system call per file,
    so the scan stays a few milliseconds on tens of thousands of archived sources.
    """
    real_root = root.resolve()
    found = []
    seen: set[str] = set()
    stack = [(root / name, os.path.islink(root / name)) for name in INPUTS]
    while stack:
        path, is_link = stack.pop()
        if is_link:
            problem = _leads_out(path, real_root)
            if problem:
                found.append((path, *problem))
                continue
        if not os.path.isdir(path):
            continue
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        try:
            with os.scandir(path) as entries:
                stack.extend((Path(e.path), e.is_symlink()) for e in entries
                             if e.is_symlink() or e.is_dir(follow_symlinks=False))
        except OSError:
            continue  # unreadable: the stage that needs it says so
    return sorted(found)


def _leads_out(link: Path, real_root: Path) -> tuple[str, str] | None:
    try:
        target = link.resolve(strict=False)
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a loop
        return ("this symbolic link leads round in a loop", "remove the link, or point it at a real file")
    if target.is_relative_to(real_root):
        return None
    return (f"this is a link to {target}, outside the project",
            "the build reads nothing outside the project folder: copy the file in instead of linking to it")


def inside(path: Path | str, root: Path) -> bool:
    """Does ``path``, links followed, stay inside ``root``? (For readers that open files by name.)"""
    try:
        return Path(path).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False
