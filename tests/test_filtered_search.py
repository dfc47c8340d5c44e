"""Filtered dense search gives what Chroma's own metadata filter gives, by whichever path it takes."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

import bot.index.store
from bot.index.store import ArticleInfo
from bot.services import Services

QUESTION = "What did Xi write to Kim about their friendship?"


def _vector(services: Services) -> Any:
    return np.asarray(services.embeddings.embed_query(QUESTION), dtype=np.float32)


def _chroma_filtered(services: Services, articles: list[ArticleInfo], k: int) -> list[str]:
    """The reference: Chroma filtering on article ids itself."""
    where = {"article_id": {"$in": [a.id for a in articles]}}
    res = services.store._sentences.query(
        query_embeddings=[_vector(services).tolist()], n_results=k * 3, where=where, include=["metadatas"]
    )
    chunks = dict.fromkeys(f"{m['article_id']}:{m['content_hash']}:{m['chunk']}" for m in res["metadatas"][0])
    return list(chunks)[:k]


@pytest.fixture
def two_articles(seeded: Services) -> list[ArticleInfo]:
    registry = seeded.answerer.registry
    return [registry[i] for i in sorted(registry)[1:3]]


def test_articles_indexed_now_know_their_sentence_count(seeded: Services) -> None:
    """Each registry record says how many sentence records its article has."""
    for info in seeded.answerer.registry.values():
        assert info.sentences is not None and info.sentences > 0
        last = f"{info.id}:{info.content_hash}:s{info.sentences - 1}"
        assert seeded.store._sentences.get(ids=[last, last[:-1] + str(info.sentences)])["ids"] == [last]


def test_few_articles_are_searched_by_naming_their_sentences(seeded: Services, two_articles: list[ArticleInfo]) -> None:
    """A narrow filter names the allowed sentences to Chroma: same chunks as Chroma's metadata filter."""
    found = [cid for cid, _ in seeded.store.query(_vector(seeded), 5, two_articles)]
    assert found and found == _chroma_filtered(seeded, two_articles, 5)
    assert {cid.split(":")[0] for cid in found} <= {a.id for a in two_articles}


def test_many_articles_are_searched_by_reading_deeper(
    seeded: Services, two_articles: list[ArticleInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broad filter reads the nearest sentences and drops other articles': same chunks as Chroma's filter."""
    monkeypatch.setattr(bot.index.store, "_NAMED_SENTENCES", 0)
    found = [cid for cid, _ in seeded.store.query(_vector(seeded), 5, two_articles)]
    assert found == _chroma_filtered(seeded, two_articles, 5)


def test_legacy_records_and_stale_ids_fall_back_to_chroma_filtering(
    seeded: Services, two_articles: list[ArticleInfo]
) -> None:
    """Records without a sentence count, or with a content hash changed since, still get the right chunks."""
    expected = _chroma_filtered(seeded, two_articles, 5)
    legacy = [dataclasses.replace(a, sentences=None) for a in two_articles]
    stale = [dataclasses.replace(a, content_hash="0" * 16) for a in two_articles]
    assert [cid for cid, _ in seeded.store.query(_vector(seeded), 5, legacy)] == expected
    assert [cid for cid, _ in seeded.store.query(_vector(seeded), 5, stale)] == expected


def test_no_allowed_article_finds_nothing(seeded: Services) -> None:
    """A filter no article passes returns no chunk (and asks Chroma nothing)."""
    assert seeded.store.query(_vector(seeded), 5, []) == []
