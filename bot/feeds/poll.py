"""One round of feed polling: each feed fetched with its validators, its new items fetched, cleaned, indexed.

Every download goes through the SSRF-checked fetcher of `bot.ingest.fetch_url`; each item page is cleaned as
`yalu ingest URL` cleans it, and the items of a round are ingested together, so near-duplicates (of the
index or of each other) are dropped and the rest saved to the knowledge folder. A feed that fails is one
line in the report; the others are still polled.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.errors import ArticleError, FetchError
from bot.feeds.parse import XML_TYPES, Item, read_feed
from bot.feeds.state import Feed, FeedBook

if TYPE_CHECKING:
    from bot.corpus import Article
    from bot.ingest.fetch_url import FetchPolicy
    from bot.ingest.ingestor import IngestReport
    from bot.services import Services

log = logging.getLogger(__name__)
Status = Literal["new", "unchanged", "nothing new", "failed"]
MAX_RETRIES = 3  # an item page that keeps failing is given up after this many rounds
Ingest = Callable[[list[Path]], "IngestReport"]
_DUPLICATE = "not indexed again"  # how the near-duplicate check words its refusal (bot.index.duplicates)


@dataclass
class FeedOutcome:
    """What one feed's poll did: the articles it added, the items dropped as duplicates, its error lines."""

    url: str
    status: Status
    added: list[str] = field(default_factory=list)
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The outcome in one line, for the CLI and Discord."""
        if self.status == "failed":
            return self.errors[0] if self.errors else f"{self.url}: failed"
        if self.status == "unchanged":
            return f"{self.url}: unchanged since the last poll"
        parts = [f"{len(self.added)} new article{'s' * (len(self.added) != 1)}"]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate{'s' * (self.duplicates != 1)} dropped")
        if len(self.errors):
            parts.append(f"{len(self.errors)} item{'s' * (len(self.errors) != 1)} failed")
        return f"{self.url}: {', '.join(parts)}"


@dataclass
class PollReport:
    """The outcomes of one round, in feed order."""

    outcomes: list[FeedOutcome] = field(default_factory=list)

    @property
    def added(self) -> list[str]:
        """Ids of every article the round added to the index."""
        return [i for o in self.outcomes for i in o.added]

    def lines(self) -> list[str]:
        """One line per feed polled, then one per item that failed."""
        return [o.line() for o in self.outcomes] + [e for o in self.outcomes if o.status != "failed" for e in o.errors]


def poll_feeds(
    services: Services,
    now: dt.datetime | None = None,
    due_only: bool = True,
    on_wait: Callable[[str], None] | None = None,
    ingest: Ingest | None = None,
) -> PollReport:
    """Poll the feeds that are due at `now` (every feed with `due_only=False`), once each; state saved after.

    `ingest` indexes a round's article files (default: `services.ingest`); the bot passes one that runs in
    its core thread, so the downloads happen beside the answers and only the indexing waits its turn.
    """
    from bot.ingest.fetch_url import FetchPolicy

    now = now or dt.datetime.now(dt.UTC)
    book = FeedBook(services.settings.data_dir)
    policy = FetchPolicy.from_settings(services.settings)
    report = PollReport()
    polled: list[Feed] = []
    for feed in book.feeds():
        if due_only and not feed.due(now):
            continue
        updated, outcome = _poll_one(services, policy, feed, now, ingest or _ingest_with(services, on_wait))
        polled.append(updated)
        report.outcomes.append(outcome)
        book.update([updated])  # after each feed: a crash mid-round repeats no feed already done
    return report


def _ingest_with(services: Services, on_wait: Callable[[str], None] | None) -> Ingest:
    """Index files with the services' own ingest (the writer lock taken, waits reported to `on_wait`)."""
    return lambda paths: services.ingest(paths, on_wait=on_wait)


