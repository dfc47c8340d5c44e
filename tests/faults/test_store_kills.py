"""Breaks 5 and the kill half of 3: SIGKILL at seeded points of an ingest and of an update.

The kill lands just before or just after the N-th write to the store (N drawn from a seed among the
writes a clean run makes), in a real `yalu ingest` subprocess. Right after it, every article the index
lists is whole, in its old or its new version; the next ingest then leaves exact counts (no orphan, no
duplicate) and answers exactly as a clean index of the same files does.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.corpus import Article, read_article_file, to_markdown
from bot.ingest.ingestor import IngestReport
from tests.faults.ingest_helpers import (
    answers,
    assert_exact,
    counting_writes,
    env_for,
    folder_articles,
    knowledge_with,
    save_vectors,
    services_over,
    synthetic,
)

pytestmark = pytest.mark.faults
BATCH = 2  # articles per stored batch: nine articles make five batches, some thirty writes
INGEST_SEEDS = (11, 23)  # kill points: after the 15th write, after the 25th
UPDATE_SEEDS = (37, 53, 11)  # before the 3rd (a first commit), after the 7th (dropping old chunks), after the 15th


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge folder of the five seeds and four short synthetic articles."""
    return knowledge_with(tmp_path_factory.mktemp("corpus"), synthetic(4, seed=5))


def _edited(article: Article) -> str:
    return to_markdown(article).rstrip() + "\n\nAnalysts later added this sentence to the report.\n"


def _edit_some(folder: Path) -> list[Path]:
    """Change every third article of a folder (a sentence appended); returns the changed files."""
    changed = sorted(folder.glob("*.md"))[::3]
    for path in changed:
        path.write_text(_edited(read_article_file(path)), encoding="utf-8")
    return changed


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch) -> dict:
    """Clean runs, in this process, of the first ingest and of the update: their write counts and answers,
    and a copy of the data dir after the first ingest (the update tests start from it)."""
    root = tmp_path_factory.mktemp("clean")
    knowledge = root / "knowledge"
    shutil.copytree(corpus, knowledge)
    services = services_over(root / "data", knowledge)
    with counting_writes() as first:
        services.ingest([knowledge])
    before = answers(services)
    shutil.copytree(root / "data", root / "indexed")
    _edit_some(knowledge)
    with counting_writes() as update:
        report = services.ingest([knowledge])
    assert len(report.updated) == 3
    return {
        "ingest": len(first),
        "update": len(update),
        "before": before,
        "after": answers(services),
        "indexed": root / "indexed",
        "vectors": save_vectors(root / "vectors"),  # both versions' vectors: the subprocesses start with them
    }


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    """A monkeypatch for module-scoped fixtures: the clean runs use the same batch size as the killed ones."""
    import bot.ingest.ingestor

    patch = pytest.MonkeyPatch()
    patch.setattr(bot.ingest.ingestor, "_EMBED_BATCH_ARTICLES", BATCH)
    yield patch
    patch.undo()


def _killed_ingest(data: Path, knowledge: Path, vectors: Path, kill_at: int, when: str) -> None:
    """Run `yalu ingest` in a subprocess and SIGKILL it at the `kill_at`-th store write."""
    driver = [sys.executable, "-m", "tests.faults.ingest_driver", str(vectors)]
    command = [*driver, str(kill_at), when, str(BATCH), "--"]
    done = subprocess.run(command, env=env_for(data, knowledge), capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, f"the ingest was not killed: {done.stderr[-500:]}"


def _kill_point(seed: int, writes: int) -> tuple[int, str]:
    rng = random.Random(seed)
    return rng.randint(1, writes), rng.choice(("before", "after"))


def _assert_whole(data: Path, knowledge: Path, versions: dict[str, set[str]]) -> None:
    """Every listed article is one of its versions, and every chunk and sentence of that version is stored."""
    store = services_over(data, knowledge).store
    listed = {a.id: a.content_hash for a in store.articles()}
    assert all(h in versions[i] for i, h in listed.items())
    assert store.incomplete(list(listed)) == []


@pytest.mark.parametrize("seed", INGEST_SEEDS)
def test_an_ingest_killed_at_a_seeded_point_leaves_whole_articles_and_a_rerun_is_exact(
    seed: int, corpus: Path, clean: dict, tmp_path: Path, monkeypatch_module: pytest.MonkeyPatch
) -> None:
    """A first ingest SIGKILLed at a seeded write lists only whole articles; the next ingest gives exact counts
    and the clean index's answers."""
    knowledge, data = tmp_path / "knowledge", tmp_path / "data"
    shutil.copytree(corpus, knowledge)
    articles = folder_articles(knowledge)
    kill_at, when = _kill_point(seed, clean["ingest"])
    _killed_ingest(data, knowledge, clean["vectors"], kill_at, when)
    _assert_whole(data, knowledge, {a.id: {a.content_hash} for a in articles})

    services = services_over(data, knowledge)
    report = services.ingest([knowledge])
    assert not report.errors and len(report.added) + len(report.unchanged) == len(articles)
    assert_exact(services, articles)
    assert answers(services) == clean["before"]


@pytest.mark.parametrize("seed", UPDATE_SEEDS)
def test_an_update_killed_at_a_seeded_point_leaves_old_or_new_articles_whole(
    seed: int, corpus: Path, clean: dict, tmp_path: Path, monkeypatch_module: pytest.MonkeyPatch
) -> None:
    """Re-ingesting changed articles, SIGKILLed at a seeded write: each article is whole in its old or new
    version; the next ingest gives exact counts and the clean index's answers."""
    knowledge, data = tmp_path / "knowledge", tmp_path / "data"
    shutil.copytree(corpus, knowledge)
    shutil.copytree(clean["indexed"], data)
    old = {a.id: a.content_hash for a in folder_articles(knowledge)}
    _edit_some(knowledge)
    new = folder_articles(knowledge)
    kill_at, when = _kill_point(seed, clean["update"])
    _killed_ingest(data, knowledge, clean["vectors"], kill_at, when)
    _assert_whole(data, knowledge, {a.id: {old[a.id], a.content_hash} for a in new})

    services = services_over(data, knowledge)
    report: IngestReport = services.ingest([knowledge])
    assert not report.errors and len(report.updated) + len(report.unchanged) == len(new)
    assert_exact(services, new)
    assert answers(services) == clean["after"]
