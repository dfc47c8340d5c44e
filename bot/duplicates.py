"""Near-duplicate articles: the same text under another name or id is reported, not indexed twice.

Two copies of one story (a saved page and its Markdown, a re-post under a new headline) would each be
retrieved and cited, crowding out other articles. Text is compared by overlapping five-word shingles,
so small differences (a caption kept in one copy, retyped quote marks) still match.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from bot.corpus import Article

SHINGLE_WORDS = 5
SAME_TEXT = 0.8  # share of shingles in common (Jaccard) above which two bodies are one article
_WORD = re.compile(r"\w+")


class ArticleSource(Protocol):
    """What the check reads from the index: the ids, and an article by id."""

    def article(self, article_id: str) -> Article | None: ...


def shingles(text: str) -> frozenset[int]:
    """Hashes of the text's overlapping five-word sequences (case and punctuation ignored)."""
    tokens = [w.lower() for w in _WORD.findall(text)]
    if len(tokens) < SHINGLE_WORDS:
        return frozenset({zlib.crc32(" ".join(tokens).encode())}) if tokens else frozenset()
    grams = (" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1))
    return frozenset(zlib.crc32(g.encode()) for g in grams)


def drop_near_duplicates(
    loaded: Sequence[tuple[Path, Article]], indexed_ids: Iterable[str], store: ArticleSource, errors: list[str]
) -> list[tuple[Path, Article]]:
    """The loaded articles minus those whose text repeats an indexed article or an earlier one of the batch.

    Only articles with a new id are checked: a known id is an update of that article, not a copy. The
    indexed bodies are read only when there is a new id, so re-ingesting an unchanged folder costs nothing.
    Each duplicate adds one line to `errors` naming the article it repeats.
    """
    known = set(indexed_ids)
    if all(article.id in known for _, article in loaded):
        return list(loaded)
    seen = _ShingleIndex()
    for aid in sorted(known):
        if (article := store.article(aid)) is not None:
            seen.add(aid, shingles(article.body))
    kept: list[tuple[Path, Article]] = []
    for path, article in loaded:
        mine = shingles(article.body)
        twin = seen.closest(mine, article.id) if article.id not in known else None
        if twin is not None and twin[1] >= SAME_TEXT:
            errors.append(
                f"{path}: the same text as article {twin[0]!r} ({twin[1]:.0%} of the wording in common); "
                "not indexed again"
            )
            continue
        seen.add(article.id, mine)
        kept.append((path, article))
    return kept


class _ShingleIndex:
    """Shingle -> articles that contain it, so a new article is compared only with those sharing its wording."""

    def __init__(self) -> None:
        self._sizes: dict[str, int] = {}
        self._postings: dict[int, list[str]] = {}

    def add(self, article_id: str, grams: frozenset[int]) -> None:
        """Remember an article's shingles."""
        self._sizes[article_id] = len(grams)
        for g in grams:
            self._postings.setdefault(g, []).append(article_id)

    def closest(self, grams: frozenset[int], exclude: str) -> tuple[str, float] | None:
        """The remembered article (other than `exclude`) most similar to `grams`, and the Jaccard similarity."""
        common: dict[str, int] = {}
        for g in grams:
            for aid in self._postings.get(g, ()):
                common[aid] = common.get(aid, 0) + 1
        scored = [(aid, n / (len(grams) + self._sizes[aid] - n)) for aid, n in common.items() if aid != exclude]
        return max(scored, key=lambda pair: pair[1], default=None)
