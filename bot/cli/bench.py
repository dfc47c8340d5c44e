"""`yalu bench`: synthetic corpora of growing size, and what ingest, search and answers cost on each."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import stdout

if TYPE_CHECKING:
    from rich.console import Console

    from bot.cli.common import Subcommands

# (column, key, format): the figures as the table shows them
COLUMNS = (
    ("articles", "articles", "{:,}"),
    ("chunks", "chunks", "{:,}"),
    ("ingest art/s", "articles_per_s", "{:.1f}"),
    ("chunks/s", "chunks_per_s", "{:.1f}"),
    ("texts/s", "texts_per_s", "{:.0f}"),
    ("ceiling texts/s", "ceiling_texts_per_s", "{:.0f}"),
    ("ratio", "ceiling_ratio", "{:.0%}"),
    ("ask p50 ms", "ask_p50_ms", "{:.0f}"),
    ("ask p95 ms", "ask_p95_ms", "{:.0f}"),
    ("search p50 ms", "search_p50_ms", "{:.0f}"),
    ("search p95 ms", "search_p95_ms", "{:.0f}"),
    ("serve RSS MB", "serve_peak_mb", "{:.0f}"),
    ("ingest peak MB", "ingest_peak_mb", "{:.0f}"),
    ("index MB", "index_mb", "{:.0f}"),
    ("cold start s", "cold_start_s", "{:.2f}"),
)

# the simulated bench's figures (no model at build time: no ingest rate, no ceiling)
SIMULATED_COLUMNS = (
    ("articles", "articles", "{:,.0f}"),
    ("sentences", "sentences", "{:,.0f}"),
    ("build s", "build_s", "{:.0f}"),
    ("BM25 build s", "bm25_s", "{:.1f}"),
    ("index MB", "index_mb", "{:,.0f}"),
    ("build peak MB", "build_peak_mb", "{:,.0f}"),
    ("plain p50 ms", "plain_p50_ms", "{:.0f}"),
    ("plain p95 ms", "plain_p95_ms", "{:.0f}"),
    ("month p50 ms", "month_p50_ms", "{:.0f}"),
    ("month p95 ms", "month_p95_ms", "{:.0f}"),
    ("year p50 ms", "year_p50_ms", "{:.0f}"),
    ("year p95 ms", "year_p95_ms", "{:.0f}"),
    ("outlet p50 ms", "outlet_p50_ms", "{:.0f}"),
    ("outlet p95 ms", "outlet_p95_ms", "{:.0f}"),
    ("serve RSS MB", "serve_peak_mb", "{:,.0f}"),
    ("cold start s", "cold_start_s", "{:.2f}"),
)
_EXPONENT = "{:.2f}"


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
    from bot.bench.measure import machine
    from bot.bench.questions import QUESTIONS
    from bot.bench.run import BenchOptions, run_benchmark
    from bot.cli.common import settings

    questions = _read_questions(args.questions) if args.questions else list(QUESTIONS)
    with tempfile.TemporaryDirectory(prefix="yalu-bench-") as tmp:
        options = BenchOptions(
            sizes=args.articles or [5, 1000, 10000],
            workdir=args.workdir or Path(tmp),
            real_dir=settings().knowledge_dir,
            questions=questions,
            rounds=args.rounds,
            keep=args.keep,
        )
        if args.simulate:
            from dataclasses import replace

            from bot.bench.run import run_simulated

            rows = run_simulated(replace(options, sizes=args.simulate))
        else:
            rows = run_benchmark(options)
    about = machine()
    columns = SIMULATED_COLUMNS if args.simulate else COLUMNS
    if args.json:
        print(json.dumps({"machine": about, "rows": rows}))
    else:
        _print_table(stdout(), rows, about, columns)
    if args.markdown:
        args.markdown.write_text(markdown_table(rows, columns), encoding="utf-8")
    return 0


def _read_questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _cell(row: dict[str, Any], key: str, fmt: str) -> str:
    """A figure as the table shows it; the growth row holds exponents, and "-" where none was fitted."""
    if key not in row:
        return "-"
    return (_EXPONENT if row["size"] == "growth" else fmt).format(row[key])


def _heading(row: dict[str, Any]) -> str:
    return "growth exponent" if row["size"] == "growth" else f"{row['size']:,} articles"


def _print_table(
    console: Console, rows: list[dict[str, Any]], about: dict[str, Any], columns: tuple[tuple[str, str, str], ...]
) -> None:
    """One column per corpus size and one row per figure: narrow enough for a terminal."""
    from rich.table import Table

    table = Table("", *(_heading(row) for row in rows), title="yalu bench")
    for label, key, fmt in columns:
        table.add_row(label, *(_cell(row, key, fmt) for row in rows))
    console.print(table)
    console.print(f"{about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB; Python {about['python']}")


def markdown_table(rows: list[dict[str, Any]], columns: tuple[tuple[str, str, str], ...] = COLUMNS) -> str:
    """The rows as a Markdown table with the same columns as the terminal table."""
    head = "| " + " | ".join(c for c, _, _ in columns) + " |"
    rule = "|" + "|".join("---:" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(row, key, fmt) for _, key, fmt in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body]) + "\n"
