"""What every page is built with besides its templates' text: the inlined stylesheet and the Content
Security Policy that allows it by hash; the Jinja environment's parts (the confined template loader,
the bytecode cache, weak filters) and the error that points at a template's line.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import weakref
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

import jinja2
import jinja2.compiler
import jinja2.nodes
from markupsafe import Markup, _escape_inner, escape

from .confine import inside
from .errors import ContentError, Problems

T = TypeVar("T")

_CSS_STRING_OR_COMMENT = re.compile(r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|/\*.*?\*/)""", re.DOTALL)


@functools.lru_cache(maxsize=8)  # each edition inlines the same stylesheets: minified once (~1.5 ms each)
def minify_css(css: str) -> str:
    """Drop comments and spare whitespace outside strings: enough for a hand-written stylesheet."""
    out = []
    for i, part in enumerate(_CSS_STRING_OR_COMMENT.split(css)):
        if i % 2:  # a string (kept as written) or a comment (dropped)
            out.append("" if part.startswith("/*") else part)
            continue
        part = re.sub(r"\s+", " ", part)
        out.append(re.sub(r"\s*([{};,>])\s*", r"\1", part).replace(";}", "}"))
    return "".join(out).strip()


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(style_hash: str) -> str:
    """Same-origin only; the one inline stylesheet is allowed by its hash; no inline script.

    frame-ancestors and report-uri are left out: browsers ignore them in a <meta> (with a console error).
    """
    return ("default-src 'self'; script-src 'self'; style-src 'self' " + style_hash + "; img-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'")


class ProjectLoader(jinja2.FileSystemLoader):
    """Templates along the theme's lookup order (theme.py), where a link (include, extends, or the page
    itself) may not leave its folder's project: the project's own templates stay inside the project,
    the package's theme inside the theme.

    The build refuses such links before it starts (confine.py); this holds even for one made since.
    """

    def __init__(self, folders: Sequence[Path], root: Path,
                 loaded: Callable[[str, jinja2.Template], None] | None = None):
        """``loaded(name, template)`` is told of each template compiled or read from the bytecode cache."""
        super().__init__([str(folder) for folder in folders])
        self.root = root
        self.loaded = loaded
        self._bounds: dict[str, Path | None] = {}  # folder → where its templates must stay, resolved

    def _bound(self, folder: str) -> Path | None:
        """The project (for its own folders) or the folder itself, links resolved: once per folder and
        build, not for every template (three fewer path resolutions each)."""
        if folder not in self._bounds:
            bound = self.root if inside(folder, self.root) else Path(folder)
            try:
                self._bounds[folder] = bound.resolve()
            except (OSError, RuntimeError):
                self._bounds[folder] = None
        return self._bounds[folder]

    def load(self, environment: jinja2.Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        template = super().load(environment, name, globals)
        if self.loaded is not None:
            self.loaded(name, template)
        return template

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        for folder in self.searchpath:
            path = Path(folder, *jinja2.loaders.split_template_path(template))
            if not os.path.lexists(path):
                continue
            if not _resolves_into(path, self._bound(folder)):
                raise jinja2.TemplateNotFound(template, f"'{template}' is a link out of the project, "
                                                        "and the build reads nothing outside it")
            break
        return super().get_source(environment, template)


def output_escape(value: Any) -> Markup:
    """markupsafe.escape for what a template outputs, without its cost for what is already Markup.

    Most of what the fact list outputs is Markup a filter made (dates, attributions, topics, the
    quote in context), which markupsafe.escape copies into a new Markup through two Python-level
    calls (~2 µs); text is escaped by markupsafe's own C function. The same text either way.
    """
    cls = type(value)
    if cls is str:
        return _new_str(Markup, _escape_inner(value))
    if cls is Markup:
        return value
    return escape(value)  # numbers, other objects with __html__ (bidi.Prose), anything else


_new_str = str.__new__


class Template(jinja2.Template):
    """Jinja's Template whose compiled code escapes its output with `output_escape`."""

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: Any, globals: Any) -> jinja2.Template:
        # The compiled module looks `escape` up among its globals on each call: the namespace it ran in.
        namespace["escape"] = output_escape
        return super()._from_namespace(environment, namespace, globals)


def _resolves_into(path: Path, bound: Path | None) -> bool:
    """confine.inside with the bound resolved already."""
    if bound is None:
        return False
    try:
        return path.resolve().is_relative_to(bound)
    except (OSError, RuntimeError):
        return False


