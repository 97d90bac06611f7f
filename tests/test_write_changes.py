"""write_changes.py: the preview writes only what changed, and the folder ends as a whole write leaves it.

Each test writes a site with a `WrittenSite`, changes the pages (or the folder behind its back),
writes again and compares the folder with a fresh whole write of the same pages: the same files,
folders, bytes and modes. Which files were replaced is read from their inode numbers.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from pathlib import Path

import pytest

from explainer import write_changes
from explainer.errors import WriteError
from explainer.write import MARKER, write_site
from explainer.write_changes import WrittenSite

PAGES = {"index.html": b"<p>one</p>", "facts.csv": b"a\r\n", "assets/deep/x.css": b"p{}", "feed.xml": b"<feed/>",
         "embed/timeline.html": b"<ol></ol>"}


def tree(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every file and folder under ``folder``: its mode, and a file's bytes."""
    return {p.relative_to(folder).as_posix(): (p.lstat().st_mode, None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def whole(tmp_path: Path, pages: dict[str, bytes]) -> dict[str, tuple[int, bytes | None]]:
    """What `build.py build` leaves for these pages."""
    folder = tmp_path / "whole" / f"n{len(list(tmp_path.glob('whole/*')))}"
    write_site(pages, folder)
    return tree(folder)


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> tuple[WrittenSite, Path]:
    written, output = WrittenSite(), tmp_path / "output"
    written.write(dict(PAGES), output)
    return written, output


def test_the_first_write_swaps_the_site_in_whole(tmp_path: Path) -> None:
    written, output = WrittenSite(), tmp_path / "output"
    output.mkdir()
    (output / MARKER).write_bytes(b"")
    (output / "stale.html").write_bytes(b"old")
    folder = output.stat().st_ino
    written.write(dict(PAGES), output)
    assert tree(output) == whole(tmp_path, PAGES)
    assert output.stat().st_ino != folder, "swapped in, not written into"
    assert written.changed == sorted([*PAGES, MARKER])


def test_only_the_changed_file_is_written_again(site, tmp_path: Path) -> None:
    written, output = site
    before = inodes(output)
    pages = {**PAGES, "index.html": b"<p>two</p>", "feed.xml": bytes(bytearray(b"<feed/>"))}  # equal bytes, new object
    written.write(pages, output)
    after = inodes(output)
    assert [name for name in after if after[name] != before[name]] == ["index.html"]
    assert written.changed == ["index.html"]
    assert tree(output) == whole(tmp_path, pages)


def test_removed_pages_go_with_the_folders_they_leave_empty(site, tmp_path: Path) -> None:
    written, output = site
    pages = {name: data for name, data in PAGES.items() if not name.startswith(("assets/", "embed/"))}
    pages["new/page.html"] = b"<p>new</p>"
    written.write(pages, output)
    assert tree(output) == whole(tmp_path, pages)
    assert not (output / "assets").exists() and not (output / "embed").exists()
    assert written.changed == ["assets/deep/x.css", "embed/timeline.html", "new/page.html"]


def test_files_changed_behind_its_back_are_put_right(site, tmp_path: Path) -> None:
    """A file edited by hand (even to the same size), removed, or added is noticed: the folder is listed."""
    written, output = site
    (output / "index.html").write_bytes(b"<p>two</p>")  # the same size as what was written
    (output / "facts.csv").unlink()
    (output / "notes.txt").write_bytes(b"mine")
    (output / "assets" / "stray").mkdir()
    (output / "assets" / "stray" / "x").write_bytes(b"x")
    (output / "feed.xml").chmod(0o600)
    written.write(dict(PAGES), output)
    assert tree(output) == whole(tmp_path, PAGES)


def test_a_removed_output_folder_is_written_whole(site, tmp_path: Path) -> None:
    written, output = site
    for path in sorted(output.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    output.rmdir()
    written.write(dict(PAGES), output)
    assert tree(output) == whole(tmp_path, PAGES)


@pytest.mark.parametrize("in_the_way", ["file-for-folder", "folder-for-file", "link"])
def test_something_in_the_way_gives_a_whole_write(site, tmp_path: Path, in_the_way: str) -> None:
    written, output = site
    pages = dict(PAGES)
    if in_the_way == "file-for-folder":
        (output / "sub").write_bytes(b"a file where a folder goes")
        pages["sub/page.html"] = b"<p>sub</p>"
    elif in_the_way == "folder-for-file":
        (output / "page.html").mkdir()
        pages["page.html"] = b"<p>page</p>"
    else:
        (output / "index.html").unlink()
        (output / "index.html").symlink_to(output / "feed.xml")
    written.write(pages, output)
    assert tree(output) == whole(tmp_path, pages)


def test_files_and_folders_are_readable_by_a_web_server_whatever_the_umask(site, tmp_path: Path) -> None:
    written, output = site
    old = os.umask(0o077)
    try:
        pages = {**PAGES, "index.html": b"<p>two</p>", "deeper/a/b.html": b"<p>b</p>"}
        written.write(pages, output)
    finally:
        os.umask(old)
    assert stat.S_IMODE((output / "index.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((output / "deeper" / "a").stat().st_mode) == 0o755
    assert tree(output) == whole(tmp_path, pages)


def test_a_failed_write_says_what_the_folder_holds_and_the_next_write_is_whole(site, tmp_path: Path,
                                                                                monkeypatch) -> None:
    written, output = site
    real = os.replace
    count: list[str] = []

    def full_disk(source: str, target: str) -> None:
        count.append(target)
        if len(count) > 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        real(source, target)

    monkeypatch.setattr(write_changes.os, "replace", full_disk)
    pages = {**PAGES, "index.html": b"<p>two</p>", "feed.xml": b"<feed>two</feed>"}
    with pytest.raises(WriteError) as caught:
        written.write(pages, output)
    assert str(caught.value) == f"the disk is full: the new site could not be written beside {output}"
    assert caught.value.hint == (f"free some space and build again; {output} may hold part of the new site; "
                                 "the next build writes it whole")
    assert not list(output.rglob(write_changes.TEMPORARY + "*")), "no temporary file is left"
    monkeypatch.setattr(write_changes.os, "replace", real)
    folder = output.stat().st_ino
    written.write(pages, output)
    assert output.stat().st_ino != folder, "written whole"
    assert tree(output) == whole(tmp_path, pages)


def test_a_reader_sees_the_old_file_or_the_new_one(site) -> None:
    """A file is replaced by a rename: a reader holding the old one open reads it whole, then the new one."""
    written, output = site
    with open(output / "index.html", "rb") as reader:
        written.write({**PAGES, "index.html": b"<p>a longer new page</p>"}, output)
        assert reader.read() == PAGES["index.html"]
    assert (output / "index.html").read_bytes() == b"<p>a longer new page</p>"
    assert not list(output.rglob(write_changes.TEMPORARY + "*"))


def test_large_files_are_not_held_but_compared(site, tmp_path: Path, monkeypatch) -> None:
    """Files above HOLD_AT_MOST (the exports) are not kept in memory: the same bytes are found on disk."""
    written, output = site
    monkeypatch.setattr(write_changes, "HOLD_AT_MOST", 4)
    pages = {**PAGES, "facts.json": b"[1, 2, 3]"}
    written.write(pages, output)
    assert written.files["facts.json"][1] is None and written.files["facts.csv"][1] is not None
    before = inodes(output)
    again = {**pages, "facts.json": bytes(bytearray(b"[1, 2, 3]")), "feed.xml": b"<feed>changed</feed>"}
    written.write(again, output)
    after = inodes(output)
    assert [name for name in after if after[name] != before[name]] == ["feed.xml"]
    written.write({**again, "facts.json": b"[1, 2, 4]"}, output)  # the same size, other bytes
    assert (output / "facts.json").read_bytes() == b"[1, 2, 4]"
    assert tree(output) == whole(tmp_path, {**again, "facts.json": b"[1, 2, 4]"})


def test_a_large_replaced_file_is_released_in_the_background(site, monkeypatch) -> None:
    """A replaced file of RELEASE_LATER_AT or more is held open across the rename and handed over to
    be closed elsewhere (freeing its blocks took a save at 50,000 facts 40 ms); a small one is not."""
    written, output = site
    monkeypatch.setattr(write_changes, "RELEASE_LATER_AT", 8)
    pages = {**PAGES, "facts.json": b"[1, 2, 3, 4]"}
    written.write(pages, output)
    old = (output / "facts.json").stat().st_ino
    handed: list[int] = []
    monkeypatch.setattr(write_changes, "release_later", handed.append)
    written.write({**pages, "facts.json": b"[5, 6, 7, 8, 9]", "feed.xml": b"<feed>2</feed>"}, output)
    assert len(handed) == 1, "only the large file's old copy (feed.xml is below the size)"
    held = os.fstat(handed[0])
    assert (held.st_ino, held.st_nlink, held.st_size) == (old, 0, len(b"[1, 2, 3, 4]")), "the old file, unlinked"
    os.close(handed[0])
    assert (output / "facts.json").read_bytes() == b"[5, 6, 7, 8, 9]"


def test_released_files_leave_no_handle_open(site, tmp_path: Path, monkeypatch) -> None:
    """Every handle held on a replaced file is closed: none of this process's open files is one of them."""
    written, output = site
    monkeypatch.setattr(write_changes, "RELEASE_LATER_AT", 8)
    for n in range(3):
        pages = {**PAGES, "facts.json": b"[%d, 2, 3, 4]" % n}
        written.write(pages, output)
    write_changes.released()
    held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
            if os.path.exists(f"/proc/self/fd/{fd}")]
    assert not [path for path in held if path.startswith(str(output))]
    assert tree(output) == whole(tmp_path, pages)


def test_large_changed_files_are_written_beside_the_rest(site, tmp_path: Path, monkeypatch) -> None:
    """All large changed files but one are written in threads of their own while the rest is written:
    the same folder as a whole write."""
    written, output = site
    monkeypatch.setattr(write_changes, "WRITE_BESIDE_AT", 12)
    by: dict[str, str] = {}
    real = write_changes._replace

    def seen(path: Path, data, large: bool = False):
        by[path.name] = threading.current_thread().name
        return real(path, data, large)

    monkeypatch.setattr(write_changes, "_replace", seen)
    large = {"facts.csv": b"a,b,c\r\n1,2,3\r\n", "facts.json": b"[1, 2, 3, 4, 5]", "timeline.json": b"[6, 7, 8, 9]"}
    pages = {**PAGES, **large, "index.html": b"<p>two</p>"}
    written.write(pages, output)
    main = threading.main_thread().name
    assert by["index.html"] == main
    beside = sorted(name for name in large if by[name] == f"write-{name}")
    assert len(beside) == 2 and [by[name] for name in large if name not in beside] == [main]
    assert sorted(written.changed) == ["facts.csv", "facts.json", "index.html", "timeline.json"]
    assert tree(output) == whole(tmp_path, pages)


def test_a_file_written_beside_that_fails_fails_the_write(site, tmp_path: Path, monkeypatch) -> None:
    written, output = site
    monkeypatch.setattr(write_changes, "WRITE_BESIDE_AT", 8)
    real = write_changes._replace

    def full_disk(path: Path, data, large: bool = False):
        if path.name == "timeline.json":  # new, after facts.json: written in a thread
            assert threading.current_thread() is not threading.main_thread()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data, large)

    monkeypatch.setattr(write_changes, "_replace", full_disk)
    pages = {**PAGES, "facts.json": b"[1, 2, 3]", "timeline.json": b"[4, 5, 6]"}
    with pytest.raises(WriteError, match="the disk is full"):
        written.write(pages, output)
    monkeypatch.setattr(write_changes, "_replace", real)
    folder = output.stat().st_ino
    written.write(pages, output)
    assert output.stat().st_ino != folder, "written whole"
    assert tree(output) == whole(tmp_path, pages)


def test_a_bug_in_a_file_written_beside_is_not_swallowed(site, monkeypatch) -> None:
    written, output = site
    monkeypatch.setattr(write_changes, "WRITE_BESIDE_AT", 8)
    real = write_changes._replace

    def buggy(path: Path, data, large: bool = False):
        if path.name == "timeline.json":
            raise RuntimeError("a bug")
        return real(path, data, large)

    monkeypatch.setattr(write_changes, "_replace", buggy)
    with pytest.raises(RuntimeError, match="a bug"):
        written.write({**PAGES, "facts.json": b"[1, 2, 3]", "timeline.json": b"[4, 5, 6]"}, output)


LARGE = {"facts.csv": b"a,b,c\r\n1,2,3\r\n", "facts.json": b"[1, 2, 3, 4, 5]"}


def test_the_previews_large_files_are_written_after_the_rest(site, tmp_path: Path, monkeypatch) -> None:
    """With write_large_later (the preview's), a write leaves its large changed files, old on disk,
    for write_later, which the preview calls once the browsers were told to reload; then the folder is
    a whole write's. The write names them as changed, and a large file that did not change stays."""
    written, output = site
    monkeypatch.setattr(write_changes, "WRITE_BESIDE_AT", 12)
    written.write_large_later = True
    first = {**PAGES, **LARGE, "timeline.json": b"[6, 7, 8, 9, 10]"}
    written.write(first, output)
    written.write_later()
    assert tree(output) == whole(tmp_path, first)
    pages = {**first, **{name: data.replace(b"1", b"7") for name, data in LARGE.items()}, "index.html": b"<p>2</p>"}
    written.write(pages, output)
    assert (output / "index.html").read_bytes() == b"<p>2</p>", "the page at once"
    assert {name: (output / name).read_bytes() for name in LARGE} == LARGE, "the large files still the last ones"
    assert sorted(written.later) == ["facts.csv", "facts.json"], "timeline.json did not change"
    assert written.changed == ["facts.csv", "facts.json", "index.html"]
    written.write_later()
    assert not written.later
    assert tree(output) == whole(tmp_path, pages)
    replaced = inodes(output)
    written.write(pages, output)
    written.write_later()
    assert inodes(output) == replaced and written.changed == [], "then known as written: nothing written again"


@pytest.fixture
def later_site(site, monkeypatch) -> tuple[WrittenSite, Path, dict[str, bytes]]:
    """The preview's site, with its large files written after the rest, and its pages with LARGE."""
    written, output = site
    monkeypatch.setattr(write_changes, "WRITE_BESIDE_AT", 12)
    written.write_large_later = True
    pages = {**PAGES, **LARGE}
    written.write(pages, output)
    written.write_later()
    return written, output, pages


def test_a_write_first_writes_what_the_last_one_left(later_site, tmp_path: Path) -> None:
    written, output, pages = later_site
    changed = {**pages, "facts.json": b"[9, 9, 9, 9, 9]"}
    written.write(changed, output)  # facts.json left...
    written.write({**changed, "index.html": b"<p>3</p>"}, output)  # ...and written before this write compares
    assert written.later == {}, "facts.json, the same as the last write's: not left again"
    assert tree(output) == whole(tmp_path, {**changed, "index.html": b"<p>3</p>"})


def test_a_large_file_that_cannot_be_written_later_says_so_and_the_next_write_is_whole(
        later_site, tmp_path: Path, monkeypatch) -> None:
    written, output, pages = later_site
    real = write_changes._replace

    def full_disk(path: Path, data, large: bool = False):
        if path.name == "facts.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data, large)

    changed = {**pages, "facts.json": b"[9, 9, 9, 9, 9]", "index.html": b"<p>4</p>"}
    written.write(changed, output)
    monkeypatch.setattr(write_changes, "_replace", full_disk)
    with pytest.raises(WriteError, match="the disk is full") as failed:
        written.write_later()
    assert "may hold the new pages with the last build's facts.json" in failed.value.hint
    monkeypatch.setattr(write_changes, "_replace", real)
    folder = output.stat().st_ino
    written.write(changed, output)
    assert output.stat().st_ino != folder, "written whole"
    assert tree(output) == whole(tmp_path, changed)
