"""Break 8: the BM25 file and the registry snapshot are caches that heal; a lost HNSW file of an old index's
sentence collection is not read any more; an offline `yalu bot` ends in one line.

Each damage is done to a private copy of the seeded index; the answer after it must be the clean index's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.index.lexical import LexicalIndex
from bot.services import Services, build_services
from tests.conftest import make_settings
from tests.faults.edge_helpers import QUESTION, closed_port, copy_data_dir, port_of, services_over, serving

pytestmark = pytest.mark.faults

COLLECTION = "yalu_articles"
NEW_ARTICLE = """---
id: 2024-01-02-test-new-year-greetings
title: Kim and Xi exchange New Year greetings
outlet: Test Wire
published: 2024-01-02
---

Kim Jong-un sent New Year greetings to Xi Jinping on Monday, wishing the Chinese people happiness.

Xi replied that the two countries would write a new chapter of friendship in the new year.
"""


def _bm25(data: Path) -> Path:
    return data / "bm25" / COLLECTION / "index.arrays"


def _snapshot(data: Path) -> Path:
    return data / "registry" / f"{COLLECTION}.arrays"


def _rewritten(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite the saved BM25 file with its header or arrays changed (a well-formed file with wrong contents)."""
    from bot.index.array_file import read_arrays, write_arrays

    meta, mapped = read_arrays(path)
    parts: dict[str, Any] = {"meta": meta, **{name: np.array(a) for name, a in mapped.items()}}
    change(parts)
    meta = parts.pop("meta")
    write_arrays(path, meta, parts)


BM25_DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "empty": lambda p: p.write_bytes(b""),
    "not an array file": lambda p: p.write_bytes(b"this is not an index"),
    "metadata a JSON array": lambda p: _rewritten(p, lambda a: a.update(meta=[1, 2])),
    "arrays that disagree": lambda p: _rewritten(p, lambda a: a.update(alive=a["alive"][:-3])),
    "a header longer than the file": lambda p: p.write_bytes(p.read_bytes()[:8] + (10**9).to_bytes(8, "little")),
    "a folder in its place": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.fixture
def reference(seeded: Services) -> str:
    """The clean index's answer to QUESTION."""
    return seeded.ask(QUESTION).answer


