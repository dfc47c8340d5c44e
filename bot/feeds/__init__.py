"""Feeds that fill the corpus: RSS and Atom subscriptions, polled on their schedule, each new item ingested once.

`state` keeps the subscriptions in the data dir, `parse` reads a feed document, `poll` runs one round.
The CLI (`yalu feeds`), `yalu chat` and the Discord cog all call these functions.
"""

from bot.feeds.poll import FeedOutcome, PollReport, poll_feeds
from bot.feeds.state import Feed, FeedBook, parse_every

__all__ = ["Feed", "FeedBook", "FeedOutcome", "PollReport", "parse_every", "poll_feeds"]
