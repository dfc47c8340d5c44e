"""Who a cited span is reported through: the speaker of its words and the media they came *via*.

The chain of a citation is outlet → via (state media, agencies) → speaker: "The Korea Herald, citing the
Rodong Sinmun: Xi Jinping". It is computed from the article text whenever a citation is built, not stored
at ingest, so it cannot go stale when the rules improve and needs no change to the index.

A sentence that names its source ("according to Xinhua", "quoted by the Rodong Sinmun") gives its own via.
A leader's or party's words with no source in their sentence came through the state medium the article
named last before them (the report's lead names it once: "the Rodong Sinmun said"); an analyst's or a
foreign official's words never inherit one, because they spoke to the reporter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.analysis.quotes import Quote, article_quotes, attribution
from bot.answer_model import Citation
from bot.chunking import split_sentences
from bot.corpus import Article
from bot.names import AGENCIES

# Voices whose words reach the press through state media, not through an interview.
STATE_VOICES = frozenset(
    {"Xi Jinping", "Kim Jong-un", "Li Qiang", "Workers' Party of Korea", "Communist Party of China"}
)
_GENERIC = frozenset({"state media", "North Korean state media", "the agency"})  # a source, but not a named one
_ALIASES = sorted(AGENCIES, key=len, reverse=True)
_ALIAS_RE = re.compile("|".join(rf"(?<!\w){re.escape(a)}(?!\w)" for a in _ALIASES), re.IGNORECASE)


@dataclass(frozen=True)
class Chain:
    """The speaker of a span and the sources its words came through, nearest the outlet first."""

    speaker: str | None
    via: tuple[str, ...]


def chain(article: Article, start: int, end: int) -> Chain:
    """The reporting chain of `article.body[start:end]`: its quote's attribution, else its sentence's."""
    quotes = [q for q in quotes_of(article) if q.start < end and start < q.end and q.speaker]
    if quotes:
        speaker, via = quotes[0].speaker, _merged(q.via for q in quotes)
    else:
        speaker, via = attribution(article, start, end)
    if set(via) <= _GENERIC and (speaker is None or speaker in STATE_VOICES):
        # "The Rodong Sinmun ... featured Xi's letter", "Xi sent a letter ..., KCNA reported": named right there.
        via = _sources_within(article, start, end) or via
    if not via and speaker in STATE_VOICES:
        inherited = _source_before(article, start)
        via = (inherited,) if inherited else ()
    return Chain(speaker, via)


def with_chain(citation: Citation, article: Article) -> Citation:
    """The citation with its speaker and via filled in from its article."""
    found = chain(article, citation.start, citation.end)
    return replace(citation, speaker=found.speaker, via=found.via)


def sources(citation: Citation) -> list[str]:
    """The sources an outlet cites for this span: its via, or the agency that speaks in it ("KCNA reported")."""
    return cited_sources(citation.via, citation.speaker)


def cited_sources(via: Iterable[str], speaker: str | None) -> list[str]:
    """`via`, and the speaker too when the speaker is itself a medium or agency."""
    named = list(via)
    if speaker and speaker in AGENCIES.values() and speaker not in named:
        named.append(speaker)
    return named


def source_label(citation: Citation) -> str:
    """`The Korea Herald, 2022-10-16, citing Rodong Sinmun` (outlet, date and the sources it cites)."""
    date = citation.published.isoformat() if citation.published else "undated"
    cited = sources(citation)
    label = f"{citation.outlet or 'outlet unknown'}, {date}"
    return f"{label}, citing {' and '.join(cited)}" if cited else label


def named_sources(names: Iterable[str]) -> list[str]:
    """The sources without "state media" or "the agency" when a named medium is among them."""
    named = [n for n in names if n not in _GENERIC]
    return named or list(names)


def quoted_person(citation: Citation) -> str | None:
    """The person (not agency) whose words the span reports, for a "— Xi Jinping" after the quote."""
    if citation.speaker and citation.speaker not in AGENCIES.values():
        return citation.speaker
    return None


def _merged(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        out.extend(v for v in group if v not in out)
    return tuple(out)


def _source_before(article: Article, offset: int) -> str | None:
    """The state medium the article named last before `offset`; a named one beats "state media".

    With none before, the article's only named source, if it names exactly one.
    """
    mentions = _source_mentions(article.id, article.body)
    before = [name for pos, name in mentions if pos < offset]
    named_before = [n for n in before if n not in _GENERIC]
    if named_before:
        return named_before[-1]
    named = {name for _, name in mentions if name not in _GENERIC}
    if len(named) == 1:
        return named.pop()
    return before[-1] if before else None


def _sources_within(article: Article, start: int, end: int) -> tuple[str, ...]:
    """The named media (outside quotes) of the sentences that hold `body[start:end]`."""
    spans = [(s.start, s.end) for s in split_sentences(article.body) if s.start < end and start < s.end]
    if not spans:
        return ()
    lo, hi = spans[0][0], spans[-1][1]
    names = [name for pos, name in _source_mentions(article.id, article.body) if lo <= pos < hi]
    return tuple(dict.fromkeys(named_sources(names)))


@lru_cache(maxsize=4096)
def _source_mentions(article_id: str, body: str) -> tuple[tuple[int, str], ...]:
    """(offset, canonical name) of each state medium or agency named outside quotation marks."""
    found: list[tuple[int, str]] = []
    for lo, hi in ((s.start, s.end) for s in split_sentences(body)):
        for match in _ALIAS_RE.finditer(_unquoted(body[lo:hi])):
            name = AGENCIES.get(" ".join(match.group().lower().split()))
            if name:
                found.append((lo + match.start(), name))
    return tuple(found)


def _unquoted(text: str) -> str:
    """The text with quoted words blanked (same length): a source named inside a quote is not the report's."""
    return re.sub(r"(?<=[“\"])[^”\"]*(?=[”\"]|$)", lambda m: " " * len(m.group()), text)


_QUOTES: dict[tuple[str, str], tuple[Quote, ...]] = {}
_QUOTES_KEPT = 4096


def quotes_of(article: Article) -> tuple[Quote, ...]:
    """The article's quotes, parsed once per article text (an answer cites one article several times)."""
    key = (article.id, article.body)
    if key not in _QUOTES:
        if len(_QUOTES) >= _QUOTES_KEPT:
            _QUOTES.pop(next(iter(_QUOTES)))  # the oldest: a bound keeps memory flat on a large corpus
        _QUOTES[key] = tuple(article_quotes(article))
    return _QUOTES[key]
