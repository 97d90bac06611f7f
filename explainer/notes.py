"""Notes said once: a source's `facts_date_note`, inherited by the facts and events it dates.

An undated article dates every fact it reports the same way; the editor says how once, on the
source, instead of under thirty facts. A fact inherits the note of its first cited source (the one
its `said` date comes from) unless it has a `date_note` of its own; an event inherits it when every
fact it lists inherits the same note. The page shows the note once, under the source, and a link
to it under each fact and event; the exports carry it in full, since a claim travels alone.
"""

from __future__ import annotations

from .errors import Problems
from .model import Event, Fact, Source, Spot, Where, field_at


def inherit_date_notes(problems: Problems, sources: list[Source], facts: list[Fact], events: list[Event],
                       facts_sound: bool = True) -> None:
    """Point each fact and event without a date note at the source note it inherits; warn of misuse.

    ``facts_sound``: facts.yaml has no error. When it has one, the facts that would inherit a note
    may be the ones that failed: "no fact inherits" would be a guess, and is left out.
    """
    noted = {s.id: s for s in sources if s.facts_date_note}
    if not noted:
        return
    heirs: dict[str, int] = dict.fromkeys(noted, 0)
    for fact in facts:
        source = noted.get(fact.citations[0].source) if fact.citations else None
        if source is None:
            continue
        if fact.date_note is None:
            fact.date_note_source = source
            heirs[source.id] += 1
        elif fact.date_note == source.facts_date_note:
            _repeats(problems, field_at(fact, "date_note"), f"fact '{fact.id}'", source)
    by_id = {f.id: f for f in facts}
    for event in events:
        listed = [by_id[i] for i in event.facts if i in by_id]
        shared = {f.date_note_source for f in listed}
        if not listed or len(shared) != 1 or None in shared:
            continue
        source = shared.pop()
        if event.date_note is None:
            event.date_note_source = source
        elif event.date_note == source.facts_date_note:
            _repeats(problems, event.where, f"timeline event '{event.id}'", source)
    for source_id, count in heirs.items() if facts_sound else ():
        if count == 0:
            source = noted[source_id]
            w = field_at(source, "facts_date_note")
            problems.warning(w.path, w.line, w.column,
                             f"no fact inherits the facts_date_note of source '{source_id}'",
                             "a fact inherits it when this source is its first citation and it has no "
                             "date_note of its own; remove the note or the facts' own date_note")


def _repeats(problems: Problems, w: Where | Spot, what: str, source: Source) -> None:
    problems.warning(w.path, w.line, w.column,
                     f"{what} repeats the facts_date_note of source '{source.id}' word for word",
                     "remove its date_note: it inherits the source's note, which the page says once")
