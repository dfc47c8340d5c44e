"""Names that recur in this beat: leaders and their titles, state media and agencies, parties, places.

Kept as data, so that a new outlet or official is one line here rather than a new rule elsewhere.
"""

from __future__ import annotations

import re
from functools import lru_cache

# alias (lowercase) -> canonical name; titles stand for the person who held them in this corpus' years
PEOPLE = {
    "xi": "Xi Jinping",
    "xi jinping": "Xi Jinping",
    "jinping": "Xi Jinping",
    "chinese leader": "Xi Jinping",
    "chinese president": "Xi Jinping",
    "president xi": "Xi Jinping",
    "kim": "Kim Jong-un",
    "kim jong-un": "Kim Jong-un",
    "kim jong un": "Kim Jong-un",
    "north korean leader": "Kim Jong-un",
    "chairman kim": "Kim Jong-un",
    "putin": "Vladimir Putin",
    "vladimir putin": "Vladimir Putin",
    "russian president": "Vladimir Putin",
    "blinken": "Antony Blinken",
    "antony blinken": "Antony Blinken",
    "yoon": "Yoon Suk Yeol",
    "yoon suk yeol": "Yoon Suk Yeol",
    "south korean president": "Yoon Suk Yeol",
    "li qiang": "Li Qiang",
    "chinese premier": "Li Qiang",
}

# alias (lowercase) -> canonical name of state media and news agencies
AGENCIES = {
    "kcna": "KCNA",
    "korea central news agency": "KCNA",
    "korean central news agency": "KCNA",
    "rodong sinmun": "Rodong Sinmun",
    "xinhua": "Xinhua",
    "xinhua news agency": "Xinhua",
    "yonhap": "Yonhap",
    "yonhap news agency": "Yonhap",
    "cctv": "CCTV",
    "people’s daily": "People's Daily",
    "people's daily": "People's Daily",
    "global times": "Global Times",
    "north korean state media": "North Korean state media",
    "state media": "state media",
    "agency": "the agency",
}

ORGANISATIONS = {
    "workers’ party of korea": "Workers' Party of Korea",
    "workers' party of korea": "Workers' Party of Korea",
    "north korean ruling party": "Workers' Party of Korea",
    "party central committee": "Workers' Party of Korea",
    "north korea’s party central committee": "Workers' Party of Korea",
    "communist party of china": "Communist Party of China",
    "chinese communist party": "Communist Party of China",
    "chinese foreign ministry": "Chinese Foreign Ministry",
}

_PLACES = frozenset(
    """china beijing pyongyang washington seoul tokyo moscow russia japan korea north south us u.s. dprk
    taiwan asia europe alaska jakarta vladivostok indonesia ukraine america united states peninsula
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower()).removeprefix("the ").removeprefix("china’s ")


def known_person(name: str) -> str | None:
    """Canonical name of a known person or title ("Chinese President" -> "Xi Jinping"), else None."""
    key = _key(name)
    key = re.sub(r"^(?:state-run\s+|official\s+)", "", key)
    if key in PEOPLE:
        return PEOPLE[key]
    # "President Xi Jinping", "General Secretary Kim Jong-un": a title before a known name
    bare = re.sub(r"^(?:(?:general\s+)?secretary|president|chairman|premier|leader|comrade)\s+", "", key)
    return PEOPLE.get(bare)


# The longest alias first ("xinhua news agency" before "agency"), each compiled once: answers call
# `agency_name` thousands of times per question, and building ~20 patterns per call was most of its cost.
_AGENCY_PATTERNS = tuple(
    (re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)"), AGENCIES[alias])
    for alias in sorted(AGENCIES, key=len, reverse=True)
)


@lru_cache(maxsize=8192)  # the same speaker names recur in every answer
def agency_name(name: str) -> str | None:
    """Canonical name of a news agency or state outlet named in `name` ("China’s state-run Xinhua ...")."""
    key = _key(name)
    for pattern, canonical in _AGENCY_PATTERNS:
        if pattern.search(key):
            return canonical
    return None


def is_place(name: str) -> bool:
    """Whether every word of `name` is a place, country, weekday or month (never a speaker)."""
    parts = _key(name).replace("’s", "").split()
    return bool(parts) and all(p in _PLACES for p in parts)
