"""Break 6: secrets that other servers echo back never reach a person or a log line.

Real servers on 127.0.0.1 play a proxy in front of Chroma that quotes the request headers in its error
page, and an OpenAI-compatible server that quotes the key in its 401 message (as OpenAI's own does).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import SecretStr

from bot.cli import main
from bot.redact import MASK, redact, remember_values
from bot.services import Services
from tests.faults.edge_helpers import QUESTION, copy_data_dir, port_of, serving
from tests.test_discord_harness import bot_settings, start

pytestmark = pytest.mark.faults

CHROMA_TOKEN = "chroma-proxy-token-5Rt2Lm"
# Not shaped like OpenAI keys: only their configured values can find them. One per test, because the
# values remembered for redaction stay for the whole process, and each test must show its own edge remembers.
LLM_KEY = "local-llm-key-Zq81xYw0"
BOT_LLM_KEY = "bot-side-llm-key-Pw47Hd"
LOGGED_KEY = "logged-key-Vb93Kq2"
SECRETS = (CHROMA_TOKEN, LLM_KEY, BOT_LLM_KEY, LOGGED_KEY)


class HeaderEcho(BaseHTTPRequestHandler):
    """A broken proxy: every request gets a 502 whose body lists the request's headers, one per line."""

    seen: ClassVar[list[str]] = []

    def _echo(self) -> None:
        headers = "".join(f"{name}: {value}\n" for name, value in self.headers.items())
        HeaderEcho.seen.append(headers)
        body = f"upstream unavailable; your request had these headers:\n{headers}".encode()
        self.send_response(502)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _echo

    def log_message(self, *args: object) -> None:
        """Quiet."""


class KeyEcho(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that refuses the key and quotes it back, as OpenAI's 401 does."""

    def do_POST(self) -> None:
        """401 with the bearer token in the error message."""
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        error = {"message": f"Incorrect API key provided: {key}.", "type": "invalid_request_error"}
        body = json.dumps({"error": {**error, "code": "invalid_api_key"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


def leaked(*texts: str) -> bool:
    """Whether any of the secrets occurs in any of the texts."""
    return any(secret in text for secret in SECRETS for text in texts)


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def test_a_chroma_proxy_echoing_the_bearer_token_gives_one_line_without_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """`yalu sources` against a proxy that quotes its headers: one `yalu:` line, exit 1, the token nowhere."""
    with serving(HeaderEcho) as proxy:
        monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
        monkeypatch.setenv("CHROMA_PORT", str(port_of(proxy)))
        monkeypatch.setenv("CHROMA_AUTH_TOKEN", CHROMA_TOKEN)
        assert main(["sources"]) == 1
    out = capsys.readouterr()
    assert any(f"Bearer {CHROMA_TOKEN}" in h for h in HeaderEcho.seen)  # the proxy really echoed it
    (line,) = out.err.splitlines()
    assert line.startswith("yalu: cannot open the Chroma store at 127.0.0.1:") and f"Bearer {MASK}" in line
    assert not leaked(out.out, out.err, caplog.text)


def _llm_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path, seeded: Services, base_url: str) -> None:
    monkeypatch.setenv("YALU_DATA_DIR", str(data_dir))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(seeded.settings.knowledge_dir))
    monkeypatch.setenv("YALU_LLM", "openai:test-model")
    monkeypatch.setenv("YALU_LLM_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", LLM_KEY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def test_an_llm_server_echoing_the_key_shows_a_notice_without_it_in_the_cli(
    seeded: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`yalu ask` and `ask --json`: the extractive answer with a notice naming the 401, the key masked everywhere."""
    with serving(KeyEcho) as server:
        _llm_env(
            monkeypatch, copy_data_dir(seeded, tmp_path / "data"), seeded, f"http://127.0.0.1:{port_of(server)}/v1"
        )
        assert main(["ask", QUESTION]) == 0
        assert main(["ask", "--json", QUESTION]) == 0
    out = capsys.readouterr()
    answer = json.loads(out.out.splitlines()[-1])
    assert answer["status"] == "answered" and answer["answer"] == seeded.ask(QUESTION).answer
    notice = answer["notice"]
    assert notice.startswith("The language model did not answer (") and "AuthenticationError: Error code: 401" in notice
    assert f"Incorrect API key provided: {MASK}" in notice and "this is the extractive answer" in out.out
    assert not leaked(out.out, out.err, caplog.text)


async def test_an_llm_server_echoing_the_key_shows_a_notice_without_it_in_discord(
    seeded: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """/ask in LLM mode against the echoing server: the posted notice, the stored reply and the log hold no key."""
    with serving(KeyEcho) as server:
        update = {
            "llm": "openai:test-model",
            "llm_base_url": f"http://127.0.0.1:{port_of(server)}/v1",
            "openai_api_key": SecretStr(BOT_LLM_KEY),
        }
        llm = dataclasses.replace(seeded, settings=seeded.settings.model_copy(update=update))
        harness = await start(bot_settings(llm, tmp_path / "bot"))
        try:
            await harness.slash("ask", question=QUESTION)
            posted = json.dumps(harness.http.messages())
            stored = (tmp_path / "bot" / "feedback.sqlite3").read_bytes().decode("utf-8", "replace")
        finally:
            await harness.stop()
    assert "AuthenticationError: Error code: 401" in posted and f"Incorrect API key provided: {MASK}" in posted
    assert not leaked(posted, stored, caplog.text)


def test_log_records_are_redacted_whoever_logs_them(caplog: pytest.LogCaptureFixture) -> None:
    """A library's log line quoting a remembered secret, and the traceback attached to it, show the mask."""
    remember_values({LOGGED_KEY})
    try:
        raise RuntimeError(f"server said: bad key {LOGGED_KEY}")
    except RuntimeError:
        logging.getLogger("some.library").exception("request with key %s failed", LOGGED_KEY)
    assert f"request with key {MASK} failed" in caplog.text and f"bad key {MASK}" in caplog.text
    assert not leaked(caplog.text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.DEF-123_456", f"Authorization: Bearer {MASK}"),
        ("{'x-api-key': 'sk-ant-api03-AbCdEf123456'}", f"{{'x-api-key': '{MASK}'}}"),
        ("X-Chroma-Token: t0k3n-v4lue", f"X-Chroma-Token: {MASK}"),
        ("Incorrect API key provided: sk-proj-AbCdEfGh12345678.", f"Incorrect API key provided: {MASK}."),
        ("Basic dXNlcjpwYXNzd29yZDEyMw==", f"Basic {MASK}"),
    ],
)
def test_key_shapes_are_redacted_without_being_configured(text: str, expected: str) -> None:
    """Bearer and Basic credentials, key headers and sk- keys are masked even when no setting names them."""
    assert redact(text) == expected


def test_ordinary_prose_is_left_alone() -> None:
    """News text about bearers, basics and tokens of friendship is not mistaken for a credential."""
    text = "Kim, the bearer of the letter, stressed basic principles as a token of friendship; see sk-1."
    assert redact(text) == text
