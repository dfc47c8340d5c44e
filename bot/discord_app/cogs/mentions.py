"""`@Yalu question` answers in a new thread; later messages in that thread are follow-ups.

A follow-up is read with the thread's earlier turns (`bot.conversation.fold`): "and in 2023?"
becomes the previous question with the new date before anything is retrieved. The turns are
read back from the thread itself, so a restart loses no context.
"""

from __future__ import annotations

import logging
import math
import re
import time
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.chat_commands import ask_query, query_of
from bot.conversation import Query, asks_something, merge
from bot.discord_app.components import SEED, lacking
from bot.discord_app.guards import allowed_place
from bot.discord_app.messaging import send_to_channel
from bot.discord_app.render import NO_PINGS, shorten
from bot.discord_app.tree import channel_ids, user_message
from bot.errors import YaluError

if TYPE_CHECKING:
    from bot.discord_app.host import Host

log = logging.getLogger(__name__)
HOW_TO = (
    "Ask me after the mention, e.g. \u201c@Yalu What did Xi write to Kim in 2023?\u201d"
    " \u2014 /help lists the commands."
)
_HISTORY = 100  # thread messages read back as context
ACKNOWLEDGED = "\N{THUMBS UP SIGN}"


def without_mentions(text: str) -> str:
    """The message text without user, role and channel mentions."""
    return re.sub(r"<[@#][!&]?\d+>", " ", text).strip()


class Mentions(commands.Cog):
    """Answers mentions in a thread of their own, and follow-ups in the threads it opened."""

    def __init__(self, bot: Host) -> None:
        """Listen on behalf of `bot`."""
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A mention starts a thread; a message in one of the bot's threads continues it."""
        me = self.bot.user
        if me is None or message.author.bot:
            return
        guild_id = message.guild.id if message.guild else None
        if not allowed_place(self.bot.settings, guild_id, channel_ids(message.channel)):
            return
        channel = message.channel
        follow_up = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        if not follow_up and me.id not in message.raw_mentions:
            return
        try:
            await self._answer(message, follow_up)
        except Exception as exc:  # every failure reaches the user as one line (and the log in full)
            try:
                await channel.send(user_message(exc), allowed_mentions=NO_PINGS)
            except discord.Forbidden:  # not even the error can be posted: the log names what is missing
                log.warning("cannot post in channel %s (Send Messages missing?): %s", channel.id, user_message(exc))

    async def _answer(self, message: discord.Message, follow_up: bool) -> None:
        started = time.monotonic()
        texts = await self._turns(message) if follow_up else [message.content]
        outlets = sorted({a.outlet for a in await self.bot.articles() if a.outlet})
        earlier = self._context(texts[:-1], outlets)
        text = without_mentions(message.content)
        if text and not asks_something(text, earlier, outlets):
            await self._acknowledge(message)  # "thanks!", "ok": a reaction, not an answer
            return
        wait = self.bot.cooldown.retry_after(message.author.id)
        if wait:
            text = f"One moment: you can ask again in {math.ceil(wait)} s."
            await message.channel.send(text, delete_after=15, allowed_mentions=NO_PINGS)
            return
        turn = self._turn(message.content)
        query = merge(turn, earlier, outlets) if turn is not None else None
        if query is None:
            await message.channel.send(HOW_TO, allowed_mentions=NO_PINGS)
            return
        target = message.channel if follow_up else await self._thread_for(message, query)

        async def on_queued(ahead: int) -> None:
            await target.send(f"Queued: {ahead} ahead of you\u2026", delete_after=60, allowed_mentions=NO_PINGS)

        who = (message.author.id, message.guild.id if message.guild else None)
        async with target.typing():
            reply = await self.bot.queued(who, started, on_queued, ask_query, self.bot.services, query)
        await send_to_channel(self.bot, target, reply)

    @staticmethod
    async def _acknowledge(message: discord.Message) -> None:
        """React to an acknowledgement; without Add Reactions permission, stay quiet rather than answer."""
        try:
            await message.add_reaction(ACKNOWLEDGED)
        except discord.HTTPException as exc:
            log.info("could not react to message %s: %s", message.id, exc)

    @classmethod
    def _context(cls, texts: list[str], outlets: list[str]) -> Query | None:
        """The standalone query the earlier turns add up to; acknowledgements among them add nothing."""
        current: Query | None = None
        for text in texts:
            turn = cls._turn(text)
            if turn is not None and asks_something(without_mentions(text), current, outlets):
                current = merge(turn, current, outlets)
        return current

    @staticmethod
    def _turn(text: str) -> Query | None:
        """The query a message asks, or None for a message with no question in it."""
        words = without_mentions(text)
        if not words:
            return None
        try:
            return query_of(words)
        except YaluError:
            return None  # an earlier malformed turn ("--since" with no date) adds no context

    async def _turns(self, message: discord.Message) -> list[str]:
        """The user turns of the bot's thread, oldest first: the message that opened it, then the replies."""
        thread = message.channel
        assert isinstance(thread, discord.Thread)
        texts = []
        starter = thread.starter_message
        if starter is None and isinstance(thread.parent, discord.TextChannel):
            try:
                starter = await thread.parent.fetch_message(thread.id)
            except discord.HTTPException:
                log.info("the message that opened thread %s is gone", thread.id)
        if starter is not None:
            texts.append(starter.content)
        earlier = [m async for m in thread.history(limit=_HISTORY, before=message)]
        for m in reversed(earlier):
            if not m.author.bot:
                texts.append(m.content)
            elif m.content.startswith(SEED):  # a thread opened by Follow up: its question is the first turn
                texts.append(m.content[len(SEED) :])
        return [*texts, message.content]

    @staticmethod
    async def _thread_for(message: discord.Message, query: Query) -> discord.abc.Messageable:
        """A new thread on the message in a text channel; elsewhere (a thread, a forum post) the channel itself."""
        if isinstance(message.channel, discord.TextChannel):
            try:
                return await message.create_thread(name=shorten(query.question, 100), auto_archive_duration=1440)
            except discord.Forbidden:
                raise lacking("Create Public Threads", message.channel) from None
        return message.channel
