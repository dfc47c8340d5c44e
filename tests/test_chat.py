"""`yalu chat` and the shared command table: the same commands as Discord, in a terminal."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from bot.chat_commands import COMMANDS, ChatSession, parse_line
from bot.cli import main
from bot.errors import BadQuestion
from bot.services import Services
from tests.conftest import FIXTURES


def test_parse_line_reads_free_text_and_options() -> None:
    """`/ask` takes the free words as the question and `--since` as an option."""
    command, args = parse_line("/ask What did Xi write to Kim? --since 2023 --private")
    assert command.name == "ask"
    assert args == {"question": "What did Xi write to Kim?", "since": "2023", "private": True}


def test_parse_line_refuses_bad_input_in_one_line() -> None:
    """Unknown commands, missing values and non-numbers are clear errors."""
    for line, message in (
        ("/nope", "unknown command /nope"),
        ("/ask --since", "--since needs a value"),
        ("/brief --days x", "whole number"),
        ("/summarize", "needs article"),
        ("/sources all", "takes no text"),
    ):
        with pytest.raises(BadQuestion, match=message):
            parse_line(line)


def test_the_table_holds_the_discord_commands() -> None:
    """The table has ask ... sources, the analysis tools (timeline, trace, compare, quotes, search), add, feeds,
    watch, watches, eval, feedback, bench and help; add, feeds, eval, feedback and bench need the admin role."""
    assert list(COMMANDS) == [
        "ask",
        "brief",
        "summarize",
        "accounts",
        "sources",
        "timeline",
        "trace",
        "compare",
        "quotes",
        "search",
        "add",
        "feeds",
        "watch",
        "watches",
        "eval",
        "feedback",
        "bench",
        "help",
    ]
    assert [c.name for c in COMMANDS.values() if c.admin] == ["add", "feeds", "eval", "feedback", "bench"]
    assert [c.name for c in COMMANDS.values() if c.local_files] == ["add", "eval"]


# What `yalu` has that a conversation has not: the two adapters themselves. Every other subcommand is a
# command of the table.
OPERATOR_ONLY = {
    "bot": "runs the Discord adapter",
    "chat": "is this adapter",
}
CLI_TO_TABLE = {"ingest": "add"}  # the same operation; Discord takes an attachment or a URL


def test_every_yalu_command_is_a_command_of_chat_and_discord(seeded: Services, tmp_path: Path) -> None:
    """Each `yalu` subcommand but the operator's own is in the table that `yalu chat` and the Discord tree share."""
    from bot.cli import build_parser
    from bot.discord_app.commands import slash_commands

    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    discord_names = {c.name for c in slash_commands()}
    for name in subcommands:
        if name in OPERATOR_ONLY:
            continue
        table_name = CLI_TO_TABLE.get(name, name)
        assert table_name in COMMANDS, name
        assert table_name in discord_names, name
    assert set(COMMANDS) - {"help", "watches"} <= {CLI_TO_TABLE.get(n, n) for n in subcommands}


def test_feedback_in_chat_counts_votes_and_lists_the_answers_voted_down(seeded: Services) -> None:
    """/feedback in yalu chat counts the votes and lists the answers voted down (`yalu feedback` prints this reply)."""
    from bot.feedback import FeedbackStore

    store = FeedbackStore.in_data_dir(seeded.settings.data_dir)
    store.vote(store.save_reply("answer", "Who wrote first?", "Kim did. [1]", []), "7", "down")
    store.vote(store.save_reply("answer", "When?", "In 2021. [1]", []), "7", "up")
    reply = ChatSession(seeded).handle("/feedback")
    assert reply.blocks[0].text == "1 \U0001f44d, 1 \U0001f44e on 2 replies"
    assert (
        reply.blocks[1].heading == "Voted down, latest first" and "\u201cWho wrote first?\u201d" in reply.blocks[1].text
    )


