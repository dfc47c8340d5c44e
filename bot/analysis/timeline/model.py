"""What a timeline is: dated events, each with its parties, occasion, key phrase and verbatim citations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.analysis.timeline.dates import DatePrecision
from bot.analysis.timeline.mentions import EventKind
from bot.answer_model import Citation

_KIND_WORDS: dict[EventKind, tuple[str, str]] = {
    "letter": ("letter", "letters exchanged"),
    "visit": ("visit", "visit"),
    "meeting": ("meeting", "meeting"),
    "call": ("call", "call"),
}


@dataclass(frozen=True)
class Cited:
    """A verbatim phrase of an event (its occasion or key phrase) and the citation it comes from."""

    text: str
    n: int
    speaker: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The phrase, its citation number and (for a key phrase) who said it."""
        data: dict[str, Any] = {"text": self.text, "n": self.n}
        if self.speaker is not None:
            data["speaker"] = self.speaker
        return data


@dataclass(frozen=True)
class TimelineEvent:
    """One event of the record: an exchange of letters or messages, a visit, a meeting or a call."""

    date: dt.date
    date_precision: DatePrecision  # which part of `date` is reliable (the corpus' published_precision convention)
    approximate: bool  # `date` is an estimate finer than its precision (e.g. a weekday in a month-dated article)
    date_basis: str
    kind: EventKind
    senders: tuple[str, ...]
    recipients: tuple[str, ...]
    mutual: bool
    places: tuple[str, ...]
    label: str
    occasion: Cited | None
    key_phrase: Cited | None
    article_ids: tuple[str, ...]
    citations: tuple[Citation, ...]
    exchange: bool = True  # between China and North Korea; False: a context event (a third country's)

    @property
    def parties(self) -> tuple[str, ...]:
        """Everyone taking part, in order of mention."""
        return tuple(dict.fromkeys(self.senders + self.recipients))

    @property
    def date_label(self) -> str:
        """The date as precisely as it is known: "2021-07-11", "~2023-09-08", "2023-07", "week of 2021-03-16"."""
        if self.date_precision == "year":
            return str(self.date.year)
        if self.date_precision == "month":
            return f"~{self.date.isoformat()}" if self.approximate else self.date.strftime("%Y-%m")
        if self.date_precision == "week":
            return f"week of {self.date.isoformat()}"
        return self.date.isoformat()

    @property
    def range(self) -> tuple[dt.date, dt.date]:
        """The first and last day the event may fall on."""
        from bot.dates import date_range_of

        if self.date_precision == "week":
            return self.date - dt.timedelta(days=3), self.date + dt.timedelta(days=3)
        lo, hi = date_range_of(self.date, self.date_precision)
        return dt.date.fromordinal(lo), dt.date.fromordinal(hi)

    def to_json(self) -> dict[str, Any]:
        """The event with its citation objects (as in `ask --json`)."""
        return {
            "date": self.date.isoformat(),
            "date_precision": self.date_precision,
            "approximate": self.approximate,
            "date_label": self.date_label,
            "date_basis": self.date_basis,
            "kind": self.kind,
            "label": self.label,
            "from": list(self.senders),
            "to": list(self.recipients),
            "mutual": self.mutual,
            "parties": list(self.parties),
            "places": list(self.places),
            "occasion": self.occasion.to_json() if self.occasion else None,
            "key_phrase": self.key_phrase.to_json() if self.key_phrase else None,
            "articles": list(self.article_ids),
            "scope": "exchange" if self.exchange else "context",
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class Timeline:
    """The dated events of the corpus in order, optionally about a topic and within dates."""

    events: tuple[TimelineEvent, ...]
    topic: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    context: bool = False  # third countries' events included
    left_out: int = 0  # context events left out (not asked for)

    def to_json(self) -> dict[str, Any]:
        """The timeline for `yalu timeline --json` and the Discord cog."""
        return {
            "topic": self.topic,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "context": self.context,
            "count": len(self.events),
            "context_left_out": self.left_out,
            "events": [e.to_json() for e in self.events],
        }


def event_label(kind: EventKind, senders: tuple[str, ...], recipients: tuple[str, ...], mutual: bool) -> str:
    """A short label: "Kim Jong-un ↔ Xi Jinping: letters exchanged", "Li Hongzhong → Pyongyang: visit"."""
    single, exchanged = _KIND_WORDS[kind]
    if mutual and kind == "letter":
        return f"{' ↔ '.join(senders)}: {exchanged}"
    if mutual or not recipients:
        return f"{' – '.join(senders)}: {single}" if senders else single
    return f"{' & '.join(senders) or '?'} → {' & '.join(recipients)}: {single}"
