"""Who takes part in an event a sentence tells: sender and recipient, visitor and host, those who meet.

The shapes read here: "Xi's letter", "his message to Kim, Xi said", "sent Kim a message", "Kim and Xi
exchanged", "a meeting between Song Tao ... and Ri Ryong-nam", "Kim's visit to China", "Beijing dispatched
Li Hongzhong", "the visiting Chinese delegation".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.analysis.timeline.sentence import PlacedActor, Sentence

EventKind = Literal["letter", "visit", "meeting", "call"]
_SEND = frozenset("sent send sends sending delivered conveyed dispatched".split())
_SPEECH = frozenset(
    "said says say told tells wrote writes stressed stresses described underlined underscored emphasized emphasised "
    "highlighted hailed expressed informed noted wished added reiterated urged congratulated thanked warned vowed "
    "stated predicted acknowledged".split()
)
_TELL = frozenset("told informed notified assured congratulated thanked".split())  # verbs whose object is the addressee


@dataclass
class Head:
    """Cue words that tell one event, and the linking words ("sent", "dated") bound to them."""

    kind: EventKind
    cues: list[int]
    links: list[int] = field(default_factory=list)

    @property
    def positions(self) -> list[int]:
        """Every token position of the head, cues and links."""
        return self.cues + self.links

    @property
    def first(self) -> int:
        """The first token position of the head."""
        return min(self.positions)

    @property
    def last(self) -> int:
        """The last token position of the head."""
        return max(self.positions)

    @property
    def cue_last(self) -> int:
        """The last cue word: what follows it ("to Kim", "with X") says who takes part."""
        return max(self.cues)


def letter_parties(
    s: Sentence, head: Head, speaker: str | None, exchange: bool
) -> tuple[frozenset[str], frozenset[str], bool]:
    """(senders, recipients, mutual) of a letter or message."""
    if exchange:
        pair = _names(_between(s, head)) or _names(_subjects(s, head))
        if len(pair) >= 2:
            return pair, pair, True
    recipient = _after(s, head, ("to",)) or _sent_to(s, head)
    recipients = _names([recipient] if recipient else []) | _told(s)
    sender = _owner(s, head) or _after(s, head, ("from",))
    senders = _names([sender] if sender else [])
    if not senders and {s.tokens[i].lower for i in head.positions} & _SEND:
        senders = _names(_subjects(s, head))
    if not senders and _pronoun_owner(s, head):
        senders = frozenset(n for n in [first_person(s, exclude=recipients) or speaker] if n)
    if not senders and speaker and speaker not in recipients:
        senders = frozenset({speaker})
    return senders, recipients - senders, False


def visit_parties(s: Sentence, head: Head) -> frozenset[str]:
    """Who visits: "Kim's visit", "the visiting Chinese delegation", "Beijing dispatched Li", "led by Liu"."""
    dispatched = any(s.tokens[i].lower == "dispatched" for i in head.positions)
    found = [p for p in s.actors if p.first <= head.cue_last and p.last >= head.first and not is_place_ref(s, p)]
    if dispatched:
        found += [p for p in [_object(s, head.last)] if p]
    else:
        found += [p for p in [_owner(s, head), _after(s, head, ("by",))] if p] + _subjects(s, head)
    return _names(found)


def destinations(s: Sentence, head: Head) -> frozenset[str]:
    """Where a visit goes: "visit to China", "visited Pyongyang", "a parade in Pyongyang"."""
    target = _after(s, head, ("to",)) or (
        _object(s, head.cue_last) if s.tokens[head.cue_last].lower in ("visited", "visits", "toured") else None
    )
    if target:
        return frozenset({as_written(s, target) if target.actor.kind in ("state", "place") else target.actor.name})
    places = [p for p in s.actors if is_place_ref(s, p)]
    after = [p for p in places if p.first > head.cue_last]
    return frozenset(as_written(s, p) for p in (after or places)[:1])  # "arrived in Pyongyang ... for a visit"


def meeting_parties(s: Sentence, head: Head) -> frozenset[str]:
    """Who meets: owner, "with X", "between X and Y", subjects of "met", groups inside the cue."""
    inside = [p for p in s.actors if p.first <= head.cue_last + 1 and p.last >= head.first and not is_place_ref(s, p)]
    found = [p for p in [_owner(s, head), _after(s, head, ("with",))] if p]
    return _names(found + inside + _between(s, head) + _subjects(s, head))


def as_written(s: Sentence, p: PlacedActor) -> str:
    """A place as the article names it ("Pyongyang", not the state it stands for)."""
    return s.text[p.actor.start - s.span.start : p.actor.end - s.span.start]


def _names(placed: list[PlacedActor]) -> frozenset[str]:
    return frozenset(p.actor.name for p in placed if p.actor.kind != "agency")


def _owner(s: Sentence, head: Head) -> PlacedActor | None:
    """ "Xi's recent letter", "Kim Jong-un's visit": a possessive name just before the cue."""
    for p in reversed(s.actors):
        if p.actor.possessive and p.last < head.first and head.first - p.last <= 4:
            between = s.words_between(p.last, head.first)
            if all(t.is_word and t.text.islower() for t in between):
                return p
    return None


def _pronoun_owner(s: Sentence, head: Head) -> bool:
    return any(t.lower in ("his", "her") for t in s.tokens[max(0, head.first - 3) : head.first])


def _after(s: Sentence, head: Head, preps: tuple[str, ...], reach: int = 6) -> PlacedActor | None:
    """The actor after a preposition that closely follows the cue: "letter to Kim", "meeting with X"."""
    for i in range(head.cue_last + 1, min(len(s.tokens), head.cue_last + 4)):
        t = s.tokens[i]
        if not t.is_word:
            return None
        if t.lower in preps:
            # "to North Korea's leader Kim Jong-un": a possessive actor only qualifies the one after it
            near = [p for p in s.actors if i < p.first <= i + reach and only_words(s, i, p.first)]
            return next((p for p in near if not p.actor.possessive), near[0] if near else None)
    return None


def only_words(s: Sentence, a: int, b: int) -> bool:
    """Whether nothing but words (no punctuation) lies between token positions a and b."""
    return all(t.is_word for t in s.words_between(a, b))


def _between(s: Sentence, head: Head) -> list[PlacedActor]:
    """ "between Song Tao, head of ..., and Ri Ryong-nam": the two actors of a between ... and ..."""
    start = next(
        (i for i in range(head.cue_last + 1, min(len(s.tokens), head.cue_last + 5)) if s.tokens[i].lower == "between"),
        None,
    )
    if start is None:
        return []
    first = next((p for p in s.actors if p.first > start), None)
    if first is None:
        return []
    for i in range(first.last + 1, len(s.tokens)):
        if s.tokens[i].lower == "and":
            second = next((p for p in s.actors if i < p.first <= i + 2), None)
            if second:
                return [first, second]
    return [first]


def _subjects(s: Sentence, head: Head) -> list[PlacedActor]:
    """The actors of the clause before the cue: "Kim Jong-un and Xi Jinping exchanged ..."."""
    found: list[PlacedActor] = []
    for p in reversed(s.actors):
        if p.last >= head.first:
            continue
        between = s.words_between(p.last, head.first)
        if len(between) > 8 or any(not t.is_word for t in between):
            break
        if not p.actor.possessive and not is_place_ref(s, p) and p.actor.kind != "agency":
            found.append(p)
    return found[::-1]


def _object(s: Sentence, position: int) -> PlacedActor | None:
    """The actor right after a verb: "sent Kim", "dispatched Li Hongzhong", "visited China"."""
    return next((p for p in s.actors if 0 < p.first - position <= 2), None)


def _sent_to(s: Sentence, head: Head) -> PlacedActor | None:
    """ "sent Kim a similar message": the actor between a sending verb and the cue."""
    sends = [i for i in head.positions if s.tokens[i].lower in _SEND and i < head.last]
    return next((p for i in sends for p in s.actors if i < p.first and p.last < head.last), None)


def _told(s: Sentence) -> frozenset[str]:
    """Whom the sentence's speaker addresses: "Kim told Xi", "informed Xi"."""
    found = [
        p for i, t in enumerate(s.tokens) if t.lower in _TELL and not t.quoted for p in [_object(s, i)] if p is not None
    ]
    return _names(found)


