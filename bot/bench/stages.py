"""The benchmark's stages, each run in its own process: ingest, the embedding ceiling, serving, cold start."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.bench.measure import dir_mb, peak_rss_mb, percentile, rss_mb


def _services(data_dir: Path, knowledge_dir: Path) -> Any:
    from bot.config import Settings
    from bot.services import build_services

    settings = Settings(_env_file=None, YALU_DATA_DIR=data_dir, YALU_KNOWLEDGE_DIR=knowledge_dir)
    return build_services(settings)


def ingest(data_dir: Path, knowledge_dir: Path) -> dict[str, Any]:
    """Ingest the folder into an empty index; throughput counts every text the model embedded."""
    from bot.progress import progress_bar

    services = _services(data_dir, knowledge_dir)
    files = len(list(knowledge_dir.glob("*.md")))
    with progress_bar(None, f"Ingesting {files:,} articles") as update:
        start, cpu = time.perf_counter(), time.process_time()
        report = services.ingest([knowledge_dir], progress=update)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    sentences = services.store.count_sentences()
    articles = services.store.count_articles()
    return {
        "articles": articles,
        "chunks": services.store.count_chunks(),
        "sentences": sentences,
        "errors": len(report.errors),
        "ingest_s": seconds,
        "articles_per_s": articles / seconds,
        "chunks_per_s": report.chunks / seconds,
        "texts_per_s": sentences / seconds,  # the model embeds each sentence once, and nothing else
        "cpu_ms_per_text": 1000 * cpu / max(1, sentences),  # every thread of the process: the model and the rest
        "ingest_peak_mb": peak_rss_mb(),
        "index_mb": dir_mb(data_dir),
    }


def ceiling(knowledge_dir: Path, sample: int) -> dict[str, Any]:
    """The embedding model alone on the same texts (a deterministic sample of them for large corpora)."""
    from bot.chunking import split_sentences
    from bot.index.embeddings import PARALLEL_MIN_TEXTS, MiniLMEmbeddings
    from bot.ingest.loaders import load_article_file

    texts: list[str] = []
    for path in sorted(knowledge_dir.glob("*.md")):
        article = load_article_file(path)
        texts.extend(s.text(article.body) for s in split_sentences(article.body))
    if len(texts) > sample:
        texts = random.Random(0).sample(texts, sample)
    model = MiniLMEmbeddings()
    # Load the session the timed call will use (the workers for a large sample, the shared one for a small
    # corpus) and warm its allocator first, as an ingest's later batches find it.
    model.embed_array(texts[:PARALLEL_MIN_TEXTS])
    start, cpu = time.perf_counter(), time.process_time()
    model.embed_array(texts)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "ceiling_texts": len(texts),
        "ceiling_texts_per_s": len(texts) / seconds,
        "ceiling_cpu_ms_per_text": 1000 * cpu / len(texts),
    }


def serve(data_dir: Path, knowledge_dir: Path, questions: Sequence[str], rounds: int) -> dict[str, Any]:
    """Open the index as the bot does, then time warm `ask` and `search` over the questions."""
    start = time.perf_counter()
    services = _services(data_dir, knowledge_dir)
    services.ask(questions[0])
    first_answer_s = time.perf_counter() - start
    for q in questions:  # warm every path once (caches, lazy imports) before timing
        services.ask(q)
    ask_ms: list[float] = []
    search_ms: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            services.ask(q)
            t1 = time.perf_counter()
            services.search(q)
            t2 = time.perf_counter()
            ask_ms.append((t1 - t0) * 1e3)
            search_ms.append((t2 - t1) * 1e3)
    figures = {
        "first_answer_in_process_s": first_answer_s,
        "ask_p50_ms": percentile(ask_ms, 50),
        "ask_p95_ms": percentile(ask_ms, 95),
        "search_p50_ms": percentile(search_ms, 50),
        "search_p95_ms": percentile(search_ms, 95),
        "queries": len(ask_ms),
        "serve_rss_mb": rss_mb(),
        "serve_peak_mb": peak_rss_mb(),  # read before the recipe's collection is built beside the index
    }
    from bot.bench.recipe import cpu_per_question

    return figures | cpu_per_question(services, questions, rounds)


def cold_start(data_dir: Path, knowledge_dir: Path, question: str, runs: int) -> dict[str, Any]:
    """Wall time of `yalu ask` in a new process, from exec to the printed answer, with an existing index."""
    import os

    env = {**os.environ, "YALU_DATA_DIR": str(data_dir), "YALU_KNOWLEDGE_DIR": str(knowledge_dir)}
    command = [sys.executable, "-P", "-c", "import sys; from bot.cli import main; sys.exit(main())", "ask", question]
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return {"cold_start_s": statistics.median(times), "cold_start_min_s": min(times)}
