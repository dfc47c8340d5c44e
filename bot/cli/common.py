"""What every subcommand shares: the services (index built on first use), progress bars, consoles, citations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from bot.answer_model import Citation
    from bot.config import Settings
    from bot.ingest import Progress
    from bot.services import Services

    # argparse's subparser collection; its class is private, so it is named once here.
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]


def add_filters(p: argparse.ArgumentParser) -> None:
    """The --since/--until/--outlet options shared by commands that read the corpus."""
    p.add_argument("--since", help="earliest publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--until", help="latest publication date: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--outlet", help="only articles from outlets whose name contains this")


def settings() -> Settings:
    """The settings every command runs with (a bad value is one ConfigError line); a first run seeds the articles.

    The default knowledge folder (in the data dir) starts as a copy of the shipped seed articles; a folder
    named by YALU_KNOWLEDGE_DIR is used as it is.
    """
    from bot.config import load_settings
    from bot.paths import seed_knowledge

    loaded = load_settings()
    if loaded.knowledge_dir_is_default:
        seed_knowledge(loaded.knowledge_dir)
    return loaded


# The services this command opened; `yalu` closes them when the command returns (bot.cli.main).
_OPENED: list[Services] = []


def opened(built: Services) -> Services:
    """Note services to close when the command ends; returns them."""
    _OPENED.append(built)
    return built


def close_opened() -> None:
    """Close every service the command opened (the store's files and connections), newest first."""
    while _OPENED:
        _OPENED.pop().close()


def open_services(console: Console | None = None) -> Services:
    """Services from settings, with the index built from the knowledge folder on first use."""
    from bot.services import build_services

    built = opened(build_services(settings()))
    if built.store.count_articles() > 0:
        return built  # no progress bar at all: even an empty one writes to stderr
    with progress_bar(console, "Building the index from the knowledge folder") as update:
        report = built.ensure_index(update)
    if report and report.errors:
        for line in report.errors:
            print(f"yalu: skipped {line}", file=sys.stderr)
    return built


@contextmanager
def progress_bar(console: Console | None, label: str) -> Iterator[Progress]:
    """A progress bar on stderr for long work (silent when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = console or Console(stderr=True)
    if not console.is_terminal:  # rich would still print an empty line when the bar stops
        yield lambda done, total: None
        return
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(label, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def stdout() -> Console:
    """A console on stdout that does not colour numbers and dates on its own."""
    from rich.console import Console

    return Console(highlight=False)


def print_citations(console: Console, citations: Iterable[Citation]) -> None:
    """Numbered sources (outlet, date, the media it cites, title, link) each with its verbatim quote and speaker."""
    from rich.markup import escape

    from bot.provenance import quoted_person, source_label, sources

    previous = None
    for c in citations:
        head = f"[bold][{c.n}][/bold] {escape(source_label(c))}: {escape(c.title)}"
        if c.article_id == previous:
            citing = f", citing {' and '.join(sources(c))}" if sources(c) else ""
            head = f"[bold][{c.n}][/bold] [dim]same article{escape(citing)}[/dim]"
        elif c.url:
            head += f"\n    {escape(c.url)}"
        console.print(head)
        previous = c.article_id
        who = f" \u2014 {escape(person)}" if (person := quoted_person(c)) else ""
        console.print(f"    [dim]\u201c{escape(c.quote)}\u201d{who}[/dim]")
