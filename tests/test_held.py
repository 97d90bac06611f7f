"""The preview's large exports, written from their kept pieces and then read back from the file written
(held.py): the same files as a cold build, save after save, with no lines held in memory and no
replaced file held open; a file another program wrote into is not read from."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import tree_hash

from explainer import exports, held, pipeline, write_changes
from explainer.held import InPieces, Span, Written
from explainer.incremental import IncrementalBuilder

LARGE = ["facts.csv", "facts.json", "sources.json", "timeline.json"]


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated story of 40 facts whose exports all count as large (over 1,000 bytes)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate

    monkeypatch.setattr(exports, "IN_PIECES_AT", 1000)
    return generate(tmp_path / "project", 40)


def _edit(root: Path, claim: str) -> None:
    facts = root / "content" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace('  claim: "', f'  claim: "{claim} ', 1),
                     encoding="utf-8")


def _same_as_cold(builder: IncrementalBuilder, root: Path, tmp_path: Path) -> None:
    preview = builder.build(root, tmp_path / "preview")
    cold = pipeline.build(root, tmp_path / "cold")
    assert sorted(name for name, data in preview.pages.items() if isinstance(data, InPieces)) == LARGE
    assert all(preview.pages[name] == cold.pages[name] for name in LARGE)
    assert tree_hash(tmp_path / "preview") == tree_hash(tmp_path / "cold")


def test_the_previews_large_exports_are_written_from_their_kept_pieces(story: Path, tmp_path: Path) -> None:
    builder = IncrementalBuilder()
    for claim in ("Alpha", "Beta", "Gamma"):
        _edit(story, claim)
        _same_as_cold(builder, story, tmp_path)
        assert builder.cache.render.exports.held() == dict.fromkeys(LARGE, 0)  # all read back from the files


def test_an_export_written_into_in_place_is_not_read_back(story: Path, tmp_path: Path) -> None:
    builder = IncrementalBuilder()
    _same_as_cold(builder, story, tmp_path)
    written = tmp_path / "preview" / "facts.json"
    before = written.stat()
    with open(written, "r+b") as f:  # as an editor saving in place: same size, other bytes, a later time
        f.seek(200)
        f.write(b"X" * 40)
    os.utime(written, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    with open(tmp_path / "preview" / "facts.csv", "r+b") as f:  # cut short
        f.truncate(100)
    _edit(story, "Delta")
    _same_as_cold(builder, story, tmp_path)
    _same_as_cold(builder, story, tmp_path)  # and the chunks made afresh are read back in turn


def test_no_replaced_export_is_held_open(story: Path, tmp_path: Path) -> None:
    builder = IncrementalBuilder()
    for claim in ("Alpha", "Beta", "Gamma", "Delta"):
        _edit(story, claim)
        builder.build(story, tmp_path / "preview")
        write_changes.released()
    held = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own handle, closed by now
            held.append(os.readlink(f"/proc/self/fd/{fd}"))
    output = str((tmp_path / "preview").resolve())
    assert sorted(Path(name).name for name in held if name.startswith(output)) == LARGE
    assert not [name for name in held if name.startswith(output) and name.endswith("(deleted)")]


def test_a_span_of_a_file_cut_short_is_an_error_not_short_bytes(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"0123456789")
    written = Written(os.open(path, os.O_RDONLY))
    assert bytes(Span(written, 2, 5)) == b"23456" and written.intact()
    os.truncate(path, 4)
    assert not written.intact()
    with pytest.raises(OSError, match="5 bytes were written at 2; the file is shorter now"):
        bytes(Span(written, 2, 5))


def test_pieces_not_written_to_a_readable_file_stay_in_memory(tmp_path: Path) -> None:
    kept = [b"alpha", b"beta"]
    pieces = InPieces([b"[", kept[0], b",", kept[1], b"]"], kept)
    with open(tmp_path / "out", "wb") as f:  # write-only: the file cannot be read back
        pieces.copy_to(f)
    assert (tmp_path / "out").read_bytes() == b"[alpha,beta]" == bytes(pieces)
    assert kept == [b"alpha", b"beta"]
    with open(tmp_path / "again", "wb+") as f:
        pieces.copy_to(f)
    assert [type(piece) for piece in kept] == [Span, Span] and list(map(bytes, kept)) == [b"alpha", b"beta"]
    assert bytes(pieces) == b"[alpha,beta]"


@pytest.mark.skipif(held._libc_function("malloc_trim") is None, reason="only glibc has malloc_trim")
def test_memory_freed_between_blocks_still_used_is_handed_back() -> None:
    """What a save frees lies between what the preview keeps: glibc holds on to it until asked."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from rebuild import resident_mb  # as the benchmark measures what the preview holds

    kept, freed = [], []
    for n in range(3000):  # 300 MB in blocks below glibc's threshold for a mapping of their own
        (kept if n % 10 == 0 else freed).append(b"x" * 100_000)
    del freed
    before = resident_mb()
    held.give_back_freed()
    assert resident_mb() < before - 150
    assert len(kept) == 300


