"""Settings: the only place the environment (and .env) is read, once, at start-up.

Values come from the environment, then `.env` in the current directory, then `.env` in the user's config
dir (`$XDG_CONFIG_HOME/yalu/.env`, by default `~/.config/yalu/.env`): the first that sets a variable wins.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.errors import ConfigError

_DOTENV = ".env"  # the file name in the working directory and in the config dir


def default_data_dir() -> Path:
    """Per-user data dir (XDG convention), so the index survives across checkouts."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "yalu"


def config_dir() -> Path:
    """Per-user config dir (XDG convention), where a `.env` used from any directory lives."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "yalu"


def env_files() -> tuple[Path, ...]:
    """The .env files read, lowest priority first (pydantic-settings lets a later file override an earlier)."""
    return (config_dir() / _DOTENV, Path(_DOTENV))


def _knowledge_in_data_dir(data: dict[str, Any]) -> Path:
    """The default knowledge folder: `knowledge/` in the data dir (seeded with the shipped articles on first use)."""
    return Path(data.get("data_dir") or default_data_dir()) / "knowledge"  # absent when YALU_DATA_DIR was invalid


def _id_list(value: object) -> object:
    """Discord ids as written in .env: "123, 456" (commas or spaces); an empty value is no id."""
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return value


def _time_zone(value: str) -> str:
    """A time zone name that this machine knows ("Europe/London", "UTC")."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Europe/London or UTC") from exc
    return value


IdList = Annotated[list[int], NoDecode, BeforeValidator(_id_list)]
# "~/yalu" in a .env file means the home folder, as it would in a shell.
UserPath = Annotated[Path, AfterValidator(Path.expanduser)]


