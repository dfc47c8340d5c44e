"""Quote time, not article time: each quote dated by the statement it reports (its letter, message, meeting).

A 2023 article that quotes "last year’s message" quotes a 2022 statement; "“...,” Kim wrote in his letter"
quotes the letter the article dates. A quote belongs to the event its sentence names next to it: one named
just after it ("“...,” Kim wrote in his letter", "“...,” as in a Jan. 11 cable"), else one named before it
("In his message to Kim, Xi said that “...”"), never one set against it ("in contrast to last year’s
message"). A quote whose sentence names no event belongs to its speaker's latest event in the article;
an analyst's words, or a quote the article ties to no event, are dated by the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.analysis.quotes import Quote, article_quotes
from bot.analysis.timeline.actors import affiliation
from bot.analysis.timeline.article import Draft, cached_drafts
from bot.analysis.timeline.build import merge_drafts
from bot.analysis.timeline.dates import DatePrecision
from bot.analysis.timeline.mentions import Mention
from bot.analysis.timeline.model import event_label
from bot.corpus import Article
from bot.names import AGENCIES

_CLAIM_AFTER_CHARS = 45  # “...,” Kim wrote in his letter: the event named right after the quote
_CONTRAST = re.compile(r"\b(?:contrast|unlike|compared|than|whereas|instead|rather|not|did\s+not)\b", re.I)
_RECENT_DAYS = 45  # a speaker's event this close to the report is the one an unplaced quote belongs to


@dataclass(frozen=True)
class Statement:
    """A quote and the date of the statement it reports."""

    article: Article
    quote: Quote
    date: dt.date
    precision: DatePrecision
    event: str | None  # the event's label ("Xi Jinping → Kim Jong-un: letter"); None when dated by the report
    basis: str  # how the date was found, in words

    @property
    def speaker(self) -> str | None:
        """Who made the statement."""
        return self.quote.speaker

    @property
    def last_day(self) -> dt.date:
        """The last day the statement may have been made (a year-dated one: 31 December)."""
        if self.precision == "year":
            return dt.date(self.date.year, 12, 31)
        if self.precision == "month":
            nxt = (self.date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            return nxt - dt.timedelta(days=1)
        return self.date

    @property
    def first_day(self) -> dt.date:
        """The first day the statement may have been made."""
        if self.precision == "year":
            return dt.date(self.date.year, 1, 1)
        return self.date.replace(day=1) if self.precision == "month" else self.date

    @property
    def label(self) -> str:
        """The date as precisely as it is known: "2021-07-11", "2023-09", "2022"."""
        if self.precision == "year":
            return str(self.date.year)
        return self.date.strftime("%Y-%m") if self.precision == "month" else self.date.isoformat()

    def to_json(self) -> dict[str, object]:
        """The statement date as quotes carry it in JSON (`said`)."""
        return {"date": self.label, "date_precision": self.precision, "event": self.event, "basis": self.basis}


def dated_quotes(articles: Sequence[Article], context: Iterable[Article] = ()) -> list[Statement]:
    """Every quote of `articles` with its statement's date; `context` articles help date the events only."""
    pool = {a.id: a for a in (*context, *articles)}
    drafts = merge_drafts([d for a in pool.values() for d in cached_drafts(a)])
    by_article: dict[str, list[tuple[Mention, Draft]]] = {}
    for draft in drafts:
        for article, mention in draft.mentions:
            by_article.setdefault(article.id, []).append((mention, draft))
    out: list[Statement] = []
    for article in articles:
        placed = by_article.get(article.id, [])
        out.extend(_statement(article, q, placed) for q in article_quotes(article))
    return out


def _statement(article: Article, quote: Quote, placed: list[tuple[Mention, Draft]]) -> Statement:
    own = [(m, d) for m, d in placed if _role(quote.speaker, d) > 0]
    draft = _claimed(article.body, quote, own) or _speakers_latest(article, quote, own)
    if draft is None:
        return _reported(article, quote)
    senders, recipients = tuple(sorted(draft.senders)), tuple(sorted(draft.recipients - draft.senders))
    label = event_label(draft.kind, senders, recipients or senders, draft.mutual)
    return Statement(article, quote, draft.date, draft.precision, label, f"{label}, dated {draft.basis}")


def _claimed(body: str, quote: Quote, placed: list[tuple[Mention, Draft]]) -> Draft | None:
    """The event the quote's own sentence names beside it: just after it, else the nearest before it."""
    here = [(m, d) for m, d in placed if m.sentence.start <= quote.start < m.sentence.end]
    here.sort(key=lambda md: (md[0].kind != "letter", md[0].cue.start))
    for m, d in here:
        gap = body[quote.end : m.cue.start]
        close = quote.end <= m.cue.start and len(gap) <= _CLAIM_AFTER_CHARS
        if close and not _CONTRAST.search(gap) and not any(c in gap[2:] for c in '“"'):
            return d
    before = [(m, d) for m, d in here if m.cue.end <= quote.start]
    for m, d in sorted(before, key=lambda md: -md[0].cue.end):
        if not _CONTRAST.search(body[m.cue.end : quote.start]):  # "did not make reference to “...”": not its words
            return d
    return None


def _speakers_latest(article: Article, quote: Quote, placed: list[tuple[Mention, Draft]]) -> Draft | None:
    """The speaker's latest event in the article near the report: their own before their side's, letters first."""
    if quote.speaker is None or quote.speaker in AGENCIES.values():
        return None
    published = article.published
    own = [d for _, d in placed if published is None or abs((published - d.date).days) <= _RECENT_DAYS]
    return max(own, key=lambda d: (_role(quote.speaker, d), d.kind == "letter", d.date), default=None)


def _role(speaker: str | None, draft: Draft) -> int:
    """How surely the event's words are the speaker's: 3 a sender (or one of those who met), 2 a sender's
    side (the Workers' Party for Kim), 1 nobody named, 0 not theirs (the recipient's quote is not the letter's)."""
    if speaker is None or speaker in AGENCIES.values():
        return 1
    if speaker in (draft.parties if draft.mutual or draft.kind != "letter" else draft.senders):
        return 3
    side = affiliation(speaker)
    return 2 if side is not None and any(affiliation(p) == side for p in draft.senders or draft.parties) else 0


def _reported(article: Article, quote: Quote) -> Statement:
    published = article.published or dt.date.min
    precision: DatePrecision = "day" if (article.published_precision or "day") == "day" else "month"
    return Statement(article, quote, published, precision, None, f"dated by the report ({published.isoformat()})")
