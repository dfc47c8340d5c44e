"""Who takes part in an event: the people, parties and states a sentence names, under one name per actor.

"Chinese President Xi Jinping", "Xi" and "the Chinese leader" are one actor; "Beijing" stands for China
when it acts ("Beijing dispatched ...") and is a place when something happens in it. Known leaders,
agencies and parties come from `bot.names`; anyone else is named as the article first names them in full.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.names import AGENCIES, ORGANISATIONS, agency_name, is_place, known_person

ActorKind = Literal["person", "state", "org", "group", "agency", "place"]

STATES = {
    "china": "China",
    "people’s republic of china": "China",
    "democratic people’s republic of korea": "North Korea",
    "democratic people's republic of korea": "North Korea",
    "beijing": "China",
    "north korea": "North Korea",
    "dprk": "North Korea",
    "pyongyang": "North Korea",
    "south korea": "South Korea",
    "seoul": "South Korea",
    "us": "United States",
    "united states": "United States",
    "washington": "United States",
    "russia": "Russia",
    "moscow": "Russia",
    "japan": "Japan",
    "tokyo": "Japan",
}
# the state an actor speaks for, so "a letter to China" and "a letter to the Communist Party of China" can agree
_AFFILIATION = {
    "Xi Jinping": "China",
    "Li Qiang": "China",
    "Communist Party of China": "China",
    "Kim Jong-un": "North Korea",
    "Workers' Party of Korea": "North Korea",
    "Vladimir Putin": "Russia",
    "Yoon Suk Yeol": "South Korea",
    # officials and envoys of the two sides the coverage names
    "Li Hongzhong": "China",
    "Song Tao": "China",
    "Zhao Leji": "China",
    "Wang Yi": "China",
    "Liu Guozhong": "China",
    "Ri Ryong-nam": "North Korea",
    "Choe Son-hui": "North Korea",
    "Pak Thae-song": "North Korea",
    "Choe Ryong-hae": "North Korea",
}
_PAIR = frozenset({"China", "North Korea"})
_NATIONALITIES = {
    "chinese": "China",
    "north korean": "North Korea",
    "south korean": "South Korea",
    "russian": "Russia",
    "japanese": "Japan",
    "us": "United States",
    "american": "United States",
    "indonesian": "Indonesia",
}
_TITLES = frozenset(
    """Chinese North South Korean Russian US American Japanese Indonesian President Premier Secretary State of the
    Defense Defence Foreign Minister Vice Chairman Leader General Prime Chief Ambassador Mr Ms Dr Supreme Comrade
    Politburo Senior Top Former""".split()
)
_FUNCTION = frozenset(
    """The In On At But And As If Under During Regarding According Noting While When After Before Since For A An
    This That These Those It Its His Her Their Our We I Separately Analysts Observers Reports Officials Preparing
    Context Also""".split()
)
_GROUP_NOUNS = (
    "ruling party|leader|leadership|president|premier|delegation|foreign minister|minister|ministers|ambassador|"
    "envoy|officials|government|side|party|counterparts?"
)
_ORG_WORDS = frozenset(
    """Party Committee Agency Council Congress Department Ministry Assembly Nations Institute University School
    Association Union Army Bureau Office Commission Standing Sinmun News Summit""".split()
)
_NOT_NAMES = frozenset("Covid COVID COVID-19 Politburo Cold War Asia".split())
_CALENDAR = frozenset(n for n in (*calendar.day_name, *calendar.month_name, *calendar.month_abbr) if n)
_CAP = r"[A-Z][A-Za-z]*(?:-[A-Za-z0-9]+)*"
# "Workers’ Party of Korea", "Democratic People’s Republic of Korea": one run of capitalised words
_RUN = re.compile(rf"(?<![\w’'-])({_CAP}(?:(?:(?<=People)[’']s\s+|[’']\s+|\s+(?:of\s+(?:the\s+)?)?){_CAP})*)")
_ADJECTIVE = re.compile(r"[A-Z][a-z]+(?:an|ese|ern|ic)")
_POSSESSIVE = re.compile(r"[’']s\b")
_GROUP = re.compile(rf"\s+({_GROUP_NOUNS})\b")


@dataclass(frozen=True)
class Actor:
    """An actor named in a sentence: canonical name, kind, the offsets of the words and whether they are possessive."""

    name: str
    kind: ActorKind
    start: int
    end: int
    possessive: bool


def state_of(name: str) -> str | None:
    """The state a name stands for ("Pyongyang" -> "North Korea"), or None."""
    return STATES.get(name.lower().removeprefix("the "))


def affiliation(name: str) -> str | None:
    """The state an actor is or acts for: "Xi Jinping" and "Chinese delegation" -> "China"."""
    if name in STATES.values():
        return name
    if name in _AFFILIATION:
        return _AFFILIATION[name]
    lowered = name.lower()
    return next((state for adj, state in _NATIONALITIES.items() if lowered.startswith(adj + " ")), None)


def is_exchange(parties: Iterable[str], places: Iterable[str] = ()) -> bool:
    """Whether an event is between China and North Korea: both sides among its parties (or a visit's place)."""
    sides = {affiliation(p) or state_of(p) for p in parties} | {state_of(p) for p in places}  # "→ Pyongyang"
    return sides >= _PAIR


class NameBook:
    """The full names an article uses, so a later "Paik" or "Li" resolves to the person it means."""

    def __init__(self, title: str, body: str) -> None:
        """Collect the multi-word person names of the title (offset -1) and body (their offsets)."""
        self._parts: dict[str, list[tuple[int, str]]] = {}
        for text, base in ((title, None), (body, 0)):
            for m in _RUN.finditer(text):
                words = _strip(m.group(1).split(), _FUNCTION | _TITLES)
                if len(words) < 2 or _is_org(words) or is_place(" ".join(words)) or agency_name(" ".join(words)):
                    continue
                full = known_person(" ".join(words)) or " ".join(words)
                for part in words:
                    self._parts.setdefault(part, []).append((-1 if base is None else m.start(), full))

    def person(self, name: str, at: int) -> str:
        """The canonical name of a person named `name` at offset `at` (the latest full name before it)."""
        if " " in name:
            return known_person(name) or name
        fulls = self._parts.get(name, [])
        before = [full for pos, full in fulls if pos < at]
        if before:
            return before[-1]
        return known_person(name) or (fulls[0][1] if fulls else name)


def name_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) offsets of every run of capitalised words ("Treaty of Friendship", "Xi Jinping")."""
    return [m.span(1) for m in _RUN.finditer(text)]


def find_actors(text: str, offset: int, book: NameBook) -> list[Actor]:
    """The actors a sentence names (quoted words should be masked by the caller), in order."""
    actors: list[Actor] = []
    for m in _RUN.finditer(text):
        words = m.group(1).split()
        lead = len(m.group(1)) - len(" ".join(_strip(words, _FUNCTION)))
        start = m.start() + lead
        actor = _classify(text, start, m.end(), offset, book, sentence_initial=m.start() == 0)
        if actor is not None:
            actors.append(actor)
    nexts: list[Actor | None] = [*actors[1:], None]
    return [a for a, after in zip(actors, nexts, strict=False) if not _titles(a, after, text, offset)]


def _titles(actor: Actor, after: Actor | None, text: str, offset: int) -> bool:
    """ "his North Korean counterpart Choe Son-hui": a group right before a person is that person's title."""
    if actor.kind != "group" or after is None or after.kind != "person":
        return False
    return not text[actor.end - offset : after.start - offset].strip()


