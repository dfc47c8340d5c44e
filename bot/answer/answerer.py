"""Answers questions extractively: retrieve, read the candidate sentences, score them with the fitted model,
answer with the best (cited, verbatim) or abstain when the model's probability says the evidence is weak.

No model writes anything here: every sentence of an answer is a verbatim span of an article, checked
against the stored body before it is returned.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.answer import compose
from bot.answer.candidates import Candidate, gather
from bot.answer.features import Embed, QuestionFeatures, Vocabulary, ranker_matrix, verifier_row
from bot.answer.model import AnswerModel, FloatArray, softmax
from bot.answer.question import Question, read_question, strip_control
from bot.answer.sentences import ArticleSentences, read_article
from bot.answer_model import Answer
from bot.corpus import Article
from bot.dates import Window
from bot.errors import BadQuestion
from bot.index.retrieve import Filters, Passage, Retrieval, Retriever
from bot.index.store import Store
from bot.text import expand_acronyms, terms

_PERIOD_GRACE = dt.timedelta(days=400)  # a dated question also searches reports up to about a year later
_READINGS = 4096  # article readings kept (a few KB each)


@dataclass(frozen=True)
class Evidence:
    """An extractive answer and the retrieved passages it was chosen from, best first."""

    answer: Answer
    passages: list[Passage]


@dataclass(frozen=True)
class Analysis:
    """A question read against the index: its candidates and their features (before any weights)."""

    question: Question
    features: QuestionFeatures
    passages: list[Passage]
    candidates: list[Candidate]
    matrix: FloatArray
    embed: Embed  # embeds variants of the question (for the verifier's support test)
    note: str | None = None  # set when the --since/--until window holds no article (the retrieval's note)


@dataclass(frozen=True)
class Decision:
    """What the model makes of an analysis: each candidate's ranker logit and the answer probability."""

    logits: FloatArray
    probability: float
    verifier_features: FloatArray


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and whitespace; reject an empty question; cap an overlong one at `max_chars`."""
    text = strip_control(question)
    if not text:
        raise BadQuestion('the question is empty: ask something like "What did Xi write to Kim in 2023?"')
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    # Cut between words, unless one "word" fills the whole limit.
    return cut.rsplit(" ", 1)[0] if text[max_chars] != " " and " " in cut else cut


def capped_notice(question: str, max_chars: int) -> str | None:
    """The notice for a question longer than the limit (which was answered from its beginning), else None."""
    length = len(strip_control(question))
    if length <= max_chars:
        return None
    return (
        f"The question was {length:,} characters long; only its first {max_chars:,} were read "
        "(YALU_MAX_QUESTION_CHARS)."
    )


class Answerer:
    """Answers questions from the store, extractively; built once per index generation, reused for every question."""

    def __init__(
        self,
        store: Store,
        retriever: Retriever,
        max_words: int = 90,
        max_question_chars: int = 2000,
        model: AnswerModel | None = None,
        k: int = 10,
        embed_documents: Callable[[list[str]], list[list[float]]] | None = None,
    ) -> None:
        """Keep the parts; the registry (article ids to their metadata) is the retriever's."""
        self.store = store
        self.retriever = retriever
        self.registry = retriever.registry
        self.max_words = max_words
        self.max_question_chars = max_question_chars
        self._model = model
        self.k = k
        outlets = " ".join(self.registry.outlet_names())
        self.vocabulary = Vocabulary(retriever.lexical, frozenset(terms(outlets)))
        self._readings: dict[tuple[str, str], ArticleSentences] = {}
        self._embedded: dict[str, FloatArray] = {}
        self.embed_documents = embed_documents or (lambda texts: [retriever.embed_query(t) for t in texts])

    @property
    def model(self) -> AnswerModel:
        """The answer model: the one given, else the bundled one (read on first use)."""
        if self._model is None:
            self._model = AnswerModel.bundled()
        return self._model

    # --- articles ------------------------------------------------------------------------------
    def article(self, article_id: str) -> Article | None:
        """An indexed article, read from the store once while it is among the last few hundred read:
        candidates, citations, their provenance and the disagreement check all need the few articles a
        question retrieves, and the retriever's chunk records are cut from their bodies (one cache for both)."""
        return self.retriever.chunk_source.article(article_id)

    def reading(self, article_id: str) -> ArticleSentences | None:
        """An article's sentences with their facts, read once per article version."""
        info = self.registry.get(article_id)
        key = (article_id, info.content_hash if info else "")
        if key not in self._readings:
            article = self.article(article_id)
            if article is None:
                return None
            if len(self._readings) >= _READINGS:
                self._readings.pop(next(iter(self._readings)))
            self._readings[key] = read_article(article)
        return self._readings[key]

    # --- answering -----------------------------------------------------------------------------
    def ask(
        self, question: str, filters: Filters | None = None, k: int | None = None, qid: str | None = None
    ) -> Answer:
        """Answer a question with cited, verbatim sentences, or say the evidence is insufficient."""
        return self.answer_with_evidence(question, filters, k, qid).answer

    def answer_with_evidence(
        self, question: str, filters: Filters | None = None, k: int | None = None, qid: str | None = None
    ) -> Evidence:
        """`ask`, and the retrieved passages the answer was chosen from (what a language model may be shown)."""
        t0 = time.perf_counter()
        text = clean_question(question, self.max_question_chars)
        filters = filters or Filters()
        notice = capped_notice(question, self.max_question_chars)
        analysis = self.analyse(text, filters, k or self.k)
        if analysis.note:  # the --since/--until window holds no article: say so, and which is the latest
            return Evidence(self._nothing_published(text, analysis.note, qid, notice, t0), [])
        t1 = time.perf_counter()
        decision = self.decide(analysis)
        answer = self.compose(analysis, decision)
        answer.id, answer.notice = qid, notice
        t2 = time.perf_counter()
        answer.timings_ms = {"retrieve": (t1 - t0) * 1e3, "answer": (t2 - t1) * 1e3, "total": (t2 - t0) * 1e3}
        return Evidence(answer, analysis.passages)

    def analyse(self, text: str, filters: Filters, k: int) -> Analysis:
        """Read the question, retrieve, gather candidate sentences and compute their features."""
        q = read_question(text)
        found = self.retrieve(q, filters, k)
        if found.query == q.core and len(found.vector):  # the verifier's support test embeds the core again
            self._remember(q.core, np.asarray(found.vector, dtype=np.float64))
        passages = found.passages
        candidates = gather(passages, self.retriever.chunk_source, self.reading)
        qf = QuestionFeatures(q, self.vocabulary, candidates)
        matrix = ranker_matrix(qf, found.vector, candidates)
        return Analysis(q, qf, passages, candidates, matrix, self._embed_many, found.note)

    def retrieve(self, q: Question | str, filters: Filters, k: int) -> Retrieval:
        """The passages a question is answered from: the one retrieval behind `ask` and `search`.

        The question's core is searched with its acronyms spelled out, fewer passages per article when it
        asks across articles; a date it names is soft: the reports published from that date on are
        searched too, unless --since/--until filter hard.
        """
        q = read_question(q) if isinstance(q, str) else q
        query = expand_acronyms(q.core)
        per_article = 2 if q.multi else 3
        # A dated question searches up to four times with the same words: score them once (at 100,000
        # articles BM25 over every chunk is about 16 ms a time).
        lexical = self.retriever.lexical.scores(query) if q.periods and not filters.window else None
        found = self.retriever.search(query, filters, k=k, per_article=per_article, lexical_scores=lexical)
        passages = list(found.passages)
        if found.note:
            return found
        if q.periods and not filters.window:
            for period in q.periods[:3]:  # a window with no article returns at once, with no passage
                window = Window(period.first, period.last + _PERIOD_GRACE)
                more = self.retriever.search(
                    query,
                    Filters(window, filters.outlets),
                    k=k // 2,
                    per_article=2,
                    vector=found.vector,
                    lexical_scores=lexical,
                )
                passages += more.passages
        passages = list({p.chunk.id: p for p in sorted(passages, key=lambda p: p.score)}.values())
        passages.sort(key=lambda p: -p.score)
        return Retrieval(query, found.vector, passages)

    def decide(self, analysis: Analysis, model: AnswerModel | None = None) -> Decision:
        """Score the candidates and the probability that the best one answers."""
        model = model or self.model
        logits = model.ranker.logits(analysis.matrix) if len(analysis.candidates) else np.zeros(0)
        row = verifier_row(analysis.features, analysis.candidates, analysis.matrix, logits, analysis.embed)
        return Decision(logits, float(model.verifier.proba(row)[0]), row)

    def compose(self, analysis: Analysis, decision: Decision, model: AnswerModel | None = None) -> Answer:
        """The answer the decision calls for: cited sentences, or an abstention that says why."""
        model = model or self.model
        q, cands = analysis.question, analysis.candidates
        if not cands:
            return compose.refused(q.text, [], "No article in the corpus matches this question.")
        probs = softmax(decision.logits)
        if decision.probability < model.threshold:
            closest = [cands[int(i)] for i in np.argsort(-probs, kind="stable")[:2]]
            return compose.refused(q.text, compose.citations(closest, self.registry, self.article), _reason(analysis))
        chosen = compose.select(cands, probs, q.multi, self.max_words, model.keep, q.periods)
        cites = compose.citations(chosen, self.registry, self.article)
        if not cites:
            return compose.refused(q.text, [], "The passages found could not be verified against their articles.")
        return compose.answered(q.text, cites)

    def _embed_many(self, texts: list[str]) -> FloatArray:
        """Unit vectors of short texts (question variants), cached: the fit asks for the same ones again."""
        missing = [t for t in texts if t not in self._embedded]
        if missing:
            for t, v in zip(missing, self.embed_documents(missing), strict=True):
                self._remember(t, np.asarray(v, dtype=np.float64))
        return np.stack([self._embedded[t] for t in texts])

    def _remember(self, text: str, vector: FloatArray) -> None:
        """Keep a text's unit vector for `_embed_many` (a few thousand at most)."""
        self._embedded[text] = vector / (np.linalg.norm(vector) or 1.0)
        if len(self._embedded) > 4096:
            self._embedded.pop(next(iter(self._embedded)))

    @staticmethod
    def _nothing_published(question: str, note: str, qid: str | None, notice: str | None, t0: float) -> Answer:
        total = (time.perf_counter() - t0) * 1e3
        timings = {"retrieve": total, "answer": 0.0, "total": total}
        return Answer(question, "insufficient_evidence", note, [], timings, qid, notice=notice)


def _reason(analysis: Analysis) -> str:
    """Why the evidence is weak, in the reader's terms: what the question names that the articles never do."""
    qf = analysis.features
    unknown = [w.text for i, w in enumerate(qf.words) if not qf.known[i] and w in analysis.question.names]
    if unknown:
        return f"The articles do not answer this: none mentions {', '.join(unknown)}."
    if analysis.question.periods and not any(
        c.reading.published and any(p.first <= c.reading.published[1] for p in analysis.question.periods)
        for c in analysis.candidates
    ):
        return "The articles do not answer this: none was published after the period it names."
    return "The articles do not say enough to answer this."
