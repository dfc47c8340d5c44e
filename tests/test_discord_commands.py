"""Slash commands and buttons through real discord.Interaction objects, over the real seed index."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.feedback import FeedbackStore
from bot.services import Services
from tests.test_discord_harness import Harness, bot_settings, custom_ids, limits_ok, start

QUESTION = "What did Xi write to Kim in September 2023?"


@pytest.fixture
async def harness(seeded: Services, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot over the seed index, in a fake guild."""
    bot = await start(bot_settings(seeded, tmp_path / "bot"))
    yield bot
    await bot.stop()


def _source_numbers(harness: Harness) -> list[int]:
    sources = [e for e in harness.http.embeds() if e.get("title") == "Sources"]
    return [int(n) for e in sources for n in re.findall(r"\*\*\[(\d+)\]\*\*", e["description"])]


async def test_ask_embed_sources_match_the_ask_json_citations(harness: Harness, seeded: Services) -> None:
    """/ask defers, then answers in an embed whose numbered sources are the `ask --json` citations."""
    await harness.slash("ask", question=QUESTION)
    expected = seeded.ask(QUESTION).to_json()
    first = harness.http.requests[0]
    assert first.path.endswith("/callback") and first.body["type"] == 5  # deferred: "Yalu is thinking…"
    answer = harness.http.embeds()[0]
    assert answer["title"] == QUESTION and "[1]" in answer["description"]
    assert _source_numbers(harness) == [c["n"] for c in expected["citations"]]
    sources = next(e for e in harness.http.embeds() if e.get("title") == "Sources")["description"]
    for c in expected["citations"]:
        assert f"{c['outlet']}, {c['published']}" in sources and c["title"][:30] in sources.replace("\\", "")
    assert all(m["allowed_mentions"] == {"parse": []} and limits_ok(m) for m in harness.http.messages())


async def test_ask_has_quotes_and_vote_buttons(harness: Harness) -> None:
    """The answer's last message carries the Quotes, 👍, 👎 and Follow up buttons."""
    await harness.slash("ask", question=QUESTION)
    ids = list(custom_ids(harness.http.messages()[-1]))
    assert [i.split(":")[1] for i in ids] == ["quotes", "vote", "vote", "followup"]


async def test_quotes_button_shows_the_verbatim_quotes_privately(harness: Harness, seeded: Services) -> None:
    """Clicking Quotes answers ephemerally with each [n] and its verbatim quote."""
    await harness.slash("ask", question=QUESTION)
    quotes_id = next(custom_ids(harness.http.messages()[-1]))
    await harness.click(quotes_id)
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64  # ephemeral
    quote = seeded.ask(QUESTION).citations[0].quote
    assert quote[:60] in reply["embeds"][0]["description"].replace("\\", "")


async def test_votes_are_stored_with_question_answer_and_citations(harness: Harness) -> None:
    """👍 then 👎 by the same user keeps one vote, the latest, with what was answered."""
    await harness.slash("ask", question=QUESTION)
    _, up, down, _ = custom_ids(harness.http.messages()[-1])
    await harness.click(up)
    await harness.click(down)
    votes = list(FeedbackStore.in_data_dir(harness.bot.settings.data_dir).votes())
    assert [v["vote"] for v in votes] == ["down"]
    assert votes[0]["question"] == QUESTION and "[1]" in votes[0]["answer"] and votes[0]["citations"][0]["quote"]


async def test_private_ask_is_ephemeral(harness: Harness) -> None:
    """/ask private:True defers and answers ephemerally."""
    await harness.slash("ask", question=QUESTION, private=True)
    assert harness.http.requests[0].body == {"type": 5, "data": {"flags": 64}}
    assert all(m["flags"] & 64 for m in harness.http.messages())


async def test_a_bad_option_is_a_short_ephemeral_error(harness: Harness) -> None:
    """A domain error (a malformed date) replaces the public "thinking" with one ephemeral line."""
    await harness.slash("ask", question=QUESTION, since="last spring")
    assert any(r.method == "DELETE" for r in harness.http.requests)
    error = harness.http.messages()[-1]
    assert error["flags"] & 64 and "is not a date" in error["content"] and "\n" not in error["content"]


async def test_summarize_autocompletes_on_titles(harness: Harness) -> None:
    """Typing part of a title offers the matching articles, valued by id."""
    choices = await harness.autocomplete("summarize", "article", "personal letters")
    assert [c["value"] for c in choices] == ["2021-07-12-n-korea-china-leaders-exchange-personal-letters"]


