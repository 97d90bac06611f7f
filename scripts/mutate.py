#!/usr/bin/env python3
"""Mutation testing, standard library only: do the tests notice when the code is wrong?

Each mutant is the module with one small change: a comparison flipped (``<`` → ``>=``), a
condition negated, ``and`` ↔ ``or``, ``+`` ↔ ``-``, a number, string or ``True``/``False``
replaced, a call statement deleted, a ``return`` value dropped. The module's fast tests run
against each mutant (in a scratch copy of the project, forked from a process that has imported pytest and the
libraries once, with a timeout); a mutant the tests
fail on is *killed*, one they pass on *survives* and is printed with its line. The score is
killed / (killed + survived); a mutant that does not compile is left out, one that times out
counts as killed (the tests noticed something: they hung).

    python scripts/mutate.py explainer/write.py              # the module's own fast tests
    python scripts/mutate.py explainer/dates.py --tests tests/test_dates.py --jobs 2
    python scripts/mutate.py explainer/write.py --list       # the mutants, without running them

Docstrings, imports, type annotations and lines marked ``# pragma: no mutate`` (for a change
that cannot be observed, say so next to it) are not mutated. The tests run under ``nice`` with
``pytest -x``, so a killed mutant costs little; the CPU stays modest with ``--jobs 1``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# A few seconds of tests per module that exercise it directly (pass --tests to choose others).
FAST_TESTS = {
    "write": ["tests/test_write.py", "tests/robustness/test_outputs.py"],
    "yamlsafe": ["tests/test_yamlsafe.py", "tests/test_yaml_events.py"],
    "yaml_builder": ["tests/test_yamlsafe.py", "tests/test_yaml_events.py"],
    "textfiles": ["tests/test_yamlsafe.py", "tests/test_yaml_events.py"],
    "verify": ["tests/test_verify.py", "tests/test_provenance.py", "tests/test_provenance_chain.py",
               "tests/test_normalise_fast.py", "tests/test_errors.py"],
    "dates": ["tests/test_dates.py"],
    "uncertain": ["tests/test_dates.py", "tests/test_uncertain_forms.py"],
}
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "output", "__pycache__", ".output-*", "*.pyc", ".hypothesis")
NO_MUTATE = "pragma: no mutate"

_FLIP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
         ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_ARITH = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult,
          ast.Mod: ast.FloorDiv, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr}


@dataclass(frozen=True)
class Mutant:
    line: int
    what: str
    source: str  # the whole mutated module


def _segment_replace(source: str, lines: list[int], node: ast.AST, text: str) -> str:
    """``source`` with ``node``'s own text replaced by ``text`` (every other character kept)."""
    start = lines[node.lineno - 1] + _col(source, lines, node.lineno, node.col_offset)
    end = lines[node.end_lineno - 1] + _col(source, lines, node.end_lineno, node.end_col_offset)
    return source[:start] + text + source[end:]


def _col(source: str, lines: list[int], lineno: int, byte_offset: int) -> int:
    """ast gives columns in UTF-8 bytes; turn one into a character offset within its line."""
    line = source[lines[lineno - 1]:]
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _skipped(tree: ast.AST, lines: list[str]) -> set[int]:
    """ids of nodes never mutated: docstrings, annotations, imports, f-string parts, __all__."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            mark(body[0])
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.JoinedStr)):
            mark(node)
        if isinstance(node, (ast.AnnAssign, ast.arg)):
            mark(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mark(node.returns)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            mark(node)
        if isinstance(node, ast.stmt) and not hasattr(node, "body") and NO_MUTATE in lines[node.lineno - 1]:
            mark(node)  # the pragma on a simple statement's first line covers all of it
    return skip


def _constant(value: object) -> object | None:
    """The replacement for a constant, or None to leave it be."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 2 + 1
    if isinstance(value, str):
        return "" if value else "mutant"
    if isinstance(value, bytes):
        return b"" if value else b"mutant"
    return None


