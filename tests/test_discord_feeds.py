"""/feeds, /watch and /watches through the Discord harness: a feed on a local HTTP server, polled, announced
once, and a member's watch alerted in the channel where it was set."""

from __future__ import annotations

from typing import Any

import discord

from bot.services import Services
from tests.feed_site import Site, allow_private
from tests.test_discord_harness import APP_ID, Harness, bot_settings, start


def _local(services: Services, **extra: Any) -> Services:
    """The bot's settings over the empty store, fetching from 127.0.0.1 allowed for this test only."""
    return allow_private(bot_settings(services, services.settings.data_dir, articles_channel_id=1, **extra))


async def _feeds(harness: Harness, sub: str, user: discord.Member, **options: str) -> str:
    """Run /feeds <sub> and return the text of the bot's last reply."""
    payload = harness._base(2, user, None)
    nested = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
    payload["data"] = {
        "id": str(APP_ID + 2),
        "name": "feeds",
        "type": 1,
        "options": [{"type": 1, "name": sub, "options": nested}],
    }
    await harness.interact(payload)
    return str(harness.http.messages()[-1].get("content"))


def _last(harness: Harness) -> str:
    return str(harness.http.messages()[-1].get("content"))


async def test_a_polled_feed_is_announced_once_and_fires_a_members_watch(services: Services, site: Site) -> None:
    """Admin adds and polls a feed; each new article is announced once; a member's watch alerts them here."""
    harness = await start(_local(services))
    try:
        harness.bot.settings.articles_channel_id = harness.channel.id
        await harness.slash("watch", user=harness.member, text="strategic communication")
        assert _last(harness).startswith("Watching phrase \u201cstrategic communication\u201d (#1)")
        assert await _feeds(harness, "add", harness.admin, url=site.url("rss.xml"), every="1h") == (
            f"Added the feed {site.url('rss.xml')}, polled every 1h; new items are posted."
        )
        assert await _feeds(harness, "poll", harness.admin) == f"{site.url('rss.xml')}: 2 new articles"
        posts = harness.posts_in(harness.channel.id)
        announced = [p["embeds"][0]["title"] for p in posts if p.get("embeds")]
        assert sorted(announced) == [
            "New article: Dandong bridge freight resumes after winter pause",
            "New article: Xi tells Kim China will deepen strategic communication",
        ]
        (alert,) = [p for p in posts if p.get("content")]
        assert alert["content"].startswith(
            f"<@{harness.member.id}> Watch \u201cstrategic communication\u201d: Xi tells"
        )
        assert "> Chinese President Xi Jinping told North Korean leader Kim Jong-un" in alert["content"]
        assert alert["allowed_mentions"] == {"parse": [], "users": [harness.member.id]}  # the watcher only
        assert await _feeds(harness, "poll", harness.admin) == f"{site.url('rss.xml')}: unchanged since the last poll"
        assert len(harness.posts_in(harness.channel.id)) == len(posts)  # nothing announced or alerted twice
    finally:
        await harness.stop()


async def test_feeds_are_refused_to_members_without_the_admin_role(services: Services, site: Site) -> None:
    """A member's /feeds add is one ephemeral line naming the role; no feed is added."""
    harness = await start(_local(services))
    try:
        reply = await _feeds(harness, "add", harness.member, url=site.url("rss.xml"))
        assert "Yalu admin" in reply and harness.http.messages()[-1]["flags"] & 64
        assert await _feeds(harness, "list", harness.admin) == "No feeds yet: add one with /feeds add."
        assert await _feeds(harness, "add", harness.admin, url="ftp://example.org/feed") == (
            "'ftp://example.org/feed': a feed address starts with http:// or https://"
        )
    finally:
        await harness.stop()