async def test_summarize_posts_headline_bullets_and_quotes(harness: Harness) -> None:
    """/summarize answers with the article's headline, cited bullets and a Key quotes section."""
    await harness.slash("summarize", article="2021-07-12-n-korea-china-leaders-exchange-personal-letters")
    first = harness.http.embeds()[0]
    assert first["title"].startswith("N. Korea, China leaders exchange personal letters")
    assert "\u2022" in first["description"] and "**Key quotes**" in first["description"]


async def test_summarize_from_discord_never_reads_a_local_file(harness: Harness, tmp_path: Path) -> None:
    """A file path given to /summarize in Discord is not opened: only indexed articles are found."""
    secret = tmp_path / "notes.md"
    secret.write_text("---\ntitle: Private notes\n---\n\nThe password is swordfish.\n")
    await harness.slash("summarize", article=str(secret))
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64 and "no indexed article matches" in reply["content"]


async def test_sources_and_help(harness: Harness) -> None:
    """/sources lists the five seed articles; /help lists every command, privately."""
    await harness.slash("sources")
    assert harness.http.embeds()[0]["title"] == "5 articles"
    await harness.slash("help")
    help_text = harness.http.embeds()[-1]["description"]
    assert all(f"/{name}" in help_text for name in ("ask", "brief", "summarize", "sources", "add", "help"))
    assert "/ask question: [since:] [until:] [outlet:] [private:]" in help_text  # Discord's terms
    assert "/feeds add url: [every:]" in help_text and "/watch text:" in help_text
    assert "--" not in help_text  # no terminal options
    assert harness.http.messages()[-1]["flags"] & 64


async def test_brief_on_a_month(harness: Harness) -> None:
    """/brief date:2023-09 posts a briefing on the September 2023 article, with sources."""
    await harness.slash("brief", date="2023-09")
    titles = [e.get("title") for e in harness.http.embeds()]
    assert titles[0] == "Briefing, 2023-09-01 to 2023-09-30" and "Sources" in titles
    assert "**Changes in wording" in harness.http.embeds()[0]["description"]
    assert not any("[None]" in e.get("description", "") for e in harness.http.embeds())


async def test_non_admin_add_is_refused(harness: Harness, tmp_path: Path) -> None:
    """/add by a member without the admin role is refused ephemerally and indexes nothing."""
    article = tmp_path / "new.md"
    article.write_text("---\ntitle: Something\n---\n\nA sentence.\n")
    await harness.slash("add", user=harness.member, file=article)
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64 and "Yalu admin" in reply["content"]
    assert len(harness.bot.services.store.articles()) == 5


async def test_cooldown_refuses_a_second_question_kindly(seeded: Services, tmp_path: Path) -> None:
    """Within the cooldown, a second /ask gets a friendly ephemeral wait message and no answer."""
    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_cooldown_s=60.0))
    try:
        await harness.slash("ask", question=QUESTION)
        answered = len(harness.http.messages())
        await harness.slash("ask", question="What did Kim write to Xi?")
        wait = harness.http.messages()[answered:]
        assert len(wait) == 1 and wait[0]["flags"] & 64 and "again in" in wait[0]["content"]
    finally:
        await harness.stop()


async def test_commands_outside_the_allowed_channels_are_refused(seeded: Services, tmp_path: Path) -> None:
    """With DISCORD_CHANNEL_IDS set, a command elsewhere gets one ephemeral line and no answer."""
    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_channel_ids=[1]))
    try:
        await harness.slash("ask", question=QUESTION)
        (only,) = harness.http.messages()
        assert only["flags"] & 64 and "does not answer in this channel" in only["content"]
    finally:
        await harness.stop()


async def test_a_summary_lists_its_one_article_once_in_sources(harness: Harness) -> None:
    """/summarize cites one article many times: the Sources embed names it on one line, passages under it."""
    await harness.slash("summarize", article="2021-07-12-n-korea-china-leaders-exchange-personal-letters")
    sources = next(e for e in harness.http.embeds() if e.get("title") == "Sources")["description"]
    assert sources.count("The Hankyoreh, 2021-07-12") == 1
    assert len(re.findall(r"\*\*\[(\d+)\]\*\*", sources)) >= 2  # its cited passages, numbered, under that line
    assert "closest passages" not in sources


