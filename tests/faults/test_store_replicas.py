"""Break 4: several replicas on one real `chroma run` server.

Recovery prunes only the leftovers of dead runs (a replica's own killed run, or one whose lease expired),
never another replica's batch in flight; an article listed without its chunks is repaired by the next
ingest instead of being called unchanged.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

import bot.index.store
from bot.corpus import Article
from bot.index.store import Indexed
from bot.ingest.ingestor import IngestReport, _split_all
from bot.services import Services, build_services
from tests.conftest import KNOWLEDGE, make_settings
from tests.faults.ingest_helpers import answers, assert_exact, seeds, synthetic
from tests.test_chroma_server import ChromaServer

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One Chroma server for this module (each test uses its own collection)."""
    running = ChromaServer(tmp_path_factory.mktemp("replicas") / "db")
    running.start()
    yield running
    running.stop()


def _replica(server: ChromaServer, root: Path, name: str, collection: str) -> Services:
    """One replica: the shared server and knowledge folder, its own data dir."""
    knowledge = root / "knowledge"
    if not knowledge.exists():
        shutil.copytree(KNOWLEDGE, knowledge)
    extra = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": server.port, "YALU_COLLECTION": collection}
    return build_services(make_settings(root / name, knowledge, **extra))


def _prepared(services: Services, articles: Sequence[Article]) -> list[Indexed]:
    """Articles split, chunked and embedded as an ingest batch, ready to be written."""
    return services.ingestor._embed_batch(list(articles), _split_all(articles), IngestReport())


def test_recovery_prunes_its_own_dead_run_and_never_a_live_replicas_batch(server: ChromaServer, tmp_path: Path) -> None:
    """Replica B, restarting after its own ingest was killed, removes that run's leftovers while replica A has a
    batch in flight; A then commits, and every listed article is whole with exact counts."""
    a = _replica(server, tmp_path, "replica-a", "race_live")
    b = _replica(server, tmp_path, "replica-b", "race_live")
    a.ingest([a.settings.knowledge_dir])
    killed = b.store.begin_run()  # B's earlier ingest, killed after writing chunks, before its records
    b.store.write_chunks(_prepared(b, synthetic(1, seed=3)), killed)
    b.settings.data_dir.mkdir(parents=True, exist_ok=True)
    (b.settings.data_dir / "ingest.pending").write_text(killed, encoding="utf-8")
    new = synthetic(3, seed=4)
    run = a.store.begin_run()  # A, mid-batch: chunks written under its live lease, records still to come
    batch = _prepared(a, new)
    a.store.write_chunks(batch, run)

    report = b.ingest([b.settings.knowledge_dir])
    assert sorted(report.unchanged) == sorted(x.id for x in seeds()) and not report.errors

    a.store.commit(batch, run)
    a.store.drop_superseded(batch, run)
    a.store.end_run(run, {x.id: x.content_hash for x in new})
    assert_exact(b, [*seeds(), *new])  # A's batch whole, B's dead run's chunks gone


def test_a_run_whose_lease_expired_is_cleaned_up_by_any_replica(
    server: ChromaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica that died mid-batch and never came back: once its lease expires, another replica's ingest removes
    its leftovers."""
    a = _replica(server, tmp_path, "replica-a", "race_expired")
    b = _replica(server, tmp_path, "replica-b", "race_expired")
    a.ingest([a.settings.knowledge_dir])
    gone = a.store.begin_run()
    a.store.write_chunks(_prepared(a, synthetic(2, seed=6)), gone)  # then replica A's machine is lost
    monkeypatch.setattr(bot.index.store, "LEASE_S", 0.2)
    time.sleep(0.3)
    report = b.ingest([b.settings.knowledge_dir])
    assert len(report.unchanged) == 5 and not report.errors
    assert_exact(b, seeds())


def test_an_article_listed_without_chunks_is_repaired_not_called_unchanged(
    server: ChromaServer, seeded: Services, tmp_path: Path
) -> None:
    """An article whose chunks another replica's old-style prune removed is written again by the next ingest
    (reported as repaired), and the answers are the clean index's."""
    a = _replica(server, tmp_path, "replica-a", "race_repair")
    b = _replica(server, tmp_path, "replica-b", "race_repair")
    a.ingest([a.settings.knowledge_dir])
    victims = sorted(x.id for x in seeds())[1:3]
    a.store.delete_chunks(*victims)
    report = b.ingest([b.settings.knowledge_dir])
    assert sorted(report.repaired) == victims and sorted(report.updated) == victims
    assert len(report.unchanged) == 3
    assert_exact(b, seeds())
    assert answers(b) == answers(seeded)


def test_two_replicas_updating_one_article_at_once_leave_the_last_commit_whole(
    server: ChromaServer, tmp_path: Path
) -> None:
    """Replicas A and B write two new versions of one article at the same time: the version committed last is
    listed, whole, and no chunk of the other version is left."""
    a = _replica(server, tmp_path, "replica-a", "race_same")
    b = _replica(server, tmp_path, "replica-b", "race_same")
    a.ingest([a.settings.knowledge_dir])
    seed = seeds()[0]
    mine, theirs = (replace(seed, body=f"{seed.body}\n\nA note added by replica {n}.") for n in ("A", "B"))
    run_a, run_b = a.store.begin_run(), b.store.begin_run()
    batch_a, batch_b = _prepared(a, [mine]), _prepared(b, [theirs])
    a.store.write_chunks(batch_a, run_a)
    b.store.write_chunks(batch_b, run_b)
    a.store.commit(batch_a, run_a)
    a.store.drop_superseded(batch_a, run_a)  # B's version is in flight: kept
    b.store.commit(batch_b, run_b)
    b.store.drop_superseded(batch_b, run_b)
    a.store.end_run(run_a, {mine.id: mine.content_hash})  # A lost: its chunks go
    b.store.end_run(run_b, {theirs.id: theirs.content_hash})
    assert_exact(b, [theirs, *seeds()[1:]])
