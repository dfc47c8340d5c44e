"""Briefings over windows of publication dates, and over the articles new since the last briefing."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from bot.errors import BadQuestion
from bot.services import Services, briefing_window
from tests.conftest import FIXTURES


def test_september_2023_briefing_cites_only_the_2023_article(seeded: Services) -> None:
    """The 2023-09 window's items, quotes and citations all come from the September 2023 article."""
    briefing = seeded.brief(since="2023-09-01", until="2023-09-30")
    assert briefing.status == "ok"
    assert {i.article_id[:7] for i in briefing.items} == {"2023-09"}
    assert briefing.citations and {c.article_id[:7] for c in briefing.citations} == {"2023-09"}
    assert briefing.quotes and all(q.speaker for q in briefing.quotes)


def test_briefing_quotes_are_verbatim(seeded: Services) -> None:
    """Every citation of a year's briefing is the article body at its offsets."""
    briefing = seeded.brief(date="2021")
    for c in briefing.citations:
        article = seeded.store.article(c.article_id)
        assert article is not None and article.body[c.start : c.end] == c.quote
    assert [i.published.isoformat() for i in briefing.items if i.published] == ["2021-03-23", "2021-07-12"]


def test_empty_window_says_so_and_names_the_latest_article(seeded: Services) -> None:
    """A window with no article is `empty`, says so plainly and names the latest article."""
    briefing = seeded.brief(since="2020-01-01", until="2020-12-31")
    assert briefing.status == "empty" and not briefing.citations
    assert "No article in the corpus was published between 2020-01-01 and 2020-12-31" in briefing.overview
    assert "China prepares to strengthen strategic cooperation" in briefing.overview


def test_default_briefing_covers_the_last_seven_days() -> None:
    """Without options, the window is the seven days up to today."""
    window = briefing_window(None, None, None, None, dt.date(2026, 11, 23))
    assert (window.since, window.until) == (dt.date(2026, 11, 17), dt.date(2026, 11, 23))


def test_date_may_be_a_month() -> None:
    """--date 2023-09 covers the whole month."""
    window = briefing_window(None, None, "2023-09", None, dt.date(2026, 1, 1))
    assert (window.since, window.until) == (dt.date(2023, 9, 1), dt.date(2023, 9, 30))


def test_date_and_range_together_are_refused() -> None:
    """--date with --since is one clear error."""
    with pytest.raises(BadQuestion, match="either --date or --since"):
        briefing_window("2023-01-01", None, "2023-09", None, dt.date(2026, 1, 1))


def test_new_briefing_covers_each_article_once(services: Services) -> None:
    """--new covers everything at first, nothing once delivered, then only an article added or updated after."""
    services.ensure_index()
    first = services.brief(new=True)
    assert len(first.items) == 5
    assert services.brief(new=True).status == "ok"  # not delivered yet: still new
    services.mark_briefed(first)
    nothing = services.brief(new=True)
    assert nothing.status == "empty" and "since the last briefing" in nothing.overview
    raw = FIXTURES / "raw"
    sample = sorted(raw.glob("*.txt"))[0]
    shutil.copy(sample, services.settings.knowledge_dir.parent / "fresh.txt")
    article_text = sample.read_text(encoding="utf-8") + "\n\nA paragraph added in a later edition of the page."
    (services.settings.knowledge_dir.parent / "fresh.txt").write_text(article_text, encoding="utf-8")
    services.ingest([services.settings.knowledge_dir.parent / "fresh.txt"])
    again = services.brief(new=True)
    assert again.status == "ok" and len(again.items) == 1


def test_briefing_reports_new_and_dropped_wording(seeded: Services) -> None:
    """September 2023 against the year before: "new era" is new, October 2022's "critical juncture" is gone."""
    briefing = seeded.brief(date="2023-09")
    new = {c.phrase for c in briefing.changes if c.kind == "new"}
    dropped = {c.phrase for c in briefing.changes if c.kind == "dropped"}
    assert "new era" in new and "critical juncture" in dropped
    assert all(c.speaker in {"Xi Jinping", "Kim Jong-un", "Workers' Party of Korea"} for c in briefing.changes)
    by_n = {c.n: c for c in briefing.citations}
    for change in briefing.changes:
        assert change.compared_with == "coverage of 2022-10-16"
        use = by_n[change.n] if change.kind == "new" and change.n else change.earlier_use
        assert use is not None and use.article_id[:7] == ("2023-09" if change.kind == "new" else "2022-10")
        article = seeded.store.article(use.article_id)
        assert article is not None and use.quote == article.body[use.start : use.end]
