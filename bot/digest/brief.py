"""Briefings: what the articles of a period (or those new since the last briefing) report, cited.

A briefing is built from the same extractive parts as summaries (ranked sentences, key quotes),
so every line of it is a verbatim, offset-checked span of an article. It leads with stories (the
articles that report one event, told once with all their sources, bot.digest.stories), then key quotes,
then changes in the leaders' wording measured statement by statement (bot.analysis.phrases.changes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from bot.analysis.cite import CitationList, cite
from bot.analysis.phrases.changes import PhraseUse, WordingChange, wording_changes
from bot.analysis.timeline.statements import Statement, dated_quotes
from bot.answer_model import Citation
from bot.corpus import Article
from bot.dates import Dated, Window
from bot.digest.anniversaries import AnniversaryNote
from bot.digest.stories import Story, build_stories
from bot.digest.summarize import PRINCIPALS, Embed, KeyQuote, key_quotes, rank_sentences

BriefStatus = Literal["ok", "empty"]
D = TypeVar("D", bound=Dated)
LEAD_STORIES = 5  # told in full; the others are one "also reported" line each
_EARLIER_KEPT = 400  # earlier articles read for the speakers' earlier statements (the most recent ones)


@dataclass(frozen=True)
class BriefItem:
    """One article of the briefing and the sentence(s) the briefing cites it by (in its story)."""

    article_id: str
    title: str
    outlet: str | None
    published: dt.date | None
    summary: str
    citations: list[int]


@dataclass(frozen=True)
class Change:
    """Wording that is new in the period, returns to it, or that the speaker's year before used and it does not."""

    kind: Literal["new", "returning", "dropped"]
    phrase: str
    speaker: str | None
    n: int | None  # new and returning wording: the citation of its use in the period
    compared_with: str  # what the period was compared against, in words
    # Returning and dropped wording: its last earlier use, verified like a citation but kept out of the
    # briefing's numbered sources, which belong to the period alone.
    earlier_use: Citation | None = None
    said: str | None = None  # the date of the statement the use belongs to ("2023-09", "2021-07-11")
    earlier_said: str | None = None  # the date of the statement of the earlier use

    @property
    def note(self) -> str:
        """ "first since July 2021", "last used 2022-10-13": the change in words."""
        if self.kind == "returning" and self.earlier_said:
            return f"first since {_month_words(self.earlier_said)}"
        if self.kind == "dropped" and self.earlier_said:
            return f"last used {self.earlier_said}"
        return "no earlier statement of the speaker uses it"

    def to_json(self) -> dict[str, Any]:
        """The change as in `brief --json`."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "phrase": self.phrase,
            "speaker": self.speaker,
            "n": self.n,
            "said": self.said,
            "note": self.note,
            "compared_with": self.compared_with,
        }
        if self.earlier_use:
            data["earlier_use"] = self.earlier_use.to_json()
            data["earlier_said"] = self.earlier_said
        return data


def _month_words(label: str) -> str:
    """ "2021-07-11" -> "July 2021"; "2022" stays "2022"."""
    if len(label) < 7:
        return label
    return dt.date(int(label[:4]), int(label[5:7]), 1).strftime("%B %Y")


# (every statement of the period's and the earlier articles, the period's first day) -> changes in the wording
Contrast = Callable[[Sequence[Statement], dt.date], list[WordingChange]]


@dataclass
class Briefing:
    """A briefing: overview, stories (each with all its sources), key quotes and changes in wording, all cited."""

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
    stories: list[Story] = field(default_factory=list)  # heaviest first; each article is in exactly one

    @property
    def lead_stories(self) -> list[Story]:
        """The stories told in full."""
        return self.stories[:LEAD_STORIES]

    @property
    def also_reported(self) -> list[Story]:
        """The stories given one line each."""
        return self.stories[LEAD_STORIES:]

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
            "stories": [st.to_json() for st in self.lead_stories],
            "also_reported": [st.to_json() for st in self.also_reported],
            "quotes": [
                {"speaker": q.speaker, "via": list(q.via), "quote": q.quote, "n": q.n, "said": q.said}
                for q in self.quotes
            ],
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


def story_block(story: Story) -> tuple[str, str]:
    """(heading, plain text with [n] markers) of a lead story: its summary, then every source."""
    when = f" ({story.date})" if story.date and story.kind else ""
    sources = "; ".join(f"{s.name} [{s.n}]" for s in story.sources)
    label = "Sources" if len(story.sources) > 1 else "Source"
    return f"{story.label}{when}", f"{story.summary}\n{label}: {sources}".strip()


def also_reported_line(story: Story) -> str:
    """One line for a story not told in full: its label and its sources."""
    return f"{story.label}: " + "; ".join(f"{s.name} [{s.n}]" for s in story.sources)


def change_line(change: Change) -> str:
    """A change in words: "new: “new era” [4] (Xi Jinping, 2023-09)", "returning: ... first since July 2021"."""
    who = ", ".join(x for x in (change.speaker, change.said) if x)
    if change.kind == "new":
        return f"new: \u201c{change.phrase}\u201d [{change.n}] ({who})"
    last = change.earlier_use
    where = (
        f"{last.outlet or 'outlet unknown'}, {last.published.isoformat() if last.published else 'undated'}"
        if last
        else ""
    )
    if change.kind == "returning":
        return f"returning: \u201c{change.phrase}\u201d [{change.n}] ({who}; {change.note}, reported by {where})"
    return f"no longer used: \u201c{change.phrase}\u201d ({change.speaker}; {change.note}, reported by {where})"


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
    since = window.since or min((a.published for a in ordered if a.published), default=None)
    numbers = CitationList()
    everything = dated_quotes([*ordered, *earlier])  # quote time: each quote dated by its letter or meeting
    mine = {a.id for a in ordered}
    statements = [s for s in everything if s.article.id in mine]
    quotes = {a.id: [s.quote for s in statements if s.article.id == a.id] for a in ordered}
    ranked = {a.id: rank_sentences(a, embed, quotes[a.id]) for a in ordered}
    stories = build_stories(ordered, ranked, statements, numbers, since)
    items = _items(ordered, stories, numbers)
    coverage = _coverage(ordered, stories)
    leading = _quotes(ordered, statements, numbers, max_quotes, since)
    changes = _changes(everything, earlier, numbers, contrast, since) if contrast and earlier and since else []
    return Briefing(
        window.since,
        window.until,
        "ok",
        coverage,
        items,
        leading,
        changes,
        numbers.citations,
        coverage=coverage,
        stories=stories,
    )


def _items(articles: Sequence[Article], stories: Sequence[Story], numbers: CitationList) -> list[BriefItem]:
    """Each article with the sentences its story cites it by: the summary of a lead source, else its telling."""
    cited: dict[str, list[int]] = {}
    for story in stories:
        lead = story.sources[0].article_id
        cited.setdefault(lead, list(story.citations) or [story.sources[0].n])
        for source in story.sources[1:]:
            cited.setdefault(source.article_id, [source.n])
    by_n = {c.n: c for c in numbers.citations}
    return [
        BriefItem(
            a.id,
            a.title,
            a.outlet,
            a.published,
            " ".join(f"{by_n[n].quote} [{n}]" for n in cited.get(a.id, [])),
            cited.get(a.id, []),
        )
        for a in articles
    ]


def _coverage(articles: Sequence[Article], stories: Sequence[Story]) -> str:
    """How many articles and stories, from which outlets, over which dates."""
    outlets = sorted({a.outlet or "outlet unknown" for a in articles})
    dates = [a.published for a in articles if a.published]
    span = ""
    if dates:
        first, last = min(dates).isoformat(), max(dates).isoformat()
        span = f", {first}" if first == last else f", {first} to {last}"
    count = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    if len(stories) != len(articles):
        count += f" in {len(stories)} stor{'ies' if len(stories) != 1 else 'y'}"
    return f"{count} ({', '.join(outlets)}{span})."


def _quotes(
    articles: Sequence[Article],
    statements: Sequence[Statement],
    numbers: CitationList,
    limit: int,
    since: dt.date | None,
) -> list[KeyQuote]:
    """The principals' key quotes of the period's own statements, newest article first, at most two per article."""
    found: list[KeyQuote] = []
    for article in reversed(articles):
        own = [s for s in statements if s.article.id == article.id and (since is None or s.last_day >= since)]
        said = {(s.quote.start, s.quote.end): s.label for s in own}
        for q in key_quotes([s.quote for s in own], 2):
            if len(found) < limit and q.speaker in PRINCIPALS:
                n = numbers.add(article, q.start, q.end, (q.sentence_start, q.sentence_end))
                via = numbers.citations[n - 1].via  # via as cited
                found.append(KeyQuote(q.speaker, via, q.text, n, said.get((q.start, q.end))))
    return found


def _changes(
    statements: Sequence[Statement],
    earlier: Sequence[Article],
    numbers: CitationList,
    contrast: Contrast,
    since: dt.date,
) -> list[Change]:
    """Wording new in the period, returning to it, and wording of the speakers' year before the period dropped."""
    found = contrast(statements, since)
    dates = sorted(a.published for a in earlier if a.published)
    against = f"the speakers' statements reported from {dates[0].isoformat()} on" if dates else ""

    def cited(use: PhraseUse) -> Citation:
        q = use.statement.quote
        return cite(0, use.statement.article, use.start, use.end, (q.sentence_start, q.sentence_end))

    def number(use: PhraseUse) -> int:
        q = use.statement.quote
        return numbers.add(use.statement.article, use.start, use.end, (q.sentence_start, q.sentence_end))

    out = []
    for c in found:
        if c.kind == "dropped":
            out.append(Change(c.kind, c.phrase, c.speaker, None, against, cited(c.use), None, c.use.statement.label))
        else:
            last = c.last
            earlier_use, earlier_said = (cited(last), last.statement.label) if last else (None, None)
            n = number(c.use)
            out.append(
                Change(c.kind, c.phrase, c.speaker, n, against, earlier_use, c.use.statement.label, earlier_said)
            )
    return out


def phrase_contrast(statements: Sequence[Statement], since: dt.date) -> list[WordingChange]:
    """The changes in the wording of Xi, Kim and their parties in statements dated from `since` on.

    Statements are dated by the letter or meeting they belong to, not by the article reporting them, and
    compared with every earlier statement of the same speaker (`new`, `returning`) and with those of the
    year before (`dropped`), variants included: the change that matters is in what the leaders wrote.
    """
    return wording_changes(statements, since, PRINCIPALS)


def previous_coverage(period: Sequence[D], earlier: Sequence[D]) -> list[D]:
    """What a period's wording is compared with: the earlier articles, the most recent 400 of them.

    A phrase is new only if no earlier statement uses it, so the comparison reaches back as far as the
    corpus does (up to that many articles); `dropped` looks at the year before the period only.
    """
    dates = [a.published for a in period if a.published]
    dated = sorted((a for a in earlier if a.published), key=lambda a: a.published or dt.date.min)
    if not dates or not dated:
        return []
    return dated[-_EARLIER_KEPT:]
