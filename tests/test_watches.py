"""Watches end to end: a feed polled on a local HTTP server, its article indexed, the watch fires once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import BadQuestion, NotFound
from bot.feeds import FeedBook, poll_feeds
from bot.services import Services
from bot.watches import WatchBook, check_new
from tests.feed_site import Site, allow_private

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded_local(services: Services) -> Services:
    """The seed corpus indexed (the earlier coverage), fetching from 127.0.0.1 allowed for this test only."""
    services.ensure_index()
    return allow_private(services)


def _poll(services: Services, site: Site, *paths: str) -> None:
    for path in paths:
        FeedBook(services.settings.data_dir).add(site.url(path), 1800, NOW)
    assert poll_feeds(services, NOW).added


def test_a_phrase_watch_fires_on_a_polled_article_with_the_cited_sentence(seeded_local: Services, site: Site) -> None:
    """A new article using the watched phrase raises one alert whose sentence is verbatim from its body."""
    WatchBook(seeded_local.settings.data_dir).add("phrase", "strategic communications", "cli")
    assert check_new(seeded_local, "cli") == []  # the seed articles were there before: a watch looks forward
    _poll(seeded_local, site, "rss.xml", "atom.xml")
    alerts = check_new(seeded_local, "cli")
    assert [a.title for a in alerts] == ["Xi tells Kim China will deepen strategic communication"]
    alert = alerts[0]
    body = seeded_local.store.article(alert.article_id).body  # type: ignore[union-attr]
    assert alert.sentence in body and alert.matched == "strategic communication"  # a variant matched
    assert alert.url == site.url("pages/xi-letter.html") and alert.sentence in alert.line()
    assert check_new(seeded_local, "cli") == []  # announced once


def test_a_topic_watch_fires_when_a_leaders_wording_changes(seeded_local: Services, site: Site) -> None:
    """Xi's new wording on friendship, against his earlier messages in the seed corpus, fires a topic watch."""
    book = WatchBook(seeded_local.settings.data_dir)
    book.add("topic", "friendship", "cli")
    book.add("topic", "nuclear tests", "cli")  # nothing new on this topic
    check_new(seeded_local, "cli")
    _poll(seeded_local, site, "rss.xml")
    alerts = check_new(seeded_local, "cli")
    assert [(a.watch.text, a.speaker, a.matched) for a in alerts] == [
        ("friendship", "Xi Jinping", "new chapter of friendship")
    ]
    assert "\u201cwrite a new chapter of friendship across the river\u201d" in alerts[0].sentence


def test_watches_survive_a_restart_and_fire_only_for_their_consumer(seeded_local: Services, site: Site) -> None:
    """Watches are read back from the data dir; a Discord watch is left to the bot, a terminal one to the CLI."""
    WatchBook(seeded_local.settings.data_dir).add("phrase", "Dandong", "discord:77", channel_id=5, guild_id=9)
    check_new(seeded_local, "discord")
    check_new(seeded_local, "cli")
    _poll(seeded_local, site, "rss.xml")
    assert check_new(seeded_local, "cli") == []
    reopened = WatchBook(seeded_local.settings.data_dir)  # as after a restart
    assert [w.describe() for w in reopened.watches("discord:77")] == ["#1 phrase \u201cDandong\u201d (<#5>)"]
    alerts = check_new(seeded_local, "discord")
    assert [(a.watch.user_id, a.watch.channel_id, a.matched) for a in alerts] == [(77, 5, "Dandong")]


def test_watches_refuse_bad_input_and_remove_only_their_owners(tmp_path: Path) -> None:
    """Empty, repeated and unknown watches are one clear error; another user's watch cannot be removed."""
    book = WatchBook(tmp_path)
    watch = book.add("phrase", "new era", "discord:1")
    for bad in ("", "x" * 101, "New  Era"):
        with pytest.raises(BadQuestion):
            book.add("phrase", bad, "discord:1")
    with pytest.raises(NotFound):
        book.remove(watch.id, "discord:2")
    assert book.remove(watch.id, "discord:1") == watch and book.watches() == []


def test_the_cli_prints_a_watch_alert_after_a_feed_poll(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu watch add` then `yalu feeds poll`: the poll's lines, then the alert with its sentence."""
    monkeypatch.setenv("YALU_URL_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    (tmp_path / "knowledge").mkdir()
    assert main(["watch", "add", "Sinuiju"]) == 0
    assert main(["watch", "check"]) == 0  # the first check: nothing indexed yet
    assert main(["feeds", "add", site.url("rss.xml")]) == 0
    assert main(["feeds", "poll"]) == 0
    out = capsys.readouterr().out
    head = "Watch \u201cSinuiju\u201d: Dandong bridge freight resumes after winter pause (Example Wire, 2026-11-21)"
    assert head in out
    assert "> Freight trucks crossed the Sino-Korean Friendship Bridge between Dandong and Sinuiju" in out