LARGE_BLOCK_FREED = """
import sys
sys.path[:0] = sys.argv[1:3]
from explainer import held
from rebuild import resident_mb
held.map_large_blocks()
size = 20 << 20
block = b"x" * size
del block  # without map_large_blocks, glibc now takes blocks up to 20 MB from its heap
block = b"y" * size  # a save's facts.yaml, at 50,000 facts
small = [bytes(100) for _ in range(1000)]  # what the save makes after it
before = resident_mb()
del block
print(before, resident_mb())
"""


@pytest.mark.skipif(held._libc_function("mallopt") is None, reason="only glibc has mallopt")
def test_a_large_block_freed_is_handed_back_at_once() -> None:
    """After map_large_blocks (serve calls it), a block of 16 MB or more freed goes back to the
    system at once, also after glibc has seen such a block freed (then it keeps the next ones: a
    50,000-fact save's peak was 20 MB higher). In a process of its own: the setting is the process's."""
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", LARGE_BLOCK_FREED, str(repo), str(repo / "bench")],
                         capture_output=True, text=True, check=True)
    before, after = map(float, out.stdout.split())
    assert after < before - 15, (before, after)


def _written(tmp_path: Path, name: str, pieces: InPieces) -> bytes:
    with open(tmp_path / name, "wb+") as f:
        pieces.copy_to(f)
    return (tmp_path / name).read_bytes()


def test_spans_that_follow_one_another_are_read_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = [b"alpha", b"beta", b"gamma"]
    assert _written(tmp_path, "first", InPieces([b"[", kept[0], b",", kept[1], b",", kept[2], b"]"], kept)) \
        == b"[alpha,beta,gamma]"
    a, b, c = kept
    reads: list[int] = []
    real = os.pread

    def counted(handle: int, count: int, offset: int) -> bytes:
        if count:  # not the check that the file can be read at all
            reads.append(count)
        return real(handle, count, offset)

    monkeypatch.setattr(os, "pread", counted)
    cases = [  # the pieces of the next write, what it holds, and the reads made
        ([b"[", a, b",", b, b",", c, b"]"], b"[alpha,beta,gamma]", [16]),  # one run: alpha,beta,gamma
        ([b"[", b"new", b",", b, b",", c, b"]"], b"[new,beta,gamma]", [10]),
        ([b"[", c, b",", b, b",", a, b"]"], b"[gamma,beta,alpha]", [5, 4, 5]),  # moved: each on its own
        ([b"[", a, b";", b, b"]"], b"[alpha;beta]", [5, 4]),  # another separator than was written
        ([b"[", a, b",", b"x", b",", c, b"]"], b"[alpha,x,gamma]", [5, 5]),
    ]
    for n, (pieces, expected, made) in enumerate(cases):
        reads.clear()
        assert _written(tmp_path, f"next{n}", InPieces(list(pieces))) == expected
        assert reads == made
    rows = [b"r1\n", b"r2\n", b"r3\n"]  # as facts.csv: rows with nothing between them
    assert _written(tmp_path, "csv", InPieces([b"head\n", *rows], rows)) == b"head\nr1\nr2\nr3\n"
    rows_cases = [([b"head\n", *rows], b"head\nr1\nr2\nr3\n", [9]),
                  ([b"head\n", rows[0], b"new\n", rows[2]], b"head\nr1\nnew\nr3\n", [3, 3]),
                  ([b"head\n", rows[1], rows[0]], b"head\nr2\nr1\n", [3, 3])]
    for n, (pieces, expected, made) in enumerate(rows_cases):
        reads.clear()
        assert _written(tmp_path, f"csv{n}", InPieces(list(pieces))) == expected
        assert reads == made


def test_the_same_builds_site_written_again_rewrites_no_export(story: Path, tmp_path: Path) -> None:
    """The search index comes in after the build, with the build's own files (serve_builds): the
    exports, already written, are recognised and left alone."""
    builder = IncrementalBuilder()
    result = builder.build(story, tmp_path / "preview")
    before = {name: (tmp_path / "preview" / name).stat().st_ino for name in LARGE}
    builder.cache.written.write({**result.pages, "pagefind/index.js": b"new"}, tmp_path / "preview")
    assert builder.cache.written.changed == ["pagefind/index.js"]
    assert {name: (tmp_path / "preview" / name).stat().st_ino for name in LARGE} == before
    _edit(story, "Alpha")
    _same_as_cold(builder, story, tmp_path)


