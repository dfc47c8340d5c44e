"""The timeline of the corpus: dated exchanges of letters, visits and meetings, each cited verbatim.

`build_timeline(articles)` is the one call the CLI and the Discord cog make; `render_timeline_png`
(bot.analysis.charts) draws its result.
"""

from bot.analysis.timeline.build import build_timeline
from bot.analysis.timeline.dates import Anchor, DateMention, find_dates
from bot.analysis.timeline.model import Cited, Timeline, TimelineEvent

__all__ = ["Anchor", "Cited", "DateMention", "Timeline", "TimelineEvent", "build_timeline", "find_dates"]
