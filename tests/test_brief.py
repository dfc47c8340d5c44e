"""Briefings over windows of publication dates, and over the articles new since the last briefing."""

from __future__ import annotations

import datetime as dt
import shutil
from functools import partial

import pytest

from bot.analysis.phrases import corpus_articles
from bot.corpus import Article, parse_markdown
from bot.dates import Window
from bot.digest.brief import Briefing, also_reported_line, make_briefing
from bot.digest.select import briefing_window
from bot.digest.summarize import PRINCIPALS, Embed
from bot.errors import BadQuestion
from bot.ingest.ingestor import embed_texts
from bot.services import Services
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


@pytest.fixture(scope="module")
def september(seeded: Services) -> Briefing:
    """The briefing of September 2023 (the seed corpus's one article of that month)."""
    return seeded.brief(date="2023-09")


@pytest.fixture(scope="module")
def everything(seeded: Services) -> Briefing:
    """A briefing of the five seed articles and the three planted reports of one letter."""
    articles = [*corpus_articles(seeded.store), *PLANTED]
    return make_briefing(Window(dt.date(2021, 1, 1), dt.date(2025, 12, 31)), articles, [], _embed(seeded))


def test_briefing_reports_new_and_dropped_wording(seeded: Services, september: Briefing) -> None:
    """September 2023: "new era" is new, October 2022's "critical juncture" is dropped, each cited verbatim."""
    briefing = september
    new = {c.phrase for c in briefing.changes if c.kind == "new"}
    dropped = {c.phrase for c in briefing.changes if c.kind == "dropped"}
    assert "new era" in new and "critical juncture" in dropped
    assert all(c.speaker in PRINCIPALS for c in briefing.changes)
    by_n = {c.n: c for c in briefing.citations}
    for change in briefing.changes:
        assert change.compared_with == "the speakers' statements reported from 2021-03-23 on"
        use = by_n[change.n] if change.kind != "dropped" and change.n else change.earlier_use
        assert use is not None
        article = seeded.store.article(use.article_id)
        assert article is not None and use.quote == article.body[use.start : use.end]
        if change.kind != "dropped":
            assert use.article_id.startswith("2023-09") and change.said == "2023-09"


def test_last_years_wording_quoted_in_2023_is_not_new(september: Briefing) -> None:
    """“a good comrade, good neighbour and good friend” is last year's message, so nothing of it is new in 2023."""
    briefing = september
    new = [c.phrase.lower() for c in briefing.changes if c.kind in ("new", "returning")]
    assert not any("good friend" in p or "good neighbour" in p for p in new)
    dropped = next(c for c in briefing.changes if c.kind == "dropped" and "good friend" in c.phrase)
    assert dropped.earlier_said == "2022"  # dated by the statement it reports, not by the 2023 article


def test_a_variant_in_the_period_is_not_dropped(september: Briefing) -> None:
    """2022's “bilateral strategic communication” is not dropped: 2023 says “strengthen strategic communication”."""
    briefing = september
    assert not any("strategic communication" in c.phrase for c in briefing.changes if c.kind == "dropped")


def test_returning_wording_names_its_last_use(september: Briefing) -> None:
    """“changes unseen in a century” returns in 2023, its last use Xi's July 2021 letter, cited from that article."""
    briefing = september
    change = next(c for c in briefing.changes if c.phrase == "changes unseen in a century")
    assert change.kind == "returning" and change.note == "first since July 2021"
    assert change.earlier_said == "2021-07-11" and change.earlier_use is not None
    assert change.earlier_use.article_id.startswith("2021-07-12") and "century" in change.earlier_use.quote
    assert change.to_json()["earlier_use"]["quote"] == change.earlier_use.quote


def test_three_reports_of_one_letter_are_one_story(seeded: Services) -> None:
    """Three outlets reporting Xi's September 2024 letter make one story with three cited sources."""
    briefing = make_briefing(Window(dt.date(2024, 9, 1), dt.date(2024, 9, 30)), PLANTED, [], _embed(seeded))
    assert len(briefing.stories) == 1
    story = briefing.stories[0]
    assert story.kind == "letter" and {s.outlet for s in story.sources} == {"Yonhap", "Xinhua", "NK News"}
    by_n = {c.n: c for c in briefing.citations}
    assert all(by_n[s.n].article_id == s.article_id for s in story.sources)
    assert {i.article_id for i in briefing.items} == {a.id for a in PLANTED}
    assert briefing.to_json()["stories"][0]["sources"][2]["outlet"] in {"Yonhap", "Xinhua", "NK News"}


def test_a_briefing_of_the_corpus_fits_one_discord_message(everything: Briefing) -> None:
    """Five seed articles and three planted reports: one Discord message, stories first, every article cited."""
    from bot.discord_app.render import pack, reply_embeds
    from bot.present.replies import briefing_reply

    briefing = everything
    reply = briefing_reply(briefing)
    assert len(pack(reply_embeds(reply))) == 1
    assert len(briefing.stories) == 6 and reply.blocks[1].heading == briefing.stories[0].label + " (2024-09-09)"
    assert len([i for i in briefing.items if i.citations]) == len(briefing.items) == 8


def test_stories_beyond_the_lead_are_one_line_each(everything: Briefing) -> None:
    """Past five stories, the rest are "also reported" lines naming each source with its citation."""
    briefing = everything
    assert len(briefing.lead_stories) == 5 and len(briefing.also_reported) == 1
    line = also_reported_line(briefing.also_reported[0])
    assert all(f"[{s.n}]" in line for s in briefing.also_reported[0].sources)


def _embed(services: Services) -> Embed:
    return partial(embed_texts, services.embeddings)


def _planted(outlet: str, day: str, body: str) -> Article:
    meta = f"id: planted-{outlet.lower().replace(' ', '-')}\ntitle: Xi sends letter to Kim ({outlet})\noutlet: {outlet}"
    return parse_markdown(f"---\n{meta}\npublished: '{day}'\npublished_precision: day\n---\n{body}")


PLANTED = [
    _planted(
        "Yonhap",
        "2024-09-10",
        "Chinese President Xi Jinping sent a congratulatory message to North Korean leader Kim Jong-un on Monday "
        "to mark the 76th founding anniversary of the North, calling the two countries “good neighbours and good "
        "friends”, the Korean Central News Agency said.\n\nThe message was the first of its kind this year.",
    ),
    _planted(
        "Xinhua",
        "2024-09-09",
        "Xi Jinping on Sept. 9 sent a message of congratulations to Kim Jong-un on the 76th anniversary of the "
        "founding of the DPRK.\n\nIn the message, Xi said China is willing to work with the DPRK to “write a new "
        "chapter” in bilateral relations.",
    ),
    _planted(
        "NK News",
        "2024-09-11",
        "Xi Jinping’s letter to Kim Jong-un, dated Sept. 9, praised “good neighbours and good friends” in an unusually "
        "brief note, North Korean state media reported on Wednesday.\n\nAnalysts said the short text reflected cooler "
        "ties between the two capitals this year.",
    ),
]