def test_pieces_written_twice_give_the_memo_their_spans_once(tmp_path: Path) -> None:
    """A write that meets something unexpected is made again whole, with the same objects."""
    kept = [b"alpha", b"beta"]
    pieces = InPieces([b"[", kept[0], b",", kept[1], b"]"], kept)
    assert _written(tmp_path, "first", pieces) == b"[alpha,beta]"
    spans = list(kept)
    assert _written(tmp_path, "again", pieces) == b"[alpha,beta]"
    assert kept == spans and list(map(bytes, kept)) == [b"alpha", b"beta"]


def test_without_pread_the_pieces_stay_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.pread (and cannot replace a file held open): the pieces are kept as bytes."""
    monkeypatch.delattr(os, "pread")
    kept = [b"alpha", b"beta"]
    assert _written(tmp_path, "out", InPieces([b"[", kept[0], b",", kept[1], b"]"], kept)) == b"[alpha,beta]"
    assert kept == [b"alpha", b"beta"]


def test_a_first_builds_new_chunks_wait_on_disk_until_written(story: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The first build makes every chunk of every export: past the size of a small file they go to a
    temporary file as they are made (held.Spill), and are read back from there to be written; then
    they lie in the files written, and no temporary file stays open. The same bytes as a cold build."""
    made: list[dict] = []
    real = exports.data_files

    def seen(*args, **kwargs):
        files = real(*args, **kwargs)
        made.append({name: [(type(chunk), len(chunk)) for chunk in data.kept]  # not the chunks: they hold their file
                     for name, data in files.items() if isinstance(data, InPieces)})
        return files

    monkeypatch.setattr(exports, "data_files", seen)
    temporary = str(Path(tempfile.gettempdir()).resolve())
    before = _deleted_files_open(temporary)  # pytest's own, capturing the output
    builder = IncrementalBuilder()
    _same_as_cold(builder, story, tmp_path)
    first = made[0]
    assert sorted(first) == LARGE
    for name, chunks in first.items():  # the chunks up to 1,000 bytes in memory, the rest in spans
        in_memory = [size for kind, size in chunks if kind is bytes]
        assert sum(in_memory[:-1]) <= 1000 and (Span, chunks[-1][1]) in chunks, name
    assert builder.cache.render.exports.held() == dict.fromkeys(LARGE, 0)
    write_changes.released()
    assert _deleted_files_open(temporary) == before
    _edit(story, "Alpha")
    _same_as_cold(builder, story, tmp_path)


def _deleted_files_open(folder: str) -> set[str]:
    """The temporary files under ``folder`` this process holds open (Linux: /proc/self/fd)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own handle, closed by now
            name = os.readlink(f"/proc/self/fd/{fd}")
            if name.startswith(folder) and name.endswith("(deleted)"):
                found.add(name)
    return found


def test_spilled_chunks_read_back_as_made() -> None:
    spill = held.Spill(b",\n", limit=8)
    pieces = [spill.add(chunk) for chunk in (b"alpha", b"beta", b"gamma", b"delta")]
    assert [type(p) for p in pieces] == [bytes, Span, Span, Span]  # 5 bytes kept, then past the limit
    spill.done()
    assert list(map(bytes, pieces)) == [b"alpha", b"beta", b"gamma", b"delta"]
    assert [p.then for p in pieces[1:]] == [b",\n"] * 3  # written after each: a run is read at once
    assert bytes(InPieces([b"[", pieces[0], b",\n", pieces[1], b",\n", pieces[2], b",\n", pieces[3], b"]"])) \
        == b"[alpha,\nbeta,\ngamma,\ndelta]"
    rows = held.Spill(b"", limit=0)
    assert [p.then for p in [rows.add(b"r1\n"), rows.add(b"r2\n")]] == [None, None]


def test_without_pread_nothing_is_spilled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "pread")
    spill = held.Spill(b",", limit=0)
    assert spill.add(b"alpha") == b"alpha"
    spill.done()


def test_the_previews_list_pages_are_held_compressed_as_soon_as_rendered(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Not all of them in full until the first write (the first build's peak): each page the preview
    keeps is compressed once rendered, and written unpacked, the same bytes as a cold build's."""
    from generate import generate

    from explainer import render

    root = generate(tmp_path / "project", 300)
    rendered: list[dict] = []
    real = render.render_pages

    def seen(*args, **kwargs):
        done = real(*args, **kwargs)
        rendered.append({name: type(data) for name, (data, _) in done.items()})
        return done

    monkeypatch.setattr(render, "render_pages", seen)
    preview = IncrementalBuilder().build(root, tmp_path / "preview")
    kinds = rendered[0]
    listed = [name for name in kinds if name not in ("404.html",)]
    assert len(listed) > 3 and all(kinds[name] is held.Packed for name in listed), kinds
    cold = pipeline.build(root, tmp_path / "cold")
    assert all(bytes(preview.pages[name]) == cold.pages[name] for name in listed)
    assert tree_hash(tmp_path / "preview") == tree_hash(tmp_path / "cold")


