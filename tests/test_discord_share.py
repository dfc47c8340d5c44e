"""Follow up and Post to channel buttons, and the permission errors around them, through the Discord harness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.services import Services
from tests.test_discord_harness import Harness, HTTPResponse, bot_settings, custom_ids, start

QUESTION = "What did Xi write to Kim in September 2023?"


@pytest.fixture
async def harness(seeded: Services, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot over the seed index, in a fake guild."""
    bot = await start(bot_settings(seeded, tmp_path / "bot"))
    yield bot
    await bot.stop()


def _button(harness: Harness, kind: str) -> str:
    return next(i for m in harness.http.messages() for i in custom_ids(m) if i.split(":")[1] == kind)


async def _forbidden(*_: Any, **__: Any) -> Any:
    """Discord's answer to an action the bot's role does not allow."""
    raise discord.Forbidden(HTTPResponse(403, "Forbidden"), {"code": 50013, "message": "Missing Permissions"})


async def test_follow_up_opens_a_thread_seeded_with_the_question(harness: Harness) -> None:
    """Follow up under a public /ask answer opens a thread; "and in 2021?" there is read with the question."""
    await harness.slash("ask", question=QUESTION)
    await harness.click(_button(harness, "followup"))
    (thread,) = harness.threads
    assert thread.name == QUESTION
    assert harness.posts_in(thread.id)[0]["content"] == f"Follow-ups here continue the question: {QUESTION}"
    assert (
        harness.http.messages()[-1]["content"]
        == f"Ask your follow-up in <#{thread.id}>: it is read with this question."
    )
    await harness.say("and in 2021?", channel=thread)
    assert harness.posts_in(thread.id)[-1]["embeds"][0]["title"] == "What did Xi write to Kim in 2021?"


async def test_follow_up_names_the_missing_thread_permission(harness: Harness) -> None:
    """Without Create Public Threads, Follow up says so, naming the channel, privately."""
    await harness.slash("ask", question=QUESTION)
    harness.bot.http.start_thread_with_message = _forbidden  # type: ignore[method-assign]
    await harness.click(_button(harness, "followup"))
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64
    assert reply["content"].startswith(f"I need the Create Public Threads permission in <#{harness.channel.id}>")


async def test_a_mention_without_thread_permission_names_it(harness: Harness) -> None:
    """@Yalu in a channel where threads cannot be made: one line naming Create Public Threads, no "try again"."""
    harness.bot.http.start_thread_with_message = _forbidden  # type: ignore[method-assign]
    await harness.say(f"<@{harness.bot.user.id}> {QUESTION}")
    (line,) = harness.posts_in(harness.channel.id)
    assert line["content"].startswith("I need the Create Public Threads permission in")
    assert "try again" not in line["content"]


async def test_a_private_answer_can_be_posted_to_the_channel(harness: Harness) -> None:
    """A private /ask has Post to channel (and no Follow up); clicking it posts the answer and its sources."""
    await harness.slash("ask", question=QUESTION, private=True)
    kinds = [i.split(":")[1] for i in custom_ids(harness.http.messages()[-1])]
    assert kinds == ["quotes", "vote", "vote", "share"]
    private = [e for m in harness.http.messages() for e in m.get("embeds", [])]
    await harness.click(_button(harness, "share"))
    (posted,) = harness.posts_in(harness.channel.id)
    assert posted["content"] == f"Shared by <@{harness.member.id}>" and posted["allowed_mentions"] == {"parse": []}
    assert [e["title"] for e in posted["embeds"]] == [QUESTION, "Sources"]
    assert posted["embeds"][1]["description"] == private[-1]["description"]  # the same sources
    assert harness.http.messages()[-1]["content"] == "Posted to the channel."


async def test_a_button_that_fails_still_answers_with_one_line(harness: Harness) -> None:
    """A click whose handler breaks (here: the replies database) gets one private line, not "interaction failed"."""
    await harness.slash("ask", question=QUESTION)

    def broken(reply_id: int) -> None:
        raise OSError("disk I/O error")

    harness.bot.feedback.reply = broken  # type: ignore[method-assign,assignment]
    await harness.click(_button(harness, "quotes"))
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64 and reply["content"].startswith("Something went wrong on Yalu's side")
