"""One file of named numpy arrays plus a JSON header, read back memory-mapped.

`np.savez` files cannot be memory-mapped: loading one reads every array into memory, which for the BM25
index of 100,000 articles is most of a gigabyte and seconds of start-up. Here the arrays sit at aligned
offsets after a small header, so a reader maps the file and the pages a query touches are all it reads.
The file is replaced in one rename (`bot.atomic`); a reader that mapped the previous one keeps reading it
until it lets go, as the kernel keeps a renamed-over file alive while it is mapped.

Layout: 8 bytes of magic, the header's length as a little-endian uint64, the header (UTF-8 JSON:
{"meta": ..., "arrays": {name: [dtype, shape, offset]}}), then each array's bytes at a 64-byte boundary.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from bot.atomic import atomic_write_with

MAGIC = b"YALUARR1"
_ALIGN = 64
# what a saved index may hold: a header naming another dtype (object arrays, say) is a damaged or foreign file
_DTYPES = {"|b1", "<i4", "<i8", "<f4", "<f8", "|u1", "<u2", "<u4"}


def write_arrays(path: Path, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray[Any, Any]]) -> None:
    """Replace `path` with the arrays and the JSON-serialisable `meta` (OSError if it cannot be written)."""
    ready = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    layout: dict[str, list[Any]] = {}
    offset = 0
    for name, array in ready.items():
        layout[name] = [array.dtype.str, list(array.shape), offset]
        offset += _padded(array.nbytes)
    header = json.dumps({"meta": meta, "arrays": layout}, ensure_ascii=False).encode()
    start = _padded(len(MAGIC) + 8 + len(header))

    def write(handle: IO[bytes]) -> None:
        handle.write(MAGIC + struct.pack("<Q", len(header)) + header)
        handle.write(b"\0" * (start - len(MAGIC) - 8 - len(header)))
        for array in ready.values():
            handle.write(array.data.cast("B") if array.nbytes else b"")  # no copy of a large array
            handle.write(b"\0" * (_padded(array.nbytes) - array.nbytes))

    atomic_write_with(path, write)


def read_arrays(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray[Any, Any]]]:
    """(meta, arrays) of a file `write_arrays` wrote, the arrays mapped read-only; ValueError if it is not one
    (another format, truncated, or a header whose arrays do not fit in the file)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise ValueError("not a Yalu array file")
        (length,) = struct.unpack("<Q", handle.read(8))
        if length > size:
            raise ValueError("its header is longer than the file")
        header = json.loads(handle.read(length))
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), dict):
        raise ValueError("its header names no arrays")
    start = _padded(len(MAGIC) + 8 + length)
    whole = np.memmap(path, dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)  # one mapping for all
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    for name, (dtype, shape, offset) in header["arrays"].items():
        if dtype not in _DTYPES or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise ValueError(f"array {name!r} has an unexpected type or shape")
        count = int(np.prod(shape, dtype=np.int64))
        end = start + int(offset) + count * np.dtype(dtype).itemsize
        if int(offset) < 0 or end > size:
            raise ValueError(f"array {name!r} runs past the end of the file (truncated?)")
        if count == 0:
            arrays[name] = np.zeros(shape, dtype=dtype)
        else:
            view = whole[start + int(offset) : end].view(dtype).reshape(shape)
            arrays[name] = np.asarray(view)  # a plain read-only ndarray over the mapping, not an np.memmap
    return header.get("meta") or {}, arrays


def _padded(n: int) -> int:
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN
