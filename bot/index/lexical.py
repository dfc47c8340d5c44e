"""BM25 over the stored chunks: kept in step with the store incrementally, persisted in the data dir.

The index is an inverted file of our own (numpy only), because BM25 libraries score at build
time and must re-index everything when one article is added. Here an ingest adds the new
chunks' postings and tombstones the replaced ones; a query computes Lucene's BM25 from the
postings of its terms. Besides postings it keeps, per chunk, what filtering needs (article,
date range, outlet) as integer columns, and the corpus's document frequencies for sentence
scoring and abstention. Everything is arrays, saved in one file that a process maps rather than
reads (`bot.index.array_file`): at 100,000 articles the postings are most of a gigabyte, of which
a question touches its terms' few pages.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.index.array_file import read_arrays, write_arrays
from bot.text import terms

if TYPE_CHECKING:
    from bot.index.store import Store

log = logging.getLogger(__name__)
IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
Postings = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]  # by term: start, rows, counts
Row = tuple[str, str, dict[str, Any]]  # (chunk id, text, metadata) as the store yields them
_K1, _B = 1.5, 0.75  # Lucene's defaults
_FORMAT = 3  # bump when the saved layout changes: an older file is then rebuilt from the store
_FILE = "index.arrays"
_LEGACY_FILES = ("index.npz",)  # earlier formats' files: removed once the index is saved in this one


def _empty(dtype: Any) -> np.ndarray[Any, Any]:
    return np.zeros(0, dtype)


@dataclass
class ChunkTable:
    """Per-chunk columns used to filter lexical hits without a store round trip (one row per chunk ever added).

    A chunk's id is `article:hash:number` (`Store`), so a row keeps the slot of its article version and its
    number; ids of another shape (none today) are kept whole in `odd_ids`.
    """

    slots: IntArray = field(default_factory=lambda: _empty(np.int32))  # index into `versions`
    numbers: IntArray = field(default_factory=lambda: _empty(np.int32))
    lo: IntArray = field(default_factory=lambda: _empty(np.int64))
    hi: IntArray = field(default_factory=lambda: _empty(np.int64))
    outlet_codes: IntArray = field(default_factory=lambda: _empty(np.int32))  # index into `outlets`
    versions: list[tuple[str, str]] = field(default_factory=list)  # (article id, content hash) by slot
    outlets: list[str] = field(default_factory=list)
    odd_ids: dict[int, str] = field(default_factory=dict)
    _slot_of: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _code_of: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._slot_of = {v: i for i, v in enumerate(self.versions)}
        self._code_of = {o: i for i, o in enumerate(self.outlets)}

    def __len__(self) -> int:
        return len(self.slots)

    def chunk_id(self, row: int) -> str:
        """The store's id of the chunk in `row`."""
        if row in self.odd_ids:
            return self.odd_ids[row]
        article, content_hash = self.versions[int(self.slots[row])]
        return f"{article}:{content_hash}:{int(self.numbers[row])}"

    @property
    def ids(self) -> list[str]:
        """Every row's chunk id (built on demand: retrieval asks `chunk_id` for its top rows only)."""
        return [self.chunk_id(i) for i in range(len(self))]

    def slot(self, article: str, content_hash: str) -> int:
        """The slot of an article version, made on first use."""
        key = (article, content_hash)
        if key not in self._slot_of:
            self._slot_of[key] = len(self.versions)
            self.versions.append(key)
        return self._slot_of[key]

    def code(self, outlet: str) -> int:
        """The integer code of an outlet name, made on first use."""
        if outlet not in self._code_of:
            self._code_of[outlet] = len(self.outlets)
            self.outlets.append(outlet)
        return self._code_of[outlet]

    def rows_of(self, articles: Iterable[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows belong to any version of the given articles."""
        gone = set(articles)
        wanted = np.array([i for i, (a, _) in enumerate(self.versions) if a in gone], dtype=np.int32)
        return np.isin(self.slots, wanted)

    def outlet_mask(self, allowed: Iterable[str]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows come from one of the allowed outlets (exact names)."""
        wanted = np.array([self._code_of[o] for o in allowed if o in self._code_of], dtype=np.int32)
        return np.isin(self.outlet_codes, wanted)

    def copy(self) -> ChunkTable:
        """A table whose lists can grow without changing this one's (the arrays are replaced, never edited)."""
        return ChunkTable(
            self.slots, self.numbers, self.lo, self.hi, self.outlet_codes,
            list(self.versions), list(self.outlets), dict(self.odd_ids),
        )  # fmt: skip

    def taken(self, keep: np.ndarray[Any, Any]) -> ChunkTable:
        """The rows in `keep`, renumbered from 0 (compaction); versions no row uses are dropped."""
        used = np.unique(self.slots[keep]) if len(keep) else _empty(np.int32)
        renumber = np.full(max(len(self.versions), 1), -1, np.int32)
        renumber[used] = np.arange(len(used), dtype=np.int32)
        position = {int(old): new for new, old in enumerate(keep)}
        odd = {position[r]: i for r, i in self.odd_ids.items() if r in position}
        return ChunkTable(
            renumber[self.slots[keep]], self.numbers[keep], self.lo[keep], self.hi[keep], self.outlet_codes[keep],
            [self.versions[int(i)] for i in used], list(self.outlets), odd,
        )  # fmt: skip


class DocumentFrequencies(Mapping[str, int]):
    """Live chunks containing each stemmed term, as a read-only mapping over the index's count array
    (terms in no live chunk are absent)."""

    def __init__(self, vocab: Mapping[str, int], counts: np.ndarray[Any, Any]) -> None:
        """The counts by term id of `vocab`."""
        self._vocab, self._counts = vocab, counts

    def __getitem__(self, term: str) -> int:
        term_id = self._vocab[term]
        n = int(self._counts[term_id]) if term_id < len(self._counts) else 0
        if n <= 0:
            raise KeyError(term)
        return n

    def __contains__(self, term: object) -> bool:
        term_id = self._vocab.get(term) if isinstance(term, str) else None
        return term_id is not None and term_id < len(self._counts) and int(self._counts[term_id]) > 0

    def __iter__(self) -> Iterator[str]:
        return (w for w, i in self._vocab.items() if i < len(self._counts) and self._counts[i] > 0)

    def __len__(self) -> int:
        return int(np.count_nonzero(self._counts))


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
        self.table = ChunkTable()
        self.articles: dict[str, str] = {}  # article id -> content hash of the indexed version
        self._vocab: dict[str, int] = {}
        self._df = _empty(np.int32)  # live chunks containing each term, by term id
        self._indptr = np.zeros(1, np.int64)  # CSR by chunk row: the row's term ids and counts
        self._terms = _empty(np.int32)
        self._tf = _empty(np.float32)
        self._dl = _empty(np.float32)
        self._alive = _empty(bool)
        self._postings: Postings | None = None  # CSC, built lazily
        self._live: tuple[int, float] | None = None  # (live rows, their mean length), kept until a change
        self.file_outdated = False  # loaded from a file of an earlier layout's successor: worth saving again

    # --- size --------------------------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        """Number of live chunks (at least 1, so that idf stays finite on an empty index)."""
        return max(1, self._live_stats()[0])

    @property
    def df(self) -> DocumentFrequencies:
        """Live chunks containing each term (a mapping; absent terms are absent)."""
        return DocumentFrequencies(self._vocab, self._df)

    def _live_stats(self) -> tuple[int, float]:
        if self._live is None:
            live = int(np.count_nonzero(self._alive))
            mean = float(self._dl[self._alive].mean()) if live else 0.0
            self._live = (live, mean)
        return self._live

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
        """A copy that can be changed without disturbing readers of this one (arrays are replaced, not edited,
        except the two `remove` edits, which are copied: a mapped file's arrays are read-only)."""
        other = LexicalIndex()
        other.table = self.table.copy()
        other.articles, other._vocab = dict(self.articles), dict(self._vocab)
        other._indptr, other._terms, other._tf, other._dl = self._indptr, self._terms, self._tf, self._dl
        other._alive, other._df = self._alive.copy(), self._df.copy()
        other._postings = self._postings
        return other

    def add(self, rows: Iterable[Row]) -> int:
        """Index chunks; returns how many were added (their articles are recorded by `sync`)."""
        new_terms: list[np.ndarray[Any, Any]] = []
        new_tf: list[np.ndarray[Any, Any]] = []
        lengths: list[int] = []
        columns: dict[str, list[int]] = {"slots": [], "numbers": [], "lo": [], "hi": [], "codes": []}
        t = self.table
        first = len(t)
        for chunk_id, text, meta in rows:
            counts = Counter(terms(text))
            ids = np.fromiter((self._vocab.setdefault(w, len(self._vocab)) for w in counts), np.int32, len(counts))
            new_terms.append(ids)
            new_tf.append(np.fromiter(counts.values(), np.float32, len(counts)))
            lengths.append(sum(counts.values()))
            article, content_hash, number = str(meta["article_id"]), str(meta["content_hash"]), int(meta["chunk"])
            if chunk_id != f"{article}:{content_hash}:{number}":
                t.odd_ids[first + len(lengths) - 1] = chunk_id
            columns["slots"].append(t.slot(article, content_hash))
            columns["numbers"].append(number)
            columns["codes"].append(t.code(str(meta.get("outlet") or "")))
            columns["lo"].append(int(meta["lo"]))
            columns["hi"].append(int(meta["hi"]))
        if not lengths:
            return 0
        sizes = np.fromiter((len(x) for x in new_terms), np.int64, len(new_terms))
        added_terms = np.concatenate(new_terms)
        self._indptr = np.concatenate([self._indptr, self._indptr[-1] + np.cumsum(sizes)])
        self._terms = np.concatenate([self._terms, added_terms])
        self._tf = np.concatenate([self._tf, *new_tf])
        self._dl = np.concatenate([self._dl, np.asarray(lengths, np.float32)])
        self._alive = np.concatenate([self._alive, np.ones(len(lengths), bool)])
        df = np.zeros(len(self._vocab), np.int32)
        df[: len(self._df)] = self._df
        self._df = df + np.bincount(added_terms, minlength=len(self._vocab)).astype(np.int32)
        t.slots = np.concatenate([t.slots, np.asarray(columns["slots"], np.int32)])
        t.numbers = np.concatenate([t.numbers, np.asarray(columns["numbers"], np.int32)])
        t.outlet_codes = np.concatenate([t.outlet_codes, np.asarray(columns["codes"], np.int32)])
        t.lo = np.concatenate([t.lo, np.asarray(columns["lo"], np.int64)])
        t.hi = np.concatenate([t.hi, np.asarray(columns["hi"], np.int64)])
        self._postings, self._live = None, None
        return len(lengths)

    def remove(self, article_ids: Iterable[str]) -> int:
        """Tombstone every chunk of the given articles; returns how many chunks went."""
        gone = set(article_ids)
        if not gone:
            return 0
        rows = np.flatnonzero(self.table.rows_of(gone) & self._alive)
        if len(rows):
            starts, ends = self._indptr[rows], self._indptr[rows + 1]
            removed = self._terms[np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])]
            self._df = self._df - np.bincount(removed, minlength=len(self._df)).astype(np.int32)
            self._alive[rows] = False
            self._live = None
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
        take = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)] or [_empty(np.int64)])
        self._terms, self._tf = self._terms[take], self._tf[take]
        self._indptr = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
        self._dl, self._alive = self._dl[keep], self._alive[keep]
        self.table = self.table.taken(keep)
        self._postings, self._live = None, None

    # --- querying ----------------------------------------------------------------------------
    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of a stemmed term (high for rare terms)."""
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> FloatArray:
        """BM25 score of every chunk row for a query (zeros for no match and for removed rows)."""
        out = np.zeros(len(self._alive))
        frequencies = self.df
        toks = [t for t in terms(query) if t in frequencies]
        if not toks:
            return out
        ptr, rows, tf = self._csc()
        mean = max(self._live_stats()[1], 1e-9)
        for tok in toks:  # a repeated query term counts again, as in BM25 over the query's tokens
            term_id = self._vocab[tok]
            r, f = rows[ptr[term_id] : ptr[term_id + 1]], tf[ptr[term_id] : ptr[term_id + 1]]
            norm = _K1 * (1.0 - _B + _B * self._dl[r] / mean)  # only the rows the term occurs in
            out[r] += self.idf(tok) * f / (f + norm)
        out[~self._alive] = 0.0
        return out

    def _csc(self) -> Postings:
        """Postings by term (row ids and counts), derived from the rows once per change."""
        if self._postings is None:
            row_of = np.repeat(np.arange(len(self._dl), dtype=np.int32), np.diff(self._indptr))
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
            "versions": t.versions,
            "outlets": t.outlets,
            "odd_ids": {str(r): i for r, i in t.odd_ids.items()},
            "articles": self.articles,
        }
        ptr, rows, tf = self._csc()  # saved too: deriving them costs most of a second at 100,000 chunks
        arrays = {
            "post_ptr": ptr,
            "post_rows": rows,
            "post_tf": tf,
            "indptr": self._indptr,
            "terms": self._terms,
            "tf": self._tf,
            "dl": self._dl,
            "alive": self._alive,
            "df": self._df,
            "slots": t.slots,
            "numbers": t.numbers,
            "outlet_codes": t.outlet_codes,
            "lo": t.lo,
            "hi": t.hi,
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_arrays(folder / _FILE, meta, arrays)  # a unique temp name: two writers never share one
        except OSError as exc:
            log.warning("could not save the BM25 index in %s (%s); answering from memory", folder, exc)
            return False
        for legacy in _LEGACY_FILES:  # the earlier format's file is now only taking space
            with contextlib.suppress(OSError):
                (folder / legacy).unlink(missing_ok=True)
        return True

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, mapped rather than read, or None when absent, of an older format or damaged in
        any way (then rebuild)."""
        path = folder / _FILE
        if not path.exists():
            if any((folder / legacy).exists() for legacy in _LEGACY_FILES):
                log.info("BM25 index in %s is of an older format; rebuilding it from the store", folder)
            return None
        try:
            index = cls._read(path)
        except Exception as exc:  # a cache: whatever is wrong with it (truncated, foreign, wrong types), rebuild
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("BM25 index at %s unreadable (%s); rebuilding it from the store", path, reason)
            return None
        if index is None:
            log.info("BM25 index at %s is of an older format; rebuilding it from the store", path)
        return index

    @classmethod
    def _read(cls, path: Path) -> LexicalIndex | None:
        """The index in `path`; None for an older format; an exception when the file is damaged or inconsistent."""
        meta, saved = read_arrays(path)
        if not isinstance(meta, dict):
            raise ValueError(f"its metadata is a JSON {type(meta).__name__}, not an object")
        if meta.get("format") != _FORMAT:
            return None
        index = cls()
        index._indptr, index._terms, index._tf = saved["indptr"], saved["terms"], saved["tf"]
        index._dl, index._alive, index._df = saved["dl"], saved["alive"], saved["df"]
        index._postings = (saved["post_ptr"], saved["post_rows"], saved["post_tf"])
        versions = [(str(a), str(h)) for a, h in _pairs(meta["versions"])]
        odd = {int(r): str(i) for r, i in dict(meta["odd_ids"]).items()}
        index.table = ChunkTable(
            saved["slots"], saved["numbers"], saved["lo"], saved["hi"], saved["outlet_codes"],
            versions, [str(o) for o in meta["outlets"]], odd,
        )  # fmt: skip
        words = [str(w) for w in meta["vocab"]]
        index._vocab = {w: i for i, w in enumerate(words)}
        index.articles = {str(a): str(h) for a, h in dict(meta["articles"]).items()}
        _check_consistent(index, len(words))
        return index


def _pairs(value: Any) -> Sequence[tuple[Any, Any]]:
    if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
        raise ValueError("its article versions are not pairs")
    return [(p[0], p[1]) for p in value]


def _check_consistent(index: LexicalIndex, n_words: int) -> None:
    """Raise ValueError unless the loaded arrays fit together (a damaged file could otherwise fail every query).

    Checks what costs no pass over the postings: their sizes and ends, not every entry, so that opening a
    large index stays cheap; an entry out of range would only make a query fail, and then the rebuild follows.
    """
    rows = len(index._dl)
    t = index.table
    sizes = {len(index._alive), len(t.slots), len(t.numbers), len(t.outlet_codes), len(t.lo), len(t.hi)}
    arrays = (index._indptr, index._terms, index._tf, index._dl, index._alive, t.lo, t.hi, t.slots)
    if sizes != {rows} or len(index._indptr) != rows + 1 or any(a.ndim != 1 for a in arrays):
        raise ValueError("its arrays disagree on the number of chunks")
    if index._alive.dtype != bool or not np.issubdtype(index._terms.dtype, np.integer):
        raise ValueError("its arrays have the wrong types")
    terms = index._terms
    if int(index._indptr[0]) != 0 or int(index._indptr[-1]) != len(terms) or len(terms) != len(index._tf):
        raise ValueError("its postings disagree with its rows")
    if len(index._df) != n_words or (rows and not 0 <= int(t.slots.max()) < max(len(t.versions), 1)):
        raise ValueError("its columns point outside the vocabulary or the article list")
    ptr, post_rows, post_tf = index._postings or (np.zeros(1, np.int64), terms, terms)
    if len(ptr) != n_words + 1 or int(ptr[-1]) != len(terms) or len(post_rows) != len(terms) != len(post_tf):
        raise ValueError("its postings by term disagree with its rows")
