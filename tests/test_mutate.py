"""scripts/mutate.py makes the mutants it promises: one change each, never in docstrings, imports or marked lines."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

from conftest import REPO

spec = importlib.util.spec_from_file_location("mutate", REPO / "scripts" / "mutate.py")
mutate = importlib.util.module_from_spec(spec)
sys.modules["mutate"] = mutate  # dataclasses look their module up there
spec.loader.exec_module(mutate)

MODULE = textwrap.dedent('''\
    """A module docstring: never mutated."""
    from __future__ import annotations

    import os

    LIMIT: int = 40


    def check(a: int, name: str = "x") -> bool:
        """A docstring."""
        if a > 2 and a != 5:
            print(f"{name} is {a}")
            return a + 1
        keep = 3  # pragma: no mutate (a reason)
        return not os.sep
    ''')


def test_each_mutant_is_one_change_and_compiles(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(MODULE)
    found = sorted((m.line, m.what) for m in mutate.mutants(path))
    assert found == sorted([
        (6, "40 → 41"), (9, "'x' → ''"),
        (11, "Gt → LtE"), (11, "NotEq → Eq"), (11, "And → Or"), (11, "2 → 3"), (11, "5 → 6"), (11, "condition negated"),
        (12, "call deleted"), (13, "return None"), (13, "Add → Sub"), (13, "1 → 2"),
        (15, "return None"), (15, "not removed"),
    ])
    for m in mutate.mutants(path):
        compile(m.source, "m.py", "exec")
        changed = [i + 1 for i, (a, b) in enumerate(zip(MODULE.splitlines(), m.source.splitlines(), strict=True))
                   if a != b]
        assert changed == [m.line], f"{m.what}: lines {changed} changed"
    deleted = next(m for m in mutate.mutants(path) if m.what == "call deleted")
    assert deleted.source.splitlines()[11] == "        pass"
