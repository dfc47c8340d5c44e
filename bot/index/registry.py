"""The registry of indexed articles as columns: what filters, syncs and listings need, without 100,000 records.

Most questions need a few articles' records (for their citations) and, for filters, every article's date range
and outlet. So the registry keeps ids, content hashes, date ranges and outlet codes as columns, and makes an
`ArticleInfo` only when one is asked for: from the records it was given, or from its saved snapshot
(`bot.index.registry_snapshot`), where each record is a slice of JSON read on first use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from bot.dates import date_range_of
from bot.index.store import ArticleInfo

IntArray = np.ndarray[Any, np.dtype[np.int64]]


class Registry(Mapping[str, ArticleInfo]):
    """Indexed articles by id, in publication-date-then-id order, with their columns as arrays."""

    def __init__(
        self,
        ids: Sequence[str],
        hashes: Sequence[str],
        lo: IntArray,
        hi: IntArray,
        outlet_codes: np.ndarray[Any, Any],
        outlets: Sequence[str | None],
        record: Callable[[int], ArticleInfo],
    ) -> None:
        """Columns by row (`lo`/`hi`: ordinal day range of publication, -1 undated; `outlet_codes` index
        `outlets`) and how to make row i's record."""
        self.ids = list(ids)
        self.lo, self.hi = lo, hi
        self.outlet_codes = outlet_codes
        self.outlets = list(outlets)
        self._hashes = list(hashes)
        self._record = record
        self._row = {a: i for i, a in enumerate(self.ids)}
        self._made: dict[int, ArticleInfo] = {}

    @classmethod
    def of(cls, infos: Iterable[ArticleInfo]) -> Registry:
        """The registry of these records (put in date-then-id order)."""
        ordered = sorted(infos, key=lambda i: (i.published or dt.date.min, i.id))
        ranges = [date_range_of(i.published, i.published_precision) for i in ordered]
        outlets: dict[str | None, int] = {}
        codes = np.array([outlets.setdefault(i.outlet, len(outlets)) for i in ordered], dtype=np.int32)
        return cls(
            [i.id for i in ordered],
            [i.content_hash for i in ordered],
            np.array([r[0] for r in ranges], dtype=np.int64),
            np.array([r[1] for r in ranges], dtype=np.int64),
            codes,
            list(outlets),
            ordered.__getitem__,
        )

    # --- the mapping -------------------------------------------------------------------------
    def __getitem__(self, article_id: str) -> ArticleInfo:
        return self.at(self._row[article_id])

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def at(self, row: int) -> ArticleInfo:
        """The record of the article in `row`, made once."""
        if row not in self._made:
            self._made[row] = self._record(row)
        return self._made[row]

    # --- columns -----------------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        """Article id -> content hash of the indexed version (what BM25 and the vectors sync against)."""
        return dict(zip(self.ids, self._hashes, strict=True))

    def outlet_names(self) -> set[str]:
        """The outlets of the indexed articles (no record is made)."""
        return {o for o in self.outlets if o}

    def latest(self) -> ArticleInfo | None:
        """The most recently published dated article, or None when none is dated."""
        dated = np.flatnonzero(self.lo >= 0)
        return self.at(int(dated[-1])) if len(dated) else None


def record_from_json(row: Any) -> ArticleInfo:
    """One article record saved as JSON, its fields checked against ArticleInfo's (TypeError if they differ)."""
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not isinstance(row.get("title"), str):
        raise TypeError(f"an article record must be an object with an id and a title, not {str(row)[:60]}")
    published = row["published"]
    return ArticleInfo(**{**row, "published": dt.date.fromisoformat(published) if published else None})


def record_to_json(info: ArticleInfo) -> dict[str, Any]:
    """One article record as JSON-ready fields."""
    return {**vars(info), "published": info.published.isoformat() if info.published else None}


def json_records(blob: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any]) -> Callable[[int], ArticleInfo]:
    """Row i's record from the i-th slice of a buffer of concatenated JSON objects."""

    def record(row: int) -> ArticleInfo:
        return record_from_json(json.loads(bytes(blob[int(offsets[row]) : int(offsets[row + 1])])))

    return record
