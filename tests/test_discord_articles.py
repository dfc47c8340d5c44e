"""New articles: /add by an admin, or `yalu ingest` in another process, is announced once, pinging nobody."""

from __future__ import annotations

from pathlib import Path

from bot.services import Services, build_services
from tests.test_discord_harness import bot_settings, start

ARTICLES_CHANNEL = "articles_channel_id"
ARTICLE = """---
title: China and North Korea sign a border trade protocol in Dandong
outlet: Test Wire
published: '2024-05-02'
---

@everyone in Dandong watched as Chinese and North Korean officials signed a border trade protocol on Thursday, \
the city government said.

The protocol expands barter trade across the bridge over the Yalu River, according to a statement from the \
Chinese commerce ministry.

\u201cThis opens a new chapter of friendship and cooperation,\u201d Kim Jong-un said in a message relayed by KCNA.

Analysts said the deal would mostly benefit traders in Sinuiju and Dandong.
"""
ARTICLE_ID = "2024-05-02-china-and-north-korea-sign-a-border-trade-protoc"


def _article(folder: Path) -> Path:
    path = folder / "dandong.md"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


async def test_admin_add_indexes_and_announces_once_without_pings(services: Services, tmp_path: Path) -> None:
    """An admin's /add indexes the file and posts its summary once to the articles channel, with no pings."""
    harness = await start(bot_settings(services, services.settings.data_dir, **{ARTICLES_CHANNEL: 1}))
    try:
        harness.bot.settings.articles_channel_id = harness.channel.id
        await harness.slash("add", user=harness.admin, file=_article(tmp_path))
        added = harness.http.embeds()[0]
        assert added["title"] == "Article added" and ARTICLE_ID in added["description"]
        (announcement,) = harness.posts_in(harness.channel.id)
        embed = announcement["embeds"][0]
        assert embed["title"].startswith("New article: China and North Korea sign")
        assert "@\u200beveryone" in embed["description"] and "@everyone" not in embed["description"]  # shown, inert
        assert announcement["allowed_mentions"] == {"parse": []}
        assert all(m["allowed_mentions"] == {"parse": []} for m in harness.http.messages())
        assert await harness.bot.get_cog("ArticleWatcher").check() == []  # type: ignore[union-attr]
        assert len(harness.posts_in(harness.channel.id)) == 1
    finally:
        await harness.stop()


async def test_an_article_ingested_by_another_process_is_announced_once_across_restarts(
    services: Services, tmp_path: Path
) -> None:
    """The periodic check announces an article `yalu ingest` added elsewhere; a restarted bot does not repeat it."""
    settings = bot_settings(services, services.settings.data_dir, **{ARTICLES_CHANNEL: 1})
    first = await start(settings)
    try:
        first.bot.settings.articles_channel_id = first.channel.id
        build_services(services.settings).ingest([_article(tmp_path)])  # another process, same data dir
        watcher = first.bot.get_cog("ArticleWatcher")
        (posted,) = await watcher.check()  # type: ignore[union-attr]
        assert posted.startswith(f"{ARTICLE_ID}-")  # a file from elsewhere: its id ends in a hash of its path
        assert await watcher.check() == []  # type: ignore[union-attr]
        assert (await first.bot.articles(max_age=0))[0].id == posted
    finally:
        await first.stop()
    again = await start(settings)
    try:
        again.bot.settings.articles_channel_id = again.channel.id
        assert await again.bot.get_cog("ArticleWatcher").check() == []  # type: ignore[union-attr]
        assert again.posts_in(again.channel.id) == []
    finally:
        await again.stop()
