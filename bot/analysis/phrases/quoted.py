"""Who said what: the corpus's attributed quotes, verbatim, by speaker and topic; and loading the corpus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.analysis.cite import CitationList
from bot.analysis.phrases.match import find_phrase, words
from bot.answer_model import Citation
from bot.corpus import Article

if TYPE_CHECKING:
    from bot.index.store import Store


@dataclass(frozen=True)
class QuoteHit:
    """An attributed quote: the words, who said them, through whom, and its citation."""

    speaker: str | None
    via: tuple[str, ...]
    text: str
    article_id: str
    published: dt.date | None
    citation: Citation
    said: dict[str, Any] | None = None  # the statement's date: {"date", "date_precision", "event", "basis"}

    def to_json(self) -> dict[str, Any]:
        """The quote with its citation object (quote = the words, passage = their sentence)."""
        return {
            "speaker": self.speaker,
            "via": list(self.via),
            "text": self.text,
            "article_id": self.article_id,
            "published": self.published.isoformat() if self.published else None,
            "said": self.said,
            "citation": self.citation.to_json(),
        }


@dataclass(frozen=True)
class QuoteList:
    """The corpus's quotes that match a speaker and a topic, in date order."""

    speaker: str | None
    topic: str | None
    quotes: tuple[QuoteHit, ...]

    def to_json(self) -> dict[str, Any]:
        """The quotes for `yalu quotes --json` and the Discord cog."""
        return {
            "speaker": self.speaker,
            "topic": self.topic,
            "count": len(self.quotes),
            "quotes": [q.to_json() for q in self.quotes],
        }


def select_quotes(articles: Sequence[Article], speaker: str | None = None, topic: str | None = None) -> QuoteList:
    """The attributed quotes of `articles`, verbatim, by `speaker` ("xi", "Kim Jong-un") and about `topic`.

    A quote is about a topic when it contains the topic phrase (or a variant), or its sentence holds
    every content word of the topic.
    """
    from bot.analysis.quotes import article_quotes, speaker_matches
    from bot.analysis.timeline.statements import dated_quotes

    citations = CitationList()
    hits: list[QuoteHit] = []
    ordered = sorted(articles, key=lambda a: (a.published or dt.date.max, a.id))
    said = {(s.article.id, s.quote.start): s.to_json() for s in dated_quotes(ordered)}
    for article in ordered:
        for q in article_quotes(article):
            if speaker and not speaker_matches(q.speaker, speaker):
                continue
            if topic and not _about(article.body[q.sentence_start : q.sentence_end], q.text, topic):
                continue
            n = citations.add(article, q.start, q.end, (q.sentence_start, q.sentence_end))
            cited = citations.citations[n - 1]
            hits.append(
                QuoteHit(
                    q.speaker, q.via, q.text, article.id, article.published, cited, said.get((article.id, q.start))
                )
            )
    return QuoteList(speaker, topic, tuple(hits))


def _about(sentence: str, quote: str, topic: str) -> bool:
    if find_phrase(quote, topic):
        return True
    wanted = {w.key for w in words(topic) if not w.stop}
    return bool(wanted) and wanted <= {w.key for w in words(sentence)}


def corpus_articles(store: Store, since: dt.date | None = None, until: dt.date | None = None) -> list[Article]:
    """Every indexed article with its body, in date order; published in [since, until] when given."""
    from bot.dates import published_in

    infos = [i for i in store.articles() if (since is None and until is None) or published_in(i, since, until)]
    loaded = (store.article(i.id) for i in infos)
    return [a for a in loaded if a is not None]
