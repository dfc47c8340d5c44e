"""Chunk records come from the sentence vectors and the article bodies, equal to the store's, and a question
is answered without reading Chroma's chunk collection (whose first read loads its whole vector index)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bot.corpus import read_article_file, to_markdown
from bot.index import sentence_vectors_file
from bot.index.chunk_source import ChunkSource
from bot.index.sentence_vectors import merge_segments
from bot.index.store import ChunkRecord
from bot.services import Services, build_services


def _same(a: ChunkRecord, b: ChunkRecord) -> bool:
    return (a.id, a.article_id, a.text, a.start, a.sentences) == (
        b.id,
        b.article_id,
        b.text,
        b.start,
        b.sentences,
    ) and np.array_equal(np.asarray(a.sentence_vectors), np.asarray(b.sentence_vectors))


def _every_chunk(services: Services) -> list[str]:
    return [chunk_id for chunk_id, _, _ in services.store.iter_chunks()]


class _ChunkReads:
    """Counts the reads of the store's chunk collection (the wrapped Chroma collection's get)."""

    def __init__(self, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        raw = services.store._raw["chunks"]
        get = raw.get

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return get(*args, **kwargs)

        monkeypatch.setattr(raw, "get", counted)


def test_rebuilt_records_equal_the_stored_ones(seeded: Services) -> None:
    """Every chunk of the seed index, rebuilt from the vectors' layout and its article's body, is the record
    the store holds: same text, offsets, sentences and vectors (bit for bit)."""
    ids = _every_chunk(seeded)
    source = ChunkSource(seeded.store, seeded.answerer.retriever.vectors)
    stored = {r.id: r for r in seeded.store.chunks(ids)}
    rebuilt = [source._rebuilt(i) for i in ids]
    assert all(isinstance(r, ChunkRecord) and _same(r, stored[r.id]) for r in rebuilt)
    assert [r.id for r in source.chunks(ids)] == ids


def test_a_question_is_answered_without_reading_the_chunk_collection(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a new process's services over an index, `ask` and `search` read no chunk record from Chroma, nor
    does asking for the passage after an article's last (a neighbour that does not exist)."""
    services.ingest([services.settings.knowledge_dir])
    fresh = build_services(services.settings)
    fresh.ensure_index()
    last = max(_every_chunk(fresh), key=lambda i: (i.rsplit(":", 1)[0], int(i.rsplit(":", 1)[1])))
    after = f"{last.rsplit(':', 1)[0]}:{int(last.rsplit(':', 1)[1]) + 1}"
    reads = _ChunkReads(fresh, monkeypatch)
    answer = fresh.ask("What did Xi write to Kim in September 2023?")
    assert answer.status == "answered" and answer.citations
    assert fresh.search("strategic communication")
    assert fresh.answerer.retriever.chunk_source.chunks([after, last])[0].id == last
    assert reads.calls == 0
    fresh.close()


def test_a_chunk_the_vectors_do_not_hold_comes_from_the_store(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk of an article version the vectors have not caught up with (here: vectors of before an edit)
    is read from the store, and an id found nowhere is skipped."""
    services.ingest([services.settings.knowledge_dir])
    before = services.indexes()[1]
    path = sorted(services.settings.knowledge_dir.glob("*.md"))[0]
    article = read_article_file(path)
    path.write_text(to_markdown(article).replace(article.body[:20], "Edited. " + article.body[:20], 1))
    services.ingest([path])
    new_ids = [
        i for i in _every_chunk(services) if i.startswith(f"{article.id}:") and before.articles[article.id] not in i
    ]
    assert new_ids
    reads = _ChunkReads(services, monkeypatch)
    source = ChunkSource(services.store, before)
    got = source.chunks([*new_ids, "no-such-article:0000:0"])
    assert [r.id for r in got] == new_ids
    assert all(_same(r, s) for r, s in zip(got, services.store.chunks(new_ids), strict=True))
    assert reads.calls >= 1


def test_the_chunk_table_survives_saving_and_merging(services: Services) -> None:
    """Saved and read back, and merged from segments of single articles, the vectors still rebuild every
    chunk as the store holds it."""
    for path in sorted(services.settings.knowledge_dir.glob("*.md")):
        services.ingest([path])
    folder = services.settings.data_dir / "vectors" / services.settings.collection
    loaded = sentence_vectors_file.load(folder)
    assert loaded is not None
    merged = merge_segments(list(zip(loaded.segments, loaded.alive, strict=True)))
    assert merged is not None
    ids = _every_chunk(services)
    stored = {r.id: r for r in services.store.chunks(ids)}
    for vectors in (loaded, type(loaded)([merged])):
        source = ChunkSource(services.store, vectors)
        rebuilt = [source._rebuilt(i) for i in ids if i.split(":")[1] == vectors.articles.get(i.split(":")[0])]
        assert rebuilt and all(isinstance(r, ChunkRecord) and _same(r, stored[r.id]) for r in rebuilt)
