"""Candidate sentences: every sentence of the retrieved passages and of the passages beside them, each with
its vector, its article's reading and the best retrieval score of a passage holding it.

The answer often sits one sentence from the words the question shares with the article ("He added ...",
the sentence naming the speaker), so the passages next to each retrieved one are read too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.answer.sentences import ArticleSentences, SentenceFacts
from bot.chunking import Span
from bot.index.chunk_source import ChunkSource
from bot.index.retrieve import Passage
from bot.index.store import ChunkRecord, Vector
from bot.text import is_prose


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer the question."""

    chunk: ChunkRecord  # a stored passage holding it (the citation's passage)
    span: Span
    text: str
    vector: Vector
    facts: SentenceFacts
    reading: ArticleSentences
    retrieval: float  # best fused score of a retrieved passage holding it, over the best passage's; 0 if none
    rank: int  # rank of that passage (len(passages) when only a neighbour)

    @property
    def article_id(self) -> str:
        """The article the sentence is from."""
        return self.chunk.article_id

    @property
    def key(self) -> tuple[str, int]:
        """Identity of the sentence: article and offset."""
        return self.chunk.article_id, self.span.start


def neighbour_ids(passages: Sequence[Passage]) -> list[str]:
    """Ids of the stored passages just before and after each retrieved one, not retrieved themselves."""
    have = {p.chunk.id for p in passages}
    wanted: list[str] = []
    for p in passages:
        prefix, _, index = p.chunk.id.rpartition(":")
        if not index.isdigit():
            continue
        for i in (int(index) - 1, int(index) + 1):
            cid = f"{prefix}:{i}"
            if i >= 0 and cid not in have and cid not in wanted:
                wanted.append(cid)
    return wanted


def gather(
    passages: Sequence[Passage], source: ChunkSource, read: Callable[[str], ArticleSentences | None]
) -> list[Candidate]:
    """Every prose sentence of the passages and their neighbours, once each, in retrieval order."""
    top = max((p.score for p in passages), default=1.0) or 1.0
    chunks: list[tuple[ChunkRecord, float, int]] = [(p.chunk, p.score / top, i) for i, p in enumerate(passages)]
    chunks += [(c, 0.0, len(passages)) for c in source.chunks(neighbour_ids(passages))]
    best: dict[tuple[str, int], Candidate] = {}
    for chunk, score, rank in chunks:
        reading = read(chunk.article_id)
        if reading is None:
            continue
        for j, span in enumerate(chunk.sentences):
            facts = reading.at(span.start)
            text = chunk.sentence_text(span)
            if facts is None or facts.text != text or not is_prose(text):
                continue
            key = (chunk.article_id, span.start)
            old = best.get(key)
            if old is None or score > old.retrieval:
                vector = np.asarray(chunk.sentence_vectors[j], dtype=np.float32)
                best[key] = Candidate(chunk, span, text, vector, facts, reading, score, rank)
    return list(best.values())
