"""The sentence vectors on disk: segment files written once, and a manifest naming the ones in use.

A reader never sees a part-written file:
- a segment's rows and columns are written under a new unique name (temp file, fsync, rename) and never
  changed afterwards; the rows are memory-mapped, not loaded;
- the manifest (the segments in use, their tombstones, the store's generation token) is replaced in one
  rename, after the segments it names are on disk;
- a segment the manifest no longer names is kept for `RETIRE_S` before it is deleted, so a reader that read
  the previous manifest a moment ago still opens it (one already mapped keeps it anyway).

Two processes may save at once (a reader brings the cache in step as BM25's is): each writes its own
segments, and the last manifest wins; both are whole. Anything damaged or missing makes `load` return
None, and the vectors are rebuilt from the store: they are a cache of its chunk records.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from bot.atomic import atomic_write, atomic_write_with
from bot.index.sentence_vectors import Segment, SentenceVectors, with_name

log = logging.getLogger(__name__)
_FORMAT = 2  # bump when the layout changes: older files are then rebuilt from the store (2: chunk table)
MANIFEST = "manifest.json"
RETIRE_S = 600.0  # how long a segment no manifest names is kept for readers of the previous one
_ROWS, _COLUMNS = ".rows.npy", ".columns.npz"
_ARRAYS = ("centroids", "centroid_scale", "starts", "lo", "hi", "chunk", "scale", "spans", "chunk_starts", "chunk_rows")


def save(folder: Path, vectors: SentenceVectors) -> SentenceVectors:
    """Write the segments not yet on disk, then the manifest; returns the vectors with every segment read
    from its file (memory-mapped). On OSError (a full or read-only data dir) a warning, and the vectors as
    they were: they answer from memory, and the next process rebuilds them."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        segments = [s if s.name else _write_segment(folder, s) for s in vectors.segments]
        manifest = {
            "format": _FORMAT,
            "generation": vectors.generation,
            "dimension": vectors.dimension,
            "segments": [
                {"name": s.name, "dead": np.flatnonzero(~alive).tolist()}
                for s, alive in zip(segments, vectors.alive, strict=True)
            ],
        }
        previous = _names(folder)
        atomic_write(folder / MANIFEST, json.dumps(manifest))
    except OSError as exc:
        log.warning("could not save the sentence vectors in %s (%s); answering from memory", folder, exc)
        return vectors
    _retire(folder, previous - {s.name for s in segments})
    return SentenceVectors(segments, vectors.alive, vectors.generation)


def load(folder: Path) -> SentenceVectors | None:
    """The saved vectors, or None when absent, of an older format, or damaged in any way (then rebuild)."""
    for attempt in range(2):
        if not (folder / MANIFEST).is_file():
            return None
        try:
            return _read(folder)
        except FileNotFoundError as exc:
            if attempt:
                log.info("sentence vectors at %s incomplete (%s); rebuilding them from the store", folder, exc)
                return None
            # a segment retired between reading the manifest and opening it: read the new manifest
        except _Outdated:
            log.info("sentence vectors at %s are of an older format; rebuilding them from the store", folder)
            return None
        except Exception as exc:  # a cache: whatever is wrong with it, rebuild
            reason = f"{type(exc).__name__}: {exc}"
            log.warning("sentence vectors at %s unreadable (%s); rebuilding them from the store", folder, reason)
            return None
    return None


class _Outdated(Exception):
    """The files are of another format."""


def _read(folder: Path) -> SentenceVectors:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError(f"its manifest is a JSON {type(manifest).__name__}, not an object")
    if manifest.get("format") != _FORMAT:
        raise _Outdated
    segments, alive = [], []
    for entry in manifest["segments"]:
        segment = _read_segment(folder, str(entry["name"]))
        mask = np.ones(len(segment.ids), bool)
        dead = np.asarray(entry["dead"], dtype=np.int64)
        if len(dead) and (dead.min() < 0 or dead.max() >= len(mask)):
            raise ValueError(f"segment {segment.name} has tombstones outside its articles")
        mask[dead] = False
        segments.append(segment)
        alive.append(mask)
    if len({int(s.vectors.shape[1]) for s in segments}) > 1:
        raise ValueError("its segments disagree on the dimension")
    generation = manifest.get("generation")
    return SentenceVectors(segments, alive, str(generation) if generation is not None else None)


