"""The timeline as a PNG an analyst can paste: a real time axis, kinds by colour and shape, sources below.

Time runs down a vertical axis at a constant scale, so two days and two years never look alike and a long
silence shows as empty axis (named when it is over a year). Each event is a marker on the axis (colour and
shape: its kind; hollow, with a bar over the span: a date known only to the month or year) and a label to
its right: date, who to whom, its key phrase and the numbers of its sources. The sources are listed under
the chart (outlet, date, title), so a pasted image keeps its provenance; the title gives the window and
the day it was drawn. matplotlib (Agg) is imported only when a chart is drawn.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.analysis.phrases.ngrams import Candidate
    from bot.analysis.timeline import Timeline, TimelineEvent

WIDTH_PX = 1000  # the width Discord shows without scaling on a phone
_DPI = 100
MAX_EVENTS = 30  # past this, the newest are drawn and the count left out is said
_KINDS: dict[str, tuple[str, str, str]] = {  # kind -> (colour, marker, legend word)
    "letter": ("#1f5fa8", "o", "letter or message"),
    "visit": ("#2e8540", "^", "visit"),
    "meeting": ("#d9822b", "s", "meeting"),
    "call": ("#7a3fa0", "D", "call"),
}
_AXIS_X = 150
_LABEL_X = 200
_TOP = 175  # where the axis starts, under title, subtitle and legend
_LABEL_LINE = 20
_LABEL_GAP = 9
_SOURCE_LINE = 20
_GAP_NAMED_DAYS = 365
_CHARS_PER_LINE = 80  # at the label font size, in the width right of the axis


@dataclass(frozen=True)
class _Scale:
    """Dates to pixels down the axis: a constant number of pixels per day from January of the first year."""

    first: dt.date
    last: dt.date
    top: float
    per_day: float

    def y(self, day: dt.date) -> float:
        """The pixel row of a day."""
        return self.top + (day - self.first).days * self.per_day


@dataclass(frozen=True)
class _Source:
    """An article the chart cites: its number and what the list under the chart says of it."""

    n: int
    outlet: str
    published: str
    title: str


@dataclass(frozen=True)
class _Placed:
    event: TimelineEvent
    y: float  # the event's place on the axis
    top: float  # where its label starts
    lines: list[str]
    heads: int  # how many of the lines are the event's date and label (the rest: its key phrase)


def render_timeline_png(timeline: Timeline, title: str | None = None, drawn: dt.date | None = None) -> bytes:
    """The timeline as PNG bytes, 1000 px wide (see `timeline_figure`)."""
    import matplotlib.pyplot as plt

    fig = timeline_figure(timeline, title, drawn)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def timeline_figure(timeline: Timeline, title: str | None = None, drawn: dt.date | None = None) -> Figure:
    """The chart as a matplotlib figure: title, legend, time axis with labelled events, numbered sources."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    events = sorted(timeline.events, key=lambda e: e.date)[-MAX_EVENTS:]  # the newest when it must cut
    cut = len(timeline.events) - len(events)
    sources = _sources(events)
    placed, axis_end, scale = _layout(events, sources)
    height = axis_end + 60 + _SOURCE_LINE * (len(sources) + 2) + 40
    fig = plt.figure(figsize=(WIDTH_PX / _DPI, height / _DPI), dpi=_DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, WIDTH_PX)
    ax.set_ylim(height, 0)
    ax.axis("off")
    ax.text(30, 38, title or _title(timeline, events), fontsize=19, fontweight="bold", va="center", gid="title")
    ax.text(30, 72, _subtitle(timeline, events, cut, drawn or dt.date.today()), fontsize=12, color="#555555",
            va="center", gid="subtitle")  # fmt: skip
    _legend(ax)
    if not events:
        ax.text(30, _TOP + 30, "No dated event matches.", fontsize=14)
    else:
        _axis(ax, events, placed, scale)
        for p in placed:
            _event(ax, p)
    _source_list(ax, sources, axis_end + 50)
    return fig


# --- layout --------------------------------------------------------------------------------------------
def _layout(events: list[TimelineEvent], sources: dict[str, _Source]) -> tuple[list[_Placed], float, _Scale]:
    """Each event's place on a constant time scale, its label pushed down (never up) to clear the one before."""
    if not events:
        return [], _TOP + 60, _Scale(dt.date.today(), dt.date.today(), _TOP + 20, 1.0)
    first, last = _span(events)
    labels = [_label_lines(e, sources) for e in events]
    needed = sum(_LABEL_LINE * len(lines) + _LABEL_GAP for lines, _ in labels)
    length = min(2400.0, max(500.0, 1.8 * needed))  # room for the labels on average; clusters still push down
    scale = _Scale(first, last, _TOP + 20, length / max(1, (last - first).days))
    placed: list[_Placed] = []
    bottom: float = _TOP - _LABEL_GAP
    for e in events:
        y = scale.y(_middle(e))
        lines, heads = _label_lines(e, sources)
        top = max(y - _LABEL_LINE / 2, bottom + _LABEL_GAP)
        placed.append(_Placed(e, y, top, lines, heads))
        bottom = top + _LABEL_LINE * len(lines)
    return placed, max(scale.y(last) + 20, bottom + 20), scale


