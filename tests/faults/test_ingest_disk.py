"""Breaks 8 and 9, disk faults: a full data dir, a read-only or full knowledge/ are one line, and nothing is lost.

Each runs in a mount namespace of its own (`unshare --user --map-root-user --mount`) with a small tmpfs or a
read-only bind mount, so no real disk fills up; where the machine does not allow that, the test is skipped and
says why.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.ingest.loaders import load_article_file
from bot.services import Services
from tests.conftest import KNOWLEDGE
from tests.faults.ingest_helpers import answers, env_for, expected_counts, save_vectors, seeds, warm
from tests.test_loaders import PAGE

pytestmark = pytest.mark.faults
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount"]


@functools.cache
def _no_namespace() -> str | None:
    """Why this machine cannot give a test its own mounts (None when it can)."""
    if shutil.which("unshare") is None:
        return "no `unshare` command on this machine"
    probe = subprocess.run(
        [*UNSHARE, "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>&1 || mount -t tmpfs -o size=64k tmpfs /tmp"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return f"cannot mount a small tmpfs in a user namespace here ({(probe.stderr or probe.stdout).strip()})"
    return None


def _run(scenario: str, tmp_path: Path, indexed: Services | None = None) -> dict[str, Any]:
    """Run a scenario of `tests.faults.disk_driver` in its own mount namespace, over a copy of the `indexed`
    data dir (else an empty one); returns what it reports."""
    if reason := _no_namespace():
        pytest.skip(f"disk-full faults need a small tmpfs: {reason}")
    data, incoming, knowledge = tmp_path / "data", tmp_path / "incoming", tmp_path / "knowledge"
    if indexed is not None:
        shutil.copytree(indexed.settings.data_dir, data)
    data.mkdir(exist_ok=True)
    knowledge.mkdir(exist_ok=True)
    incoming.mkdir()
    (incoming / "page.html").write_text(PAGE, encoding="utf-8")
    warm([*seeds(), load_article_file(incoming / "page.html")])
    vectors = save_vectors(tmp_path / "vectors")
    driver = [*UNSHARE, sys.executable, "-m", "tests.faults.disk_driver", str(vectors)]
    command = [*driver, scenario, str(data), str(knowledge)]
    done = subprocess.run(
        [*command, str(incoming)], env=env_for(data, knowledge), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.splitlines()[-1]))


def _assert_seeds_whole(state: dict[str, Any], seeded: Services) -> None:
    chunks, sentences = expected_counts(seeds())
    assert state["ids"] == sorted(a.id for a in seeds()) and state["incomplete"] == []
    assert (state["chunks"], state["sentences"]) == (chunks, sentences)
    assert state["answers"] == answers(seeded)


def test_a_full_data_dir_is_one_line_and_the_next_ingest_completes(seeded: Services, tmp_path: Path) -> None:
    """An ingest into a 600 KB data dir (the seed index needs about 1 MB) stops with one line saying what to do;
    once there is room, the next ingest indexes every article, with exact counts and the clean index's answers."""
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    report = _run("data-full", tmp_path)
    full, again = report["steps"]
    assert full["rc"] == 1 and len(full["err"]) == 1
    assert full["err"][0].startswith("yalu: could not write to the Chroma store in ")
    # The write fails either itself ("database or disk is full") or when the next read applies Chroma's log
    # ("Failed to apply logs": Chroma's message then names no cause; the line still says to free space).
    assert any(cause in full["err"][0] for cause in ("database or disk is full", "Failed to apply logs"))
    assert full["err"][0].endswith("free space (or fix permissions) and run `yalu ingest` again")
    # Committed before the failing read (their chunks and records were in Chroma's log) or added now: either
    # way every article is whole, as the counts and answers below check.
    assert again["rc"] == 0 and again["err"] == []
    assert again["out"][0].startswith(("5 added", "0 added, 0 updated, 5 unchanged"))
    _assert_seeds_whole(report, seeded)


def test_a_read_only_knowledge_folder_refuses_the_page_in_one_line(seeded: Services, tmp_path: Path) -> None:
    """With knowledge/ read-only, a page from elsewhere is one line and not indexed (a rebuild would lose it);
    the seeds are indexed as ever."""
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    report = _run("knowledge-read-only", tmp_path, indexed=seeded)
    refused, seeds_in = report["steps"]
    assert refused["rc"] == 1 and len(refused["err"]) == 1
    assert "cannot save its copy into" in refused["err"][0] and "Read-only file system" in refused["err"][0]
    assert seeds_in["rc"] == 0 and seeds_in["err"] == []
    assert report["knowledge"] == sorted(p.name for p in KNOWLEDGE.glob("*.md"))
    _assert_seeds_whole(report, seeded)


def test_a_full_knowledge_folder_refuses_the_page_in_one_line(seeded: Services, tmp_path: Path) -> None:
    """With knowledge/ full, a page from elsewhere is one line, no partial copy is left, and the seeds stay whole."""
    report = _run("knowledge-full", tmp_path, indexed=seeded)
    refused, seeds_in = report["steps"]
    assert refused["rc"] == 1 and len(refused["err"]) == 1
    assert "cannot save its copy into" in refused["err"][0] and "No space left on device" in refused["err"][0]
    assert seeds_in["rc"] == 0 and seeds_in["err"] == []
    assert report["knowledge"] == sorted(p.name for p in KNOWLEDGE.glob("*.md"))
    _assert_seeds_whole(report, seeded)
