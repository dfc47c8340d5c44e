"""Chunk records for the ids a search returns, rebuilt from what is already at hand instead of Chroma's chunk
collection.

A chunk is consecutive sentences of one article, so its record is its article's body sliced at its sentence
spans, with those sentences' vectors: the sentence-vector segments keep each chunk's rows and spans
(`SentenceVectors.chunk_layout`), and the body is the article's, which the answer reads anyway. Reading
the chunk collection instead made Chroma load its whole vector index at the first read of a process: 1.2 to
1.8 s and about 450 MB at 100,000 articles, for placeholder vectors nobody searches.

An id the vectors do not hold (an article version they have not caught up with, a chunk whose sentences are
not consecutive rows) is read from the store, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from enum import Enum

from bot.chunking import Span
from bot.corpus import Article
from bot.index.sentence_vectors import SentenceVectors
from bot.index.store import ChunkRecord, Store

_ARTICLES_CACHED = 256  # article bodies kept (a question reads about ten articles)


class _Unknown(Enum):
    """What the vectors and bodies cannot tell about a chunk: the store is asked."""

    ASK_STORE = "ask the store"


class ChunkSource:
    """Chunk records by id, from the sentence vectors and article bodies, else from the store."""

    def __init__(self, store: Store, vectors: SentenceVectors) -> None:
        """The store holds the articles (and every chunk record); `vectors` the chunk layouts."""
        self.store = store
        self.vectors = vectors
        self._articles: OrderedDict[str, Article | None] = OrderedDict()
        self._lock = threading.Lock()  # the Discord bot answers on worker threads

    def article(self, article_id: str) -> Article | None:
        """An indexed article, body included (None when it is not indexed), read from the store once while
        it is among the last few hundred read."""
        with self._lock:
            if article_id in self._articles:
                self._articles.move_to_end(article_id)
                return self._articles[article_id]
        article = self.store.article(article_id)
        with self._lock:
            self._articles[article_id] = article
            while len(self._articles) > _ARTICLES_CACHED:
                self._articles.popitem(last=False)
        return article

    def chunks(self, ids: Sequence[str]) -> list[ChunkRecord]:
        """Chunk records for the given ids, in the same order (ids found nowhere are skipped: the passage
        after an article's last is asked for as a neighbour)."""
        built: dict[str, ChunkRecord | _Unknown | None] = {}
        for chunk_id in dict.fromkeys(ids):
            built[chunk_id] = self._rebuilt(chunk_id)
        missing = [i for i in built if built[i] is _Unknown.ASK_STORE]
        if missing:
            built |= {r.id: r for r in self.store.chunks(missing)}
        return [r for i in ids if isinstance(r := built.get(i), ChunkRecord)]

    def _rebuilt(self, chunk_id: str) -> ChunkRecord | _Unknown | None:
        """The record of one chunk from its layout and its article's body; None when the article version is
        held and has no such chunk; ASK_STORE when the vectors or the body cannot tell (the store can)."""
        article_id, content_hash, index = _parts(chunk_id)
        if index is None:
            return None
        layout = self.vectors.chunk_layout(article_id, content_hash, index)
        if layout is None:
            return _Unknown.ASK_STORE
        spans, vectors = layout
        if not len(spans):
            return None
        article = self.article(article_id)
        if article is None or article.content_hash != content_hash:
            return _Unknown.ASK_STORE
        sentences = tuple(Span(int(a), int(b)) for a, b in spans.tolist())
        start, end = sentences[0].start, sentences[-1].end
        if end > len(article.body):
            return _Unknown.ASK_STORE
        return ChunkRecord(chunk_id, article_id, article.body[start:end], start, sentences, vectors)


def _parts(chunk_id: str) -> tuple[str, str, int | None]:
    """A chunk id's article, content hash and chunk index ("<article>:<hash>:<index>")."""
    article_id, _, rest = chunk_id.rpartition(":")
    article_id, _, content_hash = article_id.rpartition(":")
    return article_id, content_hash, int(rest) if rest.isdigit() and article_id else None
