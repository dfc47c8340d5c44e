"""A small rule-based part-of-speech tagger for news English: enough to tell a noun phrase from a clause.

Closed classes (determiners, prepositions, pronouns, auxiliaries) come from lists; open-class words are
read from their context and their endings: a word after "to", a modal or a subject pronoun is a verb
("to better benefit", "could greatly change"), one after a determiner or an adjective is a noun ("the
change"), "-ly" makes an adverb, "-al", "-ic", "-ive" ... an adjective, and a word said to report speech
("said", "according", "stressed") is always a verb. spaCy's small English pipeline would do better on
hard cases, but it weighs ~220 MB and ~1.2 s of start-up, and these lists cover the corpus's prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.analysis.phrases.match import Word, words

Tag = Literal["DET", "ADP", "CONJ", "PRON", "AUX", "ADV", "ADJ", "NOUN", "PROPN", "VERB", "NUM", "PART"]

_CLOSED: dict[str, Tag] = {
    **dict.fromkeys(
        "the a an this that these those its his her their our your my each every all some any no another both "
        "such either neither".split(),
        "DET",
    ),
    **dict.fromkeys(
        "of in on at for with by from into between among amid amidst over under about across against through "
        "towards toward within without during upon around beyond since via per despite like than as".split(),
        "ADP",
    ),
    **dict.fromkeys(
        "and or but nor yet so while whereas although though because if when where unless until whether".split(),
        "CONJ",
    ),
    **dict.fromkeys("he she it they we i you who which whom whose me him us them itself themselves".split(), "PRON"),
    **dict.fromkeys(
        "is are was were be been being am has have had do does did will would could can may might shall should "
        "must".split(),
        "AUX",
    ),
    **dict.fromkeys(
        "not never also still already even just only very too again then now later earlier ago ahead together "
        "abroad up down out off away back".split(),
        "ADV",
    ),
    **dict.fromkeys("one two three four five six seven eight nine ten dozen hundred thousand".split(), "NUM"),
    "to": "PART",
}
_MODALS = frozenset("will would could can may might shall should must".split())
_SUBJECTS = frozenset("he she they we i you it who".split())
_COMPARATIVE_ADVERBS = frozenset(
    "better further more fully jointly greatly firmly constantly".split()
)  # "to better serve"
# Past tenses that carry no "-ed": verbs wherever no determiner makes them nouns.
_IRREGULAR_PAST = frozenset(
    """kept met sent held made took gave became got went came brought built led showed grew began sought set
    put found felt left lost paid rose fell saw won drew ran struck""".split()
)
# Verbs of reporting: never part of a phrase about the relationship.
REPORTING = frozenset(
    """say says said saying tell tells told telling write writes wrote written writing report reports reported
    reporting quote quotes quoted quoting according add adds added adding note notes noted noting stress stresses
    stressed stressing hail hails hailed urge urges urged underline underlines underlined underscore underscored
    emphasize emphasized emphasise emphasised describe described describes state stated announce announced
    express expressed highlight highlighted reiterate reiterated warn warned predict predicted acknowledge
    acknowledged claim claimed insist insisted""".split()
)
# Base verbs common in the corpus: a verb unless a determiner or adjective makes it a noun ("the change").
_VERBS = frozenset(
    """make take give become get go come set keep push bring ensure achieve develop strengthen maintain defend
    advance support build promote continue deepen work call seek realize realise safeguard welcome restore emerge
    slow gird usher bolster cope abandon resume reach hold sign meet attend mark celebrate provide oppose pursue
    enhance expand boost join change benefit lead show seem need want help allow remain consolidate elevate
    intensify cooperate share display propel open notify congratulate wish send exchange visit reply respond
    blast attack accuse block blame regard fulfil fulfill address mean signal exacerbate step grow start""".split()
)
_ADJECTIVES = frozenset(
    """new good great close strong friendly important major serious complex common own other same whole certain
    high top senior long short recent current former future possible key main real true free full deep broad
    wide firm fixed vital valid unswerving sacred proactive tense huge substantial imminent existential
    strategic political military economic nuclear socialist legal global regional international unseen
    multifaceted personal traditional mutual bilateral stronger greater better higher closer deeper further
    more most less least many much few several various bright last next""".split()
)
_ADJECTIVE_END = re.compile(r"\w{2,}(?:al|ic|ive|ous|ful|able|ible|ary|less|ish|ian|ese|ern|ical|ant)$")
_NOUN_END = re.compile(r"\w{2,}(?:tion|sion|ment|ness|ity|ship|ance|ence|ism|ist|age|ure|dom|hood|ers?|ors?)$")
_NOT_ADVERBS = frozenset("family supply rally ally italy assembly july reply only early daily weekly".split())


@dataclass(frozen=True)
class Tagged:
    """A word of a text with its tag."""

    word: Word
    tag: Tag
    possessive: bool = False  # "Kim’s", "the two sides’": the word owns what follows

    @property
    def nominal(self) -> bool:
        """Whether the word can head a noun phrase."""
        return self.tag in ("NOUN", "PROPN")


def tag(text: str, offset: int = 0) -> list[Tagged]:
    """The words of one clause of `text` with their parts of speech."""
    tokens = words(text, offset)
    tags: list[Tag] = []
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1].text.lower() if i + 1 < len(tokens) else ""
        tags.append(_tag(token, i, tags, nxt, text, offset))
    return [Tagged(w, t, _possessive(text, w, offset)) for w, t in zip(tokens, tags, strict=True)]


def _possessive(text: str, word: Word, offset: int) -> bool:
    after = text[word.end - offset : word.end - offset + 2]
    if word.text.lower() in ("people’s", "people's"):
        return False  # "Democratic People’s Republic of Korea" is one name
    return word.text.endswith(("’s", "'s")) or (after[:1] in "’'" and not after[1:2].isalnum() and after != "")


def _tag(token: Word, i: int, before: list[Tag], nxt: str, text: str, offset: int) -> Tag:
    lowered = token.text.lower().replace("’", "'")
    bare = re.sub(r"'s?$", "", lowered)
    if lowered in _CLOSED:
        return _CLOSED[lowered]
    if token.text[0].isdigit():
        return "NUM"
    if bare in REPORTING:
        return "VERB"
    previous = before[-1] if before else None
    prev_word = _previous_word(text, token, offset)
    verb_context = (
        previous in ("AUX", "PART")
        or prev_word in _SUBJECTS
        or (previous == "ADV" and len(before) > 1 and before[-2] in ("AUX", "PART"))
    )
    if token.text[0].isupper() and (i > 0 or _is_name_like(token.text)):
        return "PROPN"
    if previous in ("AUX", "PART") and bare in _COMPARATIVE_ADVERBS:
        return "ADV"
    if bare in _IRREGULAR_PAST and previous not in ("DET", "ADJ"):
        return "VERB"
    if bare.endswith("ly") and len(bare) > 4 and bare not in _NOT_ADVERBS:
        return "ADV"
    if verb_context and not _NOUN_END.search(bare) and bare not in _ADJECTIVES:
        return "VERB"
    if bare in _ADJECTIVES:
        return "ADJ"
    if bare.endswith("ing") and len(bare) > 5:
        return "NOUN" if previous in ("DET", "ADJ") and nxt in ("of", "") else "VERB"
    if bare.endswith("ed") and len(bare) > 4:
        return "ADJ" if previous in (None, "DET", "ADP", "CONJ", "ADJ") and _nounish(nxt) else "VERB"
    base = bare[:-1] if bare.endswith("s") and bare[:-1] in _VERBS else bare
    if base in _VERBS:
        plural_subject = before_plural(text, token, offset)
        subject = base != bare or plural_subject or previous == "PROPN"
        if previous in ("NOUN", "PROPN") and subject and (not nxt or nxt in _CLOSED):
            return "VERB"  # "as the North steps up", "the visit comes amid", "if the blocs emerge in"
        modified = previous in ("DET", "ADJ", "NOUN", "PROPN", "ADP") or prev_word.endswith("ing")  # "rising costs"
        return "NOUN" if modified else "VERB"
    if _ADJECTIVE_END.search(bare) and not _NOUN_END.search(bare):
        return "ADJ"
    return "NOUN"


def before_plural(text: str, token: Word, offset: int) -> bool:
    """Whether the word before `token` is a plural noun ("blocs"), which a verb of the base form may follow."""
    word = _previous_word(text, token, offset)
    return len(word) > 3 and word.endswith("s") and not word.endswith("ss")


def _previous_word(text: str, token: Word, offset: int) -> str:
    found = re.findall(r"[A-Za-z’']+", text[max(0, token.start - offset - 20) : token.start - offset])
    return found[-1].lower() if found else ""


def _is_name_like(word: str) -> bool:
    return word.isupper() or "-" in word


def _nounish(word: str) -> bool:
    return bool(word) and word not in _CLOSED and not word.endswith("ly")
