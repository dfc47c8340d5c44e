"""Settings and set-up as a newcomer meets them: .env files, bad values, the seeded knowledge folder, the version."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.paths import prompts_dir, seed_articles_dir, seed_knowledge
from tests.conftest import KNOWLEDGE, REPO

QUESTION = "What did Xi write to Kim in September 2023?"


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("YALU_CHUNK_SENTENCES", "0", "a whole number from 1 to 20"),
        ("YALU_ANSWER_WORDS", "many", "a whole number of at least 20"),
        ("YALU_URL_TIMEOUT_S", "-1", "a number above 0"),
        ("YALU_URL_ALLOW_PRIVATE", "maybe", "true or false"),
        ("BRIEFING_TIME", "25:00", "a time of day such as 08:00"),
        ("DISCORD_GUILD_IDS", "12,abc", "ids (whole numbers) separated by commas"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable_and_what_it_takes(
    variable: str, value: str, accepts: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu ask` with an invalid value exits 1 with one stderr line: the variable, the value, what it accepts."""
    monkeypatch.setenv(variable, value)
    assert main(["ask", QUESTION]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"yalu: {variable}=") and err[0].endswith(f"it takes {accepts}")


def test_a_bad_secret_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error line for a bad value names that variable only; a secret set beside it never appears."""
    monkeypatch.setenv("DISCORD_TOKEN", "token-value-Xq9")
    monkeypatch.setenv("DISCORD_COOLDOWN_S", "-5")
    with pytest.raises(ConfigError) as excinfo:
        load_settings()
    assert str(excinfo.value) == "DISCORD_COOLDOWN_S=-5 is invalid: it takes a number of at least 0"
    assert "token-value" not in str(excinfo.value)


def test_a_validator_message_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A setting with its own check (the time zone) reports that check's words after the variable."""
    monkeypatch.setenv("BRIEFING_TZ", "Mars/Olympus")
    with pytest.raises(ConfigError, match=r"^BRIEFING_TZ: unknown time zone 'Mars/Olympus': use an IANA name"):
        load_settings()


def test_every_bad_setting_is_named_on_the_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two invalid values give one message that names both, so one run shows everything to fix."""
    monkeypatch.setenv("YALU_CHUNK_SENTENCES", "0")
    monkeypatch.setenv("CHROMA_PORT", "http")
    with pytest.raises(ConfigError) as excinfo:
        load_settings()
    assert "YALU_CHUNK_SENTENCES=0" in str(excinfo.value) and "CHROMA_PORT=http" in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_env_file_of_the_config_dir_is_read_from_any_directory(tmp_path: Path) -> None:
    """A `.env` in $XDG_CONFIG_HOME/yalu applies when the working directory has none."""
    (tmp_path / "config" / "yalu").mkdir(parents=True)
    (tmp_path / "config" / "yalu" / ".env").write_text("YALU_ANSWER_WORDS=55\n", encoding="utf-8")
    assert Settings().answer_words == 55


def test_env_file_of_the_working_directory_wins_over_the_config_dir(tmp_path: Path) -> None:
    """The working directory's `.env` overrides the config dir's, and the environment overrides both."""
    (tmp_path / "config" / "yalu").mkdir(parents=True)
    (tmp_path / "config" / "yalu" / ".env").write_text("YALU_ANSWER_WORDS=55\nYALU_CHUNK_OVERLAP=2\n", "utf-8")
    (tmp_path / ".env").write_text("YALU_ANSWER_WORDS=66\n", encoding="utf-8")
    settings = Settings()
    assert (settings.answer_words, settings.chunk_overlap) == (66, 2)


def test_the_environment_wins_over_env_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable set in the environment is not overridden by either `.env` file."""
    (tmp_path / ".env").write_text("YALU_ANSWER_WORDS=66\n", encoding="utf-8")
    monkeypatch.setenv("YALU_ANSWER_WORDS", "77")
    assert Settings().answer_words == 77


