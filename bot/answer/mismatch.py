"""How a question's specific terms fit its best evidence: the near-miss features of the verifier.

A near miss shares almost every word with a sentence that does not answer it: it names another anniversary
than the one reported, asks for a detail the report withholds ("without disclosing details"), for an event
the report only anticipates ("ahead of a rumoured trip"), or for a person, date or count the sentence never
gives. Each function reads one such property of the question, of the best sentence and its neighbours, or of
their fit; the verifier weighs them, nothing here decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.answer.aliases import alias_spans
from bot.answer.candidates import Candidate
from bot.answer.question import Question, same_person
from bot.answer.terms import text_keys
from bot.names import PEOPLE, is_place

MISMATCH_FEATURES = (
    "detail_unmet",
    "new_answer",
    "new_answer_window",
    "anticipated",
    "withheld",
    "realised_x_anticipated",
    "ordinal_mismatch",
    "ordinal_absent",
    "about_uncovered",
    "speaker_window",
    "speaker_addressed",
    "owner_conflict",
)

_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "hundredth": 100,
}
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b|\b(" + "|".join(_ORDINAL_WORDS) + r")\b", re.I)
# A question asking for one precise thing: a name, an exact date, the wording, the terms.
_DETAIL = re.compile(
    r"\b(?:exact(?:ly)?|precise(?:ly)?|specific(?:s|ally)?|full\s+name|(?:the\s+)?name\s+of|word\s+for\s+word|"
    r"verbatim|details?|terms|in\s+full|wording|numbered|which\s+(?:\w+\s+)?(?:city|official|minister|"
    r"anniversary|resolution|date)|how\s+many|how\s+much|on\s+what\s+date)\b",
    re.I,
)
# A question about something that took place (not a plan, a hope or an expectation).
_REALISED = re.compile(
    r"\b(?:actually|in\s+the\s+end|end(?:ed)?\s+up|eventually|finally|came\s+of|outcome|go\s+on\s+to|went|"
    r"secured?|reach(?:ed)?|agreed?|agreements?|signed|confirmed|happened|respond(?:ed)?|repl(?:y|ied)|"
    r"react(?:ed)?|write\s+back)\b",
    re.I,
)
# A sentence that reports an expectation, a plan or a rumour rather than what took place.
_ANTICIPATED = re.compile(
    r"\b(?:expected|expects?|rumou?red|planned|plans?\s+to|planning|set\s+to|is\s+to|are\s+to|will|would|"
    r"likely|possible|possibly|prospect|upcoming|forthcoming|anticipated|ahead\s+of|poised|speculat\w*|"
    r"could|may|might|hopes?\s+to)\b",
    re.I,
)
# A sentence that says the detail was not given.
_WITHHELD = re.compile(
    r"\bwithout\s+(?:disclosing|giving|providing|elaborating|specifying|revealing|naming)|"
    r"\b(?:did|does|do)\s+not\s+(?:disclose|elaborate|specify|reveal|give|say|name|mention|make\s+reference)|"
    r"\bdeclined\s+to\b|\bno\s+(?:further\s+)?details\b|\bundisclosed\b|\bunspecified\b|\bunnamed\b|"
    r"\bnot\s+(?:been\s+)?(?:disclosed|made\s+public|revealed|named|identified)\b|\bgave\s+no\b|\bunclear\b",
    re.I,
)
_ABOUT = re.compile(r"\b(?:about|regarding|concerning|on\s+the\s+(?:issue|question|subject)\s+of)\s+", re.I)
_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")
_NOT_NAME = frozenset(
    "the in on at a an this that these those his her its their but and after before during while when as "
    "according chinese north south korean russian american japanese indonesian".split()
)
_NOT_PERSON = frozenset(
    "party congress committee council ministry agency news department university institute school treaty "
    "republic korea china assembly army forces union nations state states day parade war games people".split()
)
_OFFICE = (
    r"(?:ambassador|envoy|foreign\s+minister|minister|premier|president|leader|delegation|"
    r"spokes(?:person|man|woman)|embassy)"
)
_COUNTRY = (
    r"(?:china|chinese|beijing|north\s+korean?|dprk|pyongyang|south\s+korean?|seoul|russian?|moscow|"
    r"u\.?s\.?|american|washington|japan(?:ese)?|tokyo|indonesian?|jakarta)"
)
_OWNED = re.compile(
    rf"\b(?P<a>{_COUNTRY})(?:['’]s)?\s+(?:(?:new|top|former|current|first|then)\s+)?{_OFFICE}\b"
    rf"|\b{_OFFICE}\s+(?:of|from)\s+(?:the\s+)?(?P<b>{_COUNTRY})\b",
    re.I,
)
_PLACE = re.compile(r"\b(?:in|at|to|from|visit(?:ed|ing)?)\s+(?:the\s+)?([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)")
_COUNT = re.compile(
    r"\b(?:\d[\d,.]*|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|once|twice)\b"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def mismatch_row(
    q: Question, best: Candidate, window: Sequence[Candidate], candidates: Sequence[Candidate]
) -> list[float]:
    """MISMATCH_FEATURES of the question against its best candidate, the sentences beside it (`window`,
    the best included) and every candidate."""
    text = best.text
    window_text = " ".join(c.text for c in window)
    detail = float(bool(_DETAIL.search(q.core)))
    # A question about an expectation ("what was Xi expected to secure") is answered by the expectation.
    realised = float((bool(_REALISED.search(q.core)) or q.answer_type == "yesno") and not _ANTICIPATED.search(q.core))
    anticipated = float(bool(_ANTICIPATED.search(text)))
    asked = ordinals(q.core)
    near = ordinals(window_text)
    every = (ordinals(s.text) for c in candidates for s in c.reading.sentences)
    seen: frozenset[int] = frozenset().union(*every) if asked else frozenset()
    found = max(new_answer(q, c.text, c) for c in window)
    return [
        detail * float(found < 0 or bool(_WITHHELD.search(window_text))),
        new_answer(q, text, best),
        found,
        anticipated,
        float(bool(_WITHHELD.search(text))),
        realised * anticipated,
        float(bool(asked) and not asked <= near and bool(near - asked)),
        float(bool(asked) and not asked <= seen),
        about_uncovered(q, text),
        speaker_window(q, window),
        float(bool(q.speaker) and any(q.speaker in c.facts.addressees for c in window)),
        float(bool(owners(q.core) and owners(window_text)) and not owners(q.core) <= owners(window_text)),
    ]


@lru_cache(maxsize=16384)  # asked of every sentence of every candidate article, question after question
def ordinals(text: str) -> frozenset[int]:
    """The ordinals a text names, as numbers ("80th", "eighth" -> 80, 8)."""
    return frozenset(
        int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group(2).lower()] for m in _ORDINAL.finditer(text)
    )


def new_answer(q: Question, text: str, c: Candidate) -> float:
    """+1 when the sentence holds something of the kind asked for that the question does not already name (a
    person for "who", a finer date for "when", a place for "where", a count for "how many"), -1 when it holds
    none, 0 for questions whose answer has no such kind."""
    asked = text_keys(q.core)
    kind = _kind(q)
    if kind == "who":
        names = [
            m.group()
            for m in _FULL_NAME.finditer(text)
            if m.group().split()[0].lower() not in _NOT_NAME
            and not any(p.lower() in _NOT_PERSON for p in re.split(r"[ -]", m.group()))
        ]
        names += [n for n in PEOPLE if " " in n and n in text.lower()]
        found = any(not (text_keys(n) & asked) for n in names)
    elif kind == "when":
        spans = [q_p.last.toordinal() - q_p.first.toordinal() for q_p in q.periods]
        found = any(
            not q.periods or (hi - lo).days < min(spans) or not any(p.overlaps(lo, hi) for p in q.periods)
            for lo, hi in c.facts.dates
        )
    elif kind == "where":
        found = any(is_place(m.group(1)) and not (text_keys(m.group(1)) & asked) for m in _PLACE.finditer(text))
    elif kind == "ordinal":
        found = bool(ordinals(text) - ordinals(q.core))
    elif kind == "how-many":
        found = any(not _YEAR.match(n) and n.lower() not in q.numbers for n in _COUNT.findall(text))
    else:
        return 0.0
    return 1.0 if found else -1.0


def _kind(q: Question) -> str:
    if re.search(r"\b(?:full\s+)?name\s+of\b|\bwhat\s+is\s+(?:the\s+)?(?:\w+\s+)?name\b", q.core, re.I):
        return "who"
    if re.search(r"\b(?:which|what)\s+(?:\w+\s+)?anniversary\b", q.core, re.I):
        return "ordinal"
    return q.answer_type


def about_uncovered(q: Question, text: str) -> float:
    """Share of the words after "about" ("what did the letter say about Taiwan") that the sentence lacks:
    the topic a question asks about must be in the answering sentence, not only in its article."""
    m = _ABOUT.search(q.core)
    if not m:
        return 0.0
    topic = [w for w in q.words if w.start >= m.end()]
    if not topic:
        return 0.0
    have = text_keys(text)
    return sum(1 for w in topic if not (w.keys & have)) / len(topic)


def speaker_window(q: Question, window: Sequence[Candidate]) -> float:
    """+1 when the person whose words are asked for speaks in the best sentence or beside it, -1 when only
    others do there, 0 when no one does (or the question names no speaker)."""
    if not q.speaker:
        return 0.0
    speakers = [c.facts.speaker for c in window if c.facts.speaker]
    if any(same_person(s, q.speaker) for s in speakers):
        return 1.0
    return -1.0 if speakers else 0.0


def owners(text: str) -> set[str]:
    """The countries whose office a text names ("China's ambassador", "the envoy of North Korea"), as alias
    groups: a question about one country's office-holder is not answered by another's."""
    out = set()
    for m in _OWNED.finditer(text):
        name = m.group("a") or m.group("b")
        spans = alias_spans(name) or alias_spans(name.title())
        out.add(spans[0][2] if spans else name.lower())
    return out
