"""Extractive article summaries: the article's own headline, its most central sentences, its key quotes.

Nothing is written by a model here. Bullets are whole sentences of the article and quotes are
the article's quoted words, each cited by offsets that are checked against the body.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.analysis.cite import CitationList
from bot.analysis.quotes import Quote, article_quotes
from bot.answer_model import Citation
from bot.chunking import Span, paragraphs, split_sentences
from bot.corpus import Article
from bot.index.store import Vector
from bot.text import is_prose, word_count

_ANAPHOR = re.compile(r"(?:He|She|They|It|This|That|These|Those|Such)\b")

Embed = Callable[[list[str]], Vector]

# Speakers whose words are the news on this beat; analysts' and third parties' quotes rank after them.
PRINCIPALS = frozenset({"Xi Jinping", "Kim Jong-un", "Workers' Party of Korea", "Communist Party of China"})


@dataclass(frozen=True)
class Bullet:
    """One summary line: a verbatim sentence of the article and its citation numbers."""

    text: str
    citations: list[int]


@dataclass(frozen=True)
class KeyQuote:
    """A quotation worth reading in full, with who said it and the agency that relayed it."""

    speaker: str | None
    via: tuple[str, ...]
    quote: str
    n: int
    said: str | None = None  # the date of the statement quoted (a briefing's quotes), as precisely as known


@dataclass
class Summary:
    """A summary of one article: headline, 3-5 cited bullets, attributed key quotes."""

    article_id: str
    title: str
    outlet: str | None
    published: dt.date | None
    headline: str
    bullets: list[Bullet]
    quotes: list[KeyQuote]
    citations: list[Citation]
    mode: str = "extractive"
    notice: str | None = None
    llm: dict[str, Any] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        """The `summarize --json` contract."""
        data: dict[str, Any] = {
            "article_id": self.article_id,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published.isoformat() if self.published else None,
            "headline": self.headline,
            "bullets": [{"text": b.text, "citations": b.citations} for b in self.bullets],
            "quotes": [{"speaker": q.speaker, "via": list(q.via), "quote": q.quote, "n": q.n} for q in self.quotes],
            "citations": [c.to_json() for c in self.citations],
            "mode": self.mode,
        }
        if self.notice:
            data["notice"] = self.notice
        if self.llm:
            data["llm"] = self.llm
        return data


@dataclass(frozen=True)
class RankedSentence:
    """A sentence of an article with its summary-worthiness (centrality, position, who speaks)."""

    span: Span
    text: str
    score: float
    index: int
    vector: Vector


def rank_sentences(article: Article, embed: Embed, quotes: Sequence[Quote]) -> list[RankedSentence]:
    """The article's prose sentences, most summary-worthy first.

    A sentence scores for being close to the article's centroid and to its title (what the whole
    piece is about), for coming early (news leads with the news), and for carrying a principal's
    words; very long sentences lose a little, because a bullet should be readable at a glance, and
    so do sentences that open with a pronoun, because they need the sentence before them.
    """
    spans = [s for s in split_sentences(article.body) if is_prose(s.text(article.body))]
    if not spans:
        return []
    texts = [s.text(article.body) for s in spans]
    vectors = embed([*texts, article.title])
    sentences, title = vectors[:-1], vectors[-1]
    centroid = sentences.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    principal_spans = {q.sentence_start for q in quotes if q.speaker in PRINCIPALS}
    ranked = []
    for i, (span, text) in enumerate(zip(spans, texts, strict=True)):
        score = 0.45 * float(sentences[i] @ centroid) + 0.25 * float(sentences[i] @ title)
        score += 0.20 / (1 + i / 2) + (0.10 if span.start in principal_spans else 0.0)
        score -= 0.10 if word_count(text) > 50 else 0.0
        score -= 0.15 if _ANAPHOR.match(text) else 0.0  # "He added ..." means little on its own
        ranked.append(RankedSentence(span, text, score, i, sentences[i]))
    return sorted(ranked, key=lambda r: -r.score)


def pick_diverse(ranked: list[RankedSentence], count: int) -> list[RankedSentence]:
    """Up to `count` high-scoring sentences that do not repeat each other (maximal marginal relevance)."""
    chosen: list[RankedSentence] = []
    pool = list(ranked)
    while pool and len(chosen) < count:
        best = max(pool, key=lambda r: 0.7 * r.score - 0.3 * _redundancy(r, chosen))
        chosen.append(best)
        pool.remove(best)
    return chosen


def summarize_article(article: Article, embed: Embed, max_bullets: int = 5, max_quotes: int = 3) -> Summary:
    """An extractive summary: the title as headline, 3-5 central sentences, the principals' key quotes."""
    found = article_quotes(article)
    ranked = rank_sentences(article, embed, found)
    count = max(1, min(max_bullets, 3 if len(ranked) <= 12 else 4 if len(ranked) <= 25 else 5, len(ranked)))
    chosen = sorted(pick_diverse(ranked, count), key=lambda r: r.index)
    numbers = CitationList()
    para_of = _paragraph_finder(article)
    bullets = [Bullet(r.text, [numbers.add(article, r.span.start, r.span.end, para_of(r.span.start))]) for r in chosen]
    quotes: list[KeyQuote] = []
    for q in key_quotes(found, max_quotes, avoid=[r.span for r in chosen]):
        n = numbers.add(article, q.start, q.end, (q.sentence_start, q.sentence_end))
        quotes.append(KeyQuote(q.speaker, numbers.citations[n - 1].via, q.text, n))  # via as its citation reads it
    return Summary(
        article.id, article.title, article.outlet, article.published, article.title, bullets, quotes, numbers.citations
    )


def key_quotes(quotes: Sequence[Quote], limit: int = 3, avoid: list[Span] | None = None) -> list[Quote]:
    """The article's most telling quotations: principals first, full statements over scare quotes.

    Quotes already inside a chosen bullet (`avoid`) rank lower, and no speaker gets more than two.
    """
    avoid = avoid or []
    candidates = [q for q in quotes if q.speaker and q.words >= 6]

    def worth(q: Quote) -> float:
        value = 2.0 if q.speaker in PRINCIPALS else 1.0
        value += 0.5 if 10 <= q.words <= 60 else 0.0
        value -= 1.0 if any(s.start <= q.start and q.end <= s.end for s in avoid) else 0.0
        return value

    chosen: list[Quote] = []
    for q in sorted(candidates, key=lambda q: (-worth(q), q.start)):
        if len(chosen) < limit and sum(c.speaker == q.speaker for c in chosen) < 2:
            chosen.append(q)
    return sorted(chosen, key=lambda q: q.start)


def _redundancy(candidate: RankedSentence, chosen: list[RankedSentence]) -> float:
    return max((float(candidate.vector @ c.vector) for c in chosen), default=0.0)


def _paragraph_finder(article: Article) -> Callable[[int], tuple[int, int]]:
    spans = paragraphs(article.body)

    def find(offset: int) -> tuple[int, int]:
        para = next((p for p in spans if p.start <= offset < p.end), Span(offset, offset + 1))
        return para.start, para.end

    return find
