"""Compare two articles or two periods: the phrases one side uses and the other does not, each cited.

A side is an article id, a unique title fragment, or a period (YYYY, YYYY-MM, YYYY-MM-DD, or
`YYYY-MM..YYYY-MM`). Phrases are clause-bound n-grams keyed by their content lemmas (bot.analysis.phrases), so
"strategic communications" on one side and "strategic communication" on the other count as shared; a
phrase is salient for a side when more of its articles use it, more often, in more words, in quoted speech.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.analysis.cite import CitationList
from bot.analysis.phrases import Candidate, content_keys, find_phrase, lemma, words
from bot.analysis.phrases.background import generic
from bot.analysis.phrases.background import rarity as background_rarity
from bot.analysis.phrases.nounphrase import name_phrases, noun_phrases, quoted_phrases
from bot.analysis.phrases.tagger import REPORTING
from bot.analysis.quotes import Quote, article_quotes, attribution
from bot.analysis.timeline.actors import STATES, name_spans
from bot.answer_model import Citation
from bot.chunking import Span, split_sentences
from bot.corpus import Article
from bot.dates import parse_user_date, published_in
from bot.errors import BadQuestion, NotFound
from bot.index.lookup import one_article
from bot.names import ORGANISATIONS, agency_name, is_place, known_person
from bot.text import STOPWORDS

_PERIOD = re.compile(r"^\s*(\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)\s*(?:\.\.\s*(\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?))?\s*$")
_LENGTH_WEIGHT = {1: 1.0, 2: 2.0, 3: 2.2, 4: 1.8}  # two or three words make a formula; more is a sentence
_QUOTE_WEIGHT = 1.5  # the leaders' own words matter more than the reporter's
_USES_SHOWN = 3
_HEADLINE_WEIGHT = 2.0  # the wording an article's headline picks is the wording its story turns on
# Words of reporting, not of the relationship: a phrase made only of them says nothing about a side.
_REPORTING = frozenset(
    lemma(w)
    for w in "say said tell write wrote report reported news agency media according quoted added article state-run "
    "official letter message cable statement remarks exchange newspaper outlet press".split()
)
_TIME_WORDS = frozenset(
    lemma(w)
    for w in "day week month year today yesterday".split() + list(calendar.day_name) + list(calendar.month_name)[1:]
)
_WHOLE_QUOTE_WEIGHT = 1.5  # a short quote the reporter chose to quote whole is a phrase by definition


@dataclass(frozen=True)
class Side:
    """One side of a comparison: what the user typed and the articles it stands for."""

    spec: str
    label: str
    articles: tuple[Article, ...]

    def to_json(self) -> dict[str, Any]:
        """The side's spec, label and article ids."""
        return {"spec": self.spec, "label": self.label, "articles": [a.id for a in self.articles]}


@dataclass(frozen=True)
class PhraseUse:
    """One use of a salient phrase: the words as written, who said them, and the cited sentence."""

    matched: str
    speaker: str | None
    in_quote: bool
    citation: Citation

    def to_json(self) -> dict[str, Any]:
        """The use with its citation object."""
        return {
            "matched": self.matched,
            "speaker": self.speaker,
            "in_quote": self.in_quote,
            "citation": self.citation.to_json(),
        }


@dataclass(frozen=True)
class SalientPhrase:
    """A phrase of one side (or of both, for shared ones) with its counts and cited uses."""

    phrase: str
    key: tuple[str, ...]
    count: int
    articles: int
    in_quote: bool
    uses: tuple[PhraseUse, ...]

    def to_json(self) -> dict[str, Any]:
        """The phrase, how often and where it is used, with citations."""
        return {
            "phrase": self.phrase,
            "words": len(self.key),
            "count": self.count,
            "articles": self.articles,
            "in_quote": self.in_quote,
            "uses": [u.to_json() for u in self.uses],
        }


@dataclass(frozen=True)
class Comparison:
    """What sets two sides apart, and what they share."""

    a: Side
    b: Side
    only_a: tuple[SalientPhrase, ...]
    only_b: tuple[SalientPhrase, ...]
    shared: tuple[SalientPhrase, ...]

    def to_json(self) -> dict[str, Any]:
        """The comparison for `yalu compare --json` and the Discord cog."""
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "only_a": [p.to_json() for p in self.only_a],
            "only_b": [p.to_json() for p in self.only_b],
            "shared": [p.to_json() for p in self.shared],
        }


