"""The small exception tree: content problems an editor fixes, usage mistakes, and a failed build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentError:
    """One problem in the content, pinned to a file, line and column, with a hint on how to fix it.

    Problems are collected, not raised one by one, so an editor sees every mistake in one run.
    """

    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    severity: str = "error"

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.message)


class ExplainerError(Exception):
    """Base class for every error the command line reports without a traceback: one line, and a hint."""

    exit_code = 1

    def __init__(self, message: str = "", hint: str = ""):
        super().__init__(message)
        self.hint = hint


class BuildError(ExplainerError):
    """The content has errors (or warnings under --strict); nothing was written."""

    exit_code = 1

    def __init__(self, problems: list[ContentError]):
        self.problems = sorted(problems, key=lambda p: p.sort_key)
        errors = sum(p.severity == "error" for p in self.problems)
        super().__init__(f"{errors} error(s) in the content")


class UsageError(ExplainerError):
    """The command was called wrongly (bad option, unsafe output directory)."""

    exit_code = 2


class WriteError(ExplainerError):
    """The site could not be written (disk full, an I/O error); the previous output is kept."""

    exit_code = 1


class Problems:
    """Collects errors and warnings during one pass over the content."""

    def __init__(self, root: Path):
        self.root = root
        self.items: list[ContentError] = []
        # Each file named once per pass: a story in two languages can warn 25,000 times about the
        # same few files, and resolving a path asks the system about each of its parts (1.2 s).
        self._named: dict[Path | str, str] = {}

    def relpath(self, path: Path | str) -> str:
        named = self._named.get(path)
        if named is None:
            named = self._named[path] = self._relpath(Path(path))
        return named

    def _relpath(self, path: Path) -> str:
        try:  # the folder resolved, not the file: a link is named as itself, not as where it leads
            return (path.parent.resolve() / path.name).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def error(self, path: Path | str, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(ContentError(self.relpath(path), line, column, message, hint))

    def warning(self, path: Path | str, line: int, column: int, message: str, hint: str = "") -> None:
        self.items.append(ContentError(self.relpath(path), line, column, message, hint, "warning"))

    @property
    def errors(self) -> list[ContentError]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[ContentError]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self, strict: bool = False) -> None:
        """Stop the build when anything is wrong; under --strict, warnings count too."""
        if self.errors or (strict and self.warnings):
            raise BuildError(self.items)
