"""Redaction: the configured secrets, and strings shaped like keys, removed from what people and logs see.

Other servers quote what they were sent: a proxy in front of Chroma may echo the Authorization header
into its error page, an LLM server may echo the key in its 401 message. Those texts reach the CLI's
error line, an answer's notice (shown in Discord) and the log. So every edge passes its text through
`redact`, and `remember(settings)` adds the values of every SecretStr of the settings in use. Log
records are redacted as they are made (`install_log_redaction`), whichever library logs them.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import SecretStr

if TYPE_CHECKING:
    from pydantic import BaseModel

MASK = "<redacted>"
_MIN_SECRET = 6  # a shorter value would mask ordinary words wherever they occur
# Shapes of credentials whatever their value: an Authorization value, a key header quoted in an error, an
# OpenAI/Anthropic-style key. The name or scheme is kept so the reader still sees what was removed.
_SHAPES = re.compile(
    r"(?P<keep>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|(?P<keep2>\bBasic\s+)[A-Za-z0-9+/]{16,}={0,2}"
    r"|(?P<keep3>\b(?:x-api-key|api[-_]key|x-chroma-token|x-goog-api-key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}]{6,}"
    r"|\bsk-[A-Za-z0-9_-]{12,}",
    re.I,
)

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_log_installed = False


def remember(settings: BaseModel) -> None:
    """Redact from now on the value of every SecretStr field of `settings` (tokens, keys), and the log too."""
    values = {
        field.get_secret_value()
        for name in type(settings).model_fields
        if isinstance(field := getattr(settings, name, None), SecretStr)
    }
    remember_values(values)


def remember_values(values: set[str]) -> None:
    """Redact these secret values (and their JSON- and URL-encoded forms) from now on."""
    global _pattern
    forms = {form for v in values if len(v.strip()) >= _MIN_SECRET for form in _encodings(v.strip())}
    with _lock:
        if forms - _secrets:
            _secrets.update(forms)
            # Longest first, so a secret that contains another is masked whole.
            _pattern = re.compile("|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True)))
    install_log_redaction()


def _encodings(value: str) -> set[str]:
    """The value as written, as it appears inside a JSON string, and percent-encoded in a URL."""
    return {value, json.dumps(value)[1:-1], quote(value, safe="")}


def redact(text: str) -> str:
    """The text with every remembered secret and every key-shaped string replaced by `MASK`."""
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _SHAPES.sub(_mask_shape, text)


def _mask_shape(m: re.Match[str]) -> str:
    return (m["keep"] or m["keep2"] or m["keep3"] or "") + MASK


def install_log_redaction() -> None:
    """Make every log record redacted when it is created: its message, its traceback and its stack."""
    global _log_installed
    with _lock:
        if _log_installed:
            return
        _log_installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub(record)
        return record

    logging.setLogRecordFactory(factory)


def _scrub(record: logging.LogRecord) -> None:
    """Replace the record's message (arguments merged in) and its exception text by their redacted forms."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed call's message stays as logging would show it
        return
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        # Formatters use exc_text when it is set, so the traceback they print is this redacted one.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
