"""LLM mode for questions: a model writes the answer from the retrieved passages, the code checks every citation.

The extractive answerer runs first: its abstentions (unknown names, weak support, empty date window)
stand without a model call, and its answer is what the user gets whenever the model fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.answer_model import Answer
from bot.errors import LLMError
from bot.llm.chat import model_label
from bot.llm.citations import cite_sources, number_sources
from bot.llm.generate import Generated, write_cited
from bot.llm.prompts import Prompt, load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.answer import Answerer
    from bot.config import Settings
    from bot.corpus import Article
    from bot.index.retrieve import Filters, Passage

log = logging.getLogger(__name__)

_REASONS = {
    "fabricated_quote": "a quotation not found in its cited article",
    "uncited": "no valid citation",
    "unclosed_quote": "an unclosed quotation mark",
    "refusal": "a statement that the passages do not answer",
    "link": "a link (sources are linked below the answer)",
}


class LLMAnswerer:
    """`Answerer.ask` with the answer written by a chat model; same signature, never raises for a model error."""

    def __init__(
        self,
        answerer: Answerer,
        model: BaseChatModel,
        prompt: Prompt,
        timeout_s: float = 30.0,
        max_words: int = 80,
        label: str | None = None,
    ) -> None:
        """Keep the extractive answerer (retrieval and fallback), the model and its checked prompt."""
        self.answerer = answerer
        self.model = model
        self.prompt = prompt
        self.timeout_s = timeout_s
        self.max_words = max_words
        self.label = label or model_label(model)

    @classmethod
    def from_settings(cls, answerer: Answerer, model: BaseChatModel, settings: Settings) -> LLMAnswerer:
        """An LLM answerer with the `answer` prompt, timeout and length from settings."""
        prompt = load_prompt("answer", settings.llm_prompts_dir)
        return cls(answerer, model, prompt, settings.llm_timeout_s, settings.answer_words, settings.llm)

    def ask(self, question: str, filters: Filters | None = None, k: int = 8, qid: str | None = None) -> Answer:
        """Answer with the model's cited sentences that pass validation, else the extractive answer."""
        evidence = self.answerer.answer_with_evidence(question, filters, k, qid)
        extractive = evidence.answer
        if extractive.status != "answered" or not evidence.passages:
            return extractive  # the extractive abstention is trusted: no model call, nothing to invent
        t0 = time.perf_counter()
        try:
            answer = self._generate(extractive, evidence.passages)
        except LLMError as exc:
            log.warning("LLM answer failed: %s", exc.reason)
            answer = _fallback(extractive, f"did not answer ({exc.reason})", {"model": self.label, "error": exc.reason})
        except Exception as exc:  # the optional model must never take the answer down with it
            log.exception("LLM answer failed unexpectedly")
            reason = f"failed ({type(exc).__name__})"
            answer = _fallback(extractive, reason, {"model": self.label, "error": str(exc)[:200]})
        if extractive.notice and answer.notice != extractive.notice:  # e.g. the capped-question notice: keep it
            answer.notice = " ".join(n for n in (extractive.notice, answer.notice) if n)
        llm_ms = (time.perf_counter() - t0) * 1e3
        total = extractive.timings_ms.get("total", 0.0) + llm_ms
        answer.timings_ms = {**extractive.timings_ms, "llm": llm_ms, "total": total}
        answer.id = qid
        return answer

    def _generate(self, extractive: Answer, passages: Sequence[Passage]) -> Answer:
        articles = self._articles(passages)
        sources = number_sources([p.chunk for p in passages], articles)
        if not sources:
            return _fallback(extractive, "was not asked: no passage verified", None)
        variables = {"question": extractive.question, "max_words": str(self.max_words)}
        generated = write_cited(self.model, self.prompt, variables, sources, self.timeout_s, self.label)
        validated = generated.validated
        if validated.insufficient:
            return _insufficient(extractive, generated)
        if not validated.sentences:
            return _fallback(extractive, "gave no sentence that passed the citation checks", generated.usage())
        citations = cite_sources(validated, sources, articles)
        notice = _removed_notice(generated)
        return Answer(
            extractive.question, "answered", validated.render(), citations, notice=notice, llm=generated.usage()
        )

    def _articles(self, passages: Sequence[Passage]) -> dict[str, Article]:
        ids = dict.fromkeys(p.chunk.article_id for p in passages)
        found = {aid: self.answerer.article(aid) for aid in ids}
        return {aid: article for aid, article in found.items() if article is not None}


def _fallback(extractive: Answer, what: str, llm: dict[str, Any] | None) -> Answer:
    """The extractive answer, with a notice saying why the model's answer is not shown."""
    notice = f"The language model {what}; this is the extractive answer."
    return replace(extractive, notice=notice, llm=llm)


def _insufficient(extractive: Answer, generated: Generated) -> Answer:
    """The model found no answer in the passages: say so, and show the two closest extractive passages."""
    closest = extractive.citations[:2]
    line = "The articles do not say enough to answer this."
    if closest:
        line += " Closest passages: " + " and ".join(f"[{c.n}]" for c in closest) + "."
    return Answer(extractive.question, "insufficient_evidence", line, closest, llm=generated.usage())


def _removed_notice(generated: Generated) -> str | None:
    """A line saying how many of the model's sentences were removed, and why (None when none were)."""
    kinds = [i.kind for i in generated.validated.issues if i.kind in _REASONS]
    if not kinds:
        return None
    reasons = "; ".join(f"{kinds.count(k)} with {_REASONS[k]}" for k in dict.fromkeys(kinds))
    return f"Removed from the language model's answer: {len(kinds)} sentence(s) — {reasons}."
