"""The default theme, and the lookup order that lets a project override it file by file.

A theme is a lookup order of template and static folders: the project's own `templates/` and
`static/` first, then the package's theme. A newsroom restyles one partial (say `_facts.html`)
or one stylesheet by putting just that file in its project; every other file comes from the
package, so upgrading the generator upgrades the rest (like MkDocs' `custom_dir`). The same goes
for the catalogs of the page's words, `locales/LANG.po` (see i18n.py).

The theme's source is the repository's top-level `templates/` and `static/`: the wheel carries
them as `explainer/theme/templates/` and `explainer/theme/static/` (see pyproject.toml's
package-dir mapping), so nothing is committed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
KINDS = ("templates", "static", "locales")


def default_dir(kind: str) -> Path:
    """The package's theme folder: inside an installed package, else the source checkout's own."""
    installed = PACKAGE / "theme" / kind
    return installed if installed.is_dir() else PACKAGE.parent / kind


@dataclass(frozen=True)
class Theme:
    """Folders to look in, first match wins: the project's own, then the package's."""

    templates: tuple[Path, ...]
    static: tuple[Path, ...]
    locales: tuple[Path, ...] = ()  # the catalogs of the page's words, `LANG.po` (i18n.py)


def lookup(root: Path) -> Theme:
    """The lookup order for a project: its own folders (when present), then the default theme."""
    def order(kind: str) -> tuple[Path, ...]:
        folders: list[Path] = []
        for folder in (root / kind, default_dir(kind)):
            if folder.is_dir() and folder.resolve() not in [f.resolve() for f in folders]:
                folders.append(folder)
        return tuple(folders)

    return Theme(order("templates"), order("static"), order("locales"))
