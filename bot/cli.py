"""The `yalu` command: parse arguments, call the core, print (rich for people, --json for machines)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from bot.answer_model import Answer
    from bot.ingest import IngestReport, Progress
    from bot.services import Services

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yalu", description="Cited answers about China-North Korea relations.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    _add_filters(ask)
    ask.add_argument("--k", type=int, default=8, help="passages to retrieve (default 8)")
    ask.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    ask.add_argument("--batch", type=Path, help='JSONL file of {"id", "question"}; one JSON line out per line in')

    search = sub.add_parser("search", help="ranked passages for a query, with scores")
    search.add_argument("query")
    _add_filters(search)
    search.add_argument("--k", type=int, default=8)
    search.add_argument("--json", action="store_true")

    sources = sub.add_parser("sources", help="list the indexed articles")
    sources.add_argument("--json", action="store_true", help="print their front matter as a JSON list")

    ingest = sub.add_parser("ingest", help="add or update articles (.md, .txt, .html files or folders)")
    ingest.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the knowledge folder)")
    ingest.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    ingest.add_argument("--prune", action="store_true", help="remove indexed articles not among these files")
    ingest.add_argument("--delete", metavar="ID", action="append", default=[], help="remove an article by id")

    ev = sub.add_parser("eval", help="score answers against a gold file (JSONL)")
    ev.add_argument("file", type=Path)
    ev.add_argument("--json", action="store_true")
    return p


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="earliest publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--until", help="latest publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--outlet", help="only articles from outlets whose name contains this")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `yalu` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    from bot.errors import YaluError

    try:
        return int(COMMANDS[args.command](args))
    except YaluError as exc:
        print(f"yalu: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _services(console: Console | None = None) -> Services:
    from bot.config import Settings
    from bot.services import build_services

    services = build_services(Settings())
    with _progress(console, "Building the index from the knowledge folder") as progress:
        report = services.ensure_index(progress)
    if report and report.errors:
        for line in report.errors:
            print(f"yalu: skipped {line}", file=sys.stderr)
    return services


@contextmanager
def _progress(console: Console | None, label: str) -> Iterator[Progress]:
    """A progress bar on stderr for long work (silent when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def cmd_ask(args: argparse.Namespace) -> int:
    """`yalu ask`: one question, or a batch file with --batch."""
    from bot.errors import BadQuestion

    if args.batch:
        return _ask_batch(args)
    if not args.question:
        raise BadQuestion('give a question, e.g. yalu ask "What did Xi write to Kim in September 2023?"')
    services = _services()
    answer = services.ask(args.question, args.since, args.until, args.outlet, k=args.k)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        _print_answer(_stdout(), answer)
    return 0


def _ask_batch(args: argparse.Namespace) -> int:
    from bot.errors import ArticleError

    try:
        lines = args.batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleError(f"{args.batch}: cannot read the batch file: {exc}") from exc
    services = _services()
    for number, line in enumerate(lines, 1):
        if line.strip():
            print(json.dumps(_answer_line(services, args, number, line), ensure_ascii=False), flush=True)
    return 0


def _answer_line(services: Services, args: argparse.Namespace, number: int, line: str) -> dict[str, Any]:
    """One batch line's answer, or an error object under the same id: a bad line never stops the batch."""
    from bot.errors import YaluError

    qid = None
    try:
        item = json.loads(line)
        qid = None if item.get("id") is None else str(item["id"])
        answer = services.ask(str(item["question"]), args.since, args.until, args.outlet, k=args.k, qid=qid)
        return answer.to_json()
    except (ValueError, KeyError, TypeError, AttributeError, YaluError) as exc:
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
    for c in answer.citations:
        date = c.published.isoformat() if c.published else "undated"
        head = f"[bold][{c.n}][/bold] {escape(c.outlet or 'outlet unknown')}, {date}: {escape(c.title)}"
        console.print(head + (f"\n    {escape(c.url)}" if c.url else ""))
        console.print(f"    [dim]\u201c{escape(c.quote)}\u201d[/dim]")


def cmd_search(args: argparse.Namespace) -> int:
    """`yalu search`: ranked passages with their scores."""
    services = _services()
    retrieval = services.search(args.query, args.since, args.until, args.outlet, k=args.k)
    registry = services.answerer.registry
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
        print(json.dumps(rows, ensure_ascii=False))
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
    _stdout().print(table)
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    """`yalu sources`: the indexed articles as a table, or their front matter as JSON."""
    services = _services()
    articles = services.store.articles()
    if args.json:
        print(json.dumps([a.front_matter for a in articles], ensure_ascii=False, default=str))
        return 0
    from rich.markup import escape
    from rich.table import Table

    table = Table("published", "outlet", "title", "id", title=f"{len(articles)} articles")
    for a in articles:
        date = a.published.isoformat() if a.published else "undated"
        if a.published and a.published_precision in ("month", "year"):
            date += f" (~{a.published_precision})"
        table.add_row(date, escape(a.outlet or "unknown"), escape(a.title), a.id)
    _stdout().print(table)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """`yalu ingest`: index files or folders; reports what changed and which files were refused."""
    from bot.config import Settings
    from bot.services import build_services

    services = build_services(Settings())
    for article_id in args.delete:
        found = services.delete(article_id)
        print(f"{'removed' if found else 'not indexed'}: {article_id}")
    if args.delete and not args.paths and not args.rebuild:
        return 0
    paths = args.paths or [services.settings.knowledge_dir]
    with _progress(None, "Ingesting") as progress:
        report = services.ingest(paths, rebuild=args.rebuild, prune=args.prune, progress=progress)
    _print_report(report)
    return 1 if report.errors and not report.changed and not report.unchanged else 0


def _print_report(report: IngestReport) -> None:
    parts = [f"{len(report.added)} added", f"{len(report.updated)} updated", f"{len(report.unchanged)} unchanged"]
    if report.removed:
        parts.append(f"{len(report.removed)} removed")
    print(", ".join(parts) + f"; {report.chunks} chunks written")
    for path in report.saved:
        print(f"saved a copy to {path}")
    for line in report.errors:
        print(f"yalu: skipped {line}", file=sys.stderr)


def cmd_eval(args: argparse.Namespace) -> int:
    """`yalu eval`: score the answers to a gold file and print one summary line (and a table)."""
    from bot.evaluate import evaluate, load_gold

    gold = load_gold(args.file)
    services = _services()
    result = evaluate(services, gold)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    console = _stdout()
    _print_eval_table(console, result.rows)
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


def _mark(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "[red]no[/red]"
    return f"{value:.2f}"


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ask": cmd_ask,
    "search": cmd_search,
    "sources": cmd_sources,
    "ingest": cmd_ingest,
    "eval": cmd_eval,
}

if __name__ == "__main__":
    sys.exit(main())
