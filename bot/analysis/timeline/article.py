"""An article's event mentions, with parties filled in from context, grouped into the article's events.

"The letter, dated Oct. 13" names nobody: it is the letter the article leads with. "as in a Jan. 11 cable"
names nobody either, but its sentence names Xi's letter, and the lead exchange tells who Xi wrote to.
An undated mention ("In his message to Kim, Xi said ...") belongs to the article's recent event of the
same parties, or, for a letter, is itself the event, dated by the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from bot.analysis.timeline.actors import STATES, NameBook, affiliation
from bot.analysis.timeline.dates import Anchor, DateMention, DatePrecision, coarser
from bot.analysis.timeline.mentions import EventKind, Mention, sentence_mentions
from bot.analysis.timeline.sentence import read_sentence
from bot.chunking import split_sentences
from bot.corpus import Article

_RECENT_DAYS = 45  # an undated mention refers to an event this close to publication, not to background
_COMBINE: dict[EventKind, frozenset[str]] = {
    "letter": frozenset({"letter"}),
    "visit": frozenset({"visit", "meeting"}),
    "meeting": frozenset({"visit", "meeting"}),
    "call": frozenset({"call"}),
}


@dataclass
class Draft:
    """An event being assembled: its date, parties and the mentions (article, mention) that report it."""

    kind: EventKind
    date: dt.date
    precision: DatePrecision
    approximate: bool
    basis: str
    senders: set[str]
    recipients: set[str]
    mutual: bool
    mentions: list[tuple[Article, Mention]] = field(default_factory=list)

    @property
    def parties(self) -> set[str]:
        """Everyone taking part."""
        return self.senders | self.recipients


def article_mentions(article: Article) -> list[Mention]:
    """Every event mention of an article, in text order, parties completed from the sentence and the article."""
    book, anchor = NameBook(article.title, article.body), Anchor.of(article)
    sentences: list[list[Mention]] = []
    speaker: str | None = None
    for span in split_sentences(article.body):
        found, speaker = sentence_mentions(article.id, read_sentence(article.body, span, anchor, book), speaker)
        sentences.append(found)
    lead = next((m for ms in sentences for m in ms if _is_lead(m)), None)
    return [_complete(m, ms, lead) for ms in sentences for m in ms]


def article_drafts(article: Article) -> list[Draft]:
    """The events one article reports: one per dated mention, undated mentions attached where they belong."""
    mentions = article_mentions(article)
    drafts = [_dated(article, m, m.date) for m in mentions if m.date is not None and m.parties | m.places]
    drafts += [_dated(article, m, m.date) for m in mentions if m.date is not None and not m.parties | m.places]
    for m in mentions:
        if m.date is not None or not m.named:
            continue
        home = _home(article, drafts, m)
        if home is not None:
            home.mentions.append((article, m))
        elif m.kind == "letter" and not m.replied_to and article.published:
            drafts.append(_reported(article, m))
    return drafts


_DRAFTS: dict[tuple[str, str], list[Draft]] = {}
_DRAFTS_KEPT = 4096


def cached_drafts(article: Article) -> list[Draft]:
    """An article's event drafts, read once per article text, as copies that merging may change freely."""
    key = (article.id, article.body)
    if key not in _DRAFTS:
        if len(_DRAFTS) >= _DRAFTS_KEPT:
            _DRAFTS.pop(next(iter(_DRAFTS)))
        _DRAFTS[key] = article_drafts(article)
    return [
        replace(d, senders=set(d.senders), recipients=set(d.recipients), mentions=list(d.mentions))
        for d in _DRAFTS[key]
    ]


def compatible(kind: EventKind, senders: set[str], recipients: set[str], mutual: bool, m: Draft | Mention) -> bool:
    """Whether two tellings may be one event: kinds that combine, and parties that fit.

    Exchanges and meetings fit when one side's parties include the other's (Xi's message is part of the
    Xi-Kim exchange; talks between Pyongyang and Washington are not the US-China meeting). Letters fit when
    neither names a different sender or a different recipient (Putin's message to Kim is not Xi's).
    """
    if m.kind not in _COMBINE[kind]:
        return False
    mine, theirs = senders | recipients, set(m.senders) | set(m.recipients)
    if not mine & theirs:
        return False
    if mutual or m.mutual or kind != "letter":
        return mine <= theirs or theirs <= mine
    return _agree(senders, set(m.senders)) and _agree(recipients, set(m.recipients))


