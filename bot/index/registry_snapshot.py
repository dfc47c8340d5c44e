"""A local copy of the registry, so that opening a large index does not read every article record.

Reading 10,000 registry records from Chroma takes most of a second, at every start of the CLI and
the bot. The copy is a file in the data folder, stamped with the store's generation token
(`Store.generation`), which every change of the registry renews, in this process or in another
one sharing a Chroma server. A copy whose stamp is not the store's token is never used.

The copy is an array file (`bot.index.array_file`), mapped rather than read: ids, hashes and outlets in
its header, date ranges and outlet codes as arrays, and each record as a slice of JSON that is parsed only
when that article's record is asked for (`bot.index.registry.Registry`). At 100,000 articles a JSON copy
took a second to parse and 160 MB to hold; most questions need a handful of records.
"""

from __future__ import annotations

import contextlib
import json
import logging
import zlib
from pathlib import Path

import numpy as np

from bot.index.array_file import read_arrays, write_arrays
from bot.index.registry import Registry, json_records, record_to_json
from bot.index.store import Store

log = logging.getLogger(__name__)
_FORMAT = 3  # 3: an array file with columns; 2 (a JSON file) is read from the store once and replaced
_LEGACY_SUFFIXES = (".json",)


def read_registry(store: Store, snapshot: Path) -> Registry:
    """Indexed articles by id (sorted by date then id): from `snapshot` if it is current, else from the store."""
    generation = store.generation()  # read before the records: a change in between shows up as a new token
    if generation is not None:
        cached = _load(snapshot, generation)
        if cached is not None:
            return cached
    registry = Registry.of(store.articles())
    if generation is not None:
        _save(snapshot, generation, registry)
    return registry


def _load(path: Path, generation: str) -> Registry | None:
    """The snapshot's registry if it is whole and current; None (a warning if it was damaged) otherwise."""
    try:
        meta, arrays = read_arrays(path)
        if not isinstance(meta, dict):
            raise TypeError(f"a JSON {type(meta).__name__}, not an object")
        if meta.get("format") != _FORMAT or meta.get("generation") != generation:
            return None
        ids, hashes, outlets = meta["ids"], meta["hashes"], meta["outlets"]
        lo, hi, codes, offsets, blob = (arrays[k] for k in ("lo", "hi", "outlet_codes", "offsets", "records"))
        n = len(ids)
        if not all(isinstance(x, list) for x in (ids, hashes, outlets)):
            raise TypeError("its ids, hashes and outlets are not lists")
        if {len(hashes), len(lo), len(hi), len(codes)} != {n}:
            raise ValueError("its columns disagree on the number of articles")
        if len(offsets) != n + 1 or (n and (int(offsets[-1]) != len(blob) or int(codes.max()) >= len(outlets))):
            raise ValueError("its records or outlet codes point outside it")
        # Records are parsed one by one as questions need them, so damage must show now: a checksum
        # of all of them (tens of milliseconds at 100,000 articles) instead of parsing every one.
        if zlib.crc32(blob.data) != meta.get("records_crc32"):
            raise ValueError("its records do not match their checksum")
        registry = Registry(ids, hashes, lo, hi, codes, outlets, json_records(blob, offsets))
        if n:
            registry.at(0)  # one record parsed now: a file that is not one fails here, not in a question
        return registry
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged copy (unreadable, truncated, wrong types): the store has the truth
        log.warning("ignoring the registry snapshot %s (%s: %s); reading the store", path, type(exc).__name__, exc)
        return None


def _save(path: Path, generation: str, registry: Registry) -> None:
    rows = (record_to_json(registry.at(i)) for i in range(len(registry)))
    records = [json.dumps(row, ensure_ascii=False, default=str).encode() for row in rows]
    offsets = np.concatenate([[0], np.cumsum([len(r) for r in records], dtype=np.int64)]).astype(np.int64)
    meta = {
        "format": _FORMAT,
        "generation": generation,
        "ids": registry.ids,
        "hashes": list(registry.hashes().values()),
        "outlets": registry.outlets,
        "records_crc32": zlib.crc32(b"".join(records)),
    }
    arrays = {
        "lo": registry.lo,
        "hi": registry.hi,
        "outlet_codes": registry.outlet_codes,
        "offsets": offsets,
        "records": np.frombuffer(b"".join(records), dtype=np.uint8),
    }
    # A cache: failing to write it (a read-only data folder) costs speed, never an answer.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_arrays(path, meta, arrays)  # two processes may save at once: each writes a whole file
    except OSError as exc:
        log.warning("could not save the registry snapshot %s: %s", path, exc)
        return
    for suffix in _LEGACY_SUFFIXES:  # the earlier format's copy is stale from now on
        with contextlib.suppress(OSError):
            path.with_suffix(suffix).unlink(missing_ok=True)
