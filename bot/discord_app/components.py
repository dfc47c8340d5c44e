"""Buttons under a reply: the verbatim quotes on demand, and 👍/👎 feedback on answers.

They are dynamic items whose custom id carries the stored reply's id, so they keep working
after a restart without any view being kept in memory.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.discord_app.render import NO_PINGS, pack, quote_embeds

if TYPE_CHECKING:
    from bot.discord_app.client import YaluBot
    from bot.feedback import Vote

Button = discord.ui.Button[discord.ui.View]
GONE = "That reply is no longer on record."


def reply_view(reply_id: int, votes: bool) -> discord.ui.View:
    """The buttons under a stored reply: quotes, and votes for answers."""
    view = discord.ui.View(timeout=None)
    view.add_item(QuotesButton(reply_id))
    if votes:
        view.add_item(VoteButton(reply_id, "up"))
        view.add_item(VoteButton(reply_id, "down"))
    return view


class QuotesButton(discord.ui.DynamicItem[Button], template=r"yalu:quotes:(?P<id>[0-9]+)"):
    """Shows the user (alone) the verbatim quote behind each [n] of a reply."""

    def __init__(self, reply_id: int) -> None:
        """A button for the stored reply `reply_id`."""
        super().__init__(
            discord.ui.Button(
                label="Quotes",
                emoji="\N{SPEECH BALLOON}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"yalu:quotes:{reply_id}",
            )
        )
        self.reply_id = reply_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QuotesButton:
        """Rebuild the button from a click on a posted message."""
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Reply ephemerally with the quotes, split across messages if they are long."""
        bot = cast("YaluBot", interaction.client)
        stored = await asyncio.to_thread(bot.feedback.reply, self.reply_id)
        if stored is None:
            await interaction.response.send_message(GONE, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        posts = pack(quote_embeds(stored.citations))
        await interaction.response.send_message(embeds=posts[0].embeds, ephemeral=True, allowed_mentions=NO_PINGS)
        for post in posts[1:]:
            await interaction.followup.send(embeds=post.embeds, ephemeral=True, allowed_mentions=NO_PINGS)


class VoteButton(discord.ui.DynamicItem[Button], template=r"yalu:vote:(?P<vote>up|down):(?P<id>[0-9]+)"):
    """Stores a 👍 or 👎 on an answer, with its question and citations, for `yalu feedback --export`."""

    def __init__(self, reply_id: int, vote: Vote) -> None:
        """A vote button for the stored answer `reply_id`."""
        emoji = "\N{THUMBS UP SIGN}" if vote == "up" else "\N{THUMBS DOWN SIGN}"
        super().__init__(
            discord.ui.Button(
                emoji=emoji, style=discord.ButtonStyle.secondary, custom_id=f"yalu:vote:{vote}:{reply_id}"
            )
        )
        self.reply_id = reply_id
        self.vote: Vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        """Rebuild the button from a click on a posted message."""
        return cls(int(match["id"]), "up" if match["vote"] == "up" else "down")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the vote (a second click replaces the first) and thank the user privately."""
        bot = cast("YaluBot", interaction.client)
        stored = await asyncio.to_thread(bot.feedback.vote, self.reply_id, str(interaction.user.id), self.vote)
        text = "Thanks, your vote was recorded." if stored else GONE
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
