"""Secrets never leak: failing paths that hold a token or key are run and their logs and messages grepped."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.cli import main
from bot.errors import StoreUnavailable
from bot.services import Services, build_services
from tests.conftest import make_settings, needs_llm_extra
from tests.test_discord_harness import bot_settings, start

SECRETS = {
    "DISCORD_TOKEN": "MTIzNDU2.discord-secret-Xq9",
    "OPENAI_API_KEY": "sk-openai-secret-7Hq2",
    "ANTHROPIC_API_KEY": "sk-ant-secret-4Zt8",
    "CHROMA_AUTH_TOKEN": "chroma-secret-9Kp1",
}
QUESTION = "What did Xi write to Kim in September 2023?"


def closed_port() -> int:
    """A local TCP port that nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def leaked(*texts: str) -> list[str]:
    """The names of the secrets whose values occur in any of the texts."""
    return [name for name, value in SECRETS.items() if any(value in t for t in texts)]


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def test_settings_never_show_secret_values(tmp_path: Path) -> None:
    """Every key and token is a SecretStr: repr, str and JSON dumps of the settings show asterisks."""
    settings = make_settings(tmp_path, tmp_path, **SECRETS)
    shown = [repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())]
    assert leaked(*shown) == []
    assert settings.chroma_auth_token and settings.chroma_auth_token.get_secret_value() == SECRETS["CHROMA_AUTH_TOKEN"]


def test_an_unreachable_chroma_server_names_no_token(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A Chroma server that refuses connections gives StoreUnavailable; neither it nor the log holds the token."""
    settings = make_settings(tmp_path, tmp_path, CHROMA_HOST="127.0.0.1", CHROMA_PORT=closed_port(), **SECRETS)
    with pytest.raises(StoreUnavailable) as excinfo:
        build_services(settings)
    assert leaked(str(excinfo.value), repr(excinfo.value), caplog.text) == []


@pytest.mark.parametrize(
    "provider",
    [
        pytest.param("openai:gpt-4o-mini", marks=needs_llm_extra("langchain", "langchain_openai")),
        pytest.param("anthropic:claude-sonnet-4-5", marks=needs_llm_extra("langchain", "langchain_anthropic")),
    ],
)
def test_a_failing_llm_call_shows_and_logs_no_key(
    seeded: Services, provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The real provider client, pointed at a dead server, falls back; notice, JSON and logs hold no key."""
    update = {
        "llm": provider,
        "llm_base_url": f"http://127.0.0.1:{closed_port()}/v1",
        "llm_timeout_s": 2.0,
        "openai_api_key": SecretStr(SECRETS["OPENAI_API_KEY"]),
        "anthropic_api_key": SecretStr(SECRETS["ANTHROPIC_API_KEY"]),
    }
    services = dataclasses.replace(seeded, settings=seeded.settings.model_copy(update=update))
    answer = services.ask(QUESTION)
    assert answer.notice and "extractive answer" in answer.notice
    assert leaked(str(answer.to_json()), caplog.text) == []


def test_cli_failures_print_and_log_no_secret(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With every secret in the environment, failing commands print one line each and nowhere a secret."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(closed_port()))
    assert main(["sources"]) == 1
    assert main(["ask", "  "]) == 1
    out = capsys.readouterr()
    assert leaked(out.out, out.err, caplog.text) == []
    assert len(out.err.strip().splitlines()) == 2


async def test_a_failing_discord_command_logs_no_token(
    seeded: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected error in a slash command is logged in full, and neither the log nor the reply has a secret."""
    settings = seeded.settings.model_copy(
        update={"discord_token": SecretStr(SECRETS["DISCORD_TOKEN"]), "chroma_auth_token": SecretStr("x")}
    )
    services = bot_settings(dataclasses.replace(seeded, settings=settings), tmp_path / "bot")
    harness = await start(services)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom while configured with {services.settings}")

    try:
        harness.bot.services.ask = broken  # type: ignore[method-assign]
        await harness.slash("ask", question=QUESTION)
        await asyncio.sleep(0)
        replies = [m.get("content") or "" for m in harness.http.messages()]
        assert replies and "boom" in caplog.text  # the failure really was logged
        assert leaked(caplog.text, *replies) == []
    finally:
        await harness.stop()