def test_a_plain_line_is_a_question_and_the_next_a_follow_up(seeded: Services) -> None:
    """A question, then "and in 2021?", is answered as the same question about 2021."""
    session = ChatSession(seeded)
    first = session.handle("What did Xi write to Kim in September 2023?")
    follow = session.handle("and in 2021?")
    assert first.kind == "answer" and first.citations
    assert follow.title == "What did Xi write to Kim in 2021?"
    assert {c.published.year for c in follow.citations if c.published} == {2021}


def test_an_explicit_ask_starts_a_new_conversation(seeded: Services) -> None:
    """`/ask` is never rewritten, even right after another question."""
    session = ChatSession(seeded)
    session.handle("What did Xi write to Kim in September 2023?")
    assert session.handle("/ask Kim?").title == "Kim?"


def test_errors_are_replies_and_the_session_goes_on(seeded: Services) -> None:
    """A bad command is an error reply, and the next line is answered."""
    session = ChatSession(seeded)
    assert session.handle("/brief --days x").tone == "error"
    assert session.handle("/sources").title == "5 articles"


def test_summarize_in_the_terminal_may_name_a_file(seeded: Services, tmp_path: Path) -> None:
    """At the terminal (unlike Discord) /summarize accepts an article file on this machine."""
    article = tmp_path / "a.md"
    source = next(iter(sorted(seeded.settings.knowledge_dir.glob("*.md"))))
    article.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert ChatSession(seeded).handle(f"/summarize {article}").kind == "summary"


