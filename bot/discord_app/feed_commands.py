"""/feeds (admins: add, list, remove, poll), /watch and /watches: thin adapters over bot.feeds and bot.watches."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from bot.discord_app.tree import send_ephemeral
from bot.feeds import FeedBook, parse_every
from bot.feeds.state import describe_every, feed_line
from bot.watches import WatchBook

if TYPE_CHECKING:
    from bot.discord_app.host import Host  # noqa: F401 (named in the Interaction alias)

Interaction = discord.Interaction["Host"]
AnyCommand = app_commands.Command[Any, ..., None]
ADMINS = discord.Permissions(manage_guild=True)  # shown to server managers; the admin role is checked too
IN_SERVERS = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)


def admin_command(command: AnyCommand | app_commands.Group) -> None:
    """Offer a command to server managers only, and never in direct messages (Discord hides it elsewhere)."""
    command.default_permissions = ADMINS
    command.guild_only = True
    command.allowed_contexts = IN_SERVERS


def _book(interaction: Interaction) -> FeedBook:
    return FeedBook(interaction.client.settings.data_dir)


async def feeds_add(interaction: Interaction, url: str, every: str | None = None) -> None:
    """/feeds add: subscribe to an RSS or Atom feed."""
    settings = interaction.client.settings
    seconds = parse_every(every or settings.feed_every)
    feed = await asyncio.to_thread(_book(interaction).add, url, seconds, dt.datetime.now(dt.UTC))
    await send_ephemeral(
        interaction, f"Added the feed {feed.url}, polled every {describe_every(feed.every_s)}; new items are posted."
    )


async def feeds_list(interaction: Interaction) -> None:
    """/feeds list: the feeds, their interval and last poll."""
    feeds = await asyncio.to_thread(_book(interaction).feeds)
    lines = [f"{n}. {feed_line(f)}" for n, f in enumerate(feeds, 1)]
    await send_ephemeral(interaction, "\n".join(lines) or "No feeds yet: add one with /feeds add.")


async def feeds_remove(interaction: Interaction, feed: str) -> None:
    """/feeds remove: unsubscribe a feed by URL or number."""
    gone = await asyncio.to_thread(_book(interaction).remove, feed)
    await send_ephemeral(interaction, f"Removed the feed {gone.url}.")


async def feeds_poll(interaction: Interaction) -> None:
    """/feeds poll: poll every feed now, one line per feed."""
    from bot.discord_app.cogs.feeds import FeedPoller

    started = time.monotonic()
    await interaction.response.defer(thinking=True, ephemeral=True)
    poller = interaction.client.get_cog(FeedPoller.__cog_name__)
    if not isinstance(poller, FeedPoller):
        await send_ephemeral(interaction, "Feed polling is not running in this bot.")
        return
    polling = asyncio.ensure_future(poller.round(due_only=False))
    try:  # many slow feeds could outlast Discord's 15 minutes: the round goes on, the reply does not wait
        report = await asyncio.wait_for(asyncio.shield(polling), interaction.client.queue.remaining(started))
    except TimeoutError:
        await send_ephemeral(interaction, "The poll is still running; its new articles are announced as they arrive.")
        return
    await send_ephemeral(interaction, "\n".join(report.lines()) or "No feeds yet: add one with /feeds add.")


def _owner(interaction: Interaction) -> str:
    return f"discord:{interaction.user.id}"


async def watch(
    interaction: Interaction, text: str, kind: Literal["phrase", "topic"] = "phrase", dm: bool = False
) -> None:
    """/watch: be told when a new article uses a phrase, or a leader's wording on a topic changes."""
    here = None if dm or interaction.guild_id is None else interaction.channel_id
    book = WatchBook(interaction.client.settings.data_dir)
    made = await asyncio.to_thread(book.add, kind, text, _owner(interaction), here, interaction.guild_id)
    where = "here" if here else "by direct message"
    what = "uses it (or a variant)" if kind == "phrase" else "quotes a leader's new wording on it"
    line = (
        f"Watching {made.kind} \u201c{made.text}\u201d (#{made.id}): when a new article {what}, you are told {where}."
    )
    await send_ephemeral(interaction, line)


async def watches(interaction: Interaction, remove: int | None = None) -> None:
    """/watches: your watches; with `remove`, remove that one."""
    book = WatchBook(interaction.client.settings.data_dir)
    if remove is not None:
        gone = await asyncio.to_thread(book.remove, remove, _owner(interaction))
        await send_ephemeral(interaction, f"Removed watch {gone.describe()}.")
        return
    mine = await asyncio.to_thread(book.watches, _owner(interaction))
    lines = [w.describe() for w in mine]
    await send_ephemeral(interaction, "\n".join(lines) or "You watch nothing yet: /watch PHRASE or a topic.")


def feed_commands(admin_check: Any) -> list[AnyCommand | app_commands.Group]:
    """The /feeds group (server managers, no DMs, the admin role checked) and /watch, /watches."""
    group = app_commands.Group(
        name="feeds",
        description="RSS and Atom feeds whose new articles are indexed and posted (admins)",
    )
    admin_command(group)
    add = app_commands.describe(url="the feed's http(s) address", every="how often to poll it: 30m, 2h, 1d")
    remove = app_commands.describe(feed="its URL or its number in /feeds list")
    subcommands: list[tuple[str, str, Any]] = [
        ("add", "subscribe to an RSS or Atom feed", add(feeds_add)),
        ("list", "the feeds and their last poll", feeds_list),
        ("remove", "unsubscribe a feed", remove(feeds_remove)),
        ("poll", "poll every feed now", feeds_poll),
    ]
    for name, description, callback in subcommands:
        command: AnyCommand = app_commands.Command(name=name, description=description, callback=callback)
        command.add_check(admin_check)
        group.add_command(command)
    watch_command: AnyCommand = app_commands.Command(
        name="watch",
        description="be told when a new article uses a phrase or changes a leader's wording on a topic",
        callback=app_commands.describe(
            text="the phrase or topic", kind="phrase (variants too) or topic", dm="tell me by direct message"
        )(watch),
    )
    list_command: AnyCommand = app_commands.Command(
        name="watches",
        description="your watches; give remove to remove one",
        callback=app_commands.describe(remove="the number of the watch to remove")(watches),
    )
    return [group, watch_command, list_command]