def test_an_export_none_of_whose_lines_changed_is_not_written_again(story: Path, tmp_path: Path) -> None:
    """A summary edited: every line of every export is the one written last, where it lies in the
    file, and the file is left as it is (at 50,000 facts, 81 MB written again for nothing)."""
    builder = IncrementalBuilder()
    _same_as_cold(builder, story, tmp_path)
    inodes = {name: (tmp_path / "preview" / name).stat().st_ino for name in LARGE}
    summary = sorted((story / "content" / "summaries").glob("*.md"))[-1]
    text = summary.read_text(encoding="utf-8")  # a sentence more in its last paragraph, before its citations
    end = text.rindex(".[[") + 1
    summary.write_text(text[:end] + " Another sentence." + text[end:], encoding="utf-8")
    _same_as_cold(builder, story, tmp_path)
    assert "index.html" in builder.cache.written.changed
    assert not set(LARGE) & set(builder.cache.written.changed)
    assert {name: (tmp_path / "preview" / name).stat().st_ino for name in LARGE} == inodes
    _edit(story, "Alpha")  # a claim: facts.json and facts.csv change, the other two do not
    _same_as_cold(builder, story, tmp_path)
    assert sorted(set(LARGE) & set(builder.cache.written.changed)) == ["facts.csv", "facts.json"]


def test_pieces_lie_in_the_file_written_only_as_written(tmp_path: Path) -> None:
    kept = [b"alpha", b"beta"]
    first = InPieces([b"[", kept[0], b",", kept[1], b"]"], kept)
    assert _written(tmp_path, "out", first) == b"[alpha,beta]"
    found = os.stat(tmp_path / "out")
    signature = (found.st_ino, found.st_size, found.st_mtime_ns)
    a, b = kept
    assert InPieces([b"[", a, b",", b, b"]"]).lies_in(*signature)
    assert not InPieces([b"{", a, b",", b, b"]"]).lies_in(*signature)  # its head is not the file's
    assert not InPieces([b"[", a, b";", b, b"]"]).lies_in(*signature)  # nor a separator
    assert not InPieces([b"[", b, b",", a, b"]"]).lies_in(*signature)  # moved
    assert InPieces([b"[", a, b",", b"beta", b"]"]).lies_in(*signature)  # a short piece: compared with the file
    assert not InPieces([b"[", a, b",", b"bet!", b"]"]).lies_in(*signature)
    assert not InPieces([b"[", a, b",", b"x" * 5000, b"]"]).lies_in(*signature)  # a chunk made again: written
    assert not InPieces([b"[", a, b",", b]).lies_in(*signature)  # the file goes on
    assert not InPieces([b"[", a, b",", b, b"]"]).lies_in(signature[0] + 1, *signature[1:])  # another file
    with open(tmp_path / "out", "r+b") as f:  # written into in place
        f.write(b"{")
    assert not InPieces([b"[", a, b",", b, b"]"]).lies_in(*signature)


def test_exports_of_a_megabyte_stay_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From IN_PIECES_AT up (a megabyte), not only from 16 MB (write.SPILL_BYTES), as until 2 Dec 2026:
    at 10,000 facts the exports (18 MB) were joined and held twice, as lines and joined; now, once
    written, their lines lie in the files."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate

    assert exports.IN_PIECES_AT == 1 << 20
    root = generate(tmp_path / "project", 40)
    monkeypatch.setattr(exports, "IN_PIECES_AT", 4000)  # a 40-fact story's megabyte
    builder = IncrementalBuilder()
    preview = builder.build(root, tmp_path / "preview")
    in_pieces = {name for name, data in preview.pages.items() if isinstance(data, InPieces)}
    assert in_pieces >= {name for name in exports.DATA_FILES if len(preview.pages[name]) >= 8000} != set()
    assert all(builder.cache.render.exports.held()[name] == 0 for name in in_pieces)
    _edit(root, "Alpha")
    builder.build(root, tmp_path / "preview")
    pipeline.build(root, tmp_path / "cold")
    assert tree_hash(tmp_path / "preview") == tree_hash(tmp_path / "cold")
