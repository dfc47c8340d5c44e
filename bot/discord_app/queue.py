"""The bounded work queue in front of the core thread: how many wait per user and server, and a deadline.

There is one core thread (ingest stays serialised and the caches are not built for concurrent writers), so a
few heavy commands can keep everyone else waiting past Discord's 15-minute window for a follow-up. Each
command therefore counts against its user and server while it waits or runs; past the bound it is refused at
once, and a command still not answered at the deadline is given up with a "too busy" line instead of
leaving "thinking…" on screen forever.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import TypeVar

from bot.errors import Busy

T = TypeVar("T")


class WorkQueue:
    """Admission and deadline for core calls on behalf of users; the counting runs on the event loop only."""

    def __init__(self, per_user: int, per_server: int, deadline_s: float) -> None:
        """At most `per_user` and `per_server` calls waiting or running; each answered within `deadline_s`."""
        self.per_user = per_user
        self.per_server = per_server
        self.deadline_s = deadline_s
        self.in_flight = 0  # every core call, the cogs' included: what a new call waits behind
        self._users: Counter[int] = Counter()
        self._servers: Counter[int] = Counter()

    def admit(self, user: int, server: int | None) -> int:
        """Count a call in, or raise Busy; returns how many calls are ahead of it."""
        if self._users[user] >= self.per_user:
            waiting = "a request" if self._users[user] == 1 else f"{self._users[user]} requests"
            raise Busy(f"You already have {waiting} waiting; try again once it is answered.")
        if server is not None and self._servers[server] >= self.per_server:
            raise Busy("Yalu has too many requests from this server waiting; try again in a few minutes.")
        self._users[user] += 1
        if server is not None:
            self._servers[server] += 1
        return self.in_flight

    def release(self, user: int, server: int | None) -> None:
        """Count a call out (answered, failed or given up)."""
        self._users[user] -= 1
        if server is not None:
            self._servers[server] -= 1

    def remaining(self, started: float) -> float:
        """Seconds left before the deadline of a call that arrived at `started` (time.monotonic)."""
        return max(0.0, self.deadline_s - (time.monotonic() - started))


async def within(future: asyncio.Future[T], seconds: float) -> T:
    """The future's result, or Busy once `seconds` pass (a call not started yet is cancelled, never run)."""
    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout=seconds)
    except TimeoutError:
        future.cancel()  # only takes effect while it still waits for the core thread
        raise Busy("Yalu is too busy to answer in time; try again in a few minutes.") from None
