"""The output model every adapter renders: a titled reply of plain-text blocks and numbered, verbatim sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.answer_model import Citation

Tone = Literal["ok", "notice", "error"]


@dataclass(frozen=True)
class Block:
    """A paragraph of a reply: plain text (no markup) that may carry [n] markers, under an optional heading."""

    text: str
    heading: str | None = None


@dataclass
class Reply:
    """What a command returns, for any adapter to render: title, blocks, numbered sources."""

    kind: str  # answer, summary, briefing, sources, help, ingest, error
    title: str
    blocks: list[Block]
    citations: list[Citation] = field(default_factory=list)
    tone: Tone = "ok"
    note: str | None = None  # one line on the reply's status ("Insufficient evidence: ...")
    question: str | None = None  # for answers: the standalone question that was answered
    added: list[str] = field(default_factory=list)  # for `add`: ids of articles new to the index
    picture: tuple[str, bytes] | None = None  # a chart to show with it: (file name, PNG bytes)

    @property
    def text(self) -> str:
        """The reply's blocks as plain text."""
        return "\n\n".join(f"{b.heading}\n{b.text}" if b.heading else b.text for b in self.blocks)


def error_reply(message: str) -> Reply:
    """A domain error as a reply (the message is the error's one line)."""
    return Reply("error", "Could not do that", [Block(message)], tone="error")