def _agree(a: set[str], b: set[str]) -> bool:
    """Whether two sets of senders (or recipients) may be the same: one unknown, shared, or a state and its own."""
    if not a or not b or a & b:
        return True
    states_a, states_b = a & set(STATES.values()), b & set(STATES.values())
    return any(affiliation(x) in states_a for x in b) or any(affiliation(x) in states_b for x in a)


def _is_lead(m: Mention) -> bool:
    return m.kind == "letter" and not m.replied_to and bool(m.senders) and (bool(m.recipients) or m.mutual)


def _complete(m: Mention, sentence: list[Mention], lead: Mention | None) -> Mention:
    """A letter mention with the parties its sentence or the article's lead exchange implies."""
    if m.kind != "letter" or m.mutual:
        return m
    if not m.parties:
        donor = next((d for d in sentence if d.kind == "letter" and d.parties and not d.replied_to), None)
        if donor is not None:
            m = replace(m, senders=donor.senders, recipients=donor.recipients, mutual=donor.mutual, named=True)
        elif lead is not None and (m.date is not None or m.definite) and not m.replied_to:
            return replace(m, senders=lead.senders, recipients=lead.recipients, mutual=lead.mutual)
    return _counterpart(m, lead) if lead is not None and not m.mutual else m


def _counterpart(m: Mention, lead: Mention) -> Mention:
    """Fill the missing side of a letter from the lead exchange: Xi wrote, and Xi's correspondent is Kim."""
    if m.senders and not m.recipients:
        if lead.mutual and m.senders < lead.parties:
            return replace(m, recipients=lead.parties - m.senders)
        if m.senders == lead.senders or m.senders == lead.recipients:
            return replace(m, recipients=lead.recipients if m.senders == lead.senders else lead.senders)
    if m.recipients and not m.senders:
        if lead.mutual and m.recipients < lead.parties:
            return replace(m, senders=lead.parties - m.recipients)
        if m.recipients == lead.recipients or m.recipients == lead.senders:
            return replace(m, senders=lead.senders if m.recipients == lead.recipients else lead.recipients)
    return m


def _dated(article: Article, m: Mention, date: DateMention) -> Draft:
    basis = f"“{date.text}”" + (
        f", resolved against the article date {_article_date(article)}" if date.relative else ""
    )
    return Draft(
        m.kind,
        date.date,
        date.precision,
        date.approximate,
        basis,
        set(m.senders),
        set(m.recipients),
        m.mutual,
        [(article, m)],
    )


def _reported(article: Article, m: Mention) -> Draft:
    """A letter the article reports without dating it: dated by the report, to the month at best."""
    assert article.published is not None
    precision = coarser("month", article.published_precision or "day")
    basis = f"undated in the text; reported {_article_date(article)}"
    return Draft(
        m.kind, article.published, precision, False, basis, set(m.senders), set(m.recipients), m.mutual, [(article, m)]
    )


def _home(article: Article, drafts: list[Draft], m: Mention) -> Draft | None:
    """The recent event of this article an undated mention belongs to (same direction first, then nearest)."""
    published = article.published
    candidates = [
        d
        for d in drafts
        if compatible(m.kind, set(m.senders), set(m.recipients), m.mutual, d)
        and (published is None or abs((published - d.date).days) <= _RECENT_DAYS)
    ]
    if not candidates:
        return None

    def rank(d: Draft) -> tuple[int, int]:
        same = d.senders == set(m.senders) or d.mutual
        return (0 if same else 1, abs((published - d.date).days) if published else 0)

    return min(candidates, key=rank)


def _article_date(article: Article) -> str:
    if article.published is None:
        return "unknown"
    day = article.published.isoformat()
    precision = article.published_precision or "day"
    return day if precision == "day" else f"{day} ({precision} precision: the day is an estimate)"
