"""Stories: the articles of a period that report one event, told once with all their sources.

Three outlets reporting one letter are one story, not three items. Articles are grouped as `accounts`
groups them (same kind, fitting parties, close dates or shared quoted words); each article joins the
story of the event it leads with (its China–DPRK exchange nearest its own date), and an article that
reports no event is a story of its own. Stories are ranked by weight: the leaders' own words, the number
of outlets, and novelty (an event of the period itself, not one recalled from before it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.analysis.accounts import exchange_groups
from bot.analysis.cite import CitationList
from bot.analysis.timeline.actors import affiliation
from bot.analysis.timeline.article import Draft
from bot.analysis.timeline.mentions import Mention
from bot.analysis.timeline.model import event_label
from bot.analysis.timeline.statements import Statement
from bot.chunking import split_sentences
from bot.corpus import Article
from bot.digest.summarize import PRINCIPALS, RankedSentence
from bot.text import word_count

_PAIR = frozenset({"China", "North Korea"})
_NOVEL_DAYS = 10  # an event this close before the period's start is still the period's news


@dataclass(frozen=True)
class StorySource:
    """One article a story rests on, with the citation of its sentence that tells the event."""

    article_id: str
    title: str
    outlet: str | None
    published: dt.date | None
    n: int

    def to_json(self) -> dict[str, Any]:
        """The source as in `brief --json`."""
        published = self.published.isoformat() if self.published else None
        return {"article_id": self.article_id, "title": self.title, "outlet": self.outlet, "published": published,
                "n": self.n}  # fmt: skip

    @property
    def name(self) -> str:
        """`The Korea Herald, 2022-10-16`."""
        return f"{self.outlet or 'outlet unknown'}, {self.published.isoformat() if self.published else 'undated'}"


@dataclass(frozen=True)
class Story:
    """An event (or a lone article) with its cited summary and every source that reports it."""

    label: str  # "Xi Jinping → Kim Jong-un: letter", or the article's title when it tells no event
    kind: str | None
    date: str | None  # the event's date as precisely as known
    summary: str  # the lead source's best sentence(s), with [n] markers
    citations: tuple[int, ...]
    sources: tuple[StorySource, ...]
    weight: float
    exchange: bool  # a China–DPRK exchange (not a third country's event)

    def to_json(self) -> dict[str, Any]:
        """The story as in `brief --json`."""
        return {
            "label": self.label,
            "kind": self.kind,
            "date": self.date,
            "weight": round(self.weight, 2),
            "exchange": self.exchange,
            "summary": self.summary,
            "citations": list(self.citations),
            "sources": [s.to_json() for s in self.sources],
        }


def build_stories(
    articles: Sequence[Article],
    ranked: dict[str, list[RankedSentence]],
    statements: Sequence[Statement],
    numbers: CitationList,
    since: dt.date | None,
) -> list[Story]:
    """The period's stories, heaviest first; every article of `articles` is a source of exactly one."""
    groups = exchange_groups(articles)
    home = {a.id: _home(a, groups) for a in articles}
    members: dict[int, list[Article]] = {}
    alone: list[Article] = []
    for article in articles:
        g = home[article.id]
        if g is None:
            alone.append(article)
        else:
            members.setdefault(g, []).append(article)
    voiced = {s.article.id for s in statements if s.speaker in PRINCIPALS and (since is None or s.last_day >= since)}

    def tell(key: int | str, cite: CitationList) -> Story:
        if isinstance(key, int):
            return _event_story(groups[key], members[key], ranked, cite, voiced, since)
        return _lone_story(next(a for a in alone if a.id == key), ranked, cite, voiced)

    keys: list[int | str] = [*members, *(a.id for a in alone)]
    draft = {k: tell(k, CitationList()) for k in keys}  # weighed first, then cited in the order shown
    keys.sort(key=lambda k: draft[k].label)
    keys.sort(key=lambda k: draft[k].date or "", reverse=True)  # the newest first among stories of equal weight
    keys.sort(key=lambda k: -draft[k].weight)
    return [tell(k, numbers) for k in keys]


