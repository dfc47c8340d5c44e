"""Rendering replies as embeds: Discord's limits are met by clean splits that never cut a citation."""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path

import pytest

from bot.answer_model import Answer, Citation
from bot.discord_app.messaging import send_to_channel
from bot.discord_app.render import (
    PASSAGES_SHOWN,
    article_line,
    pack,
    reply_embeds,
    source_line,
    sources_text,
    split_text,
)
from bot.present.replies import answer_reply
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
    """Each cited article's line, and each passage listed under it, appears uncut in exactly one Sources embed."""
    sources = [e.description or "" for e in reply_embeds(answer_reply(long_answer)) if e.title == "Sources"]
    by_article: dict[str, list[Citation]] = {}
    for c in long_answer.citations:
        by_article.setdefault(c.article_id, []).append(c)
    for cited in by_article.values():
        assert sum(article_line([c.to_json() for c in cited]) in d for d in sources) == 1
        for c in cited[:PASSAGES_SHOWN]:
            assert sum(f"**[{c.n}]** \u201c" in d for d in sources) == 1


def test_sources_list_each_article_once_with_its_passages_capped(long_answer: Answer) -> None:
    """An article cited six times is one line, three passages under it, and "and 3 more" with their numbers."""
    one = [c for c in long_answer.citations if c.article_id == long_answer.citations[0].article_id][:1]
    six = [dataclasses.replace(one[0], n=n) for n in range(1, 7)]
    text = sources_text([c.to_json() for c in six])
    lines = text.splitlines()
    assert lines[0] == source_line(six[0].to_json()).split("** ", 1)[1]  # outlet, date, linked title, once
    assert [line[:9] for line in lines[1:4]] == ["> **[1]**", "> **[2]**", "> **[3]**"]
    assert lines[4] == "> and 3 more: **[4]** **[5]** **[6]**" and len(lines) == 5


def test_an_answer_without_passages_has_no_sources_footer_and_shows_its_filters() -> None:
    """No "closest passages are listed" when none are; the filters a follow-up inherited are on the answer."""
    from bot.conversation import Query

    empty = Answer("What did Xi say?", "insufficient_evidence", "Not enough evidence.", [])
    reply = answer_reply(empty, Query("What did Xi say?", since="2023", outlet="Herald"))
    filtered = "Filtered: published from 2023, outlet \u201cHerald\u201d"
    assert reply.note == f"Insufficient evidence: no passage came close enough. \u00b7 {filtered}"
    assert "closest passages" not in (reply_embeds(reply)[0].footer.text or "")


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
