"""LLM mode with LangChain's fake chat models: what the model writes is checked before anyone sees it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.answer_model import Answer
from bot.llm.answer import LLMAnswerer
from bot.llm.prompts import load_prompt
from bot.services import Services

QUESTION = "What did Xi write to Kim in September 2023?"
GOOD = (
    "Xi told Kim the pair had met five times and elevated their ties “into a new era” [1]. "
    "He called the two countries “friendly neighbours linked by the same mountain and river” [1]."
)
FABRICATED = "Xi also promised Kim “unlimited military support against any aggressor” [1]."
USAGE = {"input_tokens": 812, "output_tokens": 57, "total_tokens": 869}


class Failing(FakeListChatModel):
    """A chat model whose server is gone."""

    def _call(self, *args: Any, **kwargs: Any) -> str:
        raise ConnectionError("connection refused")


def fake(text: str) -> GenericFakeChatModel:
    """A chat model that replies `text`, reporting token usage like a real provider."""
    return GenericFakeChatModel(messages=iter([AIMessage(content=text, usage_metadata=USAGE)]))


def ask(seeded: Services, model: Any, question: str = QUESTION, timeout_s: float = 5.0) -> Answer:
    """Ask through LLMAnswerer with the shipped answer prompt."""
    llm = LLMAnswerer(seeded.answerer, model, load_prompt("answer"), timeout_s=timeout_s, label="fake")
    return llm.ask(question, qid="q1")


def assert_verified(seeded: Services, answer: Answer) -> None:
    """Every citation's quote is the article body at its offsets, inside its passage, and its [n] is shown."""
    for c in answer.citations:
        article = seeded.store.article(c.article_id)
        assert article is not None and article.body[c.start : c.end] == c.quote
        assert c.quote in c.passage and c.passage in article.body and f"[{c.n}]" in answer.answer


def test_valid_answer_is_shown_with_verified_citations(seeded: Services) -> None:
    """A reply whose quotes are verbatim and citations known is the answer, cited from the article."""
    answer = ask(seeded, fake(GOOD))
    assert answer.status == "answered" and answer.notice is None and answer.id == "q1"
    assert answer.answer == GOOD
    assert [c.n for c in answer.citations] == [1]
    assert "into a new era" in answer.citations[0].quote
    assert "friendly neighbours linked by the same mountain and river" in answer.citations[0].quote
    assert_verified(seeded, answer)


def test_reasoning_in_think_tags_is_not_part_of_the_answer(seeded: Services) -> None:
    """A reasoning model's <think> block is set aside before validation, not counted as uncited sentences."""
    answer = ask(seeded, fake(f"<think>The user asks about Xi. Passage 1 fits.</think>\n{GOOD}"))
    assert answer.answer == GOOD and answer.notice is None and answer.llm and answer.llm["issues"] == []


def test_fabricated_quote_never_reaches_the_user(seeded: Services) -> None:
    """A planted quote the article does not contain is removed, flagged in a notice and listed in --json."""
    answer = ask(seeded, fake(f"{GOOD} {FABRICATED}"))
    data = answer.to_json()
    assert "unlimited" not in answer.answer and all("unlimited" not in c.quote for c in answer.citations)
    assert answer.answer == GOOD and answer.notice and "quotation not found" in answer.notice
    assert data["llm"]["dropped"] == 1 and data["llm"]["issues"][0]["kind"] == "fabricated_quote"
    assert_verified(seeded, answer)


def test_out_of_range_citation_is_removed(seeded: Services) -> None:
    """[99], past every passage shown, is stripped from the answer; the sentence's valid [1] stays."""
    answer = ask(seeded, fake("Xi told Kim their ties had entered “into a new era” [1][99]."))
    assert answer.status == "answered" and "[99]" not in answer.answer
    assert answer.answer == "Xi told Kim their ties had entered “into a new era” [1]."
    assert [c.n for c in answer.citations] == [1]


def test_uncited_sentence_is_removed(seeded: Services) -> None:
    """A sentence without any citation is dropped, the cited ones stay."""
    answer = ask(seeded, fake(f"{GOOD} Relations will surely keep improving."))
    assert answer.answer == GOOD and "surely" not in answer.answer
    assert answer.llm and answer.llm["issues"] == [{"kind": "uncited", "text": "Relations will surely keep improving."}]


