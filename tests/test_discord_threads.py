"""Mentions and threads through dpytest: a mention opens a thread, follow-ups there keep the context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services import Services
from tests.test_discord_harness import Harness, bot_settings, custom_ids, start


@pytest.fixture
async def harness(seeded: Services, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot over the seed index, in a fake guild."""
    bot = await start(bot_settings(seeded, tmp_path / "bot"))
    yield bot
    await bot.stop()


async def _ask_in_channel(harness: Harness, question: str) -> None:
    await harness.say(f"<@{harness.bot.user.id}> {question}")


async def test_a_mention_answers_in_a_new_thread(harness: Harness) -> None:
    """@Yalu question opens a thread named after the question and answers there, with sources and buttons."""
    await _ask_in_channel(harness, "What did Xi write to Kim in September 2023?")
    (thread,) = harness.threads
    assert thread.name == "What did Xi write to Kim in September 2023?" and thread.parent_id == harness.channel.id
    (answer,) = harness.posts_in(thread.id)
    titles = [e.get("title") for e in answer["embeds"]]
    assert titles == ["What did Xi write to Kim in September 2023?", "Sources"]
    assert answer["allowed_mentions"] == {"parse": []}
    assert [i.split(":")[1] for i in custom_ids(answer)] == ["quotes", "vote", "vote"]
    assert harness.posts_in(harness.channel.id) == []  # nothing in the channel itself


async def test_a_follow_up_in_the_thread_is_read_with_the_earlier_question(harness: Harness) -> None:
    """ "and in 2021?" in the bot's thread is answered as "What did Xi write to Kim in 2021?", in the thread."""
    await _ask_in_channel(harness, "What did Xi write to Kim in September 2023?")
    (thread,) = harness.threads
    await harness.say("and in 2021?", channel=thread)
    await harness.say("what about Kim?", channel=thread)
    answers = harness.posts_in(thread.id)
    assert [a["embeds"][0]["title"] for a in answers] == [
        "What did Xi write to Kim in September 2023?",
        "What did Xi write to Kim in 2021?",
        "What did Kim write to Xi in 2021?",
    ]
    assert "2021-" in answers[1]["embeds"][-1]["description"]  # its sources are the 2021 articles
    assert len(harness.threads) == 1


async def test_messages_without_a_mention_are_ignored(harness: Harness) -> None:
    """A channel message that does not mention the bot gets no reply and no thread."""
    await harness.say("What did Xi write to Kim?")
    assert harness.threads == [] and harness.channel_posts == []


async def test_a_bare_mention_explains_how_to_ask(harness: Harness) -> None:
    """A mention with no question gets one line on how to ask, and no thread."""
    await _ask_in_channel(harness, "")
    (hint,) = harness.posts_in(harness.channel.id)
    assert "Ask me after the mention" in hint["content"] and harness.threads == []


async def test_mentions_outside_the_allowed_channels_are_ignored(seeded: Services, tmp_path: Path) -> None:
    """With DISCORD_CHANNEL_IDS set to another channel, a mention here gets no reply."""
    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_channel_ids=[1]))
    try:
        await _ask_in_channel(harness, "What did Xi write to Kim?")
        assert harness.channel_posts == [] and harness.threads == []
    finally:
        await harness.stop()


async def test_an_acknowledgement_in_the_thread_gets_a_reaction_not_an_answer(harness: Harness) -> None:
    """ "thanks!" and "ok" in the bot's thread are reacted to with a thumbs up; a real follow-up is still answered."""
    await _ask_in_channel(harness, "What did Xi write to Kim in September 2023?")
    (thread,) = harness.threads
    thanks = await harness.say("thanks!", channel=thread)
    ok = await harness.say("ok", channel=thread)
    assert len(harness.posts_in(thread.id)) == 1  # only the first answer
    assert harness.reactions == [(thread.id, m.id, "\N{THUMBS UP SIGN}") for m in (thanks, ok)]
    await harness.say("and in 2021", channel=thread)  # no question mark: still a follow-up the model rewrites
    assert [a["embeds"][0]["title"] for a in harness.posts_in(thread.id)][-1] == "What did Xi write to Kim in 2021?"


async def test_a_follow_ups_inherited_outlet_is_shown_on_its_answer(harness: Harness) -> None:
    """ "and according to the Korea Herald?" is answered with the outlet filter named under the answer."""
    await _ask_in_channel(harness, "What did Kim write to Xi in 2021?")
    (thread,) = harness.threads
    await harness.say("and according to the Korea Herald?", channel=thread)
    footer = harness.posts_in(thread.id)[-1]["embeds"][0].get("footer", {}).get("text", "")
    assert "Filtered: outlet \u201cThe Korea Herald\u201d" in footer
