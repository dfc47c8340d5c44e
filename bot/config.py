"""Settings: the only place the environment (and .env) is read, once, at start-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_data_dir() -> Path:
    """Per-user data dir (XDG convention), so the index survives across checkouts."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "yalu"


def default_knowledge_dir() -> Path:
    """The `knowledge/` folder of the checkout that holds this package."""
    return Path(__file__).resolve().parent.parent / "knowledge"


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


class Settings(BaseSettings):
    """Every setting of Yalu; see .env.example for the documented list."""

    # env_ignore_empty: a ".env" line left as "BRIEFING_CHANNEL_ID=" means "not set", not an invalid value
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # Store
    data_dir: Path = Field(default_factory=default_data_dir, alias="YALU_DATA_DIR")
    knowledge_dir: Path = Field(default_factory=default_knowledge_dir, alias="YALU_KNOWLEDGE_DIR")
    collection: str = Field("yalu_articles", alias="YALU_COLLECTION")
    chroma_host: str | None = Field(None, alias="CHROMA_HOST")
    chroma_port: int = Field(8000, alias="CHROMA_PORT")
    chroma_auth_token: SecretStr | None = Field(None, alias="CHROMA_AUTH_TOKEN")

    # URL ingestion (`yalu ingest URL`, Discord /add url): public http(s) hosts only unless allowed here
    url_allow_private: bool = Field(False, alias="YALU_URL_ALLOW_PRIVATE")
    url_max_bytes: int = Field(5_000_000, alias="YALU_URL_MAX_BYTES", ge=10_000)
    url_timeout_s: float = Field(20.0, alias="YALU_URL_TIMEOUT_S", gt=0)

    # Embeddings: "minilm" (bundled, offline), "huggingface:<model>", "openai:<model>", "ollama:<model>"
    embeddings: str = Field("minilm", alias="YALU_EMBEDDINGS")

    # Chunking
    chunk_sentences: int = Field(3, alias="YALU_CHUNK_SENTENCES", ge=1, le=20)
    chunk_overlap: int = Field(1, alias="YALU_CHUNK_OVERLAP", ge=0, le=10)

    # Answers
    max_question_chars: int = Field(2000, alias="YALU_MAX_QUESTION_CHARS", ge=50)
    answer_words: int = Field(80, alias="YALU_ANSWER_WORDS", ge=20)

    # LLM (optional): "provider:model", e.g. "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5", "ollama:llama3.1"
    llm: str | None = Field(None, alias="YALU_LLM")
    llm_base_url: str | None = Field(None, alias="YALU_LLM_BASE_URL")
    llm_timeout_s: float = Field(30.0, alias="YALU_LLM_TIMEOUT_S", gt=0)
    llm_max_tokens: int = Field(1024, alias="YALU_LLM_MAX_TOKENS", ge=16)
    llm_prompts_dir: Path | None = Field(None, alias="YALU_PROMPTS_DIR")  # None: the checkout's prompts/
    # Provider keys, read here so that a .env file works too (the provider SDKs only read the environment)
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    anthropic_api_key: SecretStr | None = Field(None, alias="ANTHROPIC_API_KEY")

    # Discord (`yalu bot`): ids are comma-separated; an empty allow-list allows every guild or channel
    discord_token: SecretStr | None = Field(None, alias="DISCORD_TOKEN")
    discord_guild_ids: IdList = Field(default_factory=list, alias="DISCORD_GUILD_IDS")
    discord_channel_ids: IdList = Field(default_factory=list, alias="DISCORD_CHANNEL_IDS")
    discord_admin_role: str = Field("Yalu admin", alias="DISCORD_ADMIN_ROLE")  # role name or id allowed to /add
    discord_cooldown_s: float = Field(10.0, alias="DISCORD_COOLDOWN_S", ge=0)
    briefing_channel_id: int | None = Field(None, alias="BRIEFING_CHANNEL_ID")
    briefing_time: dt.time = Field(dt.time(8, 0), alias="BRIEFING_TIME")
    briefing_tz: Annotated[str, AfterValidator(_time_zone)] = Field("UTC", alias="BRIEFING_TZ")
    articles_channel_id: int | None = Field(None, alias="ARTICLES_CHANNEL_ID")
    articles_check_s: float = Field(60.0, alias="ARTICLES_CHECK_S", ge=5)

    @property
    def chroma_dir(self) -> Path:
        """Where the embedded Chroma database lives."""
        return self.data_dir / "chroma"
