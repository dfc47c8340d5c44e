"""Event mentions in a sentence: a cue ("letters", "met", "delegation"), the date bound to it, who takes part.

News reports tell events in a few fixed shapes, and this module reads those shapes, not meaning:
  Kim and Xi exchanged personal letters on Sunday to mark ...      (mutual, date by the cue)
  In a letter to Kim sent on Thursday in response to ..., Xi said  (recipient after "to", sender = speaker)
  ... state media reported Sunday                                 (a date by "reported" is the report's)
A date binds to the nearest cue unless a reporting verb is nearer; "no visits", "a possible summit",
"had met five times" are not events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.analysis.timeline.dates import DateMention
from bot.analysis.timeline.roles import (
    EventKind,
    Head,
    as_written,
    destinations,
    first_person,
    is_place_ref,
    letter_parties,
    meeting_parties,
    only_words,
    speaker_of,
    visit_parties,
)
from bot.analysis.timeline.sentence import Sentence
from bot.chunking import Span

__all__ = ["EventKind", "Mention", "sentence_mentions"]

_CUES: dict[str, EventKind] = {
    **dict.fromkeys(
        "letter letters message messages cable cables telegram telegrams greetings reply replies "
        "correspondence".split(),
        "letter",
    ),
    **dict.fromkeys(
        "visit visits visited visiting delegation delegations trip trips dispatched toured arrived arrives "
        "arrival".split(),
        "visit",
    ),
    **dict.fromkeys("met meet meets meeting meetings talks summit summits".split(), "meeting"),
    **dict.fromkeys("phone telephone".split(), "call"),
}
_LINKS = frozenset(
    "exchanged exchange exchanges exchanging sent send sends sending dated delivered shared conveyed "
    "congratulatory".split()
)
_EXCHANGE = frozenset("exchanged exchange exchanges exchanging".split())
_REPORTS = frozenset(
    "reported reports report reporting said says quoted according carried published released releasing featured "
    "announced".split()
)
_NEGATION = frozenset("no not never without didn't hasn't haven't won't".split())
_HYPOTHETICAL = frozenset(
    "possible rumoured rumored planned expected proposed potential imminent upcoming future prospective".split()
)
_MODAL = frozenset("will would could may might shall should to".split())
_VERB_CUES = frozenset("meet visit send".split())
_COUNTS = frozenset("times once twice".split())
_DEFINITE = frozenset("the this that these those".split())
_REPLY = frozenset("response reply replying responding".split())
_MAX_DATE_GAP = 12
_OCCASION = re.compile(
    r"\b(?:to mark|marking|to celebrate|celebrating|to commemorate|commemorating|on the occasion of|in response to|"
    r"in reply to|in honou?r of|to congratulate|congratulating|expressing congratulations|to attend|to notify|"
    r"to discuss|(?:over|on) the death of|to express condolences|to offer condolences|"
    r"(?:for|on) the (?:[\w’'-]+\s+){0,4}?(?:anniversary|congress|birthday|founding|opening|launch)"
    r")\b",
    re.I,
)
_TAIL = re.compile(r",\s+[^,]*\b(?:said|reported|says|stressed|wrote|noted|added|according)\b.*$", re.S)


@dataclass(frozen=True)
class Mention:
    """An event as one sentence reports it."""

    article_id: str
    kind: EventKind
    sentence: Span
    cue: Span  # the cue words, e.g. "exchanged personal letters"
    date: DateMention | None
    senders: frozenset[str]  # who writes, visits or meets
    recipients: frozenset[str]  # who is written to or visited
    mutual: bool  # an exchange or a meeting: the parties act on each other
    places: frozenset[str]
    occasion: Span | None
    replied_to: bool  # "in response to a message": an earlier event, told in passing
    definite: bool  # "the letter": refers back to one told before
    named: bool  # the parties are named in the sentence, not inferred from the article

    @property
    def parties(self) -> frozenset[str]:
        """Everyone taking part."""
        return self.senders | self.recipients


def sentence_mentions(article_id: str, s: Sentence, previous_speaker: str | None) -> tuple[list[Mention], str | None]:
    """The event mentions of a sentence, and the person it makes speak (for a "he" in the next one)."""
    speaker = speaker_of(s, previous_speaker)
    heads = _heads(s)
    dates = _bind_dates(s, heads)
    mentions = [
        _mention(article_id, s, head, dates.get(i), speaker, heads[i + 1].first if i + 1 < len(heads) else None)
        for i, head in enumerate(heads)
    ]
    return _answered(mentions), speaker or first_person(s) or previous_speaker


def _answered(mentions: list[Mention]) -> list[Mention]:
    """A message replied to went the other way: from the reply's recipient to its sender."""
    replies = [m for m in mentions if m.kind == "letter" and not m.replied_to and m.senders]
    if not replies:
        return mentions
    reply = replies[0]
    return [
        replace(m, senders=(m.senders - reply.senders) or reply.recipients, recipients=reply.senders)
        if m.replied_to and m.kind == "letter"
        else m
        for m in mentions
    ]


