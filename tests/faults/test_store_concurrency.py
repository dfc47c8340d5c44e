"""Break 3: one writer, any number of readers, on one embedded store.

A long-lived reader (the bot's shape) keeps answering while another process ingests; two ingests started
together run one after the other, each saying it waits. Answers are compared with clean indexes built the
same way in this process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.writer_lock import writer_lock
from bot.services import Services
from tests.faults.ingest_helpers import (
    answers,
    assert_exact,
    cli,
    env_for,
    folder_articles,
    json_lines,
    reference,
    save_vectors,
    services_over,
    synthetic,
    write_articles,
)

pytestmark = pytest.mark.faults
WAITING = "yalu: another ingest (process {pid}) is writing to this index; waiting for it to finish"


def _copy_index(seeded: Services, root: Path) -> tuple[Path, Path]:
    """A private copy of the seeded data dir and knowledge folder."""
    shutil.copytree(seeded.settings.data_dir, root / "data")
    shutil.copytree(seeded.settings.knowledge_dir, root / "knowledge")
    return root / "data", root / "knowledge"


def _wait_for(predicate: Any, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_long_lived_reader_answers_exactly_while_another_process_ingests(seeded: Services, tmp_path: Path) -> None:
    """A reader process asking throughout another process's ingest never fails, every answer is the clean
    index's before or after the new articles, and once the ingest is done it answers as the clean index after."""
    data, knowledge = _copy_index(seeded, tmp_path / "live")
    incoming = write_articles(tmp_path / "incoming", synthetic(12, seed=9))  # one batch: one commit
    before = answers(seeded)
    clean = tmp_path / "clean"
    shutil.copytree(knowledge, clean / "knowledge")
    after = reference(clean, [[clean / "knowledge"], [incoming]])
    assert after != before  # the new articles change the answers: a stale reader would show it
    vectors = save_vectors(tmp_path / "vectors")

    stop = tmp_path / "stop"
    out = (tmp_path / "reader.out").open("w+")
    reader = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.reader_driver", str(vectors), str(data), str(knowledge), str(stop)],
        env=env_for(data, knowledge),
        stdout=out,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(lambda: (tmp_path / "reader.out").read_text().count("\n") >= 1, "the reader's first round")
    writer = cli("ingest", str(incoming), data=data, knowledge=knowledge, vectors=vectors)
    _, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    stop.touch()
    assert reader.wait(timeout=120) == 0
    rounds = json_lines((tmp_path / "reader.out").read_text())
    assert [r["error"] for r in rounds if "error" in r] == []
    assert rounds[0]["answers"] == before and rounds[-1]["final"] and rounds[-1]["answers"] == after
    assert all(r["answers"] in (before, after) for r in rounds)


def test_two_ingests_started_together_run_one_after_the_other(seeded: Services, tmp_path: Path) -> None:
    """Two `yalu ingest` started while a writer holds the store each say in one line that they wait, then both
    finish: exact counts, and the answers (date-filtered ones too) of a clean index of the same articles."""
    data, knowledge = _copy_index(seeded, tmp_path / "live")
    first = write_articles(tmp_path / "first", synthetic(6, seed=21))
    second = write_articles(tmp_path / "second", synthetic(6, seed=22))
    errs = [tmp_path / "first.err", tmp_path / "second.err"]
    clean = tmp_path / "clean"
    shutil.copytree(seeded.settings.knowledge_dir, clean / "knowledge")
    expected = reference(clean, [[clean / "knowledge"], [first, second]])
    vectors = save_vectors(tmp_path / "vectors")
    with writer_lock(data, on_wait=print):
        runs = [
            cli("ingest", str(folder), data=data, knowledge=knowledge, vectors=vectors, stderr=err.open("w"))
            for folder, err in zip((first, second), errs, strict=True)
        ]
        waiting = WAITING.format(pid=os.getpid())
        _wait_for(lambda: all(waiting in e.read_text() for e in errs), "both ingests to say they wait")
    for run in runs:
        run.communicate(timeout=300)
        assert run.returncode == 0
    said = [[line for line in e.read_text().splitlines() if line.strip()] for e in errs]
    assert said == [[waiting], [waiting]]  # one line each, nothing else
    services = services_over(data, knowledge)
    assert_exact(services, folder_articles(knowledge))
    assert len(folder_articles(knowledge)) == 17
    assert answers(services) == expected
