"""One sentence as tokens: offsets, quoted stretches masked, actors and dates placed on token positions.

Event extraction works on token positions ("the date is two words from 'letter'"), so this module
turns a sentence into that view once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.analysis.timeline.actors import Actor, NameBook, find_actors
from bot.analysis.timeline.dates import Anchor, DateMention, find_dates
from bot.chunking import Span

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-’'][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")
_QUOTED = re.compile(r"“[^”\"]*(?:[”\"]|$)|\"[^\"”]*(?:[\"”]|$)")


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark: absolute offsets, its text and whether it lies inside quotation marks."""

    start: int
    end: int
    text: str
    quoted: bool

    @property
    def lower(self) -> str:
        """The word in lower case, without a possessive ending."""
        return re.sub(r"[’']s$", "", self.text.lower())

    @property
    def is_word(self) -> bool:
        """Whether the token is a word (not punctuation)."""
        return self.text[0].isalnum()


@dataclass(frozen=True)
class Placed:
    """Something found in a sentence (an actor or a date) and the token positions it covers."""

    first: int
    last: int


@dataclass(frozen=True)
class PlacedActor(Placed):
    """An actor at token positions [first, last]."""

    actor: Actor


@dataclass(frozen=True)
class PlacedDate(Placed):
    """A date at token positions [first, last]."""

    date: DateMention


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article as tokens, with the actors and dates it names outside quotation marks."""

    span: Span
    text: str
    masked: str  # the text with quoted words replaced by NUL characters
    tokens: tuple[Token, ...]
    actors: tuple[PlacedActor, ...]
    dates: tuple[PlacedDate, ...]

    def words_between(self, a: int, b: int) -> list[Token]:
        """The tokens strictly between positions a and b."""
        return list(self.tokens[min(a, b) + 1 : max(a, b)])

    def actor_at(self, index: int) -> PlacedActor | None:
        """The actor covering token position `index`, if any."""
        return next((p for p in self.actors if p.first <= index <= p.last), None)


def read_sentence(body: str, span: Span, anchor: Anchor | None, book: NameBook) -> Sentence:
    """The token view of `body[span]`."""
    text = body[span.start : span.end]
    masked = _mask_quotes(text)
    tokens = tuple(
        Token(span.start + m.start(), span.start + m.end(), m.group(), masked[m.start()] == "\0")
        for m in _TOKEN.finditer(text)
    )
    actors = tuple(
        PlacedActor(*_positions(tokens, a.start, a.end), actor=a) for a in find_actors(masked, span.start, book)
    )
    dates = tuple(
        PlacedDate(*_positions(tokens, d.start, d.end), date=d)
        for d in find_dates(masked, anchor, span.start)
        if "\0" not in d.text
    )
    return Sentence(span, text, masked, tokens, actors, dates)


def _mask_quotes(text: str) -> str:
    """The text with quoted words replaced by NUL characters (same length), so nothing inside quotes is read."""
    return _QUOTED.sub(lambda m: m.group()[0] + "\0" * (len(m.group()) - 1), text)


def _positions(tokens: tuple[Token, ...], start: int, end: int) -> tuple[int, int]:
    """First and last token positions overlapping [start, end)."""
    inside = [i for i, t in enumerate(tokens) if t.start < end and start < t.end]
    return (inside[0], inside[-1]) if inside else (0, 0)
