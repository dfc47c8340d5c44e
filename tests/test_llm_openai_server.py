"""LLM mode through the real langchain-openai client, against a small OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.errors import ConfigError
from bot.llm.chat import make_chat_model
from bot.services import Services
from tests.conftest import make_settings, needs_llm_extra

# Installed with the llm extra (as CI does); without it only the settings checks below run.
needs_openai = needs_llm_extra("langchain", "langchain_openai")
QUESTION = "What did Xi write to Kim in September 2023?"
REPLY = "Xi told Kim that their ties had been elevated “into a new era” [1]."


class FakeOpenAI(ThreadingHTTPServer):
    """POST /v1/chat/completions answers `reply` after `delay` seconds and records every request."""

    def __init__(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.reply = REPLY
        self.delay = 0.0
        self.release = threading.Event()  # set at shutdown: a delayed reply waits no longer
        self.replied = 0  # replies fully written

    @property
    def url(self) -> str:
        """The base URL a client is given."""
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, body))
        self.server.release.wait(self.server.delay)
        completion = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1700000000,
            "model": body["model"],
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": self.server.reply}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 931, "completion_tokens": 24, "total_tokens": 955},
        }
        data = json.dumps(completion).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.server.replied += 1
        except OSError:
            pass  # the client gave up (timeout test): nothing to answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A running fake OpenAI server; proxies are bypassed for it."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    srv = FakeOpenAI()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.release.set()
    srv.shutdown()
    srv.server_close()


def llm_services(seeded: Services, base_url: str, timeout: float = 10.0) -> Services:
    """The seeded index's services (its open store, no second client), in LLM mode against `base_url`."""
    settings = make_settings(
        seeded.settings.data_dir,
        seeded.settings.knowledge_dir,
        YALU_LLM="openai:test-model",
        YALU_LLM_BASE_URL=base_url,
        YALU_LLM_TIMEOUT_S=timeout,
    )
    return dataclasses.replace(seeded, settings=settings)


@needs_openai
def test_answer_goes_through_the_real_openai_client(seeded: Services, server: FakeOpenAI) -> None:
    """services.ask sends numbered, fenced passages to the server and returns its checked, cited answer."""
    answer = llm_services(seeded, server.url).ask(QUESTION, qid="s1")
    assert answer.status == "answered" and answer.answer == REPLY and answer.notice is None
    (citation,) = answer.citations
    article = seeded.store.article(citation.article_id)
    assert citation.quote == "into a new era" and article is not None
    assert article.body[citation.start : citation.end] == citation.quote and citation.quote in citation.passage
    path, body = server.requests[0]
    assert path == "/v1/chat/completions" and body["model"] == "test-model" and body["temperature"] == 0
    system, user = body["messages"][0], body["messages"][1]
    assert system["role"] == "system" and "INSUFFICIENT_EVIDENCE" in system["content"]
    assert user["role"] == "user" and QUESTION in user["content"] and "<passages>" in user["content"]
    assert "[1] “Xi Jinping hails ‘new era’" in user["content"] and "[2] " in user["content"]
    assert citation.passage in user["content"]
    llm = answer.to_json()["llm"]
    assert (llm["model"], llm["input_tokens"], llm["output_tokens"]) == ("openai:test-model", 931, 24)


@needs_openai
def test_planted_fabrication_from_the_server_is_removed(seeded: Services, server: FakeOpenAI) -> None:
    """A fabricated quote and a [99] citation (past every passage shown) from the server never reach the answer."""
    server.reply = f"{REPLY} Xi vowed “to defend Pyongyang at any cost” [1]. Kim agreed [99]."
    answer = llm_services(seeded, server.url).ask(QUESTION)
    assert answer.answer == REPLY and "[99]" not in answer.answer and "any cost" not in answer.answer
    kinds = {i["kind"] for i in answer.llm["issues"]} if answer.llm else set()
    assert kinds == {"fabricated_quote", "unknown_citation", "uncited"}


@needs_openai
def test_slow_server_falls_back_to_the_extractive_answer(seeded: Services, server: FakeOpenAI) -> None:
    """A server slower than YALU_LLM_TIMEOUT_S gives the extractive answer with a timeout notice, without waiting."""
    server.delay = 600.0  # the reply is held until the test ends: only giving up can return an answer
    services = llm_services(seeded, server.url, timeout=0.5)
    answer = services.ask(QUESTION)
    assert server.replied == 0  # answered before the server replied
    for _ in range(100):  # the model was really asked (the server may log the request a moment late under load)
        if server.requests:
            break
        time.sleep(0.1)
    assert server.requests
    assert answer.status == "answered" and answer.answer == seeded.ask(QUESTION).answer
    assert answer.notice == "The language model did not answer (timeout after 0.5 s); this is the extractive answer."


@needs_openai
def test_dead_server_falls_back_to_the_extractive_answer(seeded: Services) -> None:
    """Nothing listening at the base URL: the extractive answer with a notice, no exception."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answer = llm_services(seeded, f"http://127.0.0.1:{port}/v1", timeout=5.0).ask(QUESTION)
    assert answer.answer == seeded.ask(QUESTION).answer
    assert answer.notice and answer.notice.startswith("The language model did not answer (")
    assert "ConnectionError" in answer.notice and answer.notice.endswith("; this is the extractive answer.")


@needs_openai
def test_openai_compatible_model_is_configured_to_fail_fast(tmp_path: Path) -> None:
    """A base URL gives ChatOpenAI with that URL, temperature 0, the timeout, one retry and a placeholder key."""
    model = make_chat_model(
        make_settings(tmp_path, tmp_path, YALU_LLM="openai:local", YALU_LLM_BASE_URL="http://127.0.0.1:1/v1")
    )
    assert model is not None
    options = model.model_dump()
    assert (options["openai_api_base"], options["temperature"]) == ("http://127.0.0.1:1/v1", 0)
    assert (options["request_timeout"], options["max_retries"]) == (30.0, 1)


def test_no_llm_setting_means_no_model(tmp_path: Path) -> None:
    """Without YALU_LLM there is no chat model and answers stay extractive."""
    assert make_chat_model(make_settings(tmp_path, tmp_path)) is None


@pytest.mark.parametrize("spec", ["gpt-4o", "openai:", "mistral:large"])
def test_bad_llm_setting_names_the_setting_and_the_install(tmp_path: Path, spec: str) -> None:
    """A malformed value or unknown provider is a ConfigError naming YALU_LLM."""
    with pytest.raises(ConfigError, match="YALU_LLM"):
        make_chat_model(make_settings(tmp_path, tmp_path, YALU_LLM=spec))


def test_missing_api_key_names_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hosted provider without its key fails at start-up, naming the key to set."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="needs ANTHROPIC_API_KEY"):
        make_chat_model(make_settings(tmp_path, tmp_path, YALU_LLM="anthropic:claude-sonnet-4-5"))


def test_missing_provider_package_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A provider whose package is not installed is a ConfigError with the pip command."""
    monkeypatch.setitem(sys.modules, "langchain_ollama", None)  # makes `import langchain_ollama` fail
    with pytest.raises(ConfigError, match=r'pip install -e "\.\[llm\]"'):
        make_chat_model(make_settings(tmp_path, tmp_path, YALU_LLM="ollama:llama3.1"))
