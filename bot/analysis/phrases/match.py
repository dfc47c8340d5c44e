"""Matching a phrase and its variants: words keyed by lemma, stopwords free between content words.

Analysts track wording, and wording varies: "strategic communications" is "strategic communication",
"the same mountain and river" is "mountains and rivers", "neighbours" is "neighbors". Words match by
lemma (bot.text.stem, a few irregular forms, British spellings) or, failing that, by a close spelling;
stopwords may differ or be missing between the content words ("mountains and rivers", "mountains, rivers"),
and so may the light modifiers every China–DPRK text is full of ("bilateral strategic communication" is
"strategic communication"). A formula of three content words or more also matches when it is reworded
within one clause, its words in order and "unseen" written "not witnessed": "changes unseen in a century"
is "major changes ... of a kind we have not witnessed in a century".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.text import STOPWORDS, stem

MatchKind = Literal["exact", "variant", "fuzzy", "reworded"]

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-’'][A-Za-z0-9]+)*")
_IRREGULAR = {
    "met": "meet",
    "wrote": "write",
    "written": "write",
    "sent": "send",
    "said": "say",
    "told": "tell",
    "held": "hold",
    "men": "man",
    "women": "woman",
    "children": "child",
    "peoples": "people",
}
_SPELLING = ((re.compile(r"(\w{3,})our(s?)$"), r"\1or\2"), (re.compile(r"(\w{3,})is(e|es|ed|ing)$"), r"\1iz\2"))
_BOUNDARY = re.compile(r"[.;:!?“”\"()\[\]—–]")  # a phrase never runs across these
_MAX_GAP = 2  # stopwords allowed between two content words of a match
_FUZZY = 0.85
# Modifiers that say nothing about the relationship (every exchange is bilateral): free in a match, like stopwords.
LIGHT = frozenset("bilateral mutual further two both each".split())
_NEGATIONS = frozenset("not never n't without".split())
_SEEING = frozenset({"see", "seen", "witness", "experienc"})
_SAME_SENSE = dict.fromkeys(_SEEING, _SEEING)  # "unseen" = "not seen" = "not witnessed"
_REWORDED_MIN = 3  # content words a formula needs before a loose, in-clause match counts
_REWORDED_SPAN = 6  # words a reworded match may span, per content word of the formula
_CLAUSE = re.compile(r"[,.;:!?“”\"()\[\]—–]")


@dataclass(frozen=True)
class Word:
    """A word of a text: offsets, as written, and its comparison key (lemma)."""

    start: int
    end: int
    text: str
    key: str
    stop: bool


@dataclass(frozen=True)
class PhraseMatch:
    """Where a phrase (or a variant of it) occurs in a text, and how closely it matches."""

    start: int
    end: int
    kind: MatchKind


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The comparison key of a word: irregular forms mapped, British spellings folded, suffixes stripped."""
    w = re.sub(r"[’']s$", "", word.lower()).replace("’", "'")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith("programme"):
        w = w[:-2]
    for pattern, repl in _SPELLING:
        w = pattern.sub(repl, w)
    return stem(w)


def words(text: str, offset: int = 0) -> list[Word]:
    """The words of a text with their offsets (shifted by `offset`) and keys."""
    return [
        Word(m.start() + offset, m.end() + offset, m.group(), lemma(m.group()), m.group().lower() in STOPWORDS)
        for m in _WORD.finditer(text)
    ]


def find_phrase(text: str, phrase: str, offset: int = 0) -> list[PhraseMatch]:
    """Every occurrence of `phrase` or a variant of it in `text` (offsets shifted by `offset`), in order."""
    pattern = _pattern(phrase)
    if not pattern:
        return []
    tokens = words(text)
    found: list[PhraseMatch] = []
    i = 0
    while i < len(tokens):
        matched = _match_at(text, tokens, i, pattern)
        reworded = False
        if matched is None and len(pattern) >= _REWORDED_MIN:
            loose = _reworded_at(text, tokens, i, pattern)
            matched, reworded = ((loose, False), True) if loose is not None else (None, False)
        if matched is None:
            i += 1
            continue
        last, fuzzy = matched
        start, end = tokens[i].start, tokens[last].end
        kind: MatchKind = (
            "reworded" if reworded else "fuzzy" if fuzzy else "exact" if _same(text[start:end], phrase) else "variant"
        )
        found.append(PhraseMatch(start + offset, end + offset, kind))
        i = last + 1
    return found


def _pattern(phrase: str) -> list[Word]:
    """The words a match must have: the content words, light modifiers left free unless there is nothing else."""
    tokens = words(phrase)
    content = [w for w in tokens if not w.stop]
    return [w for w in content if w.text.lower() not in LIGHT] or content or tokens


def _reworded_at(text: str, tokens: list[Word], i: int, pattern: list[Word]) -> int | None:
    """The last word of a reworded match starting at word i: all pattern words in order within one clause."""
    if _word_match(tokens[i], pattern[0]) is None:
        return None
    position, limit = i, min(len(tokens), i + _REWORDED_SPAN * len(pattern))
    for wanted in pattern[1:]:
        j = position + 1
        while j < limit and not _sense_match(tokens, j, wanted):
            j += 1
        if j >= limit or _CLAUSE.search(text, tokens[i].end, tokens[j].start):
            return None
        position = j
    return position


def _sense_match(tokens: list[Word], j: int, wanted: Word) -> bool:
    """Whether word j matches `wanted`, or is the "witnessed" of "not witnessed" for "unseen"."""
    if _word_match(tokens[j], wanted) is not None:
        return True
    negated = wanted.text.lower()
    if not negated.startswith("un") or not any(t.text.lower() in _NEGATIONS for t in tokens[max(0, j - 2) : j]):
        return False
    base = lemma(negated[2:])
    senses = _SAME_SENSE.get(base, frozenset({base}))
    return tokens[j].key in senses or any(tokens[j].key.startswith(s) for s in senses)


def _match_at(text: str, tokens: list[Word], i: int, pattern: list[Word]) -> tuple[int, bool] | None:
    """(index of the last word, whether any word matched only by spelling) of a match starting at word i."""
    fuzzy = False
    position: int | None = i
    for k, wanted in enumerate(pattern):
        if k > 0:
            position = _next_content(text, tokens, i if position is None else position)
        if position is None:
            return None
        how = _word_match(tokens[position], wanted)
        if how is None:
            return None
        fuzzy = fuzzy or how == "fuzzy"
    return (position, fuzzy) if position is not None else None


def _next_content(text: str, tokens: list[Word], position: int) -> int | None:
    """The next non-stopword after `position`, if only up to _MAX_GAP stopwords and no boundary lie between."""
    for j in range(position + 1, min(len(tokens), position + _MAX_GAP + 2)):
        if _BOUNDARY.search(text, tokens[j - 1].end, tokens[j].start):
            return None
        if not tokens[j].stop and tokens[j].text.lower() not in LIGHT:
            return j
    return None


def _word_match(token: Word, wanted: Word) -> str | None:
    """ "key" when the lemmas agree, "fuzzy" when only the spelling is close ("neighbours", "neighbors")."""
    if token.key == wanted.key:
        return "key"
    a, b = token.text.lower(), wanted.text.lower()
    comparable = len(a) >= 5 and len(b) >= 5 and a[0] == b[0] and abs(len(a) - len(b)) <= 2
    return "fuzzy" if comparable and difflib.SequenceMatcher(None, a, b).ratio() >= _FUZZY else None


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(s.lower().replace("’", "'").split())

    return norm(a) == norm(b)
