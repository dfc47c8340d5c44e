"""Paginated lists through the Discord harness: a long /sources or briefing is one message turned by buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.discord_app.messaging import send_to_channel
from bot.present.reply import Block, Reply
from bot.services import Services
from tests.test_discord_harness import Harness, bot_settings, custom_ids, limits_ok, start


@pytest.fixture
async def harness(seeded: Services, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot over the seed index, in a fake guild."""
    bot = await start(bot_settings(seeded, tmp_path / "bot"))
    yield bot
    await bot.stop()


def _thousand_sources() -> Reply:
    """/sources at 1,000 articles: a line per article, as `sources_reply` writes them."""
    lines = [
        f"2024-01-{n % 28 + 1:02d} \u2014 Border trade report number {n} (Test Wire) \u00b7 id-{n}" for n in range(1000)
    ]
    return Reply("sources", "1000 articles", [Block("\n".join(lines))])


def _turns(harness: Harness) -> list[dict[str, object]]:
    """The pages shown by button clicks (UPDATE_MESSAGE callbacks), in order."""
    return [r.body["data"] for r in harness.http.requests if r.path.endswith("/callback") and r.body.get("type") == 7]


async def test_a_thousand_sources_are_one_message_with_page_buttons(harness: Harness) -> None:
    """1,000 sources are one message (not twenty), with Previous, "Page 1 of N" and Next; Next shows page 2."""
    await send_to_channel(harness.bot, harness.channel, _thousand_sources())
    (message,) = harness.posts_in(harness.channel.id)
    assert limits_ok(message) and "id-0" in message["embeds"][0]["description"]
    labels = [c.get("label") for row in message["components"] for c in row["components"]]
    assert labels[0] == "Previous" and labels[2] == "Next" and labels[1].startswith("Page 1 of ")
    pages = int(labels[1].rsplit(" ", 1)[1])
    assert 10 <= pages <= 30
    previous, _, forward = custom_ids(message)
    await harness.click(forward)
    await harness.click(forward)
    await harness.click(previous)
    shown = _turns(harness)
    assert len(shown) == 3
    page_two = shown[0]["embeds"][0]["description"]  # type: ignore[index]
    assert "id-0" not in page_two and page_two == shown[2]["embeds"][0]["description"]  # type: ignore[index]
    counter = [c.get("label") for row in shown[1]["components"] for c in row["components"]][1]  # type: ignore[index]
    assert counter == f"Page 3 of {pages}"


async def test_a_short_list_is_sent_without_page_buttons(harness: Harness) -> None:
    """/sources over the five seed articles is one message with no buttons at all."""
    await harness.slash("sources")
    (message,) = harness.http.messages()
    assert message["embeds"][0]["title"] == "5 articles" and not message.get("components")


async def test_a_long_briefing_is_one_paged_message(harness: Harness) -> None:
    """A briefing of 50,000 characters (a hundred articles' worth) is posted as one message with page buttons."""
    stories = [
        Block(f"Story {n}: " + "Trade across the Yalu bridge rose again this week. " * 10, f"Lead {n}")
        for n in range(100)
    ]
    await send_to_channel(harness.bot, harness.channel, Reply("briefing", "Briefing, 2024-01", stories))
    (message,) = harness.posts_in(harness.channel.id)
    labels = [c.get("label") for row in message["components"] for c in row["components"]]
    assert labels[1].startswith("Page 1 of ") and limits_ok(message)
