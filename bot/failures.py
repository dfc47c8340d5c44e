"""What a person is told when a command fails: a domain error's message, or a damaged store's one line.

Domain errors are typed (`bot.errors`) and carry their message. Chroma raises its own errors from deep
inside a query when its files are damaged (a lost HNSW segment file: "Error loading hnsw index"), long
after the store was opened: those too are one line with the way out, at every edge, not a traceback.
Anything else is a bug: the edge logs it in full.
"""

from __future__ import annotations

from bot.errors import YaluError

REBUILD_HINT = "`yalu ingest --rebuild` rebuilds it from knowledge/"


def user_text(exc: BaseException) -> str | None:
    """The message for a failure the user can act on; None when it is a bug (to be logged with its traceback)."""
    if isinstance(exc, YaluError):
        return str(exc)
    if type(exc).__module__.split(".")[0] == "chromadb":
        # "Error executing plan: …: Error creating hnsw segment reader: Error loading hnsw index": the last clause.
        detail = str(exc).strip().rsplit(": ", 1)[-1] or type(exc).__name__
        return f"the Chroma index is damaged or unreadable ({detail}); {REBUILD_HINT}"
    return None