def test_config_dir_defaults_to_dot_config_in_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without XDG_CONFIG_HOME, the config dir's `.env` is ~/.config/yalu/.env."""
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home" / ".config" / "yalu").mkdir(parents=True)
    (tmp_path / "home" / ".config" / "yalu" / ".env").write_text("YALU_ANSWER_WORDS=44\n", encoding="utf-8")
    assert Settings().answer_words == 44


def test_no_env_file_is_read_when_a_caller_says_none(tmp_path: Path) -> None:
    """`Settings(_env_file=None)` (the tests' settings) ignores both `.env` files."""
    (tmp_path / ".env").write_text("YALU_ANSWER_WORDS=66\n", encoding="utf-8")
    assert Settings(_env_file=None).answer_words == 90  # type: ignore[call-arg]


def test_an_env_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    """A `.env` saved in Latin-1 stops with one line naming the file, not a UnicodeDecodeError traceback."""
    (tmp_path / ".env").write_bytes(b"BRIEFING_TZ=Europe/Z\xfcrich\n")
    with pytest.raises(ConfigError, match=r"^\.env: not UTF-8 text .*; save it as UTF-8$"):
        load_settings()


def test_paths_in_settings_expand_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`YALU_DATA_DIR=~/yalu` (as .env.example writes paths) means the home folder, not a folder named ~."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("YALU_DATA_DIR", "~/yalu")
    assert Settings().data_dir == tmp_path / "home" / "yalu"


def test_the_knowledge_folder_defaults_to_the_data_dir(tmp_path: Path) -> None:
    """Without YALU_KNOWLEDGE_DIR the knowledge folder is `knowledge/` in the data dir, never the install."""
    settings = Settings()
    assert settings.knowledge_dir == tmp_path / "data" / "knowledge" and settings.knowledge_dir_is_default


def test_first_command_seeds_the_data_dir_and_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The first `yalu ask` copies the shipped seed articles into the data dir, indexes them and cites one."""
    assert main(["ask", QUESTION]) == 0
    seeded = sorted(p.name for p in (tmp_path / "data" / "knowledge").glob("*.md"))
    assert seeded == sorted(p.name for p in KNOWLEDGE.glob("*.md"))
    assert "[1]" in capsys.readouterr().out


def test_a_set_knowledge_folder_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With YALU_KNOWLEDGE_DIR set, nothing is seeded: a missing folder stays missing and is reported."""
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(tmp_path / "mine"))
    assert main(["ingest"]) == 1
    assert not (tmp_path / "mine").exists() and not (tmp_path / "data" / "knowledge").exists()


def test_seeding_leaves_an_existing_folder_alone(tmp_path: Path) -> None:
    """An existing knowledge folder, even an empty one, is the analyst's: seeding copies nothing into it."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    assert seed_knowledge(folder) is False and list(folder.iterdir()) == []
    assert seed_knowledge(tmp_path / "new") is True
    assert len(list((tmp_path / "new").glob("*.md"))) == len(list(KNOWLEDGE.glob("*.md")))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_shipped_folders_are_the_repository_folders_in_a_checkout() -> None:
    """In a checkout (editable install) the seed articles and prompts are the top-level folders themselves."""
    assert seed_articles_dir() == KNOWLEDGE and prompts_dir() == REPO / "prompts"


def test_version_flag_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu --version` prints "yalu X.Y.Z" on stdout and exits 0."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out == f"yalu {version('yalu')}\n"


def test_python_dash_m_bot_is_the_yalu_command() -> None:
    """`python -m bot --version` runs the same command as the console script."""
    done = subprocess.run([sys.executable, "-m", "bot", "--version"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0 and done.stdout == f"yalu {version('yalu')}\n"


def test_commands_that_read_no_html_do_not_import_trafilatura() -> None:
    """The CLI, loaders and services load without trafilatura: it is imported only when HTML is parsed."""
    code = (
        "import sys, bot.cli, bot.ingest.loaders, bot.services, bot.ingest.html_text; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('trafilatura', 'justext', 'langchain')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"
