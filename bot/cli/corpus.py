"""`yalu sources` and `yalu ingest`: what is indexed, and adding, updating or removing articles."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import build_on_first_use, open_services, opened, print_json, settings, stdout, warn
from bot.progress import progress_bar

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from bot.config import Settings
    from bot.ingest.ingestor import IngestReport
    from bot.ingest.run import Deletion
    from bot.services import Services


def register(sub: Subcommands) -> None:
    """Add the `sources` and `ingest` subcommands."""
    sources = sub.add_parser("sources", help="list the indexed articles")
    sources.add_argument("--json", action="store_true", help="print their front matter as a JSON list")
    sources.set_defaults(run=cmd_sources)

    ingest = sub.add_parser("ingest", help="add or update articles (.md, .txt, .html files or folders)")
    ingest.add_argument("paths", nargs="*", help="files, folders or http(s) URLs (default: the knowledge folder)")
    ingest.add_argument("--rebuild", action="store_true", help="drop the index and build it again")
    ingest.add_argument("--prune", action="store_true", help="remove indexed articles not among these files")
    ingest.add_argument("--delete", metavar="ID", action="append", default=[], help="remove an article by id")
    ingest.set_defaults(run=cmd_ingest)


def cmd_sources(args: argparse.Namespace) -> int:
    """`yalu sources`: the indexed articles as a table, or their front matter as JSON."""
    services = open_services()
    articles = services.articles()
    if args.json:
        print_json([a.front_matter for a in articles], default=str)
        return 0
    from rich.markup import escape
    from rich.table import Table

    table = Table("published", "outlet", "title", "id", title=f"{len(articles)} articles")
    for a in articles:
        date = a.published.isoformat() if a.published else "undated"
        if a.published and a.published_precision in ("month", "year"):
            date += f" (~{a.published_precision})"
        table.add_row(date, escape(a.outlet or "unknown"), escape(a.title), a.id)
    stdout().print(table)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """`yalu ingest`: index files or folders; reports what changed and which files were refused."""
    from bot.ingest.ingestor import IngestReport

    built = _open_for_ingest(settings(), args.rebuild)  # no ensure_index: ingest builds the index itself
    for article_id in args.delete:
        print(_deletion_line(built.delete(article_id, on_wait=_waiting)))
    if args.delete and not args.paths and not args.rebuild:
        return 0
    urls = [p for p in args.paths if p.startswith(("http://", "https://"))]
    paths = [Path(p) for p in args.paths if p not in urls]
    if not paths and (not urls or args.rebuild or args.prune):  # never rebuild or prune down to the URLs alone
        paths = [built.settings.knowledge_dir]
    if not (args.rebuild or args.prune) and built.settings.knowledge_dir not in paths:
        _build_first(built)
    report = IngestReport()
    if paths:
        with progress_bar(None, "Ingesting") as progress:
            report = built.ingest(paths, rebuild=args.rebuild, prune=args.prune, progress=progress, on_wait=_waiting)
    for url in urls:  # a refused or failed URL is one line, like a bad file; the others still go in
        _merge(report, _ingest_url(built, url))
    _print_report(report)
    return 1 if report.errors and not report.changed and not report.unchanged else 0


def _build_first(built: Services) -> None:
    """On an empty index, build it from the knowledge folder first, as the first `yalu ask` would: adding
    one article to a new data dir must not leave the seed articles (and the folder's others) unindexed."""
    if built.settings.knowledge_dir.is_dir():  # no folder yet: this ingest's copies start it
        build_on_first_use(built, on_wait=_waiting)


def _open_for_ingest(settings: Settings, rebuild: bool) -> Services:
    """The services; with --rebuild, an embedded store that cannot be opened is set aside and started afresh."""
    from bot.errors import StoreUnavailable
    from bot.index.store import set_aside
    from bot.services import build_services

    try:
        return opened(build_services(settings))
    except StoreUnavailable:
        if not rebuild or (moved := set_aside(settings)) is None:
            raise
        print(f"yalu: the store could not be opened; moved it to {moved} and rebuilding", file=sys.stderr)
        return opened(build_services(settings))


def _deletion_line(gone: Deletion) -> str:
    """What `--delete` did, in one line: the index record and the knowledge copy."""
    head = f"removed: {gone.article_id}" if gone.indexed else f"not indexed: {gone.article_id}"
    if gone.copy is None:
        return head
    return f"{head} (and its copy {gone.copy})" if gone.indexed else f"{head}; removed its copy {gone.copy}"


def _waiting(line: str) -> None:
    """Say why the command is not moving yet: another ingest holds the writer lock."""
    warn(line)
    sys.stderr.flush()


def _ingest_url(built: Services, url: str) -> IngestReport:
    from bot.errors import ArticleError
    from bot.ingest.ingestor import IngestReport

    try:
        return built.ingest_url(url, on_wait=_waiting)
    except ArticleError as exc:
        return IngestReport(errors=[str(exc)])


def _merge(into: IngestReport, other: IngestReport) -> None:
    """Add a second ingest's outcome (a URL's) to the report of the first."""
    for name in ("added", "updated", "repaired", "unchanged", "removed", "saved", "errors"):
        getattr(into, name).extend(getattr(other, name))
    into.chunks += other.chunks


def _print_report(report: IngestReport) -> None:
    updated = f"{len(report.updated)} updated" + (f" ({len(report.repaired)} repaired)" if report.repaired else "")
    parts = [f"{len(report.added)} added", updated, f"{len(report.unchanged)} unchanged"]
    if report.removed:
        parts.append(f"{len(report.removed)} removed")
    print(", ".join(parts) + f"; {report.chunks} chunks written")
    for path in report.saved:
        print(f"saved a copy to {path}")
    for line in report.errors:
        warn(f"skipped {line}")
