"""One writer at a time per data dir: an inter-process lock that a second ingest waits for, saying so.

Two processes writing one embedded Chroma store at once corrupt each other's view of it (the
second fails with "Error creating hnsw segment reader", date-filtered questions fail until a
rebuild), and the bot's `/add`, a CLI `yalu ingest` and a first `yalu ask` that builds the index
are all writers. The lock is `flock` on a file in the data dir: the kernel releases it when its
holder exits, killed or not, so a dead ingest never leaves it held.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.errors import StoreUnavailable

LOCK_NAME = "ingest.lock"


@contextlib.contextmanager
def writer_lock(data_dir: Path, on_wait: Callable[[str], None]) -> Iterator[None]:
    """Hold the data dir's writer lock for the block; if another process holds it, call `on_wait` with
    one line and wait for it. StoreUnavailable when the data dir cannot be written."""
    path = data_dir / LOCK_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreUnavailable(f"cannot write to the data dir {data_dir}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait(f"another ingest ({_holder(fd)}) is writing to this index; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # who holds it is for the message above only: a full disk may refuse
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"process {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 100, 0).decode("utf-8", "replace").strip()
        if text:
            return text
    return "another process"
