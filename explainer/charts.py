"""Small bar charts drawn at build time as inline SVG, from the facts that carry a `figure`.

The SVG uses percentage x coordinates and no viewBox, so bars stretch with the column while the
text keeps the page's font size (a scaled viewBox would shrink labels to 8 px on a phone). SVG text
does not wrap by itself, so a long label is broken into lines of at most LINE_CHARS characters at
build time, and its row grows to hold them: a 320 px phone's column fits about 36 of them.
Colours come from CSS classes, so the charts follow the light and dark schemes; a range is drawn
as an outlined box with end caps, never told apart by colour alone. Each chart also carries the
same numbers as a table, for screen readers and print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter
from typing import Any

from markupsafe import Markup

from .model import Chart, Fact, Figure

_FIGURE = attrgetter("figure")

MAX_ROWS = 20  # a chart on the front page draws at most the latest 20 figures of its series
AXIS = 26  # px for the scale at the top
BAR = 14
LINE = 17  # px from one line of text to the next (0.875rem text)
LINE_CHARS = 30  # the longest line of a label or number: fits 288 px at 14 px, Cyrillic included


@dataclass
class Row:
    """One fact's number, ready to draw and to tabulate."""

    fact: Fact
    figure: Figure
    words: Any = None  # an edition's language (i18n.Words): its digits and "to"; None: English as written

    @property
    def top(self) -> float:
        return self.figure.high if self.figure.value is None else self.figure.value  # type: ignore[return-value]

    @property
    def text(self) -> str:
        """The number as the fact gives it, qualifier included: "upwards of 1,000", "50 to 95"."""
        fig = self.figure
        if self.words is not None:
            number = self.words.number(fig.value) if fig.value is not None else self.words.gettext(
                "%(low)s to %(high)s") % {"low": self.words.number(fig.low), "high": self.words.number(fig.high)}
        elif fig.value is not None:
            number = number_text(fig.value)
        else:
            number = f"{number_text(fig.low)} to {number_text(fig.high)}"
        return f"{fig.qualifier} {number}" if fig.qualifier else number


@dataclass
class ChartView:
    """What the template needs: the chart's declaration, its rows, the SVG and its facts."""

    chart: Chart
    rows: list[Row]
    svg: Markup
    total: int  # figures in the series; above MAX_ROWS only the latest are drawn

    @property
    def id(self) -> str:
        return f"chart-{self.chart.series}"

    @property
    def facts(self) -> list[Fact]:
        return [row.fact for row in self.rows]


def number_text(value: float | None) -> str:
    """1000 → "1,000"; 2.5 → "2.5"."""
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def nice_max(value: float) -> float:
    """The scale's end: the next 1, 2, 2.5 or 5 × 10ⁿ at or above the largest number."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def build_charts(charts: list[Chart], facts: list[Fact], words: Any = None) -> list[ChartView]:
    """One view per declared chart that has at least one figure, rows in date order.

    A long-running story can gather hundreds of figures in one series: the front page then draws
    the latest MAX_ROWS of them (and says so), so the page stays within its weight budget; every
    figure stays in facts.json and facts.csv.
    """
    views = []
    figured = list(compress(facts, map(_FIGURE, facts)))  # in C: few facts have a figure (2% at 10,000)
    for chart in charts:
        rows = [Row(f, f.figure, words) for f in figured if f.figure.series == chart.series]
        if not rows:
            continue
        rows.sort(key=lambda r: (r.fact.date.sort_key, r.fact.number))
        shown = rows[-MAX_ROWS:]
        views.append(ChartView(chart, shown, Markup(draw(chart, shown, words)), len(rows)))
    return views


def pct(value: float, scale: float) -> str:
    return f"{100 * value / scale:.2f}%"


def draw(chart: Chart, rows: list[Row], words: Any = None) -> str:
    """The SVG text for one chart; escaped by hand because it is built outside the templates."""
    scale = nice_max(max(r.top for r in rows))
    drawn, height = [], AXIS
    for row in rows:
        text, rise = draw_row(row, scale, height)
        drawn.append(text)
        height += rise
    ident = f"chart-{chart.series}"
    parts = [
        (f'<svg class="chart" width="100%" height="{height}" role="img" '
         f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'),
        f'<title id="{ident}-t">{esc(chart.title)}</title>',
        f'<desc id="{ident}-d">{esc(chart.description)} {esc(summary(rows))}</desc>',
    ]
    for tick in (0, scale / 2, scale):
        anchor = "start" if tick == 0 else "end" if tick == scale else "middle"
        x = pct(tick, scale)
        parts.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{AXIS - 6}" y2="{height}"/>')
        label = words.number(tick) if words else number_text(tick)
        parts.append(f'<text class="tick" x="{x}" y="14" text-anchor="{anchor}">{label}</text>')
    parts.extend(drawn)
    parts.append("</svg>")
    return "".join(parts)


def draw_row(row: Row, scale: float, y: int) -> tuple[str, int]:
    """One row from ``y`` down: its number, its label and its bar; with the row's height, which
    grows by a line for each line a long number or label is wrapped onto."""
    value, label = wrap(row.text), wrap(row.figure.label)
    first = y + 16
    bar_y = first + LINE * (len(value) + len(label) - 1) + 7
    text = (text_lines("value", value, first) + text_lines("label", label, first + LINE * len(value))
            + bar(row.figure, scale, bar_y))
    return text, bar_y + BAR + 4 - y


def wrap(text: str, limit: int = LINE_CHARS) -> list[str]:
    """``text`` in lines of at most ``limit`` characters, broken between words (a longer word
    keeps a line of its own): SVG text never wraps, and a phone clips what runs past its edge."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def text_lines(kind: str, lines: list[str], y: int) -> str:
    """A ``<text>`` of one or more lines, each after the first a ``<tspan>`` one LINE lower."""
    if len(lines) == 1:
        return f'<text class="{kind}" x="0" y="{y}">{esc(lines[0])}</text>'
    spans = "".join(f'<tspan x="0" y="{y + LINE * i}">{esc(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text class="{kind}" x="0" y="{y}">{spans}</text>'


def bar(fig: Figure, scale: float, y: int) -> str:
    """A solid bar for a single number; an outlined box with end caps for a range."""
    if fig.value is not None:
        return f'<rect class="bar" x="0" y="{y}" width="{pct(fig.value, scale)}" height="{BAR}"/>'
    x1, x2 = pct(fig.low, scale), pct(fig.high, scale)  # type: ignore[arg-type]
    width = pct(fig.high - fig.low, scale)  # type: ignore[operator]
    return (f'<rect class="range" x="{x1}" y="{y + 2}" width="{width}" height="{BAR - 4}"/>'
            f'<line class="cap" x1="{x1}" x2="{x1}" y1="{y - 3}" y2="{y + BAR + 3}"/>'
            f'<line class="cap" x1="{x2}" x2="{x2}" y1="{y - 3}" y2="{y + BAR + 3}"/>')


def summary(rows: list[Row]) -> str:
    """The numbers in words, for the SVG's description."""
    return "; ".join(f"{r.figure.label}: {r.text}" for r in rows) + "."


def esc(text: str) -> str:
    return str(Markup.escape(text))
