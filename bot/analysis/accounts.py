"""Several accounts of one exchange: the articles that report the same letter, visit or meeting, side by side.

Reports of one event are grouped as the timeline groups them (same kind, fitting parties, dates a day or two
apart), and further when two reports within weeks of each other quote the same words (four words or more):
an outlet that dates Xi's letter Oct. 11 and one that dates it Oct. 13 still tell the same letter. Each
account keeps its own date, its own quotes and the media it cites, so their differences can be shown, not
silently resolved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.analysis.cite import CitationList
from bot.analysis.provenance import cited_sources, named_sources, quotes_of
from bot.analysis.timeline.article import Draft, cached_drafts, compatible
from bot.analysis.timeline.build import merge_drafts
from bot.analysis.timeline.mentions import Mention
from bot.analysis.timeline.model import event_label
from bot.answer_model import Citation
from bot.corpus import Article
from bot.dates import parse_user_date
from bot.errors import BadQuestion
from bot.text import terms

_WORDING_WINDOW_DAYS = 40  # reports of one letter fall within weeks of each other
_SHARED_RUN = 4  # words a quote must share with another report to tell the same exchange
_ONLY_SHOWN = 3  # phrases of one account only, shown per account


@dataclass(frozen=True)
class AccountQuote:
    """Words one account quotes, with their speaker, the media they came via, and their citation."""

    text: str
    speaker: str | None
    via: tuple[str, ...]
    n: int


@dataclass(frozen=True)
class Account:
    """How one article tells the exchange: its date for it, its sentences, its quotes, the media it cites."""

    article_id: str
    outlet: str | None
    published: dt.date | None
    date: dt.date | None  # the date the article gives the event (None: the article gives none)
    date_precision: str | None  # "day" or "month"
    date_text: str | None  # the article's own words for that date, verbatim ("Oct. 13")
    date_n: int | None  # the citation of the sentence that gives the date
    sentences: tuple[int, ...]  # citations of the sentences that tell the event
    quotes: tuple[AccountQuote, ...]
    via: tuple[str, ...]

    @property
    def date_label(self) -> str | None:
        """The date as precisely as the article gives it: "2022-10-13" or "2022-10"."""
        if self.date is None:
            return None
        return self.date.isoformat() if self.date_precision == "day" else self.date.strftime("%Y-%m")

    @property
    def name(self) -> str:
        """`The Korea Herald (2022-10-16)`."""
        return f"{self.outlet or 'outlet unknown'} ({self.published.isoformat() if self.published else 'undated'})"


@dataclass(frozen=True)
class Difference:
    """One way the accounts differ, as one line with [n] markers."""

    kind: str  # "date", "wording" or "attribution"
    text: str
    citations: tuple[int, ...]


@dataclass(frozen=True)
class Exchange:
    """One event and every account of it, with their differences."""

    kind: str
    label: str
    parties: tuple[str, ...]
    accounts: tuple[Account, ...]
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class AccountsReport:
    """The exchanges a query names, and the numbered citations their accounts use."""

    query: str
    exchanges: tuple[Exchange, ...]
    citations: list[Citation]

    def to_json(self) -> dict[str, object]:
        """The report for `yalu accounts --json`; citation objects are those of `ask --json`."""
        return {
            "query": self.query,
            "count": len(self.exchanges),
            "exchanges": [_exchange_json(e) for e in self.exchanges],
            "citations": [c.to_json() for c in self.citations],
        }


def find_accounts(articles: Sequence[Article], query: str) -> AccountsReport:
    """The exchanges that `query` (a date YYYY[-MM[-DD]] or words of the event) names, each with its accounts."""
    numbers = CitationList()
    groups = [g for g in exchange_groups(articles) if _matches(g, query)]
    exchanges = tuple(_exchange(g, numbers) for g in groups)
    return AccountsReport(query, exchanges, numbers.citations)


def exchange_groups(articles: Iterable[Article]) -> list[list[Draft]]:
    """The reports of each event, grouped across articles by date, parties and shared quoted words."""
    drafts = merge_drafts([d for article in articles for d in cached_drafts(article)])
    parent = list(range(len(drafts)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    runs = [_quoted_runs(d) for d in drafts]
    for i, a in enumerate(drafts):
        for j in range(i + 1, len(drafts)):
            if _same_exchange(a, drafts[j]) and runs[i] & runs[j]:
                parent[root(j)] = root(i)
    grouped: dict[int, list[Draft]] = {}
    for i, d in enumerate(drafts):
        grouped.setdefault(root(i), []).append(d)
    return list(grouped.values())


def mentions_of(group: list[Draft]) -> list[tuple[Article, Mention]]:
    """Every (article, mention) that tells the event of a group."""
    return [am for d in group for am in d.mentions]


def account_dates(mentions: list[tuple[Article, Mention]]) -> dict[str, Mention]:
    """Each article's dated mention of the event (its first), by article id; approximate dates are left out."""
    dated: dict[str, Mention] = {}
    for article, m in mentions:
        if m.date is not None and not m.date.approximate and m.date.precision in ("day", "month"):
            dated.setdefault(article.id, m)
    return dated