class JoinedOutput(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, but a run of output between two tags is yielded as one string.

    Jinja yields each piece of a run on its own (`<li id="`, the id, `" class="fact"…`): about 40
    pieces a fact, and each travels up every template and block the page is made of (an include
    inside a block of a child template: four generators) to the join at the top. Joined where the
    run is written, the page is the same text in a quarter of the pieces. Buffered output (macros,
    `{% set %}` blocks, `{% call %}`) and output before `{% extends %}` is made as Jinja makes it.
    """

    def visit_Output(self, node: jinja2.nodes.Output, frame: Any) -> None:
        if frame.buffer is not None or frame.require_output_check:
            return super().visit_Output(node, frame)
        finalize = self._make_finalize()
        body: list[Any] = []  # runs of constant text (lists) and expressions, as Jinja groups them
        for child in node.nodes:
            try:
                if not (finalize.const or isinstance(child, jinja2.nodes.TemplateData)):
                    raise jinja2.nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except Exception:  # evaluated at run time (jinja2.nodes.Impossible, or an error to raise then)
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        if len(body) < 2:
            return super().visit_Output(node, frame)
        self.writeline("yield concat((")  # each function Jinja writes sets concat = environment.concat
        self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(self._output_const_repr(item) + ",")
                continue
            self.newline(item)
            self._output_child_pre(item, frame, finalize)
            self.visit(item, frame)
            self._output_child_post(item, frame, finalize)
            self.write(",")
        self.outdent()
        self.writeline("))")
        return None


def weak(method: Callable[..., T]) -> Callable[..., T]:
    """A filter that calls ``method`` without keeping its object alive.

    Compiled templates hold their filters in reference cycles (a template's functions and their
    globals), which the collector, paused during a build and frozen at its end, never frees: a
    process that builds again and again (``serve``) kept every build's whole project alive through
    them. A weak reference leaves the project to reference counting, which frees it at once.
    """
    ref = weakref.WeakMethod(method)

    def call(*args: Any, **kwargs: Any) -> T:
        return ref()(*args, **kwargs)  # type: ignore[misc]

    return call


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept between builds (keyed by each template's name and text).

    Compiling the templates is ~30 ms of every build, a third of the interpreter's own start-up;
    Jinja keeps the cache in a private per-user directory under the system's temp dir.
    """
    try:
        # The cache is keyed by template name and source only, and the compiled code depends on the
        # environment too (finalize=isolate, JoinedOutput): the pattern names that, so no older code is reused.
        return _KeptBytecodeCache(pattern="__jinja2_explainer_isolate_joined_%s.cache")
    except (OSError, RuntimeError):  # no safe temp dir: compile every time
        return None


# Each template's compiled code as last loaded in this process: (cache folder, template key) → (checksum, code).
_CODE: dict[tuple[str, str], tuple[str | None, Any]] = {}


class _KeptBytecodeCache(jinja2.FileSystemBytecodeCache):
    """The folder's compiled templates, each also kept in this process once read or compiled.

    Every renderer has an environment of its own (its filters are its build's), so each edition of
    each build loaded every template from the folder again: ~6 ms, most of it unmarshalling the code.
    The preview builds on every save, and a build of two editions loads them twice.

    A template is kept by its name and text, not by where its file is (Jinja's own key): the first
    build of a project at a new path (a fresh clone in CI, `explainer init`, every test's project)
    compiled every template again, ~0.1 s, and the folder gained a file per template and path. The
    compiled code names the file it was compiled from, which template errors report
    (`template_error`): code made for another path is given this template's file name (`_renamed`).
    """

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        checksum = self.get_source_checksum(source)
        bucket = jinja2.bccache.Bucket(environment, self.get_cache_key(f"{name}|{checksum}"), checksum)
        self.load_bytecode(bucket)
        if bucket.code is not None and filename is not None and bucket.code.co_filename != filename:
            bucket.code = _renamed(bucket.code, filename)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = _CODE.get((self.directory, bucket.key))
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]
            return
        super().load_bytecode(bucket)
        if bucket.code is not None:
            _CODE[self.directory, bucket.key] = (bucket.checksum, bucket.code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        super().dump_bytecode(bucket)
        _CODE[self.directory, bucket.key] = (bucket.checksum, bucket.code)


def _renamed(code: CodeType, filename: str) -> CodeType:
    """``code`` and the code objects inside it (the template's blocks and macros) as if compiled from ``filename``."""
    consts = tuple(_renamed(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def template_error(exc: jinja2.TemplateError, env: jinja2.Environment, problems: Problems) -> ContentError:
    """Point at the template line: syntax errors carry it, runtime errors have it in the traceback."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not filename:
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.endswith((".html", ".xml", ".j2")):
                filename, line = code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    hint = ("check the variable's name; the page's variables are listed in docs/templates.md"
            if isinstance(exc, jinja2.UndefinedError) else "check the template syntax ({% %} and {{ }} must close)")
    return ContentError(problems.relpath(filename or "templates"), line or 1, 1,
                        f"template error: {exc.message or exc}", hint)