def mutants(path: Path) -> Iterator[Mutant]:
    """Every single-change mutant of the module, in source order."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines, pos = [], 0
    for line in source.splitlines(keepends=True):
        lines.append(pos)
        pos += len(line)
    text_lines = source.splitlines()
    skip = _skipped(tree, text_lines)

    def changes(node: ast.AST) -> Iterator[tuple[str, ast.AST | str]]:
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _FLIP:
                    new = copy.deepcopy(node)
                    new.ops[i] = _FLIP[type(op)]()
                    yield f"{type(op).__name__} → {_FLIP[type(op)].__name__}", new
        elif isinstance(node, ast.BoolOp):
            new = copy.deepcopy(node)
            new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            yield f"{type(node.op).__name__} → {type(new.op).__name__}", new
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield "not removed", node.operand
        elif isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
            new = copy.deepcopy(node)
            new.op = _ARITH[type(node.op)]()
            yield f"{type(node.op).__name__} → {type(new.op).__name__}", new
        elif isinstance(node, ast.Constant) and _constant(node.value) is not None:
            yield f"{node.value!r:.30} → {_constant(node.value)!r}", ast.Constant(_constant(node.value))
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)) and not isinstance(node.test, (ast.Compare, ast.UnaryOp)):
            yield "condition negated", ast.UnaryOp(ast.Not(), node.test)
        elif isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)):
            yield "call deleted", "pass"
        elif isinstance(node, (ast.Continue, ast.Break)):
            yield f"{type(node).__name__.lower()} deleted", "pass"
        elif isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Constant):
            yield "return None", "return None"

    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno") or NO_MUTATE in text_lines[node.lineno - 1]:
            continue
        for what, new in changes(node):
            target = node.test if isinstance(node, (ast.If, ast.While, ast.IfExp)) and what == "condition negated" \
                else node
            replacement = new if isinstance(new, str) else f"({ast.unparse(new)})"
            if isinstance(node, ast.stmt) and isinstance(new, str):
                replacement = new
            mutated = _segment_replace(source, lines, target, replacement)
            try:
                compile(mutated, str(path), "exec")
            except SyntaxError:
                continue
            yield Mutant(node.lineno, what, mutated)


def preload() -> None:
    """Import pytest, its plugins and the libraries once; every mutant's test run forks from here.

    A fresh interpreter spends most of a short test run importing these (playwright's plugin
    alone takes a second); the project's own modules are not imported here, so each child
    imports the mutant from disk.
    """
    import importlib
    from importlib.metadata import entry_points

    import pytest  # noqa: F401

    names = [ep.module for ep in entry_points(group="pytest11")] + [
        "yaml", "jinja2", "markdown", "nh3", "bs4", "hypothesis", "markupsafe", "tornado"]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # a plugin that cannot load is pytest's business, not ours
            continue


def run_tests(scratch: Path, tests: list[str], timeout: float) -> str:
    """'killed', 'survived' or 'timeout' for the mutant now in ``scratch`` (tests run in a forked child)."""
    pid = os.fork()
    if pid == 0:  # the child: quiet, niced, killed by SIGALRM when it hangs
        code = 3
        try:
            os.nice(10)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            signal.alarm(max(1, int(timeout)))
            os.chdir(scratch)
            sys.dont_write_bytecode = True
            sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO and p not in ("", ".")]
            os.environ["HYPOTHESIS_PROFILE"] = "dev"
            import pytest

            code = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-m", "not slow and not browser", *tests]))
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "timeout" if os.WTERMSIG(status) == signal.SIGALRM else "killed"
    return "survived" if os.WEXITSTATUS(status) == 0 else "killed"


def scratch_copy(root: Path) -> Path:
    """A copy of the project the mutants are written into; the worktree itself is never touched."""
    scratch = Path(tempfile.mkdtemp(prefix="mutate-"))
    shutil.copytree(root, scratch / "repo", ignore=COPY_IGNORE, symlinks=True)
    return scratch / "repo"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("module", type=Path, help="the module to mutate, e.g. explainer/write.py")
    p.add_argument("--tests", nargs="+", help="test files to run per mutant (default: the module's fast tests)")
    p.add_argument("--timeout", type=float, default=120, help="seconds per mutant before it counts as a hang")
    p.add_argument("--jobs", type=int, default=1, help="mutants tested at once, each in its own copy (default 1)")
    p.add_argument("--list", action="store_true", help="print the mutants and stop")
    args = p.parse_args(argv)
    module = args.module.resolve()
    rel = module.relative_to(REPO)
    tests = args.tests or FAST_TESTS.get(module.stem)
    original = module.read_text(encoding="utf-8")
    found = sorted(mutants(module), key=lambda m: m.line)
    if args.list:
        for m in found:
            print(f"{rel}:{m.line}: {m.what}")
        print(f"{len(found)} mutants")
        return 0
    if not tests:
        p.error(f"no fast tests are known for {module.stem}: pass --tests")
    preload()
    scratches = [scratch_copy(REPO) for _ in range(max(1, args.jobs))]
    try:
        started = time.monotonic()
        baseline = run_tests(scratches[0], tests, args.timeout * 3)
        if baseline != "survived":
            print(f"the tests fail on the unchanged code ({baseline}): fix them first", file=sys.stderr)
            return 2
        free = list(scratches)
        done: list[str] = []

        stop = threading.Event()

        def one(m: Mutant) -> str:
            if stop.is_set():
                return "skipped"
            scratch = free.pop()
            try:
                (scratch / rel).write_text(m.source, encoding="utf-8")
                outcome = run_tests(scratch, tests, args.timeout)
                done.append(outcome)
                print(f"[{len(done)}/{len(found)}] {outcome:8} {rel}:{m.line}: {m.what}", file=sys.stderr, flush=True)
                return outcome
            finally:
                (scratch / rel).write_text(original, encoding="utf-8")
                free.append(scratch)

        with ThreadPoolExecutor(max_workers=len(scratches)) as pool:
            try:
                outcomes = list(pool.map(one, found))
            except KeyboardInterrupt:  # Ctrl-C: finish the mutants under test, start no more, tidy up
                stop.set()
                raise
    finally:
        for scratch in scratches:
            shutil.rmtree(scratch.parent, ignore_errors=True)
    survivors = [m for m, o in zip(found, outcomes, strict=True) if o == "survived"]
    timeouts = outcomes.count("timeout")
    killed = len(found) - len(survivors)
    source_lines = original.splitlines()
    for m in survivors:
        print(f"survived {rel}:{m.line}: {m.what}    | {source_lines[m.line - 1].strip()[:90]}")
    score = 100 * killed / len(found) if found else 100.0
    print(f"{rel}: {killed}/{len(found)} mutants killed ({score:.1f}%), {timeouts} by timeout; "
          f"tests: {' '.join(tests)}; {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
