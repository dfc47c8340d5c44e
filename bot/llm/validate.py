"""Checks on a model's cited text: every sentence cites a passage it was shown, every quote is verbatim.

Pure functions over strings (no model, no LangChain). A sentence that fails a check is dropped and the
reason recorded, so that a fabricated quote or an uncited claim never reaches a reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.llm.sentences import quote_spans, split_units

SENTINEL = "INSUFFICIENT_EVIDENCE"

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")
_WORDY = re.compile(r"\w")
_QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'"})
_REFUSAL = re.compile(
    # "the passages/sources do not say": news prose says "sources did not say", so a determiner and the present
    # tense are required, and a cited sentence reporting what someone did not say is not taken for a refusal.
    r"\b(?:the|these|provided|given)\s+(?:provided\s+|given\s+)?(?:passages?|articles?|sources?|texts?|context)\s+"
    r"(?:do|does)\s*(?:n[’']t|\s+not)\s+"
    r"(?:say|mention|answer|contain|provide|state|address|include|specify|discuss|give|cover|describe)"
    r"|\bI\s+(?:cannot|can[’']t|could\s+not|am\s+unable\s+to)\s+(?:find|answer|determine)\b",
    re.I,
)
# A web address or Markdown link. The answer is plain prose and the sources list carries each article's own URL,
# so a link in a model's sentence is at best noise and at worst an injected "visit this site": it is dropped.
# So is anything a reader could type into a browser or mail client: an e-mail address, an IPv4 address, and a
# bare domain ("evil.example/login"). A domain's last label is all lower or all upper case, so a sentence run
# into the next without a space ("said.The") is not taken for one; "U.S." and "p.m." have one-letter labels.
_LINK = re.compile(
    r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+|\]\("
    r"|[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    r"|(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]\w)",
    re.I,
)
_DOMAIN = re.compile(
    r"(?<![\w.@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[a-z]{2,24}|[A-Z]{2,24})(?![\w-])"
)
# News can report "insufficient evidence" too: these words are a refusal only in a sentence that cites nothing.
_NO_INFORMATION = re.compile(r"\b(?:not\s+(?:enough|sufficient)|insufficient)\s+(?:information|evidence)\b", re.I)


@dataclass(frozen=True)
class Source:
    """A numbered passage the model was shown: its verbatim text and where that text starts in its article."""

    n: int
    article_id: str
    text: str
    start: int  # offset of `text` in the article body
    header: str = ""  # title, outlet and date, shown to the model above the text
    sentences: tuple[tuple[int, int], ...] = ()  # the passage's sentences, as article offsets


@dataclass(frozen=True)
class Quote:
    """A quoted span of the model's text, found verbatim in source `n` at article offsets [start, end)."""

    n: int
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A kept sentence: its text without [n] markers, where the marker groups stood, and its checked quotes."""

    text: str
    anchors: tuple[tuple[int, tuple[int, ...]], ...]  # (position in text, source numbers cited there)
    quotes: tuple[Quote, ...]
    paragraph: int  # index of the output line it came from, so callers can keep the layout
    bullet: bool = False

    @property
    def sources(self) -> tuple[int, ...]:
        """Source numbers this sentence cites, in order of first mention."""
        return tuple(dict.fromkeys(n for _, ns in self.anchors for n in ns))

    def cited(self, numbering: dict[int, int]) -> str:
        """The sentence with its markers put back, renumbered through `numbering` (source n -> shown number)."""
        text = self.text
        for pos, ns in reversed(self.anchors):
            marks = "".join(f"[{m}]" for m in sorted({numbering[n] for n in ns}))
            text = f"{marks} {text}" if pos == 0 else f"{text[:pos]} {marks}{text[pos:]}"
        return text


@dataclass(frozen=True)
class Issue:
    """Something removed from the model's text, and why (`kind`): kept for logs and `--json`."""

    kind: str  # unknown_citation | fabricated_quote | uncited | unclosed_quote | refusal | link
    text: str

    def to_json(self) -> dict[str, str]:
        """The issue as a JSON object."""
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Validated:
    """What survives validation, what was removed, and whether the model said the passages do not answer."""

    sentences: tuple[Sentence, ...]
    issues: tuple[Issue, ...]
    insufficient: bool

    def numbering(self) -> dict[int, int]:
        """Source number -> 1..m, in order of first use in the kept sentences."""
        used = dict.fromkeys(n for s in self.sentences for n in s.sources)
        return {n: i for i, n in enumerate(used, 1)}

    def render(self, numbering: dict[int, int] | None = None) -> str:
        """The kept sentences with renumbered markers; one line per output line, bullets as "- "."""
        numbering = numbering or self.numbering()
        lines: dict[int, list[str]] = {}
        bullets: set[int] = set()
        for s in self.sentences:
            lines.setdefault(s.paragraph, []).append(s.cited(numbering))
            if s.bullet:
                bullets.add(s.paragraph)
        return "\n".join(("- " if p in bullets else "") + " ".join(parts) for p, parts in lines.items())


