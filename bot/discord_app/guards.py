"""Who may use the bot where, and how often: plain rules over ids and names, tested without Discord."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from bot.config import Settings


def allowed_place(settings: Settings, guild_id: int | None, channel_ids: Iterable[int]) -> bool:
    """Whether the bot answers in this guild and channel (a thread counts as its parent channel).

    Empty allow-lists allow everything; with a guild list set, direct messages are refused.
    """
    if settings.discord_guild_ids and guild_id not in settings.discord_guild_ids:
        return False
    channels = set(settings.discord_channel_ids)
    return not channels or any(c in channels for c in channel_ids)


def has_role(roles: Iterable[tuple[int, str]], wanted: str) -> bool:
    """Whether any (id, name) role matches the setting, given as a role id or a role name (any case)."""
    wanted = wanted.strip()
    return any(str(role_id) == wanted or name.casefold() == wanted.casefold() for role_id, name in roles)


class Cooldown:
    """A per-user pause between slow commands, so one person cannot keep the core busy."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        """Allow one slow command per user every `seconds`."""
        self.seconds = seconds
        self.clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the use is counted, or the seconds the user still has to wait."""
        now = self.clock()
        wait = self._last.get(user_id, float("-inf")) + self.seconds - now
        if wait > 0:
            return wait
        self._last[user_id] = now
        return 0.0
