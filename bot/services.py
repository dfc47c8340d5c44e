"""build_services(settings): every client built once, and the core operations both adapters call."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.answer import Answerer
from bot.answer_model import Answer
from bot.config import Settings
from bot.dates import Window
from bot.index.generation_stamp import GenerationStamp
from bot.index.lexical import LexicalIndex, Row
from bot.index.registry import Registry
from bot.index.retrieve import Filters, Retrieval, Retriever
from bot.index.sentence_vectors import Gatherer, SentenceVectors
from bot.index.store import ArticleInfo, Store, make_client, reopener, store_location
from bot.ingest.ingestor import Ingestor, IngestReport, Progress

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.analysis.accounts import AccountsReport
    from bot.corpus import Article
    from bot.digest.brief import Briefing
    from bot.digest.summarize import Summary
    from bot.ingest.run import Deletion, Notify
    from bot.llm.writing import Writer

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The store, models and indexes of one Yalu process."""

    settings: Settings
    store: Store
    embeddings: Any
    _lexical: LexicalIndex | None = field(default=None, repr=False)
    _vectors: SentenceVectors | None = field(default=None, repr=False)
    _lexical_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _answerer: tuple[str | None, Answerer] | None = field(default=None, repr=False)  # (generation, answerer)
    _registry: tuple[str | None, Registry] | None = field(default=None, repr=False)  # (generation, registry)

    @cached_property
    def ingestor(self) -> Ingestor:
        """The ingest pipeline over this store and embedding model."""
        return Ingestor(self.store, self.embeddings, self.settings.chunk_sentences, self.settings.chunk_overlap)

    # --- indexes -------------------------------------------------------------------------------
    def registry(self) -> Registry:
        """Indexed articles by id, from the local snapshot while the store has not changed since it was taken
        (kept in this process until the store's generation token moves)."""
        from bot.index.registry_snapshot import read_registry

        generation = self.store.generation()
        if generation is not None and self._registry is not None and self._registry[0] == generation:
            return self._registry[1]
        registry = read_registry(self.store, self.settings.data_dir / "registry" / f"{self.settings.collection}.arrays")
        self._registry = (generation, registry)
        return registry

    def articles(self) -> list[ArticleInfo]:
        """Every indexed article, by publication date then id: the registry snapshot, re-read only after a change.

        The one way adapters and operations list the corpus, so none of them pays a full store read per call.
        """
        return list(self.registry().values())

    def lexical(self, registry: Registry | None = None) -> LexicalIndex:
        """The BM25 index, loaded from disk once and brought in step with the store incrementally."""
        return self.indexes(registry)[0]

    def indexes(
        self, registry: Registry | None = None, generation: str | None = None
    ) -> tuple[LexicalIndex, SentenceVectors]:
        """BM25 and the sentence vectors, loaded from disk once and brought in step with the store's registry
        incrementally, the new articles' chunks read in one pass for both (`generation`: the store's token
        the given registry was read under, stamped on the vectors; without a registry both are read here)."""
        from bot.index import sentence_vectors_file

        if registry is None:
            generation = self.store.generation()  # read before the registry, as `read_registry` does
            registry = self.registry()
        current = registry.hashes()
        folder = self.settings.data_dir / "bm25" / self.settings.collection
        vector_folder = self.settings.data_dir / "vectors" / self.settings.collection
        with self._lexical_lock:  # one sync at a time; readers keep the indexes they were given
            index = self._lexical or LexicalIndex.load(folder) or LexicalIndex()
            vectors = self._vectors or sentence_vectors_file.load(vector_folder) or SentenceVectors()
            outdated, loaded_generation = index.file_outdated, vectors.generation
            gatherer = Gatherer({a: current[a] for a in vectors.fresh(current)})
            fresh = sorted(set(index.fresh(current)) | set(gatherer.wanted))
            passing = _passing(self.store.iter_chunks(fresh if len(fresh) < len(current) else None), gatherer)
            index, report = index.synced(self.store, current, passing if fresh else iter(()))
            for _ in passing if fresh else ():  # what BM25 did not need, the vectors may
                pass
            vectors, vector_report = vectors.applied(current, gatherer, generation)
            if report.changed or outdated:
                log.info("BM25 index: %d articles added, %d removed", report.added, report.removed)
                index.save(folder)
                index.file_outdated = False
            if vector_report.changed or vectors.generation != loaded_generation:
                log.info("sentence vectors: %d articles added, %d removed", vector_report.added, vector_report.removed)
                vectors = sentence_vectors_file.save(vector_folder, vectors)
            self._lexical, self._vectors = index, vectors
        return index, vectors

    @property
    def answerer(self) -> Answerer:
        """The extractive answerer over the index as it is now.

        It is rebuilt when the store's generation token moved since it was built: an article was
        added, changed or removed here or by another replica sharing the Chroma server, and the
        registry, BM25 and article cache it holds must follow. Checking costs one small read.
        """
        generation = self.store.generation()
        built = self._answerer
        if built is None or built[0] != generation:
            registry = self.registry()  # read once: BM25, the vectors and the answerer share it
            self.store.pin(registry.hashes())  # search the versions it lists (from its columns: no record parsed)
            lexical, vectors = self.indexes(registry, generation)
            retriever = Retriever(self.store, self.embeddings.embed_query, lexical, registry, vectors)
            answerer = Answerer(
                self.store,
                retriever,
                self.settings.answer_words,
                self.settings.max_question_chars,
                embed_documents=self.embeddings.embed_documents,
            )
            built = self._answerer = (generation, answerer)
        return built[1]

    @cached_property
    def chat_model(self) -> BaseChatModel | None:
        """The chat model of LLM mode, built on first use; None unless YALU_LLM is set."""
        from bot.llm.chat import make_chat_model

        return make_chat_model(self.settings)

    def refresh(self) -> None:
        """Drop cached views of the index after it changed (an index from before generation tokens needs this)."""
        self._answerer = None
        self._registry = None

    def close(self) -> None:
        """Close the store (its files, threads and connections); the services are not used afterwards."""
        self.store.close()

    # --- operations ----------------------------------------------------------------------------
    def ensure_index(self, progress: Progress | None = None, on_wait: Notify | None = None) -> IngestReport | None:
        """Build the index from the knowledge folder if it is empty (first use)."""
        if self.store.count_articles() > 0:
            return None
        return self.ingest([self.settings.knowledge_dir], progress=progress, on_wait=on_wait)

    def ingest(
        self,
        paths: list[Path],
        rebuild: bool = False,
        prune: bool = False,
        progress: Progress | None = None,
        on_wait: Notify | None = None,
    ) -> IngestReport:
        """Ingest files and folders (see `bot.ingest.run`); copies of files from outside the knowledge folder
        are saved into it. Another process's ingest of this data dir is waited for (`on_wait` hears of it)."""
        from bot.ingest import run as ingest_run

        try:
            with ingest_run.locked(self.settings, on_wait):
                return ingest_run.ingest(self.settings, self.ingestor, paths, rebuild, prune, progress)
        finally:
            self._after_change()

    def _after_change(self) -> None:
        self.refresh()
        try:
            self.indexes()  # bring BM25 and the vectors up to date now, so the first question is not slowed
        except OSError as exc:  # a cache: a full or read-only data dir costs the next question time, not data
            log.warning("could not update the BM25 index or the sentence vectors: %s", exc)

    def ingest_url(self, url: str, on_wait: Notify | None = None) -> IngestReport:
        """Download one article page (checked by `bot.ingest.fetch_url`) and ingest it like a file, its URL recorded."""
        import tempfile

        from bot.corpus import to_markdown
        from bot.ingest.fetch_url import FetchPolicy, fetch_for_index

        article = fetch_for_index(url, FetchPolicy.from_settings(self.settings))
        with tempfile.TemporaryDirectory(prefix="yalu-url-") as folder:
            path = Path(folder) / f"{article.id}.md"
            path.write_text(to_markdown(article), encoding="utf-8")
            report = self.ingest([path], on_wait=on_wait)
        report.errors = [line.replace(str(path), url) for line in report.errors]
        return report

    def delete(self, article_id: str, on_wait: Notify | None = None) -> Deletion:
        """Remove one article from the index and its copy from the knowledge folder."""
        from bot.ingest import run as ingest_run

        try:
            with ingest_run.locked(self.settings, on_wait):
                return ingest_run.delete(self.settings, self.store, article_id)
        finally:
            self.refresh()

    def ask(
        self,
        question: str,
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
        k: int = 8,
        qid: str | None = None,
    ) -> Answer:
        """Answer a question from the corpus (see `Answerer.ask`); in LLM mode a model writes it (`LLMAnswerer`)."""
        filters = self.filters(since, until, outlet)
        answerer = self.answerer  # one view of the index for the whole answer
        if self.chat_model is not None:
            from bot.llm.answer import LLMAnswerer

            llm = LLMAnswerer.from_settings(answerer, self.chat_model, self.settings)
            return llm.ask(question, filters, k=k, qid=qid)
        evidence = answerer.answer_with_evidence(question, filters, k=k, qid=qid)
        return _with_disagreements(answerer, evidence.answer, [p.chunk.article_id for p in evidence.passages])

    def search(
        self, query: str, since: str | None = None, until: str | None = None, outlet: str | None = None, k: int = 8
    ) -> Retrieval:
        """Ranked passages for a query, without composing an answer: the retrieval `ask` answers from
        (`Answerer.retrieve`; dates in the query are soft, as in `ask`: only --since/--until filter)."""
        from bot.answer import clean_question

        text = clean_question(query, self.settings.max_question_chars)
        found = self.answerer.retrieve(text, self.filters(since, until, outlet), k=k)
        return replace(found, passages=found.passages[:k])  # the k best, from every date searched

    def find_article(self, ref: str, files: bool = True) -> Article:
        """The article `ref` names: an indexed id or unique title fragment, or (when `files`) an article file.

        Callers on behalf of someone who is not at this machine (Discord) pass `files=False`: a path they
        type is then looked up as a title, never read from the disk.
        """
        from bot.errors import NotFound
        from bot.index.lookup import looks_like_file, one_article
        from bot.ingest.loaders import load_article_file

        if files and looks_like_file(ref):
            return load_article_file(Path(ref).expanduser())
        info = one_article(self.articles(), ref)
        article = self.store.article(info.id)
        if article is None:
            raise NotFound(f"article {info.id!r} was removed while it was being read")
        return article

    def summarize(self, ref: str, files: bool = True) -> Summary:
        """A cited summary of one article (see `find_article` for what `ref` and `files` mean)."""
        from functools import partial

        from bot.digest.summarize import summarize_article
        from bot.ingest.ingestor import embed_texts

        article = self.find_article(ref, files)
        summary = summarize_article(article, partial(embed_texts, self.embeddings))
        writer = self._writer("summarize")
        if writer is None:
            return summary
        from bot.llm.writing import llm_summary

        return llm_summary(summary, article, writer)

    def brief(
        self,
        since: str | None = None,
        until: str | None = None,
        date: str | None = None,
        days: int | None = None,
        new: bool = False,
        today: dt.date | None = None,
    ) -> Briefing:
        """A cited briefing for a window of publication dates (default: the last 7 days), or `new` articles.

        A `new` briefing does not mark its articles as briefed: call `mark_briefed` once it was delivered.
        """
        from bot.digest.brief_state import briefed_articles
        from bot.digest.select import briefing_window, select_articles

        window = None if new else briefing_window(since, until, date, days, today or dt.date.today())
        briefed = briefed_articles(self.settings.data_dir) if new else None
        chosen = select_articles(self.articles(), window, briefed)
        if not chosen.articles:
            return self._lead(self._empty_brief(chosen.window, chosen.every, chosen.empty_what), today)
        return self._lead(self._briefing(chosen.window, chosen.articles, chosen.earlier), today)

    def _lead(self, briefing: Briefing, today: dt.date | None) -> Briefing:
        """The briefing led by the anniversaries that fall `today`, drawn from every indexed article."""
        from bot.analysis.phrases import corpus_articles
        from bot.digest.anniversaries import anniversary_notes

        first = len(briefing.citations) + 1  # numbered after the briefing's own sources
        notes = anniversary_notes(corpus_articles(self.store), today or dt.date.today(), first)
        return replace(briefing, anniversaries=notes) if notes else briefing

    def accounts(self, query: str) -> AccountsReport:
        """Every account of the exchanges `query` names (a date or words of the event), side by side."""
        from bot.analysis.accounts import find_accounts
        from bot.analysis.phrases import corpus_articles

        return find_accounts(corpus_articles(self.store), query)

    def mark_briefed(self, briefing: Briefing) -> None:
        """Remember the articles of a delivered briefing, so the next `new` briefing skips them."""
        from bot.digest.brief_state import record_briefed

        hashes = {a.id: a.content_hash for a in self.articles()}
        record_briefed(
            self.settings.data_dir,
            {i.article_id: hashes[i.article_id] for i in briefing.items if i.article_id in hashes},
        )

    def _briefing(self, window: Window, chosen: list[ArticleInfo], earlier: list[ArticleInfo]) -> Briefing:
        from functools import partial

        from bot.digest.brief import make_briefing, phrase_contrast, previous_coverage
        from bot.ingest.ingestor import embed_texts

        articles = [a for a in (self.store.article(i.id) for i in chosen) if a is not None]
        # Only the coverage the period is compared with is read, not every earlier article.
        compared = previous_coverage(chosen, earlier)
        previous = [a for a in (self.store.article(i.id) for i in compared) if a is not None]
        embed = partial(embed_texts, self.embeddings)
        briefing = make_briefing(window, articles, previous, embed, contrast=phrase_contrast)
        writer = self._writer("brief")
        if writer is None:
            return briefing
        from bot.llm.writing import llm_briefing

        return llm_briefing(briefing, articles, f"articles published {window.describe()}", writer)

    def _writer(self, prompt_name: str) -> Writer | None:
        """The chat model with the named prompt (LLM mode), or None when no model is configured."""
        if self.chat_model is None:
            return None
        from bot.llm.prompts import load_prompt
        from bot.llm.writing import Writer

        prompt = load_prompt(prompt_name, self.settings.llm_prompts_dir)
        return Writer(self.chat_model, prompt, self.settings.llm_timeout_s, self.settings.llm or "llm")

    def _empty_brief(self, window: Window, infos: list[ArticleInfo], what: str | None = None) -> Briefing:
        from bot.digest.brief import empty_briefing

        dated = [a for a in infos if a.published]
        latest = self.store.article(dated[-1].id) if dated else None
        return empty_briefing(window, latest, what)

    def filters(self, since: str | None, until: str | None, outlet: str | None) -> Filters:
        """Filters from user-given values; an outlet matches any indexed outlet containing it."""
        from bot.index.lookup import matching_outlets

        window = Window.parse(since, until)
        outlets = matching_outlets(outlet, self.answerer.registry.outlet_names()) if outlet else None
        return Filters(window, outlets)


def _passing(rows: Iterator[Row], gatherer: Gatherer) -> Iterator[Row]:
    """The chunk records, each shown to the vectors' gatherer on its way to BM25."""
    for row in rows:
        gatherer.take(row)
        yield row


def _with_disagreements(answerer: Answerer, answer: Answer, retrieved: list[str]) -> Answer:
    """The answer, with a line where the cited and retrieved articles date one event differently."""
    from bot.analysis.disagreements import with_disagreements

    if answer.status != "answered":
        return answer
    ids = dict.fromkeys([*(c.article_id for c in answer.citations), *retrieved])
    articles = [a for a in (answerer.article(i) for i in ids) if a is not None]
    return with_disagreements(answer, articles)


def build_services(settings: Settings) -> Services:
    """Build the store and embedding model once, from settings."""
    from bot.index.embeddings import make_embeddings

    stamp = None if settings.chroma_host else GenerationStamp(settings.chroma_dir / "yalu-generation")
    store = Store(make_client(settings), settings.collection, store_location(settings), reopener(settings), stamp)
    return Services(settings, store, make_embeddings(settings.embeddings))