async def test_timeline_posts_cited_events_with_the_chart_attached(harness: Harness) -> None:
    """/timeline topic:letters: the events with numbered sources, and timeline.png attached and shown."""
    await harness.slash("timeline", topic="letters")
    first = next(m for m in harness.http.messages() if m.get("embeds"))
    (name, data), *_ = first["_files"]
    assert name == "timeline.png" and data[:8] == b"\x89PNG\r\n\x1a\n"
    embed = first["embeds"][0]
    assert embed["title"].startswith("Timeline on") and embed["image"]["url"] == "attachment://timeline.png"
    assert "2022-10-13" in embed["description"] and _source_numbers(harness)


async def test_search_posts_numbered_passages(harness: Harness) -> None:
    """/search query: … lists the best passages, numbered, with their sources."""
    await harness.slash("search", query="friendly neighbours linked by the same mountain and river")
    embed = harness.http.embeds()[0]
    assert embed["title"].startswith("Passages for") and embed["description"].startswith("[1] ")
    assert _source_numbers(harness)[:1] == [1]


async def test_trace_compare_and_quotes_are_slash_commands(harness: Harness) -> None:
    """/trace, /compare and /quotes answer in Discord with numbered sources, like the CLI tools they mirror."""
    await harness.slash("trace", phrase="friendly neighbours")
    await harness.slash("compare", a="2021-07", b="2023-09")
    await harness.slash("quotes", speaker="Xi")
    titles = [e["title"] for e in harness.http.embeds() if e.get("title") != "Sources"]
    assert titles[0].startswith("\u201cfriendly neighbours\u201d:") and "2021-07 against 2023-09" in titles[1]
    assert titles[2].endswith("quotes") and len(_source_numbers(harness)) >= 3


async def test_accounts_posts_the_reports_side_by_side(harness: Harness, seeded: Services) -> None:
    """/accounts posts what /accounts in yalu chat returns: the same title, with numbered sources."""
    from bot.chat_commands import ChatSession

    await harness.slash("accounts", event="2023-09")
    expected = ChatSession(seeded).handle("/accounts 2023-09")
    assert harness.http.embeds()[0]["title"] == expected.title and expected.citations
    assert len(_source_numbers(harness)) == len(expected.citations)


async def test_feedback_is_for_admins_and_private(harness: Harness) -> None:
    """/feedback shows an admin the vote counts privately; a member without the admin role is refused."""
    store = harness.bot.feedback
    store.vote(store.save_reply("answer", "Who wrote first?", "Kim did. [1]", []), "7", "down")
    await harness.slash("feedback", user=harness.member)
    refused = harness.http.messages()[-1]
    assert refused["flags"] & 64 and "Yalu admin" in refused["content"]
    await harness.slash("feedback", user=harness.admin)
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64 and "0 \U0001f44d, 1 \U0001f44e on 1 replies" in reply["embeds"][0]["description"]


async def test_eval_scores_an_attached_gold_file_for_admins_privately(harness: Harness, seeded: Services) -> None:
    """/eval with an attached gold file answers an admin privately with `yalu eval`'s summary line."""
    from bot.answer.gold import load_gold
    from bot.evaluate import evaluate
    from tests.conftest import FIXTURES

    gold = FIXTURES / "gold_small.jsonl"
    await harness.slash("eval", user=harness.admin, file=gold)
    reply = harness.http.messages()[-1]
    assert reply["flags"] & 64
    shown = reply["embeds"][0]["description"].replace("\\_", "_")  # Discord markdown escapes the underscores
    assert evaluate(seeded, load_gold(gold)).summary_line().split(" p50_ms")[0] in shown


async def test_bench_is_for_admins_privately_and_refuses_what_discord_cannot_wait_for(harness: Harness) -> None:
    """/bench runs the simulated bench for an admin and answers privately with its figures; a size past the
    limit is one private line naming the terminal command, and nothing is built."""
    from bot.bench.run import REMOTE_LIMITS

    await harness.slash("bench", user=harness.member, simulate=6)
    assert "Yalu admin" in harness.http.messages()[-1]["content"]
    too_big = REMOTE_LIMITS[True] + 1
    await harness.slash("bench", user=harness.admin, simulate=too_big)
    refused = harness.http.messages()[-1]
    assert refused["flags"] & 64 and f"yalu bench --simulate {too_big}" in refused["content"]
    await harness.slash("bench", user=harness.admin, simulate=6, rounds=1)
    reply = harness.http.messages()[-1]
    embed = reply["embeds"][0]
    assert reply["flags"] & 64 and embed["title"] == "Benchmark: 6 articles (simulated)"
    assert "plain p95 ms: " in embed["description"] and "cold start s: " in embed["description"]