# --- cues ---------------------------------------------------------------------------------------------
def _heads(s: Sentence) -> list[Head]:
    """Cue words grouped into heads ("meeting with the visiting delegation" is one), links bound to them."""
    heads: list[Head] = []
    for i, t in enumerate(s.tokens):
        kind = _CUES.get(t.lower)
        if kind is None or t.quoted or not _is_event(s, i):
            continue
        if heads and _joins(s, heads[-1], i, kind):
            heads[-1].cues.append(i)
        else:
            heads.append(Head(kind, [i]))
    for i, t in enumerate(s.tokens):
        if t.lower in _LINKS and not t.quoted:
            head = _link_target(s, heads, i)
            if head is not None:
                head.links.append(i)
    return heads


def _is_event(s: Sentence, i: int) -> bool:
    """Whether the cue at `i` tells an event that happened (not "no visits", "a possible summit", "met five times")."""
    before = [t.lower for t in s.tokens[max(0, i - 4) : i]]
    if "," in before:
        before = before[before.index(",") + 1 :]
    after = [t.lower for t in s.tokens[i + 1 : i + 4]]
    if _NEGATION & set(before) or _HYPOTHETICAL & set(before[-3:]) or _COUNTS & set(after):
        return False
    return not (s.tokens[i].lower in _VERB_CUES and before[-1:] and before[-1] in _MODAL)


def _joins(s: Sentence, head: Head, i: int, kind: EventKind) -> bool:
    """Whether cue `i` belongs to `head`: close, only lowercase words between, kinds that combine."""
    if not (kind == head.kind or (head.kind == "meeting" and kind == "visit")):
        return False
    gap = range(head.cue_last + 1, i)
    return len(gap) <= 3 and all(_plain(s, j) and s.tokens[j].lower not in ("to", "and") for j in gap)


def _plain(s: Sentence, j: int) -> bool:
    """A lowercase word, or a word of a group like "Chinese delegation" (part of the same noun phrase)."""
    t = s.tokens[j]
    placed = s.actor_at(j)
    return t.is_word and (t.text.islower() or (placed is not None and placed.actor.kind == "group"))


def _link_target(s: Sentence, heads: list[Head], i: int) -> Head | None:
    """The head a linking word ("exchanged", "sent", "dated") belongs to: the next close one, else the last."""
    passive = i > 0 and s.tokens[i - 1].lower in ("was", "were", "been", "be", "is", "are")
    ahead = next((h for h in heads if 0 < h.first - i <= 4), None)
    if ahead and not passive and all(t.is_word for t in s.words_between(i, ahead.first)):
        return ahead
    behind = [h for h in heads if 0 < i - h.last <= 10 and all(t.text not in ".;:" for t in s.words_between(h.last, i))]
    return behind[-1] if behind else None


