"""The terminal's renderer of a Reply (`bot.present`): what `yalu chat`, `yalu summarize`, `yalu brief` and
`yalu feedback` print, so that they show what /summarize, /brief and /feedback show in Discord."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import print_citations

if TYPE_CHECKING:
    from rich.console import Console

    from bot.present.reply import Reply

_STYLES = {"ok": "bold green", "notice": "bold yellow", "error": "bold red"}


def print_reply(console: Console, reply: Reply, charts: Path) -> None:
    """A reply for the terminal: title, blocks, the numbered sources with their quotes, and where its chart
    was saved (in `charts`)."""
    from rich.markup import escape

    console.print(f"\n[{_STYLES[reply.tone]}]{escape(reply.title)}[/]")
    for block in reply.blocks:
        if block.heading:
            console.print(f"\n[bold]{escape(block.heading)}[/bold]")
        console.print(escape(block.text))
    if reply.note:
        console.print(f"[dim]{escape(reply.note)}[/dim]")
    if reply.citations:
        console.print()
        print_citations(console, reply.citations)
    if reply.picture:
        console.print(f"chart saved to {escape(str(save_picture(reply.picture, charts)))}")


def save_picture(picture: tuple[str, bytes], folder: Path) -> Path:
    """Write a reply's chart into `folder`, under a name no earlier chart has."""
    import datetime as dt

    from bot.atomic import atomic_write

    name, data = picture
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"{Path(name).stem}-{stamp}{Path(name).suffix}"
    atomic_write(path, data)
    return path
