"""Store faults: a damaged or missing data dir; each recovers without losing an article.

Ingests and updates killed midway are in tests/faults/test_store_kills.py (seeded kill points).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.services import build_services
from tests.conftest import KNOWLEDGE, make_settings

QUESTION = "What did Xi write to Kim in September 2023?"


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
