"""Hybrid retrieval: dense (sentence vectors) and BM25 rankings fused by reciprocal rank, with filters and diversity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from bot.dates import Window
from bot.index.chunk_source import ChunkSource
from bot.index.lexical import LexicalIndex
from bot.index.registry import Registry
from bot.index.sentence_vectors import SentenceVectors
from bot.index.store import ArticleInfo, ChunkRecord, Store, Vector

_RRF_K = 60  # the constant of Cormack et al.; damps the weight of the very first ranks


class RegistryColumns:
    """The registry's arrays (date range, outlet code per article): a filter picks its articles with numpy
    instead of testing every record in Python (linear in the corpus per question)."""

    def __init__(self, registry: Registry) -> None:
        """The registry's own columns, in its order, so a filter returns the articles in registry order."""
        self.registry = registry
        self.lo, self.hi = registry.lo, registry.hi
        self.outlets = _Codes.of(registry.outlet_codes, registry.outlets)

    def in_window(self, window: Window) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which articles' publication dates (to their precision) overlap the window, as `published_in`
        decides it: undated articles never do."""
        keep = self.lo >= 0
        if window.since:
            keep &= self.hi >= window.since.toordinal()
        if window.until:
            keep &= self.lo <= window.until.toordinal()
        return keep


class _Codes:
    """A column of optional strings as integer codes, so `isin` runs in numpy."""

    def __init__(self, codes: np.ndarray[Any, Any], code_of: dict[str | None, int]) -> None:
        self.codes, self.code_of = codes, code_of

    @classmethod
    def of(cls, codes: np.ndarray[Any, Any], names: Sequence[str | None]) -> _Codes:
        """Codes that index `names`."""
        return cls(codes, {n: i for i, n in enumerate(names)})

    def isin(self, allowed: Iterable[str | None]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows hold one of the allowed values."""
        wanted = [self.code_of[v] for v in allowed if v in self.code_of]
        return np.isin(self.codes, np.array(wanted, dtype=np.int32))


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be retrieved."""

    window: Window = field(default_factory=Window)
    outlets: tuple[str, ...] | None = None  # exact outlet names; None means any outlet

    def articles(self, registry: Registry, columns: RegistryColumns | None = None) -> list[ArticleInfo] | None:
        """The articles that pass the filters; None when nothing is filtered (`columns`: the registry's, if built)."""
        if not self.window and self.outlets is None:
            return None
        cols = columns or RegistryColumns(registry)
        keep = cols.in_window(self.window) if self.window else np.ones(len(registry), dtype=bool)
        if self.outlets is not None:
            keep &= cols.outlets.isin(self.outlets)
        return [registry.at(int(i)) for i in np.flatnonzero(keep)]

    def mask(self, lexical: LexicalIndex) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows of the lexical index pass the filters."""
        t = lexical.table
        keep = np.ones(len(t), dtype=bool)
        if self.window.since:
            keep &= t.hi >= self.window.since.toordinal()
        if self.window.until:
            keep &= t.lo <= self.window.until.toordinal()
        if self.outlets is not None:
            keep &= t.outlet_mask(self.outlets)
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
    note: str | None = None  # why there are none when the --since/--until window holds no article


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
        registry: Registry,
        vectors: SentenceVectors,
        depth: int = 30,
    ) -> None:
        """`embed_query` maps a text to a unit vector; `registry` holds the indexed articles (filters
        are resolved against it); `vectors` are their sentences' (dense search); `depth` is how deep
        each ranking looks."""
        self.store = store
        self.embed_query = embed_query
        self.lexical = lexical
        self.registry = registry
        self.vectors = vectors
        self.depth = depth
        self.chunk_source = ChunkSource(store, vectors)  # chunk records without Chroma's chunk collection

    @cached_property
    def columns(self) -> RegistryColumns:
        """The registry as arrays, built at the first filtered question (a retriever lives for one registry)."""
        return RegistryColumns(self.registry)

    def _empty_window_note(self, window: Window) -> str:
        """ "No article in the corpus was published between …", and which is the latest, with outlet and date."""
        latest = self.registry.latest()
        line = f"No article in the corpus was published {window.describe()}."
        if latest is not None and latest.published is not None:
            source = f"{latest.outlet or 'outlet unknown'}, {latest.published.isoformat()}"
            line += f" The latest is \u201c{latest.title}\u201d ({source})."
        return line

    def search(
        self,
        query: str,
        filters: Filters,
        k: int = 8,
        per_article: int = 3,
        vector: Vector | None = None,
        lexical_scores: np.ndarray[Any, np.dtype[np.float64]] | None = None,
    ) -> Retrieval:
        """The k best passages for a query under the filters (`vector`: the query's, if already embedded;
        `lexical_scores`: its BM25 scores of every chunk, if already computed; they are not changed).

        A window that holds no article gives no passage and a note that says so and names the latest article,
        without embedding the query."""
        if filters.window and not self.columns.in_window(filters.window).any():
            return Retrieval(query, np.zeros(0, dtype=np.float32), [], self._empty_window_note(filters.window))
        if vector is None:
            vector = np.asarray(self.embed_query(query), dtype=np.float32)
        dense = self.vectors.query(vector, self.depth, filters.window, filters.outlets)
        lex_scores = self.lexical.scores(query) if lexical_scores is None else lexical_scores.copy()
        lex_scores[~filters.mask(self.lexical)] = 0.0
        top = [int(i) for i in _top(lex_scores, self.depth) if lex_scores[i] > 0]
        lexical = [(self.lexical.table.chunk_id(int(i)), float(lex_scores[i])) for i in top]
        fused = rrf([[i for i, _ in dense], [i for i, _ in lexical]])
        ranked = sorted(fused, key=lambda i: -fused[i])
        article_of = {cid: cid.rsplit(":", 2)[0] for cid in ranked}
        chosen = diversify(ranked, article_of, k, per_article)
        dense_of, lex_of = dict(dense), dict(lexical)
        max_lex = max(lex_of.values(), default=1.0) or 1.0
        passages = [
            Passage(rec, fused[rec.id], dense_of.get(rec.id, 0.0), lex_of.get(rec.id, 0.0) / max_lex)
            for rec in self.chunk_source.chunks(chosen)
        ]
        return Retrieval(query, vector, passages)
