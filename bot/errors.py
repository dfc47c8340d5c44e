"""Typed domain errors, translated to a message at the edge (CLI exit code, Discord reply)."""


class YaluError(Exception):
    """Base of every error that a user should see as one clear line."""


class ArticleError(YaluError):
    """An article file or text could not be read, parsed or validated."""


class ConfigError(YaluError):
    """A setting is missing or invalid; the message names the setting to change."""


class StoreUnavailable(YaluError):
    """The vector store cannot be opened or reached."""


class NotFound(YaluError):
    """A requested article or resource does not exist."""


class BadQuestion(YaluError):
    """A question is empty, too long or otherwise unusable."""


class LLMError(YaluError):
    """The language model failed or timed out; `reason` is a short phrase for a notice ("timeout after 30 s")."""

    def __init__(self, reason: str) -> None:
        """Keep the reason; the message is the same phrase."""
        super().__init__(reason)
        self.reason = reason


class FetchError(ArticleError):
    """A URL was refused (scheme, address, size) or could not be downloaded as an article page."""


class ServiceUnreachable(YaluError):
    """A service Yalu connects to (Discord) cannot be reached or refused the connection."""


class MissingPermission(YaluError):
    """The bot lacks a permission where it must act; the message names the permission and the place."""


class Busy(YaluError):
    """Too much work is waiting: the request is refused (or given up) with a line saying when to retry."""


class StateError(YaluError):
    """A state file of the data dir (feeds, watches) cannot be read; it is left as it is, never overwritten."""
