"""Which articles `--new` briefings have covered: a small JSON file in the data dir, written atomically.

Articles are remembered by id and content hash, not by time: an article ingested in the same
second as a briefing is never skipped, and an updated article counts as new again.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.atomic import atomic_write

_FILE = "briefed_articles.json"


def briefed_articles(data_dir: Path) -> dict[str, str]:
    """Content hashes of the articles already briefed, by article id (empty before the first briefing)."""
    try:
        data = json.loads((data_dir / _FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or unreadable: nothing briefed yet, so everything is new
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_briefed(data_dir: Path, articles: dict[str, str]) -> None:
    """Add articles (id -> content hash) to the briefed set."""
    merged = {**briefed_articles(data_dir), **articles}
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(data_dir / _FILE, json.dumps(merged, sort_keys=True))  # a crash never leaves half a file
