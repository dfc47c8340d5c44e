"""`yalu bench --simulate N`: the index of N synthetic articles built without the model, then served as the bot does.

Embedding 100,000 articles with the bundled model takes most of a day on two cores, so the
simulated bench writes the sentence vectors itself: a deterministic pseudo-embedding per
sentence (a unit vector drawn from the sentence's hash). Everything after the model is the
real code: the same Chroma collections and records, the same BM25 index, registry snapshot,
filters and answerer, and questions are embedded by the real model. What it measures is
therefore what grows with N (store, BM25, registry, filters, answering), not the model's cost.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bot.bench.measure import dir_mb, peak_rss_mb, percentile, rss_mb
from bot.chunking import chunk_sentences
from bot.index.store import Indexed, Vector

DIMENSION = 384  # the bundled MiniLM's
_BASIS_ROWS = 4096
_PER_SENTENCE = 8  # basis rows summed per sentence: near-unique vectors that still share directions, as text does
_BATCH = 500  # articles per write


def _basis() -> Vector:
    rng = np.random.default_rng(19)
    basis = rng.standard_normal((_BASIS_ROWS, DIMENSION)).astype(np.float32)
    return basis


_BASIS: Vector | None = None


def pseudo_vectors(texts: Sequence[str]) -> Vector:
    """One unit vector per text, a function of the text alone (its hash picks and weighs basis rows)."""
    global _BASIS
    if _BASIS is None:
        _BASIS = _basis()
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=2 * _PER_SENTENCE).digest() for t in texts)
    picks = np.frombuffer(digests, dtype=np.uint16).reshape(len(texts), _PER_SENTENCE)
    rows = _BASIS[picks % _BASIS_ROWS]  # (n, 8, 384)
    signs = np.where(picks >= 32768, -1.0, 1.0).astype(np.float32)[:, :, None]  # the top bit flips the row
    vectors = (rows * signs).sum(axis=1)
    unit: Vector = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def simulated_items(real_dir: Path, count: int, seed: int, chunk_size: int, overlap: int) -> Iterator[Indexed]:
    """The N articles as the ingest would hand them to the store: the real ones first, then synthetic ones."""
    from bot.bench.synth import SentencePool, synthetic_split
    from bot.chunking import split_sentences
    from bot.ingest.loaders import load_article_file

    real = [load_article_file(p) for p in sorted(real_dir.glob("*.md"))]
    pairs: Iterator[Any] = ((a, split_sentences(a.body)) for a in real[:count])
    pool = SentencePool.from_articles(real)
    for source in (pairs, synthetic_split(pool, max(0, count - len(real)), seed)):
        for article, spans in source:
            vectors = pseudo_vectors([s.text(article.body) for s in spans])
            yield Indexed(article, spans, chunk_sentences(spans, chunk_size, overlap), vectors)


def build(data_dir: Path, knowledge_dir: Path, real_dir: Path, count: int, seed: int) -> dict[str, Any]:
    """Write the simulated index into an empty data dir, then BM25 and the registry snapshot as an ingest does."""
    from bot.bench.stages import _services
    from bot.progress import progress_bar

    services = _services(data_dir, knowledge_dir)
    store = services.store
    settings = services.settings
    start = time.perf_counter()
    written = 0
    with progress_bar(None, f"Writing {count:,} simulated articles") as update, ThreadPoolExecutor(1) as writer:
        pending: Future[None] | None = None
        batch: list[Indexed] = []
        items = simulated_items(real_dir, count, seed, settings.chunk_sentences, settings.chunk_overlap)
        for item in items:
            batch.append(item)
            if len(batch) == _BATCH:
                pending = _write(writer, store, batch, pending)
                written += len(batch)
                update(written, count)
                batch = []
        if batch:
            pending = _write(writer, store, batch, pending)
            written += len(batch)
        if pending is not None:
            pending.result()
        update(written, count)
    write_s = time.perf_counter() - start
    services.refresh()
    t0 = time.perf_counter()
    generation = store.generation()
    registry = services.registry()
    registry_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    services.indexes(registry, generation)  # BM25 and the sentence vectors, in one pass over the chunks
    bm25_s = time.perf_counter() - t0
    return {
        "articles": store.count_articles(),
        "chunks": store.count_chunks(),
        "sentences": store.count_sentences(),
        "build_s": time.perf_counter() - start,
        "write_s": write_s,
        "registry_s": registry_s,
        "bm25_s": bm25_s,
        "build_peak_mb": peak_rss_mb(),
        "index_mb": dir_mb(data_dir),
    }


def _write(writer: ThreadPoolExecutor, store: Any, batch: list[Indexed], pending: Future[None] | None) -> Future[None]:
    """Queue one batch's write once the previous one is stored (a fresh index has no superseded versions to drop)."""
    if pending is not None:
        pending.result()

    def put() -> None:
        store.write_chunks(batch)
        store.commit(batch)

    return writer.submit(put)


def serve(data_dir: Path, knowledge_dir: Path, questions: Mapping[str, Sequence[str]], rounds: int) -> dict[str, Any]:
    """Open the index as the bot does, warm each question once, then time `ask` per kind of question."""
    from collections import Counter

    services = _open(data_dir, knowledge_dir)
    # The most common outlet: about a twelfth of a large simulated corpus, and present at any size.
    registry = services.registry()
    counts = Counter(int(c) for c in registry.outlet_codes)
    named = [(n, registry.outlets[code]) for code, n in counts.items() if registry.outlets[code]]
    chosen = max(named)[1] if named else None
    start = time.perf_counter()
    first = next(iter(questions.values()))[0]
    services.ask(first)
    first_answer_s = time.perf_counter() - start
    result: dict[str, Any] = {"first_answer_in_process_s": first_answer_s, "outlet": chosen}
    for kind, asked in questions.items():
        outlet = chosen if kind == "outlet" else None
        for q in asked:
            services.ask(q, outlet=outlet)
        times: list[float] = []
        for _ in range(rounds):
            for q in asked:
                t0 = time.perf_counter()
                services.ask(q, outlet=outlet)
                times.append((time.perf_counter() - t0) * 1e3)
        result[f"{kind}_p50_ms"] = percentile(times, 50)
        result[f"{kind}_p95_ms"] = percentile(times, 95)
    result["serve_rss_mb"] = rss_mb()
    result["serve_peak_mb"] = peak_rss_mb()
    return result


def _open(data_dir: Path, knowledge_dir: Path) -> Any:
    from bot.bench.stages import _services

    return _services(data_dir, knowledge_dir)


def growth(rows: Sequence[Mapping[str, Any]], key: str) -> float | None:
    """The exponent b of figure ≈ a·N^b fitted over the sizes measured (least squares in log-log); None below two."""
    points = [(float(r["articles"]), float(r[key])) for r in rows if r.get(key) and r.get("articles")]
    if len(points) < 2 or len({n for n, _ in points}) < 2:
        return None
    x = np.log([n for n, _ in points])
    y = np.log([v for _, v in points])
    slope = np.polyfit(x, y, 1)[0]
    return float(slope)