def is_place_ref(s: Sentence, p: PlacedActor) -> bool:
    """ "in Pyongyang", "at Beijing": an actor named as the place where something happens."""
    return p.first > 0 and s.tokens[p.first - 1].lower in ("in", "at")


def speaker_of(s: Sentence, previous: str | None) -> str | None:
    """The person a sentence makes speak ("Xi stressed", "said Paik"; "he wrote" -> `previous`)."""
    for i, t in enumerate(s.tokens):
        if t.quoted or t.lower not in _SPEECH:
            continue
        for p in reversed(s.actors):
            gap = s.words_between(p.last, i)
            close = p.last < i and len(gap) <= 2 and all(w.is_word and w.text.islower() for w in gap)
            if close and p.actor.kind in ("person", "org", "group"):
                return p.actor.name
        if any(w.lower in ("he", "she") for w in s.tokens[max(0, i - 2) : i]):
            return previous
        after = _object(s, i)
        if after and after.actor.kind == "person" and t.lower in ("said", "says", "wrote", "added"):
            return after.actor.name
    return None


def first_person(s: Sentence, exclude: frozenset[str] = frozenset()) -> str | None:
    """The first person named in the sentence (outside quotes), other than those in `exclude`."""
    return next(
        (p.actor.name for p in s.actors if p.actor.kind == "person" and p.actor.name not in exclude),
        None,
    )
