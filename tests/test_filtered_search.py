"""Dense search over the sentence vectors gives what scoring every allowed sentence by hand gives, by any path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

import bot.index.retrieve
import bot.index.sentence_vectors
from bot.answer.answerer import _PERIOD_GRACE
from bot.answer.question import read_question
from bot.dates import Window, published_in
from bot.index.sentence_vectors import SentenceVectors
from bot.index.store import ArticleInfo
from bot.services import Services

QUESTION = "What did Xi write to Kim about their friendship?"


def _vector(services: Services) -> Any:
    return np.asarray(services.embeddings.embed_query(QUESTION), dtype=np.float32)


def _by_hand(services: Services, allowed: list[ArticleInfo], k: int) -> list[str]:
    """The reference: every sentence of the allowed articles scored from its chunk record, best 3k named by chunk."""
    q = _vector(services)
    scored: dict[tuple[str, int], tuple[float, str]] = {}
    for cid, _, meta in services.store.iter_chunks([a.id for a in allowed]):
        record = services.store.chunks([cid])[0]
        for span, vec in zip(record.sentences, record.sentence_vectors, strict=True):
            key = (record.article_id, span.start)
            score = float(vec @ q)
            if key not in scored or int(meta["chunk"]) < int(scored[key][1].rsplit(":", 1)[1]):
                scored[key] = (score, cid)  # a sentence belongs to the first chunk that holds it
    ranked = sorted(scored.values(), key=lambda t: -t[0])[: k * 3]
    return list(dict.fromkeys(cid for _, cid in ranked))[:k]


def _vectors(services: Services) -> SentenceVectors:
    return services.answerer.retriever.vectors


def test_every_sentence_of_the_index_is_searched(seeded: Services) -> None:
    """A plain search of a small index scores every sentence: the chunks of the best ones, best first."""
    registry = list(seeded.answerer.registry.values())
    found = [cid for cid, _ in _vectors(seeded).query(_vector(seeded), 5)]
    assert found and found == _by_hand(seeded, registry, 5)
    assert _vectors(seeded).live_rows() == sum(a.sentences or 0 for a in registry)


def test_a_date_window_searches_only_its_articles(seeded: Services) -> None:
    """A window finds the chunks of the articles published in it, as scoring only those by hand does."""
    window = Window(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    allowed = [a for a in seeded.answerer.registry.values() if published_in(a, window.since, window.until)]
    assert 0 < len(allowed) < len(seeded.answerer.registry)
    found = [cid for cid, _ in _vectors(seeded).query(_vector(seeded), 5, window)]
    assert found == _by_hand(seeded, allowed, 5)


def test_an_outlet_searches_only_its_articles(seeded: Services) -> None:
    """An outlet filter (with or without a window) finds only that outlet's chunks, as scoring by hand does."""
    registry = seeded.answerer.registry.values()
    outlet = sorted(a.outlet for a in registry if a.outlet)[0]
    allowed = [a for a in registry if a.outlet == outlet]
    found = [cid for cid, _ in _vectors(seeded).query(_vector(seeded), 5, None, (outlet,))]
    assert found == _by_hand(seeded, allowed, 5)
    open_ended = Window(since=min(a.published for a in allowed if a.published))
    assert [cid for cid, _ in _vectors(seeded).query(_vector(seeded), 5, open_ended, (outlet,))] == found


def test_articles_closest_by_centroid_are_searched_above_the_full_scan_size(
    seeded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the full-scan size, the sentences of the articles closest by centroid are scored: with room for
    every article the result is the full scan's, with room for one it is that article's best chunks."""
    full = _vectors(seeded).query(_vector(seeded), 5)
    monkeypatch.setattr(bot.index.sentence_vectors, "FULL_SCAN_ROWS", 0)
    assert _vectors(seeded).query(_vector(seeded), 5) == full
    monkeypatch.setattr(bot.index.sentence_vectors, "COARSE_ARTICLES", 1)
    one = _vectors(seeded).query(_vector(seeded), 5)
    assert len({cid.split(":")[0] for cid, _ in one}) == 1


def test_no_allowed_article_finds_nothing(seeded: Services) -> None:
    """A window no article was published in returns no chunk."""
    window = Window(dt.date(1990, 1, 1), dt.date(1990, 12, 31))
    assert _vectors(seeded).query(_vector(seeded), 5, window) == []
    assert _vectors(seeded).query(_vector(seeded), 5, None, ("No Such Outlet",)) == []


def test_a_dated_question_scores_bm25_once_for_all_its_searches(
    seeded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question naming a date searches once without a window and once per period from that date on; the
    words are the same, so BM25 scores them once, and each search finds what it finds with its own scores."""
    retriever = seeded.answerer.retriever
    lexical = retriever.lexical
    calls: list[str] = []
    score = lexical.scores

    def counted(query: str) -> Any:
        calls.append(query)
        return score(query)

    monkeypatch.setattr(lexical, "scores", counted)
    found = seeded.answerer.retrieve("What did Xi write to Kim in September 2023?", bot.index.retrieve.Filters(), 10)
    assert len(calls) == 1
    monkeypatch.undo()
    period = read_question("What did Xi write to Kim in September 2023?").periods[0]
    window = Window(period.first, period.last + _PERIOD_GRACE)
    own = retriever.search(found.query, bot.index.retrieve.Filters(window), k=5, per_article=2, vector=found.vector)
    assert {p.chunk.id for p in own.passages} <= {p.chunk.id for p in found.passages}
