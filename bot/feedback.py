"""Posted replies and the 👍/👎 votes on them, in SQLite in the data dir.

Every cited reply the bot posts is stored first, so its buttons carry only a row id: a vote or a
"show quotes" click still works after a restart, and the export has the exact question, answer and
citations the analyst voted on. Each call opens its own connection, so any thread may use the store.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    question TEXT,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    reply_id INTEGER NOT NULL REFERENCES replies(id),
    user_id TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (reply_id, user_id)
);
"""


@dataclass(frozen=True)
class StoredReply:
    """A reply as it was posted: its question (for answers), text and citations (`Citation.to_json` dicts)."""

    id: int
    kind: str
    question: str | None
    answer: str
    citations: list[dict[str, Any]]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """Replies and votes in one SQLite file (`feedback.sqlite3` in the data dir)."""

    def __init__(self, path: Path) -> None:
        """Use (and create on first write) the database at `path`."""
        self.path = path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> FeedbackStore:
        """The store of a data dir."""
        return cls(data_dir / "feedback.sqlite3")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.executescript(_SCHEMA)
            with conn:  # one transaction: committed on success, rolled back on error
                yield conn

    def save_reply(self, kind: str, question: str | None, answer: str, citations: list[dict[str, Any]]) -> int:
        """Store a posted reply; returns its id (what the buttons refer to)."""
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO replies (kind, question, answer, citations, created_at) VALUES (?, ?, ?, ?, ?)",
                (kind, question, answer, json.dumps(citations, ensure_ascii=False), _now()),
            )
            return int(cursor.lastrowid or 0)

    def reply(self, reply_id: int) -> StoredReply | None:
        """A stored reply, or None if there is no such id."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, kind, question, answer, citations FROM replies WHERE id = ?", (reply_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredReply(int(row[0]), str(row[1]), row[2], str(row[3]), json.loads(row[4]))

    def vote(self, reply_id: int, user_id: str, vote: Vote) -> bool:
        """Record a user's vote on a reply (a second click replaces the first); False if the reply is unknown."""
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM replies WHERE id = ?", (reply_id,)).fetchone() is None:
                return False
            conn.execute(
                "INSERT INTO votes (reply_id, user_id, vote, voted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (reply_id, user_id) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (reply_id, user_id, vote, _now()),
            )
        return True

    def votes(self) -> Iterator[dict[str, Any]]:
        """Every vote with the question, answer and citations it was given on, oldest first."""
        if not self.path.exists():
            return  # nothing posted yet: do not create an empty database just to read it
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT v.reply_id, r.kind, r.question, r.answer, r.citations, v.vote, v.user_id, v.voted_at "
                "FROM votes v JOIN replies r ON r.id = v.reply_id ORDER BY v.voted_at, v.reply_id, v.user_id"
            ).fetchall()
        for row in rows:
            yield {
                "reply_id": row[0],
                "kind": row[1],
                "question": row[2],
                "answer": row[3],
                "citations": json.loads(row[4]),
                "vote": row[5],
                "user_id": row[6],
                "voted_at": row[7],
            }

    def export(self, out: TextIO) -> int:
        """Write every vote as one JSON line; returns how many were written."""
        count = 0
        for item in self.votes():
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
        return count
