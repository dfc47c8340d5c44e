"""What every subcommand shares: the services (index built on first use), consoles, citations.

The progress bar lives in `bot.progress`, below the core, so the bench can show one too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.progress import progress_bar
from bot.safe_text import shown

if TYPE_CHECKING:
    from rich.console import Console

    from bot.answer_model import Citation
    from bot.config import Settings
    from bot.ingest.run import Notify
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
    from bot.redact import remember
    from bot.services import build_services

    loaded = settings()
    remember(loaded)
    built = opened(build_services(loaded))
    build_on_first_use(built, console)
    return built


def build_on_first_use(built: Services, console: Console | None = None, on_wait: Notify | None = None) -> None:
    """Build an empty index from the knowledge folder, with a progress bar and a line per file skipped."""
    if built.store.count_articles() > 0:
        return  # no progress bar at all: even an empty one writes to stderr
    with progress_bar(console, "Building the index from the knowledge folder") as update:
        report = built.ensure_index(update, on_wait=on_wait)
    for line in report.errors if report else []:
        warn(f"skipped {line}")


def stdout() -> Console:
    """A console on stdout that does not colour numbers and dates on its own and shows text safely.

    Every string it prints (markup, table cells, panel bodies) goes through `render_str`, so stripping
    escape sequences and secrets there covers every renderer; its own styling is added after, so stays.
    Emoji codes stay as typed: ":warning:" in an article is text, not a picture.
    """
    from rich.console import Console
    from rich.text import Text

    class SafeConsole(Console):
        def render_str(self, text: str, **kwargs: Any) -> Text:
            return super().render_str(shown(text), **kwargs)

    return SafeConsole(highlight=False, emoji=False)


def warn(line: str) -> None:
    """One `yalu: ...` line on stderr (a skipped file, a refusal), shown safely."""
    print(f"yalu: {_one_line(line)}", file=sys.stderr)


def failure_line(exc: BaseException) -> str | None:
    """The one line a failed command prints (`yalu: ` and the error, safe to show), or None for a bug."""
    from bot.failures import user_text

    text = user_text(exc)
    return None if text is None else f"yalu: {_one_line(text)}"


def bug_report(exc: BaseException) -> str:
    """An unexpected error's traceback, as Python would print it, with secrets redacted."""
    import traceback

    from bot.redact import redact

    return redact("".join(traceback.format_exception(exc))).rstrip()


def _one_line(text: str, limit: int = 500) -> str:
    # Another server's error page can be quoted whole inside an error: keep one readable line of it.
    flat = " ".join(shown(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


def print_json(data: Any, **options: Any) -> None:
    """One JSON document on stdout, secrets redacted (JSON escapes control characters itself)."""
    from bot.redact import redact

    print(redact(json.dumps(data, ensure_ascii=False, **options)), flush=True)


def guard_output() -> None:
    """Redact the configured secrets from every line printed or logged by this process from now on."""
    from contextlib import suppress

    from pydantic import ValidationError

    from bot.config import Settings
    from bot.redact import install_log_redaction, remember

    install_log_redaction()
    # An invalid or unreadable setting is the command's to report; the shapes of keys are still redacted.
    with suppress(ValidationError, OSError, ValueError):
        remember(Settings())


def print_citations(console: Console, citations: Iterable[Citation]) -> None:
    """Numbered sources (outlet, date, the media it cites, title, link) each with its verbatim quote and speaker."""
    from rich.markup import escape

    from bot.analysis.provenance import quoted_person, source_label, sources

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
