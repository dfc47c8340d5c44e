"""`yalu eval`: score answers against a gold file and print the one-line summary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import open_services, print_json, stdout

if TYPE_CHECKING:
    from rich.console import Console

    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add the `eval` subcommand."""
    ev = sub.add_parser("eval", help="score answers against a gold file (JSONL)")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(run=cmd_eval)


def cmd_eval(args: argparse.Namespace) -> int:
    """`yalu eval`: score the answers to a gold file and print one summary line (and a table)."""
    from bot.evaluate import evaluate, load_gold

    gold = load_gold(args.file)
    services = open_services()
    result = evaluate(services, gold)
    if args.json:
        print_json(result.to_json())
        return 0
    console = stdout()
    _print_eval_table(console, result.rows)
    _print_kind_table(console, result.by_kind)
    print(result.summary_line())  # plain print: the line is copied into notes, so never wrapped
    return 0


def _print_eval_table(console: Console, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table("id", "kind", "status", "evidence", "facts", "words", "ms")
    for r in rows:
        table.add_row(
            r["id"],
            r["kind"],
            r["status"],
            _mark(r.get("evidence_hit")),
            _mark(r.get("fact_recall")),
            str(r["words"]),
            f"{r['ms']:.0f}",
        )
    console.print(table)


def _print_kind_table(console: Console, by_kind: dict[str, dict[str, float]]) -> None:
    """The figures of each kind of question (a refusal counts as no evidence and no facts)."""
    from rich.table import Table

    table = Table("kind", "n", "evidence", "facts", "refused (answerable)", "refused (unanswerable)", "median words")
    for kind, m in by_kind.items():
        unanswerable = kind == "unanswerable"
        table.add_row(
            kind,
            f"{m['n']:.0f}",
            "-" if unanswerable else f"{m['evidence_hit_rate']:.2f}",
            "-" if unanswerable else f"{m['fact_recall']:.2f}",
            "-" if unanswerable else f"{m['refused_answerable']:.2f}",
            f"{m['refused_unanswerable']:.2f}" if unanswerable else "-",
            f"{m['median_words']:.0f}",
        )
    console.print(table)


def _mark(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "[red]no[/red]"
    return f"{value:.2f}"
