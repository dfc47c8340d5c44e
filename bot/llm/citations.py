"""From stored chunks to numbered sources, and from validated sentences back to verified citations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.analysis.cite import cite
from bot.answer_model import Citation
from bot.corpus import Article
from bot.index.store import ChunkRecord
from bot.llm.validate import Source, Validated
from bot.text import terms


def header(article: Article) -> str:
    """The line shown to the model above a passage: title, outlet and date."""
    date = article.published.isoformat() if article.published else "date unknown"
    return f"“{article.title}” — {article.outlet or 'outlet unknown'}, {date}"


def number_sources(chunks: Sequence[ChunkRecord], articles: Mapping[str, Article]) -> list[Source]:
    """Chunks numbered 1..k as sources; a chunk whose text is not at its offsets in its article is left out."""
    sources: list[Source] = []
    for chunk in chunks:
        article = articles.get(chunk.article_id)
        if article is None or article.body[chunk.start : chunk.start + len(chunk.text)] != chunk.text:
            continue  # the index and the article disagree: nothing from this chunk could be verified
        spans = tuple((s.start, s.end) for s in chunk.sentences)
        sources.append(Source(len(sources) + 1, chunk.article_id, chunk.text, chunk.start, header(article), spans))
    return sources


def cite_sources(validated: Validated, sources: Sequence[Source], articles: Mapping[str, Article]) -> list[Citation]:
    """One citation per source the kept sentences use, numbered as `validated.numbering()`.

    The quote is the span covering the sentence's verbatim quotes from that source, or else the source's
    sentence sharing most words with the claims that cite it; either is checked against the article body.
    """
    by_n = {s.n: s for s in sources}
    citations: list[Citation] = []
    for n, shown in validated.numbering().items():
        source, article = by_n[n], articles[by_n[n].article_id]
        start, end = _span(validated, source)
        lo, hi = source.start, source.start + len(source.text)
        if not (lo <= start < end <= hi) or article.body[lo:hi] != source.text:
            raise ValueError(f"citation [{n}] of {article.id!r} does not verify against the article body")
        citations.append(cite(shown, article, start, end, (lo, hi)))  # cite() checks the quote itself
    return citations


def _span(validated: Validated, source: Source) -> tuple[int, int]:
    """Article offsets of what to show as the quote for `source`."""
    quotes = [q for s in validated.sentences for q in s.quotes if q.n == source.n]
    if quotes:
        return min(q.start for q in quotes), max(q.end for q in quotes)
    claims = {t for s in validated.sentences if source.n in s.sources for t in terms(s.text)}
    spans = source.sentences or ((source.start, source.start + len(source.text)),)

    def overlap(span: tuple[int, int]) -> int:
        a, b = span
        return len(claims & set(terms(source.text[a - source.start : b - source.start])))

    return max(spans, key=overlap)  # max keeps the first of equals: the earlier sentence
