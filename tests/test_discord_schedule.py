"""The daily briefing with a fake clock: due once a day after its time, posted exactly once across restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import discord
import pytest

from bot.discord_app.cogs.briefing import DailyBriefing
from bot.discord_app.schedule import DailySchedule, last_posted
from bot.services import Services
from tests.test_discord_articles import _article
from tests.test_discord_harness import Harness, bot_settings, start

LONDON = ZoneInfo("Europe/London")
EIGHT = DailySchedule(dt.time(8, 0), LONDON)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in May 2024, London time (BST, UTC+1)."""
    return dt.datetime(2024, 5, day, hour, minute, tzinfo=LONDON)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_not_due_before_the_time() -> None:
    """Before 08:00 local time nothing is due, even if nothing was ever posted."""
    assert EIGHT.due(at(2, 7, 59), None) is None


def test_due_after_the_time_on_a_day_not_posted() -> None:
    """After 08:00 the day's briefing is due if the last post was an earlier day (or never)."""
    assert EIGHT.due(at(2, 8, 0), None) == dt.date(2024, 5, 2)
    assert EIGHT.due(at(2, 23, 0), dt.date(2024, 5, 1)) == dt.date(2024, 5, 2)


def test_not_due_twice_on_one_day() -> None:
    """Once the day is posted, later checks that day find nothing due."""
    assert EIGHT.due(at(2, 8, 1), dt.date(2024, 5, 2)) is None


def test_the_time_is_local_to_the_briefing_zone() -> None:
    """07:30 UTC is 08:30 in London in May: due; 06:30 UTC is not."""
    assert EIGHT.due(dt.datetime(2024, 5, 2, 7, 30, tzinfo=dt.UTC), None) == dt.date(2024, 5, 2)
    assert EIGHT.due(dt.datetime(2024, 5, 2, 6, 30, tzinfo=dt.UTC), None) is None


def test_the_loop_wakes_at_the_time_and_retries_after_it() -> None:
    """The daily loop wakes at 08:00 and a few times after, so a failed post is retried the same morning."""
    wakes = EIGHT.wake_times()
    assert wakes[0] == dt.time(8, 0, tzinfo=LONDON) and len(wakes) == 4 and wakes == sorted(wakes)


@pytest.fixture
async def harness(services: Services) -> AsyncIterator[Harness]:
    """The bot over an empty index, the briefing posted to its one text channel."""
    bot = await start(bot_settings(services, services.settings.data_dir, briefing_tz="Europe/London"))
    bot.bot.settings.briefing_channel_id = bot.channel.id
    yield bot
    await bot.stop()


def _titles(harness: Harness) -> list[str]:
    return [p["embeds"][0]["title"] for p in harness.posts_in(harness.channel.id)]


async def test_a_restart_at_the_briefing_hour_posts_exactly_once(harness: Harness) -> None:
    """Catch-up and timed run racing, then a restarted bot: one post that day, the next one the day after."""
    clock = FakeClock(at(2, 8, 0))
    first = DailyBriefing(harness.bot, clock)
    assert await asyncio.gather(first.post_if_due(), first.post_if_due()) in ([True, False], [False, True])
    clock.now = at(2, 8, 5)
    restarted = DailyBriefing(harness.bot, clock)  # a new process reads the persisted date
    assert await restarted.post_if_due() is False
    clock.now = at(3, 7, 59)
    assert await restarted.post_if_due() is False
    clock.now = at(3, 8, 0)
    assert await restarted.post_if_due() is True
    assert _titles(harness) == [
        "Daily briefing, Thursday 02 May 2024: nothing new",
        "Daily briefing, Friday 03 May 2024: nothing new",
    ]
    assert last_posted(harness.bot.settings.data_dir) == dt.date(2024, 5, 3)


async def test_the_briefing_covers_new_articles_once(harness: Harness, tmp_path: Path) -> None:
    """An article added before 08:00 is in that morning's briefing; the next morning says nothing new."""
    await harness.bot.core(harness.bot.services.ingest, [_article(tmp_path)])
    clock = FakeClock(at(2, 9, 0))
    cog = DailyBriefing(harness.bot, clock)
    assert await cog.post_if_due()
    clock.now = at(3, 8, 0)
    assert await cog.post_if_due()
    posts = harness.posts_in(harness.channel.id)
    first, second = posts[0], posts[-1]
    assert first["embeds"][0]["title"] == "Daily briefing, Thursday 02 May 2024"
    assert "Dandong" in first["embeds"][0]["description"] and first["allowed_mentions"] == {"parse": []}
    assert second["embeds"][0]["title"].endswith("nothing new")
    assert "since the last briefing" in second["embeds"][0]["description"]


async def test_a_failed_post_is_not_recorded_and_is_retried(harness: Harness) -> None:
    """If Discord refuses the post, the day stays due and the next wake time posts it."""
    channel_id = harness.channel.id
    harness.bot.settings.briefing_channel_id = 999  # no such channel: fetching it fails
    cog = DailyBriefing(harness.bot, FakeClock(at(2, 8, 0)))
    with pytest.raises(discord.NotFound):
        await cog.post_if_due()
    assert last_posted(harness.bot.settings.data_dir) is None
    harness.bot.settings.briefing_channel_id = channel_id
    cog.clock = FakeClock(at(2, 8, 15))
    assert await cog.post_if_due() and len(_titles(harness)) == 1
