"""Answers that say where sources differ: when the articles behind an answer date one event differently.

An answer cites a sentence about a letter; another retrieved article tells the same letter (same parties,
close dates, the same quoted words: bot.analysis.accounts) with another date. Rather than pick one silently, the
answer gains one line naming both dates, each cited verbatim from the sentence that gives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.analysis.accounts import account_dates, exchange_groups, mentions_of
from bot.analysis.cite import cite
from bot.analysis.timeline.article import Draft
from bot.analysis.timeline.mentions import Mention
from bot.answer_model import Answer, Citation
from bot.corpus import Article


def with_disagreements(answer: Answer, articles: Sequence[Article]) -> Answer:
    """`answer` with one line per event it cites whose accounts in `articles` give different dates."""
    if answer.status != "answered" or len({a.id for a in articles}) < 2:
        return answer
    by_id = {a.id: a for a in articles}
    citations = list(answer.citations)
    lines: list[str] = []
    found: list[dict[str, object]] = []
    for group in exchange_groups(by_id.values()):
        dated = _disagreeing(group)
        if not dated or not _cites(answer.citations, group):
            continue
        parts, numbers = [], []
        for article_id, mention in dated.items():
            article = by_id[article_id]
            n = _number(citations, article, mention)
            numbers.append(n)
            assert mention.date is not None  # _disagreeing keeps dated mentions only
            label = mention.date.date.isoformat() if mention.date.precision == "day" else f"{mention.date.date:%Y-%m}"
            outlet = article.outlet or "outlet unknown"
            published = article.published.isoformat() if article.published else "undated"
            parts.append(f"{outlet} ({published}) gives {label} [{n}]")
        line = f"Sources differ on the date of this {group[0].kind}: " + "; ".join(parts) + "."
        lines.append(line)
        found.append({"kind": "date", "text": line, "citations": numbers})
    if not lines:
        return answer
    text = answer.answer + "\n" + "\n".join(lines)
    return replace(answer, answer=text, citations=citations, disagreements=found)


def _disagreeing(group: list[Draft]) -> dict[str, Mention]:
    """Each article's dated mention of the event, when two of them cannot name the same day; else empty."""
    dated = account_dates(mentions_of(group))
    spans = {aid: _span(m) for aid, m in dated.items()}
    clash = any(a[1] < b[0] or b[1] < a[0] for a in spans.values() for b in spans.values())
    return dated if clash else {}


def _span(m: Mention) -> tuple[int, int]:
    """First and last day (ordinals) a day- or month-precise date may fall on."""
    assert m.date is not None
    d = m.date.date
    if m.date.precision == "day":
        return d.toordinal(), d.toordinal()
    first = d.replace(day=1)
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return first.toordinal(), following.toordinal() - 1


def _cites(citations: Sequence[Citation], group: list[Draft]) -> bool:
    """Whether the answer cites a sentence that tells the event."""
    return any(
        c.article_id == article.id and c.start < m.sentence.end and m.sentence.start < c.end
        for c in citations
        for article, m in mentions_of(group)
    )


def _number(citations: list[Citation], article: Article, mention: Mention) -> int:
    """The number of the citation of the sentence giving the date: an existing one, or a new verified one."""
    start, end = mention.sentence.start, mention.sentence.end
    for c in citations:
        if c.article_id == article.id and c.start <= start and end <= c.end:
            return c.n
    citations.append(cite(len(citations) + 1, article, start, end))
    return len(citations)
