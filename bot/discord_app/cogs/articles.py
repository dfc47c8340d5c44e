"""New articles: each one ingested (by /add, or by `yalu ingest` in another process) is announced once.

A light periodic read of the registry notices articles added by another process: the bot's cached
views of the index are dropped, and the summary of each article not yet announced is posted to
ARTICLES_CHANNEL_ID. Announced ids are persisted, so a restart never announces an article twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.discord_app.messaging import send_to_channel
from bot.discord_app.schedule import announced, record_announced
from bot.errors import YaluError
from bot.present.replies import summary_reply
from bot.present.reply import Block, Reply

if TYPE_CHECKING:
    from bot.discord_app.host import Host
    from bot.index.registry import Registry
    from bot.index.store import ArticleInfo

log = logging.getLogger(__name__)
PER_CHECK = 10  # a bulk ingest is announced over several checks rather than in one burst


class ArticleWatcher(commands.Cog):
    """Watches the registry; announces new articles when ARTICLES_CHANNEL_ID is set."""

    def __init__(self, bot: Host) -> None:
        """Check every ARTICLES_CHECK_S seconds."""
        self.bot = bot
        self._lock = asyncio.Lock()
        self._seen: frozenset[tuple[str, str]] | None = None
        self.poll.change_interval(seconds=bot.settings.articles_check_s)

    async def cog_load(self) -> None:
        """On the first run, count what is already indexed as announced; then start watching."""
        data_dir = self.bot.settings.data_dir
        if self.bot.settings.articles_channel_id and await asyncio.to_thread(announced, data_dir) is None:
            ids = {a.id for a in await self.bot.articles(max_age=0)}
            await asyncio.to_thread(record_announced, data_dir, ids)
        self.bot.on_new_articles(self.check)  # an /add or a feed poll announces at once
        self.poll.start()

    async def cog_unload(self) -> None:
        """Stop watching."""
        self.bot.forget_new_articles(self.check)
        self.poll.cancel()

    @tasks.loop(seconds=60)  # replaced by ARTICLES_CHECK_S in __init__
    async def poll(self) -> None:
        """One check; a failure is logged and the next check tries again."""
        try:
            await self.check()
        except Exception:
            log.exception("checking for new articles failed")

    @poll.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def check(self) -> list[str]:
        """Notice changes to the index and announce articles not announced yet; returns the ids posted."""
        async with self._lock:
            # The registry's columns: no article record is made unless it is to be announced.
            registry = await asyncio.to_thread(self.bot.services.registry)
            signature = frozenset(registry.hashes().items())
            if signature != self._seen:
                # Another process may have ingested: drop the answerer's cached registry and indexes.
                await self.bot.core(self.bot.services.refresh)
                self._seen = signature
            return await self._announce(registry)

    async def _announce(self, registry: Registry) -> list[str]:
        channel_id = self.bot.settings.articles_channel_id
        data_dir = self.bot.settings.data_dir
        if not channel_id:
            return []
        done = await asyncio.to_thread(announced, data_dir) or set()
        unseen = [registry[a] for a in registry if a not in done]
        fresh = sorted(unseen, key=lambda a: (a.ingested_at, a.id))[:PER_CHECK]
        if not fresh:
            return []
        channel = await self.bot.text_channel(channel_id, "ARTICLES_CHANNEL_ID")
        posted = []
        for info in fresh:
            await send_to_channel(self.bot, channel, await self._announcement(info))
            done.add(info.id)
            await asyncio.to_thread(record_announced, data_dir, done)  # after each post: a crash repeats none
            posted.append(info.id)
        return posted

    async def _announcement(self, info: ArticleInfo) -> Reply:
        """The article's summary titled as new; its bare details if it cannot be summarised."""
        try:
            reply = summary_reply(await self.bot.core(self.bot.services.summarize, info.id))
        except YaluError as exc:
            date = info.published.isoformat() if info.published else "undated"
            reply = Reply("summary", info.title, [Block(f"{info.outlet or 'outlet unknown'}, {date}"), Block(str(exc))])
        reply.title = f"New article: {reply.title}"
        return reply
