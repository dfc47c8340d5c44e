"""The slash commands: each defers, runs its entry of the shared command table in the core thread, renders.

Names, descriptions and option help come from `bot.chat_commands.COMMANDS`, the table `yalu chat` uses.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.chat_commands import COMMANDS, Call
from bot.discord_app.guards import has_role
from bot.discord_app.messaging import send_to_interaction
from bot.discord_app.render import shorten
from bot.discord_app.tree import NotAdmin
from bot.errors import BadQuestion

if TYPE_CHECKING:
    from bot.discord_app.host import Host

Interaction = discord.Interaction["Host"]
MAX_UPLOAD_BYTES = 2_000_000  # an article file; anything larger is not an article


async def run(interaction: Interaction, name: str, args: dict[str, Any], ephemeral: bool = False) -> None:
    """Defer, run the command of the table in the core thread (within the queue's bounds), post its reply.

    The reply is private when asked (`ephemeral`) or when the table marks the command `private`.
    """
    started = time.monotonic()
    ephemeral = ephemeral or COMMANDS[name].private
    if not interaction.response.is_done():  # Discord wants an acknowledgement within 3 s
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
    bot = interaction.client
    noticed = False

    async def on_queued(ahead: int) -> None:
        nonlocal noticed
        noticed = True
        await interaction.edit_original_response(content=f"Queued: {ahead} ahead of you\u2026")

    who = (interaction.user.id, interaction.guild_id)
    reply = await bot.queued(who, started, on_queued, COMMANDS[name].run, bot.services, Call(args))
    await send_to_interaction(interaction, reply, ephemeral)
    if noticed:
        with contextlib.suppress(discord.HTTPException):  # the "Queued" line has done its job
            await interaction.delete_original_response()
    if reply.added:
        await bot.announce_new_articles()


async def ask(
    interaction: Interaction,
    question: str,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
    private: bool = False,
) -> None:
    """/ask: a cited answer, public unless `private`."""
    args = {"question": question, "since": since, "until": until, "outlet": outlet}
    await run(interaction, "ask", args, ephemeral=private)


async def brief(
    interaction: Interaction, date: str | None = None, days: app_commands.Range[int, 1, 366] | None = None
) -> None:
    """/brief: a cited briefing on a day or month, or on the last days."""
    await run(interaction, "brief", {"date": date, "days": days})


async def summarize(interaction: Interaction, article: str) -> None:
    """/summarize: one article's headline, cited bullets and key quotes."""
    await run(interaction, "summarize", {"article": article})


async def article_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for /summarize: articles whose title (or id) contains what was typed, newest first."""
    typed = current.casefold().strip()
    articles = await interaction.client.articles()
    found = [a for a in articles if typed in a.title.casefold() or typed in a.id] if typed else articles
    found.sort(key=lambda a: (a.published.isoformat() if a.published else "", a.id), reverse=True)
    return [
        app_commands.Choice(name=shorten(f"{a.title} ({a.published or 'undated'})", 100), value=a.id)
        for a in found
        if len(a.id) <= 100  # Discord's limit for a choice value
    ][:25]


async def accounts(interaction: Interaction, event: str) -> None:
    """/accounts: every report of one exchange side by side, and where they differ."""
    await run(interaction, "accounts", {"event": event})


async def sources(interaction: Interaction) -> None:
    """/sources: the indexed articles."""
    await run(interaction, "sources", {})


async def timeline(
    interaction: Interaction, topic: str | None = None, since: str | None = None, until: str | None = None
) -> None:
    """/timeline: the dated exchanges with their sources, and the chart attached."""
    await run(interaction, "timeline", {"topic": topic, "since": since, "until": until})


async def trace(interaction: Interaction, phrase: str, since: str | None = None, until: str | None = None) -> None:
    """/trace: every use of a phrase and its variants, in date order, cited."""
    await run(interaction, "trace", {"phrase": phrase, "since": since, "until": until})


async def compare(interaction: Interaction, a: str, b: str) -> None:
    """/compare: the phrases one article or period uses and the other does not, cited."""
    await run(interaction, "compare", {"a": a, "b": b})


async def quotes(
    interaction: Interaction,
    speaker: str | None = None,
    topic: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> None:
    """/quotes: the attributed quotes, verbatim, by speaker and topic."""
    await run(interaction, "quotes", {"speaker": speaker, "topic": topic, "since": since, "until": until})


async def search(
    interaction: Interaction,
    query: str,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
) -> None:
    """/search: the passages that match best, numbered and cited, without an answer."""
    await run(interaction, "search", {"query": query, "since": since, "until": until, "outlet": outlet})


DISCORD_TIP = (
    "Mention @Yalu with a question to get an answer in a thread of its own; in that thread, just write a "
    "follow-up such as \u201cand in 2023?\u201d or \u201cwhat about Kim?\u201d (a \u201cthanks\u201d gets a "
    "\U0001f44d). Under a /ask answer, Follow up opens such a thread, and a private answer can be posted "
    "to the channel. Options in [brackets] are optional; /add and /feeds are for server managers."
)


async def evaluate(interaction: Interaction, file: discord.Attachment) -> None:
    """/eval: score the answers to an attached gold file (admins, privately), as `yalu eval` does."""
    _check_size(file, "a gold file")
    await interaction.response.defer(thinking=True, ephemeral=True)
    with tempfile.TemporaryDirectory(prefix="yalu-eval-") as folder:
        await run(interaction, "eval", {"file": await _saved(file, Path(folder), "gold.jsonl")})


async def feedback(interaction: Interaction) -> None:
    """/feedback: the votes on answers and the latest answers voted down (admins, privately)."""
    await run(interaction, "feedback", {})


async def bench(
    interaction: Interaction,
    simulate: app_commands.Range[int, 1] | None = None,
    articles: app_commands.Range[int, 1] | None = None,
    rounds: app_commands.Range[int, 1, 10] | None = None,
) -> None:
    """/bench: the benchmark on a synthetic index (admins, privately); the core refuses sizes Discord
    cannot wait for, naming the terminal command instead."""
    await run(interaction, "bench", {"simulate": simulate, "articles": articles, "rounds": rounds})


async def help_command(interaction: Interaction) -> None:
    """/help: the commands as Discord shows them (/ask question: [since:] ...), and how threads work."""
    from bot.present.replies import help_reply

    await interaction.response.defer(thinking=True, ephemeral=True)
    rows = [row for command in interaction.client.tree.get_commands() for row in discord_usage(command)]
    await send_to_interaction(interaction, help_reply(rows, DISCORD_TIP), ephemeral=True)


def discord_usage(command: Any) -> list[tuple[str, str]]:
    """(usage, description) of a slash command, or of each subcommand of a group: `/feeds add url: [every:]`."""
    if isinstance(command, app_commands.Group):
        return [(f"/{command.name} {u[1:]}", d) for sub in command.commands for u, d in discord_usage(sub)]
    options = " ".join(f"{p.name}:" if p.required else f"[{p.name}:]" for p in command.parameters)
    return [(f"/{command.name} {options}".rstrip(), command.description)]


def admin_only(interaction: discord.Interaction[Any]) -> bool:
    """The check of the table's admin commands: the user has the admin role (DISCORD_ADMIN_ROLE, a name or an id)."""
    wanted = cast("Host", interaction.client).settings.discord_admin_role
    roles = interaction.user.roles if isinstance(interaction.user, discord.Member) else []
    if has_role(((r.id, r.name) for r in roles), wanted):
        return True
    name = interaction.command.qualified_name if interaction.command else "this command"
    raise NotAdmin(f"Only members with the \u201c{wanted}\u201d role can use /{name}.")


async def add(interaction: Interaction, file: discord.Attachment | None = None, url: str | None = None) -> None:
    """/add: index an attached article file (admins only); its summary is then posted as a new article."""
    if file is not None:
        _check_size(file, "an article file")
    await interaction.response.defer(thinking=True)  # before the download, which may take a while
    with tempfile.TemporaryDirectory(prefix="yalu-add-") as folder:
        path = await _saved(file, Path(folder), "article.txt") if file is not None else None
        await run(interaction, "add", {"file": path, "url": url})


def _check_size(file: discord.Attachment, what: str) -> None:
    """An attachment larger than MAX_UPLOAD_BYTES is refused in one line, before it is downloaded."""
    if file.size > MAX_UPLOAD_BYTES:
        raise BadQuestion(f"{file.filename} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB: not {what}")


async def _saved(file: discord.Attachment, folder: Path, default: str) -> Path:
    """Download an attachment into `folder` under its own name made safe (`default` if nothing is left)."""
    path = folder / (re.sub(r"[^\w.\-]", "_", Path(file.filename).name) or default)
    await file.save(path)
    return path


def _command(callback: Any, name: str) -> app_commands.Command[Any, ..., None]:
    """A slash command whose description and option help come from the shared table."""
    entry = COMMANDS[name]
    described = app_commands.describe(**{o.name: o.help for o in entry.options})(callback)
    return app_commands.Command(name=name, description=entry.help, callback=described)


def slash_commands() -> list[app_commands.Command[Any, ..., None] | app_commands.Group]:
    """Fresh command objects for one bot's tree: ask, brief, summarize, accounts, sources, timeline, trace,
    compare, quotes, search, add, eval, feedback, bench, help, and /feeds, /watch, /watches; the table's `admin`
    commands are offered to server managers only and check the admin role."""
    from bot.discord_app.feed_commands import admin_command, feed_commands

    made = [
        _command(ask, "ask"),
        _command(brief, "brief"),
        _command(summarize, "summarize"),
        _command(accounts, "accounts"),
        _command(sources, "sources"),
        _command(timeline, "timeline"),
        _command(trace, "trace"),
        _command(compare, "compare"),
        _command(quotes, "quotes"),
        _command(search, "search"),
        _command(add, "add"),
        _command(evaluate, "eval"),
        _command(feedback, "feedback"),
        _command(bench, "bench"),
        _command(help_command, "help"),
    ]
    by_name = {c.name: c for c in made}
    by_name["summarize"].autocomplete("article")(article_choices)
    for command in made:
        if COMMANDS[command.name].admin:  # the table's policy, not a list of names here
            command.add_check(admin_only)
            admin_command(command)
    return [*made, *feed_commands(admin_only)]
