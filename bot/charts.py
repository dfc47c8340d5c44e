"""Charts for Discord and files: the timeline as a PNG a phone can read (matplotlib, Agg, imported lazily)."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.timeline import Timeline, TimelineEvent

_WIDTH_IN = 10.0  # at 100 dpi: 1000 px, the width Discord shows without scaling on a phone
_DPI = 100
_ROW_IN = 0.62
_LINE_IN = 0.3
_WRAP = 44  # characters per label line at the label font size
_FONT = 15
_COLOURS = {"letter": "#1f5fa8", "visit": "#2e8540", "meeting": "#d9822b", "call": "#7a3fa0"}
_MAX_ROWS = 40


def render_timeline_png(timeline: Timeline, title: str | None = None) -> bytes:
    """The timeline as PNG bytes: one row per event, date on the left, a dot coloured by kind, a short label.

    Approximate dates get a hollow dot. More than 40 events are cut to the first 40, with a note.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    events = list(timeline.events[:_MAX_ROWS])
    labels = [textwrap.wrap(_label(e), _WRAP) or [""] for e in events]
    heights = [_ROW_IN + _LINE_IN * (len(lines) - 1) for lines in labels]
    total = sum(heights) + 1.6
    fig = plt.figure(figsize=(_WIDTH_IN, max(total, 3.0)), dpi=_DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, _WIDTH_IN)
    ax.set_ylim(max(total, 3.0), 0)
    ax.axis("off")
    ax.text(0.3, 0.45, title or _title(timeline), fontsize=_FONT + 4, fontweight="bold", va="center")
    _legend(ax)
    y = 1.35
    if events:
        ax.plot([2.45, 2.45], [y, y + sum(heights) - _ROW_IN / 2], color="#bbbbbb", linewidth=2, zorder=1)
    else:
        ax.text(0.3, y + 0.3, "No dated events.", fontsize=_FONT)
    for event, lines, height in zip(events, labels, heights, strict=True):
        _row(ax, event, lines, y)
        y += height
    if len(timeline.events) > _MAX_ROWS:
        ax.text(0.3, y, f"… {len(timeline.events) - _MAX_ROWS} more events (use --json)", fontsize=_FONT - 2)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def _row(ax: object, event: TimelineEvent, lines: list[str], y: float) -> None:
    colour = _COLOURS.get(event.kind, "#444444")
    hollow = event.approximate or event.date_precision != "day"
    date = f"~{event.date.isoformat()}" if event.date_precision == "week" else event.date_label
    ax.text(2.2, y, date, fontsize=_FONT - 1, ha="right", va="center", family="monospace")  # type: ignore[attr-defined]
    ax.scatter(  # type: ignore[attr-defined]
        [2.45], [y], s=160, zorder=2, color="white" if hollow else colour, edgecolors=colour, linewidths=2.5
    )
    top = y - _LINE_IN / 2  # the first line of a wrapped label sits level with the dot
    ax.text(2.75, top, "\n".join(lines), fontsize=_FONT, va="top", linespacing=1.25)  # type: ignore[attr-defined]


def _legend(ax: object) -> None:
    x = 0.3
    for kind, colour in _COLOURS.items():
        ax.scatter([x + 0.1], [1.0], s=110, color=colour)  # type: ignore[attr-defined]
        ax.text(x + 0.3, 1.0, kind, fontsize=_FONT - 3, va="center")  # type: ignore[attr-defined]
        x += 1.6
    ax.scatter([x + 0.1], [1.0], s=110, color="white", edgecolors="#444444", linewidths=2)  # type: ignore[attr-defined]
    ax.text(x + 0.3, 1.0, "approximate date", fontsize=_FONT - 3, va="center")  # type: ignore[attr-defined]


def _label(event: TimelineEvent) -> str:
    if event.key_phrase:
        return f"{event.label} — “{_clip(event.key_phrase.text, 60)}”"
    return event.label


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _title(timeline: Timeline) -> str:
    about = f": {timeline.topic}" if timeline.topic else ""
    return f"China–North Korea timeline{about}"
