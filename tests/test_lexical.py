"""The BM25 index follows the store article by article, persists, and scores as if built from scratch."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.config import Settings
from bot.corpus import read_article_file, to_markdown
from bot.index.lexical import LexicalIndex
from bot.index.store import Store
from bot.services import Services, build_services

QUERIES = ["strategic communication", "Xi letter Kim new era", "Korean War anniversary", "treaty friendship 1961"]


def _by_chunk(index: LexicalIndex, query: str) -> dict[str, float]:
    scores = index.scores(query)
    return {cid: float(s) for cid, s in zip(index.table.ids, scores, strict=True) if s > 0}


def _scratch(store: Store) -> LexicalIndex:
    current = {a.id: a.content_hash for a in store.articles()}
    index, _ = LexicalIndex().synced(store, current)
    return index


class CountingStore:
    """The real store, counting the chunks it hands out through `iter_chunks`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.read = 0

    def iter_chunks(self, article_ids: Sequence[str] | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for row in self.store.iter_chunks(article_ids):
            self.read += 1
            yield row


def test_index_grown_one_article_at_a_time_scores_like_one_built_at_once(services: Services) -> None:
    """Adding articles one by one gives the same BM25 scores as indexing them together."""
    for path in sorted(services.settings.knowledge_dir.glob("*.md")):
        services.ingest([path])
    incremental = services.lexical()
    scratch = _scratch(services.store)
    for query in QUERIES:
        a, b = _by_chunk(incremental, query), _by_chunk(scratch, query)
        assert a.keys() == b.keys() and a
        assert np.allclose([a[k] for k in a], [b[k] for k in a])


def test_adding_an_article_reads_only_its_chunks(services: Services, tmp_path: Path) -> None:
    """Catching up after one new article reads that article's chunks from the store, not the whole corpus."""
    files = sorted(services.settings.knowledge_dir.glob("*.md"))
    services.ingest(files[:4])
    before = services.lexical()
    services.ingest(files[4:])
    counting = CountingStore(services.store)
    current = {a.id: a.content_hash for a in services.store.articles()}
    after, report = before.synced(counting, current)  # type: ignore[arg-type]
    new_id = read_article_file(files[4]).id
    new_chunks = sum(1 for _, _, meta in services.store.iter_chunks() if meta["article_id"] == new_id)
    assert report.added == 1 and report.removed == 0
    assert counting.read == new_chunks
    assert after.articles == current


def test_replaced_article_leaves_no_trace_in_scores_or_document_frequencies(services: Services) -> None:
    """An edited article's old chunks stop scoring, and a word only the old version used leaves the vocabulary."""
    services.ingest([services.settings.knowledge_dir])
    path = sorted(services.settings.knowledge_dir.glob("*.md"))[0]
    article = read_article_file(path)
    path.write_text(to_markdown(article).replace(article.body[:30], "Zanzibar observers noted. " + article.body[:30]))
    services.ingest([path])
    assert "zanzibar" in services.lexical().df
    path.write_text(to_markdown(article))
    services.ingest([path])
    index = services.lexical()
    assert "zanzibar" not in index.df
    assert _by_chunk(index, "Zanzibar") == {}
    assert _by_chunk(index, "strategic communication") == _by_chunk(_scratch(services.store), "strategic communication")


def test_saved_index_is_loaded_not_rebuilt(services: Services) -> None:
    """A second process opening the same data dir loads the saved index and reads no chunk from the store."""
    services.ingest([services.settings.knowledge_dir])
    folder = services.settings.data_dir / "bm25" / services.settings.collection
    loaded = LexicalIndex.load(folder)
    assert loaded is not None
    counting = CountingStore(services.store)
    current = {a.id: a.content_hash for a in services.store.articles()}
    same, report = loaded.synced(counting, current)  # type: ignore[arg-type]
    assert not report.changed and counting.read == 0
    assert loaded._postings is not None  # the postings were saved, not derived again at start-up
    assert not loaded._postings[1].flags.writeable  # and mapped from the file, not read into memory
    assert _by_chunk(same, "new era") == _by_chunk(services.lexical(), "new era")


def test_replica_sharing_the_store_catches_up_with_another_ingest(services: Services, tmp_path: Path) -> None:
    """Two Services on one store: what one ingests, the other's BM25 finds on its next question."""
    files = sorted(services.settings.knowledge_dir.glob("*.md"))
    services.ingest(files[:4])
    replica_settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        YALU_DATA_DIR=services.settings.data_dir,
        YALU_KNOWLEDGE_DIR=services.settings.knowledge_dir,
    )
    replica = build_services(replica_settings)
    assert len(replica.lexical().articles) == 4
    services.ingest(files[4:])
    assert len(replica.lexical().articles) == 5


