"""Candidate phrases that are phrases: noun phrases of a clause, and short quotations taken whole.

A noun phrase here is modifiers and a noun, joined by "of" or "and" to another ("Treaty of Friendship",
"friendly neighbours", "mountains and rivers", "important legal cornerstone"); it never holds a verb, so
"change the landscape", "better benefit" and "said by Xi Jinping" are not phrases, and a prepositional
tail other than "of" ("countries in the long term") is cut off. A short quotation the reporter chose to
quote whole ("accelerating changes unseen in a century") is a phrase as it stands, when it names a thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.analysis.phrases.match import Word, words
from bot.analysis.phrases.ngrams import Candidate, fragments
from bot.analysis.phrases.tagger import REPORTING, Tagged, tag

_MAX_QUOTE_WORDS = 7
_JOINS = frozenset({"of", "and"})
_ARTICLES = frozenset({"the", "a", "an"})
_QUALIFIERS = frozenset("already even also still just well enough such other same own".split())
# A name with a list inside: "Treaty of Friendship, Cooperation and Mutual Assistance".
_TITLE = r"[A-Z][\w-]*(?:[’']s)?"
_UNIT = rf"{_TITLE}(?:\s+(?:of\s+(?:the\s+)?)?{_TITLE})*"
_NAME = re.compile(rf"{_UNIT}(?:,\s+{_UNIT})+,?\s+and\s+{_UNIT}")


def noun_phrases(text: str, offset: int = 0, max_content: int = 4) -> Iterator[Candidate]:
    """Every noun phrase of `text` (and each shorter one ending on a noun inside it), keyed by content lemmas."""
    for start, end in fragments(text):
        tagged = tag(text[start:end], start + offset)
        for chunk in _chunks(tagged):
            yield from _sub_phrases(chunk, max_content)


def quoted_phrases(text: str, quotes: Iterable[tuple[int, int]], offset: int = 0) -> Iterator[Candidate]:
    """Short quotations (start, end offsets into `text`) that name a thing, trimmed of a leading "into a"."""
    for q_start, q_end in quotes:
        tagged = tag(text[q_start:q_end], q_start + offset)
        while tagged and tagged[0].tag in ("DET", "ADP", "PART", "CONJ", "ADV"):
            tagged = tagged[1:]
        while tagged and not tagged[-1].nominal:
            tagged = tagged[:-1]
        if not tagged or len(tagged) > _MAX_QUOTE_WORDS or not _names_a_thing(tagged):
            continue
        yield from _whole(tagged)
        if tagged[0].tag in ("VERB", "ADJ"):  # “accelerating changes unseen in a century”: the formula without it
            yield from _whole(tagged[1:])


def _whole(tagged: list[Tagged]) -> Iterator[Candidate]:
    key = tuple(t.word.key for t in tagged if not t.word.stop)
    if len(key) >= 2 and tagged[0].tag != "ADP":
        yield Candidate(key, tagged[0].word.start, tagged[-1].word.end)


def name_phrases(text: str, offset: int = 0) -> Iterator[Candidate]:
    """Names of several capitalised words, lists and "of" inside ("Treaty of Friendship, Cooperation and ...")."""
    for m in _NAME.finditer(text):
        found = words(m.group(), m.start() + offset)
        while found and (found[0].stop or "-" in found[0].text):
            found = found[1:]  # "The DPRK-China Treaty of ...": the name starts at "Treaty"
        content = [w for w in found if not w.stop]
        if len(content) >= 3:
            yield Candidate(tuple(w.key for w in content), found[0].start, m.end() + offset)


def _names_a_thing(tagged: list[Tagged]) -> bool:
    """A noun in it, and no finite verb, pronoun or reporting word: “into a new era”, not “it has grown”."""
    if any(t.tag in ("AUX", "PRON") or t.word.text.lower() in REPORTING for t in tagged):
        return False
    verbs = [t for t in tagged if t.tag == "VERB"]
    return any(t.nominal for t in tagged) and all(v is tagged[0] and v.word.text.endswith("ing") for v in verbs)


def _chunks(tagged: list[Tagged]) -> Iterator[list[Tagged]]:
    """Maximal runs of modifiers and nouns, "of"/"and" (and a determiner after them) allowed between."""
    chunk: list[Tagged] = []
    for t in tagged:
        lowered = t.word.text.lower()
        if t.tag in ("ADJ", "NOUN", "PROPN", "NUM") and lowered not in _QUALIFIERS:
            chunk.append(t)
            if t.possessive:
                yield from _close(chunk[:-1])  # "the two sides’ senior-level officials": the possessor ends a phrase
                chunk = []
            continue
        if chunk and (lowered in _JOINS or (lowered in _ARTICLES and chunk[-1].word.text.lower() in _JOINS)):
            chunk.append(t)
            continue
        yield from _close(chunk)
        chunk = []
    yield from _close(chunk)


def _close(chunk: list[Tagged]) -> Iterator[list[Tagged]]:
    while chunk and not chunk[-1].nominal:
        chunk = chunk[:-1]
    if chunk:
        yield chunk


def _sub_phrases(chunk: list[Tagged], max_content: int) -> Iterator[Candidate]:
    """The chunk's phrases: each span that starts on a modifier or noun and ends on a noun."""
    for i, first in enumerate(chunk):
        if first.tag not in ("ADJ", "NOUN", "PROPN") or not _content(first.word):
            continue
        key: list[str] = []
        for j in range(i, len(chunk)):
            t = chunk[j]
            if t.word.stop:
                continue
            key.append(t.word.key)
            if len(key) > max_content:
                break
            inside_name = t.tag == "PROPN" and (j + 1 < len(chunk) and chunk[j + 1].tag == "PROPN")
            # "position of the Communist Party": a phrase that ends on a name is about who, not how
            named_tail = t.tag == "PROPN" and any(x.tag != "PROPN" and not x.word.stop for x in chunk[i:j])
            if t.nominal and not t.possessive and not inside_name and not named_tail:
                yield Candidate(tuple(key), first.word.start, t.word.end)


def _content(word: Word) -> bool:
    return not word.stop and len(word.text) > 1 and not word.text[0].isdigit()
