"""The bounded work queue through the Discord harness: "queued, K ahead", the per-user and per-server bounds,
and the deadline that answers "too busy" instead of leaving "thinking…" forever."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.services import Services
from tests.test_discord_harness import Harness, bot_settings, settle, start

QUESTION = "What did Xi write to Kim in September 2023?"


@asynccontextmanager
async def _busy_core(harness: Harness) -> AsyncIterator[threading.Event]:
    """The core thread held by a slow job until the block ends (as a 100-article briefing would hold it)."""
    gate = threading.Event()
    slow = asyncio.ensure_future(harness.bot.core(gate.wait, 30))
    try:
        yield gate
    finally:
        gate.set()
        await slow


async def _until(condition: Any, seconds: float = 10.0) -> None:
    """Let the event loop run until `condition()` holds."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot did not get there in time")


def _contents(harness: Harness) -> Iterator[str]:
    return (str(m.get("content")) for m in harness.http.messages())


async def test_a_waiting_command_is_told_its_place_then_given_up_at_the_deadline(
    seeded: Services, tmp_path: Path
) -> None:
    """Behind a busy core: "Queued: 1 ahead of you…", then at the deadline one private "too busy" line."""
    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_deadline_s=0.5))
    try:
        async with _busy_core(harness):
            harness.dispatch("ask", question=QUESTION)
            await _until(lambda: any(r.method == "PATCH" for r in harness.http.requests))
            patched = next(r for r in harness.http.requests if r.method == "PATCH")
            assert patched.body["content"] == "Queued: 1 ahead of you\u2026"
            await _until(lambda: any("too busy" in c for c in _contents(harness)))
        await settle()
        last = harness.http.messages()[-1]
        assert last["content"] == "Yalu is too busy to answer in time; try again in a few minutes."
        assert last["flags"] & 64 and not harness.http.embeds()  # no answer came after it
    finally:
        await harness.stop()


async def test_a_second_waiting_command_of_one_user_is_refused(seeded: Services, tmp_path: Path) -> None:
    """With DISCORD_QUEUE_PER_USER=1, a user's second /ask while the first waits is refused; the first is answered."""
    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_queue_per_user=1))
    try:
        async with _busy_core(harness):
            harness.dispatch("ask", question=QUESTION)
            await _until(lambda: any(r.method == "PATCH" for r in harness.http.requests))
            harness.dispatch("ask", question="What did Kim write to Xi in 2021?")
            await _until(lambda: any("already have" in c for c in _contents(harness)))
        await settle()
        refused = next(m for m in harness.http.messages() if "already have" in str(m.get("content")))
        assert refused["content"] == "You already have a request waiting; try again once it is answered."
        assert refused["flags"] & 64
        assert [e["title"] for e in harness.http.embeds()][:1] == [QUESTION]  # the first was still answered
    finally:
        await harness.stop()


async def test_a_server_over_its_bound_is_refused_for_everyone(seeded: Services, tmp_path: Path) -> None:
    """With DISCORD_QUEUE_PER_SERVER=1, another member's /ask while one waits gets the server's busy line."""
    harness = await start(bot_settings(seeded, tmp_path / "bot", discord_queue_per_server=1))
    try:
        async with _busy_core(harness):
            harness.dispatch("ask", user=harness.member, question=QUESTION)
            await _until(lambda: any(r.method == "PATCH" for r in harness.http.requests))
            harness.dispatch("ask", user=harness.admin, question=QUESTION)
            await _until(lambda: any("this server" in c for c in _contents(harness)))
        await settle()
    finally:
        await harness.stop()
