"""Who speaks: the speaker a question asks about, and the speakers a sentence attributes words to.

"What did Xi write to Kim?" should be answered by what Xi wrote, not by "Kim told Xi ...":
the answerer uses these cues to prefer sentences whose speaker is the one asked about.
"""

from __future__ import annotations

import re

_SPEECH = (
    r"say|says|said|saying|write|writes|wrote|written|tell|tells|told|describe|describes|described|"
    r"warn|warns|warned|predict|predicts|predicted|stress|stressed|stresses|urge|urged|call|called|calls|"
    r"note|noted|notes|hail|hailed|hails|emphasi[sz]e|emphasi[sz]ed|underline|underlined|underscored|"
    r"express|expressed|add|added|state|stated|vow|vowed|acknowledge|acknowledged|highlight|highlighted|"
    r"reiterate|reiterated|wish|wished|accuse|accused|announce|announced|quoted"
)
_NAME = r"[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){0,2}"
_ASKED = re.compile(
    rf"\b(?:did|does|do|has|have|had|would|will)\s+(?:the\s+)?({_NAME})(?:['’]s)?\s+(?:\w+\s+)?(?:{_SPEECH})\b"
)
_POSSESSIVE = re.compile(
    rf"\b({_NAME})['’]s\s+(?:\w+\s+){{0,3}}(?:message|letter|cable|reply|statement|remarks|description)"
)
_SPOKEN = re.compile(
    rf"\b({_NAME}|[Hh]e|[Ss]he)(?:['’]s\s+(?:\w+\s+)?(?:message|letter))?\s+(?:also\s+|notably\s+|was\s+)?(?:{_SPEECH})\b"
)
_ALIASES = {
    "xi": {"xi", "jinping", "chinese leader", "chinese president"},
    "kim": {"kim", "jong-un", "jong un", "north korean leader"},
}


def _key(name: str) -> str:
    """A comparable key for a person's name: the family name, lowercased."""
    lowered = name.lower()
    for key, aliases in _ALIASES.items():
        if any(alias in lowered for alias in aliases):
            return key
    return lowered.split()[0]


def asked_speaker(question: str) -> str | None:
    """The person whose words a question asks about ("What did Xi write" -> "xi"), if any."""
    match = _ASKED.search(question) or _POSSESSIVE.search(question)
    return _key(match.group(1)) if match else None


def sentence_speakers(sentence: str) -> set[str]:
    """Keys of the people a sentence attributes words to (pronouns are ignored)."""
    found = {_key(m.group(1)) for m in _SPOKEN.finditer(sentence)}
    found.discard("he")
    found.discard("she")
    return found
