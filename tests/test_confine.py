"""Nothing outside the project is read: links out of it are refused, in every input and in the template loader."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from explainer.cli import main
from explainer.confine import links_out
from explainer.page_tools import ProjectLoader

OUT = "this is a link to {}, outside the project"
LOOP = "this symbolic link leads round in a loop"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "home" / ".aws" / "credentials"
    path.parent.mkdir(parents=True)
    path.write_text("aws_secret_access_key = SECRET-KEY-123\n")
    return path


def found(root: Path) -> list[tuple[str, str]]:
    return [(link.relative_to(root).as_posix(), message) for link, message, _ in links_out(root)]


@pytest.mark.parametrize("rel", ["site.yaml", "content/glossary.yaml", "content/summaries/02.md", "seeds/b.txt",
                                 "templates/_secret.html", "static/env.txt", "static/deep/er/key.txt"])
def test_a_link_out_of_the_project_is_found_in_every_input(project, secret: Path, rel: str) -> None:
    link = project.root / rel
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists():
        link.unlink()
    link.symlink_to(secret)
    assert found(project.root) == [(rel, OUT.format(secret))]


@pytest.mark.parametrize("folder", ["content", "seeds", "templates", "static"])
def test_an_input_folder_that_is_itself_a_link_out_is_found(project, tmp_path: Path, folder: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project.root / folder).rename(elsewhere)
    (project.root / folder).symlink_to(elsewhere)
    assert found(project.root) == [(folder, OUT.format(elsewhere))]


def test_links_inside_the_project_are_fine_and_followed(project, secret: Path) -> None:
    shared = project.root / "shared"
    shared.mkdir()
    (shared / "logo.svg").write_text("<svg/>")
    (project.root / "static" / "shared").symlink_to(shared)  # a folder elsewhere in the project: fine
    (project.root / "static" / "again").symlink_to(project.root / "static")  # a cycle: walked once
    (project.root / "seeds" / "copy.txt").symlink_to(project.root / "seeds" / "a.txt")
    assert found(project.root) == []
    (shared / "key.txt").symlink_to(secret)  # reached through the link: still found
    assert found(project.root) == [("static/shared/key.txt", OUT.format(secret))]


def test_a_dangling_link_out_and_a_loop_are_refused_too(project, tmp_path: Path) -> None:
    (project.root / "static" / "gone.txt").symlink_to(tmp_path / "nothing-here")
    (project.root / "seeds" / "one").symlink_to("two")
    (project.root / "seeds" / "two").symlink_to("one")
    assert found(project.root) == [("seeds/one", LOOP), ("seeds/two", LOOP),
                                   ("static/gone.txt", OUT.format(tmp_path / "nothing-here"))]


def test_the_build_refuses_before_reading_and_publishes_nothing(project, capsys) -> None:
    (project.root / "static" / "env.txt").symlink_to("/proc/self/environ")
    os.environ["EXPLAINER_CANARY"] = "CANARY-SHOULD-NOT-BE-PUBLISHED"
    try:
        code = main(["build", "--project", str(project.root)])
    finally:
        del os.environ["EXPLAINER_CANARY"]
    err = capsys.readouterr().err
    assert code == 1
    assert f"static/env.txt:1:1: error: this is a link to /proc/{os.getpid()}/environ, outside the project" in err
    assert "hint: the build reads nothing outside the project folder: copy the file in instead of linking to it" in err
    assert not project.output.exists()


def test_the_template_loader_refuses_a_link_out_even_after_the_scan(project, secret: Path) -> None:
    templates = project.root / "templates"
    (templates / "_key.html").symlink_to(secret)
    (templates / "inc.html").write_text("{% include '_key.html' %}")
    (templates / "ext.html").write_text("{% extends '_key.html' %}")
    (templates / "_ok.html").symlink_to(templates / "base.html")  # inside the project: loads
    env = jinja2.Environment(loader=ProjectLoader([templates], project.root))
    assert env.get_template("_ok.html") is not None
    for name in ("_key.html", "inc.html", "ext.html"):
        with pytest.raises(jinja2.TemplateNotFound, match=r"'_key\.html' is a link out of the project, and the build"):
            env.get_template(name).render()


def test_a_template_included_through_a_link_out_fails_the_build(project, secret: Path, capsys) -> None:
    (project.root / "templates" / "_key.html").symlink_to(secret)
    project.edit("templates/index.html", "{% block end %}", "{% block end %}{% include '_key.html' %}")
    assert main(["build", "--project", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert f"templates/_key.html:1:1: error: {OUT.format(secret)}" in err
    assert "SECRET-KEY-123" not in err
    assert not project.output.exists()


def test_new_never_appends_to_a_file_outside_the_project(project, secret: Path, capsys) -> None:
    (project.root / "content" / "facts.yaml").unlink()
    (project.root / "content" / "facts.yaml").symlink_to(secret)
    assert main(["new", "fact", "--project", str(project.root)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: content/facts.yaml: this is a link to {secret}, outside the project\n"
                   "    hint: the build reads nothing outside the project folder: copy the file in instead of "
                   "linking to it\n")
    assert secret.read_text() == "aws_secret_access_key = SECRET-KEY-123\n"
