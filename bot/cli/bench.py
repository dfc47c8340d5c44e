"""`yalu bench`: synthetic corpora of growing size, and what ingest, search and answers cost on each."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import stdout

if TYPE_CHECKING:
    from rich.console import Console

    from bot.bench.run import BenchResult
    from bot.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add the `bench` subcommand."""
    b = sub.add_parser("bench", help="measure ingest, search and answer cost on synthetic corpora")
    b.add_argument(
        "--articles", type=int, action="extend", nargs="+", metavar="N", help="corpus sizes (default: 5 1000 10000)"
    )
    b.add_argument(
        "--simulate",
        type=int,
        action="extend",
        nargs="+",
        metavar="N",
        help="sizes of simulated indexes: pseudo-embeddings instead of the model, so 100,000 articles take minutes",
    )
    b.add_argument("--rounds", type=int, default=3, help="timed passes over the questions (default 3)")
    b.add_argument("--questions", type=Path, help="JSONL with a 'question' field per line (default: built-in set)")
    b.add_argument("--workdir", type=Path, help="where the corpora and indexes are built (default: a temp dir)")
    b.add_argument("--keep", action="store_true", help="keep each size's corpus and index after measuring it")
    b.add_argument("--markdown", type=Path, help="also write the results as a Markdown table to this file")
    b.add_argument("--json", action="store_true")
    b.set_defaults(run=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    """`yalu bench`: build each corpus size, measure it in fresh processes, print one row per size."""
    from bot.bench.questions import QUESTIONS
    from bot.bench.run import BenchOptions, benchmark
    from bot.bench.table import markdown_table
    from bot.cli.common import settings

    questions = _read_questions(args.questions) if args.questions else list(QUESTIONS)
    with tempfile.TemporaryDirectory(prefix="yalu-bench-") as tmp:
        options = BenchOptions(
            sizes=args.simulate or args.articles or [5, 1000, 10000],
            workdir=args.workdir or Path(tmp),
            real_dir=settings().knowledge_dir,
            questions=questions,
            rounds=args.rounds,
            keep=args.keep,
        )
        result = benchmark(options, simulated=bool(args.simulate))
    if args.json:
        print(json.dumps({"machine": result.machine, "rows": result.rows}))
    else:
        _print_table(stdout(), result)
    if args.markdown:
        args.markdown.write_text(markdown_table(result.rows, result.columns), encoding="utf-8")
    return 0


def _read_questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _print_table(console: Console, result: BenchResult) -> None:
    """One column per corpus size and one row per figure: narrow enough for a terminal."""
    from rich.table import Table

    table = Table("", *result.headings(), title="yalu bench")
    for label, cells in result.figures():
        table.add_row(label, *cells)
    console.print(table)
    about = result.machine
    console.print(f"{about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB; Python {about['python']}")
