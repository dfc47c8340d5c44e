"""From scored candidates to an answer: the best sentence, what it needs to stand alone (the sentence naming
its speaker, the one its pronoun points to), the next best sentences while they fit the word budget, one
sentence per article for questions across articles or years; then numbered, verified citations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from bot.analysis.provenance import with_chain
from bot.answer.candidates import Candidate
from bot.answer_model import Answer, Citation
from bot.corpus import Article
from bot.dates import Period
from bot.index.store import ArticleInfo
from bot.text import word_count

_OPENING_QUOTE = '“"‘'
_MAX_PER_ARTICLE = 3  # articles an answer across articles or years cites at most


def select(
    candidates: Sequence[Candidate],
    probs: np.ndarray,
    multi: bool,
    budget: int,
    keep: float,
    periods: Sequence[Period] = (),
) -> list[Candidate]:
    """The sentences of the answer, the best sentence's article first, each article in reading order (across
    articles or years: by article date, then position): the best sentence and its
    likelier neighbour (the answer is often the sentence beside the one that matches best), then further
    sentences the ranker rates close to the best, likeliest first, within the word budget; for questions across
    articles or years, the best sentence of each period or article, then a second one of each."""
    order = [int(i) for i in np.argsort(-probs, kind="stable")]
    index = {c.key: i for i, c in enumerate(candidates)}
    best = candidates[order[0]]
    if multi:
        return _across(candidates, probs, order, [best], budget * 2, periods)
    chosen: list[Candidate] = [best]
    words = word_count(best.text)
    articles = {best.article_id}
    # The further sentences, likeliest first: those the ranker rates within `keep` of the best, and the best's
    # likelier neighbour whatever its score (the answer is often the sentence beside the one that matches).
    further = {i for i in order[1:] if probs[i] >= keep * probs[order[0]]}
    sides = [j for j in (_side(best, candidates, index, -1), _side(best, candidates, index, 1)) if j is not None]
    if sides:
        further.add(max(sides, key=lambda j: probs[j]))
    for i in sorted(further, key=lambda i: (-probs[i], i)):
        c = candidates[i]
        if _similar(c, chosen) or (c.article_id not in articles and len(articles) >= 2):
            continue
        if words + word_count(c.text) > budget:
            continue
        chosen.append(c)
        articles.add(c.article_id)
        words += word_count(c.text)
    by_key = {c.key: c for c in candidates}
    chosen = _with_context(chosen, by_key, budget)
    # The best sentence's article leads (the answer first), each article's sentences in reading order.
    lead = {best.article_id: 0}
    return sorted(chosen, key=lambda c: (lead.get(c.article_id, 1), *_reading_order(c)))


def _across(
    candidates: Sequence[Candidate],
    probs: np.ndarray,
    order: list[int],
    chosen: list[Candidate],
    budget: int,
    periods: Sequence[Period],
) -> list[Candidate]:
    """An answer across articles or years: the best sentence of each named period (or of each of the best
    articles when none is named), then, while the budget allows, the next likeliest sentence of each of those
    articles; each with what it needs to stand alone."""
    picks: list[Candidate] = [chosen[0]]
    if len(periods) > 1:
        for p in periods:
            fits = [i for i in order if _in_period(candidates[i], p)]
            if fits and candidates[fits[0]] not in picks:
                picks.append(candidates[fits[0]])
    seen = {c.article_id for c in picks}
    for i in order[1:]:
        if len(seen) >= _MAX_PER_ARTICLE:
            break
        if candidates[i].article_id not in seen:
            picks.append(candidates[i])
            seen.add(candidates[i].article_id)
    out: list[Candidate] = []
    words = 0
    for c in picks:
        if words + word_count(c.text) <= budget or not out:
            out.append(c)
            words += word_count(c.text)
    # What budget is left goes to the next likeliest sentence of each article already cited: the ranker's best
    # sentence of an article is often beside, or a few sentences from, the one that answers.
    seconds: set[str] = set()
    for i in order[1:]:
        c = candidates[i]
        if c in out or c.article_id in seconds or c.article_id not in seen or _similar(c, out):
            continue
        if words + word_count(c.text) <= budget:
            out.append(c)
            seconds.add(c.article_id)
            words += word_count(c.text)
    by_key = {c.key: c for c in candidates}
    return sorted(_with_context(out, by_key, budget), key=_reading_order)


def _in_period(c: Candidate, p: Period) -> bool:
    """Whether a sentence speaks of the period: a date it names falls in it, or else its article was
    published in it (or within two months after)."""
    if c.facts.dates:
        return any(p.overlaps(lo, hi) for lo, hi in c.facts.dates)
    pub = c.reading.published
    return pub is not None and p.first <= pub[1] and (pub[0] - p.last).days <= 62


def _side(c: Candidate, candidates: Sequence[Candidate], index: Mapping[tuple[str, int], int], step: int) -> int | None:
    k = c.facts.index + step
    if not 0 <= k < len(c.reading.sentences):
        return None
    return index.get((c.article_id, c.reading.sentences[k].span.start))


def _with_context(chosen: list[Candidate], by_key: Mapping[tuple[str, int], Candidate], budget: int) -> list[Candidate]:
    """Add, for each chosen sentence, the one before it when it leans on it (a pronoun, an unattributed quote);
    and when the answer is still short, the best sentence's neighbour."""
    out = list(chosen)
    words = sum(word_count(c.text) for c in out)
    for c in chosen:
        prev = _neighbour(c, by_key, -1)
        if prev is None or prev in out:
            continue
        leans = (
            c.facts.anaphoric or (c.text[:1] in _OPENING_QUOTE and c.facts.speaker is None) or prev.text.endswith(":")
        )
        if leans and words + word_count(prev.text) <= budget + 30:
            out.append(prev)
            words += word_count(prev.text)
    best = chosen[0]
    if words < 40:
        nxt = _neighbour(best, by_key, +1)
        for n in (nxt, _neighbour(best, by_key, -1)):
            if n is not None and n not in out and words + word_count(n.text) <= budget:
                out.append(n)
                words += word_count(n.text)
                break
    return out


