"""Under load: fifty simultaneous /ask answer without the core on the event loop; ingest and ask can overlap."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot.corpus import read_article_file, to_markdown
from bot.services import Services
from tests.test_discord_harness import bot_settings, start

QUESTIONS = (
    "What did Xi write to Kim in September 2023?",
    "What treaty anniversary did the leaders mark in July 2021?",
    "What did Xi say about strategic communication?",
    "How did Kim describe relations with China in 2021?",
    "What did the Rodong Sinmun report?",
)


async def test_fifty_simultaneous_asks_all_answer_off_the_event_loop(seeded: Services, tmp_path: Path) -> None:
    """Fifty /ask delivered at once all get an answer, and no core call runs on the event loop's thread."""
    services = bot_settings(seeded, tmp_path / "bot")
    threads: list[int] = []
    ask = services.ask

    def recording_ask(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return ask(*args, **kwargs)

    services.ask = recording_ask  # type: ignore[method-assign]
    harness = await start(services)
    try:
        questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(50)]
        await asyncio.gather(*(harness.slash("ask", question=q) for q in questions))
        titles = [e.get("title") for m in harness.http.messages() for e in m.get("embeds", [])[:1]]
        assert sorted(t for t in titles if t in QUESTIONS) == sorted(questions)
        assert len(threads) == 50 and threading.get_ident() not in threads
    finally:
        await harness.stop()


def _append_sentence(path: Path, n: int) -> None:
    article = read_article_file(path)
    path.write_text(to_markdown(article).rstrip() + f"\n\nAnalysts added note number {n} to this report.\n")


def test_ingest_and_ask_at_the_same_time_stay_consistent(services: Services) -> None:
    """Questions asked while articles are being re-ingested all answer verbatim, and the index ends with no orphans."""
    services.ingest([services.settings.knowledge_dir])
    files = sorted(services.settings.knowledge_dir.glob("*.md"))
    done = threading.Event()

    def ingest_repeatedly() -> int:
        rounds = 0
        for n in range(3):
            for path in files:
                _append_sentence(path, n)
            services.ingest([services.settings.knowledge_dir])
            rounds += 1
        done.set()
        return rounds

    def ask_until_done() -> list[Any]:
        answers = []
        while not done.is_set() or not answers:
            for question in QUESTIONS:
                answers.append(services.ask(question))
        return answers

    with ThreadPoolExecutor(max_workers=2) as pool:
        writer = pool.submit(ingest_repeatedly)
        reader = pool.submit(ask_until_done)
        assert writer.result() == 3
        answers = reader.result()
    assert answers and all(a.status in ("answered", "insufficient_evidence") for a in answers)
    for answer in answers:
        for c in answer.citations:
            article = services.store.article(c.article_id)
            assert article is not None and c.quote in article.body  # appended notes never remove a quote
    registry = {a.id: a.content_hash for a in services.store.articles()}
    chunk_hashes = {(meta["article_id"], meta["content_hash"]) for _, _, meta in services.store.iter_chunks()}
    assert chunk_hashes == set(registry.items())  # every chunk belongs to the current version: no orphans
    assert services.lexical().articles == registry
