"""Dense search over sentence vectors held outside Chroma: int8 rows, ordered by publication date, memory-mapped.

Chroma's HNSW keeps every vector in memory, and its write path grew as N^1.34 with the corpus. So the
sentence vectors live in files of our own instead (`bot.index.sentence_vectors_file` saves and opens them):

- A sentence is one int8 row and its scale (`bot.index.store.quantise`, as the chunk records carry it): 388 bytes.
- Rows sit in segments, immutable once written. Within a segment the articles follow their publication
  date and each article's rows are contiguous, so a date window is a slice found by binary search, and an
  outlet is a list of article row ranges: a filtered question scores only its window's rows.
- A plain question scores every sentence while the corpus is small (`FULL_SCAN_ROWS`); above that, one
  centroid per article (the mean of its sentences) picks the `COARSE_ARTICLES` closest articles, and all
  their sentences are scored. The cost then follows the number of articles at 384 bytes each, and what is
  read from disk is those articles' rows.

The files are a cache of the store, as BM25 is (`bot.index.lexical`): built from the chunk records, which carry
their sentences' vectors, and brought in step with the registry incrementally. An article gone or changed
loses its rows (a tombstone), the new versions' rows go into a new segment, and segments are merged when
tombstones or small segments pile up.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bot.dates import Window
from bot.index.store import decode_quantised, quantise

log = logging.getLogger(__name__)
Int8Matrix = np.ndarray[Any, np.dtype[np.int8]]
Int32Matrix = np.ndarray[Any, np.dtype[np.int32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float32]]
Row = tuple[str, str, dict[str, Any]]  # (chunk id, text, metadata) as the store yields them
FULL_SCAN_ROWS = 200_000  # up to this many sentences a plain question scores them all (tens of ms)
COARSE_ARTICLES = 400  # above it, the sentences of this many articles closest by centroid are scored
_YEAR_DAYS = 366  # the widest date range an article stands for (a date known to the year)
# A row file up to this size is read through its map: all of it resident costs less than a pread per block
# (at 1,000 articles, 6.7 MB, about 1.5 CPU-ms a question). Larger ones are read with pread (`_scores`).
PREAD_BYTES = 64 << 20
_BLOCK = 1024  # rows converted and scored at a time: the float copy stays in the cache
_TAIL_SEGMENTS = 8  # more small segments than this are merged into one
_DEAD_SHARE = 0.25  # and everything is rewritten once this share of rows is tombstoned ...
_TAIL_SHARE = 0.25  # ... or the segments after the first hold this share of the rows


@dataclass
class Segment:
    """Rows of whole articles, in publication order: immutable once built (memory-mapped when saved)."""

    vectors: Int8Matrix  # (rows, dimension)
    centroids: Int8Matrix  # (articles, dimension), each scaled by `centroid_scale`
    centroid_scale: FloatArray  # (articles,)
    ids: list[str]
    hashes: list[str]
    starts: IntArray  # (articles + 1,): article i owns rows starts[i]:starts[i + 1]
    lo: IntArray  # (articles,) ordinal day range of each article's date, sorted by lo; -1 when undated
    hi: IntArray
    outlets: list[str]
    chunk: np.ndarray[Any, np.dtype[np.int32]]  # (rows,) the chunk each sentence belongs to (its first)
    scale: FloatArray  # (rows,) what one int8 unit of each row is worth
    spans: Int32Matrix  # (rows, 2): each sentence's [start, end) in its article's body
    chunk_starts: IntArray  # (articles + 1,): article i's chunks are chunk_rows[chunk_starts[i]:chunk_starts[i + 1]]
    chunk_rows: Int32Matrix  # (chunks, 3): a chunk's index, and its first and end row within its article
    name: str = ""  # its file name stem once saved ("" while only in memory)
    _by_outlet: dict[str, IntArray] = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> int:
        """Number of sentence rows."""
        return int(self.starts[-1])

    def outlet_slots(self, outlet: str) -> IntArray:
        """The article slots of one outlet, in date order (built at first use, kept with the segment)."""
        if outlet not in self._by_outlet:
            self._by_outlet[outlet] = np.flatnonzero(np.asarray(self.outlets, dtype=object) == outlet)
        return self._by_outlet[outlet]


@dataclass(frozen=True)
class VectorSyncReport:
    """How `SentenceVectors.synced` changed the vectors."""

    added: int
    removed: int

    @property
    def changed(self) -> bool:
        """Whether anything differs from before (and should be saved)."""
        return bool(self.added or self.removed)


class SentenceVectors:
    """The sentence vectors of the indexed articles, and dense search over them."""

    def __init__(
        self,
        segments: Sequence[Segment] = (),
        alive: Sequence[np.ndarray[Any, np.dtype[np.bool_]]] | None = None,
        generation: str | None = None,
    ) -> None:
        """Segments and, per segment, which article slots are live (all of them when not given)."""
        self.segments = list(segments)
        self.alive = [a.copy() for a in alive] if alive is not None else [np.ones(len(s.ids), bool) for s in segments]
        self.generation = generation  # the store's token when last brought in step (a stamp, see the file)
        self.articles: dict[str, str] = {}  # live article id -> content hash
        self._slot: dict[str, tuple[int, int]] = {}
        for n, (segment, alive_slots) in enumerate(zip(self.segments, self.alive, strict=True)):
            for slot in np.flatnonzero(alive_slots):
                self.articles[segment.ids[slot]] = segment.hashes[slot]
                self._slot[segment.ids[slot]] = (n, int(slot))
        self._live_rows = sum(int(np.diff(s.starts)[a].sum()) for s, a in zip(self.segments, self.alive, strict=True))

    # --- size ------------------------------------------------------------------------------------
    @property
    def dimension(self) -> int:
        """The vectors' dimension (0 while empty)."""
        return int(self.segments[0].vectors.shape[1]) if self.segments else 0

    def live_rows(self) -> int:
        """Number of sentence rows of live articles."""
        return self._live_rows

    def total_rows(self) -> int:
        """Number of rows stored, tombstoned ones included."""
        return sum(s.rows for s in self.segments)

    # --- updating --------------------------------------------------------------------------------
    def fresh(self, current: Mapping[str, str]) -> list[str]:
        """Articles of the registry (id -> content hash) whose version here is missing or another."""
        return [a for a, h in current.items() if self.articles.get(a) != h]

    def synced(
        self, current: Mapping[str, str], rows: Iterable[Row], generation: str | None = None
    ) -> tuple[SentenceVectors, VectorSyncReport]:
        """These vectors brought in step with the registry (`current`: article id -> content hash), the new
        versions read from `rows` (chunks of at least the `fresh` articles; other rows are skipped).

        Readers of this object are undisturbed: any change gives a new one.
        """
        gatherer = Gatherer({a: current[a] for a in self.fresh(current)})
        for row in rows:
            gatherer.take(row)
        return self.applied(current, gatherer, generation)

    def applied(
        self, current: Mapping[str, str], gatherer: Gatherer, generation: str | None = None
    ) -> tuple[SentenceVectors, VectorSyncReport]:
        """As `synced`, with the new versions' chunk records already gathered (`Gatherer.take`)."""
        stale = [a for a, h in self.articles.items() if current.get(a) != h]
        built = gatherer.segment()
        if not stale and built is None:  # unchanged: stamped with the token given (kept when none is)
            return self._stamped(generation if generation is not None else self.generation), VectorSyncReport(0, 0)
        alive = [a.copy() for a in self.alive]
        for article_id in stale:
            n, slot = self._slot[article_id]
            alive[n][slot] = False
        segments = list(self.segments)
        if built is not None:
            segments.append(built)
            alive.append(np.ones(len(built.ids), bool))
        added = len(built.ids) if built is not None else 0
        vectors = SentenceVectors(segments, alive, generation)._compacted()
        return vectors, VectorSyncReport(added, len(stale))

    def _stamped(self, generation: str | None) -> SentenceVectors:
        if generation == self.generation:
            return self
        return SentenceVectors(self.segments, self.alive, generation)

    def _compacted(self) -> SentenceVectors:
        """Merged segments when tombstones or small segments pile up (see the module's constants)."""
        live = [int(a.sum()) for a in self.alive]
        if not self.segments:
            return self
        if sum(live) == 0:
            return SentenceVectors([], [], self.generation)
        rows = self.total_rows()
        dead = rows - self.live_rows()
        tail = rows - self.segments[0].rows
        if dead > _DEAD_SHARE * rows or tail > _TAIL_SHARE * rows:
            return self._merged(0)
        if len(self.segments) - 1 > _TAIL_SEGMENTS:
            return self._merged(1)
        return self

    def _merged(self, first: int) -> SentenceVectors:
        """The segments from `first` on rewritten as one, their tombstoned rows dropped."""
        parts = list(zip(self.segments[first:], self.alive[first:], strict=True))
        merged = merge_segments(parts)
        segments, alive = self.segments[:first], self.alive[:first]
        if merged is not None:
            segments, alive = [*segments, merged], [*alive, np.ones(len(merged.ids), bool)]
        return SentenceVectors(segments, alive, self.generation)

    # --- reading ---------------------------------------------------------------------------------
    def chunk_layout(self, article_id: str, content_hash: str, index: int) -> tuple[Int32Matrix, FloatArray] | None:
        """The sentence spans of one chunk and their vectors, what a chunk record is rebuilt from with its
        article's body (without reading Chroma's chunk collection). Empty when these vectors hold the article
        version and it has no such chunk; None when they do not hold that version, or the chunk's sentences
        are not consecutive rows (then the store has it)."""
        where = self._slot.get(article_id)
        if where is None or self.articles.get(article_id) != content_hash:
            return None
        segment = self.segments[where[0]]
        slot = where[1]
        own = segment.chunk_rows[int(segment.chunk_starts[slot]) : int(segment.chunk_starts[slot + 1])]
        found = np.flatnonzero(own[:, 0] == index)
        if not len(found):
            return np.zeros((0, 2), np.int32), np.zeros((0, segment.vectors.shape[1]), np.float32)
        if own[found[0], 1] < 0:
            return None
        first = int(segment.starts[slot]) + int(own[found[0], 1])
        end = int(segment.starts[slot]) + int(own[found[0], 2])
        with _RowReader(segment.vectors) as read:
            rows = read(np.arange(first, end))
        vectors = rows.astype(np.float32) * segment.scale[first:end, None]
        return np.asarray(segment.spans[first:end]), vectors

    # --- searching -------------------------------------------------------------------------------
    def query(
        self, vector: FloatArray, k: int, window: Window | None = None, outlets: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Chunks ranked by their best sentence's cosine similarity to the query, best first (at most k),
        among the articles published in `window` and by one of `outlets` when given.

        The 3k best sentences are found, as the sentence search in Chroma did, and named by their chunk.
        Up to `FULL_SCAN_ROWS` allowed sentences are all scored; beyond, those of the `COARSE_ARTICLES`
        allowed articles closest by centroid.
        """
        q = np.asarray(vector, dtype=np.float32)
        allowed = self._allowed(window or Window(), outlets)
        selection = self._rows(allowed, q)
        scored = [
            (n, rows, _scores(self.segments[n].vectors, rows, q) * self.segments[n].scale[rows])
            for n, rows in selection
        ]
        scored = [(n, rows, s) for n, rows, s in scored if len(s)]
        if not scored:
            return []
        segment_of = np.concatenate([np.full(len(s), n, np.int32) for n, _, s in scored])
        row_of = np.concatenate([_as_rows(rows) for _, rows, _ in scored])
        scores = np.concatenate([s for _, _, s in scored])
        best: dict[str, float] = {}
        for i in _top(scores, k * 3):
            segment = self.segments[int(segment_of[i])]
            row = int(row_of[i])
            slot = int(np.searchsorted(segment.starts, row, side="right")) - 1
            chunk_id = f"{segment.ids[slot]}:{segment.hashes[slot]}:{int(segment.chunk[row])}"
            best.setdefault(chunk_id, float(scores[i]))
        return list(best.items())[:k]

    def _allowed(self, window: Window, outlets: Sequence[str] | None) -> list[tuple[int, IntArray]]:
        """Per segment, the slots of the live articles published in the window and by one of the outlets:
        found in the date order by binary search, so the work follows the window, not the corpus."""
        out: list[tuple[int, IntArray]] = []
        for n, (segment, alive) in enumerate(zip(self.segments, self.alive, strict=True)):
            first, end = 0, len(segment.ids)
            if window:
                first = int(np.searchsorted(segment.lo, 0))  # undated articles (lo -1, first) pass no filter
            if window.since is not None:  # an article's range starts at most a year before it ends
                first = max(first, int(np.searchsorted(segment.lo, window.since.toordinal() - _YEAR_DAYS)))
            if window.until is not None:
                end = int(np.searchsorted(segment.lo, window.until.toordinal(), "right"))
            if outlets is not None:
                slots = np.concatenate([segment.outlet_slots(o) for o in outlets] or [np.zeros(0, np.int64)])
                slots = np.sort(slots[(slots >= first) & (slots < end)])
            else:
                slots = np.arange(first, end)
            keep = alive[slots]
            if window.since is not None:
                keep &= segment.hi[slots] >= window.since.toordinal()
            if len(slots[keep]):
                out.append((n, slots[keep]))
        return out

    def _rows(self, allowed: list[tuple[int, IntArray]], q: FloatArray) -> list[tuple[int, Any]]:
        """The rows to score: every allowed one while they are few (a slice of the date order when the slots
        are consecutive), else those of the allowed articles closest to the query by centroid."""
        total = sum(int(np.diff(self.segments[n].starts)[slots].sum()) for n, slots in allowed)
        if total <= FULL_SCAN_ROWS:
            return [(n, _rows_of(self.segments[n], slots)) for n, slots in allowed]
        parts = []
        for n, slots in allowed:
            segment = self.segments[n]
            parts.append(_scores(segment.centroids, _consecutive(slots), q) * segment.centroid_scale[slots])
        every = np.concatenate(parts)
        chosen = np.sort(_top(every, COARSE_ARTICLES))
        bounds = np.cumsum([0, *(len(slots) for _, slots in allowed)])
        return [
            (n, _rows_of(self.segments[n], slots[chosen[(chosen >= bounds[i]) & (chosen < bounds[i + 1])] - bounds[i]]))
            for i, (n, slots) in enumerate(allowed)
        ]


def _rows_of(segment: Segment, slots: IntArray) -> Any:
    """The rows of these article slots, in order: a slice when the slots are consecutive (scored without a copy)."""
    if not len(slots):
        return np.zeros(0, np.int64)
    if int(slots[-1]) - int(slots[0]) == len(slots) - 1:
        return slice(int(segment.starts[slots[0]]), int(segment.starts[slots[-1] + 1]))
    starts, ends = segment.starts[slots], segment.starts[slots + 1]
    lengths = ends - starts
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    rows: IntArray = np.arange(int(lengths.sum()), dtype=np.int64) + offsets
    return rows


def _consecutive(slots: IntArray) -> Any:
    """A slice for consecutive numbers (read without a copy), else the numbers."""
    if len(slots) and int(slots[-1]) - int(slots[0]) == len(slots) - 1:
        return slice(int(slots[0]), int(slots[-1]) + 1)
    return slots


def _as_rows(rows: Any) -> IntArray:
    if isinstance(rows, slice):
        return np.arange(rows.start, rows.stop, dtype=np.int64)
    return np.asarray(rows, dtype=np.int64)


def _scores(matrix: Int8Matrix, rows: Any, q: FloatArray) -> FloatArray:
    """Dot products of `q` with the matrix's rows (a slice or row numbers), a block at a time: converting
    int8 to float in cache-sized blocks is several times faster than converting the whole selection.

    A matrix saved in a file larger than PREAD_BYTES is read with `pread`, not through its memory map: the
    page cache maps a file in 2 MB folios, so touching the 7,000 rows of 400 articles scattered over a
    100,000-article file put 450 MB of it in the process's resident memory. Read, the rows cost what they
    are (388 bytes each)."""
    n = (rows.stop - rows.start) if isinstance(rows, slice) else len(rows)
    out = np.empty(n, dtype=np.float32)
    with _RowReader(matrix) as read:
        for first in range(0, n, _BLOCK):
            if isinstance(rows, slice):
                block = read(np.arange(rows.start + first, rows.start + min(n, first + _BLOCK)))
            else:
                block = read(np.asarray(rows[first : first + _BLOCK]))
            np.dot(block.astype(np.float32), q, out=out[first : first + len(block)])
    return out


class _RowReader:
    """Rows of an int8 matrix by number: with `pread` from its file when it is a memory map of one larger than
    PREAD_BYTES, else by indexing. Consecutive rows are read in one call. A context manager: it closes the
    file it opened."""

    def __init__(self, matrix: Int8Matrix) -> None:
        self.matrix = matrix
        self.fd: int | None = None
        if (
            isinstance(matrix, np.memmap)
            and matrix.filename
            and matrix.flags.c_contiguous
            and matrix.ndim == 2
            and matrix.nbytes > PREAD_BYTES
        ):
            self.name = str(matrix.filename)
            self.fd = os.open(self.name, os.O_RDONLY)
            self.offset = int(matrix.offset)
            self.width = int(matrix.shape[1]) * matrix.itemsize

    def __enter__(self) -> Callable[[IntArray], Int8Matrix]:
        return self.read

    def __exit__(self, *_: object) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def read(self, rows: IntArray) -> Int8Matrix:
        """The rows, in the order given."""
        if self.fd is None or not len(rows):
            block: Int8Matrix = self.matrix[rows]
            return block
        out = np.empty((len(rows), self.matrix.shape[1]), dtype=self.matrix.dtype)
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        for lo, hi in zip([0, *breaks.tolist()], [*breaks.tolist(), len(rows)], strict=True):
            size = (hi - lo) * self.width
            data = os.pread(self.fd, size, self.offset + int(rows[lo]) * self.width)
            if len(data) != size:
                raise OSError(f"{self.name}: shorter than its header says")
            out[lo:hi] = np.frombuffer(data, dtype=self.matrix.dtype).reshape(hi - lo, -1)
        return out


def _top(scores: FloatArray, n: int) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Indices of the n highest scores, best first (ties in row order)."""
    if len(scores) > n:
        part = np.argpartition(-scores, n)[:n]
        return part[np.lexsort((part, -scores[part]))]
    return np.argsort(-scores, kind="stable")


# --- building segments --------------------------------------------------------------------------------
@dataclass
class _Article:
    """One article's sentences gathered from its chunk records."""

    content_hash: str
    lo: int
    hi: int
    outlet: str
    chunks: list[tuple[int, list[tuple[int, int]], Int8Matrix, FloatArray]] = field(default_factory=list)

    def sentences(self) -> _Rows:
        """Its sentence rows in body order, each from the first chunk holding it, and where its chunks lie
        among them."""
        seen: dict[tuple[int, int], tuple[int, Int8Matrix, float]] = {}
        chunks = sorted(self.chunks, key=lambda c: c[0])
        for index, spans, vectors, scales in chunks:
            for j, span in enumerate(spans):
                seen.setdefault(span, (index, vectors[j], float(scales[j])))
        ordered = sorted(seen.items())
        if not ordered:
            return _Rows(np.zeros((0, 0), np.int8), np.zeros(0, np.float32), [], [], [])
        position = {span: i for i, (span, _) in enumerate(ordered)}
        bounds = []
        for index, spans, _, _ in chunks:
            rows = [position[span] for span in spans]
            contiguous = bool(rows) and rows == list(range(rows[0], rows[0] + len(rows)))
            # a chunk whose sentences are not consecutive rows is read from the store instead
            bounds.append((index, rows[0], rows[-1] + 1) if contiguous else (index, -1, -1))
        return _Rows(
            np.stack([v for _, (_, v, _) in ordered]),
            np.asarray([sc for _, (_, _, sc) in ordered], np.float32),
            [c for _, (c, _, _) in ordered],
            [span for span, _ in ordered],
            bounds,
        )


@dataclass(frozen=True)
class _Rows:
    """One article's part of a segment: its rows and their scales, chunks and spans, and its chunks' rows."""

    vectors: Int8Matrix
    scale: FloatArray
    chunk: list[int]
    spans: list[tuple[int, int]]
    bounds: list[tuple[int, int, int]]  # (chunk index, first row, end row), -1s when not consecutive rows


class Gatherer:
    """Collects the chunk records of the articles wanted (id -> content hash) as they pass, for a new segment."""

    def __init__(self, wanted: Mapping[str, str]) -> None:
        """Only chunks of these article versions are kept; others (an ingest in progress, an orphan) are not."""
        self.wanted = dict(wanted)
        self.articles: dict[str, _Article] = {}

    def take(self, row: Row) -> None:
        """Keep one chunk record (id, text, metadata) if its article version is wanted: its spans and vectors."""
        meta = row[2]
        aid = str(meta["article_id"])
        if self.wanted.get(aid) != meta["content_hash"]:
            return
        spans = [tuple(int(x) for x in p.split("-")) for p in str(meta["sentences"]).split(",")]
        vectors, scales = decode_quantised(meta, len(spans))
        article = self.articles.get(aid)
        if article is None:
            lo, hi, outlet = int(meta["lo"]), int(meta["hi"]), str(meta.get("outlet") or "")
            article = self.articles[aid] = _Article(str(meta["content_hash"]), lo, hi, outlet)
        article.chunks.append((int(meta["chunk"]), [(a, b) for a, b in spans], vectors, scales))

    def segment(self) -> Segment | None:
        """A segment of the articles gathered, in publication order (None when there are none)."""
        parts = [(aid, a, a.sentences()) for aid, a in self.articles.items()]
        parts = [p for p in parts if len(p[2].chunk)]
        if not parts:
            return None
        parts.sort(key=lambda p: (p[1].lo, p[0]))
        return _segment(
            np.concatenate([p[2].vectors for p in parts]),
            np.concatenate([p[2].scale for p in parts]),
            np.concatenate([np.asarray(p[2].chunk, np.int32) for p in parts]),
            np.concatenate([np.asarray(p[2].spans, np.int32).reshape(-1, 2) for p in parts]),
            [np.asarray(p[2].bounds, np.int32).reshape(-1, 3) for p in parts],
            [p[0] for p in parts],
            [p[1].content_hash for p in parts],
            [len(p[2].chunk) for p in parts],
            [p[1].lo for p in parts],
            [p[1].hi for p in parts],
            [p[1].outlet for p in parts],
        )


def _segment(
    vectors: Int8Matrix,
    scale: FloatArray,
    chunk: np.ndarray[Any, np.dtype[np.int32]],
    spans: Int32Matrix,
    bounds: Sequence[Int32Matrix],
    ids: list[str],
    hashes: list[str],
    lengths: Sequence[int],
    lo: Sequence[int],
    hi: Sequence[int],
    outlets: list[str],
) -> Segment:
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    centroids, centroid_scale = _centroids(vectors, scale, starts)
    return Segment(
        vectors=vectors,
        scale=scale,
        centroids=centroids,
        centroid_scale=centroid_scale,
        ids=ids,
        hashes=hashes,
        starts=starts,
        lo=np.asarray(lo, np.int64),
        hi=np.asarray(hi, np.int64),
        outlets=outlets,
        chunk=chunk,
        spans=spans,
        chunk_starts=np.concatenate([[0], np.cumsum([len(b) for b in bounds])]).astype(np.int64),
        chunk_rows=np.concatenate([*bounds, np.zeros((0, 3), np.int32)]).astype(np.int32),
    )


def _centroids(vectors: Int8Matrix, scale: FloatArray, starts: IntArray) -> tuple[Int8Matrix, FloatArray]:
    """Each article's mean sentence direction, unit length, quantised as the rows are."""
    sums = np.add.reduceat(vectors.astype(np.float32) * scale[:, None], starts[:-1], axis=0)
    return quantise(sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9))


