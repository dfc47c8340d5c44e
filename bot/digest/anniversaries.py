"""The relationship's recurring dates, read from the corpus, and what the last exchange on each one said.

An anniversary enters the calendar when an article dates an exchange to the day and gives its occasion as
an ordinal anniversary: letters exchanged on 2021-07-11 "to mark the 60th anniversary of the two countries'
Treaty of Friendship, ..." put the treaty on 11 July 1961. Nothing is added from outside the articles, so a
founding date no article ties to a dated exchange is not in the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.analysis.cite import cite
from bot.analysis.provenance import STATE_VOICES
from bot.analysis.quotes import Quote, article_quotes
from bot.analysis.timeline.article import article_drafts
from bot.analysis.timeline.mentions import Mention
from bot.answer_model import Citation
from bot.corpus import Article
from bot.text import terms

_ORDINAL = re.compile(r"\b(?P<n>\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+of\s+(?P<name>.+)$", re.I)
_POSSESSIVE = re.compile(r"(?P<owner>\w+)[’']s\s+(?P<n>\d{1,3})(?:st|nd|rd|th)\s+(?P<what>\w+)\s+anniversary", re.I)


@dataclass(frozen=True)
class Recurrence:
    """One exchange of the corpus that marked an anniversary: the source of a calendar entry."""

    name: str  # the anniversary's subject, in the article's words
    origin: dt.date  # the day it commemorates
    exchange: dt.date  # the day of the exchange that marked it
    article: Article
    mention: Mention


@dataclass(frozen=True)
class AnniversaryNote:
    """The lead line of a briefing on an anniversary, and its verified citations."""

    name: str
    origin: dt.date
    years: int
    text: str  # carries [n] markers numbered after the briefing's own citations
    citations: list[Citation]

    def to_json(self) -> dict[str, Any]:
        """The note in `brief --json` (`anniversaries`)."""
        return {
            "name": self.name,
            "origin": self.origin.isoformat(),
            "years": self.years,
            "text": self.text,
            "citations": [c.to_json() for c in self.citations],
        }


def calendar(articles: Iterable[Article]) -> list[Recurrence]:
    """Every exchange of the corpus, dated to the day, whose occasion is a numbered anniversary."""
    found: list[Recurrence] = []
    for article in articles:
        for draft in article_drafts(article):
            if draft.precision != "day" or draft.approximate:
                continue
            for source, mention in draft.mentions:
                if source.id == article.id and mention.occasion is not None:
                    occasion = article.body[mention.occasion.start : mention.occasion.end]
                    found.extend(_recurrence(occasion, draft.date, article, mention))
    return found


def _recurrence(occasion: str, day: dt.date, article: Article, mention: Mention) -> list[Recurrence]:
    if match := _ORDINAL.search(occasion):
        name = match.group("name").strip()
    elif match := _POSSESSIVE.search(occasion):
        name = f"{match.group('owner')}’s {match.group('what')}"
    else:
        return []
    years = int(match.group("n"))
    try:
        origin = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return []
    return [Recurrence(name, origin, day, article, mention)]


def anniversary_notes(articles: Iterable[Article], today: dt.date, first_number: int = 1) -> list[AnniversaryNote]:
    """The anniversaries falling on `today`, each with the last exchange that marked it, cited from `first_number`."""
    on_day = [r for r in calendar(articles) if (r.origin.month, r.origin.day) == (today.month, today.day)]
    on_day = [r for r in on_day if r.exchange <= today]
    notes: list[AnniversaryNote] = []
    for origin in sorted({r.origin for r in on_day}):
        latest = max((r for r in on_day if r.origin == origin), key=lambda r: (r.exchange, r.article.id))
        notes.append(_note(latest, today, first_number + sum(len(n.citations) for n in notes)))
    return notes


def _note(r: Recurrence, today: dt.date, n: int) -> AnniversaryNote:
    years = today.year - r.origin.year
    sentence = cite(n, r.article, r.mention.sentence.start, r.mention.sentence.end)
    citations = [sentence]
    text = f"Today is the {_ordinal(years)} anniversary of {r.name} ({r.origin.day} {r.origin:%B %Y}) [{n}]"
    last_year = r.exchange.year == today.year - 1
    when = "last year's exchange" if last_year else f"the last exchange on record ({r.exchange})"
    quote = _quote(r)
    if quote is not None:
        said = cite(n + 1, r.article, quote.start, quote.end, (quote.sentence_start, quote.sentence_end))
        citations.append(said)
        text += f"; {when} said: \u201c{quote.text}\u201d ({said.speaker}) [{n + 1}]"
    return AnniversaryNote(r.name, r.origin, years, text + ".", citations)


def _quote(r: Recurrence) -> Quote | None:
    """A leader's words in the article that best speak of the anniversary's subject (the treaty, the founding)."""
    subject = set(terms(r.name))
    spoken = [q for q in article_quotes(r.article) if q.speaker in STATE_VOICES]
    if not spoken:
        return None
    sentence = r.mention.sentence

    def rank(q: Quote) -> tuple[bool, int, int]:  # the exchange's own sentence first, then words of the subject
        return sentence.start <= q.start < sentence.end, len(subject & set(terms(q.text))), -q.start

    return max(spoken, key=rank)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
