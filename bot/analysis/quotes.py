"""Who said what: the quoted words of an article, each with its speaker and the sources it came through.

News reports retell speech in a few fixed shapes, and this module reads those shapes, not meaning:
  “...,” Kim wrote in his letter.          Xi said that “...”, according to Xinhua.
  “...,” said Cheong Seong-chang, ...      “...,” he wrote.   (he = the last speaker named)
  Xi was quoted by the Rodong Sinmun as saying “...”
State media and agencies (KCNA, Xinhua, Rodong Sinmun, ...) are the *via* of a quote, not its
speaker, unless no person is named. Every quote's text is `body[start:end]`, verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.chunking import Span, paragraphs, split_sentences
from bot.corpus import Article
from bot.names import AGENCIES, ORGANISATIONS, PEOPLE, agency_name, is_place, known_person

_OPEN = '“"‘'
_CLOSE = '”"’'
_SPEECH = (
    r"say|says|said|saying|write|writes|wrote|written|tell|tells|told|describe[sd]?|warn(?:s|ed)?|"
    r"predict(?:s|ed)?|stress(?:es|ed)?|urge[sd]?|call(?:s|ed)?\s+for|note[sd]|noting|hail(?:s|ed)?|"
    r"emphasi[sz](?:e|es|ed)|underline[sd]?|underscore[sd]?|express(?:es|ed)?|add(?:s|ed)?|state[sd]|"
    r"vow(?:s|ed)?|acknowledge[sd]?|highlight(?:s|ed)?|reiterate[sd]?|wish(?:es|ed)|accuse[sd]?|"
    r"announce[sd]?|inform(?:s|ed)?|declare[sd]?|insist(?:s|ed)?|labell?(?:ing|ed)|pledge[sd]?|"
    r"praise[sd]?|congratulate[sd]?|affirm(?:s|ed)?|asserte?d?|remarked|reported|"
    r"quoted|argue[sd]?|replied"
)
_TOKEN = r"[A-Z][a-z]+(?:-[a-z]+)?"
_NAME = rf"(?:{_TOKEN}(?:\s{_TOKEN}){{0,2}}|[A-Z]{{2,6}})"
_TITLES = (
    r"(?:[Tt]he\s+)?(?:Chinese|North\s+Korean|South\s+Korean|US|Russian)\s+"
    r"(?:leader|President|president|Premier|premier|ruling\s+party|Foreign\s+Minister|foreign\s+minister)"
)
_ORGS = "|".join(re.escape(alias) for alias in sorted(ORGANISATIONS, key=len, reverse=True))
_SUBJECT = re.compile(
    rf"(?P<who>(?i:{_ORGS})|{_TITLES}|{_NAME}|[Hh]e|[Ss]he|[Tt]hey|[Tt]he\s+(?:letter|message|cable|reply))"
    rf"(?P<poss>['’]s\s+(?:\w+\s+){{0,2}}(?:message|letter|cable|reply|statement))?"
    rf"(?:,[^,“”\"]{{1,80}},)?\s+(?:also\s+|notably\s+|further\s+|again\s+|then\s+|was\s+|has\s+|had\s+)?"
    rf"(?P<verb>{_SPEECH})\b"
)
_INVERTED = re.compile(rf"[,”\"]\s*(?:{_SPEECH})\s+(?P<who>{_TITLES}|{_NAME})")
_ACCORDING = re.compile(r"\b[Aa]ccording\s+to\s+(?P<who>[^,.;:“”\"]+)")
_QUOTED_BY = re.compile(rf"\bquoted\s+by\s+(?:the\s+)?(?P<who>{_NAME})")
_REPORTED = re.compile(
    rf"(?P<who>(?:{_NAME}\s+)?state\s+media|(?:state[- ]run\s+|official\s+)?{_NAME})\s+(?:said|reported)\b"
)
_FUNCTION_WORDS = frozenset(
    "The In On At But And As If Under During Regarding According Noting While When After Before Since For "
    "A An This That These Those It Its His Her Their Our We I Separately Analysts Observers Reports Officials".split()
)
_CONTEXT_SENTENCES = 2  # how far back "he said" may look for the person it refers to


@dataclass(frozen=True)
class Quote:
    """Words an article puts in quotation marks, with who said them and through whom."""

    article_id: str
    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    speaker: str | None
    via: tuple[str, ...]

    @property
    def words(self) -> int:
        """Length of the quote in words."""
        return len(self.text.split())


@dataclass(frozen=True)
class _Attribution:
    speaker: str | None
    via: tuple[str, ...]
    resolved: bool  # named in the sentence itself (not through a pronoun or a continued quote)


def article_quotes(article: Article) -> list[Quote]:
    """Every quoted span of an article, in order, attributed where the text says who spoke."""
    body = article.body
    sentences = split_sentences(body)
    attributions = _sentence_attributions(body, sentences)
    quotes: list[Quote] = []
    continued: _Attribution | None = None
    for para in paragraphs(body):
        spans = _quote_spans(body, para)
        for start, end, closed in spans:
            index = _sentence_index(sentences, start)
            who = attributions[index] if index is not None else _Attribution(None, (), False)
            if continued and not who.resolved and start - para.start <= 1:
                who = continued  # a paragraph that opens a quote continues the last one's speaker
            elif who.speaker is None and (last := _sentence_index(sentences, end - 1)) not in (None, index):
                who = attributions[last]  # “... sentence. Another sentence,” he said: said where it closes
            text_start, text_end = _trim(body, start, end)
            if text_end > text_start and index is not None:
                sentence = sentences[index]
                quotes.append(
                    Quote(
                        article.id,
                        body[text_start:text_end],
                        text_start,
                        text_end,
                        sentence.start,
                        sentence.end,
                        who.speaker,
                        who.via,
                    )
                )
            continued = None if closed else who
        if not spans:
            continued = None
    return quotes


def attribution(article: Article, start: int, end: int) -> tuple[str | None, tuple[str, ...]]:
    """The speaker and via sources of the sentence around `body[start:end]` (for any span, not only quotes)."""
    sentences = split_sentences(article.body)
    index = _sentence_index(sentences, start)
    if index is None:
        return None, ()
    who = _body_attributions(article.body)[index]
    return who.speaker, who.via


@lru_cache(maxsize=2048)  # once per article text: an answer's citations and every later question reuse it
def _body_attributions(body: str) -> tuple[_Attribution, ...]:
    """Every sentence's attribution (each depends only on the sentences before it, so one pass serves all)."""
    return tuple(_sentence_attributions(body, split_sentences(body)))


