"""Server mode against a real `chroma run`: ingest, answers, shared replicas, a server that stops and returns."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import StoreUnavailable
from bot.services import Services, build_services
from tests.conftest import KNOWLEDGE, make_settings
from tests.test_discord_harness import bot_settings, start

QUESTION = "What did Xi write to Kim in September 2023?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """A real Chroma server (`chroma run`, from the chromadb package) on a free loopback port."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until its heartbeat answers."""
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        command = [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        log = (self.path.parent / "chroma-server.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"chroma run did not start; see {log.name}")

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One Chroma server for this module's tests (each uses its own collection)."""
    root = tmp_path_factory.mktemp("chroma-server")
    running = ChromaServer(root / "db")
    running.start()
    yield running
    running.stop()


def _services(server: ChromaServer, tmp_path: Path, replica: str, collection: str) -> Services:
    """Services of one bot replica: the shared server, its own local data dir (BM25 lives there)."""
    knowledge = tmp_path / "knowledge"
    if not knowledge.exists():
        shutil.copytree(KNOWLEDGE, knowledge)
    settings = make_settings(
        tmp_path / replica,
        knowledge,
        CHROMA_HOST="127.0.0.1",
        CHROMA_PORT=server.port,
        YALU_COLLECTION=collection,
    )
    return build_services(settings)


def test_server_mode_ingests_and_answers_with_verbatim_citations(server: ChromaServer, tmp_path: Path) -> None:
    """Through CHROMA_HOST the five articles are ingested on the server and a question is answered with citations."""
    services = _services(server, tmp_path, "replica-a", "server_answers")
    report = services.ingest([services.settings.knowledge_dir])
    assert len(report.added) == 5 and services.store.count_articles() == 5
    answer = services.ask(QUESTION)
    assert answer.status == "answered" and answer.citations
    for citation in answer.citations:
        article = services.store.article(citation.article_id)
        assert article is not None and citation.quote in article.body
    assert not (services.settings.data_dir / "chroma").exists()  # nothing went to an embedded store


def test_two_replicas_share_one_server(server: ChromaServer, tmp_path: Path) -> None:
    """What one replica ingests, another replica already serving on the same server finds and cites on its
    next question, with no restart (the store's generation token moved)."""
    first = _services(server, tmp_path, "replica-a", "server_shared")
    second = _services(server, tmp_path, "replica-b", "server_shared")
    assert second.search(QUESTION).passages == []  # serving an empty index
    files = sorted(first.settings.knowledge_dir.glob("*.md"))
    first.ingest(files)
    assert second.store.count_articles() == 5
    answer = second.ask(QUESTION)
    assert answer.status == "answered"
    assert {c.article_id for c in answer.citations} <= {a.id for a in first.store.articles()}


async def test_stopped_server_is_store_unavailable_and_the_bot_recovers(server: ChromaServer, tmp_path: Path) -> None:
    """With the server stopped, /ask says "store unavailable" and the bot stays up; when it returns, /ask answers."""
    services = _services(server, tmp_path, "replica-a", "server_outage")
    services.ingest([services.settings.knowledge_dir])
    harness = await start(bot_settings(services, tmp_path / "bot"))
    try:
        server.stop()
        with pytest.raises(StoreUnavailable, match="store unavailable"):
            services.ask(QUESTION)
        await harness.slash("ask", question=QUESTION)
        outage = harness.http.messages()[-1]
        assert "store unavailable" in (outage.get("content") or "").lower()
        assert not harness.bot.is_closed()
        server.start()  # same path and port: the data is still there
        services.refresh()
        await harness.slash("ask", question=QUESTION)
        recovered = harness.http.messages()[-1]
        assert recovered.get("embeds") and "unavailable" not in str(recovered).lower()
    finally:
        await harness.stop()
