"""Briefings: what the articles of a period (or those new since the last briefing) report, cited.

A briefing is built from the same extractive parts as summaries (ranked sentences, key quotes),
so every line of it is a verbatim, offset-checked span of an article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from bot.anniversaries import AnniversaryNote
from bot.answer_model import Citation
from bot.cite import CitationList, cite
from bot.corpus import Article
from bot.dates import Window
from bot.quotes import Quote, article_quotes
from bot.store import Dated
from bot.summarize import PRINCIPALS, Embed, KeyQuote, RankedSentence, key_quotes, rank_sentences
from bot.text import word_count

BriefStatus = Literal["ok", "empty"]
D = TypeVar("D", bound=Dated)


@dataclass(frozen=True)
class BriefItem:
    """One article of the briefing, in one or two cited sentences."""

    article_id: str
    title: str
    outlet: str | None
    published: dt.date | None
    summary: str
    citations: list[int]


@dataclass(frozen=True)
class Change:
    """Wording that is new in the period, or that earlier coverage used and the period does not."""

    kind: Literal["new", "dropped"]
    phrase: str
    speaker: str | None
    n: int | None  # new wording: the citation of its use in the period
    compared_with: str  # what the period was compared against, in words
    # Dropped wording: its last use in earlier coverage, verified like a citation but kept out of the
    # briefing's numbered sources, which belong to the period alone.
    earlier_use: Citation | None = None

    def to_json(self) -> dict[str, Any]:
        """The change as in `brief --json`."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "phrase": self.phrase,
            "speaker": self.speaker,
            "n": self.n,
            "compared_with": self.compared_with,
        }
        if self.earlier_use:
            data["earlier_use"] = self.earlier_use.to_json()
        return data


@dataclass(frozen=True)
class PhraseContrast:
    """A phrase found on one side of a comparison only, with one occurrence to cite."""

    phrase: str
    article: Article
    start: int
    end: int
    speaker: str | None


# (period articles, earlier articles) -> (phrases new in the period, phrases the period dropped)
Contrast = Callable[[Sequence[Article], Sequence[Article]], tuple[list[PhraseContrast], list[PhraseContrast]]]


@dataclass
class Briefing:
    """A briefing: overview, one item per article, key quotes and changes in wording, all cited."""

    since: dt.date | None
    until: dt.date | None
    status: BriefStatus
    overview: str
    items: list[BriefItem] = field(default_factory=list)
    quotes: list[KeyQuote] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    coverage: str = ""  # the overview's first sentence: how many articles, from which outlets, which dates
    notice: str | None = None
    llm: dict[str, Any] | None = None
    anniversaries: list[AnniversaryNote] = field(default_factory=list)  # what today is the anniversary of

    def to_json(self) -> dict[str, Any]:
        """The `brief --json` contract."""
        data: dict[str, Any] = {
            "window": {
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
            },
            "status": self.status,
            "overview": self.overview,
            "items": [
                {
                    "article_id": i.article_id,
                    "title": i.title,
                    "outlet": i.outlet,
                    "published": i.published.isoformat() if i.published else None,
                    "summary": i.summary,
                    "citations": i.citations,
                }
                for i in self.items
            ],
            "quotes": [{"speaker": q.speaker, "via": list(q.via), "quote": q.quote, "n": q.n} for q in self.quotes],
            "changes": [c.to_json() for c in self.changes],
            "citations": [c.to_json() for c in self.citations],
        }
        if self.notice:
            data["notice"] = self.notice
        if self.anniversaries:
            data["anniversaries"] = [a.to_json() for a in self.anniversaries]
        if self.llm:
            data["llm"] = self.llm
        return data


def empty_briefing(window: Window, latest: Article | None, what: str | None = None) -> Briefing:
    """The plain statement that nothing was published in the window, naming the latest article."""
    line = (
        f"No article has been added {what}." if what else f"No article in the corpus was published {window.describe()}."
    )
    if latest:
        date = latest.published.isoformat() if latest.published else "undated"
        line += f" The latest is \u201c{latest.title}\u201d ({latest.outlet or 'outlet unknown'}, {date})."
    return Briefing(window.since, window.until, "empty", line)


def make_briefing(
    window: Window,
    articles: Sequence[Article],
    earlier: Sequence[Article],
    embed: Embed,
    contrast: Contrast | None = None,
    max_quotes: int = 5,
) -> Briefing:
    """A briefing over `articles` (published in `window`); changes are measured against `earlier` coverage."""
    ordered = sorted(articles, key=lambda a: (a.published or dt.date.max, a.id))
    numbers = CitationList()
    quotes = {a.id: article_quotes(a) for a in ordered}  # parsed once: ranking and key quotes both use them
    ranked = {a.id: rank_sentences(a, embed, quotes[a.id]) for a in ordered}
    items = [_item(a, ranked[a.id], numbers) for a in ordered if ranked[a.id]]
    coverage = _coverage(ordered)
    overview = f"{coverage}{_latest(ordered, ranked, numbers)}"
    leading = _quotes(ordered, quotes, numbers, max_quotes)
    changes = _changes(ordered, earlier, numbers, contrast) if contrast and earlier else []
    return Briefing(
        window.since, window.until, "ok", overview, items, leading, changes, numbers.citations, coverage=coverage
    )


