"""The yalu command: JSON contract, batch mode, sources, ingest errors and eval, run in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.services import Services
from tests.conftest import FIXTURES, KNOWLEDGE


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir and knowledge copy shared by this module's commands (the index builds on first use)."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    return root


@pytest.fixture(autouse=True)
def _cli_env(cli_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YALU_DATA_DIR", str(cli_home / "data"))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(cli_home / "knowledge"))


def test_ask_json_builds_the_index_on_first_use(capsys: pytest.CaptureFixture[str]) -> None:
    """On an empty data dir, `yalu ask --json` indexes knowledge/ and answers with citations."""
    assert main(["ask", "--json", "What did Xi write to Kim in September 2023?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "answered" and data["citations"]


def test_ask_prints_answer_and_sources_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    """The human output shows the answer and numbered sources with outlet and date."""
    assert main(["ask", "How often had the two leaders met, by Xi's count in 2023?"]) == 0
    out = capsys.readouterr().out
    assert "five times" in out and "[1]" in out and "South China Morning Post" in out


def test_batch_keeps_ids_and_reports_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--batch answers each line under its id; a malformed line gets an error line, not a crash."""
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "What did Kim pledge on the Taiwan question?"}\n'
        'not json\n{"id": "c", "question": ""}\n'
    )
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["id"] == "a" and lines[0]["status"] == "answered"
    assert "error" in lines[1] and lines[1]["line"] == 2
    assert lines[2]["id"] == "c" and "empty" in lines[2]["error"]


def test_sources_json_lists_front_matter(capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu sources --json` gives each article's front matter."""
    assert main(["sources", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 5 and all({"id", "title", "outlet", "published"} <= i.keys() for i in items)


def test_empty_question_exits_non_zero_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A bad question is one line on stderr and exit code 1."""
    assert main(["ask", "  "]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("yalu:")


def test_ingest_of_a_missing_path_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A path that does not exist is named in the error output."""
    main(["ingest", str(tmp_path / "nope.md")])
    assert "nope.md" in capsys.readouterr().err


def test_eval_prints_the_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu eval` scores a gold file and prints the one-line summary."""
    assert main(["eval", str(FIXTURES / "gold_small.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "yalu eval: n=3" in out and "unanswerable" in out  # the per-kind table follows the rows


def test_summarize_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu summarize --json` prints bullets and quotes whose citations are verbatim."""
    assert main(["summarize", "--json", "personal letters"]) == 0
    data = json.loads(capsys.readouterr().out)
    quotes = {c["n"]: c["quote"] for c in data["citations"]}
    assert data["bullets"] and all(quotes[n] == b["text"] for b in data["bullets"] for n in b["citations"])
    assert all(quotes[q["n"]] == q["quote"] for q in data["quotes"])


@pytest.mark.parametrize(("cli", "chat"), [(["summarize", "personal letters"], "/summarize personal letters"),
                                         (["brief", "--date", "2023-09"], "/brief --date 2023-09")])  # fmt: skip
def test_the_cli_prints_the_reply_chat_and_discord_show(
    cli: list[str], chat: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu summarize` and `yalu brief` print the very Reply of /summarize and /brief: its title, every block
    and every numbered quote (one presentation step, rendered for the terminal)."""
    from bot.chat_commands import ChatSession
    from bot.cli.common import open_services

    assert main(cli) == 0
    out = " ".join(capsys.readouterr().out.split())
    reply = ChatSession(open_services()).handle(chat)
    assert reply.citations and " ".join(reply.title.split()) in out
    for block in reply.blocks:
        assert " ".join(block.text.split()) in out
    assert all(f"[{c.n}]" in out for c in reply.citations)


def test_summarize_ambiguous_reference_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """An ambiguous article reference is one `yalu:` line on stderr and exit code 1."""
    assert main(["summarize", "Korea"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("yalu: ") and err.count("\n") == 1


def test_brief_json_for_an_empty_year(capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu brief --since 2020-01-01 --until 2020-12-31 --json` has status empty and no citations."""
    assert main(["brief", "--since", "2020-01-01", "--until", "2020-12-31", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "empty" and data["citations"] == [] and data["window"]["since"] == "2020-01-01"


def test_brief_new_marks_articles_once_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu brief --new` covers the corpus once; the next one says nothing is new."""
    assert main(["brief", "--new", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "ok"
    assert main(["brief", "--new"]) == 0
    assert "since the last briefing" in capsys.readouterr().out


def test_ask_run_as_the_program_prints_the_whole_answer_and_its_exit_code(seeded: Services) -> None:
    """`yalu ask` as a program ends without the interpreter's shutdown: the answer still arrives whole (piped,
    as JSON) with exit code 0, and a bad question still gets its one line and exit code 1."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "YALU_DATA_DIR": str(seeded.settings.data_dir),
        "YALU_KNOWLEDGE_DIR": str(seeded.settings.knowledge_dir),
    }
    command = [sys.executable, "-m", "bot", "ask"]
    done = subprocess.run(
        [*command, "--json", "What did Xi write to Kim in September 2023?"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "answered"
    bad = subprocess.run([*command, ""], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "give a question" in bad.stderr and "Traceback" not in bad.stderr


def test_a_cold_ask_imports_no_langchain_module(seeded: Services) -> None:
    """Answering offline needs none of LangChain: a cold `yalu ask` imports no `langchain_core` module (importing
    LangChain's `Embeddings` base alone was 0.15 s of the cold start); the seam classes import it when used."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "YALU_DATA_DIR": str(seeded.settings.data_dir),
        "YALU_KNOWLEDGE_DIR": str(seeded.settings.knowledge_dir),
    }
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "ask", "--json", "What did Xi write to Kim in 2021?"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "answered"
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "bot.services" in imported
    assert [name for name in imported if name.startswith("langchain")] == []


def test_a_first_ingest_into_a_new_data_dir_indexes_the_knowledge_folder_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu ingest FILE` as the first command of a new data dir builds the corpus as `yalu ask` would, then
    adds the file: the five seed articles and the new one are indexed, and the file's report is its own."""
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    monkeypatch.setenv("YALU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    article = tmp_path / "inbox" / "letter.md"
    article.parent.mkdir()
    article.write_text("---\nid: letter-2025\ntitle: A letter\npublished: 2025-01-02\n---\n\nXi wrote to Kim.\n")
    assert main(["ingest", str(article)]) == 0
    assert capsys.readouterr().out.startswith("1 added, 0 updated")
    assert main(["sources", "--json"]) == 0
    ids = [a["id"] for a in json.loads(capsys.readouterr().out)]
    assert len(ids) == 6 and "letter-2025" in ids
