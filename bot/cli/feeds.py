"""`yalu feeds` and `yalu watch`: subscriptions that fill the corpus, and phrases or topics to be told about."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING

from bot.cli.common import open_services, print_json, settings, warn

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.services import Services


def register(sub: Subcommands) -> None:
    """Add the `feeds` and `watch` subcommands."""
    feeds = sub.add_parser("feeds", help="RSS and Atom feeds whose new items are ingested")
    actions = feeds.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="subscribe to a feed")
    add.add_argument("url", help="the feed's http(s) address")
    add.add_argument("--every", metavar="INTERVAL", help="how often the bot polls it: 30m, 2h, 1d (YALU_FEED_EVERY)")
    add.set_defaults(run=cmd_feeds_add)
    listing = actions.add_parser("list", help="the feeds, their interval and last poll")
    listing.add_argument("--json", action="store_true", help="print them as a JSON list")
    listing.set_defaults(run=cmd_feeds_list)
    remove = actions.add_parser("remove", help="unsubscribe a feed")
    remove.add_argument("feed", help="its URL or its number in `yalu feeds list`")
    remove.set_defaults(run=cmd_feeds_remove)
    poll = actions.add_parser("poll", help="poll every feed once and ingest new items (for cron)")
    poll.add_argument("--due", action="store_true", help="only the feeds whose interval has passed")
    poll.set_defaults(run=cmd_feeds_poll)

    watch = sub.add_parser("watch", help="be told when a new article uses a phrase or changes wording on a topic")
    wactions = watch.add_subparsers(dest="action", required=True)
    wadd = wactions.add_parser("add", help="watch a phrase (variants too) or, with --topic, a topic")
    wadd.add_argument("text", help="the phrase or topic")
    wadd.add_argument("--topic", action="store_true", help="alert on changes in the leaders' wording about it")
    wadd.set_defaults(run=cmd_watch_add)
    wactions.add_parser("list", help="your watches").set_defaults(run=cmd_watch_list)
    wremove = wactions.add_parser("remove", help="remove a watch")
    wremove.add_argument("number", type=int, help="its number in `yalu watch list`")
    wremove.set_defaults(run=cmd_watch_remove)
    wactions.add_parser("check", help="print the alerts of articles indexed since the last check").set_defaults(
        run=cmd_watch_check
    )


def cmd_feeds_add(args: argparse.Namespace) -> int:
    """`yalu feeds add URL [--every 30m]`."""
    from bot.feeds import FeedBook, parse_every
    from bot.feeds.state import describe_every

    loaded = settings()
    every = parse_every(args.every or loaded.feed_every)
    feed = FeedBook(loaded.data_dir).add(args.url, every, dt.datetime.now(dt.UTC))
    print(f"added feed {feed.url}, polled every {describe_every(feed.every_s)}")
    return 0


def cmd_feeds_list(args: argparse.Namespace) -> int:
    """`yalu feeds list`: one line per feed."""
    from bot.feeds import FeedBook
    from bot.feeds.state import feed_line

    feeds = FeedBook(settings().data_dir).feeds()
    if args.json:
        keys = ("url", "every_s", "last_polled", "last_error")
        print_json([{k: getattr(f, k) for k in keys} for f in feeds])
        return 0
    if not feeds:
        print("no feeds yet: yalu feeds add URL")
    for number, feed in enumerate(feeds, 1):
        print(f"{number}. {feed_line(feed)}")
    return 0


def cmd_feeds_remove(args: argparse.Namespace) -> int:
    """`yalu feeds remove URL|N`."""
    from bot.feeds import FeedBook

    print(f"removed feed {FeedBook(settings().data_dir).remove(args.feed).url}")
    return 0


def cmd_feeds_poll(args: argparse.Namespace) -> int:
    """`yalu feeds poll`: one round; one line per feed; exit 1 only if every feed failed."""
    from bot.feeds import poll_feeds

    services = open_services()
    report = poll_feeds(services, due_only=args.due, on_wait=warn)
    for line in report.lines():
        print(line)
    if not report.outcomes:
        print("no feed to poll" if not args.due else "no feed is due")
    _print_alerts(services)
    return 1 if report.outcomes and all(o.status == "failed" for o in report.outcomes) else 0


def _print_alerts(services: Services) -> None:
    from bot.watches import check_new

    for alert in check_new(services, "cli"):
        print(alert.line())


def cmd_watch_add(args: argparse.Namespace) -> int:
    """`yalu watch add TEXT [--topic]`."""
    from bot.watches import WatchBook

    watch = WatchBook(settings().data_dir).add("topic" if args.topic else "phrase", args.text, "cli")
    print(f"watching {watch.describe()}: `yalu watch check` or `yalu feeds poll` prints its alerts")
    return 0


def cmd_watch_list(args: argparse.Namespace) -> int:
    """`yalu watch list`."""
    from bot.watches import WatchBook

    watches = WatchBook(settings().data_dir).watches("cli")
    print("\n".join(w.describe() for w in watches) or "no watches yet: yalu watch add PHRASE")
    return 0


def cmd_watch_remove(args: argparse.Namespace) -> int:
    """`yalu watch remove N`."""
    from bot.watches import WatchBook

    print(f"removed {WatchBook(settings().data_dir).remove(args.number, 'cli').describe()}")
    return 0


def cmd_watch_check(args: argparse.Namespace) -> int:
    """`yalu watch check`: the alerts of articles indexed since the last check."""
    services = open_services()
    _print_alerts(services)
    return 0