def _bind_dates(s: Sentence, heads: list[Head]) -> dict[int, DateMention]:
    """Each head's date: the nearest date for which no reporting verb is nearer."""
    reports = [i for i, t in enumerate(s.tokens) if t.lower in _REPORTS and not t.quoted]
    bound: dict[int, tuple[int, DateMention]] = {}
    for placed in s.dates:
        # "..., the state news agency Xinhua said": a report verb past a comma does not claim the date
        near_reports = [r for r in reports if only_words(s, r, placed.first if r < placed.first else placed.last)]

        def gap(i: int, p: int = placed.first, q: int = placed.last) -> int:
            return p - i if i < p else i - q if i > q else 0

        best = min(range(len(heads)), key=lambda h: min(gap(i) for i in heads[h].positions), default=None)
        if best is None:
            continue
        distance = min(gap(i) for i in heads[best].positions)
        if distance > _MAX_DATE_GAP or any(gap(r) < distance for r in near_reports):
            continue
        if best not in bound or distance < bound[best][0]:
            bound[best] = (distance, placed.date)
    return {h: d for h, (_, d) in bound.items()}


# --- who takes part -----------------------------------------------------------------------------------
def _mention(
    article_id: str, s: Sentence, head: Head, date: DateMention | None, speaker: str | None, next_head: int | None
) -> Mention:
    """A head with its date, parties, places and occasion."""
    kind = head.kind
    words = {s.tokens[i].lower for i in head.positions}
    if kind == "letter":
        senders, recipients, mutual = letter_parties(s, head, speaker, bool(words & _EXCHANGE))
    elif kind == "visit":
        senders, recipients, mutual = visit_parties(s, head), destinations(s, head), False
    else:
        senders, recipients, mutual = meeting_parties(s, head), frozenset(), True
    cue = Span(s.tokens[head.first].start, s.tokens[head.last].end)
    places = frozenset(as_written(s, p) for p in s.actors if is_place_ref(s, p) and p.first > head.first)
    return Mention(
        article_id,
        kind,
        s.span,
        cue,
        date,
        senders,
        recipients,
        mutual and bool(senders),
        places,
        _occasion(s, head, next_head),
        _replied(s, head),
        bool(_DEFINITE & {t.lower for t in s.tokens[max(0, head.first - 3) : head.first]}),
        bool(senders or recipients),
    )


# --- what for ---------------------------------------------------------------------------------------
def _occasion(s: Sentence, head: Head, next_head: int | None) -> Span | None:
    """ "to mark the 60th anniversary of ...", "in response to a congratulatory message on ...": why it happened."""
    lo = s.tokens[head.first].start - s.span.start
    hi = (s.tokens[next_head].start - s.span.start) if next_head is not None else len(s.text)
    masked = s.masked
    m = _OCCASION.search(masked, lo, hi)
    if m is None:
        return None
    end = _clause_end(masked, m.end())
    text = _TAIL.sub("", s.text[m.start() : end]).rstrip(" ,")
    return Span(s.span.start + m.start(), s.span.start + m.start() + len(text)) if text else None


def _clause_end(text: str, i: int) -> int:
    """Where an occasion phrase ends: at a stop or quote, or a comma not inside a Title Case list."""
    while i < len(text):
        ch = text[i]
        if ch in '.;:!?“”"()\0':
            return i
        if ch == ",":
            before = text[:i].split()[-1:] or [""]
            after = text[i + 1 :].split()[:1] or [""]
            if not (before[0][:1].isupper() and after[0][:1].isupper()):
                return i
        i += 1
    return i


def _replied(s: Sentence, head: Head) -> bool:
    """ "in response to a congratulatory message", "reply to Kim's letter": the cue names an earlier message."""
    before = [t.lower for t in s.tokens[max(0, head.first - 5) : head.first]]
    return any(w in _REPLY and before[j + 1 : j + 2] == ["to"] for j, w in enumerate(before))
