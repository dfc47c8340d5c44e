"""Text made safe to show: terminal escape sequences and other control characters removed, secrets redacted.

Article text is data from anywhere. An ANSI or OSC sequence in it would act on the analyst's terminal
(clear the screen, retitle the window, hide a link under innocent text), a carriage return would
overwrite what was printed before it, and a bidirectional override would show words out of order.
`shown` is what every renderer (the rich CLI, `yalu chat`, Discord) passes text through.
"""

from __future__ import annotations

import re

from bot.redact import redact

# Whole sequences go, not just their ESC, so no "[2J" or "]8;;https://…" residue is left on screen:
# CSI (ESC [ … final byte), OSC/DCS/APC/PM/SOS strings (ended by BEL or ST), then any other two-byte escape.
# An unterminated string loses only its introducer: the text after it is the article's, and stays.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P_^X]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -~]?"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """The text without escape sequences and control characters; newlines and tabs stay, CR LF becomes LF."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def shown(text: str) -> str:
    """Text as it may be shown to a person: no escape sequence or control character, no secret."""
    return redact(strip_controls(text))
