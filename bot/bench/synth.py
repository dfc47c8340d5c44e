"""A synthetic corpus of any size, made from the real articles, for the benchmark.

Each synthetic article recombines real sentences (runs from one article spliced with
sentences of others) and perturbs their wording, numbers and dates, so that texts, vectors
and BM25 statistics look like news copy rather than thousands of identical sentences
(identical vectors would flatter nothing but distort HNSW). Dates, outlets and lengths vary.
Everything follows from the seed: the same N and seed give the same files.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.chunking import Span, split_sentences
from bot.corpus import Article, to_markdown

OUTLETS = (
    "Yonhap",
    "The Korea Herald",
    "The Hankyoreh",
    "South China Morning Post",
    "NK News",
    "Reuters",
    "Associated Press",
    "Global Times",
    "The Korea Times",
    "JoongAng Daily",
    "Nikkei Asia",
    "The Diplomat",
)
_FIRST_DAY = dt.date(2015, 1, 1).toordinal()
_LAST_DAY = dt.date(2026, 10, 31).toordinal()
_SWAPPABLE = re.compile(r"\b[a-z]{4,}\b")
_NUMBER = re.compile(r"\b\d{1,4}\b")


@dataclass(frozen=True)
class SentencePool:
    """The real articles' sentences, in order per article, and their vocabulary of ordinary words."""

    sentences: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...]
    vocabulary: tuple[str, ...]

    @classmethod
    def from_articles(cls, articles: Sequence[Article]) -> SentencePool:
        """Split the real articles into sentences and collect their lowercase words."""
        sentences = tuple(tuple(s.text(a.body).strip() for s in split_sentences(a.body)) for a in articles)
        words = sorted({w for group in sentences for s in group for w in _SWAPPABLE.findall(s)})
        return cls(sentences, tuple(a.title for a in articles), tuple(words))


def synthetic_articles(pool: SentencePool, count: int, seed: int = 7) -> Iterator[Article]:
    """`count` synthetic articles, deterministic for a given seed."""
    for article, _ in synthetic_split(pool, count, seed):
        yield article


def synthetic_split(pool: SentencePool, count: int, seed: int = 7) -> Iterator[tuple[Article, list[Span]]]:
    """The synthetic articles with the spans of the sentences they were assembled from (the simulated
    bench indexes these spans as they are: running the sentence splitter on 100,000 bodies takes minutes)."""
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        paragraphs = body_paragraphs(pool, rng)
        body, spans = _joined(paragraphs)
        published = dt.date.fromordinal(rng.randint(_FIRST_DAY, _LAST_DAY))
        title = _perturb(rng.choice(pool.titles), pool, rng, share=0.3)
        article = Article(
            id=f"synth-{i:05d}",
            title=title,
            body=body,
            outlet=rng.choice(OUTLETS),
            published=published,
            published_precision="day",
            url=f"https://example.org/synthetic/{i:05d}",
            source="benchmark",
        )
        yield article, spans


def _joined(paragraphs: list[list[str]]) -> tuple[str, list[Span]]:
    """The body `_body` would make of these paragraphs, and each sentence's span in it."""
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    for p, paragraph in enumerate(paragraphs):
        if p:
            parts.append("\n\n")
            position += 2
        for s, sentence in enumerate(paragraph):
            if s:
                parts.append(" ")
                position += 1
            parts.append(sentence)
            spans.append(Span(position, position + len(sentence)))
            position += len(sentence)
    return "".join(parts), spans


def _body(pool: SentencePool, rng: random.Random) -> str:
    """8-28 sentences: a run through one article with jumps into others, grouped in paragraphs."""
    return "\n\n".join(" ".join(paragraph) for paragraph in body_paragraphs(pool, rng))


def body_paragraphs(pool: SentencePool, rng: random.Random) -> list[list[str]]:
    """The sentences of a synthetic body, grouped in paragraphs of 1-3 (`_body` joins them)."""
    length = rng.randint(8, 28)
    source = rng.randrange(len(pool.sentences))
    position = rng.randrange(len(pool.sentences[source]))
    picked: list[str] = []
    while len(picked) < length:
        if rng.random() < 0.35:  # splice in a sentence from elsewhere, as rewrites of wire copy do
            source = rng.randrange(len(pool.sentences))
            position = rng.randrange(len(pool.sentences[source]))
        group = pool.sentences[source]
        picked.append(_perturb(group[position % len(group)], pool, rng, share=0.15))
        position += 1
    paragraphs: list[list[str]] = []
    while picked:
        size = rng.randint(1, 3)
        paragraphs.append(picked[:size])
        picked = picked[size:]
    return paragraphs


def _perturb(sentence: str, pool: SentencePool, rng: random.Random, share: float) -> str:
    """Swap a share of the ordinary words for others of the corpus and redraw the numbers; names stay."""
    swapped = _SWAPPABLE.sub(lambda m: rng.choice(pool.vocabulary) if rng.random() < share else m.group(0), sentence)
    return _NUMBER.sub(lambda m: str(rng.randint(1, 28) if len(m.group(0)) <= 2 else rng.randint(1950, 2026)), swapped)


def write_corpus(real: Sequence[Article], count: int, folder: Path, seed: int = 7) -> int:
    """Write the real articles plus synthetic ones up to `count` as Markdown files; returns the number written."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = list(real[:count])
    pool = SentencePool.from_articles(real)
    chosen.extend(synthetic_articles(pool, max(0, count - len(chosen)), seed))
    for article in chosen:
        (folder / f"{article.id}.md").write_text(to_markdown(article), encoding="utf-8")
    return len(chosen)