def _poll_one(
    services: Services, policy: FetchPolicy, feed: Feed, now: dt.datetime, ingest: Ingest
) -> tuple[Feed, FeedOutcome]:
    """Poll one feed: (its new state, what happened)."""
    from bot.ingest.fetch_url import fetch_document

    stamp = now.isoformat(timespec="seconds")
    headers = {"If-None-Match": feed.etag} if feed.etag else {}
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        page = fetch_document(feed.url, policy, XML_TYPES, headers)
        if page is None:  # 304: nothing changed, the validators still hold
            return replace(feed, last_polled=stamp, last_error=None), FeedOutcome(feed.url, "unchanged")
        _, items = read_feed(page.text, feed.url)
    except FetchError as exc:
        log.warning("feed poll failed: %s", exc)
        return replace(feed, last_polled=stamp, last_error=str(exc)), FeedOutcome(feed.url, "failed", errors=[str(exc)])
    fresh = [i for i in items if i.key not in feed.seen][: services.settings.feed_max_items]
    outcome, done, failed = _ingest_items(policy, fresh, ingest)
    outcome.url = feed.url
    retries = {k: n for k, n in ((k, feed.retries.get(k, 0) + 1) for k in failed) if n < MAX_RETRIES}
    given_up = [k for k in failed if k not in retries]
    etag, modified = page.headers.get("etag"), page.headers.get("last-modified")
    updated = replace(feed, last_polled=stamp, last_error=None, retries=retries, etag=etag, last_modified=modified)
    return updated.with_seen([*done, *given_up]), outcome


def _ingest_items(policy: FetchPolicy, items: list[Item], ingest: Ingest) -> tuple[FeedOutcome, list[str], list[str]]:
    """Fetch and ingest items together: (outcome, keys handled for good, keys whose page failed to download)."""
    outcome = FeedOutcome("", "nothing new")
    done: list[str] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="yalu-feed-") as folder:
        written: dict[Path, tuple[Item, str]] = {}
        for item in items:
            try:
                article = _item_article(item, policy)
            except FetchError as exc:
                outcome.errors.append(str(exc))
                failed.append(item.key)
                continue
            except ArticleError as exc:  # a page that is no article (a consent wall): it will not become one
                outcome.errors.append(str(exc))
                done.append(item.key)
                continue
            path = Path(folder) / f"{article.id}.md"
            from bot.corpus import to_markdown

            path.write_text(to_markdown(article), encoding="utf-8")
            written[path] = (item, article.id)
        if written:
            report = ingest(list(written))
            _count(report, written, outcome, done)
    if outcome.added:
        outcome.status = "new"
    return outcome, done, failed


def _item_article(item: Item, policy: FetchPolicy) -> Article:
    """The article of an item's page, cleaned like a URL ingest; the feed's date when the page gives none."""
    from bot.corpus import make_article_id
    from bot.ingest.boilerplate import refuse_boilerplate
    from bot.ingest.fetch_url import fetch_article

    article = fetch_article(item.link, policy)
    refuse_boilerplate(article, item.link)
    if article.published is None and item.published is not None:
        article = replace(article, published=item.published, published_precision="day")
    return article.with_id(make_article_id(article.title, article.published, article.url or item.link))


def _count(report: IngestReport, written: dict[Path, tuple[Item, str]], outcome: FeedOutcome, done: list[str]) -> None:
    """Sort an ingest's results by item: added, already indexed, duplicate, or refused (one line each)."""
    by_path = {str(p): pair for p, pair in written.items()}
    for item, article_id in written.values():
        if article_id in report.added or article_id in report.updated:
            outcome.added.append(article_id)
        done.append(item.key)  # whatever the ingest said, fetching it again would say the same
    for line in report.errors:
        path = next((p for p in by_path if p in line), None)
        if path is not None and _DUPLICATE in line:
            outcome.duplicates += 1
        elif path is not None:
            outcome.errors.append(line.replace(path, by_path[path][0].link))
        else:
            outcome.errors.append(line)
