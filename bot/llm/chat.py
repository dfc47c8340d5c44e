"""The chat model of LLM mode, from `YALU_LLM=provider:model`; provider packages are imported only here, lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.errors import ConfigError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.config import Settings

PROVIDERS = ("openai", "anthropic", "ollama")
_INSTALL = 'pip install -e ".[llm]"'
_KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}  # Settings fields: the names lowercased
_LOCAL_KEY = "not-needed"  # OpenAI-compatible local servers (vLLM, llama.cpp, LM Studio) ignore the key


def parse_llm(spec: str) -> tuple[str, str]:
    """("provider", "model") from "provider:model"; anything else is a ConfigError naming YALU_LLM."""
    provider, sep, model = spec.partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if not sep or not provider or not model:
        raise ConfigError(f'YALU_LLM={spec!r} must be "provider:model", e.g. "openai:gpt-4o-mini" or "ollama:llama3.1"')
    if provider not in PROVIDERS:
        raise ConfigError(
            f"YALU_LLM={spec!r}: unknown provider {provider!r}; use one of {', '.join(PROVIDERS)} "
            f"(their packages come with {_INSTALL})"
        )
    return provider, model


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model (temperature 0, short timeout, one retry), or None when YALU_LLM is unset."""
    if not settings.llm:
        return None
    provider, model = parse_llm(settings.llm)
    key = _KEYS.get(provider)
    if key and not settings.llm_base_url and getattr(settings, key.lower()) is None:
        raise ConfigError(f"YALU_LLM={settings.llm} needs {key}: set it in the environment or .env")
    try:
        from langchain.chat_models import init_chat_model
        from langchain_core.language_models import BaseChatModel

        chat = init_chat_model(model, model_provider=provider, temperature=0, **provider_options(provider, settings))
    except ImportError as exc:
        raise ConfigError(f"YALU_LLM={settings.llm}: the {provider} package is not installed; run {_INSTALL}") from exc
    except Exception as exc:  # the SDKs raise their own types while building a client (bad URL, bad option)
        raise ConfigError(f"YALU_LLM={settings.llm}: cannot create the model: {exc}") from exc
    if not isinstance(chat, BaseChatModel):  # only a configurable model (never asked for here) is anything else
        raise ConfigError(f"YALU_LLM={settings.llm}: not a chat model")
    return chat


def provider_options(provider: str, settings: Settings) -> dict[str, Any]:
    """Keyword arguments for the provider's chat class: timeout, retries, output limit, key and base URL."""
    timeout, url = settings.llm_timeout_s, settings.llm_base_url
    options: dict[str, Any]
    match provider:
        case "openai":
            # One retry at most: a dead server should fall back to the extractive answer quickly.
            options = {"timeout": timeout, "max_retries": 1, "max_tokens": settings.llm_max_tokens}
            key = settings.openai_api_key
            if key or url:
                options["api_key"] = key or _LOCAL_KEY
        case "anthropic":
            options = {"timeout": timeout, "max_retries": 1, "max_tokens": settings.llm_max_tokens}
            if settings.anthropic_api_key:
                options["api_key"] = settings.anthropic_api_key
        case "ollama":
            # ChatOllama has no timeout field; its HTTP client takes one, and it does not retry.
            options = {"num_predict": settings.llm_max_tokens, "client_kwargs": {"timeout": timeout}}
        case _:
            raise ConfigError(f"YALU_LLM: unknown provider {provider!r}; use one of {', '.join(PROVIDERS)}")
    if url:
        options["base_url"] = url
    return options


def model_label(model: BaseChatModel, fallback: str | None = None) -> str:
    """A short name for a chat model, for `--json` and logs ("gpt-4o-mini")."""
    for attr in ("model_name", "model"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return fallback or type(model).__name__
