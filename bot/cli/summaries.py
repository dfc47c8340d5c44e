"""`yalu summarize` and `yalu brief`: cited summaries of one article, and briefings over a period.

Both print the Reply that /summarize and /brief post in Discord (`bot.present`), through the terminal's renderer.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import open_services, print_json, stdout
from bot.cli.present import print_reply
from bot.present.replies import briefing_reply, summary_reply

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add the `summarize` and `brief` subcommands."""
    summarize = sub.add_parser("summarize", help="a cited summary of one article")
    summarize.add_argument("article", help="an article id, a unique part of its title, or an article file")
    summarize.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    summarize.set_defaults(run=cmd_summarize)

    brief = sub.add_parser("brief", help="a cited briefing on a period (default: the last 7 days)")
    which = brief.add_mutually_exclusive_group()
    which.add_argument("--date", help="one day or month: YYYY-MM-DD or YYYY-MM")
    which.add_argument("--days", type=int, help="the last N days up to today")
    which.add_argument("--new", action="store_true", help="articles added since the last --new briefing")
    brief.add_argument("--since", help="first publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    brief.add_argument("--until", help="last publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    brief.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    brief.set_defaults(run=cmd_brief)


def cmd_summarize(args: argparse.Namespace) -> int:
    """`yalu summarize`: headline, cited bullets and attributed quotes of one article."""
    services = open_services()
    summary = services.summarize(args.article)
    if args.json:
        print_json(summary.to_json())
    else:
        print_reply(stdout(), summary_reply(summary), services.settings.data_dir / "charts")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """`yalu brief`: a briefing on a window of dates, or on the articles new since the last one."""
    from bot.errors import BadQuestion

    if args.new and (args.since or args.until):
        raise BadQuestion("--new covers the articles added since the last briefing; drop --since/--until")
    services = open_services()
    briefing = services.brief(args.since, args.until, args.date, args.days, args.new)
    if args.json:
        print_json(briefing.to_json())
    else:
        print_reply(stdout(), briefing_reply(briefing), services.settings.data_dir / "charts")
    if args.new and briefing.status == "ok":
        services.mark_briefed(briefing)  # only once it has been printed: a crash before means it comes again
    return 0
