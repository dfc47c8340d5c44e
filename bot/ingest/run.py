"""One ingest, start to end: the order in which nothing is lost, nothing is half-written and nothing waits forever.

1. Take the data dir's writer lock (`bot.ingest.writer_lock`): a second writer waits, saying so.
2. Read, validate, settle ids and drop near-duplicates (a later edition of an indexed page updates it),
   all before anything is written anywhere.
3. Save the Markdown copies of files from outside the knowledge folder (a file that cannot be saved is
   not indexed: a rebuild would lose it).
4. Recover from dead runs (this process's killed one, named in `ingest.pending`, and any whose lease
   expired), then index as a new run, copy-on-write (`bot.index.store`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.atomic import atomic_write
from bot.config import Settings
from bot.corpus import MARKDOWN_SUFFIXES, SUPPORTED_SUFFIXES, Article, make_article_id
from bot.errors import ArticleError, StoreUnavailable
from bot.index.duplicates import drop_near_duplicates
from bot.index.store import Store
from bot.ingest.article_ids import in_folder, settle_ids, source_key
from bot.ingest.ingestor import Ingestor, IngestReport, Progress, discover, load_files, save_copy
from bot.ingest.loaders import load_article_file
from bot.ingest.writer_lock import writer_lock

log = logging.getLogger(__name__)
PENDING = "ingest.pending"  # holds the id of the run in progress; left behind only by a run that died
Notify = Callable[[str], None]


@dataclass(frozen=True)
class Deletion:
    """What `ingest --delete` removed: the index record, and the knowledge copy (so no ingest brings it back)."""

    article_id: str
    indexed: bool
    copy: Path | None

    def __bool__(self) -> bool:
        """True when the article was indexed (as `Store.delete_article` answers)."""
        return self.indexed


def ingest(
    settings: Settings,
    ingestor: Ingestor,
    paths: Sequence[Path],
    rebuild: bool = False,
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders (the caller holds the writer lock); see the module's docstring for the order."""
    store = ingestor.store
    report = IngestReport()
    if rebuild:
        store.reset()
    knowledge = settings.knowledge_dir.resolve()
    files, report.errors = discover(paths, SUPPORTED_SUFFIXES)
    loaded = load_files(files, partial(_load, knowledge=knowledge, max_bytes=settings.max_article_bytes), report)
    loaded = settle_ids(loaded, knowledge, store, report.errors)
    # The same text under another name is reported and skipped before it is saved or indexed.
    loaded = drop_near_duplicates(loaded, store, report.errors, partial(_later_edition, knowledge=knowledge))
    articles = _save_copies(loaded, knowledge, report)
    run = _begin(store, settings.data_dir)
    written = ingestor.index(articles, report, progress, run)
    if prune:
        keep = {a.id for a in articles}
        for info in store.articles():
            if info.id not in keep and store.delete_article(info.id):
                report.removed.append(info.id)
    store.end_run(run, written)
    (settings.data_dir / PENDING).unlink()  # only after success: a leftover one makes the next ingest recover
    return report


def _load(path: Path, knowledge: Path, max_bytes: int) -> Article:
    """A file of the knowledge folder keeps its id; a page (or an id-less file) from elsewhere hashes its path."""
    inside = in_folder(path, knowledge)
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    key = None if inside and markdown else source_key(path, knowledge)
    return load_article_file(path, max_bytes=max_bytes, source_key=key)


def _later_edition(path: Path, article: Article, indexed_id: str, knowledge: Path) -> bool:
    """Whether a page whose text repeats an indexed article is a later edition of it: the same date and title
    (the id it derives, but for the source hash), so it updates that article instead of being refused."""
    if article.id != make_article_id(article.title, article.published, source_key(path, knowledge)):
        return False  # an id the file names: the person chose another article
    base = make_article_id(article.title, article.published)
    return re.fullmatch(rf"{re.escape(base)}(?:-[0-9a-f]{{8}})?(?:-\d+)?", indexed_id) is not None


def _save_copies(loaded: Sequence[tuple[Path, Article]], knowledge: Path, report: IngestReport) -> list[Article]:
    """The articles to index: each one from outside the knowledge folder only once its copy is saved there."""
    kept: list[Article] = []
    for path, article in loaded:
        if not in_folder(path, knowledge):
            try:
                report.saved.append(save_copy(article, knowledge))
            except ArticleError as exc:
                report.errors.append(f"{path}: {exc}")
                continue
            except OSError as exc:
                report.errors.append(
                    f"{path}: cannot save its copy into {knowledge}: {exc.strerror or exc}; not indexed "
                    "(a rebuild would lose it)"
                )
                continue
        kept.append(article)
    return kept


def _begin(store: Store, data_dir: Path) -> str:
    """Recover from dead runs if there are any, then start a run and name it in the pending file."""
    pending = data_dir / PENDING
    try:
        dead = {pending.read_text(encoding="utf-8").strip()} if pending.exists() else set()
    except OSError:
        dead = {""}
    if dead or any(not r.alive() for r in store.runs()):
        removed = store.recover(dead)  # "" (a pending file from before runs): every orphan no live run wrote
        log.info("removed %d chunks left by an interrupted ingest", removed)
    run = store.begin_run()
    try:
        atomic_write(pending, run)
    except OSError as exc:
        store.end_run(run)
        raise StoreUnavailable(f"cannot write to the data dir {data_dir}: {exc.strerror or exc}") from exc
    return run


def delete(settings: Settings, store: Store, article_id: str) -> Deletion:
    """Remove an article from the index and its copy from the knowledge folder (the caller holds the lock)."""
    indexed = store.delete_article(article_id)
    copy = _knowledge_file(settings.knowledge_dir, article_id)
    if copy is not None:
        try:
            copy.unlink()
        except OSError as exc:
            raise StoreUnavailable(
                f"removed {article_id} from the index, but not its copy {copy}: {exc.strerror or exc}; "
                "delete that file, or the next ingest brings the article back"
            ) from exc
    return Deletion(article_id, indexed, copy)


def _knowledge_file(knowledge: Path, article_id: str) -> Path | None:
    """The Markdown file of the knowledge folder that holds `article_id`: the one named for it, else any."""
    named = knowledge / f"{article_id}{MARKDOWN_SUFFIXES[0]}"
    candidates = [named] if named.exists() else []
    if not candidates and knowledge.is_dir():  # a hand-named file: look for the id in every front matter
        candidates = sorted(p for p in knowledge.rglob("*") if p.suffix.lower() in MARKDOWN_SUFFIXES)
    for path in candidates:
        with contextlib.suppress(ArticleError):
            if load_article_file(path).id == article_id:
                return path
    return None


def locked(settings: Settings, on_wait: Notify | None) -> contextlib.AbstractContextManager[None]:
    """The writer lock of this data dir; waiting is reported to `on_wait`, else logged."""
    return writer_lock(settings.data_dir, on_wait or log.warning)