def _sentence_attributions(body: str, sentences: list[Span]) -> list[_Attribution]:
    """Each sentence's speaker; pronouns and unattributed quotes look back at the sentences before."""
    names = _full_names(body)
    out: list[_Attribution] = []
    for i, sentence in enumerate(sentences):
        who = _attribute(body, sentence, names, out)
        if who.speaker is None and body[sentence.start] in _OPEN and out and _same_paragraph(body, sentences, i):
            earlier = out[-1]  # “...,” Paik said. “In this context, ...”: the second quote is Paik's too
            who = _Attribution(earlier.speaker, who.via or earlier.via, False)
        out.append(who)
    return out


def _same_paragraph(body: str, sentences: list[Span], i: int) -> bool:
    return i > 0 and "\n" not in body[sentences[i - 1].end : sentences[i].start]


def speaker_matches(speaker: str | None, name: str) -> bool:
    """Whether `name` ("xi", "Jinping", "chinese president", "KCNA") designates `speaker`."""
    if not speaker:
        return False
    wanted = name.strip().lower()
    canonical = known_person(name) or agency_name(name) or ORGANISATIONS.get(wanted)
    if canonical and canonical == speaker:
        return True
    tokens = set(re.split(r"[\s’']+", speaker.lower()))
    return bool(wanted) and (wanted == speaker.lower() or all(t in tokens for t in wanted.split()))


