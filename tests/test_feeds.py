"""Feeds: real RSS and Atom files on a real local HTTP server, polled into a real Chroma index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import BadQuestion, NotFound
from bot.feeds import FeedBook, parse_every, poll_feeds
from bot.services import Services
from tests.feed_site import Site, allow_private

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def local(services: Services) -> Services:
    """The empty store's services, allowed to fetch from 127.0.0.1 (for this test only)."""
    return allow_private(services)


def _subscribe(services: Services, site: Site, *paths: str) -> None:
    book = FeedBook(services.settings.data_dir)
    for path in paths:
        book.add(site.url(path), 1800, NOW - dt.timedelta(days=1))


def test_new_items_of_rss_and_atom_are_indexed_and_saved(local: Services, site: Site) -> None:
    """Each item of an RSS and an Atom feed is fetched, indexed, and saved into the knowledge folder."""
    _subscribe(local, site, "rss.xml", "atom.xml")
    report = poll_feeds(local, NOW)
    assert [o.status for o in report.outcomes] == ["new", "new"]
    assert [len(o.added) for o in report.outcomes] == [2, 1]
    titles = {a.title for a in local.store.articles()}
    assert "Chinese delegation meets Kim in Pyongyang" in titles
    assert "Dandong bridge freight resumes after winter pause" in titles
    for article_id in report.added:
        saved = local.settings.knowledge_dir / f"{article_id}.md"
        assert saved.is_file() and site.base in saved.read_text(encoding="utf-8")  # its URL is recorded
    xi = next(a for a in local.store.articles() if a.title.startswith("Xi tells Kim"))
    assert xi.outlet == "Example Wire" and xi.published == dt.date(2026, 11, 20)


def test_an_unchanged_feed_is_answered_304_and_nothing_is_fetched_again(local: Services, site: Site) -> None:
    """The second poll sends the ETag and Last-Modified it was given; the 304s leave the index as it was."""
    _subscribe(local, site, "rss.xml", "atom.xml")
    poll_feeds(local, NOW)
    pages_before = len([h for h in site.hits if h[0].startswith("/pages/")])
    again = poll_feeds(local, NOW + dt.timedelta(hours=1))
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"]
    assert site.statuses("rss.xml") == [200, 304] and site.statuses("atom.xml") == [200, 304]
    rss_second = [h for h in site.hits if h[0] == "/rss.xml"][-1]
    atom_second = [h for h in site.hits if h[0] == "/atom.xml"][-1]
    assert rss_second[1] and atom_second[2] == "Sun, 22 Nov 2026 10:00:00 GMT"
    assert len([h for h in site.hits if h[0].startswith("/pages/")]) == pages_before
    assert again.added == []


def test_a_malformed_feed_is_one_line_and_the_others_are_still_polled(local: Services, site: Site) -> None:
    """A document that is no feed gives one clear line; the feed after it is polled as usual."""
    _subscribe(local, site, "broken.xml", "missing.xml", "atom.xml")
    report = poll_feeds(local, NOW)
    assert [o.status for o in report.outcomes] == ["failed", "failed", "new"]
    broken, missing, _ = report.lines()
    assert broken.startswith(site.url("broken.xml")) and "not an RSS or Atom feed" in broken and "\n" not in broken
    assert "HTTP 404" in missing
    assert FeedBook(local.settings.data_dir).feeds()[0].last_error == broken


def test_a_feed_of_duplicates_adds_nothing(local: Services, site: Site) -> None:
    """Items whose pages repeat indexed articles under other titles are dropped as near-duplicates."""
    _subscribe(local, site, "rss.xml")
    poll_feeds(local, NOW)
    count = local.store.count_articles()
    _subscribe(local, site, "dupes.xml")
    report = poll_feeds(local, NOW + dt.timedelta(hours=1))
    dupes = report.outcomes[-1]
    assert dupes.status == "nothing new" and dupes.duplicates == 2 and dupes.added == []
    assert "2 duplicates dropped" in dupes.line()
    assert local.store.count_articles() == count
    assert len(FeedBook(local.settings.data_dir).feeds()[-1].seen) == 2  # not fetched again next time


def test_feeds_are_polled_only_when_due(local: Services, site: Site) -> None:
    """A feed polled half an hour ago with a 2-hour interval is not polled again; `due_only=False` polls it."""
    FeedBook(local.settings.data_dir).add(site.url("atom.xml"), parse_every("2h"), NOW)
    poll_feeds(local, NOW)
    assert poll_feeds(local, NOW + dt.timedelta(minutes=30)).outcomes == []
    assert [o.status for o in poll_feeds(local, NOW + dt.timedelta(minutes=30), due_only=False).outcomes] == [
        "unchanged"
    ]


def test_intervals_and_subscriptions_refuse_bad_input(tmp_path: Path) -> None:
    """Intervals read 30m, 2h, 1d; too often, unknown units, repeats and unknown feeds are refused."""
    assert [parse_every(t) for t in ("30m", "2h", "1d", "45")] == [1800, 7200, 86400, 2700]
    for bad in ("1m", "soon", "2w"):
        with pytest.raises(BadQuestion):
            parse_every(bad)
    book = FeedBook(tmp_path)
    book.add("https://example.org/feed", 1800, NOW)
    with pytest.raises(BadQuestion):
        book.add("https://example.org/feed", 1800, NOW)
    with pytest.raises(NotFound):
        book.remove("2")
    assert book.remove("1").url == "https://example.org/feed" and book.feeds() == []


def test_the_cli_adds_lists_polls_and_removes(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu feeds add/list/poll/remove` in one session, the poll reporting one line per feed."""
    monkeypatch.setenv("YALU_URL_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    (tmp_path / "knowledge").mkdir()
    assert main(["feeds", "add", site.url("atom.xml"), "--every", "2h"]) == 0
    assert main(["feeds", "list"]) == 0
    assert main(["feeds", "poll"]) == 0
    assert main(["feeds", "remove", site.url("atom.xml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"added feed {site.url('atom.xml')}, polled every 2h"
    assert out[1].startswith(f"1. {site.url('atom.xml')} (every 2h; not polled yet")
    assert out[2] == f"{site.url('atom.xml')}: 1 new article"
    assert out[-1] == f"removed feed {site.url('atom.xml')}"


def test_an_unreadable_feed_list_is_one_line_and_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged feeds.json (or watches.json) stops the command with one line; the file is left as it was."""
    monkeypatch.setenv("YALU_DATA_DIR", str(tmp_path))
    for name, argv in (
        ("feeds.json", ["feeds", "add", "https://example.org/rss"]),
        ("watches.json", ["watch", "list"]),
    ):
        (tmp_path / name).write_text('{"feeds": [', encoding="utf-8")
        assert main(argv) == 1
        line = capsys.readouterr().err.strip()
        assert line.startswith(f"yalu: {tmp_path / name}: cannot read") and "\n" not in line
        assert (tmp_path / name).read_text(encoding="utf-8") == '{"feeds": ['
