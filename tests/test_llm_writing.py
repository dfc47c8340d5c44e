"""LLM mode for summaries and briefings: the model's lines pass the citation checks or are dropped."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.answer_model import Citation
from bot.llm.prompts import load_prompt
from bot.llm.writing import Writer, llm_briefing, llm_summary, paragraph_sources
from bot.services import Services
from tests.test_llm_answer import Failing

SEPT_2023 = "hails \u2018new era\u2019"
SUMMARY = (
    "Xi hails a new era in ties with Pyongyang [1]\n"
    "- Xi said the pair had met five times and elevated their ties \u201cinto a new era\u201d [1].\n"
    "- He called the countries \u201cfriendly neighbours linked by the same mountain and river\u201d [2].\n"
    "- Xi pledged \u201cunlimited support for the nuclear programme\u201d [2].\n"
    "- Beijing's envoy visited Pyongyang for the anniversary [99].\n"
)


def fake(text: str) -> GenericFakeChatModel:
    """A chat model that replies `text` once, with token usage."""
    usage = {"input_tokens": 900, "output_tokens": 80, "total_tokens": 980}
    return GenericFakeChatModel(messages=iter([AIMessage(content=text, usage_metadata=usage)]))


def writer(model: Any, prompt: str) -> Writer:
    """A writer with the shipped prompt and a short time limit."""
    return Writer(model, load_prompt(prompt), 5.0, "fake")


def assert_verbatim(services: Services, citations: list[Citation]) -> None:
    """Each citation's quote is its article's body at its offsets."""
    for c in citations:
        article = services.store.article(c.article_id)
        assert article is not None and article.body[c.start : c.end] == c.quote


def test_summary_keeps_checked_bullets_and_drops_the_rest(seeded: Services) -> None:
    """Verbatim-quoting bullets stay; a fabricated quote and an out-of-range [99] never reach the reader."""
    extractive = seeded.summarize(SEPT_2023)
    article = seeded.find_article(SEPT_2023)
    summary = llm_summary(extractive, article, writer(fake(SUMMARY), "summarize"))
    texts = " ".join(b.text for b in summary.bullets)
    assert summary.mode == "llm" and len(summary.bullets) == 2
    assert "unlimited support" not in texts and "envoy" not in texts
    assert summary.headline.startswith("Xi hails a new era") and "[1]" in summary.headline
    assert summary.notice and "2 sentence(s)" in summary.notice
    assert summary.llm and summary.llm["input_tokens"] == 900
    assert_verbatim(seeded, summary.citations)
    by_n = {c.n: c for c in summary.citations}
    assert [q.quote for q in summary.quotes] == [q.quote for q in extractive.quotes]
    assert all(by_n[q.n].quote == q.quote for q in summary.quotes)


def test_summary_falls_back_when_the_model_fails(seeded: Services) -> None:
    """A model error gives the extractive summary, unchanged, with a notice."""
    extractive = seeded.summarize(SEPT_2023)
    summary = llm_summary(extractive, seeded.find_article(SEPT_2023), writer(Failing(responses=[""]), "summarize"))
    assert summary.mode == "extractive" and summary.bullets == extractive.bullets
    assert summary.notice and "extractive summary" in summary.notice


def test_briefing_overview_is_renumbered_after_the_extractive_citations(seeded: Services) -> None:
    """The model's overview cites new numbers that follow the briefing's own, each verified."""
    extractive = seeded.brief(since="2023-09-01", until="2023-09-30")
    articles = [seeded.find_article(SEPT_2023)]
    reply = (
        "Xi told Kim their ties had entered \u201cinto a new era\u201d [1]. "
        "Xi vowed to \u201cdefend Pyongyang at all costs\u201d [1]."
    )
    briefing = llm_briefing(extractive, articles, "September 2023", writer(fake(reply), "brief"))
    offset = len(extractive.citations)
    assert briefing.overview.startswith(extractive.coverage)
    assert f"[{offset + 1}]" in briefing.overview and "all costs" not in briefing.overview
    assert [c.n for c in briefing.citations] == list(range(1, offset + 2))
    assert_verbatim(seeded, briefing.citations)


def test_paragraph_sources_are_the_article_text(seeded: Services) -> None:
    """Each numbered source is a paragraph of the article at its offsets."""
    article = seeded.find_article(SEPT_2023)
    for source in paragraph_sources([article]):
        assert article.body[source.start : source.start + len(source.text)] == source.text
