"""The daily briefing: posted at BRIEFING_TIME (BRIEFING_TZ) in BRIEFING_CHANNEL_ID, exactly once a day.

It covers the articles added since the previous briefing (`brief(new=True)`), says plainly when
nothing new arrived, and marks its articles as briefed only after the post went out. The posted
date is persisted: a restart after the briefing time posts the missed briefing once, never twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from discord.ext import commands, tasks

from bot.discord_app.messaging import send_to_channel
from bot.discord_app.schedule import DailySchedule, last_posted, record_posted
from bot.present.replies import briefing_reply

if TYPE_CHECKING:
    from bot.discord_app.host import Host

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, time-zone aware."""
    return dt.datetime.now(dt.UTC)


class DailyBriefing(commands.Cog):
    """Posts the morning briefing; `post_if_due` is the one place that decides and posts."""

    def __init__(self, bot: Host, clock: Clock = utc_now) -> None:
        """Schedule from settings; `clock` is replaceable so tests can move time."""
        self.bot = bot
        self.clock = clock
        settings = bot.settings
        self.schedule = DailySchedule(settings.briefing_time, ZoneInfo(settings.briefing_tz))
        self._lock = asyncio.Lock()  # the start-up catch-up and the timed run never post side by side
        self.daily.change_interval(time=self.schedule.wake_times())

    async def cog_load(self) -> None:
        """Start the daily loop."""
        self.daily.start()

    async def cog_unload(self) -> None:
        """Stop the daily loop."""
        self.daily.cancel()

    @tasks.loop(time=dt.time(8, 0, tzinfo=dt.UTC))  # replaced by the settings' times in __init__
    async def daily(self) -> None:
        """At the briefing time (and the retry times after it): post if today's briefing is still due."""
        await self._post_logged()

    @daily.before_loop
    async def _catch_up(self) -> None:
        """Once connected, post a briefing missed while the bot was down."""
        await self.bot.wait_until_ready()
        await self._post_logged()

    async def _post_logged(self) -> None:
        try:
            await self.post_if_due()
        except Exception:  # the loop must survive a failed post; the next wake time retries
            log.exception("posting the daily briefing failed")

    async def post_if_due(self) -> bool:
        """Post the briefing if today's is due; True if one was posted."""
        async with self._lock:
            data_dir = self.bot.settings.data_dir
            day = self.schedule.due(self.clock(), await asyncio.to_thread(last_posted, data_dir))
            channel_id = self.bot.settings.briefing_channel_id
            if day is None or channel_id is None:
                return False
            channel = await self.bot.text_channel(channel_id, "BRIEFING_CHANNEL_ID")
            briefing = await self.bot.core(self.bot.services.brief, new=True, today=day)  # day: BRIEFING_TZ's date
            title = f"Daily briefing, {day:%A %d %B %Y}" + ("" if briefing.status == "ok" else ": nothing new")
            await send_to_channel(self.bot, channel, briefing_reply(briefing, title))
            await asyncio.to_thread(record_posted, data_dir, day)
            if briefing.status == "ok":
                await self.bot.core(self.bot.services.mark_briefed, briefing)
            log.info("posted the daily briefing of %s", day)
            return True
