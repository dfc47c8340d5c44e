"""What each sentence of an article is, for the answer model: whose words it carries, to whom, when the
statement was made, and what kinds of answer it holds (a person, a date, a place, a number).

Read once per article version (the answerer keeps them by content hash): the model weighs these against
what the question asks, e.g. "What did Kim write to Xi?" against a sentence whose speaker is Xi.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.analysis.quotes import _sentence_attributions  # one pass over the article; attribution() is per span
from bot.analysis.timeline.dates import Anchor, find_dates
from bot.answer.question import person
from bot.chunking import Span, split_sentences
from bot.corpus import Article
from bot.names import PEOPLE, is_place

_PERSON = "|".join(re.escape(n) for n in sorted(PEOPLE, key=len, reverse=True))
_TO = re.compile(
    rf"(?<!according )\b(?:to|told|tell|tells|informed|congratulated|thanked|urged|warned|assured|with)\s+"
    rf"(?:the\s+)?({_PERSON})\b",
    re.I,
)
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
_PLACE = re.compile(r"\b(?:in|at|to|from|visit(?:ed|ing)?)\s+(?:the\s+)?([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)")
_NUMBER = re.compile(
    r"\b\d+(?:st|nd|rd|th|s)?\b|\b(?:once|twice|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|dozen|hundred|thousand)\b",
    re.I,
)
_QUOTE = re.compile(r"[“\"][^”\"]{3,}")
_ANAPHOR = re.compile(
    r"^(?:This|That|These|Those|It|Such|He|She|They|His|Her|Their|The\s+(?:letter|message|"
    r"remarks|exchange|two|pair|visit|meeting|move|statement))\b"
)


@dataclass(frozen=True)
class SentenceFacts:
    """One sentence of an article and what it holds."""

    index: int
    span: Span
    text: str
    speaker: str | None  # canonical speaker of its words (quotes attribution, pronouns resolved)
    addressees: frozenset[str]  # canonical people it says were written or spoken to
    dates: tuple[tuple[dt.date, dt.date], ...]  # periods of the dates it names, resolved against publication
    numbers: frozenset[str]
    has_person: bool
    has_place: bool
    quotes: bool
    anaphoric: bool  # opens with a pronoun or "the letter": it leans on the sentence before
    paragraph_start: bool


@dataclass(frozen=True)
class ArticleSentences:
    """An article's sentences with their facts, and its publication period."""

    article: Article
    sentences: tuple[SentenceFacts, ...]
    published: tuple[dt.date, dt.date] | None

    def at(self, start: int) -> SentenceFacts | None:
        """The sentence starting at offset `start`, if any."""
        return self._by_start.get(start)

    @property
    def _by_start(self) -> dict[int, SentenceFacts]:
        cached: dict[int, SentenceFacts] | None = self.__dict__.get("_starts")
        if cached is None:
            cached = {s.span.start: s for s in self.sentences}
            object.__setattr__(self, "_starts", cached)
        return cached


def read_article(article: Article) -> ArticleSentences:
    """Every sentence of an article with its facts."""
    anchor = Anchor.of(article)
    body = article.body
    spans = split_sentences(body)
    speakers = [a.speaker for a in _sentence_attributions(body, list(spans))]
    out: list[SentenceFacts] = []
    for i, span in enumerate(spans):
        text = body[span.start : span.end]
        speaker = speakers[i]
        out.append(
            SentenceFacts(
                index=i,
                span=span,
                text=text,
                speaker=person(speaker) or speaker if speaker else None,
                addressees=frozenset(p for m in _TO.finditer(text) if (p := person(m.group(1)))),
                dates=tuple((d.date, _end(d.date, d.precision)) for d in find_dates(text, anchor)),
                numbers=frozenset(m.group().lower() for m in _NUMBER.finditer(text)),
                has_person=bool(_FULL_NAME.search(text)) or bool(re.search(_PERSON, text)),
                has_place=any(is_place(m.group(1)) for m in _PLACE.finditer(text)),
                quotes=bool(_QUOTE.search(text)),
                anaphoric=bool(_ANAPHOR.match(text)),
                paragraph_start=i == 0 or "\n" in body[spans[i - 1].end : span.start],
            )
        )
    return ArticleSentences(article, tuple(out), _published(article))


def _published(article: Article) -> tuple[dt.date, dt.date] | None:
    if article.published is None:
        return None
    return article.published, _end(article.published, article.published_precision or "day")


def _end(d: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(d.year, 12, 31)
    if precision == "month":
        nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    if precision == "week":
        return d + dt.timedelta(days=6)
    return d