# --- sides ---------------------------------------------------------------------------------------------
def resolve_side(articles: Sequence[Article], spec: str) -> Side:
    """The articles `spec` designates: a period, an article id, or a unique title fragment."""
    period = _PERIOD.match(spec)
    if period:
        since = parse_user_date(period[1])
        until = parse_user_date(period[2] or period[1], end=True)
        chosen = tuple(a for a in articles if published_in(a, since, until))
        if not chosen:
            raise NotFound(f"no indexed article was published in {spec.strip()}; `yalu sources` lists them")
        return Side(spec, spec.strip(), chosen)
    found = one_article(articles, spec)
    return Side(spec, found.title, (found,))


def compare(articles: Sequence[Article], spec_a: str, spec_b: str, limit: int = 10) -> Comparison:
    """Compare the sides `spec_a` and `spec_b` of the corpus `articles` (see `resolve_side`)."""
    a, b = resolve_side(articles, spec_a), resolve_side(articles, spec_b)
    common = {x.id for x in a.articles} & {x.id for x in b.articles}
    if common:
        raise BadQuestion(
            f"the two sides share articles ({', '.join(sorted(common))}): choose sides that do not overlap"
        )
    return compare_sides(a, b, limit, rarity(articles))


def rarity(articles: Sequence[Article]) -> dict[str, float]:
    """Inverse document frequency of each word lemma over `articles`: rare words make specific phrases."""
    df: dict[str, int] = defaultdict(int)
    for article in articles:
        for key in {w.key for w in words(article.body)}:
            df[key] += 1
    return {key: math.log((len(articles) + 1) / (n + 0.5)) for key, n in df.items()}


