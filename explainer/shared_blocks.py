"""Blocks that two pages of one edition render alike, rendered once: the front page's and the offline file's.

`offline.html` extends `index.html`. While no list is split, the offline file's main block (the
summaries, charts, comparisons, timeline, facts, glossary and sources: most of both files) is the
front page's, byte for byte, and rendering it was ~20 ms of each on the shipped story, in every
build and on every save in the preview. So each block of the front-page template keeps what it
rendered last with the value, in the block's own context, of every name read while it rendered
(by the block, or by a template it included or imported with context, whose reads may have found a
loop's own value instead: the outer one is kept too, which only makes a match rarer), and gives the
same text again to a render whose context has the very same objects (``is``) under those names.
Anything else renders the block anew:

- a name read whose value is another object (the offline file's `layout` when a list is split, its
  `offline`, `csp` or `embeds_page`), even an equal one;
- a block reached (`self.NAME()`, `super()`, a block nested in it) that is another block here: those
  come from the page's own template (a theme's `offline.html` may override them), not from the
  context, so each is compared by the functions its name stands for in the page; a block that
  reaches the blocks any other way (a loop over them) is never kept.

A block nested in another is kept on its own too: where the sources are split but not the facts,
the offline file's `main` renders again (it lists every source), but the fact list nested in it
(`facts_list`) is given again: at 10,000 facts on one page, most of both files. (The timeline
nested there, `timeline_list`, reads `layout`, which is then another object: it renders anew.)

Jinja's own translation functions (`_`, `ngettext`), the only ones here that take the context, read
it by name as well; the escaping in force is compared with the rest.

A theme keeps overriding any template as before; it only renders faster where its front page and
offline file share a block. Values are never changed in place while an edition renders its pages
(a new value replaces an old one), which is what makes the same object mean the same text; the kept
text lives as long as the renderer, one build's edition.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from jinja2.runtime import Context

Block = Callable[[Context], Iterator[str]]

_BLOCKS_UNNAMED = "\0blocks"  # recorded when a block reaches the context's blocks other than by name: never kept
_BLOCK_NAMED = "\0block:"  # + a block's name: recorded when a block reaches it (nested in it, self.NAME(), super())


class SharedBlocks:
    """The Jinja side of sharing: a Context that records the names read, and the blocks that reuse a render.

    The renderer holds this object, and with it the texts kept and the values they were rendered
    from; the environment and its templates reach it only through a weak reference, so no reference
    cycle through compiled templates (see page_tools.weak) keeps a build's project alive.
    """

    def __init__(self, env: jinja2.Environment):
        self.recording: list[set[str]] = []  # the names read, one set per shared block being rendered
        self.kept: dict[Block, tuple[dict[str, Any], tuple[bool, bool], str]] = {}  # block → its last render
        self.hits = 0  # blocks given again, for the tests
        env.context_class = _context_class(self.recording)

    def share(self, template: jinja2.Template) -> None:
        """Let each of ``template``'s own blocks be rendered once per set of values it reads."""
        ref = weakref.ref(self)
        template.blocks = {name: _shared(ref, render) for name, render in template.blocks.items()}

    def render(self, render: Block, context: Context) -> str:
        """``render``'s text in ``context``: the last one, if every name it read has the same value here."""
        escaping = (context.eval_ctx.autoescape, context.eval_ctx.volatile)
        last = self.kept.get(render)
        if last is not None and last[1] == escaping and _same(context, last[0]):
            self.hits += 1
            return last[2]
        names: set[str] = set()
        self.recording.append(names)
        try:
            text = "".join(render(context))
        finally:
            self.recording.pop()
        self.kept.pop(render, None)
        if _BLOCKS_UNNAMED not in names:
            self.kept[render] = ({name: _value(context, name) for name in names}, escaping, text)
        return text


def _shared(ref: weakref.ref[SharedBlocks], render: Block) -> Block:
    def block(context: Context) -> Iterator[str]:
        shared = ref()
        if shared is None:  # the renderer is gone: a template object outlived it
            yield from render(context)
            return
        yield shared.render(render, context)

    return block


def _same(context: Context, reads: dict[str, Any]) -> bool:
    resolve = context.resolve_or_missing
    return all(resolve(name) is value if not name.startswith(_BLOCK_NAMED) else _value(context, name) == value
               for name, value in reads.items())


def _value(context: Context, name: str) -> Any:
    """What a block read under ``name``: a context value, or the functions a block name stands for in
    this page (its own template's override first, then the ones it extends: a tuple, compared ==)."""
    if name.startswith(_BLOCK_NAMED):
        return tuple(context._blocks.get(name[len(_BLOCK_NAMED):], ()))  # type: ignore[attr-defined]
    return context.resolve_or_missing(name)


class _BlocksRead:
    """A context's blocks as a block being rendered reaches them: each one looked up by name is recorded
    with the functions it stands for (`_value`); any other use (a loop over them) records `_BLOCKS_UNNAMED`."""

    def __init__(self, blocks: dict[str, list[Block]], recording: list[set[str]]):
        self._blocks, self._recording = blocks, recording

    def __getitem__(self, name: str) -> list[Block]:
        for names in self._recording:
            names.add(_BLOCK_NAMED + name)
        return self._blocks[name]

    def _unnamed(self) -> dict[str, list[Block]]:
        for names in self._recording:
            names.add(_BLOCKS_UNNAMED)
        return self._blocks

    def __getattr__(self, attribute: str) -> Any:  # .get(), .items(), .update(), ...
        return getattr(self._unnamed(), attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(self._unnamed())

    def __contains__(self, name: object) -> bool:
        return name in self._unnamed()

    def __len__(self) -> int:
        return len(self._unnamed())


def _context_class(recording: list[set[str]]) -> type[Context]:
    class RecordingContext(Context):
        """A template context that tells the shared blocks being rendered each name read."""

        def resolve_or_missing(self, key: str) -> Any:
            for names in recording:
                names.add(key)
            return super().resolve_or_missing(key)

        @property  # type: ignore[override]
        def blocks(self) -> dict[str, list[Block]]:
            if not recording:
                return self._blocks
            return _BlocksRead(self._blocks, recording)  # type: ignore[return-value]

        @blocks.setter
        def blocks(self, value: dict[str, list[Block]]) -> None:
            self._blocks = value

        def derived(self, locals: dict[str, Any] | None = None) -> Context:
            """A copy for a call in a loop (`_()`, a macro): it copies the blocks, which reads none of them."""
            if not recording:
                return super().derived(locals)
            paused = recording[:]
            recording.clear()
            try:
                return super().derived(locals)
            finally:
                recording.extend(paused)

    return RecordingContext
