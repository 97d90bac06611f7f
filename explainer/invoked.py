"""How this command line was started, so that what it prints names a command the user can type.

`explainer`, `python -m explainer`, and in the generator's repository `python build.py` and
`./dev` (which runs `python -m explainer` with EXPLAINER_COMMAND set to its own path) are the same
command line; only the first two exist outside the repository. So `--help` names the command as
it was run, texts written into a project's files name it neutrally (`explainer archive`), never
build.py, and `init` prints a command that works in the new folder for how it was itself started.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DEV_VARIABLE = "EXPLAINER_COMMAND"  # set by ./dev to its own path: it acts on the folder it is run in


def prog(argv0: str | None = None) -> str:
    """The command as the user ran it, for `--help`: `explainer`, `python -m explainer`, `build.py`, `./dev`."""
    if script := os.environ.get(DEV_VARIABLE):
        return _relative(Path(script), Path.cwd())
    path = Path(sys.argv[0] if argv0 is None else argv0)
    if path.name == "__main__.py" and path.resolve().parent == PACKAGE:
        return "python -m explainer"
    if path.name == "build.py":
        return "build.py"
    return "explainer"  # the console script, or main() called from Python (the tests)


def command_in(folder: Path) -> str:
    """A command that runs this same generator on ``folder`` when typed there (before `serve`, `check`…)."""
    if script := os.environ.get(DEV_VARIABLE):
        return _relative(Path(script), folder)
    argv0 = Path(sys.argv[0])
    if argv0.name == "explainer":  # the console script pip installed
        return "explainer" if _on_path("explainer", argv0) else shlex.quote(os.path.abspath(argv0))
    python = _python()
    if _importable_anywhere():
        return f"{python} -m explainer"
    build = PACKAGE.parent / "build.py"  # a checkout run from its own folder: the package imports only there
    return f"{python} {shlex.quote(str(build))} --project ." if build.is_file() else f"{python} -m explainer"


def _relative(script: Path, folder: Path) -> str:
    """``script`` as typed in ``folder``: `./dev`, `../explainer/dev`."""
    shown = os.path.relpath(script, folder.resolve())
    return shlex.quote(shown if os.sep in shown else f".{os.sep}{shown}")


def _on_path(name: str, path: Path) -> bool:
    found = shutil.which(name)
    return found is not None and os.path.abspath(found) == os.path.abspath(path)


def _python() -> str:
    """This interpreter as the user can type it: its name when PATH finds this one, else its path."""
    for name in ("python3", "python"):
        if _on_path(name, Path(sys.executable)):
            return name
    return shlex.quote(sys.executable)


def _importable_anywhere() -> bool:
    """Is the package importable from any folder, not only through the script's or the current folder?"""
    return any(Path(entry or ".").resolve() == PACKAGE.parent for entry in sys.path[1:])
