"""Docs that can't drift: every content field and every command-line option is in the README."""

from pathlib import Path

import pytest

from explainer import schema
from explainer.cli import NEW_KINDS, parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def records(type_) -> list[schema.Record]:
    """Every record reachable from a content file's type, nested ones included."""
    if isinstance(type_, schema.ListOf):
        return records(type_.item)
    if isinstance(type_, schema.Record):
        found = [type_]
        for f in type_.fields:
            found += records(f.type)
        return found
    return []


ALL_FIELDS = sorted({(rec.name, f.name) for t, _ in schema.CONTENT_FILES.values() for rec in records(t)
                     for f in rec.fields} | {("summary", f.name) for f in schema.SUMMARY.fields})


@pytest.mark.parametrize(("record", "field"), ALL_FIELDS)
def test_every_content_field_is_documented(record, field):
    assert f"`{field}`" in README, f"{record}.{field} is not documented in README.md"


def test_every_command_and_option_is_documented():
    for action in parser()._actions:
        for name in action.option_strings:
            if name.startswith("--") and name != "--help":
                assert name in README, f"{name} is not documented in README.md"
        for choice in action.choices or ():
            if action.dest == "format":
                assert f"--format {choice}" in README or f"`{choice}`" in README, f"--format {choice} is undocumented"
                continue
            documented = f"`{choice}`" if action.dest == "command" else f"new {choice}"
            assert documented in README or choice in README.split("new source|")[1][:40], \
                f"{action.dest} {choice} is not documented in README.md"
    assert "new " + "|".join(NEW_KINDS) in README, "the kinds `new` makes are not all documented in README.md"
