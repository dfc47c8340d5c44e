"""Feedback storage: replies and votes in SQLite, exported as JSON lines by `yalu feedback --export`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.feedback import FeedbackStore

CITATIONS = [{"n": 1, "article_id": "a", "title": "T", "quote": "verbatim words"}]


def test_a_vote_is_stored_with_its_question_answer_and_citations(tmp_path: Path) -> None:
    """A vote comes back joined with the reply it was given on."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    reply_id = store.save_reply("answer", "What did Xi write?", "He wrote. [1]", CITATIONS)
    assert store.vote(reply_id, "42", "up")
    (vote,) = store.votes()
    assert vote["question"] == "What did Xi write?" and vote["answer"] == "He wrote. [1]"
    assert vote["citations"] == CITATIONS and vote["vote"] == "up" and vote["user_id"] == "42"


def test_a_second_vote_by_the_same_user_replaces_the_first(tmp_path: Path) -> None:
    """One vote per user and reply: changing one's mind keeps only the latest."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    reply_id = store.save_reply("answer", "Q?", "A. [1]", CITATIONS)
    store.vote(reply_id, "42", "up")
    store.vote(reply_id, "42", "down")
    store.vote(reply_id, "43", "up")
    assert sorted((v["user_id"], v["vote"]) for v in store.votes()) == [("42", "down"), ("43", "up")]


def test_a_vote_on_an_unknown_reply_is_refused(tmp_path: Path) -> None:
    """Voting on a reply id that was never stored records nothing."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert store.vote(99, "42", "up") is False and list(store.votes()) == []


def test_a_stored_reply_is_read_back_for_its_quotes(tmp_path: Path) -> None:
    """The Quotes button reads the citations of the stored reply."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    reply_id = store.save_reply("summary", None, "Bullets", CITATIONS)
    stored = store.reply(reply_id)
    assert stored is not None and stored.citations == CITATIONS and store.reply(reply_id + 1) is None


def test_export_writes_one_json_line_per_vote(tmp_path: Path) -> None:
    """export() writes JSONL and returns the count."""
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for n in range(3):
        store.vote(store.save_reply("answer", f"Q{n}?", "A. [1]", CITATIONS), "7", "up" if n else "down")
    out = io.StringIO()
    assert store.export(out) == 3
    assert [json.loads(line)["question"] for line in out.getvalue().splitlines()] == ["Q0?", "Q1?", "Q2?"]


def test_yalu_feedback_export_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu feedback --export FILE` writes the data dir's votes; `yalu feedback` counts them (as /feedback does)."""
    store = FeedbackStore.in_data_dir(tmp_path / "data")  # the data dir of the test environment
    store.vote(store.save_reply("answer", "Q?", "A. [1]", CITATIONS), "7", "up")
    target = tmp_path / "votes.jsonl"
    assert main(["feedback", "--export", str(target)]) == 0
    assert json.loads(target.read_text())["vote"] == "up"
    capsys.readouterr()
    assert main(["feedback"]) == 0
    assert "1 \U0001f44d, 0 \U0001f44e on 1 replies" in capsys.readouterr().out


def test_yalu_feedback_export_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu feedback --export` without a file prints the JSON lines."""
    store = FeedbackStore.in_data_dir(tmp_path / "data")
    store.vote(store.save_reply("answer", "Q?", "A. [1]", CITATIONS), "7", "down")
    assert main(["feedback", "--export"]) == 0
    assert json.loads(capsys.readouterr().out)["vote"] == "down"
