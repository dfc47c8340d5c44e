"""Guard rails without Discord: allowed guilds and channels, the admin role, the per-user cooldown."""

from __future__ import annotations

from pathlib import Path

from bot.discord_app.guards import Cooldown, allowed_place, has_role
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
