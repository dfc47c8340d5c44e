"""`yalu timeline`, `trace`, `compare` and `quotes`, run in-process over the seeded index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.services import Services

ASK_CITATION_KEYS = {
    *("n", "article_id", "title", "outlet", "published", "url", "quote", "passage", "start", "end"),
    *("speaker", "via"),
}


@pytest.fixture(autouse=True)
def _use_the_seeded_index(seeded: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI at the session's seeded index, so no command builds one (the commands only read it)."""
    monkeypatch.setenv("YALU_DATA_DIR", str(seeded.settings.data_dir))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(seeded.settings.knowledge_dir))


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_timeline_json_lists_the_exchanges_and_writes_a_png(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`timeline --json --png` lists dated Xi-Kim letters with ask-style citations and saves a PNG."""
    png = tmp_path / "timeline.png"
    data = _json(capsys, ["timeline", "--json", "--png", str(png)])
    xi_kim = {"Xi Jinping", "Kim Jong-un"}
    letters = [e for e in data["events"] if e["kind"] == "letter" and xi_kim <= set(e["parties"])]
    assert {"2021-03-22", "2021-07-11", "2022-10-13", "2025-10-09"} <= {e["date"] for e in letters}
    assert all(set(c) == ASK_CITATION_KEYS for e in data["events"] for c in e["citations"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_timeline_filters_by_topic_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    """`timeline letters --since 2022 --until 2022` keeps the 2022 letters only."""
    data = _json(capsys, ["timeline", "letters", "--since", "2022", "--until", "2022", "--json"])
    assert data["count"] >= 3 and all(e["kind"] == "letter" and e["date"].startswith("2022") for e in data["events"])


def test_trace_json_finds_the_phrase_in_four_articles(capsys: pytest.CaptureFixture[str]) -> None:
    """`trace --json "strategic communication"` reports four or more articles, with citations."""
    data = _json(capsys, ["trace", "--json", "strategic communication"])
    assert data["articles"] >= 4 and all(set(o["citation"]) == ASK_CITATION_KEYS for o in data["occurrences"])


def test_compare_json_gives_both_sides_cited_phrases(capsys: pytest.CaptureFixture[str]) -> None:
    """`compare --json` of July 2021 and October 2022 has phrases only in each, each with citations."""
    data = _json(capsys, ["compare", "--json", "2021-07", "2022-10"])
    assert data["only_a"] and data["only_b"]
    assert all(u["citation"]["quote"] == u["matched"] for p in data["only_a"] + data["only_b"] for u in p["uses"])


def test_quotes_json_filters_by_speaker(capsys: pytest.CaptureFixture[str]) -> None:
    """`quotes --speaker Kim --json` gives only Kim's quotes, verbatim with citations."""
    data = _json(capsys, ["quotes", "--speaker", "Kim", "--json"])
    assert data["count"] >= 5 and {q["speaker"] for q in data["quotes"]} == {"Kim Jong-un"}
    assert all(q["citation"]["quote"] == q["text"] for q in data["quotes"])


def test_human_output_shows_tables_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json, trace prints the phrase's table and compare names its sides."""
    assert main(["trace", "mountains and rivers"]) == 0
    assert "2 occurrences in 2 articles" in capsys.readouterr().out
    assert main(["compare", "personal letters", "new era"]) == 0
    assert "only in" in capsys.readouterr().out


def test_an_ambiguous_side_is_one_line_and_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    """`compare Xi 2022` names the matching articles on one stderr line and exits 1."""
    assert main(["compare", "Xi", "2021"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("yalu:") and "2023-09-09" in err[0]
