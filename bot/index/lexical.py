"""BM25 over the stored chunks: kept in step with the store incrementally, persisted in the data dir.

The index is an inverted file of our own (numpy only), because BM25 libraries score at build
time and must re-index everything when one article is added. Here an ingest adds the new
chunks' postings and tombstones the replaced ones; a query computes Lucene's BM25 from the
postings of its terms. Besides postings it keeps, per chunk, what filtering needs (article id,
date range, outlet), and the corpus's document frequencies for sentence scoring and abstention.
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.atomic import atomic_write
from bot.text import terms

if TYPE_CHECKING:
    from bot.index.store import Store

log = logging.getLogger(__name__)
IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Row = tuple[str, str, dict[str, Any]]  # (chunk id, text, metadata) as the store yields them
_K1, _B = 1.5, 0.75  # Lucene's defaults
_FORMAT = 2  # bump when the saved layout changes: an older file is then rebuilt from the store
_FILE = "index.npz"


@dataclass
class ChunkTable:
    """Per-chunk columns used to filter lexical hits without a store round trip (one row per chunk ever added)."""

    ids: list[str]
    article_ids: list[str]
    lo: IntArray
    hi: IntArray
    outlets: list[str]
    # the outlet column as integer codes for filtering (`bot.index.retrieve`), with the list and length it was made from
    outlet_codes: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class SyncReport:
    """How `LexicalIndex.sync` changed the index."""

    added: int
    removed: int
    chunks: int

    @property
    def changed(self) -> bool:
        """Whether the index differs from before (and should be saved)."""
        return bool(self.added or self.removed)


class LexicalIndex:
    """A BM25 index of chunk texts plus document frequencies of stemmed terms."""

    def __init__(self) -> None:
        """An empty index; fill it with `add` or `sync`, or use `load`."""
        self.table = ChunkTable([], [], np.zeros(0, np.int64), np.zeros(0, np.int64), [])
        self.df: Counter[str] = Counter()  # live chunks containing each term; absent terms are absent
        self.articles: dict[str, str] = {}  # article id -> content hash of the indexed version
        self._vocab: dict[str, int] = {}
        self._indptr = np.zeros(1, np.int64)  # CSR by chunk row: the row's term ids and counts
        self._terms = np.zeros(0, np.int32)
        self._tf = np.zeros(0, np.float32)
        self._dl = np.zeros(0, np.float32)
        self._alive = np.zeros(0, bool)
        self._postings: tuple[IntArray, IntArray, np.ndarray[Any, Any]] | None = None  # CSC, built lazily
        self.file_outdated = False  # loaded from a file saved without postings: worth saving again

    # --- size --------------------------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        """Number of live chunks (at least 1, so that idf stays finite on an empty index)."""
        return max(1, int(self._alive.sum()))

    # --- updating ----------------------------------------------------------------------------
    def fresh(self, current: Mapping[str, str]) -> list[str]:
        """Articles of the registry (id -> content hash) whose version here is missing or another."""
        return [a for a, h in current.items() if self.articles.get(a) != h]

    def synced(
        self, store: Store, current: Mapping[str, str], rows: Iterable[Row] | None = None
    ) -> tuple[LexicalIndex, SyncReport]:
        """This index brought in step with the store's registry (article id -> content hash).

        Only what differs is touched: articles gone or changed lose their rows, new or changed
        ones have just their chunks read from the store (or taken from `rows`, which then hold at least
        the `fresh` articles' chunks: one pass shared with the sentence vectors). Several processes sharing
        a store each catch up this way, whoever did the ingest. The result is a new index when anything
        changed, so a question being answered on another thread keeps a consistent view.
        """
        stale = [a for a, h in self.articles.items() if current.get(a) != h]
        fresh = self.fresh(current)
        if not stale and not fresh:
            return self, SyncReport(0, 0, 0)
        index = self._copy()
        index.remove(stale)
        if rows is None:
            rows = store.iter_chunks(fresh) if len(fresh) < len(current) else store.iter_chunks()
        wanted = {a: current[a] for a in fresh}
        # A chunk whose hash is not the registry's belongs to an ingest still under way (or an orphan).
        added = index.add(r for r in rows if wanted.get(str(r[2]["article_id"])) == r[2]["content_hash"])
        index.articles.update(wanted)
        index._maybe_compact()
        return index, SyncReport(len(fresh), len(stale), added)

    def _copy(self) -> LexicalIndex:
        """A copy that can be changed without disturbing readers of this one (arrays are replaced, not edited)."""
        other = LexicalIndex()
        t = self.table
        other.table = ChunkTable(list(t.ids), list(t.article_ids), t.lo, t.hi, list(t.outlets))
        other.df, other.articles, other._vocab = Counter(self.df), dict(self.articles), dict(self._vocab)
        other._indptr, other._terms, other._tf, other._dl = self._indptr, self._terms, self._tf, self._dl
        other._alive = self._alive.copy()  # the one array `remove` edits in place
        return other

    def add(self, rows: Iterable[Row]) -> int:
        """Index chunks; returns how many were added (their articles are recorded by `sync`)."""
        new_terms: list[np.ndarray[Any, Any]] = []
        new_tf: list[np.ndarray[Any, Any]] = []
        lengths: list[int] = []
        lo: list[int] = []
        hi: list[int] = []
        t = self.table
        for chunk_id, text, meta in rows:
            counts = Counter(terms(text))
            ids = np.fromiter((self._vocab.setdefault(w, len(self._vocab)) for w in counts), np.int32, len(counts))
            new_terms.append(ids)
            new_tf.append(np.fromiter(counts.values(), np.float32, len(counts)))
            lengths.append(sum(counts.values()))
            self.df.update(counts.keys())
            t.ids.append(chunk_id)
            t.article_ids.append(str(meta["article_id"]))
            t.outlets.append(str(meta.get("outlet") or ""))
            lo.append(int(meta["lo"]))
            hi.append(int(meta["hi"]))
        if not lengths:
            return 0
        sizes = np.fromiter((len(x) for x in new_terms), np.int64, len(new_terms))
        self._indptr = np.concatenate([self._indptr, self._indptr[-1] + np.cumsum(sizes)])
        self._terms = np.concatenate([self._terms, *new_terms])
        self._tf = np.concatenate([self._tf, *new_tf])
        self._dl = np.concatenate([self._dl, np.asarray(lengths, np.float32)])
        self._alive = np.concatenate([self._alive, np.ones(len(lengths), bool)])
        t.lo = np.concatenate([t.lo, np.asarray(lo, np.int64)])
        t.hi = np.concatenate([t.hi, np.asarray(hi, np.int64)])
        self._postings = None
        return len(lengths)

    def remove(self, article_ids: Iterable[str]) -> int:
        """Tombstone every chunk of the given articles; returns how many chunks went."""
        gone = set(article_ids)
        if not gone:
            return 0
        rows = [i for i, a in enumerate(self.table.article_ids) if a in gone and self._alive[i]]
        words = list(self._vocab)
        for i in rows:
            for term_id in self._terms[self._indptr[i] : self._indptr[i + 1]]:
                word = words[term_id]
                self.df[word] -= 1
                if self.df[word] <= 0:
                    del self.df[word]
        self._alive[rows] = False
        for a in gone:
            self.articles.pop(a, None)
        return len(rows)

    def _maybe_compact(self) -> None:
        """Drop tombstoned rows once they are a quarter of the index, so it does not grow without bound."""
        dead = int((~self._alive).sum())
        if dead == 0 or dead * 4 < len(self._alive):
            return
        keep = np.flatnonzero(self._alive)
        starts, ends = self._indptr[keep], self._indptr[keep + 1]
        take = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)] or [np.zeros(0, np.int64)])
        t = self.table
        self._terms, self._tf = self._terms[take], self._tf[take]
        self._indptr = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        self._dl, self._alive = self._dl[keep], self._alive[keep]
        t.ids = [t.ids[i] for i in keep]
        t.article_ids = [t.article_ids[i] for i in keep]
        t.outlets = [t.outlets[i] for i in keep]
        t.lo, t.hi = t.lo[keep], t.hi[keep]
        self._postings = None

    # --- querying ----------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of a stemmed term (high for rare terms)."""
        return math.log(1.0 + (self.n_docs - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def scores(self, query: str) -> FloatArray:
        """BM25 score of every chunk row for a query (zeros for no match and for removed rows)."""
        out = np.zeros(len(self._alive))
        toks = [t for t in terms(query) if t in self.df]
        if not toks:
            return out
        ptr, rows, tf = self._csc()
        live = self._dl[self._alive]
        norm = _K1 * (1.0 - _B + _B * self._dl / max(float(live.mean()), 1e-9))
        for tok in toks:  # a repeated query term counts again, as in BM25 over the query's tokens
            term_id = self._vocab[tok]
            r, f = rows[ptr[term_id] : ptr[term_id + 1]], tf[ptr[term_id] : ptr[term_id + 1]]
            out[r] += self.idf(tok) * f / (f + norm[r])
        out[~self._alive] = 0.0
        return out

    def _csc(self) -> tuple[IntArray, IntArray, np.ndarray[Any, Any]]:
        """Postings by term (row ids and counts), derived from the rows once per change."""
        if self._postings is None:
            row_of = np.repeat(np.arange(len(self._dl), dtype=np.int64), np.diff(self._indptr))
            order = np.argsort(self._terms, kind="stable")
            counts = np.bincount(self._terms, minlength=len(self._vocab))
            ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            self._postings = (ptr, row_of[order], self._tf[order])
        return self._postings

    # --- persistence -------------------------------------------------------------------------
    def save(self, folder: Path) -> bool:
        """Persist the index under `folder` in one file, replaced atomically; False (and a warning) if it cannot be.

        The file is a cache of the store: failing to write it (a read-only or full data folder) costs the
        next process a rebuild, never an answer.
        """
        t = self.table
        meta = {
            "format": _FORMAT,
            "vocab": list(self._vocab),
            "ids": t.ids,
            "article_ids": t.article_ids,
            "outlets": t.outlets,
            "articles": self.articles,
        }
        buffer = io.BytesIO()
        ptr, rows, tf = self._csc()  # saved too: deriving them costs most of a second at 100,000 chunks
        np.savez(
            buffer,
            post_ptr=ptr,
            post_rows=rows,
            post_tf=tf,
            meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
            indptr=self._indptr,
            terms=self._terms,
            tf=self._tf,
            dl=self._dl,
            alive=self._alive,
            lo=t.lo,
            hi=t.hi,
        )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(folder / _FILE, buffer.getvalue())  # a unique temp name: two writers never share one
        except OSError as exc:
            log.warning("could not save the BM25 index in %s (%s); answering from memory", folder, exc)
            return False
        return True

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when absent, of an older format or damaged in any way (then rebuild)."""
        path = folder / _FILE
        if not path.exists():
            return None
        try:
            index = cls._read(path)
        except Exception as exc:  # a cache: whatever is wrong with it (truncated, not a zip, wrong types), rebuild
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("BM25 index at %s unreadable (%s); rebuilding it from the store", path, reason)
            return None
        if index is None:
            log.info("BM25 index at %s is of an older format; rebuilding it from the store", path)
        return index

    @classmethod
    def _read(cls, path: Path) -> LexicalIndex | None:
        """The index in `path`; None for an older format; an exception when the file is damaged or inconsistent."""
        with np.load(path) as saved:
            meta = json.loads(saved["meta"].tobytes())
            if not isinstance(meta, dict):
                raise ValueError(f"its metadata is a JSON {type(meta).__name__}, not an object")
            if meta.get("format") != _FORMAT:
                return None
            index = cls()
            index._indptr, index._terms, index._tf = saved["indptr"], saved["terms"], saved["tf"]
            index._dl, index._alive = saved["dl"], saved["alive"]
            if "post_ptr" in saved.files:
                index._postings = (saved["post_ptr"], saved["post_rows"], saved["post_tf"])
            index.file_outdated = "post_ptr" not in saved.files
            index.table = ChunkTable(
                list(meta["ids"]), list(meta["article_ids"]), saved["lo"], saved["hi"], list(meta["outlets"])
            )
        words = [str(w) for w in meta["vocab"]]
        index._vocab = {w: i for i, w in enumerate(words)}
        index.articles = {str(a): str(h) for a, h in dict(meta["articles"]).items()}
        _check_consistent(index, len(words))
        live_terms = index._terms[np.repeat(index._alive, np.diff(index._indptr))]
        index.df = Counter({words[i]: int(n) for i, n in enumerate(np.bincount(live_terms, minlength=len(words))) if n})
        return index


def _check_consistent(index: LexicalIndex, n_words: int) -> None:
    """Raise ValueError unless the loaded arrays fit together (a damaged file could otherwise fail every query)."""
    rows = len(index._dl)
    t = index.table
    sizes = {len(index._alive), len(t.ids), len(t.article_ids), len(t.outlets), len(t.lo), len(t.hi)}
    arrays = (index._indptr, index._terms, index._tf, index._dl, index._alive, t.lo, t.hi)
    if sizes != {rows} or len(index._indptr) != rows + 1 or any(a.ndim != 1 for a in arrays):
        raise ValueError("its arrays disagree on the number of chunks")
    if index._alive.dtype != bool or not np.issubdtype(index._terms.dtype, np.integer):
        raise ValueError("its arrays have the wrong types")
    terms = index._terms
    if int(index._indptr[0]) != 0 or int(index._indptr[-1]) != len(terms) or len(terms) != len(index._tf):
        raise ValueError("its postings disagree with its rows")
    if np.any(np.diff(index._indptr) < 0) or (len(terms) and not 0 <= int(terms.min()) <= int(terms.max()) < n_words):
        raise ValueError("its postings point outside the vocabulary")
    if index._postings is not None:
        ptr, post_rows, post_tf = index._postings
        if len(ptr) != n_words + 1 or len(post_rows) != len(index._terms) or len(post_tf) != len(index._terms):
            index._postings = None  # derived data: recomputed from the rows
