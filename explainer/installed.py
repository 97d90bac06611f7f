"""Where the running generator was installed from: the requirement `init` writes for a new explainer.

The package is on no public index, so a bare `sourced-explainer==VERSION` installs nothing, and a
pin of an unclaimed name invites dependency confusion (whoever registers the name is installed
instead). pip records where it installed a distribution from (PEP 610's `direct_url.json`): a Git
URL and its commit, an archive or wheel, or a folder. `init` writes that, so the started explainer
installs the very generator that started it. When it cannot be known (run from a source checkout,
an editable install, or installed from an index), `init` writes a line pip refuses at once, with
comments that say what to write instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

DIST = "sourced-explainer"
PACKAGE = Path(__file__).resolve().parent
FORMS = """\
#   {dist} @ git+https://github.com/ORG/REPO@COMMIT      (a Git URL: a commit, or a tag)
#   {dist} @ https://files.example.org/{wheel}      (a wheel on a server)
#   ./wheels/{wheel}      (a wheel committed beside this file)
"""
HEADER = "# The generator: `pip install -r requirements.txt` installs it with its pinned dependencies.\n"


@dataclass(frozen=True)
class Origin:
    """The requirement for the running generator (None when unknown), and whether only this machine has it."""

    requirement: str | None
    local: bool = False


def origin() -> Origin:
    """Where the running package was installed from, read from its distribution's direct_url.json."""
    dist = running_distribution()
    text = dist.read_text("direct_url.json") if dist is not None else None
    if not text:
        return Origin(None)
    try:
        record = json.loads(text)
        return Origin(requirement_from(record), local=record["url"].startswith("file:"))
    except (ValueError, TypeError, KeyError, AttributeError):  # a record not written as PEP 610 says
        return Origin(None)


def running_distribution() -> metadata.Distribution | None:
    """The installed distribution, if the code running now is its own (not a checkout on sys.path)."""
    try:
        dist = metadata.distribution(DIST)
    except metadata.PackageNotFoundError:
        return None
    ours = Path(str(dist.locate_file("explainer/__init__.py")))
    return dist if ours.is_file() and ours.resolve() == PACKAGE / "__init__.py" else None


def requirement_from(direct_url: dict) -> str | None:
    """PEP 610's record as a requirement line; None for an editable install (its folder keeps changing)."""
    url = direct_url["url"]
    sub = direct_url.get("subdirectory")
    fragment = f"#subdirectory={sub}" if sub else ""
    if "vcs_info" in direct_url:
        vcs = direct_url["vcs_info"]
        commit = vcs.get("commit_id")
        return f"{DIST} @ {vcs['vcs']}+{url}" + (f"@{commit}" if commit else "") + fragment
    if "archive_info" in direct_url:
        return f"{DIST} @ {url}{fragment}"
    if "dir_info" in direct_url and not direct_url["dir_info"].get("editable"):
        return f"{DIST} @ {url}{fragment}"
    return None


def requirements_text(found: Origin, version: str) -> str:
    """requirements.txt for a new explainer: where to install the generator from, or what to write there."""
    forms = FORMS.format(dist=DIST, wheel=f"sourced_explainer-{version}-py3-none-any.whl")
    if found.requirement and not found.local:
        return (HEADER + "# `explainer init` wrote the address it was itself installed from; to upgrade, point it at\n"
                "# a newer commit or file.\n" + found.requirement + "\n")
    if found.requirement:
        return (HEADER + "# `explainer init` wrote the file:// address it was itself installed from, which only this\n"
                "# machine can reach. Replace it with an address your CI can reach (the GitHub workflow installs\n"
                "# from this file too), one of:\n" + forms + found.requirement + "\n")
    return (HEADER + "# `explainer init` could not tell where it was installed from (a source checkout, an editable\n"
            "# install or a package index), so the last line stops pip until you replace it with one of:\n" + forms +
            f"# Never a bare `{DIST}=={version}`: the name is on no public index, and whoever registered\n"
            "# it there would be installed instead.\n"
            f"REPLACE THIS LINE with where to install {DIST} {version} from (see the comments above)\n")
