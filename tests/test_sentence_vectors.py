"""The sentence vectors follow the store article by article, persist memory-mapped, and search as if built at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bot.config import Settings
from bot.corpus import read_article_file, to_markdown
from bot.index import sentence_vectors_file
from bot.index.sentence_vectors import SentenceVectors
from bot.index.store import Store
from bot.services import Services, build_services

QUERIES = ["What did Xi write to Kim in September 2023?", "strategic communication", "Korean War anniversary"]


def _scratch(store: Store) -> SentenceVectors:
    current = {a.id: a.content_hash for a in store.articles()}
    vectors, _ = SentenceVectors().synced(current, store.iter_chunks())
    return vectors


def _results(services: Services, vectors: SentenceVectors) -> list[list[tuple[str, float]]]:
    return [vectors.query(np.asarray(services.embeddings.embed_query(q), np.float32), 8) for q in QUERIES]


def _same(a: list[list[tuple[str, float]]], b: list[list[tuple[str, float]]]) -> bool:
    return all(
        [c for c, _ in x] == [c for c, _ in y] and np.allclose([s for _, s in x], [s for _, s in y])
        for x, y in zip(a, b, strict=True)
    )


def _folder(services: Services) -> Path:
    return services.settings.data_dir / "vectors" / services.settings.collection


def test_vectors_grown_one_article_at_a_time_search_like_ones_built_at_once(services: Services) -> None:
    """Adding articles one by one gives the same dense results as indexing them together; each ingest adds a
    segment (in publication order within it) and the small ones are merged, so their number stays bounded."""
    for path in sorted(services.settings.knowledge_dir.glob("*.md")):
        services.ingest([path])
    incremental = services.indexes()[1]
    assert len(incremental.segments) <= 2
    assert all(np.all(np.diff(s.lo) >= 0) for s in incremental.segments)
    assert _same(_results(services, incremental), _results(services, _scratch(services.store)))


def test_a_changed_or_deleted_article_leaves_no_row_behind(services: Services) -> None:
    """Re-ingesting a changed article replaces its rows; deleting one removes them: searches never name either."""
    services.ingest([services.settings.knowledge_dir])
    path = sorted(services.settings.knowledge_dir.glob("*.md"))[1]
    article = read_article_file(path)
    for n in range(3):
        path.write_text(to_markdown(article).replace(article.body[:20], f"Edit {n}. " + article.body[:20], 1))
        services.ingest([path])
    vectors = services.indexes()[1]
    registry = services.registry()
    assert vectors.articles == {a.id: a.content_hash for a in registry.values()}
    assert vectors.total_rows() < 1.5 * vectors.live_rows()  # tombstones are compacted away
    assert _same(_results(services, vectors), _results(services, _scratch(services.store)))
    services.delete(article.id)
    vectors = services.indexes()[1]
    assert article.id not in vectors.articles
    assert all(not cid.startswith(article.id + ":") for found in _results(services, vectors) for cid, _ in found)


def test_saved_vectors_are_memory_mapped_and_stamped_with_the_generation(services: Services) -> None:
    """A new process maps the saved rows instead of reading them, and the stamp is the store's token."""
    services.ingest([services.settings.knowledge_dir])
    services.ask(QUERIES[0])
    loaded = sentence_vectors_file.load(_folder(services))
    assert loaded is not None and isinstance(loaded.segments[0].vectors, np.memmap)
    assert loaded.generation == services.store.generation()
    fresh = build_services(services.settings)
    assert _same(_results(fresh, fresh.answerer.retriever.vectors), _results(services, loaded))


def test_replica_sharing_the_store_catches_up_with_another_ingest(services: Services) -> None:
    """Two Services on one store: what one ingests, the other's dense search finds on its next question."""
    files = sorted(services.settings.knowledge_dir.glob("*.md"))
    services.ingest(files[:4])
    replica = build_services(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            YALU_DATA_DIR=services.settings.data_dir,
            YALU_KNOWLEDGE_DIR=services.settings.knowledge_dir,
        )
    )
    assert len(replica.answerer.retriever.vectors.articles) == 4
    services.ingest(files[4:])
    assert len(replica.answerer.retriever.vectors.articles) == 5
    replica.close()


def test_saved_rows_are_read_from_the_file_exactly_as_from_memory(tmp_path: Path, monkeypatch: Any) -> None:
    """Scores over a saved, memory-mapped row file equal those over the same rows in memory, for a slice and
    for scattered runs of rows, read through the map (a small file) or with pread (a large one, here any);
    a file cut short is an OSError when read with pread."""
    import pytest

    import bot.index.sentence_vectors
    from bot.index.sentence_vectors import _scores

    rng = np.random.default_rng(3)
    rows = rng.integers(-127, 128, size=(3000, 384), dtype=np.int8)
    np.save(tmp_path / "rows.npy", rows)
    mapped = np.load(tmp_path / "rows.npy", mmap_mode="r")
    q = rng.standard_normal(384).astype(np.float32)
    scattered = np.concatenate([np.arange(5, 40), np.arange(1000, 1003), [2999], np.arange(2000, 3000)])
    for selection in (slice(0, 3000), slice(17, 1500), scattered):
        assert np.array_equal(_scores(mapped, selection, q), _scores(np.asarray(rows), selection, q))
    monkeypatch.setattr(bot.index.sentence_vectors, "PREAD_BYTES", 0)
    for selection in (slice(0, 3000), slice(17, 1500), scattered):
        assert np.array_equal(_scores(mapped, selection, q), _scores(np.asarray(rows), selection, q))
    with open(tmp_path / "rows.npy", "r+b") as handle:
        handle.truncate(200_000)
    with pytest.raises(OSError, match="shorter than its header says"):
        _scores(mapped, slice(0, 3000), q)
