"""Feeds and watches in the bot: feeds polled on their schedule, new articles announced, watch alerts delivered.

Every YALU_FEED_CHECK_S seconds the feeds that are due are polled in the core thread (`bot.feeds`); the
articles they add are announced by the ArticleWatcher, once. Then the watches set in Discord are checked
against every article indexed since the last check, whoever indexed it (a feed, /add, a cron `yalu feeds
poll`), and each alert goes to the channel the watch was set in, or to its owner by direct message.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from bot.feeds import PollReport, poll_feeds
from bot.safe_text import shown
from bot.watches import Alert, WatchBook, check_new

if TYPE_CHECKING:
    from bot.discord_app.host import Host
    from bot.ingest.ingestor import IngestReport

log = logging.getLogger(__name__)
_MAX_CHARS = 1900  # Discord's 2,000 less the mention


class FeedPoller(commands.Cog):
    """Polls the feeds that are due and delivers the alerts of Discord watches."""

    def __init__(self, bot: Host) -> None:
        """Look for due feeds every YALU_FEED_CHECK_S seconds."""
        self.bot = bot
        self._lock = asyncio.Lock()  # one round at a time: a slow feed never overlaps the next tick
        self.tick.change_interval(seconds=bot.settings.feed_check_s)

    async def cog_load(self) -> None:
        """On the bot's first run with watches, what is indexed already counts as checked; then start."""
        book = WatchBook(self.bot.settings.data_dir)
        if await asyncio.to_thread(book.checked, "discord") is None:
            ids = {a.id for a in await self.bot.articles(max_age=0)}
            await asyncio.to_thread(book.record_checked, "discord", ids)
        self.tick.start()

    async def cog_unload(self) -> None:
        """Stop polling."""
        self.tick.cancel()

    @tasks.loop(seconds=60)  # replaced by YALU_FEED_CHECK_S in __init__
    async def tick(self) -> None:
        """One round; a failure is logged and the next tick tries again."""
        try:
            await self.round()
        except Exception:
            log.exception("polling feeds failed")

    @tick.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def round(self, due_only: bool = True) -> PollReport:
        """Poll the feeds (those due, or all), announce what they added, deliver watch alerts."""
        async with self._lock:
            # Downloads run in a thread of their own: a slow news site must not hold up everyone's answers.
            # Only the indexing goes to the core thread, where ingests are serialised with everything else.
            loop = asyncio.get_running_loop()
            report = await asyncio.to_thread(
                poll_feeds, self.bot.services, None, due_only, None, partial(self._ingest_in_core, loop)
            )
            if report.added:
                try:
                    await self.bot.announce_new_articles()
                except Exception:  # a broken ARTICLES_CHANNEL_ID must not hold back the watch alerts
                    log.exception("announcing the feeds' new articles failed")
            await self.deliver_alerts()
            return report

    def _ingest_in_core(self, loop: asyncio.AbstractEventLoop, paths: list[Path]) -> IngestReport:
        """From the feed thread: index files in the core thread and wait for it (the event loop stays free)."""
        return asyncio.run_coroutine_threadsafe(self.bot.core(self.bot.services.ingest, paths), loop).result()

    async def deliver_alerts(self) -> list[Alert]:
        """Send the alerts of articles indexed since the last check; returns those sent."""
        sent = []
        for alert in await self.bot.core(check_new, self.bot.services, "discord"):
            try:
                await self._send(alert)
                sent.append(alert)
            except (discord.HTTPException, discord.ClientException) as exc:
                # A deleted channel or closed DMs must not hold back the other watchers' alerts.
                log.warning("could not deliver the alert of watch #%d: %s", alert.watch.id, exc)
        return sent

    async def _send(self, alert: Alert) -> None:
        user_id = alert.watch.user_id
        assert user_id is not None  # Discord watches only
        text = shown(alert.line())
        if len(text) > _MAX_CHARS:  # a sentence that long is cut visibly, never silently
            text = text[: _MAX_CHARS - 1] + "\u2026"
        if alert.watch.channel_id is None:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(text, allowed_mentions=discord.AllowedMentions.none())
            return
        channel = await self.bot.text_channel(alert.watch.channel_id, f"the channel of watch #{alert.watch.id}")
        # The watcher asked to be told: ping them, and nobody else an article may name.
        mention = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(user_id)], replied_user=False
        )
        await channel.send(f"<@{user_id}> {text}", allowed_mentions=mention)
