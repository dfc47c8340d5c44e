"""Answers: the JSON contract, verbatim quotes, filters, and abstention."""

import datetime as dt

import pytest

from bot.errors import BadQuestion, NotFound
from bot.services import Services

CONTRACT = {"id", "question", "status", "answer", "citations", "timings_ms"}
CITATION = {"n", "article_id", "title", "outlet", "published", "url", "quote", "passage"}


def test_answer_follows_the_json_contract(seeded: Services) -> None:
    """ask --json has every contract field, with [n] markers that match the citations."""
    data = seeded.ask("What did Xi write to Kim in September 2023?", qid="q1").to_json()
    assert data.keys() >= CONTRACT and data["id"] == "q1" and data["status"] == "answered"
    assert data["citations"] and all(c.keys() >= CITATION for c in data["citations"])
    for c in data["citations"]:
        assert f"[{c['n']}]" in data["answer"]
    assert {"retrieve", "answer", "total"} <= data["timings_ms"].keys()


@pytest.mark.parametrize(
    "question",
    [
        "What did Xi write to Kim in October 2022?",
        "Which of the leaders' letters ask for closer strategic communication between the two parties?",
        "What did Kim pledge on the Taiwan question?",
        "What explains the absence of official visits around the treaty anniversary?",
    ],
)
def test_every_quote_is_verbatim_from_its_article(seeded: Services, question: str) -> None:
    """Each quote is the exact body text at its offsets, and lies inside the cited passage."""
    answer = seeded.ask(question)
    assert answer.citations
    for c in answer.citations:
        article = seeded.store.article(c.article_id)
        assert article is not None and article.body[c.start : c.end] == c.quote
        assert c.quote in c.passage and c.passage in article.body


def test_date_in_question_is_the_events_not_a_publication_filter(seeded: Services) -> None:
    """A cable of January 2021, reported only in July 2021, is answered from that later report."""
    answer = seeded.ask("Which line on a political resolution of peninsula issues was in the January 2021 cable?")
    assert answer.status == "answered"
    assert any(c.published == dt.date(2021, 7, 12) and "Jan. 11" in c.passage for c in answer.citations)


def test_explicit_filters_override_the_question(seeded: Services) -> None:
    """--since/--until restrict citations even when the question names no date."""
    answer = seeded.ask("What did Xi write to Kim?", since="2021-01", until="2021-12")
    assert answer.citations
    assert all(c.published and dt.date(2021, 1, 1) <= c.published <= dt.date(2021, 12, 31) for c in answer.citations)


def test_outlet_filter_matches_part_of_the_name(seeded: Services) -> None:
    """--outlet hankyoreh keeps only that outlet's articles."""
    answer = seeded.ask("What did Kim write to Xi?", outlet="hankyoreh")
    assert answer.citations and {c.outlet for c in answer.citations} == {"The Hankyoreh"}


def test_unknown_outlet_is_one_clear_error(seeded: Services) -> None:
    """An outlet that matches nothing names the known outlets."""
    with pytest.raises(NotFound, match="known outlets"):
        seeded.ask("What did Kim write?", outlet="Pravda")


@pytest.mark.parametrize(
    "question",
    [
        "How large was North Korea's rice harvest in 2024?",
        "Who won the marathon at the 2024 Olympic Games?",
        "What did Kim Jong-un say about the Singapore summit?",
        "How many nuclear tests did North Korea conduct in 2017?",
        "What is Kim Jong-un's favourite food?",
        "How much did China export to North Korea in 2022?",
    ],
)
def test_unanswerable_questions_are_refused(seeded: Services, question: str) -> None:
    """Questions the corpus cannot answer get insufficient_evidence, not a made-up answer."""
    answer = seeded.ask(question)
    assert answer.status == "insufficient_evidence"
    assert "[" not in answer.answer or "Closest" in answer.answer


def test_empty_window_names_the_latest_article(seeded: Services) -> None:
    """A --since/--until window with no articles says so and names the most recent article instead."""
    answer = seeded.ask("What did Kim write?", since="2019-01", until="2019-12")
    assert answer.status == "insufficient_evidence"
    assert "No article in the corpus was published" in answer.answer and "latest" in answer.answer


def test_multi_article_question_cites_several_articles(seeded: Services) -> None:
    """A question across messages draws on at least three articles."""
    answer = seeded.ask("Which of the leaders' letters over the years ask for closer strategic communication?")
    assert len({c.article_id for c in answer.citations}) >= 3


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x01"])
def test_empty_question_is_rejected(seeded: Services, question: str) -> None:
    """An empty or control-only question is one clear error."""
    with pytest.raises(BadQuestion, match="empty"):
        seeded.ask(question)


def test_overlong_question_is_capped_with_a_notice(seeded: Services) -> None:
    """A question over the limit is read up to the limit, and the answer's notice names the limit."""
    answer = seeded.ask("why " * 5000)
    assert len(answer.question) <= 2000 and answer.notice and "2,000" in answer.notice


@pytest.mark.parametrize(
    "query",
    ["What did the DPRK leader write back in 2021?", "Xi Kim friendship", "Which outlets quoted the KCNA report?"],
)
def test_search_shows_the_passages_ask_answers_from(seeded: Services, query: str) -> None:
    """`yalu search` is the retrieval behind `ask` (acronyms spelled out, a named year searched softly):
    its k passages are the first k that the answer was chosen from."""
    from bot.index.retrieve import Filters

    evidence = seeded.answerer.answer_with_evidence(query, Filters(), k=8)
    found = seeded.search(query, k=5)
    assert [p.chunk.id for p in found.passages] == [p.chunk.id for p in evidence.passages][:5]
    assert "Democratic People" in found.query or "DPRK" not in query
