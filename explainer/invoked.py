"""How this command line was started, so that what it prints names a command the user can type.

`explainer`, `python -m explainer` and, in the generator's repository, `python build.py` are the
same command line; only the first exists everywhere, and build.py does not exist outside the
repository. So `--help` names the command as it was run, and texts written into a project's files
name it neutrally (`explainer archive`), never build.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def prog(argv0: str | None = None) -> str:
    """The command as the user ran it, for `--help`: `explainer`, `python -m explainer` or `build.py`."""
    path = Path(sys.argv[0] if argv0 is None else argv0)
    if path.name == "__main__.py" and path.resolve().parent == PACKAGE:
        return "python -m explainer"
    if path.name == "build.py":
        return "build.py"
    return "explainer"  # the console script, or main() called from Python (the tests)
