"""A file beside the embedded store that names its generation token, so that a reader can tell the token has not
moved with one `stat` instead of a Chroma read at every question (that read is about 0.7 CPU-ms and 1.6 ms of
wall time; a warm `ask` at 5 articles is about 20 CPU-ms).

The token in Chroma stays the truth; the stamp only says when it is worth reading again. A reader trusts the
stamp only while it names the very token Chroma holds: an index written by a Yalu that kept no stamp (or a
stamp left behind by a failed write) makes the reader fall back to reading Chroma at every question.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from bot.atomic import atomic_write

log = logging.getLogger(__name__)

_Key = tuple[int, int, int]  # inode, mtime (ns), size: an atomic rewrite gives the file a new inode


class GenerationStamp:
    """The generation token of the store, mirrored in `path` and cached by the file's identity."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: _Key | None = None
        self._token: str | None = None

    def read(self, from_store: Callable[[], str | None]) -> str | None:
        """The store's token: the cached one while the stamp file is unchanged, else `from_store()`."""
        key = self._stat()
        if key is not None and key == self._key:
            return self._token
        token = from_store()
        if key is None and token is not None:
            # An index written before stamps were kept: trusted from the next question on. Safe against a writer
            # running at the same moment, since a stamp naming a token the store no longer holds is never
            # trusted; quiet, since a read-only data dir simply keeps asking the store.
            self.write(token, logging.DEBUG)
        # Cache only a stamp that names this token and did not move while we read: otherwise we cannot tell
        # a later change from this state, and the store is asked again next time.
        trusted = token is not None and key is not None and self._text() == token and self._stat() == key
        self._key, self._token = (key, token) if trusted else (None, None)
        return token

    def clear(self) -> None:
        """Remove the stamp before the store's token changes: a writer that dies between the two leaves no stamp
        naming the old token, which running readers would go on trusting."""
        self._key = None
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove the generation stamp %s (%s)", self.path, exc)

    def write(self, token: str, level: int = logging.WARNING) -> None:
        """Mirror a token just written to the store (after it, so a reader never caches a token not yet there);
        a failure is logged at `level` and leaves the readers asking the store."""
        try:
            atomic_write(self.path, token)
        except OSError as exc:
            log.log(level, "could not write the generation stamp %s (%s); readers will ask the store", self.path, exc)

    def _stat(self) -> _Key | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
