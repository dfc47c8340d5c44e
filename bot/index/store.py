"""The Chroma store: chunks (read by id), articles (the registry) and the generation token.

No collection is searched by vector. Sentence vectors travel in their chunk's record (int8, in its
metadata) and are searched in files of our own (`bot.index.sentence_vectors`), built from those records as
BM25 is: Chroma's HNSW would hold them all in memory, and its write path grew as N^1.34 with the corpus.
Chroma stores a vector with every record, so chunks and registry records carry a one-dimensional
placeholder. A third collection holds one record, the generation token every registry change renews
(`bot.index.registry_snapshot` uses it to skip reading the registry when nothing changed). Indexes written
before this kept one record per sentence in a fourth collection; it is no longer written or read, and
deleting an article still removes its old sentence records there.

Writes are copy-on-write. A chunk's id holds its article's content hash, so a new version's chunks
never overwrite the old one's: they are written first, then the article record is switched to the new
hash (the commit), then the old version's chunks are dropped. A kill at any moment leaves each article
whole in its old or its new version; readers only use chunks of the version the registry they read
names (`pin`). Chunks no record commits are leftovers, removed by `prune_orphans`.

Several processes may write one Chroma server. Each ingest is a run: its chunks carry its run id, and
it holds a lease in the state collection, renewed at every commit. Recovery removes only leftovers of
runs that are dead (its own killed run, or one whose lease expired), never a live run's batch in flight.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from bot.chunking import Chunk, Span
from bot.corpus import Article, parse_markdown, to_markdown
from bot.dates import date_range_of
from bot.errors import StoreUnavailable, YaluError
from bot.index.duplicates import Signature, minhash
from bot.index.generation_stamp import GenerationStamp

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from bot.config import Settings

log = logging.getLogger(__name__)
Vector = np.ndarray[Any, np.dtype[np.float32]]
_PAGE = 2000
_CHUNKS_CACHED = 4096  # chunk records kept in memory: about 6 KB each with their sentence vectors
_IDS_PER_QUERY = 200  # article ids per `$in` filter: keeps each SQL query small
_GENERATION = "generation"  # the one record of the state collection
_RUN = "run:"  # state records of ingests in progress, "run:<id>", each holding its lease
LEASE_S = 15 * 60  # a run that renewed its lease longer ago than this is dead (a batch takes seconds)
_READS = frozenset({"get", "query", "count", "peek"})


@dataclass(frozen=True)
class ArticleInfo:
    """What the registry knows about an indexed article, without its body."""

    id: str
    title: str
    outlet: str | None
    published: dt.date | None
    published_precision: str | None
    url: str | None
    content_hash: str
    ingested_at: str
    front_matter: dict[str, Any]
    sentences: int | None = None  # how many sentences it has (None: indexed before counts were kept)


@dataclass(frozen=True)
class ChunkRecord:
    """A stored chunk: verbatim text, its offsets in the body, and its sentences' vectors."""

    id: str
    article_id: str
    text: str
    start: int
    sentences: tuple[Span, ...]
    sentence_vectors: Vector

    def sentence_text(self, span: Span) -> str:
        """The verbatim text of one of this chunk's sentences."""
        return self.text[span.start - self.start : span.end - self.start]


@dataclass(frozen=True)
class Run:
    """An ingest that writes to the store, and when it last renewed its lease."""

    id: str
    renewed: float
    holder: str  # host and process, for people reading the state

    def alive(self, now: float | None = None) -> bool:
        """Whether the lease still holds: the run may have a batch in flight."""
        return (now if now is not None else time.time()) - self.renewed < LEASE_S


def date_range(article: Article) -> tuple[int, int]:
    """The ordinal day range an article's publication date stands for (-1, -1 when undated)."""
    return date_range_of(article.published, article.published_precision)


def store_location(settings: Settings) -> str:
    """Where the store lives, as a person would name it: a server's host:port, or a folder."""
    if settings.chroma_host:
        return f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
    return f"the Chroma store in {settings.chroma_dir}"


