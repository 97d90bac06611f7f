"""A built page as the tests read it: parsed HTML, so checks are on what a reader's browser gets."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup


def parse_page(output: Path, name: str = "index.html") -> BeautifulSoup:
    """``output/name`` parsed with the standard library's parser (what every page test asserts on)."""
    return BeautifulSoup((output / name).read_text(encoding="utf-8"), "html.parser")
