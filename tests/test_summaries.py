"""Extractive summaries of the seed articles: cited bullets and attributed quotes, all verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer_model import Citation
from bot.errors import BadQuestion, NotFound
from bot.services import Services
from tests.conftest import KNOWLEDGE

SEED_IDS = sorted(p.stem for p in KNOWLEDGE.glob("*.md"))


def _verbatim(services: Services, c: Citation) -> bool:
    article = services.store.article(c.article_id)
    return article is not None and article.body[c.start : c.end] == c.quote and c.quote in c.passage


@pytest.mark.parametrize("article_id", SEED_IDS)
def test_every_seed_summary_has_cited_bullets_and_quotes(seeded: Services, article_id: str) -> None:
    """Each seed article gets 3-5 bullets and attributed quotes, every one cited verbatim."""
    summary = seeded.summarize(article_id)
    by_n = {c.n: c for c in summary.citations}
    assert 3 <= len(summary.bullets) <= 5
    assert summary.quotes and all(q.speaker for q in summary.quotes)
    for bullet in summary.bullets:
        assert [by_n[n].quote for n in bullet.citations] == [bullet.text]
    for q in summary.quotes:
        assert by_n[q.n].quote == q.quote
    assert all(_verbatim(seeded, c) for c in summary.citations)
    assert [c.n for c in summary.citations] == list(range(1, len(summary.citations) + 1))


def test_summary_quotes_put_the_leaders_first(seeded: Services) -> None:
    """The 2022 letter's key quotes are Xi's and the Workers' Party's, not bystanders'."""
    summary = seeded.summarize("2022-10-16")
    assert {q.speaker for q in summary.quotes} <= {"Xi Jinping", "Kim Jong-un", "Workers' Party of Korea"}
    assert "Xi Jinping" in {q.speaker for q in summary.quotes}


def test_summary_headline_and_json_contract(seeded: Services) -> None:
    """The JSON has the contract's keys; the headline is the article's own title."""
    data = seeded.summarize("hails \u2018new era\u2019").to_json()
    assert {"article_id", "title", "outlet", "published", "headline", "bullets", "quotes", "citations"} <= set(data)
    assert data["headline"] == data["title"] and data["published"] == "2023-09-09"
    assert set(data["quotes"][0]) >= {"speaker", "quote", "n"}


def test_summarize_finds_articles_by_title_fragment_case_insensitively(seeded: Services) -> None:
    """A unique part of a title, in any case, names the article."""
    assert seeded.summarize("PERSONAL LETTERS").article_id.startswith("2021-07-12")


def test_ambiguous_fragment_lists_the_candidates(seeded: Services) -> None:
    """A fragment several titles share is refused with the candidates named."""
    with pytest.raises(NotFound, match="articles match 'korea'"):
        seeded.summarize("korea")


def test_unknown_article_is_a_clear_error(seeded: Services) -> None:
    """A reference no article matches points to `yalu sources`."""
    with pytest.raises(NotFound, match="yalu sources"):
        seeded.summarize("Moon Jae-in visits Pyongyang")


def test_url_is_refused_until_url_ingestion_exists(seeded: Services) -> None:
    """A URL gets one clear line instead of a fetch."""
    with pytest.raises(BadQuestion, match="URL"):
        seeded.summarize("https://example.org/news/1")


def test_a_file_is_summarised_without_indexing_it(seeded: Services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`summarize FILE` reads the file; the index is unchanged."""
    source = next(KNOWLEDGE.glob("2021-07-12*.md")).read_text(encoding="utf-8")
    path = tmp_path / "copy.md"
    path.write_text(source.replace("id: 2021-07-12-", "id: copy-2021-07-12-"), encoding="utf-8")
    before = seeded.store.count_articles()
    summary = seeded.summarize(str(path))
    assert summary.article_id.startswith("copy-") and summary.bullets
    assert seeded.store.count_articles() == before


def test_the_core_reads_no_file_for_a_caller_that_may_not_name_one(seeded: Services, tmp_path: Path) -> None:
    """`summarize(path, files=False)` (what Discord calls) looks the path up as a title and never reads it."""
    from bot.errors import NotFound

    path = tmp_path / "secret.md"
    path.write_text("---\nid: secret\ntitle: Secret\n---\n\nNot for Discord.\n", encoding="utf-8")
    with pytest.raises(NotFound, match="no indexed article matches"):
        seeded.summarize(str(path), files=False)