def _neighbour(c: Candidate, by_key: Mapping[tuple[str, int], Candidate], step: int) -> Candidate | None:
    k = c.facts.index + step
    if not 0 <= k < len(c.reading.sentences):
        return None
    return by_key.get((c.article_id, c.reading.sentences[k].span.start))


def _similar(c: Candidate, chosen: Sequence[Candidate]) -> bool:
    return any(float(c.vector @ o.vector) > 0.9 for o in chosen)


def _reading_order(c: Candidate) -> tuple[str, str, int]:
    pub = c.reading.published
    return (pub[0].isoformat() if pub else "9999"), c.article_id, c.span.start


def citations(
    chosen: Sequence[Candidate], registry: Mapping[str, ArticleInfo], article: Callable[[str], Article | None]
) -> list[Citation]:
    """Number the chosen sentences; adjacent sentences of one article share one citation. A sentence whose
    text is not the stored article's text at its offsets is dropped: an unverifiable quote is never shown."""
    out: list[Citation] = []
    bodies: dict[str, Article] = {}
    passage_span = (0, 0)
    for cand in chosen:
        chunk, info, body = cand.chunk, registry.get(cand.article_id), article(cand.article_id)
        if info is None or body is None or body.body[cand.span.start : cand.span.end] != cand.text:
            continue
        bodies[cand.article_id] = body
        chunk_span = (chunk.start, chunk.start + len(chunk.text))
        prev = out[-1] if out else None
        if (
            prev
            and prev.article_id == cand.article_id
            and cand.span.start >= prev.end
            and not body.body[prev.end : cand.span.start].strip(" ")
        ):
            passage_span = (min(passage_span[0], chunk_span[0]), max(passage_span[1], chunk_span[1]))
            out[-1] = replace(
                prev,
                quote=body.body[prev.start : cand.span.end],
                end=cand.span.end,
                passage=body.body[passage_span[0] : passage_span[1]],
            )
            continue
        passage_span = chunk_span
        out.append(
            Citation(
                len(out) + 1,
                cand.article_id,
                info.title,
                info.outlet,
                info.published,
                info.url,
                cand.text,
                chunk.text,
                cand.span.start,
                cand.span.end,
            )
        )
    return [with_chain(c, bodies[c.article_id]) for c in out]


def answered(question: str, cites: list[Citation]) -> Answer:
    """The answer text: each cited span verbatim, followed by its marker."""
    return Answer(question, "answered", " ".join(f"{c.quote} [{c.n}]" for c in cites), cites)


def refused(question: str, cites: list[Citation], reason: str) -> Answer:
    """An abstention that says why and points at the closest passages."""
    line = reason
    if cites:
        line += " Closest passages: " + " and ".join(f"[{c.n}]" for c in cites) + "."
    return Answer(question, "insufficient_evidence", line, cites)
