"""`yalu summarize` and `yalu brief`: cited summaries of one article, and briefings over a period."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import open_services, print_citations, print_json, stdout

if TYPE_CHECKING:
    from rich.console import Console

    from bot.cli.common import Subcommands
    from bot.digest.brief import Briefing
    from bot.digest.summarize import KeyQuote, Summary


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
    summary = open_services().summarize(args.article)
    if args.json:
        print_json(summary.to_json())
    else:
        _print_summary(stdout(), summary)
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
        _print_briefing(stdout(), briefing)
    if args.new and briefing.status == "ok":
        services.mark_briefed(briefing)  # only once it has been printed: a crash before means it comes again
    return 0


def _print_summary(console: Console, summary: Summary) -> None:
    from rich.markup import escape

    date = summary.published.isoformat() if summary.published else "undated"
    console.print(f"[bold]{escape(summary.headline)}[/bold]")
    console.print(f"[dim]{escape(summary.outlet or 'outlet unknown')}, {date}[/dim]\n")
    for bullet in summary.bullets:
        refs = "".join(f"[{n}]" for n in bullet.citations)
        console.print(f" \u2022 {escape(bullet.text)} {escape(refs)}")
    _print_quotes(console, summary.quotes)
    if summary.notice:
        console.print(f"\n[yellow]{escape(summary.notice)}[/yellow]")
    console.print()
    print_citations(console, summary.citations)


def _print_quotes(console: Console, quotes: list[KeyQuote]) -> None:
    from rich.markup import escape

    if not quotes:
        return
    console.print("\n[bold]Key quotes[/bold]")
    for q in quotes:
        via = f" (via {', '.join(q.via)})" if q.via else ""
        console.print(f" {escape(q.speaker or 'unattributed')}{escape(via)}: \u201c{escape(q.quote)}\u201d [{q.n}]")


def _print_briefing(console: Console, briefing: Briefing) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    from bot.digest.brief import also_reported_line, change_line, story_block

    style = "green" if briefing.status == "ok" else "yellow"
    for note in briefing.anniversaries:
        console.print(f"[bold]Anniversary.[/bold] {escape(note.text)}\n")
    console.print(Panel(escape(briefing.overview), title="Briefing", border_style=style, expand=False))
    for story in briefing.lead_stories:
        heading, text = story_block(story)
        console.print(f"\n[bold]{escape(heading)}[/bold]")
        console.print(f" {escape(text)}")
    if briefing.also_reported:
        console.print("\n[bold]Also reported[/bold]")
        for story in briefing.also_reported:
            console.print(f" {escape(also_reported_line(story))}")
    _print_quotes(console, briefing.quotes)
    if briefing.changes:
        console.print(
            f"\n[bold]Changes in wording[/bold] [dim](against {escape(briefing.changes[0].compared_with)})[/dim]"
        )
        for c in briefing.changes:
            console.print(f" {escape(change_line(c))}")
    if briefing.notice:
        console.print(f"\n[yellow]{escape(briefing.notice)}[/yellow]")
    cited = briefing.citations + [c for note in briefing.anniversaries for c in note.citations]
    if cited:
        console.print()
        print_citations(console, cited)
