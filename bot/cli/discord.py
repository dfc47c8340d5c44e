"""`yalu bot`, `yalu chat` and `yalu feedback`: the Discord bot, the same commands in a terminal, the votes.

discord.py is imported only by `yalu bot`, lazily, so the other commands start fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import open_services, settings, stdout
from bot.cli.present import print_reply

if TYPE_CHECKING:
    from rich.console import Console

    from bot.cli.common import Subcommands

NO_TOKEN = (
    "DISCORD_TOKEN is not set: add the bot token to .env (README, \u201cRun it in your server\u201d), "
    "or try the same commands offline with `yalu chat`"
)
WELCOME = (
    "Yalu chat \u2014 the commands of the Discord bot, in a terminal. Type a question, or /help; "
    "a follow-up such as \u201cand in 2023?\u201d keeps the context. /quit (or Ctrl-D) leaves."
)


def register(sub: Subcommands) -> None:
    """Add the `bot`, `chat` and `feedback` subcommands."""
    bot = sub.add_parser("bot", help="run the Discord bot (needs DISCORD_TOKEN)")
    bot.set_defaults(run=cmd_bot)

    chat = sub.add_parser("chat", help="the bot's commands in a terminal session, no Discord needed")
    chat.set_defaults(run=cmd_chat)

    feedback = sub.add_parser("feedback", help="the \U0001f44d/\U0001f44e votes given on answers in Discord")
    feedback.add_argument(
        "--export", nargs="?", const="-", metavar="FILE", help="write the votes as JSON lines to FILE (default: stdout)"
    )
    feedback.set_defaults(run=cmd_feedback)


def cmd_bot(args: argparse.Namespace) -> int:
    """`yalu bot`: connect to Discord and serve until stopped."""
    from bot.errors import ConfigError

    token = settings().discord_token
    if token is None or not token.get_secret_value().strip():
        raise ConfigError(NO_TOKEN)
    from bot.discord_app import create_bot, run_bot

    bot = create_bot(open_services())
    logging.getLogger("bot").setLevel(logging.INFO)  # a service: its connections and posts belong in the log
    print("yalu: connecting to Discord (Ctrl-C stops the bot)", file=sys.stderr)
    run_bot(bot, token.get_secret_value())
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """`yalu chat`: read lines until /quit or end of input, answer each like the Discord bot would."""
    from bot.chat_commands import ChatSession

    console = stdout()
    services = open_services()
    session = ChatSession(services)
    charts = services.settings.data_dir / "charts"
    console.print(WELCOME)
    for line in _lines(console):
        if line.strip().lower() in ("/quit", "/exit"):
            break
        if line.strip():
            print_reply(console, session.handle(line), charts)
    return 0


def _lines(console: Console) -> Iterator[str]:
    while True:
        try:
            yield console.input("\n[bold]you>[/bold] ")
        except EOFError:
            return


def cmd_feedback(args: argparse.Namespace) -> int:
    """`yalu feedback`: count the votes, or export them (question, answer, citations, vote) as JSONL."""
    from bot.feedback import FeedbackStore
    from bot.present.replies import feedback_reply

    data_dir = settings().data_dir
    store = FeedbackStore.in_data_dir(data_dir)
    if args.export is None:  # the reply /feedback gives in Discord and yalu chat
        print_reply(stdout(), feedback_reply(list(store.votes())), data_dir / "charts")
        return 0
    if args.export == "-":
        store.export(sys.stdout)
        return 0
    with Path(args.export).open("w", encoding="utf-8") as out:
        count = store.export(out)
    print(f"wrote {count} votes to {args.export}", file=sys.stderr)
    return 0