class Settings(BaseSettings):
    """Every setting of Yalu; see .env.example for the documented list."""

    # env_ignore_empty: a ".env" line left as "BRIEFING_CHANNEL_ID=" means "not set", not an invalid value
    model_config = SettingsConfigDict(
        env_file=_DOTENV, env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    # Store
    data_dir: UserPath = Field(default_factory=default_data_dir, alias="YALU_DATA_DIR")
    knowledge_dir: UserPath = Field(default_factory=_knowledge_in_data_dir, alias="YALU_KNOWLEDGE_DIR")
    collection: str = Field("yalu_articles", alias="YALU_COLLECTION")
    chroma_host: str | None = Field(None, alias="CHROMA_HOST")
    chroma_port: int = Field(8000, alias="CHROMA_PORT")
    chroma_auth_token: SecretStr | None = Field(None, alias="CHROMA_AUTH_TOKEN")
    # An article file larger than this is refused (a 50 MB text would take most of an hour at each rebuild)
    max_article_bytes: int = Field(5_000_000, alias="YALU_MAX_ARTICLE_BYTES", ge=1000)

    # URL ingestion (`yalu ingest URL`, Discord /add url): public http(s) hosts only unless allowed here
    url_allow_private: bool = Field(False, alias="YALU_URL_ALLOW_PRIVATE")
    url_max_bytes: int = Field(5_000_000, alias="YALU_URL_MAX_BYTES", ge=10_000)
    url_timeout_s: float = Field(20.0, alias="YALU_URL_TIMEOUT_S", gt=0)

    # Feeds (`yalu feeds`, Discord /feeds): RSS and Atom feeds whose items are fetched like a URL ingest
    feed_every: str = Field("30m", alias="YALU_FEED_EVERY")  # how often a feed added without --every is polled
    feed_max_items: int = Field(20, alias="YALU_FEED_MAX_ITEMS", ge=1, le=500)  # new items fetched per feed a round
    feed_check_s: float = Field(60.0, alias="YALU_FEED_CHECK_S", ge=5)  # how often the bot looks for a feed due

    # Embeddings: "minilm" (bundled, offline), "huggingface:<model>", "openai:<model>", "ollama:<model>"
    embeddings: str = Field("minilm", alias="YALU_EMBEDDINGS")

    # Chunking
    chunk_sentences: int = Field(3, alias="YALU_CHUNK_SENTENCES", ge=1, le=20)
    chunk_overlap: int = Field(1, alias="YALU_CHUNK_OVERLAP", ge=0, le=10)

    # Answers
    max_question_chars: int = Field(2000, alias="YALU_MAX_QUESTION_CHARS", ge=50)
    answer_words: int = Field(90, alias="YALU_ANSWER_WORDS", ge=20)

    # LLM (optional): "provider:model", e.g. "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5", "ollama:llama3.1"
    llm: str | None = Field(None, alias="YALU_LLM")
    llm_base_url: str | None = Field(None, alias="YALU_LLM_BASE_URL")
    llm_timeout_s: float = Field(30.0, alias="YALU_LLM_TIMEOUT_S", gt=0)
    llm_max_tokens: int = Field(1024, alias="YALU_LLM_MAX_TOKENS", ge=16)
    llm_prompts_dir: UserPath | None = Field(None, alias="YALU_PROMPTS_DIR")  # None: the shipped prompts
    # Provider keys, read here so that a .env file works too (the provider SDKs only read the environment)
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    anthropic_api_key: SecretStr | None = Field(None, alias="ANTHROPIC_API_KEY")

    # Discord (`yalu bot`): ids are comma-separated; an empty allow-list allows every guild or channel
    discord_token: SecretStr | None = Field(None, alias="DISCORD_TOKEN")
    discord_guild_ids: IdList = Field(default_factory=list, alias="DISCORD_GUILD_IDS")
    discord_channel_ids: IdList = Field(default_factory=list, alias="DISCORD_CHANNEL_IDS")
    discord_admin_role: str = Field("Yalu admin", alias="DISCORD_ADMIN_ROLE")  # role name or id allowed to /add
    discord_cooldown_s: float = Field(10.0, alias="DISCORD_COOLDOWN_S", ge=0)
    # The work queue: one core thread answers in turn; a bound keeps a few heavy commands from starving everyone
    discord_queue_per_user: int = Field(2, alias="DISCORD_QUEUE_PER_USER", ge=1)  # waiting or running, per user
    discord_queue_per_server: int = Field(10, alias="DISCORD_QUEUE_PER_SERVER", ge=1)
    # A command not answered this many seconds after it arrived replies "too busy" (Discord allows 15 minutes)
    discord_deadline_s: float = Field(840.0, alias="DISCORD_DEADLINE_S", gt=0, le=880)
    briefing_channel_id: int | None = Field(None, alias="BRIEFING_CHANNEL_ID")
    briefing_time: dt.time = Field(dt.time(8, 0), alias="BRIEFING_TIME")
    briefing_tz: Annotated[str, AfterValidator(_time_zone)] = Field("UTC", alias="BRIEFING_TZ")
    articles_channel_id: int | None = Field(None, alias="ARTICLES_CHANNEL_ID")
    articles_check_s: float = Field(60.0, alias="ARTICLES_CHECK_S", ge=5)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read the config dir's .env as well as the working directory's, unless a caller chose the file.

        Only the default (`env_file` as configured) is widened; `Settings(_env_file=None)` still reads none.
        """
        if isinstance(dotenv_settings, DotEnvSettingsSource) and dotenv_settings.env_file == _DOTENV:
            dotenv_settings = DotEnvSettingsSource(settings_cls, env_file=env_files())
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    @property
    def chroma_dir(self) -> Path:
        """Where the embedded Chroma database lives."""
        return self.data_dir / "chroma"

    @property
    def knowledge_dir_is_default(self) -> bool:
        """True when YALU_KNOWLEDGE_DIR is not set: the folder is the data dir's, seeded on first use."""
        return "knowledge_dir" not in self.model_fields_set


def load_settings() -> Settings:
    """The settings of this process; an invalid value is a ConfigError, one line naming the variable."""
    from bot.config_errors import explain

    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(explain(exc, Settings)) from None
    except UnicodeDecodeError as exc:  # a .env file saved in another encoding
        files = " or ".join(str(path) for path in env_files() if path.is_file())
        raise ConfigError(f"{files}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