def _home(article: Article, groups: list[list[Draft]]) -> int | None:
    """The group of the event the article leads with: a China–DPRK exchange near its date, told earliest."""
    best: tuple[tuple[bool, int, int], int] | None = None
    for i, group in enumerate(groups):
        told = [m for d in group for a, m in d.mentions if a.id == article.id]
        if not told:
            continue
        date = min(d.date for d in group)
        distance = abs((article.published - date).days) if article.published else 0
        rank = (not _is_exchange(group), distance // 15, min(m.sentence.start for m in told))
        if best is None or rank < best[0]:
            best = (rank, i)
    return best[1] if best else None


def _is_exchange(group: list[Draft]) -> bool:
    """Whether an event is between China and North Korea (their leaders, parties, envoys)."""
    sides = {affiliation(p) for d in group for p in d.parties}
    return sides >= _PAIR


def _event_story(
    group: list[Draft],
    articles: list[Article],
    ranked: dict[str, list[RankedSentence]],
    numbers: CitationList,
    voiced: set[str],
    since: dt.date | None,
) -> Story:
    ordered = sorted(articles, key=lambda a: (a.id not in voiced, -(len(ranked[a.id]) > 0), a.published or dt.date.max))
    lead = ordered[0]
    summary, cited = _summary(lead, ranked[lead.id], numbers)
    # the lead source is cited by its summary; each other source by its sentence that tells the event
    lead_source = StorySource(lead.id, lead.title, lead.outlet, lead.published, cited[0]) if cited else None
    others = [_source(a, _telling(group, a), numbers) for a in ordered[1:]]
    sources = tuple([lead_source] if lead_source else [_source(lead, _telling(group, lead), numbers)]) + tuple(others)
    date = min(d.date for d in group)
    precise = next((d for d in group if d.precision == "day"), group[0])
    senders = tuple(sorted({p for d in group for p in d.senders}))
    recipients = tuple(sorted({p for d in group for p in d.recipients} - set(senders)))
    mutual = any(d.mutual for d in group)
    parties = tuple(sorted(set(senders) | set(recipients)))
    kind = group[0].kind
    label = event_label(kind, parties if mutual else senders, parties if mutual else recipients, mutual)
    novel = since is None or date >= since - dt.timedelta(days=_NOVEL_DAYS)
    exchange = _is_exchange(group)
    weight = _weight(articles, voiced, novel, exchange)
    when = precise.date.isoformat() if precise.precision == "day" else precise.date.strftime("%Y-%m")
    return Story(label, kind, when, summary, cited, sources, weight, exchange)


def _lone_story(
    article: Article, ranked: dict[str, list[RankedSentence]], numbers: CitationList, voiced: set[str]
) -> Story:
    summary, cited = _summary(article, ranked[article.id], numbers)
    first = split_sentences(article.body)[0]
    n = cited[0] if cited else numbers.add(article, first.start, first.end)
    source = StorySource(article.id, article.title, article.outlet, article.published, n)
    date = article.published.isoformat() if article.published else None
    return Story(article.title, None, date, summary, cited, (source,), _weight([article], voiced, True, False), False)


def _weight(articles: Sequence[Article], voiced: set[str], novel: bool, exchange: bool) -> float:
    """Leaders' own words (3), each outlet (1), news of the period (2), a China–DPRK exchange (1.5)."""
    outlets = {a.outlet or a.id for a in articles}
    words = 3.0 if any(a.id in voiced for a in articles) else 0.0
    return words + len(outlets) + (2.0 if novel else 0.0) + (1.5 if exchange else 0.0)


def _telling(group: list[Draft], article: Article) -> Mention:
    """The article's first sentence that tells the event."""
    return min((m for d in group for a, m in d.mentions if a.id == article.id), key=lambda m: m.sentence.start)


def _source(article: Article, mention: Mention, numbers: CitationList) -> StorySource:
    n = numbers.add(article, mention.sentence.start, mention.sentence.end)
    return StorySource(article.id, article.title, article.outlet, article.published, n)


def _summary(article: Article, ranked: list[RankedSentence], numbers: CitationList) -> tuple[str, tuple[int, ...]]:
    """The article's top sentence, and its second when both fit in about 60 words and do not repeat."""
    if not ranked:
        return "", ()
    chosen = [ranked[0]]
    for other in ranked[1:3]:
        if word_count(ranked[0].text) + word_count(other.text) <= 60 and float(other.vector @ ranked[0].vector) < 0.8:
            chosen.append(other)
            break
    chosen.sort(key=lambda r: r.index)
    parts, cited = [], []
    for r in chosen:
        n = numbers.add(article, r.span.start, r.span.end)
        parts.append(f"{r.text} [{n}]")
        cited.append(n)
    return " ".join(parts), tuple(cited)
