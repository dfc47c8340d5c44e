"""A local copy of the registry, so that opening a large index does not read every article record.

Reading 10,000 registry records from Chroma takes most of a second, at every start of the CLI and
the bot. The copy is a JSON file in the data folder, stamped with the store's generation token
(`Store.generation`), which every change of the registry renews, in this process or in another
one sharing a Chroma server. A copy whose stamp is not the store's token is never used.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from bot.atomic import atomic_write
from bot.index.store import ArticleInfo, Store

log = logging.getLogger(__name__)
_FORMAT = 2  # 2: sentence counts


def read_registry(store: Store, snapshot: Path) -> dict[str, ArticleInfo]:
    """Indexed articles by id (sorted by date then id): from `snapshot` if it is current, else from the store."""
    generation = store.generation()  # read before the records: a change in between shows up as a new token
    if generation is not None:
        cached = _load(snapshot, generation)
        if cached is not None:
            return cached
    infos = store.articles()
    if generation is not None:
        _save(snapshot, generation, infos)
    return {info.id: info for info in infos}


def _load(path: Path, generation: str) -> dict[str, ArticleInfo] | None:
    """The snapshot's articles if it is whole and current; None (a warning if it was damaged) otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError(f"a JSON {type(data).__name__}, not an object")
        if data.get("format") != _FORMAT or data.get("generation") != generation:
            return None
        return {info.id: info for info in map(_info, data["articles"])}
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged copy (unreadable, truncated, wrong types): the store has the truth
        log.warning("ignoring the registry snapshot %s (%s: %s); reading the store", path, type(exc).__name__, exc)
        return None


def _save(path: Path, generation: str, infos: list[ArticleInfo]) -> None:
    rows = [{**vars(info), "published": info.published.isoformat() if info.published else None} for info in infos]
    data = {"format": _FORMAT, "generation": generation, "articles": rows}
    # A cache: failing to write it (a read-only data folder) costs speed, never an answer.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False, default=str))  # two processes may save at once
    except OSError as exc:
        log.warning("could not save the registry snapshot %s: %s", path, exc)


def _info(row: Any) -> ArticleInfo:
    """One article record of the snapshot, its fields checked against ArticleInfo's (TypeError if they differ)."""
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not isinstance(row.get("title"), str):
        raise TypeError(f"an article record must be an object with an id and a title, not {str(row)[:60]}")
    published = row["published"]
    return ArticleInfo(**{**row, "published": dt.date.fromisoformat(published) if published else None})
