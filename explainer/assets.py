"""Static assets with a content hash in their names (assets/style.3f2a1c9e.css).

A file whose name changes whenever its bytes change can be cached by browsers and CDNs "forever"
(Cache-Control: max-age=31536000, immutable): a new build links to new names, so nobody sees a
stale stylesheet. Templates ask for `{{ asset('style.css') }}` and get the hashed, relative path,
which works at a domain root, under a sub-path and from disk alike.
"""

from __future__ import annotations

import base64
import hashlib
import html
import posixpath
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .markdown_checks import OTHER_SITE  # a link with a scheme, or to another host

HASH_LENGTH = 8
DATA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon"}  # asset_data's media types
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")


@dataclass
class Assets:
    """The static files under content-hashed names, and the map templates link them by."""

    files: dict[str, bytes] = field(default_factory=dict)  # output path → bytes
    names: dict[str, str] = field(default_factory=dict)  # "style.css" → "assets/style.3f2a1c9e.css"

    def url(self, name: str) -> str:
        """The template global `asset(name)`: the hashed path, relative to the page."""
        try:
            return self.names[name.lstrip("/")]
        except KeyError:
            raise jinja2.TemplateRuntimeError(
                f"asset('{name}'): there is no static/{name}; known assets: {', '.join(sorted(self.names))}"
            ) from None

    def data_url(self, name: str) -> str:
        """The template global `asset_data(name)`: the file itself as a `data:` URL, for a page that
        may link no file (404.html is served at any depth, where a relative link breaks)."""
        media = DATA_TYPES.get(name.rpartition(".")[2].lower(), "application/octet-stream")
        return f"data:{media};base64,{base64.b64encode(self.files[self.url(name)]).decode('ascii')}"


def hashed_name(rel: str, data: bytes) -> str:
    """`css/style.css` + bytes → `css/style.<hash>.css`."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    head, dot, ext = rel.rpartition(".")
    if not dot or "/" in ext:
        return f"{rel}.{digest}"
    return f"{head}.{digest}.{ext}"


def hash_assets(folders: Sequence[Path], inlined: tuple[str, ...] = ()) -> Assets:
    """Every file under the static folders, renamed with its hash; CSS `url(...)`s to other assets follow.

    ``folders`` is a lookup order (the project's static/, then the theme's): the first folder
    holding a name wins. Files named in ``inlined`` go into the pages themselves, so they are
    neither written nor linkable.
    """
    assets = Assets()
    found: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                rel = path.relative_to(folder).as_posix()
                if path.is_file() and rel not in inlined:
                    found.setdefault(rel, path)
    # CSS last, so its url() references can be rewritten to the other files' hashed names.
    for rel, path in sorted(sorted(found.items()), key=lambda item: item[1].suffix == ".css"):
        data = path.read_bytes()
        if path.suffix == ".css":
            data = _rewrite_css(rel, data, assets.names)
        out = "assets/" + hashed_name(rel, data)
        assets.files[out] = data
        assets.names[rel] = out
    return assets


def _rewrite_css(rel: str, data: bytes, names: dict[str, str]) -> bytes:
    """Point `url(font.woff2)` at `font.<hash>.woff2`; external and data: URLs stay as written."""
    here = posixpath.dirname(rel)

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        path, sep, rest = target.partition("?") if "?" in target else target.partition("#")
        key = posixpath.normpath(posixpath.join(here, path))
        if ":" in target or target.startswith("/") or key not in names:
            return match.group(0)
        new = posixpath.relpath(names[key].removeprefix("assets/"), here or ".")
        return f"url({match.group(1)}{new}{sep}{rest}{match.group(1)})"

    text = data.decode("utf-8", "surrogateescape")  # any bytes round-trip unchanged
    return _CSS_URL.sub(swap, text).encode("utf-8", "surrogateescape")


# A link is the value of an href or src attribute with whitespace before it. Each pattern starts
# with the literal `="`, which the regex engine finds by a fast search, and then looks behind at the
# attribute's name and the whitespace: the same matches as `\s(?:href|src)="([^"]*)"`, in a tenth of
# the time on text (32 against 340 ms for a 21 MB page); a pattern that starts with a look-behind or
# an alternation is tried at every character. LINK (text) keeps `="` and the closing quote as groups
# 1 and 3 around the link for a rewrite (offline.py, embeds.py); LINK_BYTES is for the link check,
# on the page's bytes (only the links found are decoded).
LINK = re.compile(r'(=")(?:(?<=\shref=")|(?<=\ssrc="))([^"]*)(")')
LINK_BYTES = re.compile(rb'="(?:(?<=\shref=")|(?<=\ssrc="))([^"]*)"')
_ELSEWHERE = (b"#", b"https://", b"http://")  # most links, skipped before they are decoded


def broken_links(pages: dict[str, bytes]) -> list[tuple[str, str, str]]:
    """(page, link, why) for each href/src in a page that the output would not satisfy.

    Links must be relative so the site works at a domain root, under a sub-path and from disk; a
    template that links `assets/style.css` instead of `{{ asset('style.css') }}` is caught here.
    """
    return [(page, link, why) for page, data in pages.items() if page.endswith(".html")
            for link, why in unmet_links(page_links(page, data), pages)]


def page_links(page: str, data: bytes) -> list[tuple[str, str, str]]:
    """(link, output file it needs, why it is broken already) for each local href/src in one page.

    The part of the link check that reads the page, so it can run where the page was rendered (a
    worker) or be kept with the page between builds; `unmet_links` then checks the targets.
    """
    out = []
    here = posixpath.dirname(page)
    targets: dict[str, str] = {}  # path → the file it names: a page links the same few files many times
    for found in LINK_BYTES.findall(data):
        if found.startswith(_ELSEWHERE):
            continue  # same page, or another site (a link the unescaping below could change starts otherwise)
        raw = found.decode("utf-8", "replace")
        link = html.unescape(raw) if "&" in raw else raw
        if not link or link[0] == "#" or OTHER_SITE.match(link):
            continue  # same page, or another site
        path = link.split("#", 1)[0].split("?", 1)[0]
        if path.startswith("/"):
            out.append((link, "", "a link from the domain root breaks under a sub-path and from disk"))
            continue
        target = targets.get(path)
        if target is None:
            target = posixpath.normpath(posixpath.join(here, path))
            if path.endswith("/") or path in ("", ".", ".."):
                target = posixpath.join(target, "index.html").removeprefix("./")
            targets[path] = target
        out.append((link, target, ""))
    return out


def unmet_links(links: list[tuple[str, str, str]], pages: Container[str]) -> list[tuple[str, str]]:
    """(link, why) for each of a page's links (from `page_links`) that the output would not satisfy."""
    return [(link, why or "the build writes no such file") for link, target, why in links
            if why or target not in pages]
