"""Chunk records are stored without their text (Chroma would index it for a full-text search nobody runs);
readers get it cut from the article record's body, for that record's version only."""

from __future__ import annotations

from typing import Any

from bot.corpus import read_article_file
from bot.services import Services


def _indexed(services: Services) -> Services:
    services.ensure_index()
    return services


def _bodies(services: Services) -> dict[str, str]:
    articles = (read_article_file(path) for path in sorted(services.settings.knowledge_dir.glob("*.md")))
    return {article.id: article.body for article in articles}


def _one_stored_chunk(services: Services) -> tuple[str, dict[str, Any]]:
    got = services.store._raw["chunks"].get(limit=1, include=["metadatas"])
    return got["ids"][0], dict(got["metadatas"][0])


def test_chunk_texts_are_not_stored_and_read_back_as_the_bodys_span(services: Services) -> None:
    """The chunk collection holds no documents, and every chunk read through the store has the text of its
    article file's body at the chunk's offsets, its first sentence first."""
    store = _indexed(services).store
    stored = store._raw["chunks"].get(include=["documents"])
    assert stored["ids"] and all(document is None for document in stored["documents"])
    bodies = _bodies(services)
    rows = list(store.iter_chunks())
    assert len(rows) == len(stored["ids"])
    for chunk_id, text, meta in rows:
        body = bodies[str(meta["article_id"])]
        assert text == body[int(meta["start"]) : int(meta["end"])]
        first = store.chunks([chunk_id])[0].sentences[0]
        assert text.startswith(body[first.start : first.end])


def test_a_chunk_of_a_version_the_article_record_does_not_hold_is_left_out(services: Services) -> None:
    """A chunk written for another version of its article (an ingest between writing chunks and committing
    them) has no text the store can vouch for: neither `iter_chunks` nor `chunks` returns it."""
    store = _indexed(services).store
    chunk_id, meta = _one_stored_chunk(services)
    article_id, _, index = chunk_id.split(":")
    other = f"{article_id}:not-this-version:{index}"
    store._raw["chunks"].upsert(
        ids=[other], embeddings=[[1.0]], metadatas=[{**meta, "content_hash": "not-this-version"}]
    )
    assert other not in {row[0] for row in store.iter_chunks()}
    assert store.chunks([other, chunk_id])[0].id == chunk_id and len(store.chunks([other])) == 0


def test_a_record_written_with_its_text_reads_that_text(services: Services) -> None:
    """An index written before chunk texts were left out keeps them in the records; those are read as stored."""
    store = _indexed(services).store
    chunk_id, meta = _one_stored_chunk(services)
    store._raw["chunks"].upsert(ids=[chunk_id], embeddings=[[1.0]], metadatas=[meta], documents=["as stored"])
    store._chunk_cache.clear()
    assert dict((i, t) for i, t, _ in store.iter_chunks())[chunk_id] == "as stored"
    assert store.chunks([chunk_id])[0].text == "as stored"
