"""Hybrid retrieval: dense (Chroma) and BM25 rankings fused by reciprocal rank, with filters and diversity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.dates import Window
from bot.lexical import LexicalIndex
from bot.store import ArticleInfo, ChunkRecord, Store, Vector, published_in

_RRF_K = 60  # the constant of Cormack et al.; damps the weight of the very first ranks


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be retrieved."""

    window: Window = field(default_factory=Window)
    outlets: tuple[str, ...] | None = None  # exact outlet names; None means any outlet

    def articles(self, registry: Mapping[str, ArticleInfo]) -> list[ArticleInfo] | None:
        """The articles that pass the filters; None when nothing is filtered."""
        if not self.window and self.outlets is None:
            return None
        outlets = set(self.outlets) if self.outlets is not None else None
        return [
            info
            for info in registry.values()
            if (not self.window or published_in(info, self.window.since, self.window.until))
            and (outlets is None or info.outlet in outlets)
        ]

    def mask(self, lexical: LexicalIndex) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows of the lexical index pass the filters."""
        t = lexical.table
        keep = np.ones(len(t.ids), dtype=bool)
        if self.window.since:
            keep &= t.hi >= self.window.since.toordinal()
        if self.window.until:
            keep &= t.lo <= self.window.until.toordinal()
        if self.outlets is not None:
            allowed = set(self.outlets)
            keep &= np.array([o in allowed for o in t.outlets], dtype=bool)
        return keep


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the scores of each ranking."""

    chunk: ChunkRecord
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Retrieval:
    """The passages for a query, best first, and the query's vector (reused for sentence scoring)."""

    query: str
    vector: Vector
    passages: list[Passage]


def _top(scores: np.ndarray[Any, np.dtype[np.floating[Any]]], n: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Indices of the n highest scores, best first (a partial sort: the index may hold 100,000 chunks)."""
    if len(scores) > n:
        part = np.argpartition(-scores, n)[:n]
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")


def rrf(rankings: list[list[str]], k: int = _RRF_K) -> dict[str, float]:
    """Reciprocal-rank fusion of several rankings of ids."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank + 1)
    return fused


def diversify(ranked: list[str], article_of: dict[str, str], k: int, per_article: int) -> list[str]:
    """Top k ids with at most `per_article` from one article, so other articles get a place."""
    picked: list[str] = []
    seen: Counter[str] = Counter()
    for item in ranked:
        if seen[article_of[item]] < per_article:
            picked.append(item)
            seen[article_of[item]] += 1
        if len(picked) == k:
            break
    return picked


class Retriever:
    """Searches the store with both rankings; built once and reused across questions."""

    def __init__(
        self,
        store: Store,
        embed_query: Any,
        lexical: LexicalIndex,
        registry: Mapping[str, ArticleInfo],
        depth: int = 30,
    ) -> None:
        """`embed_query` maps a text to a unit vector; `registry` holds the indexed articles (filters
        are resolved against it); `depth` is how deep each ranking looks."""
        self.store = store
        self.embed_query = embed_query
        self.lexical = lexical
        self.registry = registry
        self.depth = depth

    def search(
        self, query: str, filters: Filters, k: int = 8, per_article: int = 3, vector: Vector | None = None
    ) -> Retrieval:
        """The k best passages for a query under the filters (`vector`: the query's, if already embedded)."""
        if vector is None:
            vector = np.asarray(self.embed_query(query), dtype=np.float32)
        dense = self.store.query(vector, self.depth, filters.articles(self.registry))
        lex_scores = self.lexical.scores(query)
        lex_scores[~filters.mask(self.lexical)] = 0.0
        top = [int(i) for i in _top(lex_scores, self.depth) if lex_scores[i] > 0]
        lexical = [(self.lexical.table.ids[i], float(lex_scores[i])) for i in top]
        fused = rrf([[i for i, _ in dense], [i for i, _ in lexical]])
        ranked = sorted(fused, key=lambda i: -fused[i])
        article_of = {cid: cid.rsplit(":", 2)[0] for cid in ranked}
        chosen = diversify(ranked, article_of, k, per_article)
        dense_of, lex_of = dict(dense), dict(lexical)
        max_lex = max(lex_of.values(), default=1.0) or 1.0
        passages = [
            Passage(rec, fused[rec.id], dense_of.get(rec.id, 0.0), lex_of.get(rec.id, 0.0) / max_lex)
            for rec in self.store.chunks(chosen)
        ]
        return Retrieval(query, vector, passages)
