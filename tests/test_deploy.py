"""The service files: compose.yaml parses and wires the bot to a Chroma server; the image and the systemd unit
run the same console script that pyproject.toml installs. No Docker daemon is needed to check them."""

from __future__ import annotations

import configparser
import json
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from tests.conftest import REPO


def console_script() -> str:
    """The name of the console script that runs `bot.cli:main`."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    (name,) = [name for name, target in scripts.items() if target == "bot.cli:main"]
    return str(name)


def dockerfile_instruction(name: str) -> list[str]:
    """The exec-form (JSON) arguments of the Dockerfile's last NAME instruction (ENTRYPOINT, CMD)."""
    lines = [line for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines() if line.startswith(name)]
    return list(json.loads(lines[-1].removeprefix(name)))


def compose() -> dict[str, Any]:
    """compose.yaml, parsed."""
    return dict(yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8")))


def assert_is_a_command(argv: list[str]) -> None:
    """`argv` starts with a subcommand `yalu` knows (its --help exits 0)."""
    with pytest.raises(SystemExit) as exit_info:
        main([argv[0], "--help"])
    assert exit_info.value.code == 0


def test_the_image_runs_the_console_script() -> None:
    """The image's entry point is the `yalu` console script, and its default command is `yalu bot`."""
    assert dockerfile_instruction("ENTRYPOINT") == [console_script()]
    assert dockerfile_instruction("CMD") == ["bot"]
    assert_is_a_command(dockerfile_instruction("CMD"))


def test_compose_runs_the_bot_beside_a_chroma_server() -> None:
    """compose.yaml parses; the bot keeps the image's entry point, uses the chroma service and restarts."""
    bot, chroma = compose()["services"]["bot"], compose()["services"]["chroma"]
    assert "entrypoint" not in bot and bot["restart"] == "unless-stopped"
    assert_is_a_command(bot["command"])
    assert bot["environment"]["CHROMA_HOST"] == "chroma" and str(bot["environment"]["CHROMA_PORT"]) == "8000"
    assert bot["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert any(volume.endswith(":/data") for volume in bot["volumes"])
    assert chroma["entrypoint"][:2] == ["chroma", "run"] and chroma["restart"] == "unless-stopped"
    assert "8000" in chroma["entrypoint"] and "heartbeat" in " ".join(chroma["healthcheck"]["test"])
    assert any(volume.endswith(":/chroma") for volume in chroma["volumes"])
    assert set(compose()["volumes"]) == {"chroma-data", "yalu-data"}


def test_the_systemd_unit_runs_the_bot_with_an_environment_file() -> None:
    """deploy/yalu.service starts `yalu bot` with its settings from an EnvironmentFile and restarts on failure."""
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive in systemd
    unit.read(REPO / "deploy" / "yalu.service", encoding="utf-8")
    service = unit["Service"]
    program, *argv = shlex.split(service["ExecStart"])
    assert Path(program).name == console_script() and argv == ["bot"]
    assert_is_a_command(argv)
    assert service["EnvironmentFile"] and service["Restart"] == "on-failure"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
