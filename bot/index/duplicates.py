"""Near-duplicate articles: the same text under another name or id is reported, not indexed twice.

Two copies of one story (a saved page and its Markdown, a re-post under a new headline) would each be
retrieved and cited, crowding out other articles. Text is compared by overlapping five-word shingles,
so small differences (a caption kept in one copy, retyped quote marks) still match.

The comparison must stay cheap at tens of thousands of articles, and adding one article must not read
every other body. So each article's shingles are summarised by a MinHash signature, stored with its
registry record at ingest, and candidates are found by locality-sensitive hashing (bands of the
signature): only articles that share a whole band are compared at all.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.corpus import Article

SHINGLE_WORDS = 5
SAME_TEXT = 0.8  # share of shingles in common (Jaccard) above which two bodies are one article
_WORD = re.compile(r"\w+")
_PERMUTATIONS, _BANDS = 64, 16  # 16 bands of 4: a pair at Jaccard 0.8 shares a band with p > 0.999
_RNG = random.Random(20211)  # fixed: signatures stored in an index must stay comparable across runs
# Multiply-shift hashing: (a*x + b) mod 2^64, top 32 bits; uint64 arithmetic wraps, which is the "mod".
_A = np.array([_RNG.randrange(1, 1 << 64) | 1 for _ in range(_PERMUTATIONS)], dtype=np.uint64)
_B = np.array([_RNG.randrange(0, 1 << 64) for _ in range(_PERMUTATIONS)], dtype=np.uint64)
Signature = np.ndarray[Any, np.dtype[np.uint32]]


class ArticleSource(Protocol):
    """What the check reads from the index: stored signatures, and an article by id for older records."""

    def signatures(self) -> Mapping[str, Signature | None]: ...

    def article(self, article_id: str) -> Article | None: ...


def shingles(text: str) -> frozenset[int]:
    """Hashes of the text's overlapping five-word sequences (case and punctuation ignored)."""
    tokens = [w.lower() for w in _WORD.findall(text)]
    if len(tokens) < SHINGLE_WORDS:
        return frozenset({zlib.crc32(" ".join(tokens).encode())}) if tokens else frozenset()
    grams = (" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - SHINGLE_WORDS + 1))
    return frozenset(zlib.crc32(g.encode()) for g in grams)


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def minhash(text: str) -> Signature:
    """The MinHash signature of a text's shingles: the share of equal entries estimates their Jaccard similarity."""
    grams = np.fromiter(shingles(text), dtype=np.uint64)
    if grams.size == 0:
        return np.zeros(_PERMUTATIONS, dtype=np.uint32)
    with np.errstate(over="ignore"):
        hashed = (_A[:, None] * grams[None, :] + _B[:, None]) >> np.uint64(32)
    signature: Signature = hashed.min(axis=1).astype(np.uint32)
    return signature


def drop_near_duplicates(
    loaded: Sequence[tuple[Path, Article]],
    store: ArticleSource,
    errors: list[str],
    edition_of: Callable[[Path, Article, str], bool] | None = None,
) -> list[tuple[Path, Article]]:
    """The loaded articles minus those whose text repeats an indexed article or an earlier one of the batch.

    Only articles with a new id are checked: a known id is an update of that article, not a copy.
    Each duplicate adds one line to `errors` naming the article it repeats, unless `edition_of(path,
    article, indexed_id)` says the file is a later edition of that indexed article: it then takes that
    article's id, as an update.
    """
    stored = store.signatures()
    if all(article.id in stored for _, article in loaded):
        return list(loaded)
    seen = _Bands()
    for aid, signature in stored.items():
        if signature is None:  # indexed before signatures were stored: read the body once
            article = store.article(aid)
            signature = minhash(article.body) if article else None
        if signature is not None:
            seen.add(aid, signature)
    kept: list[tuple[Path, Article]] = []
    for path, article in loaded:
        mine = minhash(article.body)
        twin = seen.closest(mine, article.id) if article.id not in stored else None
        if twin is not None and twin[1] >= SAME_TEXT:
            if twin[0] in stored and edition_of is not None and edition_of(path, article, twin[0]):
                kept.append((path, article.with_id(twin[0])))
                continue
            errors.append(
                f"{path}: the same text as article {twin[0]!r} ({twin[1]:.0%} of the wording in common); "
                "not indexed again"
            )
            continue
        seen.add(article.id, mine)
        kept.append((path, article))
    return kept


class _Bands:
    """Signatures bucketed by band, so a new article is compared only with those sharing a whole band."""

    def __init__(self) -> None:
        self._signatures: dict[str, Signature] = {}
        self._buckets: dict[tuple[int, bytes], list[str]] = {}

    @staticmethod
    def _keys(signature: Signature) -> list[tuple[int, bytes]]:
        return [(i, band.tobytes()) for i, band in enumerate(np.split(signature, _BANDS))]

    def add(self, article_id: str, signature: Signature) -> None:
        """Remember an article's signature."""
        self._signatures[article_id] = signature
        for key in self._keys(signature):
            self._buckets.setdefault(key, []).append(article_id)

    def closest(self, signature: Signature, exclude: str) -> tuple[str, float] | None:
        """The remembered article (other than `exclude`) most similar to `signature`, and the estimated Jaccard."""
        candidates = {aid for key in self._keys(signature) for aid in self._buckets.get(key, ()) if aid != exclude}
        scored = [(aid, float(np.mean(self._signatures[aid] == signature))) for aid in candidates]
        return max(scored, key=lambda pair: pair[1], default=None)
