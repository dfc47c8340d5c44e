"""The corpus timeline: every article's events, the same event told by several articles merged, then cited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from bot.analysis.cite import CitationList
from bot.analysis.quotes import Quote, article_quotes
from bot.analysis.timeline.actors import is_exchange
from bot.analysis.timeline.article import Draft, cached_drafts, compatible
from bot.analysis.timeline.dates import PRECISION_RANK
from bot.analysis.timeline.mentions import EventKind, Mention
from bot.analysis.timeline.model import Cited, Timeline, TimelineEvent, event_label
from bot.corpus import Article
from bot.text import STOPWORDS, terms

_MERGE_WINDOW_DAYS = 40  # reports of one event fall within weeks of each other
_SAME_DAY_SLACK = 2  # "Monday" in one report, "March 22" in another, a time zone apart
_MAX_CITATIONS = 6
_OF_PHRASE = re.compile(r"\s+of\s+(?:the\s+)?[a-z][a-z-]*")
_KIND_TERMS: dict[EventKind, str] = {
    "letter": "letter letters message messages exchange correspondence cable reply",
    "visit": "visit visits delegation trip",
    "meeting": "meeting meetings talks summit met",
    "call": "call phone telephone",
}


def build_timeline(
    articles: Sequence[Article],
    topic: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    context: bool = False,
    kinds: Collection[str] | None = None,
) -> Timeline:
    """The dated events of `articles` in date order, merged across articles, about `topic`, within [since, until].

    Only exchanges between China and North Korea, unless `context` asks for third countries' events too
    (the US–China talks in Alaska, an Indonesian minister in Pyongyang); only the `kinds` named, if any.
    """
    drafts = merge_drafts([d for article in articles for d in cached_drafts(article)])
    chosen = [d for d in drafts if _in_window(d, since, until) and _about(d, topic) and (not kinds or d.kind in kinds)]
    kept = [d for d in chosen if context or _exchange(d)]
    citations = CitationList()
    quotes: dict[str, list[Quote]] = {}
    events = tuple(_finish(d, citations, quotes) for d in kept)
    return Timeline(events, topic, since, until, context, len(chosen) - len(kept))


def _exchange(d: Draft) -> bool:
    return is_exchange(d.parties, [p for _, m in d.mentions for p in m.places])


def merge_drafts(drafts: list[Draft]) -> list[Draft]:
    """Drafts in date order, those that tell the same event (kind, parties, close dates) merged into one."""
    merged: list[Draft] = []
    for draft in sorted(drafts, key=lambda d: (d.date, PRECISION_RANK[d.precision])):
        target = None
        for earlier in reversed(merged):
            if (draft.date - earlier.date).days > _MERGE_WINDOW_DAYS:
                break
            if _same_event(earlier, draft):
                target = earlier
                break
        if target is None:
            merged.append(draft)
        else:
            _absorb(target, draft)
    return sorted(merged, key=lambda d: (d.date, PRECISION_RANK[d.precision]))


def _same_event(a: Draft, b: Draft) -> bool:
    if a.kind != b.kind or not a.parties or not b.parties:
        return False
    return compatible(a.kind, a.senders, a.recipients, a.mutual, b) and _dates_agree(a, b)


def _dates_agree(a: Draft, b: Draft) -> bool:
    """Whether two dates may name one day: equal years for year dates, near days, or overlapping ranges."""
    if "year" in (a.precision, b.precision):
        return a.precision == b.precision and a.date.year == b.date.year
    if a.precision == b.precision == "day":
        return abs((a.date - b.date).days) <= _SAME_DAY_SLACK
    (a_lo, a_hi), (b_lo, b_hi) = _range(a), _range(b)
    return a_lo <= b_hi and b_lo <= a_hi


def _range(d: Draft) -> tuple[dt.date, dt.date]:
    if d.precision == "week":
        return d.date - dt.timedelta(days=3), d.date + dt.timedelta(days=3)
    if d.precision == "month":
        first = d.date.replace(day=1)
        return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return d.date, d.date


def _absorb(target: Draft, other: Draft) -> None:
    """Merge `other` into `target`: the more exact date wins, parties and mentions are pooled."""
    better = PRECISION_RANK[other.precision] < PRECISION_RANK[target.precision] or (
        other.precision == target.precision and target.approximate and not other.approximate
    )
    if better:
        target.date, target.precision = other.date, other.precision
        target.approximate, target.basis = other.approximate, other.basis
    if target.mutual or other.mutual:
        everyone = target.parties | other.parties
        target.senders, target.recipients, target.mutual = set(everyone), set(everyone), True
    else:
        target.senders |= other.senders
        target.recipients |= other.recipients
    target.mentions.extend(other.mentions)


def _in_window(d: Draft, since: dt.date | None, until: dt.date | None) -> bool:
    lo, hi = _range(d) if d.precision != "year" else (d.date, d.date.replace(month=12, day=31))
    return (since is None or hi >= since) and (until is None or lo <= until)


def _about(d: Draft, topic: str | None) -> bool:
    """Whether the event is about the topic: of the kind it names ("letters", "visits"), or, for any other
    topic, holding every content word of it in its parties or sentences."""
    wanted = set(terms(topic or ""))
    if not wanted:
        return True
    kinds = {kind for kind, words in _KIND_TERMS.items() if wanted <= set(terms(words))}
    if kinds:
        return d.kind in kinds
    text = " ".join([*d.parties, *(a.body[m.sentence.start : m.sentence.end] for a, m in d.mentions)])
    return wanted <= set(terms(text))


# --- the finished event ------------------------------------------------------------------------------
def _finish(d: Draft, citations: CitationList, quotes: dict[str, list[Quote]]) -> TimelineEvent:
    """An event with its label, occasion, key phrase and numbered citations."""
    tellings = _tellings(d)
    numbers = [citations.add(a, m.sentence.start, m.sentence.end) for a, m in tellings]
    occasion = next(
        (
            Cited(a.body[m.occasion.start : m.occasion.end], n)
            for (a, m), n in zip(tellings, numbers, strict=True)
            if m.occasion
        ),
        None,
    )
    key = _key_phrase(d, tellings, quotes)
    key_phrase = None
    if key is not None:
        article, quote = key
        n = citations.add(article, quote.start, quote.end, (quote.sentence_start, quote.sentence_end))
        numbers.append(n)
        key_phrase = Cited(quote.text, n, quote.speaker)
    senders, recipients = _ordered(d)
    first_article, first = d.mentions[0]
    label = event_label(d.kind, senders, recipients, d.mutual) if d.parties else _cue_label(first_article, first)
    places = tuple(sorted({p for _, m in d.mentions for p in m.places}))
    if (places and d.kind in ("meeting", "call")) or (places and d.kind == "visit" and not recipients):
        label += f" in {', '.join(places)}"
    return TimelineEvent(
        date=d.date,
        date_precision=d.precision,
        approximate=d.approximate,
        date_basis=d.basis,
        kind=d.kind,
        senders=senders,
        recipients=recipients,
        mutual=d.mutual,
        places=places,
        label=label,
        occasion=occasion,
        key_phrase=key_phrase,
        article_ids=tuple(dict.fromkeys(a.id for a, _ in d.mentions)),
        citations=tuple(citations.citations[n - 1] for n in dict.fromkeys(numbers)),
        exchange=_exchange(d),
    )


def _tellings(d: Draft) -> list[tuple[Article, Mention]]:
    """The sentences that tell the event, one each: the dated one first, then by article date and position."""
    first, rest = d.mentions[0], d.mentions[1:]
    rest = sorted(rest, key=lambda am: (am[0].published or dt.date.min, am[0].id, am[1].sentence.start))
    seen: set[tuple[str, int]] = set()
    out: list[tuple[Article, Mention]] = []
    for article, mention in [first, *rest]:
        key = (article.id, mention.sentence.start)
        if key not in seen:
            seen.add(key)
            out.append((article, mention))
    return out[:_MAX_CITATIONS]


def _ordered(d: Draft) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if d.mutual:
        everyone = tuple(sorted(d.parties))
        return everyone, everyone
    return tuple(sorted(d.senders)), tuple(sorted(d.recipients - d.senders))


def _cue_label(article: Article, m: Mention) -> str:
    """An event nobody is named in, labelled by its own words: "emergency meeting of the council"."""
    body = article.body
    start, end = m.cue.start, m.cue.end
    for word in reversed(re.findall(r"\S+", body[m.sentence.start : start])[-2:]):
        if not re.fullmatch(r"[a-z][a-z-]*", word) or word in STOPWORDS:
            break
        start = body.rindex(word, m.sentence.start, start)
    tail = _OF_PHRASE.match(body, end, m.sentence.end)
    return body[start : tail.end() if tail else end]


def _key_phrase(
    d: Draft, tellings: list[tuple[Article, Mention]], cache: dict[str, list[Quote]]
) -> tuple[Article, Quote] | None:
    """The quote that best stands for the event: said by a party, short, in the dated sentence, in the title."""
    best: tuple[float, Article, Quote] | None = None
    for rank, (article, mention) in enumerate(tellings):
        if article.id not in cache:
            cache[article.id] = article_quotes(article)
        title = set(terms(f"{article.title} {article.subtitle or ''}"))
        for quote in cache[article.id]:
            if quote.sentence_start != mention.sentence.start:
                continue
            score = _quote_score(quote, d, title) - 0.5 * rank
            if best is None or score > best[0]:
                best = (score, article, quote)
    return (best[1], _shortened(best[1], best[2])) if best else None


def _quote_score(quote: Quote, d: Draft, title: set[str]) -> float:
    words = len(quote.text.split())
    spoken = 3.0 if quote.speaker in d.senders else 1.0 if quote.speaker in d.parties else 0.0
    return spoken + 2.0 * len(title & set(terms(quote.text))) - 0.15 * abs(words - 8)


def _shortened(article: Article, quote: Quote, limit: int = 20) -> Quote:
    """A long quote cut, verbatim, at its first clause boundary after six words, or after `limit` words."""
    words = list(re.finditer(r"\S+", quote.text))
    if len(words) <= limit:
        return quote
    clause = next((w for w in words[5:limit] if w.group()[-1] in ",;:"), None)
    last = limit - 1
    while last > 5 and words[last].group().lower() in STOPWORDS:
        last -= 1  # never end a phrase on "and" or "the"
    cut = (clause or words[last]).end()
    end = quote.start + len(quote.text[:cut].rstrip(" ,;:"))
    return replace(quote, text=article.body[quote.start : end], end=end)
