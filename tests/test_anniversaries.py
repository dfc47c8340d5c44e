"""The anniversaries calendar drawn from the corpus, and the daily briefing that leads with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from bot.corpus import Article
from bot.digest.anniversaries import anniversary_notes, calendar
from bot.discord_app.cogs.briefing import DailyBriefing
from bot.ingest.loaders import load_article_file
from bot.services import Services
from tests.conftest import KNOWLEDGE
from tests.test_discord_harness import Harness, bot_settings, start
from tests.test_discord_schedule import FakeClock

HANKYOREH = "2021-07-12-n-korea-china-leaders-exchange-personal-letters"


def seeds() -> list[Article]:
    """The seed articles."""
    return [load_article_file(p) for p in sorted(KNOWLEDGE.glob("*.md"))]


def test_the_treaty_date_is_read_from_the_60th_anniversary_letters() -> None:
    """Letters of 2021-07-11 marking the treaty's 60th anniversary put the treaty on 11 July 1961."""
    treaty = [r for r in calendar(seeds()) if "Treaty of Friendship" in r.name]
    assert {(r.origin, r.article.id) for r in treaty} == {(dt.date(1961, 7, 11), HANKYOREH)}


def test_the_note_quotes_the_last_exchange_verbatim_and_cited() -> None:
    """On 2022-07-11 the note says "last year's exchange" and quotes Kim's letter, both cited from the article."""
    (note,) = anniversary_notes(seeds(), dt.date(2022, 7, 11), first_number=3)
    assert note.text.startswith("Today is the 61st anniversary of the two countries’ Treaty of Friendship")
    assert "last year's exchange said: \u201cThe DPRK-China Treaty" in note.text
    assert [c.n for c in note.citations] == [3, 4] and all(c.article_id == HANKYOREH for c in note.citations)
    assert note.citations[1].via == ("Rodong Sinmun",) and note.citations[1].speaker == "Kim Jong-un"


def test_no_note_on_an_ordinary_day() -> None:
    """A day that is no anniversary in the corpus leads with nothing."""
    assert anniversary_notes(seeds(), dt.date(2024, 3, 5)) == []


def test_brief_json_carries_the_anniversary(seeded: Services) -> None:
    """`brief --json` with a `today` of 11 July has an `anniversaries` entry with citation objects."""
    data = seeded.brief(today=dt.date(2024, 7, 11)).to_json()
    (entry,) = data["anniversaries"]
    assert entry["origin"] == "1961-07-11" and entry["years"] == 63 and entry["citations"]
    assert all(c["n"] > len(data["citations"]) for c in entry["citations"])  # numbered after the briefing's own


@pytest.fixture
async def harness(services: Services) -> AsyncIterator[Harness]:
    """The bot over the seed index, the daily briefing posted to its one text channel."""
    services.ensure_index()
    bot = await start(bot_settings(services, services.settings.data_dir, briefing_tz="Europe/London"))
    bot.bot.settings.briefing_channel_id = bot.channel.id
    yield bot
    await bot.stop()


async def test_the_daily_briefing_on_11_july_names_the_treaty_anniversary(harness: Harness) -> None:
    """The scheduled briefing of 11 July leads with the treaty's anniversary, its sources listed."""
    cog = DailyBriefing(harness.bot, FakeClock(dt.datetime(2024, 7, 11, 8, 0, tzinfo=ZoneInfo("Europe/London"))))
    assert await cog.post_if_due()
    embeds = [e for post in harness.posts_in(harness.channel.id) for e in await harness.every_page(post)]
    lead = embeds[0]["description"]
    assert lead.startswith("**Anniversary**") and "63rd anniversary" in lead and "Treaty of Friendship" in lead
    sources = next(e for e in embeds if e.get("title") == "Sources")["description"]
    assert "The Hankyoreh, 2021-07-12" in sources
