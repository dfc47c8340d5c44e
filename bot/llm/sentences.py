"""A model's text cut into the units checked one by one (sentences; bullet lines whole), and their quotes."""

from __future__ import annotations

import re
from collections.abc import Iterator

_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
# A sentence ends at . ! or ?, with any closing quote marks and [n] markers that follow it.
_BOUNDARY = re.compile(r"[.!?]+[”\"’)\]]*(?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*(?=\s)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Sgt|Rep|Sen|St|Jr|Sr|No|Vol|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept"
    r"|Oct|Nov|Dec)|\b[A-Z]|\b(?:[A-Za-z]\.)+[A-Za-z])$"
)
# ‘…’ is a quote only when it opens after a space or bracket and closes before a non-letter, so that
# apostrophes ("Korea’s") are not taken for quote marks.
_SINGLE = re.compile(r"(?<![^\s(\[—–-])‘((?:[^‘’]|’(?=\w))+?)’(?!\w)")


def split_units(text: str) -> Iterator[tuple[int, bool, str]]:
    """(line index, is a bullet, unit) for every sentence of every non-empty line; a bullet line is one unit."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        bullet = _BULLET.match(line)
        if bullet:
            yield i, True, line[bullet.end() :].strip()
        else:
            for sentence in split_sentences(line):
                yield i, False, sentence


def split_sentences(line: str, quotes: bool = True) -> list[str]:
    """Sentences of one line, never cut inside a quotation, after an abbreviation or before a lowercase word."""
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(line):
        head = line[start : m.end()]
        if (quotes and _inside_quote(head)) or line[m.end() :].lstrip()[:1].islower():
            continue
        if m.group() == "." and _ABBREVIATION.search(line[start : m.start()]):
            continue
        out.append(head.strip())
        start = m.end()
    tail = line[start:].strip()
    if quotes and _inside_quote(tail):
        # A quotation that never closes would swallow the rest of the line: cut the rest as if it had no
        # quotes, so only the sentence with the stray mark is lost.
        return [*out, *split_sentences(tail, quotes=False)]
    return [*out, tail] if tail else out


def _inside_quote(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "“":
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
    return depth > 0 or text.count('"') % 2 == 1


def quote_spans(unit: str) -> tuple[list[tuple[int, int]], bool]:
    """The [start, end) of every quoted span's content (outermost only), and whether all quote marks close."""
    spans: list[tuple[int, int]] = []
    depth, opened, straight = 0, -1, -1
    balanced = True
    for i, ch in enumerate(unit):
        if ch == "“" and straight < 0:
            opened = i if depth == 0 else opened
            depth += 1
        elif ch == "”" and straight < 0:
            if depth == 0:
                balanced = False  # a closing mark with no opening one: the quote's extent is unknown
                continue
            depth -= 1
            if depth == 0:
                spans.append((opened + 1, i))
        elif ch == '"' and depth == 0:
            if straight < 0:
                straight = i
            else:
                spans.append((straight + 1, i))
                straight = -1
    balanced = balanced and depth == 0 and straight < 0
    for m in _SINGLE.finditer(unit):
        if not any(a <= m.start() < b for a, b in spans):
            spans.append((m.start(1), m.end(1)))
    return sorted(spans), balanced
