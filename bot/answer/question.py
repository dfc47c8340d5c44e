"""What a question asks, read once: its words and their weights, the dates, people and roles it names,
and the kind of answer it wants.

Nothing here decides: every reading is a feature the answer model weighs. A date a question names is the
date of the *event* asked about (reports follow events, and later articles quote earlier messages), so it
never filters; only --since/--until do.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from bot.answer.terms import Word, content_words
from bot.dates import Period, named_periods
from bot.names import PEOPLE
from bot.text import STOPWORDS

AnswerType = Literal["who", "when", "where", "how-many", "why", "yesno", "what"]

# Words of the conversation, not of its subject: they never count as evidence or as unknown words.
FRAME = frozenset(
    """please pls plz cite cited citing citation citations source sources thanks thank thx ty hey hi hello yalu
    bot quick question questions everyone guys folks team tell check know anyone remind wondering curious need
    want looking find help ok okay lol btw fyi asap again article articles news report reports reported corpus
    say said says write wrote written mention mentioned describe described do did does happen happened
    exactly actually really something anything thing things way kind sort q pl u w abt re acc asap thx tho
    go goes went gone going come comes came get gets got take takes took make makes made give gives gave put use used
    pull dig memo piece editor desk sorry basic background""".split()
)
_MENTION = re.compile(r"<[@#][!&]?\d+>|@(?:everyone|here)\b|@\w+", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TYPES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (
        "how-many",
        re.compile(
            r"\bhow\s+(?:many|much|often|long|large|big|far|high|old)\b|\bwhat\s+(?:number|percentage|share|amount|size)\b",
            re.I,
        ),
    ),
    ("when", re.compile(r"\bwhen\b|\b(?:what|which)\s+(?:date|day|month|year|time)\b|\bdated\b", re.I)),
    ("where", re.compile(r"\bwhere\b|\b(?:what|which)\s+(?:city|country|place|venue|location)\b", re.I)),
    (
        "who",
        re.compile(
            r"\bwho(?:m|se)?\b|\b(?:what|which)\s+(?:official|person|leader|analyst|expert|"
            r"minister|ambassador|envoy|diplomat|outlet|agency|newspaper|paper|organ)s?\b",
            re.I,
        ),
    ),
    ("why", re.compile(r"\bwhy\b|\bfor\s+what\s+reason\b|\bwhat\s+(?:reason|purpose|motive)\b|\bhow\s+come\b", re.I)),
    ("yesno", re.compile(r"^\s*(?:did|does|do|is|was|were|are|has|have|had|can|could|will|would)\b", re.I)),
)
_MULTI = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:messages|letters|articles|reports|exchanges|statements|outlets|times|years|"
    r"occasions|anniversaries|phrases|lines|congresses)\b"
    r"|\bchang(?:e|ed|es|ing)\b|\bcompar|\bover\s+the\s+years\b|\bevolv|\bdiffer|\bshift"
    r"|\b(?:each|every|all)\s+(?:(?:the|of|his|xi's|kim's|\w+)\s+){0,2}(?:years?|letters?|messages?|articles?|exchanges?|times)\b"
    r"|\bboth\b|\bacross\b|\bvs\.?\b|\bversus\b|\btwo\s+(?:\d{4}\s+)?(?:messages|letters|articles|exchanges)\b",
    re.I,
)
_PERSON_NAMES = sorted(PEOPLE, key=len, reverse=True)
_PERSON = "|".join(re.escape(n) for n in _PERSON_NAMES)
_SPEECH = (
    r"(?:say|said|says|write|wrote|written|writes|tell|told|send|sent|message|messaged|letter|reply|replied|"
    r"congratulate[sd]?|thank(?:ed)?|promise[sd]?|pledge[sd]?|stress(?:ed)?|describe[sd]?|call(?:ed)?|hail(?:ed)?)"
)
_TO = re.compile(
    rf"\b(?:to|told|tell|tells|informed|congratulated|thanked|urged|warned|assured)\s+(?:the\s+)?({_PERSON})\b", re.I
)
_FROM = re.compile(rf"\bfrom\s+(?:the\s+)?({_PERSON})\b", re.I)
_SUBJECT = re.compile(
    rf"\b(?:did|does|do|has|have|had|would|will|was)\s+(?:the\s+)?({_PERSON})\b(?:['’]s)?\s+(?:\w+\s+)?{_SPEECH}"
    rf"|\b({_PERSON})['’]s\s+(?:\w+\s+){{0,3}}(?:message|letter|cable|reply|statement|remarks|words)"
    rf"|\b({_PERSON})\s+(?:\w+\s+)?{_SPEECH}",
    re.I,
)
_ANY_SUBJECT = re.compile(
    r"\b(?:did|does|do|has|have|had|would|will)\s+((?:the\s+)?[\w'’.-]+(?:\s+[\w'’.-]+){0,2}?)\s+"
    r"(?:(?:actually|really|also|ever|first|publicly|then|officially)\s+)?"
    r"(?:say|tell|write|respond|react|reply|answer|describe|call|characteri[sz]e|portray|pledge|promise|propose|"
    r"announce|warn|stress|thank|congratulate|ask|urge|insist|claim|express|comment|note|mention)\b",
    re.I,
)
_NOT_SPEAKERS = frozenset("he she they it you we i this that these those them him her there".split())
_NUMBER = re.compile(
    r"\b\d+(?:st|nd|rd|th|s)?\b|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|twentieth|hundredth|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|"
    r"fifty|sixty|seventy|eighty|hundred|thousand|million|billion|dozen)\b",
    re.I,
)

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_DATE_WORD = re.compile(
    r"^(?:(?:19|20)\d\d|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    r"july|august|september|october|november|december)$",
    re.I,
)


@dataclass(frozen=True)
class Question:
    """A question as the answer model reads it."""

    text: str  # as asked, cleaned of control characters
    core: str  # what is embedded and matched: mentions and conversational frame removed
    words: tuple[Word, ...]  # content words of `core`, frame words dropped
    names: tuple[Word, ...]  # proper names and acronyms among them
    numbers: frozenset[str]  # numbers and ordinals named ("60th", "five", "2023")
    periods: tuple[Period, ...]  # dates named: the event's time, soft
    answer_type: AnswerType
    speaker: str | None  # canonical person whose words are asked about ("What did Xi write")
    addressee: str | None  # canonical person addressed ("... to Kim")
    multi: bool  # asks across several messages, articles or years
    years: tuple[int, ...] = field(default=())

    @property
    def since(self) -> dt.date | None:
        """The earliest day a named period starts (None when no date is named)."""
        return min((p.first for p in self.periods), default=None)


def strip_control(text: str) -> str:
    """The text with control characters turned to spaces and whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", text).split())