def _write_segment(folder: Path, segment: Segment) -> Segment:
    name = uuid.uuid4().hex[:16]
    columns = {
        "ids": segment.ids,
        "hashes": segment.hashes,
        "outlets": segment.outlets,
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        centroids=segment.centroids,
        centroid_scale=segment.centroid_scale,
        starts=segment.starts,
        lo=segment.lo,
        hi=segment.hi,
        chunk=segment.chunk,
        scale=segment.scale,
        spans=segment.spans,
        chunk_starts=segment.chunk_starts,
        chunk_rows=segment.chunk_rows,
        meta=np.frombuffer(json.dumps(columns).encode(), np.uint8),
    )
    atomic_write_with(folder / f"{name}{_ROWS}", lambda handle: np.save(handle, np.ascontiguousarray(segment.vectors)))
    atomic_write(folder / f"{name}{_COLUMNS}", buffer.getvalue())
    return with_name(segment, name, np.load(folder / f"{name}{_ROWS}", mmap_mode="r"))


def _read_segment(folder: Path, name: str) -> Segment:
    with np.load(folder / f"{name}{_COLUMNS}") as saved:
        columns = json.loads(saved["meta"].tobytes())
        arrays = {key: saved[key] for key in _ARRAYS}
    vectors = np.load(folder / f"{name}{_ROWS}", mmap_mode="r")
    segment = Segment(
        vectors=vectors,
        ids=[str(x) for x in columns["ids"]],
        hashes=[str(x) for x in columns["hashes"]],
        outlets=[str(x) for x in columns["outlets"]],
        name=name,
        **arrays,
    )
    _check(segment)
    return segment


def _check(s: Segment) -> None:
    """Raise ValueError unless the segment's arrays fit together (a damaged file could fail every question)."""
    n = len(s.ids)
    if s.vectors.ndim != 2 or s.vectors.dtype != np.int8 or s.centroids.dtype != np.int8:
        raise ValueError(f"segment {s.name} has arrays of the wrong shape or type")
    if {len(s.hashes), len(s.outlets), len(s.lo), len(s.hi), len(s.centroids), len(s.centroid_scale)} != {n}:
        raise ValueError(f"segment {s.name}'s columns disagree on the number of articles")
    if (
        len(s.starts) != n + 1
        or int(s.starts[0]) != 0
        or not int(s.starts[-1]) == len(s.vectors) == len(s.chunk) == len(s.scale)
    ):
        raise ValueError(f"segment {s.name}'s row ranges disagree with its rows")
    if s.spans.shape != (len(s.vectors), 2) or len(s.chunk_starts) != n + 1 or s.chunk_rows.ndim != 2:
        raise ValueError(f"segment {s.name}'s sentence spans or chunk table disagree with its rows")
    if int(s.chunk_starts[-1]) != len(s.chunk_rows) or (len(s.chunk_rows) and s.chunk_rows.shape[1] != 3):
        raise ValueError(f"segment {s.name}'s chunk table disagrees with its articles")
    lengths = np.diff(s.starts)
    owner = np.repeat(np.arange(n), np.diff(s.chunk_starts))
    if len(s.chunk_rows) and np.any(s.chunk_rows[:, 2] > lengths[owner]):
        raise ValueError(f"segment {s.name}'s chunk table names rows outside their articles")
    if np.any(np.diff(s.starts) < 0) or np.any(np.diff(s.lo) < 0):
        raise ValueError(f"segment {s.name} is not in publication order")
    if n and s.centroids.shape[1] != s.vectors.shape[1]:
        raise ValueError(f"segment {s.name}'s centroids are of another dimension")


def _names(folder: Path) -> set[str]:
    """The segments the current manifest names (none when it is missing or unreadable)."""
    with contextlib.suppress(Exception):
        manifest: Any = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {str(e["name"]) for e in manifest["segments"]}
    return set()


def _retire(folder: Path, retired: set[str]) -> None:
    """Mark the segments just dropped from the manifest (their clock starts now), and delete segment files
    no manifest has named for `RETIRE_S` (retired ones, and those of a save that died before its manifest)."""
    now = time.time()
    named = _names(folder)
    for name in retired:
        for suffix in (_ROWS, _COLUMNS):
            with contextlib.suppress(OSError):
                os.utime(folder / f"{name}{suffix}", (now, now))
    for path in folder.iterdir():
        stem = path.name.split(".", 1)[0]
        if stem in named or stem in retired:
            continue
        if path.name.endswith((_ROWS, _COLUMNS, ".tmp")):
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > RETIRE_S:
                    path.unlink()
