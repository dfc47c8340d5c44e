"""The slash-command tree: allowed places and the per-user cooldown before a command, errors after one."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.chat_commands import COMMANDS
from bot.discord_app.guards import allowed_place
from bot.discord_app.render import NO_PINGS, shorten
from bot.failures import user_text
from bot.safe_text import shown

if TYPE_CHECKING:
    from bot.discord_app.host import Host

log = logging.getLogger(__name__)
UNEXPECTED = "Something went wrong on Yalu's side; the error was logged. Please try again."


class NotAdmin(app_commands.CheckFailure):
    """The user lacks the admin role a command needs."""


def channel_ids(channel: Any) -> list[int]:
    """The channel's id, and its parent's for a thread (allow-lists name channels, not threads)."""
    ids = [channel.id] if channel is not None else []
    parent = getattr(channel, "parent_id", None)
    return [*ids, parent] if isinstance(parent, int) else ids


class YaluTree(app_commands.CommandTree["Host"]):
    """Checks every interaction against the allow-lists and cooldown; turns failures into short messages."""

    async def interaction_check(self, interaction: discord.Interaction[Host], /) -> bool:
        """Refuse other guilds and channels; slow commands respect the per-user cooldown."""
        bot = interaction.client
        answering = interaction.type is discord.InteractionType.application_command
        if not allowed_place(bot.settings, interaction.guild_id, channel_ids(interaction.channel)):
            if answering:
                await send_ephemeral(interaction, "Yalu does not answer in this channel.")
            return False
        # qualified: "/feeds add" is not the table's "add"
        command = COMMANDS.get(interaction.command.qualified_name) if interaction.command else None
        if answering and command and command.slow:
            wait = bot.cooldown.retry_after(interaction.user.id)
            if wait:
                await send_ephemeral(
                    interaction, f"One moment: you can use /{command.name} again in {math.ceil(wait)} s."
                )
                return False
        return True

    async def on_error(self, interaction: discord.Interaction[Host], error: app_commands.AppCommandError, /) -> None:
        """A domain error or refused check as one ephemeral line; anything else logged in full."""
        await send_ephemeral(interaction, user_message(error))


def user_message(error: BaseException) -> str:
    """The line a user sees for an error; unexpected errors are logged with their traceback."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if (text := user_text(original)) is not None:
        return shown(text)
    if isinstance(original, discord.Forbidden):  # retrying cannot help: say what to grant
        return (
            "Discord refused me a permission here (" + shown(original.text or "Missing Permissions") + "): Yalu's role "
            "needs View Channel, Send Messages, Embed Links, Create Public Threads and Send Messages in Threads."
        )
    if isinstance(original, app_commands.CheckFailure):
        return shown(str(original)) or "You cannot use this command here."
    log.error("command failed", exc_info=original)
    return UNEXPECTED


async def send_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Show a short message to the user alone, whether or not the interaction was answered yet."""
    text = shorten(shown(text), 2000)  # an error can quote another server's reply: never a secret or escape
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        return
    try:
        # After a public deferral the first follow-up would replace the "thinking…" message in public.
        await interaction.delete_original_response()
    except discord.HTTPException:
        log.debug("no original response to delete")
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