def test_citations_are_renumbered_in_order_of_first_use(seeded: Services) -> None:
    """A reply citing passage [2] first shows it as [1], with that passage's article and text."""
    evidence = seeded.answerer.answer_with_evidence(QUESTION)
    second = evidence.passages[1].chunk
    plain = next(t for t in map(second.sentence_text, second.sentences) if not {"“", "”", '"'} & set(t))
    words = " ".join(plain.split()[:6])
    answer = ask(seeded, fake(f"The article reports that “{words}” [2]. {GOOD}"))
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].quote == words and answer.citations[0].passage == second.text
    assert answer.answer.startswith(f"The article reports that “{words}” [1].")
    assert_verified(seeded, answer)


def test_sentinel_gives_insufficient_evidence(seeded: Services) -> None:
    """INSUFFICIENT_EVIDENCE from the model becomes insufficient_evidence with the closest passages."""
    answer = ask(seeded, fake("INSUFFICIENT_EVIDENCE"))
    assert answer.status == "insufficient_evidence" and "Closest passages: [1]" in answer.answer
    assert answer.citations and answer.llm and answer.llm["output_tokens"] == 57
    assert_verified(seeded, answer)


def test_refusal_phrasing_gives_insufficient_evidence(seeded: Services) -> None:
    """'The passages do not say ...' is an abstention, not an answer."""
    answer = ask(seeded, fake("The passages do not say what Xi wrote to Kim."))
    assert answer.status == "insufficient_evidence"


def test_model_error_falls_back_to_the_extractive_answer(seeded: Services) -> None:
    """A model that raises gives the extractive answer and a notice, never an exception."""
    answer = ask(seeded, Failing(responses=["unused"]))
    assert answer.status == "answered" and answer.answer == seeded.ask(QUESTION).answer
    assert answer.notice == (
        "The language model did not answer (ConnectionError: connection refused); this is the extractive answer."
    )
    assert answer.to_json()["llm"] == {"model": "fake", "error": "ConnectionError: connection refused"}


def test_model_timeout_falls_back_within_the_timeout(seeded: Services) -> None:
    """A model slower than the timeout is given up on at the timeout; the extractive answer is returned."""
    t0 = time.perf_counter()
    answer = ask(seeded, FakeListChatModel(responses=[GOOD], sleep=3.0), timeout_s=0.3)
    assert time.perf_counter() - t0 < 2.0
    assert answer.notice == "The language model did not answer (timeout after 0.3 s); this is the extractive answer."
    assert answer.answer == seeded.ask(QUESTION).answer


def test_reply_with_nothing_valid_falls_back(seeded: Services) -> None:
    """When validation leaves no sentence, the extractive answer is shown with a notice."""
    answer = ask(seeded, fake(FABRICATED))
    assert answer.status == "answered" and "unlimited" not in answer.answer
    assert answer.notice and "did not pass the citation checks" not in answer.answer
    assert "no sentence that passed the citation checks" in answer.notice


def test_extractive_abstention_does_not_call_the_model(seeded: Services) -> None:
    """A question the corpus cannot answer is refused before any model call."""
    answer = ask(seeded, Failing(responses=["unused"]), question="What is Kim Jong-un's favourite food?")
    assert answer.status == "insufficient_evidence" and answer.notice is None and answer.llm is None


def test_token_use_and_latency_are_in_the_json(seeded: Services) -> None:
    """--json reports the model, tokens, latency and the llm step's time."""
    data = ask(seeded, fake(GOOD)).to_json()
    llm = data["llm"]
    assert (llm["model"], llm["input_tokens"], llm["output_tokens"], llm["dropped"]) == ("fake", 812, 57, 0)
    assert llm["latency_ms"] >= 0 and {"retrieve", "answer", "llm", "total"} <= data["timings_ms"].keys()
    assert data["timings_ms"]["total"] >= data["timings_ms"]["llm"]


@pytest.mark.parametrize("question", ["", " \t\x00 "])
def test_bad_questions_are_still_refused(seeded: Services, question: str) -> None:
    """LLM mode keeps the answerer's question checks: an empty question is refused."""
    from bot.errors import BadQuestion

    with pytest.raises(BadQuestion):
        ask(seeded, fake(GOOD), question=question)