def make_client(settings: Settings) -> ClientAPI:
    """An embedded Chroma client, or an HTTP client when CHROMA_HOST is set."""
    from bot.index.chroma_import import prepare_chromadb_import

    prepare_chromadb_import()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        if settings.chroma_host:
            token = settings.chroma_auth_token.get_secret_value() if settings.chroma_auth_token else None
            headers = {"Authorization": f"Bearer {token}"} if token else None
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                headers=headers,
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        if not settings.chroma_dir.exists():
            _forget_client(settings.chroma_dir)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(
            path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
        )
    except Exception as exc:  # chromadb raises many types; the user needs one message
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else settings.chroma_dir
        hint = "" if settings.chroma_host else "; `yalu ingest --rebuild` sets it aside and rebuilds it from knowledge/"
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}{hint}") from exc


def reopener(settings: Settings) -> Callable[[], ClientAPI] | None:
    """How to open the embedded store afresh (see `Store.reopen`); None in server mode, which needs none."""
    if settings.chroma_host:
        return None

    def reopen() -> ClientAPI:
        from chromadb.api.shared_system_client import SharedSystemClient

        # The old client's files are closed, unless another Store of this process reads through it too (it
        # reopens in turn when it sees the change, and the old one is freed with the last of them).
        shared = SharedSystemClient._identifier_to_refcount.get(str(settings.chroma_dir), 0) > 1
        old = _forget_client(settings.chroma_dir)
        client = make_client(settings)
        if old is not None and not shared:
            old.stop()  # a call still running holds its own reference to the bindings until it returns
        return client

    return reopen


