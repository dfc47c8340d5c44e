"""A progress bar on stderr for long work: ingests, index builds, benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from bot.ingest.ingestor import Progress


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