def _span(events: list[TimelineEvent]) -> tuple[dt.date, dt.date]:
    """From January of the first event's year to the end of the last event's range."""
    first = min(e.range[0] for e in events)
    return dt.date(first.year, 1, 1), max(e.range[1] for e in events)


def _middle(e: TimelineEvent) -> dt.date:
    """Where a ranged date sits: its estimate when there is one, else the middle of its span."""
    lo, hi = e.range
    if e.date_precision == "day" or e.approximate:
        return e.date
    return lo + (hi - lo) / 2


def _label_lines(e: TimelineEvent, sources: dict[str, _Source]) -> tuple[list[str], int]:
    """The label's lines (date, who to whom, source numbers; then the key phrase, one line) and how many are heads."""
    refs = "".join(f"[{sources[a].n}]" for a in dict.fromkeys(e.article_ids) if a in sources)
    context = "" if e.exchange else " (context)"
    head = textwrap.wrap(f"{e.date_label}  {e.label}{context}  {refs}", _CHARS_PER_LINE)[:2]
    phrase = [_clip(short_phrase(e.key_phrase.text), _CHARS_PER_LINE)] if e.key_phrase else []
    return head + phrase, len(head)


def short_phrase(text: str, words: int = 8) -> str:
    """A key phrase short enough to label a point: itself if short, else its most telling noun phrase, elided.

    “intensifying the strategic communications between the two parties on the basis of deep comradeship”
    becomes “… deep comradeship …”: verbatim words, the cut marked.
    """
    from bot.analysis.phrases.background import rarity
    from bot.analysis.phrases.match import words as tokens
    from bot.analysis.phrases.nounphrase import noun_phrases

    if len(text.split()) <= words:
        return f"\u201c{text}\u201d"
    found = [
        c
        for c in noun_phrases(text)
        if len(c.key) >= 2 and len(text[c.start : c.end].split()) <= words and not _names_only(text[c.start : c.end])
    ]
    if not found:
        return f"\u201c{' '.join(text.split()[:words])} …\u201d"

    def telling(c: Candidate) -> float:
        content = [w.text for w in tokens(text[c.start : c.end]) if not w.stop]
        return rarity(content) * min(len(c.key), 4) - 0.001 * c.start

    best = max(found, key=telling)
    if best.start == 0:  # the quote opens with it: its first words say more than the phrase alone
        return f"\u201c{' '.join(text.split()[:words])} …\u201d"
    before = "… " if best.start > 0 else ""
    after = " …" if best.end < len(text.rstrip(' .”"')) else ""
    return f"\u201c{before}{text[best.start : best.end]}{after}\u201d"


def _names_only(phrase: str) -> bool:
    """ "DPRK and China": who, not what was said."""
    from bot.analysis.timeline.actors import state_of

    content = [w for w in phrase.split() if w.lower() not in ("and", "of", "the")]
    return all(w[:1].isupper() or state_of(w) for w in content)


def _sources(events: list[TimelineEvent]) -> dict[str, _Source]:
    """The articles the drawn events cite, numbered by date (article id -> source)."""
    found: dict[str, tuple[str, str, str]] = {}
    for e in events:
        for c in e.citations:
            published = c.published.isoformat() if c.published else "undated"
            found.setdefault(c.article_id, (c.outlet or "outlet unknown", published, c.title))
    ordered = sorted(found, key=lambda a: (found[a][1], a))
    return {a: _Source(i, *found[a]) for i, a in enumerate(ordered, 1)}


# --- drawing -------------------------------------------------------------------------------------------
def _axis(ax: Any, events: list[TimelineEvent], placed: list[_Placed], scale: _Scale) -> None:
    """The axis line, a tick and label per year, month ticks, and long silences named."""
    first, last, y_of, top = scale.first, scale.last, scale.y, scale.top
    short = (last - first).days <= 800
    ax.plot([_AXIS_X, _AXIS_X], [top - 10, y_of(last) + 10], color="#9a9a9a", linewidth=2.5, zorder=1)
    for year in range(first.year, last.year + 2):
        y = y_of(dt.date(year, 1, 1))
        if y > y_of(last) + 10:
            break
        ax.plot([_AXIS_X - 14, _AXIS_X + 14], [y, y], color="#555555", linewidth=2, zorder=1)
        ax.text(_AXIS_X - 22, y, str(year), fontsize=15, fontweight="bold", ha="right", va="center", gid="year")
        for month in range(2, 13):
            m = y_of(dt.date(year, month, 1))
            if m <= y_of(last):
                ax.plot([_AXIS_X - 5, _AXIS_X + 5], [m, m], color="#bbbbbb", linewidth=1, zorder=1)
                if short and month in (4, 7, 10):  # a year or two: the quarters are named too
                    ax.text(_AXIS_X - 12, m, f"{dt.date(year, month, 1):%b}", fontsize=10, color="#888888",
                            ha="right", va="center")  # fmt: skip
    dated = sorted(events, key=lambda e: e.range[0])
    for before, after in itertools.pairwise(dated):
        gap = (after.range[0] - before.range[1]).days
        if gap > _GAP_NAMED_DAYS:
            mid = y_of(before.range[1] + (after.range[0] - before.range[1]) / 2)
            ax.text(_AXIS_X - 22, mid, f"{round(gap / 30.4)} months\nwith no event\non record", fontsize=10,
                    color="#888888", ha="right", va="center", style="italic")  # fmt: skip
    for p in placed:
        lo, hi = p.event.range
        if p.event.date_precision != "day":
            colour = _KINDS.get(p.event.kind, ("#444444", "o", ""))[0]
            ax.plot([_AXIS_X, _AXIS_X], [y_of(lo), y_of(hi)], color=colour, linewidth=7, alpha=0.35, zorder=2,
                    solid_capstyle="butt")  # fmt: skip