def compare_sides(a: Side, b: Side, limit: int = 10, idf: dict[str, float] | None = None) -> Comparison:
    """The salient phrases only `a` uses, only `b` uses, and a few both use, each cited verbatim."""
    citations = CitationList()
    quotes = {x.id: article_quotes(x) for x in (*a.articles, *b.articles)}
    idf = idf or rarity((*a.articles, *b.articles))
    uses_a, uses_b = _uses(a.articles, quotes), _uses(b.articles, quotes)
    keys_a = set().union(*(content_keys(x.body) for x in a.articles))
    keys_b = set().union(*(content_keys(x.body) for x in b.articles))
    only_a = _distinct(uses_a, keys_b, a, b, quotes, citations, limit, idf)
    only_b = _distinct(uses_b, keys_a, b, a, quotes, citations, limit, idf)
    shared = _shared(uses_a, uses_b, quotes, citations, max(3, limit // 2))
    return Comparison(a, b, only_a, only_b, shared)


# --- salience ------------------------------------------------------------------------------------------
Uses = dict[tuple[str, ...], list[tuple[Article, Candidate]]]


def _uses(articles: Sequence[Article], quotes: dict[str, list[Quote]]) -> Uses:
    """Every candidate phrase of a side (noun phrases, short quotations taken whole), by key, with where it occurs."""
    found: Uses = defaultdict(list)
    for article in articles:
        spans = [(q.start, q.end) for q in quotes[article.id]]
        seen: set[tuple[int, int]] = set()
        names = list(name_phrases(article.body))
        inside = [
            c for c in noun_phrases(article.body) if not any(n.start <= c.start and c.end <= n.end for n in names)
        ]
        for c in (*names, *inside, *quoted_phrases(article.body, spans)):
            if (c.start, c.end) not in seen:
                seen.add((c.start, c.end))
                found[c.key].append((article, c))
    return found


def _distinct(
    mine: Uses,
    theirs: set[tuple[str, ...]],
    side: Side,
    other: Side,
    quotes: dict[str, list[Quote]],
    citations: CitationList,
    limit: int,
    idf: dict[str, float],
) -> tuple[SalientPhrase, ...]:
    """The best phrases of `side` that `other` never uses (not even as a variant), overlaps removed."""
    headlines = {a.id: content_keys(f"{a.title}. {a.subtitle or ''}") for a in side.articles}

    def salience(key: tuple[str, ...], uses: list[tuple[Article, Candidate]]) -> float:
        article, first = uses[0]
        content = [w.text for w in words(article.body[first.start : first.end]) if not w.stop]
        # against English at large (generic words sink) and against the corpus (what every article says sinks)
        rare = background_rarity(content) * (1.0 + 0.25 * max(idf.get(k, 1.0) for k in key))
        headline = _HEADLINE_WEIGHT if any(key in headlines[a.id] for a, _ in uses) else 1.0
        return _score(key, uses, len(side.articles), quotes) * rare * headline

    scored = [
        (salience(key, uses), key) for key, uses in mine.items() if key not in theirs and _eligible(key, uses, quotes)
    ]

    def used_by_other(uses: list[tuple[Article, Candidate]]) -> bool:
        # the other side has a variant the keys did not catch (a spelling, a gap)
        surface = uses[0][0].body[uses[0][1].start : uses[0][1].end]
        forms = [surface]
        content = [w for w in words(surface) if not w.stop]
        if len(content) >= 3:  # "accelerating changes unseen in a century" differs by one modifier only
            forms.append(surface[content[1].start :])
        return any(find_phrase(x.body, form) for x in other.articles for form in forms)

    ranked = ((key, mine[key]) for _, key in sorted(scored, key=lambda sk: (-sk[0], sk[1])))
    return _pick(ranked, quotes, citations, limit, used_by_other)


def _shared(
    uses_a: Uses, uses_b: Uses, quotes: dict[str, list[Quote]], citations: CitationList, limit: int
) -> tuple[SalientPhrase, ...]:
    """Multi-word phrases both sides use, most used first, with a cited use from each side."""
    keys = [k for k in uses_a.keys() & uses_b.keys() if len(k) > 1 and _eligible(k, uses_a[k] + uses_b[k], quotes)]

    def weight(k: tuple[str, ...]) -> float:
        quoted = any(_quote_of(quotes[a.id], c) for a, c in uses_a[k] + uses_b[k])
        return (
            _LENGTH_WEIGHT.get(len(k), 1.6) * min(len(uses_a[k]), len(uses_b[k])) * (_QUOTE_WEIGHT if quoted else 1.0)
        )

    ranked = (
        (key, [uses_a[key][0], uses_b[key][0], *uses_a[key][1:], *uses_b[key][1:]])
        for key in sorted(keys, key=lambda k: (-weight(k), k))
    )
    return _pick(ranked, quotes, citations, limit)


def _pick(
    ranked: Iterable[tuple[tuple[str, ...], list[tuple[Article, Candidate]]]],
    quotes: dict[str, list[Quote]],
    citations: CitationList,
    limit: int,
    refused: Callable[[list[tuple[Article, Candidate]]], bool] | None = None,
) -> tuple[SalientPhrase, ...]:
    """The first `limit` ranked phrases that are not a part (or a whole) of one already chosen and
    that `refused` does not turn down, each cited."""
    chosen: list[SalientPhrase] = []
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for key, uses in ranked:
        if all(_overlaps(taken[a.id], c) for a, c in uses) or _nested(key, [p.key for p in chosen]):
            continue
        if refused is not None and refused(uses):
            continue
        for a, c in uses:
            taken[a.id].append((c.start, c.end))
        chosen.append(_salient(key, uses, quotes, citations))
        if len(chosen) == limit:
            break
    return tuple(chosen)


def _eligible(key: tuple[str, ...], uses: list[tuple[Article, Candidate]], quotes: dict[str, list[Quote]]) -> bool:
    """A phrase worth showing: not only reporting words, not a name, and a single word only if it recurs."""
    if all(k in _REPORTING for k in key) or _TIME_WORDS & set(key) or (len(key) == 1 and len(uses) < 2):
        return False
    article, first = uses[0]
    surface = article.body[first.start : first.end]
    if any(w.text.lower() in REPORTING for w in words(surface)) or (len(key) == 1 and generic(surface)):
        return False  # "said by Xi Jinping" is reporting; "visit" alone is any article's word
    capitals = [w[0].isupper() for w in surface.split() if w.lower() not in STOPWORDS]
    if not any(capitals):
        return True
    if not all(capitals):
        return not (capitals[0] or capitals[-1])  # "cooperation between China", "Kim wrote": names at the edge
    # a whole name is a theme only in the speakers' own words, and not when it names who acts (Xi, KCNA, Beijing)
    quoted = any(_quote_of(quotes[a.id], c) for a, c in uses)
    listed = "," in surface  # "Treaty of Friendship, Cooperation and Mutual Assistance": one name with a list
    whole = listed or (" and " not in surface and _whole_name(article, first))
    return quoted and whole and not _is_actor(surface)


def _whole_name(article: Article, c: Candidate) -> bool:
    """Whether a capitalised phrase is a whole name, not a part of one ("Communist Party" of "... of China")."""
    return (c.start, c.end) in _names(article.body)


@lru_cache(maxsize=256)
def _names(body: str) -> frozenset[tuple[int, int]]:
    return frozenset(name_spans(body))


def _is_actor(surface: str) -> bool:
    """Whether a name, or any word of it, names a person, state, party or outlet."""
    parts = [surface, *surface.split()]
    return any(
        known_person(p) or agency_name(p) or p.lower() in ORGANISATIONS or is_place(p) or p.lower() in STATES
        for p in parts
    )


def _score(
    key: tuple[str, ...], uses: list[tuple[Article, Candidate]], n_articles: int, quotes: dict[str, list[Quote]]
) -> float:
    """More articles of the side, more uses, two or three words, in quotes, a whole short quote: more salient."""
    spread = len({a.id for a, _ in uses}) / max(1, n_articles)
    in_quotes = [(a, c, q) for a, c in uses if (q := _quote_of(quotes[a.id], c))]
    quoted = _QUOTE_WEIGHT if in_quotes else 1.0
    whole = _WHOLE_QUOTE_WEIGHT if any(_whole(q, key) for _, _, q in in_quotes) else 1.0
    return (0.5 + spread) * (1.0 + math.log(len(uses))) * _LENGTH_WEIGHT.get(len(key), 1.6) * quoted * whole


def _whole(quote: Quote, key: tuple[str, ...]) -> bool:
    """Whether a phrase is all the content of a (short) quote: “into a new era” for "new era"."""
    return tuple(w.key for w in words(quote.text) if not w.stop) == key


def _salient(
    key: tuple[str, ...],
    uses: list[tuple[Article, Candidate]],
    quotes: dict[str, list[Quote]],
    citations: CitationList,
) -> SalientPhrase:
    shown = []
    for article, c in uses[:_USES_SHOWN]:
        quote = _quote_of(quotes[article.id], c)
        sentence = (quote.sentence_start, quote.sentence_end) if quote else _sentence_of(article, c)
        n = citations.add(article, c.start, c.end, sentence)
        speaker = quote.speaker if quote else attribution(article, *sentence)[0]
        shown.append(PhraseUse(article.body[c.start : c.end], speaker, quote is not None, citations.citations[n - 1]))
    first_article, first = uses[0]
    return SalientPhrase(
        first_article.body[first.start : first.end],
        key,
        len(uses),
        len({a.id for a, _ in uses}),
        any(_quote_of(quotes[a.id], c) for a, c in uses),
        tuple(shown),
    )


def _quote_of(quotes: list[Quote], c: Candidate) -> Quote | None:
    return next((q for q in quotes if q.start <= c.start and c.end <= q.end), None)


def _sentence_of(article: Article, c: Candidate) -> tuple[int, int]:
    """The sentence around a phrase (for the citation's passage)."""
    return next(((s.start, s.end) for s in _sentences(article.body) if s.start <= c.start < s.end), (c.start, c.end))


@lru_cache(maxsize=256)
def _sentences(body: str) -> list[Span]:
    return split_sentences(body)


def _nested(key: tuple[str, ...], chosen: list[tuple[str, ...]]) -> bool:
    """Whether `key` is a run inside a chosen key, or holds one ("traditional friendly" in "develop ...")."""

    def inside(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
        return any(big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1))

    return any(inside(key, other) or inside(other, key) for other in chosen)


def _overlaps(spans: list[tuple[int, int]], c: Candidate) -> bool:
    return any(c.start < end and start < c.end for start, end in spans)
