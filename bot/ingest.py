"""Ingest: article files -> chunks -> embeddings -> store, idempotent by content hash."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.chunking import Span, chunk_sentences, split_sentences
from bot.corpus import Article, to_markdown
from bot.errors import ArticleError
from bot.store import Indexed, Store, Vector

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
_EMBED_BATCH_ARTICLES = 64  # articles whose sentences are embedded in one model call


@dataclass
class IngestReport:
    """What an ingest did, per article id, and the files it could not use."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    saved: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    chunks: int = 0

    @property
    def changed(self) -> bool:
        """Whether the index differs from before."""
        return bool(self.added or self.updated or self.removed)


def discover(paths: Iterable[Path], suffixes: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Article files under the given files and folders (sorted), and errors for unusable paths."""
    found: list[Path] = []
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in suffixes and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            errors.append(f"{path}: no such file or folder")
    return found, errors


def embed_texts(embeddings: Any, texts: list[str]) -> Vector:
    """Unit vectors for texts from any LangChain Embeddings (fast path for the bundled model)."""
    if hasattr(embeddings, "embed_array"):
        return np.asarray(embeddings.embed_array(texts), dtype=np.float32)
    arr = np.asarray(embeddings.embed_documents(texts), dtype=np.float32).reshape(len(texts), -1)
    unit: Vector = arr / np.clip(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12, None)
    return unit


class Ingestor:
    """Turns articles into stored chunks; the same object serves the CLI, the bot and tests."""

    def __init__(self, store: Store, embeddings: Any, chunk_size: int = 3, overlap: int = 1) -> None:
        """Keep the store and embedding model; chunks are `chunk_size` sentences sharing `overlap`."""
        self.store = store
        self.embeddings = embeddings
        self.chunk_size = chunk_size
        self.overlap = overlap

    def index(self, articles: Sequence[Article], report: IngestReport, progress: Progress | None = None) -> None:
        """Index articles whose content changed; unchanged ones are skipped without embedding.

        A pipeline of three threads keeps the model, the slow part, busy: while one batch is
        embedded, the next is split into sentences and the previous one is stored (the model and
        Chroma's writer release the GIL). One batch at most waits to be stored, and batches are
        stored in order.
        """
        known = self.store.content_hashes([a.id for a in articles])
        todo = [a for a in articles if known.get(a.id) != a.content_hash]
        report.unchanged.extend(a.id for a in articles if known.get(a.id) == a.content_hash)
        done = len(articles) - len(todo)
        if progress:
            progress(done, len(articles))
        batches = [todo[start : start + _EMBED_BATCH_ARTICLES] for start in range(0, len(todo), _EMBED_BATCH_ARTICLES)]
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="yalu-store") as writer,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="yalu-split") as splitter,
        ):
            storing: Future[None] | None = None
            upcoming = splitter.submit(_split_all, batches[0]) if batches else None
            for number, batch in enumerate(batches):
                assert upcoming is not None  # submitted for every batch, one ahead
                splits = upcoming.result()
                if number + 1 < len(batches):
                    upcoming = splitter.submit(_split_all, batches[number + 1])
                items = self._embed_batch(batch, splits, report)
                if storing is not None:
                    storing.result()  # raises the writer's error here, before more work is queued
                storing = writer.submit(self.store.put_articles, items, [a.id for a in batch if a.id in known])
                for article in batch:
                    (report.updated if article.id in known else report.added).append(article.id)
                done += len(batch)
                if progress:
                    progress(done, len(articles))
            if storing is not None:
                storing.result()

    def _embed_batch(self, articles: list[Article], splits: list[list[Span]], report: IngestReport) -> list[Indexed]:
        """Chunk a batch and embed its sentences in one model call."""
        texts = [a.body[s.start : s.end] for a, spans in zip(articles, splits, strict=True) for s in spans]
        vectors = embed_texts(self.embeddings, texts)
        items: list[Indexed] = []
        offset = 0
        for article, spans in zip(articles, splits, strict=True):
            chunks = chunk_sentences(spans, self.chunk_size, self.overlap)
            svecs = vectors[offset : offset + len(spans)]
            offset += len(spans)
            items.append(Indexed(article, spans, chunks, svecs))
            report.chunks += len(chunks)
        return items


def _split_all(articles: Sequence[Article]) -> list[list[Span]]:
    """Each article's sentence spans (run on the splitting thread)."""
    return [split_sentences(a.body) for a in articles]


def save_copy(article: Article, knowledge_dir: Path) -> Path:
    """Write an article into the knowledge folder as Markdown, so a rebuild keeps it."""
    knowledge_dir.mkdir(parents=True, exist_ok=True)
    target = knowledge_dir / f"{article.id}.md"
    tmp = target.with_suffix(".md.tmp")
    tmp.write_text(to_markdown(article), encoding="utf-8")
    tmp.replace(target)
    return target


def load_files(
    files: Sequence[Path], load: Callable[[Path], Article], report: IngestReport
) -> list[tuple[Path, Article]]:
    """Load article files; a bad file is reported and skipped, never fatal to the others."""
    articles: list[tuple[Path, Article]] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            article = load(path)
        except ArticleError as exc:
            report.errors.append(str(exc))
            continue
        if article.id in seen:
            report.errors.append(f"{path}: same id {article.id!r} as {seen[article.id]}; skipped")
            continue
        seen[article.id] = path
        articles.append((path, article))
    return articles