def _classify(text: str, start: int, end: int, offset: int, book: NameBook, sentence_initial: bool) -> Actor | None:
    """One capitalised run as an actor, or None when it names nothing that acts."""
    phrase = text[start:end]
    if not phrase or phrase in _NOT_NAMES:
        return None
    words = phrase.split()
    possessive = bool(_POSSESSIVE.match(text, end))
    fixed = _fixed(phrase)
    if fixed is not None:
        return Actor(fixed[0], fixed[1], start + offset, end + offset, possessive)
    if all(w in _TITLES or _ADJECTIVE.fullmatch(w) for w in words):
        return _group(text, start, end, offset)
    if any(_is_modifier(w) for w in words):
        return None
    name_words = _strip(words, _TITLES)
    name = " ".join(name_words)
    if _is_org(words):
        return Actor(phrase.removeprefix("the "), "org", start + offset, end + offset, possessive)
    if name in _CALENDAR:
        return None
    if is_place(name):
        return Actor(state_of(name) or name, "place", start + offset, end + offset, possessive)
    if _ADJECTIVE.fullmatch(name_words[-1]) and not _known(name, book):
        return None  # "East Asian", "Western": a description
    if len(name_words) == 1 and sentence_initial and name_words == words and not _known(name, book):
        return None  # "Observers view ...": a capitalised first word is not a name unless the article names it
    return Actor(book.person(name, start + offset), "person", start + offset, end + offset, possessive)


def _fixed(phrase: str) -> tuple[str, ActorKind] | None:
    """A state, party, agency or known person named by a fixed alias."""
    key = phrase.lower()
    if key in ORGANISATIONS:
        return ORGANISATIONS[key], "org"
    if key.removeprefix("the ") in AGENCIES:
        return AGENCIES[key.removeprefix("the ")], "agency"
    state = state_of(phrase)
    if state:
        return state, "state"
    person = known_person(phrase)
    return (person, "person") if person else None


def _group(text: str, start: int, end: int, offset: int) -> Actor | None:
    """ "Chinese delegation", "North Korean leader": a nationality or title followed by who acts."""
    m = _GROUP.match(text, end)
    if m is None:
        return None
    phrase = text[start : m.end()]
    possessive = bool(_POSSESSIVE.match(text, m.end()))
    person = known_person(phrase)
    if person:
        return Actor(person, "person", start + offset, m.end() + offset, possessive)
    org = ORGANISATIONS.get(phrase.lower())
    if org:
        return Actor(org, "org", start + offset, m.end() + offset, possessive)
    return Actor(phrase, "group", start + offset, m.end() + offset, possessive)


def _is_modifier(word: str) -> bool:
    """ "US-China", "Korean-language", "Indo-Pacific": a compound that describes, never a name."""
    parts = word.split("-")
    if len(parts) < 2:
        return False
    return any(p in _TITLES or state_of(p) or is_place(p) for p in parts) or any(p[:1].isupper() for p in parts[1:])


def _known(name: str, book: NameBook) -> bool:
    return known_person(name) is not None or book.person(name, 1 << 30) != name


def _is_org(words: list[str]) -> bool:
    return len(words) > 1 and any(w in _ORG_WORDS for w in words)


def _strip(words: list[str], drop: frozenset[str]) -> list[str]:
    """Words without the leading ones in `drop` ("US Secretary of State Antony Blinken" -> "Antony Blinken")."""
    i = 0
    while i < len(words) - 1 and words[i] in drop:
        i += 1
    return words[i:] if words[i] not in drop else []
