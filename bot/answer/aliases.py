"""A small gazetteer of this beat: names that stand for one another (a capital and its state, an acronym and
its expansion, a name's parts, a demonym and its country).

Each group is one thing under several names. A text mentioning any member gains the group's key, so a
question about "Moscow" matches an article's "Russia", and "the WPK" matches "the Workers' Party of Korea".
Kept as data: a new name is one word in a list, never a new rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

GROUPS: dict[str, tuple[str, ...]] = {
    "china": ("China", "Chinese", "Beijing", "PRC", "People's Republic of China", "Zhongnanhai"),
    "north-korea": (
        "North Korea",
        "North Korean",
        "North Koreans",
        "DPRK",
        "Pyongyang",
        "NK",
        "N. Korea",
        "N Korea",
        "Democratic People's Republic of Korea",
        "the North",
    ),
    "south-korea": ("South Korea", "South Korean", "South Koreans", "Seoul", "ROK", "Republic of Korea", "the South"),
    "russia": ("Russia", "Russian", "Russians", "Moscow", "Kremlin", "Russian Federation"),
    "united-states": ("US", "U.S.", "USA", "United States", "Washington", "American", "Americans", "America"),
    "japan": ("Japan", "Japanese", "Tokyo"),
    "indonesia": ("Indonesia", "Indonesian", "Jakarta"),
    "ukraine": ("Ukraine", "Ukrainian", "Kyiv", "Kiev"),
    "taiwan": ("Taiwan", "Taiwanese", "Taipei"),
    "wpk": ("WPK", "Workers' Party of Korea", "Workers’ Party of Korea", "Korean Workers' Party", "Workers' Party"),
    "cpc": ("CPC", "CCP", "Communist Party of China", "Chinese Communist Party", "Chinese Communist"),
    "kcna": ("KCNA", "Korean Central News Agency", "Korea Central News Agency"),
    "rodong": ("Rodong Sinmun", "Rodong", "Nodong Sinmun", "Nodong"),
    "xinhua": ("Xinhua", "Xinhua News Agency"),
    "scmp": ("SCMP", "South China Morning Post", "the Post"),
    "korea-herald": ("Korea Herald", "The Korea Herald", "the Herald"),
    "hankyoreh": ("Hankyoreh", "The Hankyoreh", "Hankyoreh Sinmun"),
    "un": ("UN", "U.N.", "United Nations"),
    "unsc": ("UNSC", "UN Security Council", "Security Council"),
    "asean": ("ASEAN", "Association of Southeast Asian Nations"),
    "npc": ("NPC", "National People's Congress", "National People’s Congress"),
    "xi": ("Xi", "Jinping", "Xi Jinping", "President Xi"),
    "kim": ("Kim", "Jong-un", "Jong Un", "Kim Jong-un", "Kim Jong Un", "KJU", "Kim Jong-Un"),
    "putin": ("Putin", "Vladimir Putin"),
    "covid": ("Covid", "COVID-19", "Covid-19", "coronavirus", "pandemic"),
    "letter": (
        "letter",
        "letters",
        "message",
        "messages",
        "msg",
        "msgs",
        "cable",
        "cables",
        "missive",
        "correspondence",
        "note",
    ),
    "anniversary": ("anniversary", "anniversaries", "anniv", "jubilee"),
    "government": ("government", "govt", "gov't", "governments"),
    "cooperation": ("cooperation", "co-operation", "coop", "cooperate", "cooperating"),
    "meeting": ("meeting", "meetings", "mtg", "talks"),
    "nuclear": ("nuclear", "nukes", "nuke"),
    "foreign-minister": ("foreign minister", "foreign ministers", "FM", "FMs"),
    "treaty": ("treaty", "pact"),
    # a few words of the diplomatic beat that reports and analysts use for one another
    "envoy": ("ambassador", "ambassadors", "envoy", "envoys", "emissary", "diplomat", "diplomats"),
    "delegation": ("delegation", "delegations", "delegate", "delegates", "mission"),
    "pledge": ("pledge", "pledged", "pledges", "promise", "promised", "promises", "vow", "vowed", "vows"),
    "congratulate": (
        "congratulate",
        "congratulated",
        "congratulating",
        "congratulation",
        "congratulations",
        "congratulatory",
        "felicitations",
        "greetings",
    ),
    "visit": ("visit", "visits", "visited", "visiting", "trip", "trips", "travelled", "traveled"),
    "summit": ("summit", "summits", "summitry"),
}

_CASED = re.compile(r"^[A-Z.]{2,5}$")  # acronyms match only as written: "US" is not "us"


def _pattern(member: str) -> str:
    body = re.escape(member).replace(r"\ ", r"\s+").replace("'", "['’]").replace("’", "['’]")
    return body if _CASED.match(member) else f"(?i:{body})"


_FINDER = re.compile(
    "|".join(
        f"(?P<g{i}>(?<![\\w-]){'|'.join(_pattern(m) for m in sorted(members, key=len, reverse=True))}(?![\\w-]))"
        for i, members in enumerate(GROUPS.values())
    )
)
_GROUP_OF = {f"g{i}": f"@{name}" for i, name in enumerate(GROUPS)}


@lru_cache(maxsize=16384)
def alias_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """Where a text names a member of a group: (start, end, "@group") for each mention."""
    return tuple((m.start(), m.end(), _GROUP_OF[str(m.lastgroup)]) for m in _FINDER.finditer(text))