def _event(ax: Any, p: _Placed) -> None:
    e = p.event
    colour, marker, _ = _KINDS.get(e.kind, ("#444444", "o", ""))
    hollow = e.approximate or e.date_precision != "day"
    alpha = 1.0 if e.exchange else 0.55
    ax.scatter([_AXIS_X], [p.y], s=150, marker=marker, zorder=3, color="white" if hollow else colour,
               edgecolors=colour, linewidths=2.5, alpha=alpha)  # fmt: skip
    ax.plot([_AXIS_X + 10, _LABEL_X - 8], [p.y, p.top + _LABEL_LINE / 2], color=colour, alpha=0.45, linewidth=1.2,
            zorder=1)  # fmt: skip
    for i, line in enumerate(p.lines):
        head = i < p.heads
        ax.text(_LABEL_X, p.top + _LABEL_LINE * (i + 0.5), line, fontsize=12.5, va="center",
                fontweight="bold" if head else "normal", style="normal" if head else "italic",
                color=("#222222" if e.exchange else "#777777") if head else "#333333")  # fmt: skip


def _legend(ax: Any) -> None:
    x, y = 30.0, 112.0
    for colour, marker, word in _KINDS.values():
        ax.scatter([x + 8], [y], s=110, marker=marker, color=colour, edgecolors=colour, linewidths=2)
        ax.text(x + 22, y, word, fontsize=11.5, va="center")
        x += 50 + 8.6 * len(word)
    ax.scatter([x + 8], [y], s=110, marker="o", color="white", edgecolors="#444444", linewidths=2)
    ax.plot([x + 8, x + 8], [y - 14, y + 14], color="#444444", linewidth=7, alpha=0.25, solid_capstyle="butt")
    ax.text(x + 22, y, "hollow, with a bar: date known to the month or year", fontsize=11.5, va="center")
    ax.text(30, y + 30, "[n]: the sources listed under the chart", fontsize=11.5, color="#555555", va="center")


def _source_list(ax: Any, sources: dict[str, _Source], y: float) -> None:
    ax.plot([30, WIDTH_PX - 30], [y - 18, y - 18], color="#dddddd", linewidth=1)
    ax.text(30, y, "Sources", fontsize=13, fontweight="bold", va="center", gid="sources")
    for source in sources.values():
        y += _SOURCE_LINE
        line = _clip(f"[{source.n}] {source.outlet}, {source.published}: {source.title}", 125)
        ax.text(30, y, line, fontsize=11, va="center", gid="source")


def _title(timeline: Timeline, events: list[TimelineEvent]) -> str:
    what = "China–North Korea exchanges" if not timeline.context else "China–North Korea exchanges and context"
    about = f" ({timeline.topic})" if timeline.topic else ""
    return f"{what}{about}, {_window(timeline, events)}"


def _window(timeline: Timeline, events: list[TimelineEvent]) -> str:
    """ "2021-03 to 2023-09": the dates asked for, else those of the events drawn."""
    lo = timeline.since or (min(e.range[0] for e in events) if events else None)
    hi = timeline.until or (max(e.range[1] for e in events) if events else None)
    if lo is None or hi is None:
        return "all dates"
    return f"{lo:%Y-%m} to {hi:%Y-%m}" if (lo.year, lo.month) != (hi.year, hi.month) else f"{lo:%Y-%m}"


def _subtitle(timeline: Timeline, events: list[TimelineEvent], cut: int, drawn: dt.date) -> str:
    parts = [f"{len(events)} event{'s' if len(events) != 1 else ''} from {len(_sources(events))} articles"]
    if cut:
        parts.append(f"the {cut} oldest left out (narrow with --since)")
    if timeline.left_out:
        plural = "s" if timeline.left_out != 1 else ""
        parts.append(f"{timeline.left_out} third-country event{plural} not shown (--context)")
    parts.append(f"drawn {drawn.isoformat()} by Yalu")
    return " · ".join(parts)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
