"""write.py's guarantees, each pinned by a test that fails when it breaks.

- the site is swapped in whole: output/ is never moved away, renamed over or written into;
- output/ is readable by a web server running as another user (folders 0755, files 0644);
- staging folders left by a killed build are cleared after a minute, a running build's are kept;
- only a folder of ours is replaced: never the sources, never a folder of someone else's files;
- a failure of the disk keeps the previous site and says what happened in one line.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import time
from pathlib import Path

import pytest
from conftest import tree_hash

from explainer import write
from explainer.errors import UsageError, WriteError
from explainer.write import MARKER, check_output_dir, is_ours, write_site

PAGES = {"index.html": b"<p>new</p>", "facts.csv": b"a\r\n", "assets/deep/x.css": b"p{}", "feed.xml": b"<feed/>"}
OLD = {"index.html": b"<p>old</p>", "assets/old.css": b"p{}"}


def built(tmp_path: Path, pages: dict[str, bytes] = OLD) -> Path:
    output = tmp_path / "out" / "output"
    write_site(pages, output)
    return output


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def staging(parent: Path) -> list[str]:
    return sorted(name for name in os.listdir(parent) if name.startswith(".output-"))


# ---------------------------------------------------------------- what is written


def test_the_site_is_written_whole_with_the_marker_and_nothing_else(tmp_path: Path) -> None:
    output = built(tmp_path, PAGES)
    assert files(output) == {**PAGES, MARKER: write.MARKER_TEXT}
    assert staging(output.parent) == []


def test_a_rebuild_replaces_every_file_of_the_previous_site(tmp_path: Path) -> None:
    output = built(tmp_path)
    write_site(PAGES, output)
    assert files(output) == {**PAGES, MARKER: write.MARKER_TEXT}, "a file of the old site survived"
    assert staging(output.parent) == []


def test_the_marker_is_the_same_bytes_on_every_build_and_says_what_it_is(tmp_path: Path) -> None:
    one, two = built(tmp_path / "1"), built(tmp_path / "2")
    assert (one / MARKER).read_bytes() == (two / MARKER).read_bytes() == write.MARKER_TEXT
    assert b"the explainer generator" in write.MARKER_TEXT and b"keep no files" in write.MARKER_TEXT, \
        "a person opening it learns why"


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    output = tmp_path / "a" / "b" / "c" / "output"
    write_site(PAGES, output)
    assert files(output) == {**PAGES, MARKER: write.MARKER_TEXT}
    assert staging(output.parent) == []


def test_output_is_readable_by_a_web_server_running_as_another_user(tmp_path: Path) -> None:
    old = os.umask(0o077)  # an editor's strict umask must not make the published site private
    try:
        output = built(tmp_path, PAGES)
        write_site(PAGES, output)
    finally:
        os.umask(old)
    for path in [output, *output.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), f"{path.relative_to(output.parent)}: {oct(mode)}"


# ---------------------------------------------------------------- the swap


def test_a_rebuild_swaps_a_new_folder_in_and_never_moves_output_away(tmp_path: Path, monkeypatch) -> None:
    output = built(tmp_path)
    before = output.stat().st_ino
    renames: list[tuple[str, str]] = []
    real_rename = os.rename
    monkeypatch.setattr(os, "rename", lambda a, b: (renames.append((str(a), str(b))), real_rename(a, b))[1])
    exchanged: list[tuple[Path, Path]] = []
    real_exchange = write._exchange
    monkeypatch.setattr(write, "_exchange", lambda a, b: exchanged.append((a, b)) or real_exchange(a, b))
    write_site(PAGES, output)
    assert output.stat().st_ino != before, "output/ was written in place instead of swapped in"
    assert [b for _, b in exchanged] == [output], "the new site was not exchanged with output/ in one call"
    assert [r for r in renames if output.as_posix() in r] == [], "output/ was renamed: readers saw it missing"


def test_a_failed_write_leaves_the_previous_site_and_no_staging(tmp_path: Path, monkeypatch) -> None:
    output = built(tmp_path)
    before = tree_hash(output)
    written = []

    def disk_fills_up(path: Path, data: bytes) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)
        path.write_bytes(data)

    monkeypatch.setattr(write, "_write_file", disk_fills_up)
    with pytest.raises(WriteError) as caught:
        write_site(PAGES, output)
    assert str(caught.value) == f"the disk is full: the new site could not be written beside {output}"
    assert caught.value.hint == f"free some space and build again; {output} still holds the previous site"
    assert tree_hash(output) == before
    assert staging(output.parent) == []


def rmtree_as_a_user(monkeypatch) -> None:
    """shutil.rmtree as for a user who is not root: a folder without write permission keeps its entries
    (the tests may run as root, for whom permissions never stop a removal)."""
    real = write.shutil.rmtree

    def rmtree(path, ignore_errors: bool = False) -> None:
        for top, _dirs, _files in os.walk(path):
            if not os.stat(top).st_mode & stat.S_IWUSR:
                assert ignore_errors
                return
        real(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(write.shutil, "rmtree", rmtree)


@pytest.mark.parametrize("mode", [0o555, 0o500])
def test_an_output_folder_made_read_only_is_replaced_and_leaves_nothing_beside_it(tmp_path: Path, monkeypatch,
                                                                                  mode: int) -> None:
    """`chmod 555 output`: the swap still puts the new site in place, and the old one, swapped out with
    its read-only folders, is removed too rather than left beside output/ after every build."""
    output = built(tmp_path)
    (output / "assets").chmod(mode)
    output.chmod(mode)
    rmtree_as_a_user(monkeypatch)
    write_site(PAGES, output)
    assert files(output) == {**PAGES, MARKER: files(output)[MARKER]}
    assert staging(output.parent) == []


def test_the_fallback_swap_puts_the_old_site_back_when_the_second_rename_fails(tmp_path: Path, monkeypatch) -> None:
    output = built(tmp_path)
    before = tree_hash(output)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # no renameat2 (an old kernel, not Linux)
    real_rename = os.rename

    def second_fails(a, b) -> None:  # output/ → aside works; the new site → output/ fails
        if Path(b) == output and "-old-" not in Path(a).name:
            raise OSError(errno.EIO, "Input/output error", str(b))
        real_rename(a, b)

    monkeypatch.setattr(os, "rename", second_fails)
    with pytest.raises(WriteError, match=r"could not write the site to .*: Input/output error"):
        write_site(PAGES, output)
    monkeypatch.undo()
    assert tree_hash(output) == before
    assert staging(output.parent) == []


class FakeLibc:
    """libc as ctypes sees it, where renameat2 is missing or the file system does not support it."""

    def __init__(self, errno_code: int | None):
        if errno_code is not None:
            def renameat2(*args: object) -> int:
                ctypes.set_errno(errno_code)
                return -1

            self.renameat2 = renameat2


@pytest.mark.parametrize("unsupported", ["no-libc", "no-renameat2", errno.EINVAL, errno.ENOSYS, errno.ENOTSUP])
def test_without_renameat2_the_site_is_still_swapped_in(tmp_path: Path, monkeypatch, unsupported) -> None:
    """An old C library, a file system without RENAME_EXCHANGE: two renames instead, same result."""
    output = built(tmp_path)

    def cdll(*args: object, **kwargs: object) -> FakeLibc:
        if unsupported == "no-libc":
            raise OSError("no such library")
        return FakeLibc(None if unsupported == "no-renameat2" else unsupported)

    monkeypatch.setattr(ctypes, "CDLL", cdll)
    write_site(PAGES, output)
    assert files(output) == {**PAGES, MARKER: write.MARKER_TEXT}
    assert staging(output.parent) == []


def test_a_refused_exchange_keeps_the_old_site(tmp_path: Path, monkeypatch) -> None:
    output = built(tmp_path)
    before = tree_hash(output)
    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: FakeLibc(errno.EBUSY))  # output/ is a mount point
    with pytest.raises(UsageError) as caught:
        write_site(PAGES, output)
    assert str(caught.value) == f"cannot replace {output}: it is a mount point, or on another disk than its folder"
    assert tree_hash(output) == before
    assert staging(output.parent) == []


def test_a_failed_exchange_carries_the_kernels_reason(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    with pytest.raises(OSError) as caught:
        write._exchange(tmp_path / "new", tmp_path / "gone")
    assert (caught.value.errno, caught.value.filename) == (errno.ENOENT, str(tmp_path / "gone"))


def test_the_fallback_swap_replaces_the_site(tmp_path: Path, monkeypatch) -> None:
    output = built(tmp_path)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    write_site(PAGES, output)
    assert files(output) == {**PAGES, MARKER: write.MARKER_TEXT}
    assert staging(output.parent) == []


def test_two_first_builds_at_once_both_succeed(tmp_path: Path, monkeypatch) -> None:
    """The first-build race: another build creates output/ between our check and our rename."""
    output = tmp_path / "out" / "output"
    real_rename = os.rename
    raced = []

    def other_build_wins(a, b) -> None:
        if Path(b) == output and not raced:
            raced.append(True)
            write_site(OLD, output)  # the other build, finishing first
        real_rename(a, b)

    monkeypatch.setattr(os, "rename", other_build_wins)
    write_site(PAGES, output)
    assert raced
    assert files(output) == {**PAGES, MARKER: write.MARKER_TEXT}, "the later build's site should stand"
    assert staging(output.parent) == []


# ---------------------------------------------------------------- staging left by killed builds


def test_older_than_a_minute_means_strictly_older(tmp_path: Path, monkeypatch) -> None:
    parent = tmp_path / "out"
    parent.mkdir()
    now = 2_000_000_000
    for age in (60, 61):
        (parent / f".output-output-{age}").mkdir()
        os.utime(parent / f".output-output-{age}", (now - age, now - age))
    monkeypatch.setattr(write.time, "time", lambda: now)
    write_site(PAGES, parent / "output")
    assert staging(parent) == [".output-output-60"]


def test_stale_staging_folders_go_and_fresh_ones_stay(tmp_path: Path) -> None:
    parent = tmp_path / "out"
    parent.mkdir()
    old, fresh, other = parent / ".output-output-killed", parent / ".output-output-running", parent / ".output-x-1"
    for folder in (old, fresh, other):
        folder.mkdir()
        (folder / "index.html").write_bytes(b"partial")
    now = time.time()
    os.utime(old, (now - 60.5, now - 60.5))  # "older than a minute" is the promise, to the second
    os.utime(other, (now - 3600, now - 3600))
    os.utime(fresh, (now - 59.5, now - 59.5))
    write_site(PAGES, parent / "output")
    assert staging(parent) == [".output-output-running", ".output-x-1"], \
        "the killed build's leftovers should go; a build running alongside, or of another output, keeps its own"


# ---------------------------------------------------------------- whose folder it is


@pytest.mark.parametrize("inside", ["content", "content/summaries/out", "templates", "seeds/x", "static/out",
                                    "tests", "schemas/out", ".git", ".git/hooks", "."])
def test_an_output_in_or_over_the_sources_is_refused(tmp_path: Path, inside: str) -> None:
    root = tmp_path / "project"
    (root / "content").mkdir(parents=True)
    with pytest.raises(UsageError) as caught:
        check_output_dir(root / inside, root)
    assert str(caught.value) == (f"refusing to write the site to {root / inside}: "
                                 "it would overwrite the project's sources")


def test_a_folder_holding_the_project_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "a" / "project"
    root.mkdir(parents=True)
    for output in (tmp_path / "a", tmp_path):
        with pytest.raises(UsageError, match="would overwrite the project's sources"):
            check_output_dir(output, root)


def test_output_next_to_the_sources_is_fine(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for ok in (root / "output", root / "public" / "site", tmp_path / "elsewhere", root / "contents"):
        check_output_dir(ok, root)


def test_only_a_missing_empty_marked_or_earlier_build_folder_is_ours(tmp_path: Path) -> None:
    assert is_ours(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert is_ours(tmp_path / "empty")
    marked = tmp_path / "marked"
    marked.mkdir()
    (marked / MARKER).write_bytes(b"")
    (marked / "notes.txt").write_text("anything")
    assert is_ours(marked)
    legacy = tmp_path / "legacy"  # an output/ built before the marker existed
    legacy.mkdir()
    for name in write.LEGACY_FILES:
        (legacy / name).write_text("x")
    (legacy / "assets").mkdir()
    assert is_ours(legacy)
    (legacy / "facts.csv").unlink()
    assert not is_ours(legacy), "a folder with only some of a build's files is not a build"
    (legacy / "facts.csv").mkdir()
    assert not is_ours(legacy), "a folder named like a build's file is not one"
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "index.html").write_text("my page")
    assert not is_ours(documents)


def test_a_folder_of_someone_elses_files_is_refused_and_kept(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("keep me")
    with pytest.raises(UsageError) as caught:
        check_output_dir(documents, root)
    assert str(caught.value) == (f"refusing to replace {documents}: it holds files that the explainer generator "
                                 "did not write")
    assert caught.value.hint == ("choose a new or empty folder with --output; a build only replaces a folder "
                                 "holding its .explainer-build file")
    with pytest.raises(UsageError) as caught:
        write_site(PAGES, documents)  # filled after the check: still refused at the swap
    assert str(caught.value) == (f"refusing to replace {documents}: it holds files that the explainer generator "
                                 "did not write")
    assert caught.value.hint == "choose a new or empty folder with --output"
    assert files(documents) == {"letter.txt": b"keep me"}
    assert staging(tmp_path) == []


def test_a_parent_that_is_a_file_and_a_symlink_loop_are_usage_errors(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "notes").write_text("a file")
    with pytest.raises(UsageError, match=r"^cannot create .*notes/deeper/out: .*notes is a file, not a folder$"):
        check_output_dir(tmp_path / "notes" / "deeper" / "out", root)
    with pytest.raises(UsageError, match=r"^the output path .*notes exists and is not a directory$"):
        check_output_dir(tmp_path / "notes", root)
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(UsageError, match=r"^the output path .*loop is a loop of symbolic links$"):
        check_output_dir(tmp_path / "loop", root)
    with pytest.raises(UsageError, match="loop of symbolic links"):
        write_site(PAGES, tmp_path / "loop")


# ---------------------------------------------------------------- every system error says what it is


@pytest.mark.parametrize(("code", "kind", "message"), [
    (errno.ENOSPC, WriteError, "the disk is full: the new site could not be written beside {out}"),
    (errno.EDQUOT, WriteError, "the disk is full: the new site could not be written beside {out}"),
    (errno.EROFS, UsageError, "cannot write to {parent}: the file system is read-only"),
    (errno.EACCES, UsageError, "cannot write to {parent}: permission denied"),
    (errno.EPERM, UsageError, "cannot write to {parent}: permission denied"),
    (errno.EBUSY, UsageError, "cannot replace {out}: it is a mount point, or on another disk than its folder"),
    (errno.EXDEV, UsageError, "cannot replace {out}: it is a mount point, or on another disk than its folder"),
    (errno.ELOOP, UsageError, "the output path {out} is a loop of symbolic links"),
    (errno.ENOTDIR, UsageError, "cannot create {out}: a file is in the way ({parent}/x)"),
    (errno.EIO, WriteError, "could not write the site to {out}: Input/output error"),
])
def test_each_system_error_is_one_line_with_a_hint(tmp_path: Path, code: int, kind: type, message: str) -> None:
    out = tmp_path / "site" / "output"
    exc = write.explain(OSError(code, os.strerror(code), str(tmp_path / "x")), out)
    assert type(exc) is kind
    assert str(exc) == message.format(out=out, parent=tmp_path)
    assert "\n" not in str(exc) and exc.hint
    assert exc.exit_code == (1 if kind is WriteError else 2)


def test_an_error_naming_no_file_is_blamed_on_the_output_folder(tmp_path: Path) -> None:
    exc = write.explain(OSError(errno.EROFS, "Read-only file system"), tmp_path / "site" / "output")
    assert str(exc) == f"cannot write to {tmp_path / 'site'}: the file system is read-only"


def test_large_generated_files_wait_on_disk_and_are_written_the_same(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import make_project

    from explainer import pipeline

    project = make_project(tmp_path / "site")
    kept = pipeline.build(project.root, tmp_path / "kept")
    monkeypatch.setattr(write, "SPILL_BYTES", 1000)  # every export bigger than 1 KB goes to disk
    spilled = pipeline.build(project.root, tmp_path / "spilled")
    on_disk = sorted(name for name, data in spilled.pages.items() if isinstance(data, write.OnDisk))
    assert on_disk == ["facts.csv", "facts.json"]
    assert all(len(spilled.pages[n]) == len(kept.pages[n]) and spilled.pages[n] == kept.pages[n] for n in on_disk)
    assert tree_hash(tmp_path / "spilled") == tree_hash(tmp_path / "kept")
    assert stat.S_IMODE(os.stat(tmp_path / "spilled" / "facts.json").st_mode) == 0o644


def test_a_sink_keeps_small_files_as_bytes() -> None:
    sink = write.Sink()
    sink.write(b"abc")
    sink.write(b"def")
    assert sink.value() == b"abcdef" and type(sink.value()) is bytes
