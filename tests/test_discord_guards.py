"""Guard rails without Discord: allowed guilds and channels, the admin role, the per-user cooldown."""

from __future__ import annotations

from pathlib import Path

from bot.discord_app.guards import Cooldown, allowed_place, has_role
from bot.services import Services
from tests.conftest import make_settings


def test_empty_allow_lists_allow_everywhere(tmp_path: Path) -> None:
    """With no guild or channel ids set, every guild and channel is allowed."""
    assert allowed_place(make_settings(tmp_path, tmp_path), 5, [6])


def test_guild_and_channel_lists_are_both_enforced(tmp_path: Path) -> None:
    """A listed guild in an unlisted channel is refused; a thread counts as its parent channel."""
    settings = make_settings(tmp_path, tmp_path, DISCORD_GUILD_IDS="1, 2", DISCORD_CHANNEL_IDS="10")
    assert allowed_place(settings, 1, [10]) and allowed_place(settings, 2, [99, 10])
    assert not allowed_place(settings, 1, [11]) and not allowed_place(settings, 3, [10])
    assert not allowed_place(settings, None, [10])  # a direct message when guilds are listed


def test_admin_role_matches_by_name_or_id() -> None:
    """The admin role may be given as a name (any case) or as an id."""
    roles = [(7, "Analysts"), (8, "Yalu Admin")]
    assert has_role(roles, "yalu admin") and has_role(roles, "8") and not has_role(roles, "Editors")


def test_cooldown_is_per_user_and_expires() -> None:
    """A second slow command within the cooldown waits; another user does not; after it, all is free."""
    now = [100.0]
    cooldown = Cooldown(10, clock=lambda: now[0])
    assert cooldown.retry_after(1) == 0 and cooldown.retry_after(2) == 0
    now[0] = 104.0
    assert cooldown.retry_after(1) == 6.0
    now[0] = 110.0
    assert cooldown.retry_after(1) == 0


def test_cooldown_holds_under_a_burst() -> None:
    """A hundred slow commands at the same instant from three users: exactly one per user goes through."""
    cooldown = Cooldown(10, clock=lambda: 500.0)
    passed = [user for _ in range(100) for user in (1, 2, 3) if cooldown.retry_after(user) == 0]
    assert sorted(passed) == [1, 2, 3]


async def test_a_burst_of_slash_commands_gets_one_answer(seeded: Services, tmp_path: Path) -> None:
    """Five /ask from one member delivered together: one is answered, four get the ephemeral wait line."""
    import asyncio

    from tests.test_discord_harness import bot_settings, start

    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_cooldown_s=60.0))
    try:
        question = "What did Xi write to Kim in September 2023?"
        await asyncio.gather(*(harness.slash("ask", question=question) for _ in range(5)))
        messages = harness.http.messages()
        waits = [m for m in messages if "again in" in (m.get("content") or "")]
        answers = [m for m in messages if any(e.get("title") == question for e in m.get("embeds", []))]
        assert len(waits) == 4 and all(m["flags"] & 64 for m in waits) and len(answers) == 1
    finally:
        await harness.stop()


async def test_a_non_admin_cannot_add_a_url(seeded: Services, tmp_path: Path) -> None:
    """/add with a URL by a member without the admin role is refused before anything is fetched."""
    from tests.test_discord_harness import bot_settings, start

    harness = await start(bot_settings(seeded, tmp_path / "bot", url_allow_private=True))
    try:
        await harness.slash("add", user=harness.member, url="http://127.0.0.1:9/never-fetched")
        reply = harness.http.messages()[-1]
        assert reply["flags"] & 64 and "Yalu admin" in reply["content"]
        assert len(harness.bot.services.store.articles()) == 5
    finally:
        await harness.stop()
