"""Reading an RSS or Atom document into its items (feedparser does the many dialects and their mistakes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.errors import FetchError

XML_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "text/plain",  # some servers label any static file so
    "text/html",  # and a few label feeds as HTML; feedparser decides what it is
)


@dataclass(frozen=True)
class Item:
    """One entry of a feed: the page it links to, its title and date as the feed gives them."""

    key: str  # what identifies it across polls: its id (guid), else its link
    link: str
    title: str | None
    published: dt.date | None


def read_feed(text: str, url: str) -> tuple[str, list[Item]]:
    """The feed's title and its items with a link, newest first; FetchError when the text is no RSS or Atom."""
    import feedparser

    # Bytes, not str: feedparser would take a str that looks like a path or URL for one and open it.
    parsed: Any = feedparser.parse(
        text.encode("utf-8"), response_headers={"content-type": "application/xml; charset=utf-8"}
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({_first_line(reason)})" if reason else ""
        raise FetchError(f"{url}: not an RSS or Atom feed{detail}")
    items = [item for item in (_item(entry) for entry in parsed.entries) if item is not None]
    items.sort(key=lambda i: i.published or dt.date.min, reverse=True)
    return str(parsed.feed.get("title") or url), items


def _item(entry: Any) -> Item | None:
    """An entry with an http(s) link; None for one without (nothing to fetch)."""
    link = str(entry.get("link") or "").strip()
    if not link.lower().startswith(("http://", "https://")):
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
    key = str(entry.get("id") or link).strip()
    return Item(key, link, str(entry.get("title") or "") or None, published)


def _first_line(reason: object) -> str:
    return str(reason).strip().splitlines()[0][:160] if str(reason).strip() else type(reason).__name__
