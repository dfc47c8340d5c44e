"""`yalu ask` and `yalu search`: cited answers, and the ranked passages behind them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import add_filters, open_services, print_citations, print_json, stdout

if TYPE_CHECKING:
    from rich.console import Console

    from bot.answer_model import Answer
    from bot.cli.common import Subcommands
    from bot.services import Services


def register(sub: Subcommands) -> None:
    """Add the `ask` and `search` subcommands."""
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    add_filters(ask)
    ask.add_argument("--k", type=int, default=8, help="passages to retrieve (default 8)")
    ask.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    ask.add_argument("--batch", type=Path, help='JSONL file of {"id", "question"}; one JSON line out per line in')
    ask.set_defaults(run=cmd_ask)

    search = sub.add_parser("search", help="ranked passages for a query, with scores")
    search.add_argument("query")
    add_filters(search)
    search.add_argument("--k", type=int, default=8)
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=cmd_search)


def cmd_ask(args: argparse.Namespace) -> int:
    """`yalu ask`: one question, or a batch file with --batch."""
    from bot.errors import BadQuestion

    if args.batch:
        return _ask_batch(args)
    if not args.question:
        raise BadQuestion('give a question, e.g. yalu ask "What did Xi write to Kim in September 2023?"')
    services = open_services()
    answer = services.ask(args.question, args.since, args.until, args.outlet, k=args.k)
    if args.json:
        print_json(answer.to_json())
    else:
        _print_answer(stdout(), answer)
    return 0


def _ask_batch(args: argparse.Namespace) -> int:
    from bot.errors import ArticleError

    try:
        lines = args.batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleError(f"{args.batch}: cannot read the batch file: {exc}") from exc
    services = open_services()
    for number, line in enumerate(lines, 1):
        if line.strip():
            row = _answer_line(services, args, number, line)  # the core's answer first, then the printing
            print_json(row)
    return 0


def _answer_line(services: Services, args: argparse.Namespace, number: int, line: str) -> dict[str, Any]:
    """One batch line's answer, or an error object under the same id: a bad line never stops the batch."""
    from bot.errors import BadQuestion, YaluError

    qid = None
    try:
        item = json.loads(line)
        if not isinstance(item, dict):
            raise BadQuestion(f'each line must be a JSON object {{"id", "question"}}, not {json.dumps(item)[:60]}')
        qid = None if item.get("id") is None else str(item["id"])
        question = item["question"]
        if not isinstance(question, str):  # null or a number would be asked as "None" or "42"
            raise BadQuestion(f'"question" must be a string, not {json.dumps(question)[:60]}')
        answer = services.ask(question, args.since, args.until, args.outlet, k=args.k, qid=qid)
        return answer.to_json()
    except (ValueError, KeyError, YaluError) as exc:
        return {"id": qid, "line": number, "error": _describe(exc)}


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc}"
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg}"
    return str(exc)


def _print_answer(console: Console, answer: Answer) -> None:
    from rich.markup import escape
    from rich.panel import Panel

    style = "green" if answer.status == "answered" else "yellow"
    title = "Answer" if answer.status == "answered" else "Insufficient evidence"
    console.print(Panel(escape(answer.answer), title=title, border_style=style, expand=False))
    if answer.notice:
        console.print(f"[yellow]{escape(answer.notice)}[/yellow]")
    print_citations(console, answer.citations)


def cmd_search(args: argparse.Namespace) -> int:
    """`yalu search`: ranked passages with their scores."""
    services = open_services()
    retrieval = services.search(args.query, args.since, args.until, args.outlet, k=args.k)
    registry = services.registry()
    rows = [
        {
            "rank": r,
            "article_id": p.chunk.article_id,
            "title": registry[p.chunk.article_id].title,
            "score": round(p.score, 4),
            "dense": round(p.dense, 4),
            "lexical": round(p.lexical, 4),
            "passage": p.chunk.text,
        }
        for r, p in enumerate(retrieval.passages, 1)
    ]
    if args.json:
        print_json(rows)
        return 0
    from rich.markup import escape
    from rich.table import Table

    table = Table("#", "score", "dense", "bm25", "article / passage", show_lines=True)
    for row in rows:
        table.add_row(
            str(row["rank"]),
            f"{row['score']:.4f}",
            f"{row['dense']:.3f}",
            f"{row['lexical']:.3f}",
            f"[bold]{escape(str(row['title']))}[/bold]\n{escape(str(row['passage']))}",
        )
    stdout().print(table)
    return 0
