"""The feed subscriptions and what was seen of each, as one JSON file in the data dir, written atomically.

The bot and a cron `yalu feeds poll` may both write it: each write re-reads the file and replaces only
the feeds it polled, so one does not undo the other's subscriptions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.atomic import atomic_write
from bot.errors import BadQuestion, NotFound, StateError

log = logging.getLogger(__name__)
FILE = "feeds.json"
_EVERY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 60}  # a bare number is minutes, as cron users think
MIN_EVERY_S = 300  # more often than every 5 minutes would hammer a news site for nothing
SEEN_KEPT = 2000  # item links remembered per feed: far more than a feed lists at once


def parse_every(text: str) -> int:
    """Seconds of an interval written "30m", "2h", "1d" (a bare number is minutes); BadQuestion otherwise."""
    found = _EVERY.match(text)
    if not found:
        raise BadQuestion(f"{text!r} is not an interval: write it as 30m, 2h or 1d")
    seconds = int(found.group(1)) * _UNIT_S[found.group(2).lower()]
    if seconds < MIN_EVERY_S:
        raise BadQuestion(f"{text!r} is too often: a feed is polled at most every {MIN_EVERY_S // 60} minutes")
    return seconds


def describe_every(seconds: int) -> str:
    """An interval in the largest whole unit: 1800 -> "30m", 7200 -> "2h"."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def feed_line(feed: Feed) -> str:
    """A feed in a list: its URL, interval, and how its last poll went."""
    polled = f"last polled {feed.last_polled}" if feed.last_polled else "not polled yet"
    error = f"; last error: {feed.last_error}" if feed.last_error else ""
    return f"{feed.url} (every {describe_every(feed.every_s)}; {polled}{error})"


@dataclass(frozen=True)
class Feed:
    """One subscription: its URL, how often it is polled, the validators of its last answer, what it listed."""

    url: str
    every_s: int
    added: str  # ISO time
    etag: str | None = None
    last_modified: str | None = None
    last_polled: str | None = None  # ISO time of the last attempt
    last_error: str | None = None
    seen: tuple[str, ...] = ()  # item keys (link or id) already handled, newest last
    retries: dict[str, int] = field(default_factory=dict)  # item key -> failed fetches so far

    def due(self, now: dt.datetime) -> bool:
        """Whether the feed should be polled at `now` (never polled, or its interval has passed)."""
        if self.last_polled is None:
            return True
        return now - dt.datetime.fromisoformat(self.last_polled) >= dt.timedelta(seconds=self.every_s)

    def with_seen(self, keys: Iterable[str]) -> Feed:
        """The feed with more item keys remembered (the oldest forgotten past SEEN_KEPT)."""
        merged = list(dict.fromkeys([*self.seen, *keys]))[-SEEN_KEPT:]
        return replace(self, seen=tuple(merged))


class FeedBook:
    """The subscriptions of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        """Read and write `feeds.json` in `data_dir`."""
        self.path = data_dir / FILE

    def feeds(self) -> list[Feed]:
        """Every subscription, in the order added; StateError for an unreadable file (left untouched)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return [_feed(item) for item in raw.get("feeds", []) if isinstance(item, dict) and "url" in item]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # Never read as "no feeds": the next write would drop every subscription.
            raise StateError(f"{self.path}: cannot read the feed list ({exc}); repair or remove the file") from None

    def add(self, url: str, every_s: int, now: dt.datetime) -> Feed:
        """Subscribe to `url`; BadQuestion if it is not http(s) or already subscribed."""
        url = url.strip()
        if not url.lower().startswith(("http://", "https://")):
            raise BadQuestion(f"{url!r}: a feed address starts with http:// or https://")
        current = self.feeds()
        if any(f.url == url for f in current):
            raise BadQuestion(f"{url} is already a feed")
        feed = Feed(url, every_s, now.isoformat(timespec="seconds"))
        self._write([*current, feed])
        return feed

    def remove(self, ref: str) -> Feed:
        """Unsubscribe the feed with this URL or list number (from 1); NotFound if there is none."""
        current = self.feeds()
        ref = ref.strip()
        chosen = next((f for f in current if f.url == ref), None)
        if chosen is None and ref.isdigit() and 1 <= int(ref) <= len(current):
            chosen = current[int(ref) - 1]
        if chosen is None:
            raise NotFound(f"no feed {ref!r}: see the list of feeds for their URLs and numbers")
        self._write([f for f in current if f.url != chosen.url])
        return chosen

    def update(self, polled: Iterable[Feed]) -> None:
        """Store the new state of the feeds polled; feeds removed meanwhile stay removed."""
        by_url = {f.url: f for f in polled}
        self._write([by_url.get(f.url, f) for f in self.feeds()])

    def _write(self, feeds: list[Feed]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"feeds": [{**asdict(f), "seen": list(f.seen)} for f in feeds]}
        atomic_write(self.path, json.dumps(payload, indent=1, sort_keys=True))


def _feed(item: dict[str, Any]) -> Feed:
    """A Feed from its JSON record (unknown keys ignored, so an older or newer file still reads)."""
    known = {k: v for k, v in item.items() if k in Feed.__dataclass_fields__}
    known["seen"] = tuple(str(s) for s in known.get("seen", ()))
    known.setdefault("every_s", 1800)
    known.setdefault("added", "")
    return Feed(**known)
