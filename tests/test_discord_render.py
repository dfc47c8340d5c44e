"""Rendering replies as embeds: Discord's limits are met by clean splits that never cut a citation."""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import pytest

from bot.answer_model import Answer, Citation
from bot.chat_commands import answer_reply
from bot.discord_app.messaging import send_to_channel
from bot.discord_app.render import pack, reply_embeds, source_line, split_text
from bot.services import Services
from tests.test_discord_harness import bot_settings, limits_ok, start

MARKER = re.compile(r"\[\d+\]")


QUESTIONS = (
    "What did Xi write to Kim in September 2023?",
    "What did Kim write to Xi in 2021?",
    "What did Xi say in 2022?",
    "What did China pledge in 2025?",
)


@pytest.fixture(scope="module")
def long_answer(seeded: Services) -> Answer:
    """A 6,000-character answer made of real cited sentences of the seed articles, each with its marker."""
    found = [c for q in QUESTIONS for c in seeded.ask(q).citations]
    citations = [dataclasses.replace(c, n=n) for n, c in enumerate(found, 1)]
    text, parts = "", itertools.cycle(citations)
    while len(text) < 6000:
        c = next(parts)
        text += f"{c.quote} [{c.n}] " + ("\n\n" if c.n % 3 == 0 else "")
    return Answer("What did Kim and Xi write in 2021?", "answered", text.strip(), citations)


def test_a_6000_character_answer_is_split_into_valid_messages(long_answer: Answer) -> None:
    """Every message is within Discord's limits, and the markers come out in order, none cut or orphaned."""
    embeds = reply_embeds(answer_reply(long_answer))
    posts = pack(embeds)
    assert len(long_answer.answer) >= 6000 and len(posts) >= 2
    assert all(limits_ok({"embeds": [e.to_dict() for e in p.embeds]}) for p in posts)
    body = [e.description or "" for e in embeds if e.title != "Sources"]
    assert [m for d in body for m in MARKER.findall(d)] == MARKER.findall(long_answer.answer)
    assert not any(d.startswith("[") for d in body[1:])  # a marker stays with the sentence before it
    assert all(d.rstrip().endswith(("]", ".", "\u201d")) for d in body)  # cuts fall between sentences


def test_every_source_line_is_whole_in_one_embed(long_answer: Answer) -> None:
    """Each citation's source line appears, uncut, in exactly one Sources embed."""
    sources = [e.description or "" for e in reply_embeds(answer_reply(long_answer)) if e.title == "Sources"]
    for c in long_answer.citations:
        assert sum(source_line(c.to_json()) in d for d in sources) == 1


def test_split_prefers_paragraphs_then_sentences() -> None:
    """Text is cut between paragraphs when it can, else between sentences, with markers kept."""
    text = "First one. [1]\n\nSecond one is here. [2] Third. [3]"
    assert split_text(text, 60) == [text]
    assert split_text(text, 40) == ["First one. [1]", "Second one is here. [2] Third. [3]"]
    assert split_text(text, 25) == ["First one. [1]", "Second one is here. [2]", "Third. [3]"]


def test_an_overlong_sentence_is_cut_between_words_never_in_a_marker() -> None:
    """A sentence longer than the limit is cut at spaces; "[12]" survives whole."""
    text = " ".join(["word"] * 40) + " [12]"
    pieces = split_text(text, 30)
    assert all(len(p) <= 30 for p in pieces) and pieces[-1].endswith("word [12]")
    assert "".join(pieces).count("[12]") == 1


def test_a_long_title_is_shortened_not_the_answer() -> None:
    """A question longer than an embed title is shortened with an ellipsis; the answer text is untouched."""
    answer = Answer("Why " * 100, "answered", "Because. [1]", [])
    (embed,) = reply_embeds(answer_reply(answer))
    assert len(embed.title or "") == 256 and (embed.title or "").endswith("…")
    assert embed.description == "Because. [1]"


async def test_an_article_saying_everyone_pings_nobody(seeded: Services, tmp_path: Path) -> None:
    """A quote containing "@everyone" and "<@&123>" is posted inert (zero-width space) with allowed mentions none."""
    real = seeded.ask("What did Xi write to Kim in September 2023?").citations[0]
    quote = "@everyone <@&123> Kim said the ties were entering a new era."
    citation = Citation(1, real.article_id, real.title, real.outlet, real.published, None, quote, quote, 0, 0)
    answer = Answer("Who was pinged?", "answered", f"{quote} [1]", [citation])
    harness = await start(bot_settings(seeded, tmp_path / "bot"))
    try:
        await send_to_channel(harness.bot, harness.channel, answer_reply(answer))
        (posted,) = harness.posts_in(harness.channel.id)
        description = posted["embeds"][0]["description"]
        assert posted["allowed_mentions"] == {"parse": []} and "@\u200beveryone <@&\u200b123>" in description
        assert limits_ok(posted)
    finally:
        await harness.stop()


async def test_a_long_answer_posts_as_several_valid_messages(
    long_answer: Answer, seeded: Services, tmp_path: Path
) -> None:
    """Sent to a channel, the 6,000-character answer goes out as several messages, each within the limits."""
    harness = await start(bot_settings(seeded, tmp_path / "bot"))
    try:
        await send_to_channel(harness.bot, harness.channel, answer_reply(long_answer))
        posted = harness.posts_in(harness.channel.id)
        assert len(posted) >= 2 and all(limits_ok(p) and p["allowed_mentions"] == {"parse": []} for p in posted)
        buttons = [bool(p.get("components")) for p in posted]
        assert buttons == [False] * (len(posted) - 1) + [True]  # the buttons come once, under the last part
    finally:
        await harness.stop()
