"""Ingest: article files -> chunks -> embeddings -> store, idempotent by content hash."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.atomic import atomic_write
from bot.chunking import Span, chunk_sentences, split_sentences
from bot.corpus import Article, parse_markdown, to_markdown
from bot.errors import ArticleError
from bot.index.store import Indexed, Store, Vector

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
# Articles whose sentences are embedded in one model call (and then stored and committed together). The
# model's batches are cut from a call's sentences sorted by word pieces, so the more a call holds, the less
# padding they carry: 4% of the word pieces at 64 articles, 1% at 256 (measured on the bench's 1,000-article corpus).
_EMBED_BATCH_ARTICLES = 256


@dataclass
class IngestReport:
    """What an ingest did, per article id, and the files it could not use."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)  # also in `updated`: listed, but chunks were missing
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
    """Article files under the given files and folders, and one error line per unusable path.

    Folders are read in sorted order, hidden entries (`.git`, editors' lock files) left out. Linked
    folders are followed once; a dangling link, a link loop or a link back to a folder already read
    is reported, never skipped in silence.
    """
    found: list[Path] = []
    errors: list[str] = []
    seen: set[Path] = set()
    for path in paths:
        if problem := _link_problem(path):
            errors.append(f"{path}: {problem}; skipped")
        elif path.is_dir():
            _walk(path, suffixes, found, errors, seen)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            errors.append(f"{path}: not a regular file or folder; skipped")
        else:
            errors.append(f"{path}: no such file or folder")
    return found, errors


def _walk(folder: Path, suffixes: Sequence[str], found: list[Path], errors: list[str], seen: set[Path]) -> None:
    real = folder.resolve()
    if real in seen:
        errors.append(f"{folder}: a link back to a folder already read; skipped")
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        errors.append(f"{folder}: cannot read the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        wanted = entry.suffix.lower() in suffixes
        if problem := _link_problem(entry):
            if wanted or not entry.suffix:  # a link named like an article, or maybe a linked folder
                errors.append(f"{entry}: {problem}; skipped")
        elif entry.is_dir():
            _walk(entry, suffixes, found, errors, seen)
        elif wanted and entry.is_file():
            found.append(entry)


def _link_problem(path: Path) -> str | None:
    """Why a symbolic link cannot be followed (dangling, or a loop); None for a usable link or no link."""
    if not path.is_symlink():
        return None
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python 3.11 and 3.12 report a loop so
        return "a symbolic link loop"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        return f"a symbolic link to a missing file ({os.readlink(path)})"
    return None


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

    def index(
        self,
        articles: Sequence[Article],
        report: IngestReport,
        progress: Progress | None = None,
        run: str | None = None,
    ) -> dict[str, str]:
        """Index articles whose content changed, or whose stored chunks are incomplete; unchanged ones are
        skipped without embedding. Returns the (article id -> content hash) versions written.

        A pipeline of three threads keeps the model, the slow part, busy: while one batch is
        embedded, the next is split into sentences and the previous one is stored (the model and
        Chroma's writer release the GIL). One batch at most waits to be stored, and batches are
        stored in order.
        """
        known = self.store.content_hashes([a.id for a in articles])
        same = [a.id for a in articles if known.get(a.id) == a.content_hash]
        broken = set(self.store.incomplete(same))
        todo = [a for a in articles if known.get(a.id) != a.content_hash or a.id in broken]
        report.unchanged.extend(i for i in same if i not in broken)
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
                storing = writer.submit(self.store.put_articles, items, run)
                for article in batch:
                    (report.updated if article.id in known else report.added).append(article.id)
                    if article.id in broken:
                        report.repaired.append(article.id)
                done += len(batch)
                if progress:
                    progress(done, len(articles))
            if storing is not None:
                storing.result()
        if release := getattr(self.embeddings, "release_workers", None):
            release()
        return {a.id: a.content_hash for a in todo}

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
    """Write an article into the knowledge folder as Markdown, so a rebuild keeps it; ArticleError if the
    copy would not read back as the same article, OSError if it cannot be written."""
    text = to_markdown(article)
    if parse_markdown(text, article.id).content_hash != article.content_hash:
        raise ArticleError(f"{article.id}: its Markdown copy would not read back as the same article; not indexed")
    knowledge_dir.mkdir(parents=True, exist_ok=True)
    target = knowledge_dir / f"{article.id}.md"
    atomic_write(target, text)
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
