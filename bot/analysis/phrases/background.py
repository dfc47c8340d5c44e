"""How common a word is in English at large: the background a distinctive phrase must stand out against.

A phrase that a side of a comparison uses and the other does not is only worth an analyst's time if it
is not just common English ("visit", "better", "long term"). The background is wordfreq's English list
(Zipf scale: 7 for "the", 3 for "juncture"), loaded on first use and only by the commands that rank
phrases.
"""

from __future__ import annotations

from functools import lru_cache

GENERIC_ZIPF = 4.9  # a single word this common is never distinctive on its own ("visit" 5.0, "treaty" 4.3)
_UNKNOWN_ZIPF = 2.5  # a word the list does not know (a name, a compound) is rare by definition


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """The word's frequency in general English on the Zipf scale (log10 of uses per billion words)."""
    from wordfreq import zipf_frequency

    value = float(zipf_frequency(word.lower().replace("’", "'"), "en"))
    return value if value > 0 else _UNKNOWN_ZIPF


def rarity(words: list[str]) -> float:
    """How far a phrase's words stand above common English: the mean of 7 minus their Zipf values.

    "important legal cornerstone" scores about 2.5, "long term" about 1.5, "state media" about 1.4.
    """
    if not words:
        return 0.0
    return sum(max(0.2, 7.0 - zipf(w)) for w in words) / len(words)


def generic(word: str) -> bool:
    """Whether a word alone is common English, too common to be a distinctive phrase by itself."""
    return zipf(word) >= GENERIC_ZIPF
