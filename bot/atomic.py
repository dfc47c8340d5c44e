"""Write a file so that readers, and a crash at any moment, see either the old content or the new, never a part."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` (text is written as UTF-8) in one rename; raise OSError if it cannot.

    The temporary file sits beside the target (a rename is atomic only within one file system) under
    a unique name, so two processes writing the same file at once cannot mix their parts. It is
    flushed to disk before the rename: after a power cut the file is old or new, not empty.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    atomic_write_with(path, lambda handle: handle.write(payload))


def atomic_write_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Replace `path` with what `write` writes to an open binary file, as `atomic_write` does: for files too
    large to hold in memory twice (a vector file of a large corpus)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