def merge_segments(parts: Sequence[tuple[Segment, np.ndarray[Any, np.dtype[np.bool_]]]]) -> Segment | None:
    """One segment of the live articles of several, in publication order (None when none is live)."""
    order = sorted(
        ((s.lo[i], s.ids[i], n, int(i)) for n, (s, alive) in enumerate(parts) for i in np.flatnonzero(alive)),
        key=lambda t: (int(t[0]), t[1]),
    )
    if not order:
        return None
    pieces = [(parts[n][0], slot) for _, _, n, slot in order]
    return _segment(
        np.concatenate(list(_article_rows(pieces, "vectors"))),
        np.concatenate(list(_article_rows(pieces, "scale"))),
        np.concatenate(list(_article_rows(pieces, "chunk"))),
        np.concatenate(list(_article_rows(pieces, "spans"))),
        [s.chunk_rows[s.chunk_starts[i] : s.chunk_starts[i + 1]] for s, i in pieces],
        [s.ids[i] for s, i in pieces],
        [s.hashes[i] for s, i in pieces],
        [int(s.starts[i + 1] - s.starts[i]) for s, i in pieces],
        [int(s.lo[i]) for s, i in pieces],
        [int(s.hi[i]) for s, i in pieces],
        [s.outlets[i] for s, i in pieces],
    )


def _article_rows(pieces: Sequence[tuple[Segment, int]], column: str) -> Iterator[Any]:
    for segment, slot in pieces:
        yield getattr(segment, column)[segment.starts[slot] : segment.starts[slot + 1]]


def with_name(segment: Segment, name: str, vectors: Int8Matrix) -> Segment:
    """The segment as saved: its file name and its rows read from the file (memory-mapped)."""
    return replace(segment, name=name, vectors=vectors, _by_outlet={})