def test_yalu_chat_answers_typed_lines(
    seeded: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu chat` over the built index reads lines until /quit and prints answers with sources."""
    monkeypatch.setenv("YALU_DATA_DIR", str(seeded.settings.data_dir))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(seeded.settings.knowledge_dir))
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("What did Xi write to Kim in September 2023?\n/help\n/quit\n/sources\n")
    )
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "five times" in out and "[1] South China Morning Post, 2023-09-09" in out
    assert "/summarize ARTICLE" in out and "5 articles" not in out  # nothing is read after /quit


def test_yalu_bot_without_a_token_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu bot` with no DISCORD_TOKEN exits 1 with one line naming it and pointing to `yalu chat`."""
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["bot"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "DISCORD_TOKEN" in line and "yalu chat" in line


def test_yalu_chat_polls_feeds_and_shows_watch_alerts(services: Services) -> None:
    """/watch then /feeds in `yalu chat`: the feed's article is indexed and the watch's alert is in the reply."""
    import datetime as dt

    from bot.feeds import FeedBook
    from tests.feed_site import allow_private, serve

    local = allow_private(services)
    session = ChatSession(local)
    assert session.handle("/watch Sinuiju").title == "Watching"
    session.handle("/watches")  # the first look: what is indexed so far counts as seen
    with serve() as site:
        FeedBook(local.settings.data_dir).add(site.url("rss.xml"), 1800, dt.datetime.now(dt.UTC))
        reply = session.handle("/feeds")
    assert reply.blocks[0].text == f"{site.url('rss.xml')}: 2 new articles" and len(reply.added) == 2
    assert reply.blocks[1].heading == "Watches" and "between Dandong and Sinuiju" in reply.blocks[1].text


def test_the_timeline_in_chat_lists_cited_events_and_saves_its_chart(
    seeded: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`/timeline letters` in `yalu chat`: one line per event with its sources, and the PNG saved in the data dir."""
    monkeypatch.setenv("YALU_DATA_DIR", str(seeded.settings.data_dir))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(seeded.settings.knowledge_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("/timeline letters --since 2022\n/quit\n"))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "2022-10-13" in out and "Xi Jinping" in out and "The Korea Herald, 2022-10-16" in out
    assert "2021-07-11" not in out  # --since 2022
    assert "chart saved to" in out
    (saved,) = (seeded.settings.data_dir / "charts").glob("timeline-*.png")
    assert saved.name in "".join(out.split()) and saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_search_in_chat_gives_verbatim_numbered_passages(seeded: Services) -> None:
    """`/search` returns the passages behind `ask`, each cited verbatim with its article's offsets."""
    reply = ChatSession(seeded).handle("/search friendly neighbours mountain river --since 2023")
    assert reply.kind == "search" and reply.citations
    for c in reply.citations:
        assert seeded.find_article(c.article_id).body[c.start : c.end] == c.quote
        assert c.published is not None and c.published.year >= 2023
    assert reply.blocks[0].text.startswith("[1] ")


def test_trace_compare_and_quotes_in_chat_cite_verbatim(seeded: Services) -> None:
    """The analysis tools answer in `yalu chat` as in the CLI: every line cited, every citation verbatim."""
    session = ChatSession(seeded)
    trace = session.handle("/trace changes unseen in a century")
    assert trace.kind == "trace" and len(trace.citations) >= 2
    assert {c.published.year for c in trace.citations if c.published} >= {2021, 2023}
    comparison = session.handle("/compare --a 2021-07 --b 2023-09")
    assert comparison.kind == "compare" and [b.heading for b in comparison.blocks][2] == "In both"
    quotes = session.handle("/quotes --speaker Xi --since 2023")
    assert quotes.kind == "quotes" and quotes.citations
    for reply in (trace, comparison, quotes):
        for c in reply.citations:
            assert c.quote in seeded.find_article(c.article_id).body
        assert all(f"[{c.n}]" in reply.text for c in reply.citations)


def test_add_in_chat_takes_every_article_type_the_ingest_reads(services: Services, tmp_path: Path) -> None:
    """/add FILE accepts a .markdown file as `yalu ingest` does (one list of article types), and refuses a .pdf."""
    from bot.corpus import SUPPORTED_SUFFIXES

    article = tmp_path / "letter.markdown"
    article.write_text("---\nid: letter-2024\ntitle: A letter\npublished: 2024-01-02\n---\n\nXi wrote to Kim.\n")
    session = ChatSession(services)
    added = session.handle(f"/add {article}")
    assert added.tone == "ok" and "added: letter-2024" in added.blocks[0].text, added.text
    refused = session.handle(f"/add {tmp_path / 'letter.pdf'}")
    assert refused.tone == "error" and all(s in refused.text for s in SUPPORTED_SUFFIXES)


def test_eval_in_chat_scores_a_gold_file_as_yalu_eval_does(seeded: Services) -> None:
    """/eval FILE gives the summary line `yalu eval` prints, each kind's figures and the questions missed."""
    from bot.answer.gold import load_gold
    from bot.evaluate import evaluate

    gold = FIXTURES / "gold_small.jsonl"
    reply = ChatSession(seeded).handle(f"/eval {gold}")
    figures = evaluate(seeded, load_gold(gold)).summary_line().split(" p50_ms")[0]  # timings differ per run
    assert reply.kind == "eval" and reply.blocks[0].text.startswith(figures)
    assert reply.blocks[1].heading == "By kind" and "unanswerable: n=" in reply.blocks[1].text
    assert ChatSession(seeded).handle("/eval notes.txt").tone == "error"


def test_bench_in_chat_reports_the_figures_yalu_bench_tables(seeded: Services) -> None:
    """/bench --simulate N builds a simulated index and replies with every figure of `yalu bench --simulate`'s
    table, one value per size; both options at once, or no article, are one clear line."""
    from bot.bench.table import SIMULATED_COLUMNS

    reply = ChatSession(seeded).handle("/bench --simulate 7 --rounds 1")
    assert reply.kind == "bench" and reply.tone == "ok" and reply.title == "Benchmark: 7 articles (simulated)"
    lines = dict(line.split(": ", 1) for line in reply.blocks[0].text.splitlines())
    assert list(lines) == [label for label, _, _ in SIMULATED_COLUMNS if label != "articles"]
    assert int(lines["sentences"]) > 7 * 7 and float(lines["cold start s"]) > 0
    assert reply.note and "cores" in reply.note
    for line in ("/bench --simulate 7 --articles 7", "/bench --simulate 0"):
        assert ChatSession(seeded).handle(line).tone == "error", line