def test_tombstones_are_compacted_away(services: Services) -> None:
    """Re-ingesting changed articles many times does not grow the index without bound."""
    services.ingest([services.settings.knowledge_dir])
    size = len(services.lexical().table.ids)
    path = sorted(services.settings.knowledge_dir.glob("*.md"))[1]
    article = read_article_file(path)
    for n in range(6):
        path.write_text(to_markdown(article).replace(article.body[:20], f"Edit {n}. " + article.body[:20], 1))
        services.ingest([path])
    index = services.lexical()
    assert len(index.table.ids) < size * 1.3
    assert _by_chunk(index, "strategic communication") == _by_chunk(_scratch(services.store), "strategic communication")


@pytest.mark.parametrize("damage", [b"", b"not an index file"])
def test_unreadable_saved_index_is_rebuilt_from_the_store(services: Services, damage: bytes) -> None:
    """A truncated or garbled BM25 file is rebuilt from the store instead of failing the question."""
    services.ingest([services.settings.knowledge_dir])
    expected = _by_chunk(services.lexical(), "new era")
    folder = services.settings.data_dir / "bm25" / services.settings.collection
    (folder / "index.arrays").write_bytes(damage)
    fresh = build_services(services.settings)
    assert _by_chunk(fresh.lexical(), "new era") == expected


def test_an_index_of_the_earlier_format_is_rebuilt_and_its_file_removed(services: Services) -> None:
    """A data dir from before the mapped format (index.npz) is rebuilt from the store once, and the old
    file, which would only take space, is removed when the new one is saved."""
    services.ingest([services.settings.knowledge_dir])
    expected = _by_chunk(services.lexical(), "new era")
    folder = services.settings.data_dir / "bm25" / services.settings.collection
    (folder / "index.arrays").unlink()
    (folder / "index.npz").write_bytes(b"an index of the earlier format")
    assert LexicalIndex.load(folder) is None
    fresh = build_services(services.settings)
    assert _by_chunk(fresh.lexical(), "new era") == expected
    assert (folder / "index.arrays").is_file() and not (folder / "index.npz").exists()


def test_chunk_ids_survive_compaction_and_a_save(services: Services) -> None:
    """Every row's chunk id, rebuilt from its article version and number, is the store's id, after a save
    and load, and after a compaction drops two articles' rows."""
    services.ingest([services.settings.knowledge_dir])
    index = services.lexical()
    stored = {cid for cid, _, _ in services.store.iter_chunks()}
    assert set(index.table.ids) == stored
    folder = services.settings.data_dir / "bm25" / services.settings.collection
    loaded = LexicalIndex.load(folder)
    assert loaded is not None and loaded.table.ids == index.table.ids
    compacted = loaded._copy()
    gone = sorted(compacted.articles)[:2]  # two of five articles: more than a quarter of the rows dead
    compacted.remove(gone)
    compacted._maybe_compact()
    kept = {cid for cid, _, meta in services.store.iter_chunks() if meta["article_id"] not in gone}
    assert len(compacted.table) < len(index.table) and set(compacted.table.ids) == kept
