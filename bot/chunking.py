"""Sentence splitting (syntok, offline) and sentence-aware chunking with overlap.

Every span is a pair of character offsets into the article body, so a quote taken from
a chunk can always be located, and checked, in the article it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from syntok import segmenter

_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Span:
    """A [start, end) character range of an article body."""

    start: int
    end: int

    def text(self, body: str) -> str:
        """The verbatim text of this span."""
        return body[self.start : self.end]


@dataclass(frozen=True)
class Chunk:
    """Consecutive sentences of one article; `sentences` are absolute offsets into the body."""

    index: int
    sentences: tuple[Span, ...]

    @property
    def start(self) -> int:
        """Offset of the first character of the chunk."""
        return self.sentences[0].start

    @property
    def end(self) -> int:
        """Offset just past the last character of the chunk."""
        return self.sentences[-1].end


def paragraphs(body: str) -> list[Span]:
    """The paragraphs of a body (separated by blank lines), as spans."""
    spans, pos = [], 0
    for sep in _PARAGRAPH.finditer(body):
        spans.append(Span(pos, sep.start()))
        pos = sep.end()
    spans.append(Span(pos, len(body)))
    return [s for s in spans if body[s.start : s.end].strip()]


def split_sentences(body: str) -> list[Span]:
    """Sentence spans of a body; a paragraph boundary always ends a sentence."""
    return list(_split_sentences(body))


@lru_cache(maxsize=4096)  # answers, quotes and timelines split the same retrieved articles again and again
def _split_sentences(body: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    for para in paragraphs(body):
        text = body[para.start : para.end]
        for seg_para in segmenter.analyze(text):
            for sentence in seg_para:
                start = para.start + sentence[0].offset
                end = para.start + sentence[-1].offset + len(sentence[-1].value)
                spans.append(Span(start, end))
    return tuple(spans)


def chunk_sentences(sentences: list[Span], size: int = 3, overlap: int = 1) -> list[Chunk]:
    """Windows of `size` sentences that share `overlap` sentences with their neighbour."""
    if not sentences:
        return []
    step = max(1, size - overlap)
    chunks: list[Chunk] = []
    for start in range(0, len(sentences), step):
        window = tuple(sentences[start : start + size])
        chunks.append(Chunk(len(chunks), window))
        if start + size >= len(sentences):
            break
    return chunks