def _item(article: Article, ranked: list[RankedSentence], numbers: CitationList) -> BriefItem:
    """The article's top sentence, and its second when both fit in about 60 words and do not repeat."""
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
    return BriefItem(article.id, article.title, article.outlet, article.published, " ".join(parts), cited)


def _coverage(articles: Sequence[Article]) -> str:
    """How many articles, from which outlets, over which dates: "2 articles (The Hankyoreh, ...; 2021-03-23 to ...)"."""
    outlets = sorted({a.outlet or "outlet unknown" for a in articles})
    dates = [a.published for a in articles if a.published]
    span = ""
    if dates:
        first, last = min(dates).isoformat(), max(dates).isoformat()
        span = f", {first}" if first == last else f", {first} to {last}"
    count = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    return f"{count} ({', '.join(outlets)}{span})."


def _latest(articles: Sequence[Article], ranked: dict[str, list[RankedSentence]], numbers: CitationList) -> str:
    """The best sentence of the newest article, cited, when there are several articles (else nothing)."""
    latest = next((a for a in reversed(articles) if ranked[a.id]), None)
    if latest is None or len(articles) < 2:  # with one article, its item is the news; do not say it twice
        return ""
    top = ranked[latest.id][0]
    return f" Latest: {top.text} [{numbers.add(latest, top.span.start, top.span.end)}]"


def _quotes(
    articles: Sequence[Article], quotes: dict[str, list[Quote]], numbers: CitationList, limit: int
) -> list[KeyQuote]:
    """The principals' key quotes, newest article first, at most two per article."""
    found: list[KeyQuote] = []
    for article in reversed(articles):
        for q in key_quotes(quotes[article.id], 2):
            if len(found) < limit and q.speaker in PRINCIPALS:
                n = numbers.add(article, q.start, q.end, (q.sentence_start, q.sentence_end))
                found.append(KeyQuote(q.speaker, numbers.citations[n - 1].via, q.text, n))  # via as cited
    return found


def _changes(
    articles: Sequence[Article], earlier: Sequence[Article], numbers: CitationList, contrast: Contrast
) -> list[Change]:
    """Wording new in the period and wording of the previous coverage the period no longer uses."""
    new, dropped = contrast(articles, earlier)
    dates = sorted(a.published.isoformat() for a in earlier if a.published)
    against = f"coverage of {dates[0]} to {dates[-1]}" if len(dates) > 1 else f"coverage of {dates[0]}" if dates else ""

    def earlier_use(p: PhraseContrast) -> Citation:
        return cite(0, p.article, p.start, p.end)

    return [Change("new", p.phrase, p.speaker, numbers.add(p.article, p.start, p.end), against) for p in new] + [
        Change("dropped", p.phrase, p.speaker, None, against, earlier_use(p)) for p in dropped
    ]


def phrase_contrast(
    period: Sequence[Article], earlier: Sequence[Article], limit: int = 4
) -> tuple[list[PhraseContrast], list[PhraseContrast]]:
    """Quoted wording the period uses and the previous coverage (`earlier`, see `previous_coverage`) does not.

    Only phrases of two words or more that Xi, Kim or their parties are quoted as using count: the
    change that matters is in what the leaders wrote, not in the reporters' or analysts' words.
    """
    from bot.compare import Side, compare_sides, rarity

    if not earlier:
        return [], []
    comparison = compare_sides(
        Side("period", "period", tuple(period)),
        Side("before", "before", tuple(earlier)),
        20,
        rarity([*period, *earlier]),
    )
    by_id = {a.id: a for a in [*period, *earlier]}

    def contrasts(phrases: Sequence[Any]) -> list[PhraseContrast]:
        out: list[PhraseContrast] = []
        for phrase in phrases:
            use = next((u for u in phrase.uses if u.in_quote and u.speaker in PRINCIPALS), None)
            if use is not None and len(phrase.key) >= 2 and len(out) < limit:
                c = use.citation
                out.append(PhraseContrast(phrase.phrase, by_id[c.article_id], c.start, c.end, use.speaker))
        return out

    return contrasts(comparison.only_a), contrasts(comparison.only_b)


def previous_coverage(period: Sequence[D], earlier: Sequence[D]) -> list[D]:
    """What a period's wording is compared with: earlier articles of the 365 days before its first one.

    Without any, the latest earlier article: a briefing reports what changed since the last exchange,
    not since the first article of the corpus.
    """
    dates = [a.published for a in period if a.published]
    dated = sorted((a for a in earlier if a.published), key=lambda a: a.published or dt.date.min)
    if not dates or not dated:
        return []
    start = min(dates) - dt.timedelta(days=365)
    recent = [a for a in dated if a.published and a.published >= start]
    return recent or dated[-1:]
