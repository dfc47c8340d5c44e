"""Word matching for the answer model: stems, spelling variants and aliases, so wordings need not agree.

A question says "Moscow", "neighbor", "cooperating" or "WPK"; the article says "Russia", "neighbour",
"cooperation" or "Workers' Party of Korea". Every word is reduced to match keys — its Snowball stem after
British/American spelling is folded, plus the key of any gazetteer group it is part of — and two words
match when they share one.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from bot.answer.aliases import alias_spans
from bot.text import STOPWORDS

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_CLITIC = re.compile(r"['’](?:s|m|re|ve|ll|d|t)$")
_STEMMER = snowballstemmer.stemmer("english")
_BRITISH = ((re.compile(r"our(s?)$"), r"or\1"), (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"))


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: as written, where it is, and every key it matches by.

    `base` (the word without a clitic, lowercased: "what's" -> "what") and `content` (not a stopword) are
    worked out once here: the ranker asks them of every word of every candidate, thousands of times a question.
    Slots and shared key sets keep the `read_words` cache small: it holds the words of up to 16,384 texts.
    """

    text: str
    start: int
    keys: frozenset[str]
    base: str = field(init=False)
    content: bool = field(init=False)

    def __post_init__(self) -> None:
        base = sys.intern(_CLITIC.sub("", self.text.lower()))
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "content", base not in STOPWORDS and len(base) > 1)


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """The match key of one word: lowercased, possessive dropped, spelling folded, Snowball-stemmed."""
    w = re.sub(r"['’]s$", "", word.lower())
    if len(w) >= 5 and w.endswith("ly") and not w.endswith(("ily", "ally")):
        w = w[:-2]  # "newly" is "new", "strongly" is "strong"
    if len(w) > 5:
        for pattern, repl in _BRITISH:
            w = pattern.sub(repl, w)
    return str(_STEMMER.stemWord(w))


@lru_cache(maxsize=16384)
def read_words(text: str) -> tuple[Word, ...]:
    """The words of a text with their keys: own stem (and its hyphen parts), plus the group of any alias
    the word is part of ("Pyongyang" and both words of "North Korea" carry "@north-korea")."""
    spans = alias_spans(text)
    out: list[Word] = []
    for m in _WORD.finditer(text):
        w = m.group()
        keys = {key(w)}
        if "-" in w:  # "Jong-un", "people-to-people": the parts match too
            keys.update(key(p) for p in w.split("-") if len(p) > 2)
        keys.update(g for a, b, g in spans if a <= m.start() < b)
        out.append(Word(sys.intern(w), m.start(), _shared(frozenset(keys))))
    return tuple(out)


_KEY_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(keys: frozenset[str]) -> frozenset[str]:
    """One object for each distinct key set: the same words recur in every text, and a frozenset is 200 bytes."""
    if len(_KEY_SETS) > 200_000:  # a bound for a long-lived bot; the sets are tiny, the words recur
        _KEY_SETS.clear()
    return _KEY_SETS.setdefault(keys, keys)


@lru_cache(maxsize=16384)
def text_keys(text: str) -> frozenset[str]:
    """Every match key of a text's content words, groups included."""
    found: set[str] = set()
    for w in read_words(text):
        if w.content:
            found |= w.keys
    return frozenset(found)


def content_words(text: str) -> list[Word]:
    """The content words of a text, in order."""
    return [w for w in read_words(text) if w.content]
