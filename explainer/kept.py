"""What the render stage keeps between builds for the editions' languages, so a build need not load Babel.

An edition in another language than English needs Babel for three things whose answers never
change between builds while their inputs do not: its catalog compiled (`locales/uk.po`, ~17 ms with
the e-mail parser Babel reads its header with), each language's own name for the language switch
(~12 ms: its CLDR file loads babel.dates), and its dates and numbers written by CLDR (~35 ms: Babel's
import and the language's locale data, for the shipped story's 13 different dates). Each answer is
kept in the private folder where Jinja keeps the compiled templates (page_tools.bytecode_cache),
under a name made of everything it depends on: the catalog's bytes, or the language and the
installed Babel (its package file's size and time, found without importing it). A kept answer that
cannot be read is worked out again; one that cannot be saved is not kept; neither fails a build.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path


def folder() -> Path | None:
    """The private folder where the compiled templates are kept, if there is one.

    A build has loaded Jinja already and asks it. `check` renders nothing: there the folder, once
    Jinja has made it at a first build, is found without importing Jinja (20–40 ms of a `check` that
    reads a catalog: catalogs.check_catalogs). tests/test_languages.py holds the two to the same folder.
    """
    if "explainer.page_tools" not in sys.modules:
        found = _made_folder()
        if found is not None:
            return found
    from .page_tools import bytecode_cache

    cache = bytecode_cache()
    return Path(cache.directory) if cache is not None else None


def _made_folder() -> Path | None:
    """Jinja's default cache folder (jinja2.FileSystemBytecodeCache), if it is there already and safe
    as Jinja requires: a folder of this user's, which only this user may read or write."""
    import stat
    import tempfile

    if os.name == "nt" or not hasattr(os, "getuid"):
        return None  # Jinja's own rules apply there: ask it
    path = Path(tempfile.gettempdir()) / f"_jinja2-cache-{os.getuid()}"
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode) or stat.S_IMODE(info.st_mode) != stat.S_IRWXU:
        return None
    return path


def keep(path: Path, data: bytes) -> None:
    """Save a kept answer whole (written aside, then renamed), or not at all."""
    import tempfile

    with contextlib.suppress(OSError):
        handle, aside = tempfile.mkstemp(dir=path.parent, prefix=".explainer-kept-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(aside, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(aside)


def read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def babel_stamp() -> str | None:
    """The installed Babel, as its package file's size and time: found, not imported (~3 ms saved)."""
    from importlib.util import find_spec

    spec = find_spec("babel")
    if spec is None or spec.origin is None:
        return None
    try:
        stat = os.stat(spec.origin)
    except OSError:
        return None
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def catalog_path(data: bytes) -> Path | None:
    """Where the compiled form of a catalog with these bytes is kept; None without a cache folder."""
    import hashlib

    where, stamp = folder(), babel_stamp()
    if where is None or stamp is None:
        return None
    key = hashlib.sha256(f"babel {stamp}\0".encode() + data).hexdigest()
    return where / f"__explainer_catalog_{key}.mo"


def name_path(code: str) -> Path | None:
    """Where a language's own name is kept."""
    where, stamp = folder(), babel_stamp()
    if where is None or stamp is None:
        return None
    return where / f"__explainer_language_name_{code}_{stamp}.txt"


class Formats:
    """One language's dates and numbers as Babel wrote them, kept between builds.

    ``text(key, make)`` answers from the kept ones, else calls ``make`` (Babel); ``save()`` adds this
    build's new answers to the kept ones (several stories in one language share the file), or keeps
    this build's only once they pass MAX_FORMATS, so the file stays small.
    """

    MAX_FORMATS = 5000  # ~200 KB; the shipped story uses 13, a generated 10,000-fact one ~1,000

    def __init__(self, language: str):
        where, stamp = folder(), babel_stamp()
        self.path = where / f"__explainer_formats_{language}_{stamp}.json" if where and stamp else None
        self.known: dict[str, str] = {}
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            data = json.loads(read(self.path) or b"{}")
            if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
                self.known = data
        self.used: dict[str, str] = {}

    def text(self, key: str, make: Callable[[], str]) -> str:
        text = self.used.get(key)
        if text is None:
            text = self.known.get(key)
            if text is None:
                text = make()
            self.used[key] = text
        return text

    def save(self) -> None:
        if self.path is None or self.used.keys() <= self.known.keys():
            return  # nothing new
        kept = {**self.known, **self.used}
        if len(kept) > self.MAX_FORMATS:
            kept = self.used
        keep(self.path, json.dumps(kept, ensure_ascii=False, sort_keys=True).encode("utf-8"))
