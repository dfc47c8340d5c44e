"""The peer in the benchmark: the textbook LangChain recipe's search, over the same articles, in the same process.

The recipe splits each article into 1,000-character chunks with 200 characters of overlap, embeds each chunk,
puts them in one Chroma collection (HNSW, cosine) and answers a question with its 4 nearest chunks. Embedding
1,000-character chunks with the bundled model would add a quarter of an hour to every 1,000-article run, so a
recipe chunk's vector is the normalised mean of the stored vectors of the sentences it overlaps: real
sentence embeddings, as densely spread as the recipe's own would be, so HNSW does the same work. The question
is embedded by the real model, as the recipe does. What is compared is CPU per question (`time.process_time`):
the machine is often shared, and wall time would measure the neighbours.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from bot.services import Services

CHUNK_CHARS, OVERLAP_CHARS, TOP_K = 1000, 200, 4
_PAGE = 2000


def windows(length: int, size: int = CHUNK_CHARS, overlap: int = OVERLAP_CHARS) -> list[tuple[int, int]]:
    """The recipe's chunk ranges over a body of `length` characters: `size` long, each `overlap` into the last."""
    step = size - overlap
    return [(start, min(start + size, length)) for start in range(0, max(length - overlap, 1), step)]


def recipe_vectors(rows: Iterable[tuple[str, str, dict[str, Any]]]) -> tuple[list[str], np.ndarray[Any, Any]]:
    """(document text, unit vector) of every recipe chunk of the articles whose chunk records are `rows`."""
    from bot.index.store import Store

    by_article: dict[str, dict[int, tuple[int, np.ndarray[Any, Any], str]]] = {}
    for chunk_id, text, meta in rows:
        record = Store._record(chunk_id, text, meta)
        sentences = by_article.setdefault(record.article_id, {})
        for span, vector in zip(record.sentences, record.sentence_vectors, strict=True):
            sentences[span.start] = (span.end, np.asarray(vector, np.float32), record.sentence_text(span))
    texts: list[str] = []
    vectors: list[np.ndarray[Any, Any]] = []
    for sentences in by_article.values():
        starts = sorted(sentences)
        length = max(sentences[s][0] for s in starts)
        for lo, hi in windows(length):
            inside = [sentences[s] for s in starts if s < hi and sentences[s][0] > lo]
            if not inside:
                continue
            mean = np.mean([v for _, v, _ in inside], axis=0)
            vectors.append(mean / max(float(np.linalg.norm(mean)), 1e-9))
            texts.append(" ".join(t for _, _, t in inside))
    return texts, np.asarray(vectors, np.float32).reshape(len(vectors), -1)


def cpu_per_question(services: Services, questions: Sequence[str], rounds: int) -> dict[str, float]:
    """CPU-ms per question of Yalu's `ask` and of the recipe's search, measured one after the other here."""
    for q in questions:  # warm: caches, lazy imports, the first touch of each article
        services.ask(q)
    started = time.process_time()
    for _ in range(rounds):
        for q in questions:
            services.ask(q)
    ask_ms = (time.process_time() - started) * 1e3 / (rounds * len(questions))

    texts, vectors = recipe_vectors(services.store.iter_chunks())
    collection = services.store.client.create_collection(
        f"recipe_{uuid.uuid4().hex[:8]}", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    try:
        for start in range(0, len(texts), _PAGE):
            page = range(start, min(start + _PAGE, len(texts)))
            documents = [texts[i] for i in page]
            collection.add(ids=[str(i) for i in page], documents=documents, embeddings=vectors[page.start : page.stop])
        embed = services.embeddings.embed_query
        for q in questions:
            collection.query(query_embeddings=[embed(q)], n_results=TOP_K, include=["documents"])
        started = time.process_time()
        for _ in range(rounds):
            for q in questions:
                collection.query(query_embeddings=[embed(q)], n_results=TOP_K, include=["documents"])
        recipe_ms = (time.process_time() - started) * 1e3 / (rounds * len(questions))
    finally:
        services.store.client.delete_collection(collection.name)
    ratio = ask_ms / recipe_ms
    return {"ask_cpu_ms": ask_ms, "recipe_cpu_ms": recipe_ms, "ask_over_recipe": ratio, "recipe_chunks": len(texts)}