# --- grouping ------------------------------------------------------------------------------------
def _same_exchange(a: Draft, b: Draft) -> bool:
    if a.kind != b.kind or not a.parties or not b.parties or abs((a.date - b.date).days) > _WORDING_WINDOW_DAYS:
        return False
    return compatible(a.kind, a.senders, a.recipients, a.mutual, b)


def _quoted_runs(d: Draft) -> set[tuple[str, ...]]:
    """Every run of four words quoted in the sentences that tell the event."""
    runs: set[tuple[str, ...]] = set()
    for article, m in d.mentions:
        for q in quotes_of(article):
            if m.sentence.start <= q.start < m.sentence.end:
                words = tuple(_words(q.text))
                runs.update(words[i : i + _SHARED_RUN] for i in range(len(words) - _SHARED_RUN + 1))
    return runs


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _matches(drafts: list[Draft], query: str) -> bool:
    """Whether a date query falls in one account's date range, or every word of a query is in the event."""
    group = mentions_of(drafts)
    text = query.strip()
    if re.fullmatch(r"\d{4}(?:-\d{1,2}){0,2}", text):
        lo, hi = parse_user_date(text), parse_user_date(text, end=True)
        return any(m.date is not None and lo <= m.date.date <= hi for _, m in group)
    wanted = set(terms(text))
    if not wanted:
        raise BadQuestion('name an event ("Xi letter October 2022", "treaty anniversary") or a date (2022-10)')
    words = " ".join([drafts[0].kind, *(p for _, m in group for p in m.parties)])
    words += " " + " ".join(a.body[m.sentence.start : m.sentence.end] for a, m in group)
    return wanted <= set(terms(words))


# --- accounts and differences --------------------------------------------------------------------
def _exchange(drafts: list[Draft], numbers: CitationList) -> Exchange:
    group = mentions_of(drafts)
    by_article: dict[str, list[tuple[Article, Mention]]] = {}
    for article, m in group:
        by_article.setdefault(article.id, []).append((article, m))
    ordered = sorted(by_article.values(), key=lambda ms: (ms[0][0].published or dt.date.min, ms[0][0].id))
    dated = account_dates(group)
    accounts = tuple(_account(ms, dated.get(ms[0][0].id), numbers) for ms in ordered)
    senders = tuple(sorted({p for d in drafts for p in d.senders}))
    recipients = tuple(sorted({p for d in drafts for p in d.recipients} - set(senders)))
    mutual = any(d.mutual for d in drafts)
    parties = tuple(sorted(set(senders) | set(recipients)))
    kind = drafts[0].kind
    label = event_label(kind, parties if mutual else senders, parties if mutual else recipients, mutual)
    articles = {a.id: a for a, _ in group}
    return Exchange(kind, label, parties, accounts, tuple(differences(accounts, articles)))


def _account(mentions: list[tuple[Article, Mention]], dated: Mention | None, numbers: CitationList) -> Account:
    article = mentions[0][0]
    starts = sorted({m.sentence.start: m for _, m in mentions}.items())
    sentence_ns = tuple(numbers.add(article, m.sentence.start, m.sentence.end) for _, m in starts)
    quotes = []
    for q in quotes_of(article):
        if any(m.sentence.start <= q.start < m.sentence.end for _, m in starts):
            n = numbers.add(article, q.start, q.end, (q.sentence_start, q.sentence_end))
            cited = numbers.citations[n - 1]
            quotes.append(AccountQuote(q.text, cited.speaker, cited.via, n))
    via: list[str] = []
    for n in (*sentence_ns, *(q.n for q in quotes)):
        c = numbers.citations[n - 1]
        via.extend(s for s in cited_sources(c.via, c.speaker) if s not in via)
    via = named_sources(via)
    date_n = numbers.add(article, dated.sentence.start, dated.sentence.end) if dated else None
    return Account(
        article.id,
        article.outlet,
        article.published,
        dated.date.date if dated and dated.date else None,
        dated.date.precision if dated and dated.date else None,
        dated.date.text if dated and dated.date else None,
        date_n,
        sentence_ns,
        tuple(quotes),
        tuple(via),
    )


