"""Phrase tracking: every occurrence of a phrase and its variants, in date order, with speaker and citation."""

from __future__ import annotations

import pytest

from bot.analysis.phrases import corpus_articles, find_phrase, select_quotes, trace_phrase
from bot.corpus import Article
from bot.errors import BadQuestion
from bot.services import Services


@pytest.fixture(scope="module")
def articles(seeded: Services) -> list[Article]:
    """The seed corpus as indexed (bodies included)."""
    return corpus_articles(seeded.store)


def test_strategic_communication_is_found_in_four_articles_with_variants(articles: list[Article]) -> None:
    """'strategic communication' occurs in at least four articles, 'strategic communications' among them."""
    trace = trace_phrase(articles, "strategic communication")
    assert len(trace.article_ids) >= 4
    assert "strategic communications" in trace.variants
    dates = [o.published for o in trace.occurrences]
    assert dates == sorted(d for d in dates if d is not None)


def test_each_occurrence_names_its_speaker_and_is_cited_verbatim(articles: list[Article]) -> None:
    """Kim and Xi are named as speakers; each citation is its article's sentence at its offsets."""
    trace = trace_phrase(articles, "strategic communication")
    bodies = {a.id: a.body for a in articles}
    assert {"Kim Jong-un", "Xi Jinping"} <= {o.speaker for o in trace.occurrences}
    for o in trace.occurrences:
        c = o.citation
        assert bodies[o.article_id][c.start : c.end] == c.quote
        assert bodies[o.article_id][o.start : o.end] == o.matched and c.start <= o.start < o.end <= c.end


def test_mountains_and_rivers_matches_the_singular_form(articles: list[Article]) -> None:
    """'mountains and rivers' (2022) and 'the same mountain and river' (2023) are one phrase."""
    trace = trace_phrase(articles, "mountains and rivers")
    assert {o.matched for o in trace.occurrences} == {"mountains and rivers", "mountain and river"}
    assert {o.match for o in trace.occurrences} == {"exact", "variant"}


def test_a_phrase_used_once_is_found_once_inside_a_quote(articles: list[Article]) -> None:
    """'new era' occurs only in Xi's 2023 message, inside quotation marks."""
    trace = trace_phrase(articles, "new era")
    assert len(trace.occurrences) == 1
    (o,) = trace.occurrences
    assert o.speaker == "Xi Jinping" and o.in_quote and o.published and o.published.year == 2023


def test_spellings_and_gaps_match_but_sentence_ends_do_not() -> None:
    """'neighbours' matches 'neighbors'; stopwords may sit between content words; a full stop may not."""
    assert [m.kind for m in find_phrase("good neighbours and friends", "good neighbors")] == ["variant"]
    assert find_phrase("ties of the strategic kind of communication", "strategic communication") == []
    assert len(find_phrase("mountains, and rivers", "mountains and rivers")) == 1
    assert find_phrase("the mountains. Rivers flow", "mountains rivers") == []


def test_an_empty_phrase_is_a_clear_error(articles: list[Article]) -> None:
    """A phrase with no words raises BadQuestion."""
    with pytest.raises(BadQuestion):
        trace_phrase(articles, " ?! ")


def test_quotes_filter_by_speaker_and_topic(articles: list[Article]) -> None:
    """`select_quotes` keeps Xi's quotes about strategic communication, verbatim."""
    quotes = select_quotes(articles, speaker="xi", topic="strategic communication")
    bodies = {a.id: a.body for a in articles}
    assert len(quotes.quotes) >= 3 and {q.speaker for q in quotes.quotes} == {"Xi Jinping"}
    for q in quotes.quotes:
        assert bodies[q.article_id][q.citation.start : q.citation.end] == q.text == q.citation.quote


def test_light_modifiers_are_free_in_a_match() -> None:
    """'bilateral strategic communication' matches 'strengthen strategic communication', and the other way round."""
    assert [m.kind for m in find_phrase("to strengthen strategic communication", "bilateral strategic communication")]
    assert find_phrase("enhancing bilateral strategic communication", "strategic communication")


def test_a_formula_reworded_within_a_clause_matches(articles: list[Article]) -> None:
    """'changes unseen in a century' finds Xi's 2021 'changes ... we have not witnessed in a century'."""
    trace = trace_phrase(articles, "changes unseen in a century")
    assert {o.published.year for o in trace.occurrences if o.published} == {2021, 2023}
    reworded = next(o for o in trace.occurrences if o.match == "reworded")
    assert reworded.matched.startswith("changes are rapidly") and reworded.speaker == "Xi Jinping"
    assert find_phrase("changes, unseen. In a century", "changes unseen in a century") == []
