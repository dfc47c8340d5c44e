"""Buttons under a reply: the verbatim quotes on demand, 👍/👎 feedback on answers, a follow-up thread for an
/ask answer, and "Post to channel" for a private one.

They are dynamic items whose custom id carries the stored reply's id, so they keep working
after a restart without any view being kept in memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import re
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.discord_app.messaging import send_to_channel
from bot.discord_app.render import NO_PINGS, pack, quote_embeds, shorten
from bot.errors import MissingPermission

if TYPE_CHECKING:
    from bot.discord_app.host import Host
    from bot.feedback import StoredReply, Vote
    from bot.present.reply import Reply

Button = discord.ui.Button[discord.ui.View]
GONE = "That reply is no longer on record."


SEED = "Follow-ups here continue the question: "  # the first line of a follow-up thread; its question is context


Callback = Callable[[Any, discord.Interaction[Any]], Coroutine[Any, Any, None]]


def answers_errors(callback: Callback) -> Callback:
    """A button callback whose every failure reaches the user as one private line (and the log, if a bug)."""

    @functools.wraps(callback)
    async def guarded(self: Any, interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(self, interaction)
        except Exception as exc:
            from bot.discord_app.tree import send_ephemeral, user_message

            await send_ephemeral(interaction, user_message(exc))

    return guarded


def reply_view(reply_id: int, votes: bool, follow_up: bool = False, share: bool = False) -> discord.ui.View:
    """The buttons under a stored reply: quotes, votes for answers, Follow up and Post to channel when asked."""
    view = discord.ui.View(timeout=None)
    view.add_item(QuotesButton(reply_id))
    if votes:
        view.add_item(VoteButton(reply_id, "up"))
        view.add_item(VoteButton(reply_id, "down"))
    if follow_up:
        view.add_item(FollowUpButton(reply_id))
    if share:
        view.add_item(ShareButton(reply_id))
    return view


def needs(permission: str, channel: Any) -> str:
    """The line that names a missing permission: "I need the Create Public Threads permission in #news; ..."."""
    where = getattr(channel, "mention", None) or "this channel"
    return f"I need the {permission} permission in {where}; a server manager can grant it to Yalu's role."


def lacking(permission: str, channel: Any) -> MissingPermission:
    """The typed error for a missing permission, as `needs` words it."""
    return MissingPermission(needs(permission, channel))


class FollowUpButton(discord.ui.DynamicItem[Button], template=r"yalu:followup:(?P<id>[0-9]+)"):
    """Opens a thread on the answer, seeded with its question, where follow-ups are read in its context."""

    def __init__(self, reply_id: int) -> None:
        """A button for the stored answer `reply_id`."""
        super().__init__(
            discord.ui.Button(
                label="Follow up",
                emoji="\N{SPOOL OF THREAD}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"yalu:followup:{reply_id}",
            )
        )
        self.reply_id = reply_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FollowUpButton:
        """Rebuild the button from a click on a posted message."""
        return cls(int(match["id"]))

    @answers_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the thread (or name the permission Yalu lacks), seed it, and point the user to it."""
        bot = cast("Host", interaction.client)
        stored = await asyncio.to_thread(bot.feedback.reply, self.reply_id)
        message, channel = interaction.message, interaction.channel
        if stored is None or not stored.question or message is None:
            await _private(interaction, GONE)
            return
        if not isinstance(channel, discord.TextChannel):
            await _private(interaction, "Follow-ups open in a thread of a text channel: reply in this one instead.")
            return
        try:
            thread = await message.create_thread(name=shorten(stored.question, 100), auto_archive_duration=1440)
            await thread.send(f"{SEED}{stored.question}", allowed_mentions=NO_PINGS)
        except discord.Forbidden:
            await _private(interaction, needs("Create Public Threads", channel))
            return
        await _private(interaction, f"Ask your follow-up in {thread.mention}: it is read with this question.")


class ShareButton(discord.ui.DynamicItem[Button], template=r"yalu:share:(?P<id>[0-9]+)"):
    """Posts a private answer to the channel, as it was answered, with its sources."""

    def __init__(self, reply_id: int) -> None:
        """A button for the stored answer `reply_id`."""
        super().__init__(
            discord.ui.Button(
                label="Post to channel",
                emoji="\N{OPEN MAILBOX WITH RAISED FLAG}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"yalu:share:{reply_id}",
            )
        )
        self.reply_id = reply_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShareButton:
        """Rebuild the button from a click on a posted message."""
        return cls(int(match["id"]))

    @answers_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Post the stored answer where the user asked it (or name the permission Yalu lacks)."""
        bot = cast("Host", interaction.client)
        stored = await asyncio.to_thread(bot.feedback.reply, self.reply_id)
        channel = interaction.channel
        if stored is None or not isinstance(channel, discord.abc.Messageable):
            await _private(interaction, GONE)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await send_to_channel(bot, channel, stored_reply(stored), shared_by=interaction.user.id)
        except discord.Forbidden:
            await _private(interaction, needs("Send Messages and Embed Links", channel))
            return
        await _private(interaction, "Posted to the channel.")


def stored_reply(stored: StoredReply) -> Reply:
    """A stored answer as a reply again: its question, its text with [n] markers, its citations."""
    from bot.answer_model import Citation
    from bot.present.reply import Block, Reply

    citations = []
    for data in stored.citations:
        fields = {k: v for k, v in data.items() if k in Citation.__dataclass_fields__}
        published = fields.get("published")
        fields["published"] = dt.date.fromisoformat(published) if isinstance(published, str) else None
        fields["via"] = tuple(fields.get("via") or ())
        citations.append(Citation(**fields))
    title = stored.question or "Answer"
    return Reply(stored.kind, title, [Block(stored.answer)], citations, question=stored.question)


async def _private(interaction: discord.Interaction[Any], text: str) -> None:
    from bot.discord_app.tree import send_ephemeral

    await send_ephemeral(interaction, text)


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

    @answers_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Reply ephemerally with the quotes, split across messages if they are long."""
        bot = cast("Host", interaction.client)
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

    @answers_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the vote (a second click replaces the first) and thank the user privately."""
        bot = cast("Host", interaction.client)
        stored = await asyncio.to_thread(bot.feedback.vote, self.reply_id, str(interaction.user.id), self.vote)
        text = "Thanks, your vote was recorded." if stored else GONE
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
