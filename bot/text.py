"""Word normalisation shared by the lexical index, sentence scoring and abstention."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why will
    with would you your yours yourself yourselves according say said says one two s t much many""".split()
)


def stem(word: str) -> str:
    """A light, deterministic suffix stripper: enough to match 'communications' with 'communication'."""
    w = word.lower()
    for suffix in ("'s", "’s"):
        if w.endswith(suffix):
            w = w[: -len(suffix)]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed", "ly"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """The words of a text, in order, as written."""
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """Stemmed content terms of a text (stopwords removed), in order, with repeats."""
    return [stem(w) for w in words(text) if w.lower() not in STOPWORDS]


def word_count(text: str) -> int:
    """Number of words, as a reader would count them."""
    return len(text.split())


def is_prose(sentence: str) -> bool:
    """Headings and fragments (no final punctuation, few words) are not sentences worth quoting."""
    stripped = sentence.rstrip()
    return word_count(stripped) >= 5 and (stripped[-1:] in ".!?\"”’'" or word_count(stripped) >= 12)


# Acronyms analysts use for what articles often spell out (and the reverse is handled by retrieval).
ACRONYMS = {
    "WPK": "Workers' Party of Korea",
    "CPC": "Communist Party of China",
    "CCP": "Chinese Communist Party",
    "PRC": "People's Republic of China",
    "DPRK": "Democratic People's Republic of Korea",
    "ROK": "Republic of Korea",
    "NK": "North Korea",
    "UN": "United Nations",
    "UNSC": "UN Security Council",
    "KCNA": "Korean Central News Agency",
    "PLA": "People's Liberation Army",
}


def expand_acronyms(text: str) -> str:
    """The text with the spelled-out form of each known acronym appended, to widen matching."""
    found = [ACRONYMS[w] for w in dict.fromkeys(words(text)) if w in ACRONYMS]
    return text if not found else f"{text} ({'; '.join(found)})"
