"""Event-loop lag while many /ask are answered at once, through the real discord.py bot.

    python -m benchmarks.loop_lag [--asks 50] [--data DIR --knowledge DIR] [--json]

The bot runs against the test suite's Discord stand-in (tests/test_discord_harness.py): discord.py
builds real interactions, only the network is local. A heartbeat coroutine asks the loop to wake it
every 10 ms; how late it wakes is the lag a gateway heartbeat or another user's command would feel.
It is measured at rest first (the floor of this machine), then while all the asks are answered.
Without --data, an index of the five seed articles is built in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.bench.measure import percentile
from bot.bench.questions import QUESTIONS
from bot.config import Settings
from bot.services import Services, build_services
from tests.conftest import KNOWLEDGE
from tests.test_discord_harness import bot_settings, start

TICK_S = 0.010


class Heartbeat:
    """A coroutine that sleeps TICK_S again and again and records how late each wake-up is (ms)."""

    def __init__(self) -> None:
        """Start with no samples; `run` collects them until `stop`."""
        self.lags_ms: list[float] = []
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        """Sleep, note the delay beyond TICK_S, repeat until stopped."""
        while not self._stopped.is_set():
            start = time.perf_counter()
            await asyncio.sleep(TICK_S)
            self.lags_ms.append((time.perf_counter() - start - TICK_S) * 1e3)

    def stop(self) -> None:
        """End the loop after the current tick."""
        self._stopped.set()


def _summary(lags: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(lags, 50), "p99_ms": percentile(lags, 99), "max_ms": max(lags, default=0.0)}


async def measure(services: Services, data_dir: Path, asks: int, rest_s: float = 1.0) -> dict[str, Any]:
    """Lag at rest, then during `asks` simultaneous /ask; also how many were answered and the wall time."""
    # Load the model and the index first, then hand the loaded services to the bot: the figure is for a bot
    # serving its index. (The bot's copy keeps its Discord state in `data_dir`; given services not yet loaded,
    # it looked for BM25 and the registry snapshot there too, and its first /ask rebuilt BM25 on the worker.)
    services.ask(QUESTIONS[0])
    harness = await start(bot_settings(services, data_dir))
    try:
        rest = Heartbeat()
        beating = asyncio.create_task(rest.run())
        await asyncio.sleep(rest_s)
        rest.stop()
        await beating

        busy = Heartbeat()
        beating = asyncio.create_task(busy.run())
        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(asks)]
        started = time.perf_counter()
        await asyncio.gather(*(harness.slash("ask", question=q) for q in questions))
        wall_s = time.perf_counter() - started
        busy.stop()
        await beating
        titles = [e.get("title") for m in harness.http.messages() for e in m.get("embeds", [])[:1]]
        answered = sum(1 for t in titles if t in QUESTIONS)
    finally:
        await harness.stop()
    return {
        "asks": asks,
        "answered": answered,
        "wall_s": wall_s,
        "rest": _summary(rest.lags_ms),
        "busy": _summary(busy.lags_ms),
        "ticks": len(busy.lags_ms),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print one line (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loop_lag", description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=50)
    parser.add_argument("--data", type=Path, help="an existing data dir (e.g. a `yalu bench --keep` corpus)")
    parser.add_argument("--knowledge", type=Path, help="its knowledge folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="yalu-loop-lag-") as scratch:
        data = args.data or Path(scratch) / "data"
        settings = Settings(_env_file=None, YALU_DATA_DIR=data, YALU_KNOWLEDGE_DIR=args.knowledge or KNOWLEDGE)
        services = build_services(settings)
        services.ensure_index()
        result = asyncio.run(measure(services, Path(scratch) / "bot", args.asks))
    result["articles"] = services.store.count_articles()
    if args.json:
        print(json.dumps(result))
    else:
        busy, rest = result["busy"], result["rest"]
        print(
            f"{result['answered']}/{result['asks']} /ask answered in {result['wall_s']:.1f} s over "
            f"{result['articles']:,} articles; loop lag p50/p99/max {busy['p50_ms']:.1f}/{busy['p99_ms']:.1f}/"
            f"{busy['max_ms']:.1f} ms (at rest {rest['p50_ms']:.1f}/{rest['p99_ms']:.1f}/{rest['max_ms']:.1f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