@pytest.mark.parametrize("damage", BM25_DAMAGE, ids=list(BM25_DAMAGE))
def test_a_damaged_bm25_file_is_rebuilt_and_the_answer_unchanged(
    seeded: Services, tmp_path: Path, reference: str, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Truncated (BadZipFile), empty, foreign, wrongly typed or inconsistent: a warning, the same answer, a new file."""
    data = copy_data_dir(seeded, tmp_path / "data")
    BM25_DAMAGE[damage](_bm25(data))
    services = services_over(data, seeded)
    assert services.ask(QUESTION).answer == reference
    assert "BM25 index at" in caplog.text and "rebuilding it from the store" in caplog.text
    if _bm25(data).is_file():  # rebuilt and saved again: the next process loads it
        assert LexicalIndex.load(_bm25(data).parent) is not None


def _block_bm25_folder(data: Path) -> None:
    folder = _bm25(data).parent
    shutil.rmtree(folder)
    folder.write_text("a file where the BM25 folder should be")  # unwritable even for root


def test_an_unwritable_bm25_folder_costs_a_warning_not_an_answer(
    seeded: Services, tmp_path: Path, reference: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The BM25 folder cannot be written: ingest still commits, and asks answer from memory with a warning."""
    data = copy_data_dir(seeded, tmp_path / "data")
    _block_bm25_folder(data)
    services = services_over(data, seeded)
    assert services.ask(QUESTION).answer == reference
    new = tmp_path / "new.md"
    new.write_text(NEW_ARTICLE, encoding="utf-8")
    knowledge = shutil.copytree(seeded.settings.knowledge_dir, tmp_path / "knowledge")  # receives the copy
    services = build_services(make_settings(data, knowledge))
    report = services.ingest([new])
    assert report.added == ["2024-01-02-test-new-year-greetings"] and report.errors == []
    greeting = services.ask("What did Kim wish the Chinese people in his New Year greetings?")
    assert greeting.status == "answered" and greeting.citations[0].article_id == report.added[0]
    assert "could not save the BM25 index" in caplog.text


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the test above covers root")
def test_a_read_only_bm25_folder_costs_a_warning_not_an_answer(
    seeded: Services, tmp_path: Path, reference: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A read-only BM25 folder holding a damaged file: the same answer, from an index rebuilt in memory."""
    data = copy_data_dir(seeded, tmp_path / "data")
    _bm25(data).write_bytes(b"damaged")
    _bm25(data).parent.chmod(0o500)
    try:
        assert services_over(data, seeded).ask(QUESTION).answer == reference
    finally:
        _bm25(data).parent.chmod(0o700)
    assert "could not save the BM25 index" in caplog.text


def _snapshot_rows(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """Damage that keeps the snapshot current (its generation is the store's) but changes its contents."""

    def damage(path: Path) -> None:
        _rewritten(path, change)

    return damage


def _records(rows: list[bytes]) -> Callable[[dict[str, Any]], None]:
    """Replace the snapshot's records by these JSON texts (their checksum left as it was)."""

    def change(parts: dict[str, Any]) -> None:
        parts["records"] = np.frombuffer(b"".join(rows), np.uint8)
        parts["offsets"] = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)

    return change


SNAPSHOT_DAMAGE: dict[str, Callable[[Path], None]] = {
    "a JSON array": lambda p: p.write_text("[]", encoding="utf-8"),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "not UTF-8": lambda p: p.write_bytes(b"\xff\xfe\x00garbage"),
    "records that are numbers": _snapshot_rows(_records([b"1", b"2", b"3", b"4", b"5"])),
    "records missing fields": _snapshot_rows(_records([b'{"id": "x"}'] * 5)),
    "one record changed in place": _snapshot_rows(
        lambda d: d.update(records=np.where(d["records"] == ord("a"), ord("b"), d["records"]).astype(np.uint8))
    ),
    "ids an object": _snapshot_rows(lambda d: d["meta"].update(ids={"a": 1})),
    "columns of another length": _snapshot_rows(lambda d: d.update(lo=d["lo"][:-1])),
    "a folder in its place": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("damage", SNAPSHOT_DAMAGE, ids=list(SNAPSHOT_DAMAGE))
def test_a_damaged_registry_snapshot_is_bypassed_and_the_answer_unchanged(
    seeded: Services, tmp_path: Path, reference: str, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot that is not a current, well-formed object: a warning, the registry read from the store."""
    data = copy_data_dir(seeded, tmp_path / "data")
    assert _snapshot(data).is_file()
    SNAPSHOT_DAMAGE[damage](_snapshot(data))
    services = services_over(data, seeded)
    assert services.registry().keys() == seeded.registry().keys()
    assert services.ask(QUESTION).answer == reference
    assert "registry snapshot" in caplog.text
    if _snapshot(data).is_file():  # rewritten whole from the store: the next process takes it
        assert services_over(data, seeded).registry() == seeded.registry()


def test_an_unwritable_registry_folder_costs_a_warning_not_an_answer(
    seeded: Services, tmp_path: Path, reference: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The registry folder cannot be written: the registry comes from the store, the answer is the same."""
    data = copy_data_dir(seeded, tmp_path / "data")
    shutil.rmtree(data / "registry")
    (data / "registry").write_text("a file where the registry folder should be")
    assert services_over(data, seeded).ask(QUESTION).answer == reference
    assert "could not save the registry snapshot" in caplog.text


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Python code in a fresh process (a new Chroma client, the CLI's own logging), output captured."""
    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, timeout=240
    )


FILL = """
import sys, numpy as np, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
sentences = client.get_collection("yalu_articles_sentences")
vectors = np.random.default_rng(0).normal(size=(1100, 384)).astype(np.float32)
sentences.add(ids=[f"filler-{i}" for i in range(1100)], embeddings=vectors, metadatas=[{"filler": True}] * 1100)
"""


def test_a_lost_hnsw_file_of_the_old_sentence_collection_no_longer_stops_answers(
    seeded: Services, tmp_path: Path, reference: str
) -> None:
    """Past Chroma's 1,000-vector threshold an HNSW index lives in files. Indexes written before the sentence
    vectors left Chroma hold one; with a file of it lost, `yalu ask` still answers: nothing reads it."""
    data = copy_data_dir(seeded, tmp_path / "data")
    filled = subprocess.run([sys.executable, "-c", FILL, str(data / "chroma")], capture_output=True, timeout=240)
    assert filled.returncode == 0, filled.stderr
    (segment,) = {p.parent for p in (data / "chroma").glob("*/index_metadata.pickle")}  # the large index's files
    (segment / "data_level0.bin").unlink()
    env = {"YALU_DATA_DIR": str(data), "YALU_KNOWLEDGE_DIR": str(seeded.settings.knowledge_dir)}
    asked = _run(f"import sys; from bot.cli import main; sys.exit(main(['ask', '--json', {QUESTION!r}]))", env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["answer"] == reference


BOT = """
import sys
import discord.http
discord.http.Route.BASE = sys.argv[1]  # Discord's API as a closed port of this machine: nothing answers
from bot.cli import main
sys.exit(main(["bot"]))
"""


def _run_bot(seeded: Services, tmp_path: Path, api: str) -> subprocess.CompletedProcess[str]:
    """`yalu bot` in a fresh process, with Discord's API at `api`."""
    env = {
        "YALU_DATA_DIR": str(copy_data_dir(seeded, tmp_path / "data")),
        "YALU_KNOWLEDGE_DIR": str(seeded.settings.knowledge_dir),
        "DISCORD_TOKEN": "MTIzNDU2.fake-token.for-a-test",
    }
    return subprocess.run(
        [sys.executable, "-c", BOT, api], env={**os.environ, **env}, capture_output=True, text=True, timeout=240
    )


def test_yalu_bot_without_network_is_one_line(seeded: Services, tmp_path: Path) -> None:
    """`yalu bot` when Discord cannot be reached: the connecting line, then one error line; no traceback."""
    port = closed_port()
    ran = _run_bot(seeded, tmp_path, f"http://127.0.0.1:{port}/api/v10")
    assert ran.returncode == 1 and ran.stdout == ""
    connecting, failed = ran.stderr.splitlines()
    assert connecting == "yalu: connecting to Discord (Ctrl-C stops the bot)"
    assert failed.startswith(f"yalu: cannot reach Discord (Cannot connect to host 127.0.0.1:{port} ")
    assert failed.endswith("); check the network, then start again") and "fake-token" not in ran.stderr


class RefusingDiscord(BaseHTTPRequestHandler):
    """Discord's API refusing the token, as it answers GET /users/@me for a reset token."""

    def do_GET(self) -> None:
        """401 Unauthorized, Discord's JSON error body."""
        body = json.dumps({"message": "401: Unauthorized", "code": 0}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


def test_yalu_bot_with_a_refused_token_is_one_line(seeded: Services, tmp_path: Path) -> None:
    """`yalu bot` whose token Discord refuses: one line saying to reset the token; no traceback, no token."""
    with serving(RefusingDiscord) as discord_api:
        ran = _run_bot(seeded, tmp_path, f"http://127.0.0.1:{port_of(discord_api)}/api/v10")
    assert ran.returncode == 1 and ran.stdout == "" and "fake-token" not in ran.stderr
    assert ran.stderr.splitlines() == [
        "yalu: connecting to Discord (Ctrl-C stops the bot)",
        "yalu: Discord refused DISCORD_TOKEN: copy a new one from the Developer Portal (Bot, Reset Token) into .env",
    ]


def test_a_foreign_zip_in_place_of_the_bm25_file_is_rebuilt(
    seeded: Services, tmp_path: Path, reference: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A zip that is not an index (no arrays Yalu wrote): a warning and the same answer."""
    data = copy_data_dir(seeded, tmp_path / "data")
    with zipfile.ZipFile(_bm25(data), "w") as z:
        z.writestr("readme.txt", "hello")
    assert services_over(data, seeded).ask(QUESTION).answer == reference
    assert "BM25 index at" in caplog.text