# --- quoted spans ---------------------------------------------------------------------------------
def _quote_spans(body: str, para: Span) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of each quotation inside a paragraph; an unclosed one runs to its end."""
    spans: list[tuple[int, int, bool]] = []
    opened: int | None = None
    opener = ""
    for i in range(para.start, para.end):
        ch = body[i]
        if opened is None and ch in _OPEN and _opens(body, i, para.start):
            opened, opener = i + 1, ch
        elif opened is not None and ch in _CLOSE and _closes(body, i, opener):
            spans.append((opened, i, True))
            opened = None
    if opened is not None:
        spans.append((opened, para.end, False))
    return spans


def _opens(body: str, i: int, para_start: int) -> bool:
    before = body[i - 1] if i > para_start else " "
    after = body[i + 1] if i + 1 < len(body) else " "
    if body[i] == "‘" and not before.isspace():
        return False  # ‘ inside a word is not a quotation
    return (before.isspace() or before in "([—–-:") and not after.isspace()


def _closes(body: str, i: int, opener: str) -> bool:
    after = body[i + 1] if i + 1 < len(body) else " "
    if opener == "‘":
        return body[i] == "’" and not after.isalpha()  # Kim’s: an apostrophe, not the end of a quote
    return body[i] in '”"'


def _trim(body: str, start: int, end: int) -> tuple[int, int]:
    """Quote offsets without surrounding spaces or a trailing comma, semicolon or colon."""
    while start < end and body[start].isspace():
        start += 1
    while end > start and (body[end - 1].isspace() or body[end - 1] in ",;:"):
        end -= 1
    return start, end


def _sentence_index(sentences: list[Span], offset: int) -> int | None:
    """The index of the sentence holding `offset` (a quote may open just before its sentence starts)."""
    for i, span in enumerate(sentences):
        if span.start - 1 <= offset < span.end:
            return i
    return None


# --- attribution ----------------------------------------------------------------------------------
def _attribute(body: str, sentence: Span, names: dict[str, str], history: list[_Attribution]) -> _Attribution:
    """Who speaks in a sentence: a named person first, then pronouns and "the letter", then an agency."""
    text = _mask_quotes(body[sentence.start : sentence.end])
    via = _via(text)
    people: list[tuple[int, str]] = []
    pronoun = False
    agency_speaker: str | None = None
    for match in _SUBJECT.finditer(text):
        who = match.group("who")
        if who.lower() in ("he", "she", "they") or (who.lower().startswith("the ") and _is_document(who)):
            pronoun = True
            continue
        resolved = _resolve(who, names, sentence_initial=match.start() == 0)
        if resolved in AGENCIES.values():
            agency_speaker = agency_speaker or resolved
        elif resolved:
            people.append((match.start(), resolved))
    for match in _INVERTED.finditer(text):
        resolved = _resolve(match.group("who"), names, sentence_initial=False)
        if resolved and resolved not in AGENCIES.values():
            people.append((match.start(), resolved))
    for match in _ACCORDING.finditer(text):
        resolved = _resolve(match.group("who").split()[-1], names, sentence_initial=False)
        if resolved and resolved not in AGENCIES.values() and resolved in PEOPLE.values():
            people.append((match.start(), resolved))
    if people:
        first_quote = min((text.find(c) for c in _OPEN if c in text), default=len(text))
        before = [p for p in people if p[0] < first_quote]
        return _Attribution(max(before)[1] if before else min(people)[1], via, True)
    if pronoun:
        earlier = next((h for h in reversed(history[-_CONTEXT_SENTENCES:]) if h.speaker), None)
        if earlier:
            return _Attribution(earlier.speaker, via or earlier.via, False)
    if agency_speaker:
        return _Attribution(agency_speaker, tuple(v for v in via if v != agency_speaker), True)
    return _Attribution(None, via, False)


def _is_document(who: str) -> bool:
    return who.lower().split()[-1] in ("letter", "message", "cable", "reply")


def _mask_quotes(text: str) -> str:
    """The sentence with quoted words blanked (same length), so names inside quotes are not speakers."""
    return re.sub(r"(?<=[“\"])[^”\"]*(?=[”\"]|$)", lambda m: "x" * len(m.group()), text)


def _via(text: str) -> tuple[str, ...]:
    """Agencies and media the sentence says the words came through, in order of mention."""
    found: list[str] = []
    for pattern in (_ACCORDING, _QUOTED_BY, _REPORTED):
        for match in pattern.finditer(text):
            name = agency_name(match.group("who"))
            if name and name not in found:
                found.append(name)
    for alias, name in AGENCIES.items():
        if name not in found and re.search(rf"\bthe\s+{re.escape(alias)}\s+said\b", text, re.I):
            found.append(name)
    return tuple(found)


def _resolve(who: str, names: dict[str, str], sentence_initial: bool) -> str | None:
    """The canonical name of a subject, or None when it is not a person, organisation or agency."""
    cleaned = _strip_function_words(who)
    if not cleaned:
        return None
    for lookup in (known_person, agency_name):
        canonical = lookup(cleaned)
        if canonical:
            return canonical
    if cleaned.lower() in ORGANISATIONS:
        return ORGANISATIONS[cleaned.lower()]
    if is_place(cleaned):
        return None
    if " " in cleaned:
        return names.get(cleaned.split()[-1], cleaned) if cleaned not in names.values() else cleaned
    if cleaned in names:
        return names[cleaned]
    return None if sentence_initial else cleaned  # "Analysts say" is not a name; "But Yoon told" is


def _full_names(body: str) -> dict[str, str]:
    """Each part of a multi-word name in the body mapped to the full name ("Paik" -> "Wooyeal Paik")."""
    out: dict[str, str] = {}
    for match in re.finditer(rf"(?<![\w’'-])({_TOKEN}(?:\s{_TOKEN}){{1,2}})(?![\w-])", body):
        full = _strip_function_words(match.group(1))
        if " " not in full or is_place(full) or known_person(full) or agency_name(full):
            continue
        for part in full.split():
            if not is_place(part):
                out.setdefault(part, full)
    return out


def _strip_function_words(name: str) -> str:
    """A name without the capitalised function words a sentence may put before it ("But Yoon" -> "Yoon")."""
    parts = name.split()
    while parts and (parts[0] in _FUNCTION_WORDS or parts[0].lower() == "the"):
        parts.pop(0)
    return " ".join(parts)