def _forget_client(path: Path) -> Any:
    """Drop the client chromadb keeps for `path` in this process, so the next one opens the files afresh, and
    return its system (None if there was none): needed when the folder was deleted (reusing it fails with
    "Failed to get segments") and when another process wrote to it (see `Store.reopen`)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    return SharedSystemClient._identifier_to_system.pop(str(path), None)


def set_aside(settings: Settings) -> Path | None:
    """Move an unreadable embedded store out of the way (kept for inspection); None when there is none."""
    if settings.chroma_host or not settings.chroma_dir.exists():
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = settings.chroma_dir.with_name(f"chroma.broken-{stamp}")
    settings.chroma_dir.rename(target)
    _forget_client(settings.chroma_dir)  # chromadb keeps the failed client per path; the next open must be new
    return target


def quantise(vectors: Vector) -> tuple[np.ndarray[Any, np.dtype[np.int8]], np.ndarray[Any, np.dtype[np.float32]]]:
    """Sentence vectors as int8 rows and one scale per row (its largest component maps to 127): 388 bytes a
    sentence, and five times closer to the float vectors than one scale for all (a unit vector's components
    are small: about 0.17 at most for MiniLM's)."""
    peak = np.maximum(np.abs(vectors).max(axis=1), 1e-12) if len(vectors) else np.zeros(0, np.float32)
    quantised = np.clip(np.round(vectors / peak[:, None] * 127.0), -127, 127).astype(np.int8)
    return quantised, (peak / 127.0).astype(np.float32)


def decode_quantised(meta: Mapping[str, Any], count: int) -> tuple[np.ndarray[Any, np.dtype[np.int8]], Vector]:
    """A chunk record's sentence vectors as int8 rows and their scales (1/127 each in records written before
    scales were kept)."""
    rows = np.frombuffer(base64.b64decode(str(meta["vectors"])), dtype=np.int8).reshape(count, -1)
    scales = meta.get("scales")
    if scales is None:
        return rows, np.full(count, 1.0 / 127.0, dtype=np.float32)
    return rows, np.frombuffer(base64.b64decode(str(scales)), dtype=np.float32)


def _encode_vectors(vectors: Vector) -> dict[str, str]:
    quantised, scales = quantise(vectors)
    return {
        "vectors": base64.b64encode(quantised.tobytes()).decode("ascii"),
        "scales": base64.b64encode(scales.tobytes()).decode("ascii"),
    }


def _decode_vectors(meta: Mapping[str, Any], count: int) -> Vector:
    rows, scales = decode_quantised(meta, count)
    decoded: Vector = rows.astype(np.float32) * scales[:, None]
    return decoded


@dataclass(frozen=True)
class Indexed:
    """One article ready to be stored: its sentence spans, chunks and their vectors."""

    article: Article
    sentences: Sequence[Span]
    chunks: Sequence[Chunk]
    sentence_vectors: Vector  # one row per entry of `sentences`


@dataclass
class _Rows:
    """Records gathered for one collection, written in pages (Chroma caps the size of one write)."""

    # Without documents, Chroma skips its full-text index: wasted work for text nothing reads back.
    with_documents: bool = True
    ids: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    embeddings: list[Vector] = field(default_factory=list)
    metadatas: list[Any] = field(default_factory=list)

    def append(self, record_id: str, document: str, embedding: Vector, metadata: dict[str, Any]) -> None:
        """Add one record (its document is dropped when the rows are kept without documents)."""
        self.ids.append(record_id)
        if self.with_documents:
            self.documents.append(document)
        self.embeddings.append(embedding)
        self.metadatas.append(metadata)

    def write(self, method: Any) -> None:
        """Send the records to a collection's `add` or `upsert`, a page at a time."""
        for start in range(0, len(self.ids), _PAGE):
            sl = slice(start, start + _PAGE)
            vectors = np.asarray(self.embeddings[sl], dtype=np.float32)
            documents = self.documents[sl] if self.with_documents else None
            method(ids=self.ids[sl], documents=documents, embeddings=vectors, metadatas=self.metadatas[sl])


class _Reachable:
    """A collection of a store, whose calls turn faults into one line or a reopened client.

    - A Chroma server can stop while the bot runs; httpx then raises transport errors from any call.
      They become StoreUnavailable, and the next call succeeds again when the server is back.
    - Another process writing to the embedded store leaves this process's in-memory view of it stale
      ("Error finding id" on every search until restarted): a read that fails reopens the store and is
      tried once more.
    - A write that fails (disk full, read-only files) becomes StoreUnavailable: one line, and the
      copy-on-write order means the index still holds whole articles only. So does a read that cannot
      apply the writes logged before it ("Failed to apply logs"): small writes reach Chroma's log and fail
      only when the next read applies them.
    """

    def __init__(self, store: Store, name: str) -> None:
        self._store = store
        self._name = name

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store._raw[self._name], name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            import httpx
            from chromadb.errors import ChromaError

            try:
                return attribute(*args, **kwargs)
            except httpx.TransportError as exc:
                raise StoreUnavailable(f"store unavailable: cannot reach {self._store.where} ({exc})") from exc
            except ChromaError as exc:
                if name not in _READS:
                    # A failed write leaves the embedded client stuck (its next call never returns): start afresh.
                    with contextlib.suppress(YaluError):
                        self._store.reopen()
                    raise StoreUnavailable(
                        f"could not write to {self._store.where}: {exc}; the index holds whole articles only: "
                        "free space (or fix permissions) and run `yalu ingest` again"
                    ) from exc
                if not self._store.reopen():
                    raise
                log.info("reading %s failed (%s); reopened it", self._store.where, exc)
                try:
                    return getattr(self._store._raw[self._name], name)(*args, **kwargs)
                except ChromaError as again:
                    if "apply logs" not in str(again):
                        raise
                    # A read applies the writes logged before it: when they cannot be (a full disk), it is a write
                    # that failed, and the copy-on-write order still holds.
                    raise StoreUnavailable(
                        f"could not write to {self._store.where}: {again}; the index holds whole articles only: "
                        "free space (or fix permissions) and run `yalu ingest` again"
                    ) from again

        return call


class Store:
    """Articles and chunks in Chroma, with the operations the rest of Yalu needs."""

    def __init__(
        self,
        client: ClientAPI,
        name: str,
        where: str = "the Chroma store",
        reopen: Callable[[], ClientAPI] | None = None,
        stamp: GenerationStamp | None = None,
    ) -> None:
        """Open (or create) the collections of the index `name`; `where` names the store in error messages.

        `reopen` opens the embedded store afresh (see `reopen`); None for a server, whose view is shared.
        `stamp` mirrors the generation token in a file beside an embedded store (see `generation`); None
        for a server, whose other writers cannot see our files.
        """
        self.client = client
        self.name = name
        self.where = where
        self._reopen = reopen
        self._placeholders: dict[str, Vector] = {}
        self._raw: dict[str, Any] = {}
        self._seen: str | None = None  # the generation token this process last read or wrote
        self._stamp = stamp
        self._committed: Mapping[str, str] | None = None  # the registry readers go by (see `pin`)
        # Chunk records by id, most recently read last. An id names one article version's chunk, so a
        # record never changes: questions that retrieve the same chunks skip the store round trip.
        self._chunk_cache: OrderedDict[str, ChunkRecord] = OrderedDict()
        self._chunk_cache_lock = threading.Lock()
        self._open_collections()
        self._chunks = self._collection("chunks")
        self._sentences = self._collection("sentences")
        self._articles = self._collection("articles")
        self._state = self._collection("state")

    def _open_collections(self) -> None:
        for part in ("chunks", "sentences", "articles", "state"):
            name = f"{self.name}_{part}"
            try:
                self._raw[part] = self.client.get_or_create_collection(
                    name, metadata={"hnsw:space": "cosine"}, embedding_function=None
                )
            except Exception as exc:
                raise StoreUnavailable(f"cannot open the Chroma collection {name!r}: {exc}") from exc

    def _collection(self, part: str) -> Collection:
        return cast("Collection", _Reachable(self, part))

    def reopen(self) -> bool:
        """Open the embedded store afresh, so that what other processes wrote is seen; False in server mode.

        Chroma's embedded client keeps the vector index in memory as it was when first read: after
        another process's ingest, searches fail with "Error finding id" until the files are read again.
        """
        if self._reopen is None:
            return False
        self.client = self._reopen()
        self._open_collections()
        return True

    def pin(self, committed: Mapping[str, str] | None) -> None:
        """Search only chunks of these (article id -> content hash) versions: the registry the reader
        holds. Chunks of a version being written, or just replaced, are then never returned."""
        self._committed = committed

    # --- registry -------------------------------------------------------------------------
    def articles(self) -> list[ArticleInfo]:
        """Every indexed article, sorted by publication date then id."""
        infos = [self._info(i, m) for i, m in self._page(self._articles, include=["metadatas"])]
        return sorted(infos, key=lambda a: (a.published or dt.date.min, a.id))

    def signatures(self) -> dict[str, Signature | None]:
        """Every indexed article's MinHash signature (None for records written before signatures were kept)."""
        return {
            i: np.frombuffer(base64.b64decode(m["minhash"]), np.uint32) if m.get("minhash") else None
            for i, m in self._page(self._articles, include=["metadatas"])
        }

    def count_articles(self) -> int:
        """Number of indexed articles."""
        return int(self._articles.count())

    def count_chunks(self) -> int:
        """Number of stored chunks (including any orphans not yet pruned)."""
        return int(self._chunks.count())

    def count_sentences(self) -> int:
        """Number of sentences of the indexed articles (the vectors dense search runs over)."""
        return sum(int(m.get("sentences", 0)) for _, m in self._page(self._articles, include=["metadatas"]))

    def article(self, article_id: str) -> Article | None:
        """The full article (body included) or None if it is not indexed."""
        got = self._articles.get(ids=[article_id], include=["documents"])
        docs = got.get("documents") or []
        return parse_markdown(docs[0], f"store:{article_id}") if docs else None

    def content_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The content hash of each of the given articles that is indexed (one query per page of ids)."""
        return {i: str(m["content_hash"]) for i, m in self._records(article_ids).items()}

    def _records(self, article_ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        found: dict[str, Mapping[str, Any]] = {}
        for start in range(0, len(article_ids), _PAGE):
            got = self._articles.get(ids=list(article_ids[start : start + _PAGE]), include=["metadatas"])
            found.update(zip(got["ids"], got["metadatas"] or [], strict=True))
        return found

    def front_matters(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The front matter of each of the given articles that is indexed."""
        return {i: json.loads(m["front_matter"]) for i, m in self._records(article_ids).items()}

    def incomplete(self, article_ids: Sequence[str]) -> list[str]:
        """Indexed articles among these whose record names chunks that are not stored (a recovery elsewhere
        removed them): the next ingest writes them again instead of calling them unchanged.

        Records from before chunk counts were kept are not checked.
        """
        expected: list[str] = []
        owner: dict[str, str] = {}
        for aid, meta in self._records(article_ids).items():
            chunk_ids = [f"{aid}:{meta['content_hash']}:{i}" for i in range(int(meta.get("chunks", 0)))]
            expected += chunk_ids
            owner.update(dict.fromkeys(chunk_ids, aid))
        broken: set[str] = set()
        for start in range(0, len(expected), _PAGE):
            page = expected[start : start + _PAGE]
            present = set(self._chunks.get(ids=page, include=[])["ids"])
            broken.update(owner[i] for i in page if i not in present)
        return sorted(broken)

    @staticmethod
    def _info(article_id: str, meta: Any) -> ArticleInfo:
        fm: dict[str, Any] = json.loads(meta["front_matter"])
        published = fm.get("published")
        return ArticleInfo(
            id=article_id,
            title=fm.get("title", ""),
            outlet=fm.get("outlet"),
            published=dt.date.fromisoformat(published) if published else None,
            published_precision=fm.get("published_precision"),
            url=fm.get("url"),
            content_hash=str(meta["content_hash"]),
            ingested_at=str(meta["ingested_at"]),
            front_matter=fm,
            sentences=int(meta["sentences"]) if "sentences" in meta else None,
        )

    # --- writing --------------------------------------------------------------------------
    def put_articles(self, items: Sequence[Indexed], run: str | None = None) -> None:
        """Store a batch of articles, copy-on-write: their chunks, then their records (the commit), then the
        chunks of the versions they replace. `run` tags the writes (see `begin_run`).

        Each sentence is embedded once; its chunk carries its vector in its metadata (int8), for ranking
        inside the chunk and for the sentence vectors dense search reads (`bot.index.sentence_vectors`).
        """
        self.write_chunks(items, run)
        self.commit(items, run)
        self.drop_superseded(items, run)

    def write_chunks(self, items: Sequence[Indexed], run: str | None = None) -> None:
        """Write the chunks of a batch (their sentences' vectors with them), invisible until `commit` (upserts:
        a killed run's leftovers with the same ids are simply written again)."""
        # No chunk text: it is the article's body cut at the chunk's span, and Chroma would index it for
        # full-text search nobody runs (half of a chunk write's CPU, a quarter of the store's size).
        chunks = _Rows(with_documents=False)
        for item in items:
            self._chunk_rows(item, chunks, run)
        chunks.write(self._chunks.upsert)

    def commit(self, items: Sequence[Indexed], run: str | None = None) -> None:
        """Switch the batch's article records to the versions just written, and renew the run's lease."""
        records = _Rows()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for item in items:
            a = item.article
            lo, hi = date_range(a)
            meta: dict[str, Any] = {"content_hash": a.content_hash, "ingested_at": now, "lo": lo, "hi": hi}
            meta["sentences"] = len(item.sentences)
            meta["chunks"] = len(item.chunks)  # chunk ids are 0 … n-1: an ingest checks they are all there
            meta["minhash"] = base64.b64encode(minhash(a.body).tobytes()).decode("ascii")
            meta["front_matter"] = json.dumps(a.front_matter(), default=str)
            if run:
                meta["run"] = run
            records.append(a.id, to_markdown(a), self._placeholder(self._articles), meta)
        records.write(self._articles.upsert)
        if run:
            self.renew_run(run)
        self._new_generation()

    def drop_superseded(self, items: Sequence[Indexed], run: str | None = None) -> None:
        """Remove the chunks of the versions these articles replaced, except those a live run is writing
        (another replica's update in flight: whichever commits last wins, and its chunks must be there)."""
        current = {item.article.id: item.article.content_hash for item in items}
        self._delete_where(list(current), lambda meta: meta.get("content_hash") != current[meta["article_id"]], run)

    def _delete_where(
        self, article_ids: list[str], doomed: Callable[[Mapping[str, Any]], bool], run: str | None
    ) -> None:
        """Delete the chunks and sentences of these articles that `doomed` picks and no other live run wrote."""
        live = {r.id for r in self.runs() if r.alive()} - {run}
        for collection in (self._chunks, self._sentences):
            for start in range(0, len(article_ids), _IDS_PER_QUERY):
                where: dict[str, Any] = {"article_id": {"$in": article_ids[start : start + _IDS_PER_QUERY]}}
                got = collection.get(where=where, include=["metadatas"])
                stale = [
                    i
                    for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
                    if doomed(m) and m.get("run") not in live
                ]
                for first in range(0, len(stale), _PAGE):
                    collection.delete(ids=stale[first : first + _PAGE])

    # --- runs and leases --------------------------------------------------------------------
    def begin_run(self) -> str:
        """Start a run: a new id, with a lease other writers respect until it expires or `end_run`."""
        run = uuid.uuid4().hex[:16]
        self.renew_run(run)
        return run

    def renew_run(self, run: str) -> None:
        """Renew a run's lease (every commit does)."""
        holder = f"{socket.gethostname()}:{os.getpid()}"
        self._state.upsert(
            ids=[_RUN + run],
            embeddings=np.ones((1, 1), np.float32),
            metadatas=[{"renewed": time.time(), "holder": holder}],
        )

    def end_run(self, run: str, written: Mapping[str, str] | None = None) -> None:
        """Finish a run: drop its chunks of `written` articles (id -> content hash it committed) whose record
        another run switched since (two replicas updating one article: the last commit wins), then its lease."""
        written = written or {}
        now = self.content_hashes(list(written))
        lost = [aid for aid, content_hash in written.items() if now.get(aid) != content_hash]
        if lost:
            self._delete_where(
                lost, lambda m: m.get("run") == run and now.get(m["article_id"]) != m["content_hash"], run
            )
        self._state.delete(ids=[_RUN + run])

    def runs(self) -> list[Run]:
        """The runs that hold (or held) a lease: ingests in progress, or dead ones not yet cleaned up."""
        got = self._state.get(include=["metadatas"])
        return [
            Run(i.removeprefix(_RUN), float(cast(float, m["renewed"])), str(m.get("holder", "")))
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
            if i.startswith(_RUN)
        ]

    def recover(self, dead: set[str], run: str | None = None) -> int:
        """After runs died (`dead`: this process's own killed run; runs whose lease expired are added), remove
        the leftovers no record commits, except a live run's; returns how many chunks were removed."""
        runs = self.runs()
        expired = {r.id for r in runs if not r.alive()}
        live = {r.id for r in runs if r.alive()} - dead - {run}
        removed = self.prune_orphans(keep_runs=live)
        for gone in (dead | expired) - {run}:
            self._state.delete(ids=[_RUN + gone])
        return removed

    def delete_chunks(self, *article_ids: str) -> None:
        """Remove every chunk (and indexed sentence) of the given articles."""
        for start in range(0, len(article_ids), _IDS_PER_QUERY):
            where: dict[str, Any] = {"article_id": {"$in": list(article_ids[start : start + _IDS_PER_QUERY])}}
            self._chunks.delete(where=where)
            self._sentences.delete(where=where)

    def _chunk_rows(self, item: Indexed, rows: _Rows, run: str | None) -> None:
        article = item.article
        lo, hi = date_range(article)
        position = {span: i for i, span in enumerate(item.sentences)}
        tag = {"run": run} if run else {}
        for chunk in item.chunks:
            svecs = item.sentence_vectors[[position[s] for s in chunk.sentences]]
            rows.append(
                f"{article.id}:{article.content_hash}:{chunk.index}",
                article.body[chunk.start : chunk.end],
                self._placeholder(self._chunks),
                {**self._chunk_meta(article, chunk, svecs, lo, hi), **tag},
            )

    def _placeholder(self, collection: Collection) -> Vector:
        """The vector stored with records nobody searches by vector: a unit vector of the dimension
        the collection already holds (indexes built before placeholders keep 384), else of one."""
        if collection.name not in self._placeholders:
            got = collection.get(limit=1, include=["embeddings"])
            stored = got.get("embeddings")
            dimension = len(stored[0]) if stored is not None and len(stored) else 1
            self._placeholders[collection.name] = np.eye(1, dimension, dtype=np.float32)[0]
        return self._placeholders[collection.name]

    @staticmethod
    def _chunk_meta(article: Article, chunk: Chunk, svecs: Vector, lo: int, hi: int) -> dict[str, Any]:
        return {
            "article_id": article.id,
            "content_hash": article.content_hash,
            "chunk": chunk.index,
            "start": chunk.start,
            "end": chunk.end,
            "outlet": article.outlet or "",
            "published": article.published.isoformat() if article.published else "",
            "lo": lo,
            "hi": hi,
            "sentences": ",".join(f"{s.start}-{s.end}" for s in chunk.sentences),
            **_encode_vectors(svecs),
        }

    def delete_article(self, article_id: str) -> bool:
        """Remove an article and its chunks; False if it was not indexed."""
        known = bool(self._articles.get(ids=[article_id]).get("ids"))
        self._articles.delete(ids=[article_id])
        self.delete_chunks(article_id)
        self._new_generation()
        return known

    def generation(self) -> str | None:
        """A token that changes whenever the registry does, here or in another process sharing the
        store; None for an index written before tokens were kept (or an empty one).

        When another process moved it, the embedded store is reopened first (see `reopen`), so that
        what that process wrote is read from the files rather than from this process's stale memory.
        """
        token = self._generation()
        if token != self._seen and self._seen is not None and self.reopen():
            token = self._generation()
        self._seen = token
        return token

    def _generation(self) -> str | None:
        if self._stamp is None:
            return self._stored_generation()
        return self._stamp.read(self._stored_generation)

    def _stored_generation(self) -> str | None:
        metadatas = self._state.get(ids=[_GENERATION], include=["metadatas"]).get("metadatas") or []
        return str(metadatas[0]["generation"]) if metadatas else None

    def _new_generation(self) -> None:
        # Written after the change it marks: a reader that saw the old token re-reads next time.
        token = uuid.uuid4().hex
        if self._stamp is not None:
            self._stamp.clear()
        self._state.upsert(ids=[_GENERATION], embeddings=np.ones((1, 1), np.float32), metadatas=[{"generation": token}])
        if self._stamp is not None:
            self._stamp.write(token)
        self._seen = token  # our own change: nothing to reopen for

    def prune_orphans(self, keep_runs: set[str] | frozenset[str] = frozenset()) -> int:
        """Delete chunks no article record commits (an interrupted ingest's), except those written by the
        runs in `keep_runs` (live ones: their records are still to come); returns how many were removed."""
        current = {a.id: a.content_hash for a in self.articles()}
        removed = 0
        for collection in (self._chunks, self._sentences):
            stale = [
                cid
                for cid, m in self._page(collection, include=["metadatas"])
                if current.get(str(m["article_id"])) != m["content_hash"] and m.get("run") not in keep_runs
            ]
            for start in range(0, len(stale), _PAGE):
                collection.delete(ids=stale[start : start + _PAGE])
            removed += len(stale) if collection is self._chunks else 0
        return removed

    def close(self) -> None:
        """Release the client's files and connections; chromadb stops its shared system with the last client."""
        close = getattr(self.client, "close", None)  # on Client, not on the ClientAPI protocol it is typed as
        if callable(close):
            close()

    def reset(self) -> None:
        """Drop the collections and create them empty."""
        if self._stamp is not None:
            self._stamp.clear()
        for name in (f"{self.name}_{part}" for part in ("chunks", "sentences", "articles", "state")):
            with contextlib.suppress(Exception):  # absent already: nothing to drop
                self.client.delete_collection(name)
        self._placeholders.clear()
        self._open_collections()
        self._seen = None

    # --- reading --------------------------------------------------------------------------
    def chunks(self, ids: Sequence[str]) -> list[ChunkRecord]:
        """Chunk records for the given ids, in the same order (missing ids are skipped)."""
        if not ids:
            return []
        with self._chunk_cache_lock:
            by_id = {i: self._chunk_cache[i] for i in ids if i in self._chunk_cache}
            for i in by_id:
                self._chunk_cache.move_to_end(i)
        wanted = [i for i in dict.fromkeys(ids) if i not in by_id]
        if wanted:
            got = self._chunks.get(ids=wanted, include=["documents", "metadatas"])
            read = {i: self._record(i, d, m) for i, d, m in self._with_texts(got)}
            by_id |= read
            with self._chunk_cache_lock:
                self._chunk_cache.update(read)
                while len(self._chunk_cache) > _CHUNKS_CACHED:
                    self._chunk_cache.popitem(last=False)
        return [by_id[i] for i in ids if i in by_id]

    def iter_chunks(self, article_ids: Sequence[str] | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk (or every chunk of the given articles) as (id, text, metadata), page by page."""
        if article_ids is None:
            yield from self._iter_where(None)
            return
        for start in range(0, len(article_ids), _IDS_PER_QUERY):
            yield from self._iter_where({"article_id": {"$in": list(article_ids[start : start + _IDS_PER_QUERY])}})

    def _iter_where(self, where: dict[str, Any] | None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        offset = 0
        while True:
            got = self._chunks.get(where=where, limit=_PAGE, offset=offset, include=["documents", "metadatas"])
            if not got["ids"]:
                return
            yield from self._with_texts(got)
            offset += len(got["ids"])

    def _with_texts(self, got: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """A page of chunk records as (id, text, metadata). The text is the record's own in an index written
        before chunk texts were left out, else cut from the article record's body when that record holds
        the chunk's version; a chunk of another version (an ingest between writing its chunks and
        committing them, or a superseded one not yet dropped) is left out, as readers would skip it anyway."""
        ids: list[str] = got["ids"]
        documents: list[str | None] = got["documents"] or [None] * len(ids)
        metadatas = [dict(m) for m in got["metadatas"] or []]
        untexted = sorted({str(m["article_id"]) for d, m in zip(documents, metadatas, strict=True) if d is None})
        bodies = self._bodies(untexted)
        for chunk_id, document, meta in zip(ids, documents, metadatas, strict=True):
            if document is None:
                held = bodies.get(str(meta["article_id"]))
                if held is None or held[0] != meta["content_hash"]:
                    continue
                document = held[1][int(meta["start"]) : int(meta["end"])]
            yield chunk_id, document, meta

    def _bodies(self, article_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The content hash and body each of these articles' records holds (one query per page of ids)."""
        held: dict[str, tuple[str, str]] = {}
        for start in range(0, len(article_ids), _PAGE):
            page = list(article_ids[start : start + _PAGE])
            got = self._articles.get(ids=page, include=["documents", "metadatas"])
            for i, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
                held[i] = (str(meta["content_hash"]), parse_markdown(doc, f"store:{i}").body)
        return held

    @staticmethod
    def _record(chunk_id: str, text: str, meta: Any) -> ChunkRecord:
        spans = tuple(Span(int(a), int(b)) for a, b in (p.split("-") for p in str(meta["sentences"]).split(",")))
        return ChunkRecord(
            id=chunk_id,
            article_id=str(meta["article_id"]),
            text=text,
            start=int(meta["start"]),
            sentences=spans,
            sentence_vectors=_decode_vectors(meta, len(spans)),
        )

    @staticmethod
    def _page(collection: Collection, include: list[Any]) -> Iterator[tuple[str, Any]]:
        offset = 0
        while True:
            got = collection.get(limit=_PAGE, offset=offset, include=include)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["metadatas"] or [], strict=True)
            offset += len(got["ids"])
