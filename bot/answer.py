"""Extractive answers: pick the sentences that best answer a question, cite each, or abstain.

No model writes anything here: every sentence of an answer is a verbatim span of an article,
checked against the stored body before it is returned.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace

from bot.answer_model import Answer, Citation
from bot.chunking import Span
from bot.corpus import Article
from bot.dates import Window, window_in_question
from bot.errors import BadQuestion
from bot.provenance import with_chain
from bot.retrieve import Filters, Passage, Retrieval, Retriever
from bot.speakers import asked_speaker, sentence_speakers
from bot.store import ChunkRecord, Store, Vector, published_in
from bot.text import ACRONYMS, STOPWORDS, expand_acronyms, is_prose, stem, terms, word_count, words

# Words that frame a question rather than name what it is about.
_FRAME = frozenset(
    stem(w)
    for w in """say tell told write wrote written describe described mention report
    reported think thought happen happened do make made ask asked give gave get got way kind thing according
    article articles news come came go went take took put use used out""".split()
)
_DATE_WORDS = re.compile(
    r"^(?:(?:19|20)\d\d|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|"
    r"march|april|june|july|august|september|october|november|december)$",
    re.I,
)
_ANAPHOR = re.compile(r"^(?:This|That|These|Those|It|Such|He|She|They)\b|\b(?:he|she|they) (?:said|added|wrote)\.$")
_PROPER = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+|[A-Z]{2,})\b")
_MULTI = re.compile(
    r"\b(which|what)\s+(\w+\s+)?(messages|letters|articles|reports|exchanges|statements|outlets|times)\b"
    r"|\bchang(e|ed|es|ing)\b|\bcompar|\bover the years\b|\bevolv|\bdiffer",
    re.I,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Weights:
    """How sentence scores combine, and the abstention thresholds (calibrated with `yalu eval`)."""

    dense: float = 0.45
    lexical: float = 0.40
    prior: float = 0.15
    min_support: float = 0.45  # share of the question's (idf-weighted) terms found near the best sentence
    min_dense: float = 0.30  # cosine of the best sentence with the question
    keep_ratio: float = 0.85  # a further sentence must score this share of the best one
    multi_keep_ratio: float = 0.65
    speaker: float = 0.10  # bonus (or malus) when a sentence quotes the person asked about (or another)


@dataclass(frozen=True)
class Evidence:
    """An extractive answer and the retrieved passages it was chosen from, best first."""

    answer: Answer
    passages: list[Passage]


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with its scores."""

    passage: Passage
    span: Span
    text: str
    dense: float
    lexical: float
    score: float
    vector: Vector


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and whitespace; reject an empty question; cap an overlong one at `max_chars`."""
    text = " ".join(_CONTROL.sub(" ", question).split())
    if not text:
        raise BadQuestion('the question is empty: ask something like "What did Xi write to Kim in 2023?"')
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    # Cut between words, unless one "word" fills the whole limit.
    return cut.rsplit(" ", 1)[0] if text[max_chars] != " " and " " in cut else cut


def capped_notice(question: str, max_chars: int) -> str | None:
    """The notice for a question longer than the limit (which was answered from its beginning), else None."""
    length = len(" ".join(_CONTROL.sub(" ", question).split()))
    if length <= max_chars:
        return None
    return (
        f"The question was {length:,} characters long; only its first {max_chars:,} were read "
        "(YALU_MAX_QUESTION_CHARS)."
    )


def is_multi(question: str) -> bool:
    """Whether a question asks across several messages or periods (so answers should span articles)."""
    years = set(re.findall(r"\b(?:19|20)\d\d\b", question))
    return bool(_MULTI.search(question)) or len(years) > 1


class Answerer:
    """Answers questions from the store, extractively; built once, reused for every question."""

    def __init__(
        self,
        store: Store,
        retriever: Retriever,
        max_words: int = 80,
        max_question_chars: int = 2000,
        weights: Weights | None = None,
    ) -> None:
        """Keep the parts; the registry (article ids to their metadata) is the retriever's."""
        self.store = store
        self.retriever = retriever
        self.registry = retriever.registry
        self.max_words = max_words
        self.max_question_chars = max_question_chars
        self.weights = weights or Weights()
        self._articles: dict[str, Article | None] = {}

    def article(self, article_id: str) -> Article | None:
        """An indexed article, read from the store once per answerer: citations, their provenance and the
        disagreement check all need the few articles a question retrieves, often the same ones again."""
        if article_id not in self._articles:
            self._articles[article_id] = self.store.article(article_id)
        return self._articles[article_id]

    def ask(self, question: str, filters: Filters | None = None, k: int = 8, qid: str | None = None) -> Answer:
        """Answer a question with cited, verbatim sentences, or say the evidence is insufficient."""
        return self.answer_with_evidence(question, filters, k, qid).answer

    def answer_with_evidence(
        self, question: str, filters: Filters | None = None, k: int = 8, qid: str | None = None
    ) -> Evidence:
        """`ask`, and the retrieved passages the answer was chosen from (what a language model may be shown)."""
        t0 = time.perf_counter()
        text = clean_question(question, self.max_question_chars)
        filters = filters or Filters()
        if not filters.window:
            filters = Filters(window_in_question(text), filters.outlets)
        multi = is_multi(text)
        notice = capped_notice(question, self.max_question_chars)
        if not self._window_has_articles(filters.window):
            return Evidence(replace(self._empty_window(text, filters.window, qid, t0), notice=notice), [])
        retrieval = self.retriever.search(expand_acronyms(text), filters, k=k, per_article=2 if multi else 3)
        t1 = time.perf_counter()
        candidates = self._candidates(text, retrieval)
        periods = _years(text) if not filters.outlets else []
        if len(periods) > 1:  # "between 2022 and 2023": the best evidence from each period, side by side
            candidates = self._per_period(text, periods, filters, k) or candidates
        if not candidates:
            answer = self._insufficient(text, [], "No article in the corpus matches this question.")
        elif unknown := self.unknown_names(text):
            names = ", ".join(unknown)
            answer = self._insufficient(text, candidates[:2], f"No article in the corpus mentions {names}.")
        elif unused := self.unknown_words(text):
            listed = ", ".join(unused)
            answer = self._insufficient(text, candidates[:2], f"No article in the corpus uses the words {listed}.")
        elif self._weak(text, max(candidates, key=lambda c: c.score)):
            answer = self._insufficient(text, candidates[:2], None)
        else:
            answer = self._compose(text, self._select(candidates, multi))
        answer.id, answer.notice = qid, notice
        t2 = time.perf_counter()
        answer.timings_ms = {"retrieve": (t1 - t0) * 1e3, "answer": (t2 - t1) * 1e3, "total": (t2 - t0) * 1e3}
        # Per-period searches add passages of their own: keep them, after the main ranking, once each.
        passages = {p.chunk.id: p for p in [*retrieval.passages, *(c.passage for c in candidates)]}
        return Evidence(answer, list(passages.values()))

    # --- scoring ------------------------------------------------------------------------------
    def _question_weights(self, question: str) -> dict[str, float]:
        lex = self.retriever.lexical
        # A word the corpus never uses cannot tell passages apart; unknown *names* are handled by unknown_names.
        unknown = 1.5
        spelled = {stem(a) for a in ACRONYMS if a in question and self._spelled_out(a)}
        return {
            t: (lex.idf(t) if t in lex.df else unknown)
            for t in dict.fromkeys(terms(expand_acronyms(question)))
            if t not in _FRAME and t not in spelled and not _DATE_WORDS.match(t)
        }

    def unknown_names(self, question: str) -> list[str]:
        """Proper names in a question that no indexed article ever uses (e.g. "Hanoi", "GDP")."""
        vocab = self.retriever.lexical.df
        names = dict.fromkeys(m.group(1) for m in _PROPER.finditer(question))
        return [n for n in names if stem(n) not in vocab and not _DATE_WORDS.match(n) and not self._spelled_out(n)]

    def unknown_words(self, question: str) -> list[str]:
        """The question's ordinary words the corpus never uses, when they are most of what it asks about.

        One unfamiliar word is just a paraphrase ("push" for "move"); when most content words are
        unknown ("Kim's favourite food"), the corpus is not about the question's subject.
        """
        vocab = self.retriever.lexical.df
        content = [
            w
            for w in dict.fromkeys(words(question))
            if w.islower() and len(w) > 2 and w not in STOPWORDS and stem(w) not in _FRAME and not _DATE_WORDS.match(w)
        ]
        unknown = [w for w in content if stem(w) not in vocab]
        return unknown if len(unknown) >= 2 and 2 * len(unknown) > len(content) else []

    def _spelled_out(self, acronym: str) -> bool:
        expansion = ACRONYMS.get(acronym)
        return bool(expansion) and all(t in self.retriever.lexical.df for t in terms(expansion or ""))

    def _candidates(self, question: str, retrieval: Retrieval) -> list[Candidate]:
        qweights = self._question_weights(question)
        total = sum(qweights.values()) or 1.0
        top = max((p.score for p in retrieval.passages), default=1.0)
        seen: set[tuple[str, int]] = set()
        out: list[Candidate] = []
        w = self.weights
        asked = asked_speaker(question)
        for passage in retrieval.passages:
            chunk = passage.chunk
            dense = chunk.sentence_vectors @ retrieval.vector
            for span, cos in zip(chunk.sentences, dense, strict=True):
                key = (chunk.article_id, span.start)
                sentence = chunk.sentence_text(span)
                if key in seen or not is_prose(sentence):
                    continue
                seen.add(key)
                lexical = sum(qweights.get(t, 0.0) for t in set(terms(sentence))) / total
                score = w.dense * float(cos) + w.lexical * lexical + w.prior * passage.score / top
                speakers = sentence_speakers(sentence) if asked else set()
                if speakers:
                    score += w.speaker if asked in speakers else -w.speaker
                vec = chunk.sentence_vectors[chunk.sentences.index(span)]
                out.append(Candidate(passage, span, sentence, float(cos), lexical, score, vec))
        return sorted(out, key=lambda c: -c.score)

    def _per_period(self, question: str, years: list[int], filters: Filters, k: int) -> list[Candidate]:
        """Top candidates of each named year, interleaved so that every year leads with its best."""
        import datetime as dt

        per_year: list[list[Candidate]] = []
        for year in years:
            window = Window(dt.date(year, 1, 1), dt.date(year, 12, 31))
            if not self._window_has_articles(window):
                continue
            found = self.retriever.search(expand_acronyms(question), Filters(window, filters.outlets), k=k // 2 or 1)
            per_year.append(self._candidates(question, found))
        merged: list[Candidate] = []
        for rank in range(max((len(c) for c in per_year), default=0)):
            merged.extend(c[rank] for c in per_year if rank < len(c))
        return merged

    def support(self, question: str, best: Candidate) -> float:
        """Share of the question's weighted terms found in the best sentence's passage or article title."""
        qweights = self._question_weights(question)
        info = self.registry.get(best.passage.chunk.article_id)
        context = set(terms(best.passage.chunk.text + " " + (info.title if info else "")))
        total = sum(qweights.values()) or 1.0
        return sum(wt for t, wt in qweights.items() if t in context) / total

    def _weak(self, question: str, best: Candidate) -> bool:
        return self.support(question, best) < self.weights.min_support or best.dense < self.weights.min_dense

    def _select(self, candidates: list[Candidate], multi: bool) -> list[Candidate]:
        budget = self.max_words * 2 if multi else self.max_words
        ratio = self.weights.multi_keep_ratio if multi else self.weights.keep_ratio
        chosen = [candidates[0]]
        used = word_count(candidates[0].text)
        for cand in candidates[1:]:
            if cand.score < ratio * candidates[0].score or len(chosen) >= (4 if multi else 3):
                break
            if multi and any(c.passage.chunk.article_id == cand.passage.chunk.article_id for c in chosen):
                continue
            if any(float(cand.vector @ c.vector) > 0.9 for c in chosen) or used + word_count(cand.text) > budget:
                continue
            chosen.append(cand)
            used += word_count(cand.text)
        return self._order(self._with_context(chosen, candidates[0], budget - used))

    def _with_context(self, chosen: list[Candidate], best: Candidate, room: int) -> list[Candidate]:
        """Add the sentence a pronoun points back to, or that continues the best one ("This was ...")."""
        neighbour = self._neighbour(best)
        if neighbour is None:
            return chosen
        chunk, span = neighbour
        if any(c.span == span and c.passage.chunk.article_id == chunk.article_id for c in chosen):
            return chosen
        text = chunk.sentence_text(span)
        if word_count(text) > room:
            return chosen
        vec = chunk.sentence_vectors[chunk.sentences.index(span)]
        passage = Passage(chunk, best.passage.score, best.passage.dense, best.passage.lexical)
        return [*chosen, Candidate(passage, span, text, best.dense, best.lexical, best.score, vec)]

    def _neighbour(self, best: Candidate) -> tuple[ChunkRecord, Span] | None:
        """The previous sentence if the best one opens with a pronoun, else a following one that continues it."""
        chunk = best.passage.chunk
        i = chunk.sentences.index(best.span)
        if _ANAPHOR.search(best.text):
            return (chunk, chunk.sentences[i - 1]) if i > 0 else None
        if i + 1 == len(chunk.sentences):  # the next sentence opens the following chunk
            prefix, _, index = chunk.id.rpartition(":")
            following = self.store.chunks([f"{prefix}:{int(index) + 1}"])
            if not following:
                return None
            chunk = following[0]
            i = chunk.sentences.index(best.span) if best.span in chunk.sentences else -1
        if i + 1 < len(chunk.sentences) and _ANAPHOR.search(chunk.sentence_text(chunk.sentences[i + 1])):
            return chunk, chunk.sentences[i + 1]
        return None

    def _order(self, chosen: list[Candidate]) -> list[Candidate]:
        def key(c: Candidate) -> tuple[str, str, int]:
            info = self.registry.get(c.passage.chunk.article_id)
            date = info.published.isoformat() if info and info.published else "9999"
            return date, c.passage.chunk.article_id, c.span.start

        return sorted(chosen, key=key)

    # --- output -------------------------------------------------------------------------------
    def _citations(self, chosen: list[Candidate]) -> list[Citation]:
        """Number the chosen sentences; adjacent sentences of one article share a citation."""
        bodies = {aid: self.article(aid) for aid in {c.passage.chunk.article_id for c in chosen}}
        citations: list[Citation] = []
        passage_span = (0, 0)
        for cand in chosen:
            chunk, info = cand.passage.chunk, self.registry[cand.passage.chunk.article_id]
            article = bodies[chunk.article_id]
            if article is None or article.body[cand.span.start : cand.span.end] != cand.text:
                continue  # the index and the article disagree: never show an unverifiable quote
            chunk_span = (chunk.start, chunk.start + len(chunk.text))
            prev = citations[-1] if citations else None
            if (
                prev
                and prev.article_id == chunk.article_id
                and cand.span.start >= prev.end
                and not article.body[prev.end : cand.span.start].strip()
            ):
                passage_span = (min(passage_span[0], chunk_span[0]), max(passage_span[1], chunk_span[1]))
                citations[-1] = replace(
                    prev,
                    quote=article.body[prev.start : cand.span.end],
                    end=cand.span.end,
                    passage=article.body[passage_span[0] : passage_span[1]],
                )
                continue
            passage_span = chunk_span
            citations.append(
                Citation(
                    len(citations) + 1,
                    chunk.article_id,
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
        # Speaker and via of each (possibly merged) span, read from its verified article.
        return [with_chain(c, article) for c in citations if (article := bodies[c.article_id]) is not None]

    def _compose(self, question: str, chosen: list[Candidate]) -> Answer:
        citations = self._citations(chosen)
        if not citations:
            return self._insufficient(question, [], "The passages found could not be verified against their articles.")
        answer = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        return Answer(question, "answered", answer, citations)

    def _insufficient(self, question: str, closest: list[Candidate], reason: str | None) -> Answer:
        citations = self._citations(closest)
        refs = " and ".join(f"[{c.n}]" for c in citations)
        line = reason or "The articles do not say enough to answer this."
        if refs:
            line += f" Closest passages: {refs}."
        return Answer(question, "insufficient_evidence", line, citations)

    def _window_has_articles(self, window: Window) -> bool:
        if not window:
            return True
        return any(published_in(info, window.since, window.until) for info in self.registry.values())

    def _empty_window(self, question: str, window: Window, qid: str | None, t0: float) -> Answer:
        dated = sorted((i.published, i.id) for i in self.registry.values() if i.published)
        line = f"No article in the corpus was published {window.describe()}."
        if dated:
            latest = self.registry[dated[-1][1]]
            source = f"{latest.outlet or 'outlet unknown'}, {dated[-1][0].isoformat()}"
            line += f" The latest is \u201c{latest.title}\u201d ({source})."
        total = (time.perf_counter() - t0) * 1e3
        return Answer(
            question, "insufficient_evidence", line, [], {"retrieve": 0.0, "answer": total, "total": total}, qid
        )


def _years(question: str) -> list[int]:
    """Distinct years named in a question, in order."""
    return sorted({int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", question)})
