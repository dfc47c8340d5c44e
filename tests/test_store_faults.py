"""Store faults: an ingest killed midway, a damaged or missing data dir; each recovers without losing an article."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.bench.synth import write_corpus
from bot.chunking import chunk_sentences, split_sentences
from bot.cli import main
from bot.loaders import load_article_file
from bot.services import build_services
from tests.conftest import KNOWLEDGE, make_settings

QUESTION = "What did Xi write to Kim in September 2023?"
_CLI = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def _expected_chunks(folder: Path) -> dict[str, int]:
    """Chunks each article of a folder should have, computed from the files alone."""
    counts = {}
    for path in folder.glob("*.md"):
        article = load_article_file(path)
        counts[article.id] = len(chunk_sentences(split_sentences(article.body), 3, 1))
    return counts


def test_ingest_killed_midway_leaves_a_consistent_index_and_a_rerun_completes(tmp_path: Path) -> None:
    """SIGKILL during an ingest: the index holds only whole articles, and running ingest again gives exact counts."""
    knowledge, data = tmp_path / "knowledge", tmp_path / "data"
    write_corpus([load_article_file(p) for p in sorted(KNOWLEDGE.glob("*.md"))], 100, knowledge)
    env = {**os.environ, "YALU_DATA_DIR": str(data), "YALU_KNOWLEDGE_DIR": str(knowledge)}
    process = subprocess.Popen([*_CLI, "ingest"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sqlite = data / "chroma" / "chroma.sqlite3"
    start_size = None
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:  # kill once the first batch is being written
        size = sqlite.stat().st_size if sqlite.exists() else None
        start_size = start_size or size
        if (data / "ingest.pending").exists() and size and start_size and size > start_size:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "ingest finished before it could be killed"

    services = build_services(make_settings(data, knowledge))
    registry = {a.id: a.content_hash for a in services.store.articles()}
    assert len(registry) < 100  # it really stopped midway
    for article_id in registry:  # every registered article is whole: records commit after their chunks
        assert services.store.article(article_id) is not None

    report = services.ingest([knowledge])
    expected = _expected_chunks(knowledge)
    registry = {a.id: a.content_hash for a in services.store.articles()}
    chunks = [(meta["article_id"], meta["content_hash"]) for _, _, meta in services.store.iter_chunks()]
    assert not report.errors and set(registry) == set(expected)
    assert len(chunks) == sum(expected.values())  # no duplicates, no orphans left by the killed run
    assert set(chunks) == set(registry.items())
    assert services.lexical().articles == registry


@pytest.fixture
def indexed_by_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir indexed by `yalu ingest` from the seed articles; returns its path."""
    data = tmp_path / "data"
    monkeypatch.setenv("YALU_DATA_DIR", str(data))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(KNOWLEDGE))
    assert main(["ingest"]) == 0
    return data


def _answers(capsys: pytest.CaptureFixture[str]) -> bool:
    """Whether `yalu ask --json` answers the reference question now."""
    code = main(["ask", "--json", QUESTION])
    return code == 0 and '"status": "answered"' in capsys.readouterr().out


def test_corrupted_store_is_one_clear_error_and_rebuild_restores_it(
    indexed_by_cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged chroma.sqlite3: `ask` says so in one line naming --rebuild; `ingest --rebuild` restores it."""
    (indexed_by_cli / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(65536))
    capsys.readouterr()
    assert main(["ask", QUESTION]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot open the Chroma store" in err[0] and "--rebuild" in err[0]
    assert main(["ingest", "--rebuild"]) == 0
    assert "moved it to" in capsys.readouterr().err
    assert list(indexed_by_cli.glob("chroma.broken-*"))  # the damaged copy is kept for inspection
    assert _answers(capsys)


def test_missing_data_dir_is_rebuilt_from_the_knowledge_folder(
    indexed_by_cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the data dir deleted, the next question rebuilds the index from knowledge/ and answers."""
    shutil.rmtree(indexed_by_cli)
    capsys.readouterr()
    assert _answers(capsys)
    assert build_services(make_settings(indexed_by_cli, KNOWLEDGE)).store.count_articles() == 5