def differences(accounts: Sequence[Account], articles: dict[str, Article]) -> list[Difference]:
    """Where two or more accounts differ: the date they give, words only one quotes, the media they cite."""
    if len(accounts) < 2:
        return []
    found: list[Difference] = []
    dated = [a for a in accounts if a.date is not None and a.date_n is not None]
    if any(not _overlap(a, b) for a in dated for b in dated):
        parts = [f"{a.name} dates it {a.date_label} (\u201c{a.date_text}\u201d) [{a.date_n}]" for a in dated]
        found.append(Difference("date", "Dates differ: " + "; ".join(parts) + ".", tuple(a.date_n or 0 for a in dated)))
    for account in accounts:
        others = [_flat(articles[o.article_id].body) for o in accounts if o.article_id != account.article_id]
        only = [q for q in account.quotes if not any(_flat(q.text) in body for body in others)][:_ONLY_SHOWN]
        if only:
            phrases = ", ".join(f"\u201c{q.text}\u201d [{q.n}]" for q in only)
            found.append(Difference("wording", f"Only {account.name} quotes {phrases}.", tuple(q.n for q in only)))
    if len({a.via for a in accounts}) > 1:
        parts = [f"{a.name} cites {' and '.join(a.via) or 'no medium'} [{a.sentences[0]}]" for a in accounts]
        cited = tuple(a.sentences[0] for a in accounts)
        found.append(Difference("attribution", "Sources differ: " + "; ".join(parts) + ".", cited))
    return found


def _overlap(a: Account, b: Account) -> bool:
    """Whether two accounts' dates may name the same day (a month overlaps each of its days)."""
    if a.date is None or b.date is None:
        return True
    if "month" in (a.date_precision, b.date_precision):
        return (a.date.year, a.date.month) == (b.date.year, b.date.month)
    return a.date == b.date


def _flat(text: str) -> str:
    return " ".join(_words(text))


def _exchange_json(e: Exchange) -> dict[str, object]:
    return {
        "kind": e.kind,
        "label": e.label,
        "parties": list(e.parties),
        "accounts": [
            {
                "article_id": a.article_id,
                "outlet": a.outlet,
                "published": a.published.isoformat() if a.published else None,
                "date": a.date_label,
                "date_text": a.date_text,
                "date_n": a.date_n,
                "via": list(a.via),
                "sentences": list(a.sentences),
                "quotes": [{"text": q.text, "speaker": q.speaker, "via": list(q.via), "n": q.n} for q in a.quotes],
            }
            for a in e.accounts
        ],
        "differences": [{"kind": d.kind, "text": d.text, "citations": list(d.citations)} for d in e.differences],
    }


def exchange_blocks(exchange: Exchange) -> list[tuple[str, str]]:
    """(heading, plain text with [n] markers) of each account, then of the differences, for any adapter."""
    blocks: list[tuple[str, str]] = []
    for a in exchange.accounts:
        via = f", citing {' and '.join(a.via)}" if a.via else ""
        when = f"dates it {a.date_label} (\u201c{a.date_text}\u201d) [{a.date_n}]" if a.date_text else "gives no date"
        lines = [f"{when}; told in {' '.join(f'[{n}]' for n in a.sentences)}"]
        lines += [f"{q.speaker or 'unattributed'}: \u201c{q.text}\u201d [{q.n}]" for q in a.quotes]
        blocks.append((f"{a.name}{via}", "\n".join(lines)))
    if len(exchange.accounts) < 2:
        blocks.append(("Differences", "Only one account of this exchange is indexed."))
    elif exchange.differences:
        blocks.append(("Differences", "\n".join(d.text for d in exchange.differences)))
    else:
        blocks.append(("Differences", "The accounts agree on the date, the quoted words and the media cited."))
    return blocks
