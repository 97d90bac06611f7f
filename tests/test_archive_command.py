"""`python build.py archive FILE --id ID`: a new source from a saved text or page, never overwriting one."""

from __future__ import annotations

import hashlib
import re

import pytest
import yaml
from conftest import Project

from explainer.archive import extract_html

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Tab title | Site</title>
<meta property="og:title" content="Ukraine brings home 303 prisoners">
<meta property="og:site_name" content="The Example Post">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2025-05-24T18:30:00+03:00">
<link rel="canonical" href="https://post.example/303">
<script>document.write("<p>not article text</p>")</script><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> · <a href="/news">News</a></nav><header>The Example Post</header>
<main><article><h1>Ukraine brings home 303 prisoners</h1>
<p>Ukraine brought home 303 prisoners of war on Saturday,<br>officials said.</p>
<figure><img src="a.jpg" alt=""><figcaption>Returnees at the border.</figcaption></figure>
<p>It was the final phase of a 1,000-for-1,000 exchange &amp; the largest so far.</p>
<aside>Read more: another story</aside><form><button>Subscribe</button></form></article></main>
<footer>© 2025 The Example Post</footer></body></html>
"""


def run_archive(project: Project, *args: str):
    return project.run("archive", *args)


def test_a_text_file_is_copied_byte_for_byte_with_its_hash_and_entry(project: Project) -> None:
    sources = project.root / "content" / "sources.yaml"
    sources.write_text("# My sources: a comment the command keeps.\n" + sources.read_text("utf-8"), "utf-8")
    before = sources.read_text(encoding="utf-8")
    saved = project.root / "saved.txt"
    saved.write_text("Ukraine brought home 303 prisoners of war.\nIt was the final phase.\n", encoding="utf-8")
    result = run_archive(project, str(saved), "--id", "post-303", "--retrieved", "2025-05-26")
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(saved.read_bytes()).hexdigest()
    assert (project.root / "seeds" / "post-303.txt").read_bytes() == saved.read_bytes()
    assert f"seeds/post-303.txt: archived, sha256 {digest}" in result.stdout
    after = sources.read_text(encoding="utf-8")
    assert after.startswith(before)  # appended as text: comments and order kept
    line = int(re.search(r"content/sources\.yaml:(\d+): added source 'post-303'", result.stdout)[1])
    assert after.splitlines()[line - 1] == "- id: post-303"
    entry = yaml.safe_load(after)[-1]
    assert entry == {"id": "post-303", "title": "TODO: the source's headline, as published", "publisher": None,
                     "author": None, "published": None, "url": None, "retrieved": "2025-05-26",
                     "archive": "post-303.txt", "label": entry["label"], "sha256": digest, "context": "sentence"}
    assert entry["label"].startswith("TODO")
    assert "publisher: null  # TODO" in after

    # The build refuses the TODOs, and passes once they are filled in.
    check = project.run("check")
    assert check.returncode == 1
    assert "'title' is still a TODO placeholder" in check.stderr
    assert "'label' is still a TODO placeholder" in check.stderr
    text = after.replace(entry["title"], "Ukraine brings home 303").replace(entry["label"], "the Example Post")
    sources.write_text(text, encoding="utf-8")
    check = project.run("check")
    assert check.returncode == 0, check.stderr
    assert "source 'post-303' is not cited by any fact" in check.stderr


def test_a_saved_page_gives_its_article_text_and_its_own_metadata(project: Project) -> None:
    saved = project.root / "saved.html"
    saved.write_text(PAGE, encoding="utf-8")
    result = run_archive(project, str(saved), "--id", "post-303")
    assert result.returncode == 0, result.stderr
    text = (project.root / "seeds" / "post-303.txt").read_text(encoding="utf-8")
    assert text == ("Ukraine brings home 303 prisoners\n\n"
                    "Ukraine brought home 303 prisoners of war on Saturday, officials said.\n\n"
                    "Returnees at the border.\n\n"
                    "It was the final phase of a 1,000-for-1,000 exchange & the largest so far.\n")
    entry = yaml.safe_load((project.root / "content" / "sources.yaml").read_text(encoding="utf-8"))[-1]
    assert (entry["title"], entry["publisher"], entry["author"], entry["published"], entry["url"]) == (
        "Ukraine brings home 303 prisoners", "The Example Post", "Jane Reporter", "2025-05-24",
        "https://post.example/303")
    assert entry["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert "from the page: title, publisher, author, published, url; check them" in result.stdout


def test_without_article_or_main_the_body_is_used():
    page = extract_html("<html><body><h1>Title</h1><div>One <i>two</i></div><footer>x</footer></body></html>")
    assert page.text == "Title\n\nOne two\n"


def test_an_existing_archive_is_never_rewritten(project: Project) -> None:
    saved = project.root / "saved.txt"
    saved.write_text("Other text.\n", encoding="utf-8")
    (project.root / "seeds" / "post-303.txt").write_text("The archived text.\n", encoding="utf-8")
    sources = (project.root / "content" / "sources.yaml").read_text(encoding="utf-8")
    result = run_archive(project, str(saved), "--id", "post-303")
    assert result.returncode == 2
    assert ("error: post-303.txt already exists in seeds/; archived texts are never rewritten (choose another "
            "--id, or remove the file yourself if it is not an archive)") in result.stderr
    assert (project.root / "seeds" / "post-303.txt").read_text(encoding="utf-8") == "The archived text.\n"
    assert (project.root / "content" / "sources.yaml").read_text(encoding="utf-8") == sources


@pytest.mark.parametrize(("args", "message"), [
    (["--id", "article-a"], "error: a source with the id 'article-a' is already in content/sources.yaml; "
                            "choose another id"),
    (["--id", "Post 303"], "error: 'Post 303' is not a valid id: use lowercase words joined by hyphens"),
    (["--id", "post-303", "--retrieved", "26 May"], "error: --retrieved must be a day written YYYY-MM-DD"),
])
def test_bad_ids_and_dates_are_usage_errors(project: Project, args: list[str], message: str) -> None:
    saved = project.root / "saved.txt"
    saved.write_text("Text.\n", encoding="utf-8")
    result = run_archive(project, str(saved), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert sorted(p.name for p in (project.root / "seeds").iterdir()) == ["a.txt"]


def test_a_text_that_is_not_utf8_is_refused(project: Project) -> None:
    saved = project.root / "saved.txt"
    saved.write_bytes("Caf\xe9\n".encode("latin-1"))
    result = run_archive(project, str(saved), "--id", "post-303")
    assert result.returncode == 2
    assert "is not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8 first" in result.stderr
    assert not (project.root / "seeds" / "post-303.txt").exists()


@pytest.mark.parametrize("order", ["options first", "options last", "options between"])
def test_archive_takes_the_global_options_where_every_command_does(project: Project, order: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`explainer --project DIR archive …` as `explainer --project DIR check`: one command line for all."""
    from explainer.cli import main

    saved = project.root / "saved.txt"
    saved.write_text("The archived text.\n", encoding="utf-8")
    given = ["--project", str(project.root), "--debug"]
    argv = {"options first": [*given, "archive", str(saved), "--id", "post-303"],
            "options last": ["archive", str(saved), "--id", "post-303", *given],
            "options between": ["archive", "--id", "post-303", *given, str(saved)]}[order]
    assert main(argv) == 0, capsys.readouterr().err
    assert (project.root / "seeds" / "post-303.txt").read_text(encoding="utf-8") == "The archived text.\n"
    assert "content/sources.yaml" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["archive", "--id", "post-303"], "write 'archive FILE --id ID'"),
    (["archive", "saved.txt"], "write 'archive FILE --id ID'"),
    (["check", "--id", "post-303"], "'--id' and '--retrieved' belong to 'archive FILE --id ID'"),
])
def test_archive_usage_errors_say_what_to_write(project: Project, args: list[str], message: str) -> None:
    result = project.run(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_every_archive_option_is_documented() -> None:
    from test_docs import DOCS  # README.md and docs/*.md

    from explainer.cli import parser

    assert "explainer archive FILE --id ID" in DOCS
    for action in parser()._actions:
        for name in action.option_strings:
            if name.startswith("--") and name != "--help":
                assert name in DOCS, f"{name} is not documented in README.md or docs/"


def test_an_entry_that_cannot_be_written_leaves_no_archive_and_says_why(project: Project) -> None:
    """All or nothing: the archive was written and its entry not (content/ not writable), so the same
    command, run again once it could be, was refused ("already exists in seeds/") — after a traceback."""
    saved = project.root / "saved.txt"
    saved.write_text("The article's text.\n", encoding="utf-8")
    content = project.root / "content"
    content.rename(project.root / "content-aside")
    content.write_text("not a folder\n", encoding="utf-8")  # as root, the one way to make its entry fail
    result = run_archive(project, str(saved), "--id", "post-303")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: could not write {content}: ")
    assert "hint: check that you may write there" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not (project.root / "seeds" / "post-303.txt").exists()
    content.unlink()
    (project.root / "content-aside").rename(content)
    assert run_archive(project, str(saved), "--id", "post-303").returncode == 0


def test_new_into_a_file_it_cannot_write_is_a_usage_error_not_a_bug(project: Project) -> None:
    facts = project.root / "content" / "facts.yaml"
    facts.unlink()
    facts.mkdir()  # a folder where the file should be: the OS refuses, as for a read-only file
    result = project.run("new", "fact")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: could not write {facts}: ")
    assert "internal error" not in result.stderr
