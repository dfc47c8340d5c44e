"""`yalu accounts`: every report of one exchange side by side, with where they differ."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import open_services, print_citations, print_json, stdout

if TYPE_CHECKING:
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add the `accounts` subcommand."""
    p = sub.add_parser("accounts", help="the accounts of one exchange side by side, and where they differ")
    p.add_argument("event", help='a date (2022-10, 2022-10-13) or words of the event ("Xi letter congress")')
    p.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    p.set_defaults(run=cmd_accounts)


def cmd_accounts(args: argparse.Namespace) -> int:
    """`yalu accounts EVENT|DATE`: accounts verbatim and cited, differences in dates, wording and sources."""
    from rich.markup import escape

    from bot.analysis.accounts import exchange_blocks

    report = open_services().accounts(args.event)
    if args.json:
        print_json(report.to_json())
        return 0
    console = stdout()
    if not report.exchanges:
        console.print(f"No letter, visit or meeting in the corpus matches {escape(args.event)!r}.")
        return 0
    for exchange in report.exchanges:
        console.print(f"\n[bold]{escape(exchange.label)}[/bold] \u2014 {len(exchange.accounts)} account(s)")
        for heading, text in exchange_blocks(exchange):
            console.print(f"  [bold]{escape(heading)}[/bold]")
            for line in text.splitlines():
                console.print(f"    {escape(line)}")
    console.print()
    print_citations(console, report.citations)
    return 0