def core_of(text: str) -> str:
    """The question without chat mentions ("@everyone", "<@123>") — what retrieval embeds."""
    return " ".join(_MENTION.sub(" ", text).split()) or text


def read_question(text: str) -> Question:
    """Read a cleaned question once, for retrieval and for every candidate's features."""
    core = core_of(text)
    words = tuple(w for w in content_words(core) if w.base not in FRAME and not _DATE_WORD.match(w.text))
    names = tuple(w for w in words if _is_name(core, w))
    periods = tuple(named_periods(core))
    years = tuple(sorted({p.first.year for p in periods} | {p.last.year for p in periods}))
    return Question(
        text=text,
        core=core,
        words=words,
        names=names,
        numbers=frozenset(m.group().lower() for m in _NUMBER.finditer(core) if not _YEAR.match(m.group())),
        periods=periods,
        answer_type=answer_type(core),
        speaker=_speaker(core),
        addressee=_addressee(core),
        multi=bool(_MULTI.search(core)) or len({p.first for p in periods}) > 1,
        years=years,
    )


def answer_type(text: str) -> AnswerType:
    """The kind of answer a question wants, from its question words."""
    for kind, pattern in _TYPES:
        if pattern.search(text):
            return kind
    return "what"


def person(name: str) -> str | None:
    """The canonical person a name or title designates ("jinping", "the Chinese leader" -> "Xi Jinping")."""
    return PEOPLE.get(" ".join(name.lower().split()).removeprefix("the "))


def _speaker(text: str) -> str | None:
    m = _SUBJECT.search(text) or _FROM.search(text)
    if m:
        return person(next(g for g in m.groups() if g))
    g = _ANY_SUBJECT.search(text)
    if not g:
        return None
    name = re.sub(r"^(?:the|a|an)\s+", "", g.group(1), flags=re.I).strip()
    name = re.sub(r"['’]s$", "", name)
    if not name or name.lower() in _NOT_SPEAKERS or all(w.lower() in STOPWORDS for w in name.split()):
        return None
    if person(name):
        return person(name)
    # A named speaker ("Song Tao"), not a generic one ("officials", "the two sides").
    return name if any(w[:1].isupper() for w in name.split()) else None


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two names designate one speaker: equal, or sharing a name part ("Cheong", "Cheong Seong-chang")."""
    if not a or not b:
        return False
    if a.lower() == b.lower():
        return True
    return bool(_name_parts(a) & _name_parts(b))


def _name_parts(name: str) -> set[str]:
    return {p for p in re.split(r"[\s-]+", name.lower()) if len(p) > 2}


def _addressee(text: str) -> str | None:
    speaker = _speaker(text)
    for m in _TO.finditer(text):
        who = person(m.group(1))
        if who and who != speaker:
            return who
    return None


def _is_name(text: str, w: Word) -> bool:
    """A capitalised word that does not open the question, or an acronym."""
    if w.text.isupper() and len(w.text) > 1:
        return True
    if not w.text[:1].isupper():
        return False
    before = text[: w.start].rstrip()
    return bool(before) and before[-1] not in '.?!:"“'
