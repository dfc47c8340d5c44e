"""Tracing a phrase across the corpus: every occurrence and variant in date order, with speaker and citation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.analysis.cite import CitationList
from bot.analysis.phrases.match import MatchKind, PhraseMatch, find_phrase, words
from bot.answer_model import Citation
from bot.chunking import Span, split_sentences
from bot.corpus import Article
from bot.errors import BadQuestion


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a traced phrase: what matched, who said it, and the cited sentence."""

    article_id: str
    published: dt.date | None
    date_precision: str | None
    matched: str
    start: int
    end: int
    match: MatchKind
    speaker: str | None
    via: tuple[str, ...]
    in_quote: bool  # inside quotation marks: the speaker's own words, not the reporter's
    citation: Citation

    def to_json(self) -> dict[str, Any]:
        """The occurrence with its citation object (as in `ask --json`)."""
        return {
            "article_id": self.article_id,
            "published": self.published.isoformat() if self.published else None,
            "date_precision": self.date_precision,
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "match": self.match,
            "speaker": self.speaker,
            "via": list(self.via),
            "in_quote": self.in_quote,
            "citation": self.citation.to_json(),
        }


@dataclass(frozen=True)
class Trace:
    """Every occurrence of a phrase and its variants across the corpus, in date order."""

    phrase: str
    occurrences: tuple[Occurrence, ...]

    @property
    def article_ids(self) -> tuple[str, ...]:
        """The articles the phrase occurs in, in date order."""
        return tuple(dict.fromkeys(o.article_id for o in self.occurrences))

    @property
    def variants(self) -> tuple[str, ...]:
        """The distinct wordings that matched."""
        return tuple(dict.fromkeys(" ".join(o.matched.lower().split()) for o in self.occurrences))

    def to_json(self) -> dict[str, Any]:
        """The trace for `yalu trace --json` and the Discord cog."""
        return {
            "phrase": self.phrase,
            "count": len(self.occurrences),
            "articles": len(self.article_ids),
            "variants": list(self.variants),
            "occurrences": [o.to_json() for o in self.occurrences],
        }


def trace_phrase(articles: Sequence[Article], phrase: str) -> Trace:
    """Every occurrence of `phrase` (or a variant) in `articles`, in date order, with speaker and citation."""
    if not words(phrase):
        raise BadQuestion('give a phrase to trace, e.g. yalu trace "strategic communication"')
    citations = CitationList()
    found: list[Occurrence] = []
    for article in sorted(articles, key=lambda a: (a.published or dt.date.max, a.id)):
        matches = find_phrase(article.body, phrase)
        if matches:
            found.extend(_occurrences(article, matches, citations))
    return Trace(phrase, tuple(found))


def _occurrences(article: Article, matches: list[PhraseMatch], citations: CitationList) -> Iterator[Occurrence]:
    from bot.analysis.quotes import article_quotes, attribution

    sentences = split_sentences(article.body)
    quotes = article_quotes(article)
    for m in matches:
        sentence = next((s for s in sentences if s.start <= m.start < s.end), Span(m.start, m.end))
        quote = next((q for q in quotes if q.start <= m.start and m.end <= q.end), None)
        speaker, via = (quote.speaker, quote.via) if quote else attribution(article, sentence.start, sentence.end)
        n = citations.add(article, sentence.start, max(sentence.end, m.end))
        yield Occurrence(
            article.id,
            article.published,
            article.published_precision,
            article.body[m.start : m.end],
            m.start,
            m.end,
            m.kind,
            speaker,
            via,
            quote is not None,
            citations.citations[n - 1],
        )
