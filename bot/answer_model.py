"""The answer a question gets: text with [n] markers and the citations behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["answered", "insufficient_evidence"]


@dataclass(frozen=True)
class Citation:
    """One numbered source: the verbatim quote used and the passage it was found in."""

    n: int
    article_id: str
    title: str
    outlet: str | None
    published: dt.date | None
    url: str | None
    quote: str
    passage: str
    start: int  # offset of the quote in the article body
    end: int
    speaker: str | None = None  # whose words the quote reports (bot.analysis.provenance)
    via: tuple[str, ...] = ()  # the state media or agencies the outlet had them from, nearest first

    def to_json(self) -> dict[str, Any]:
        """The citation as in the `ask --json` contract."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["via"] = list(self.via)
        return data


@dataclass
class Answer:
    """A question's answer; `answer` carries [n] markers that refer to `citations`."""

    question: str
    status: Status
    answer: str
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str | None = None
    notice: str | None = None
    llm: dict[str, Any] | None = None  # LLM mode: model, tokens, latency and what validation removed
    disagreements: list[dict[str, Any]] = field(default_factory=list)  # sources that date an event differently

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` contract."""
        data: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
        if self.notice:
            data["notice"] = self.notice
        if self.llm is not None:
            data["llm"] = self.llm
        if self.disagreements:
            data["disagreements"] = self.disagreements
        return data
