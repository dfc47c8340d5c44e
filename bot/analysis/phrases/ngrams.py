"""Candidate phrases of a text: clause-bound runs of words keyed by their content lemmas (for `compare`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.analysis.phrases.match import Word, words

_JOINERS = frozenset("of and the a an in for with by on between at from".split())  # stopwords inside a phrase
# words that qualify and so never end (or, the adverbs, begin) a phrase: "the already", "of the great"
_QUALIFIERS = frozenset(
    "already even also still just well enough more most less very such other same own new good great right entire "
    "greater better further much many whole certain".split()
)
_VERB_FORM = re.compile(r"\w{4,}(?:ing|ed|ly)$")
_ADJECTIVE_END = re.compile(r"\w{3,}(?:ous|ful|ive|ical|onal|ateral|egic|omic|matic)$")  # "traditional friendly and"
_VERBS = frozenset(
    """make makes take takes give gives become becomes get gets go goes come comes set sets keep keeps push pushes
    bring brings ensure ensures achieve achieves develop develops strengthen strengthens maintain maintains defend
    defends advance advances support supports build builds promote promotes continue continues deepen deepens work
    works call calls seek seeks stress stresses realize realise safeguard welcome restore emerge slow gird usher
    bolster cope abandon resume reach hold sign meet attend mark celebrate provide oppose pursue enhance expand
    boost join""".split()
)


@dataclass(frozen=True)
class Candidate:
    """An n-gram of a text that could be a salient phrase: its key (content lemmas) and where it is."""

    key: tuple[str, ...]
    start: int
    end: int


def candidates(text: str, offset: int = 0, max_content: int = 4, strict: bool = True) -> Iterator[Candidate]:
    """Phrases of a text: runs of words inside one clause that begin and end with a content word.

    The key is the sequence of content-word lemmas, so "strategic communications" and "strategic
    communication" share the key ("strateg", "communication"). With `strict`, only phrase-like runs are
    produced: joined by "of", "and", "in" ... (not "its", "is", "we"), not opening or closing on a verb form
    ("enhancing ...", "... formed") or a possessive.
    """
    for fragment in fragments(text):
        tokens = words(text[fragment[0] : fragment[1]], fragment[0] + offset)
        for i, first in enumerate(tokens):
            if not _content(first) or (strict and not _opens(first)):
                continue
            key: list[str] = []
            for j in range(i, min(len(tokens), i + max_content * 2)):
                token = tokens[j]
                if token.stop:
                    if strict and token.text.lower() not in _JOINERS:
                        break
                    continue
                if not _content(token) or (strict and not _opens(token)):
                    break  # a verb ends a phrase: "communication and set the right" is two
                key.append(token.key)
                if len(key) > max_content:
                    break
                if not strict or _closes(token):
                    yield Candidate(tuple(key), first.start, token.end)
                if strict and token.text[-2:] in ("’s", "'s"):
                    break


def content_keys(text: str, max_content: int = 4) -> set[tuple[str, ...]]:
    """Every key any run of content words of a text has, for absence tests ("is this phrase anywhere in B?")."""
    return {c.key for c in candidates(text, max_content=max_content, strict=False)}


def _opens(token: Word) -> bool:
    lowered = token.text.lower()
    return not _VERB_FORM.search(token.text) and lowered not in _VERBS and lowered not in ("already", "even", "enough")


def _closes(token: Word) -> bool:
    text = token.text
    lowered = text.lower()
    return not (
        _VERB_FORM.search(text)
        or _ADJECTIVE_END.search(text)
        or lowered in _VERBS
        or lowered in _QUALIFIERS
        or text[-2:] in ("’s", "'s")
    )


def fragments(text: str) -> Iterator[tuple[int, int]]:
    """Clauses of a text: stretches between punctuation, where a phrase can live."""
    start = 0
    for m in re.finditer(r"[,.;:!?“”\"()\[\]—–]|\s-\s|\n", text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _content(token: Word) -> bool:
    """A word that can carry a phrase: not a stopword, not a number, more than one letter."""
    return not token.stop and len(token.text) > 1 and not token.text[0].isdigit()
