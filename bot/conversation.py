"""Follow-ups in a conversation: "and in 2023?" becomes a standalone question before retrieval.

Deterministic rules, no model. A follow-up that names only a date, an outlet or a person is merged
into the previous standalone question (the date replaces the old one, the outlet becomes the filter,
the person takes the place of the one asked about). A follow-up that asks something new keeps its
own words, with "he"/"she"/"his" resolved to the person the previous question was about.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.names import PEOPLE, known_person


@dataclass(frozen=True)
class Query:
    """A standalone question and the filters it is asked with."""

    question: str
    since: str | None = None
    until: str | None = None
    outlet: str | None = None

    @property
    def has_filters(self) -> bool:
        """Whether any filter was given."""
        return bool(self.since or self.until or self.outlet)


_MONTH = "|".join(sorted((m for m in [*calendar.month_name, *calendar.month_abbr, "Sept"] if m), key=len, reverse=True))
_DATE = rf"(?:\d{{1,2}}\s+)?(?:{_MONTH})\.?\s+(?:\d{{1,2}},?\s+)?(?:19|20)\d\d|(?:19|20)\d\d"
_PREP = r"(?:in|during|since|after|before|until|by|from|for|between|on)"
_DATE_PHRASE = re.compile(rf"\b(?:{_PREP}\s+)?(?:{_DATE})(?:\s+(?:and|to|-|–)\s+(?:{_DATE}))?\b", re.I)
_ONLY_DATE = re.compile(rf"^(?:{_PREP}\s+)?(?:{_DATE})(?:\s+(?:and|to|-|–)\s+(?:{_DATE}))?$", re.I)
# Words that open a follow-up: "and in 2023?", "what about Kim?", "but according to Xinhua?"
_CUE = re.compile(
    r"^(?:(?:and|but|also|so|ok|okay)\b[\s,]*)*"
    r"(?:(?:what|how)\s+about\b|what\s+of\b|same\s+(?:for|in|with)\b|and\s+for\b)?[\s,]*",
    re.I,
)
_SOURCE_WORDS = re.compile(r"^(?:(?:according\s+to|reported\s+by|in|from|by|per)\s+)?(?:the\s+)?", re.I)
_PRONOUN = re.compile(r"\b(he|she|his)\b", re.I)  # "him"/"her" are left: they are often the other party
_SHORT = 4  # a turn of at most this many words that names only a date, person or outlet is a follow-up


def merge(turn: Query, previous: Query | None, outlets: Sequence[str] = ()) -> Query:
    """The standalone query a turn stands for, given the previous standalone query of the conversation.

    Filters given explicitly with the turn win over those it inherits.
    """
    merged = _rewrite(turn.question.strip(), previous, outlets)
    return replace(
        merged,
        since=turn.since or merged.since,
        until=turn.until or merged.until,
        outlet=turn.outlet or merged.outlet,
    )


def fold(turns: Iterable[Query], outlets: Sequence[str] = ()) -> Query | None:
    """The standalone query of the last turn, each turn read in the context of those before it."""
    current: Query | None = None
    for turn in turns:
        current = merge(turn, current, outlets)
    return current


def _rewrite(text: str, previous: Query | None, outlets: Sequence[str]) -> Query:
    if previous is None:
        return Query(text)
    cue = _CUE.match(text)
    cued = bool(cue and cue.end())
    rest = text[cue.end() :] if cue else text
    slot = rest.strip(" ?.!,;:")
    short = len(slot.split()) <= _SHORT
    if slot and (cued or short):
        if _ONLY_DATE.match(slot):
            return Query(_with_date(previous.question, slot), outlet=previous.outlet)
        person = known_person(slot)
        if person:
            return replace(previous, question=_with_person(previous.question, slot, person))
        outlet = _outlet(slot, outlets)
        if outlet:
            return replace(previous, outlet=outlet)
    if cued and slot:
        return replace(previous, question=_resolve_pronouns(_capitalise(rest.strip()), previous.question))
    return Query(_resolve_pronouns(text, previous.question))


def _with_date(question: str, phrase: str) -> str:
    """The question with its dates replaced by `phrase` ("in 2023"); a bare date gets "in"."""
    lead = re.match(_PREP, phrase, re.I)
    phrase = phrase[: lead.end()].lower() + phrase[lead.end() :] if lead else f"in {phrase}"
    stripped = _DATE_PHRASE.sub("", question)
    stripped = re.sub(r"\s{2,}", " ", stripped).strip().rstrip("?.! ")
    return f"{stripped} {phrase}?"


def _mentions(question: str) -> list[tuple[int, int, str]]:
    """People named in a question: (start, end, canonical name), in order, longest alias first."""
    found: list[tuple[int, int, str]] = []
    for alias in sorted(PEOPLE, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", question, re.I):
            if all(m.end() <= a or m.start() >= b for a, b, _ in found):
                found.append((m.start(), m.end(), PEOPLE[alias]))
    return sorted(found)


def _with_person(question: str, surface: str, person: str) -> str:
    """The question about `person` instead of the one it asked about; the two trade places if both appear."""
    mentions = _mentions(question)
    if not mentions:
        return f"{question.rstrip('?.! ')} about {surface}?"
    start, end, first = mentions[0]
    if first == person:
        return question
    other = next((m for m in mentions[1:] if m[2] == person), None)
    if other is None:
        return question[:start] + surface + question[end:]
    o_start, o_end, _ = other
    return question[:start] + question[o_start:o_end] + question[end:o_start] + question[start:end] + question[o_end:]


def _outlet(slot: str, outlets: Sequence[str]) -> str | None:
    """The indexed outlet a slot names ("the Korea Herald", "according to Hankyoreh"), if any."""
    name = _SOURCE_WORDS.sub("", slot).strip().lower()
    if len(name) < 3:
        return None
    for outlet in outlets:
        if name in outlet.lower():
            return outlet
    return None


def _resolve_pronouns(text: str, previous: str) -> str:
    """Replace he/she/his by the person the previous question named first (unless the text names someone)."""
    mentions = _mentions(previous)
    if not mentions or _mentions(text):
        return text
    start, end, _ = mentions[0]
    name = previous[start:end]
    return _PRONOUN.sub(lambda m: f"{name}'s" if m.group(1).lower() == "his" else name, text)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# How a question opens: an interrogative, an auxiliary put first, or a request to the assistant. A short,
# closed grammatical class, so a message's shape, not a list of thank-you phrases, decides.
_ASKS = re.compile(
    r"^(?:(?:and|but|so|also|ok|okay|then)\b[\s,]*)*"
    r"(?:who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|has|have|had|can|could|will"
    r"|would|should|may|might|tell|show|list|give|find|explain|summari[sz]e|compare|describe)\b",
    re.I,
)


def asks_something(text: str, previous: Query | None = None, outlets: Sequence[str] = ()) -> bool:
    """Whether a message asks something: it is a question, or a follow-up the conversation can rewrite.

    A question mark, a question's opening word, or a date or person named ("Kim's letters in 2021")
    makes it a question. Otherwise it is a follow-up only if `merge` reads it as one ("and in 2023",
    "the Korea Herald") -- the rewritten query differs from the message taken on its own. What is left
    ("thanks!", "ok", "great, that helps") acknowledges rather than asks.
    """
    words = text.strip()
    if not re.search(r"\w", words):
        return False
    if "?" in words or _ASKS.match(words) or _DATE_PHRASE.search(words) or _mentions(words):
        return True
    if previous is None:
        return False
    alone = Query(words)
    return merge(alone, previous, outlets) != merge(alone, None, outlets)