async def test_watches_are_listed_removed_and_survive_a_restart(services: Services) -> None:
    """/watches lists the member's own watches after a restart; remove takes one away; others' are untouched."""
    settings = _local(services)
    first = await start(settings)
    try:
        await first.slash("watch", user=first.member, text="new era", kind="topic", dm=True)
        assert "you are told by direct message" in _last(first)
        await first.slash("watch", user=first.admin, text="Dandong")
    finally:
        await first.stop()
    again = await start(settings)  # a new bot over the same data dir: the same people, by id
    member, admin = first.member, first.admin
    try:
        await again.slash("watches", user=member)
        assert _last(again) == "#1 topic \u201cnew era\u201d (by DM)"
        await again.slash("watches", user=member, remove=2)
        assert _last(again) == "you have no watch #2: list them to see their numbers"
        await again.slash("watches", user=member, remove=1)
        await again.slash("watches", user=member)
        assert _last(again) == "You watch nothing yet: /watch PHRASE or a topic."
        await again.slash("watches", user=admin)
        assert _last(again) == f"#2 phrase \u201cDandong\u201d (<#{first.channel.id}>)"
    finally:
        await again.stop()


async def test_a_watch_set_with_dm_is_alerted_by_direct_message(services: Services, site: Site) -> None:
    """/watch dm:True: the alert goes to the member's direct messages, not to the channel."""
    harness = await start(_local(services))
    try:
        harness.bot.settings.articles_channel_id = harness.channel.id
        await harness.slash("watch", user=harness.member, text="Sinuiju", dm=True)
        await _feeds(harness, "add", harness.admin, url=site.url("rss.xml"))
        await _feeds(harness, "poll", harness.admin)
        assert not [p for p in harness.posts_in(harness.channel.id) if p.get("content")]  # nothing in the channel
        dms = [(where, p) for where, p in harness.channel_posts if where != harness.channel.id]
        ((where, alert),) = dms
        assert harness.bot.get_channel(where).type.name == "private"  # type: ignore[union-attr]
        assert alert["content"].startswith("Watch \u201cSinuiju\u201d: Dandong bridge freight resumes")
        assert alert["allowed_mentions"] == {"parse": []}
    finally:
        await harness.stop()


async def test_feed_downloads_do_not_wait_for_a_busy_core_thread(services: Services, site: Site) -> None:
    """While the core thread is busy, a round already downloads the feed and its pages; only indexing waits."""
    import asyncio
    import threading

    from bot.discord_app.cogs.feeds import FeedPoller

    harness = await start(_local(services))
    gate = threading.Event()
    try:
        await _feeds(harness, "add", harness.admin, url=site.url("rss.xml"))
        poller = harness.bot.get_cog("FeedPoller")
        assert isinstance(poller, FeedPoller)
        busy = asyncio.ensure_future(harness.bot.core(gate.wait, 30))
        polling = asyncio.ensure_future(poller.round(due_only=False))
        for _ in range(500):  # up to 10 s for both pages to be fetched
            if len([h for h in site.hits if h[0].startswith("/pages/")]) == 2:
                break
            await asyncio.sleep(0.02)
        assert sorted(h[0] for h in site.hits if h[0].startswith("/pages/")) == [
            "/pages/dandong.html",
            "/pages/xi-letter.html",
        ]
        assert not polling.done()  # the indexing waits for the core thread
        gate.set()
        await busy
        report = await polling
        assert len(report.added) == 2
    finally:
        gate.set()
        await harness.stop()


async def test_a_poll_that_outlasts_the_deadline_replies_and_goes_on(services: Services, site: Site) -> None:
    """/feeds poll past DISCORD_DEADLINE_S says the poll goes on; its articles are still indexed."""
    import asyncio
    import threading

    harness = await start(_local(services, discord_deadline_s=0.3))
    gate = threading.Event()
    try:
        await _feeds(harness, "add", harness.admin, url=site.url("rss.xml"))
        busy = asyncio.ensure_future(harness.bot.core(gate.wait, 30))  # the indexing will wait past the deadline
        reply = await _feeds(harness, "poll", harness.admin)
        assert reply == "The poll is still running; its new articles are announced as they arrive."
        gate.set()
        await busy
        for _ in range(500):
            if harness.bot.services.store.count_articles() == 2:
                break
            await asyncio.sleep(0.02)
        assert harness.bot.services.store.count_articles() == 2
    finally:
        gate.set()
        await harness.stop()
