"""Compare: the phrases one article or period uses and the other does not, variant-aware, each cited."""

from __future__ import annotations

import re

import pytest

from bot.analysis.compare import Comparison, compare, resolve_side
from bot.analysis.phrases import corpus_articles, find_phrase
from bot.corpus import Article
from bot.errors import BadQuestion, NotFound
from bot.services import Services


@pytest.fixture(scope="module")
def articles(seeded: Services) -> list[Article]:
    """The seed corpus as indexed (bodies included)."""
    return corpus_articles(seeded.store)


@pytest.fixture(scope="module")
def july_vs_october(articles: list[Article]) -> Comparison:
    """The July 2021 article against the October 2022 one."""
    return compare(articles, "2021-07", "2022-10")


def test_each_side_has_phrases_the_other_never_uses(july_vs_october: Comparison) -> None:
    """July 2021 and October 2022 each have phrases found nowhere in the other, not even as variants."""
    c = july_vs_october
    assert c.only_a and c.only_b
    for phrases, other in ((c.only_a, c.b), (c.only_b, c.a)):
        for p in phrases:
            assert not any(find_phrase(x.body, p.phrase) for x in other.articles)


def test_every_use_is_cited_verbatim(july_vs_october: Comparison, articles: list[Article]) -> None:
    """Each use's citation quote is the phrase as written at its offsets in its article."""
    bodies = {a.id: a.body for a in articles}
    for p in (*july_vs_october.only_a, *july_vs_october.only_b, *july_vs_october.shared):
        assert p.uses
        for u in p.uses:
            c = u.citation
            assert bodies[c.article_id][c.start : c.end] == c.quote == u.matched
            assert c.quote in c.passage


def test_new_era_is_2023s_and_mountains_and_rivers_is_shared(articles: list[Article]) -> None:
    """September 2023 against October 2022: 'new era' is 2023's only; 'mountain(s) and river(s)' is in both."""
    c = compare(articles, "2023-09", "2022-10", limit=20)
    assert "new era" in {p.phrase for p in c.only_a}
    only = {p.phrase.lower() for p in (*c.only_a, *c.only_b)}
    assert not any("mountain" in p for p in only)


def test_a_variant_counts_as_the_same_phrase(articles: list[Article]) -> None:
    """'strategic communications' (March 2021) and 'strategic communication' (July 2021) are not a difference."""
    c = compare(articles, "2021-07", "2021-01..2021-03", limit=30)
    assert not any("strategic communication" in p.phrase.lower() for p in (*c.only_a, *c.only_b))


def test_sides_resolve_from_ids_title_fragments_and_periods(articles: list[Article]) -> None:
    """An id, a unique title fragment and a period each name their articles."""
    assert resolve_side(articles, articles[0].id).articles == (articles[0],)
    assert [a.id for a in resolve_side(articles, "personal letters").articles] == [articles[1].id]
    assert len(resolve_side(articles, "2021").articles) == 2
    assert len(resolve_side(articles, "2021-01..2022-12").articles) == 3


def test_an_ambiguous_fragment_lists_the_candidates(articles: list[Article]) -> None:
    """'Xi' matches two titles: one NotFound error naming both."""
    with pytest.raises(NotFound) as err:
        resolve_side(articles, "Xi")
    assert "2022-10-16" in str(err.value) and "2023-09-09" in str(err.value)


def test_empty_or_overlapping_sides_are_errors(articles: list[Article]) -> None:
    """A period without articles is NotFound; sides that share an article are a BadQuestion."""
    with pytest.raises(NotFound):
        resolve_side(articles, "2019")
    with pytest.raises(BadQuestion):
        compare(articles, "2021", "2021-07")


# Hand-labelled: the nouns these two articles' noun phrases may end on, and verbs of reporting.
_HEAD_NOUNS = frozenset(
    """assistance goodwill pursuit communism contribution construction vitality cooperation officials moves era issue
    policy position forms situation recovery convergence cornerstone endeavor relations resolution stage direction
    advancement happiness support struggle stance interests communication dilemma region tensions parade sanctions
    forces challenges treaty friendship council power rise uncertainty expansion leadership blocs coordination
    landscape structure progress uneasiness summit delegation armistice development prosperity peace stability
    peoples circumstances relationship government century""".split()
)
_REPORTING_VERBS = frozenset(
    "say says said saying tell told write wrote written report reported quoted according added noted stressed "
    "hailed urged underlined described announced expressed".split()
)


def test_top_phrases_are_noun_phrases_without_reporting_verbs(articles: list[Article]) -> None:
    """`compare 2021-07 2023-09`: each side's top ten ends on a (hand-labelled) noun and holds no reporting verb."""
    c = compare(articles, "2021-07", "2023-09", limit=10)
    assert len(c.only_a) == len(c.only_b) == 10
    for p in (*c.only_a, *c.only_b):
        tokens = [w.lower() for w in re.findall(r"[A-Za-z’'-]+", p.phrase)]
        assert tokens[-1] in _HEAD_NOUNS, p.phrase
        assert not set(tokens) & _REPORTING_VERBS, p.phrase
    shown = {p.phrase for p in (*c.only_a, *c.only_b)}
    assert not shown & {"better benefit", "change the landscape", "visit", "complex", "sides’ senior-level officials"}
    assert "Treaty of Friendship, Cooperation and Mutual Assistance" in shown and "new era" in shown