def validate(text: str, sources: Sequence[Source]) -> Validated:
    """Keep the sentences of `text` whose citations are known and whose quotes are verbatim in a cited source."""
    by_n = {s.n: s for s in sources}
    kept: list[Sentence] = []
    issues: list[Issue] = []
    sentinel = refusal = False
    for paragraph, bullet, unit in split_units(text):
        if SENTINEL in unit:
            sentinel = True
        elif _REFUSAL.search(unit) or (_NO_INFORMATION.search(unit) and not _MARKER.search(unit)):
            refusal = True
            issues.append(Issue("refusal", unit))
        elif (sentence := _check(unit, paragraph, bullet, by_n, issues)) is not None:
            kept.append(sentence)
    return Validated(tuple(kept), tuple(issues), sentinel or (refusal and not kept))


def _check(unit: str, paragraph: int, bullet: bool, by_n: dict[int, Source], issues: list[Issue]) -> Sentence | None:
    """One sentence: strip unknown markers, then require a citation and verbatim quotes; None when dropped."""
    spans, balanced = quote_spans(unit)
    if not balanced:
        issues.append(Issue("unclosed_quote", unit))
        return None
    claim, anchors = _markers(unit, spans, by_n, issues)
    cited = [by_n[n] for _, ns in anchors for n in ns]
    if not cited or not _WORDY.search(claim):
        issues.append(Issue("uncited", unit))
        return None
    if _LINK.search(claim) or _DOMAIN.search(claim):
        issues.append(Issue("link", unit))
        return None
    quotes: list[Quote] = []
    for a, b in spans:
        quoted = unit[a:b]
        if not _WORDY.search(quoted):
            continue
        found = find_quote(quoted, cited)
        if found is None:
            issues.append(Issue("fabricated_quote", quoted))
            return None
        quotes.append(found)
    return Sentence(claim, tuple(anchors), tuple(quotes), paragraph, bullet)


def _markers(
    unit: str, spans: list[tuple[int, int]], by_n: dict[int, Source], issues: list[Issue]
) -> tuple[str, list[tuple[int, tuple[int, ...]]]]:
    """The unit without [n] markers (those inside quotes are text), and where each known group stood."""
    claim: list[str] = []
    anchors: list[tuple[int, tuple[int, ...]]] = []
    pos = 0
    for m in _MARKER.finditer(unit):
        if any(a - 1 <= m.start() < b + 1 for a, b in spans):
            continue
        claim.append(unit[pos : m.start()])
        pos = m.end()
        numbers = [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1))]
        for k in numbers:
            if k not in by_n:
                issues.append(Issue("unknown_citation", f"[{k}] in: {unit}"))
        known = tuple(k for k in numbers if k in by_n)
        at = sum(len(c) for c in claim)
        if known and anchors and anchors[-1][0] == at:  # "[1][2]" is one group
            anchors[-1] = (at, anchors[-1][1] + known)
        elif known:
            anchors.append((at, known))
    claim.append(unit[pos:])
    return "".join(claim).strip(), anchors


def find_quote(quoted: str, sources: Sequence[Source]) -> Quote | None:
    """Where `quoted` occurs verbatim in one of `sources` (whitespace and quote characters may differ).

    An ellipsis ("…" or "...") joins parts that must each occur, in order; a comma or full stop just
    inside the closing quote mark may be the writer's punctuation rather than the source's.
    """
    parts = [p for p in _ELLIPSIS.split(quoted) if _WORDY.search(p)]
    for source in sources:
        hit = _locate(parts, source.text) if parts else None
        if hit is not None:
            return Quote(source.n, source.start + hit[0], source.start + hit[1])
    return None


def _locate(parts: list[str], text: str) -> tuple[int, int] | None:
    """Offsets in `text` from the first part's start to the last part's end, parts found in order."""
    norm, index = _normalise(text)
    first, pos = -1, 0
    for i, part in enumerate(parts):
        needle = _normalise(part)[0].strip()
        at = norm.find(needle, pos)
        if at < 0 and i == len(parts) - 1:
            needle = needle.rstrip(",.;:")
            at = norm.find(needle, pos) if needle else -1
        if at < 0:
            return None
        first = at if first < 0 else first
        pos = at + len(needle)
    return index[first], index[pos - 1] + 1


def _normalise(text: str) -> tuple[str, list[int]]:
    """Straight quote marks and single spaces, with the original offset of every kept character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text.translate(_QUOTE_CHARS)):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        index.append(i)
    return "".join(out), index
