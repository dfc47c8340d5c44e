"""Citations built from article offsets, each checked verbatim against the article body."""

from __future__ import annotations

from bot.analysis.provenance import chain
from bot.answer_model import Citation
from bot.corpus import Article
from bot.errors import YaluError


class UnverifiableQuote(YaluError):
    """A quote's offsets do not reproduce its text in the article body: it must never be shown."""


def cite(n: int, article: Article, start: int, end: int, passage: tuple[int, int] | None = None) -> Citation:
    """Citation number `n` for `article.body[start:end]`; `passage` (offsets) is the context shown with it.

    Raises UnverifiableQuote when the span is empty or outside the body, so no caller can cite a
    quote the article does not contain.
    """
    if not 0 <= start < end <= len(article.body):
        raise UnverifiableQuote(f"offsets {start}:{end} are outside {article.id!r} ({len(article.body)} characters)")
    quote = article.body[start:end]
    if quote != quote.strip():
        raise UnverifiableQuote(f"the span {start}:{end} of {article.id!r} starts or ends with whitespace")
    lo, hi = passage or (start, end)
    lo, hi = min(lo, start), max(hi, end)
    found = chain(article, start, end)
    return Citation(
        n,
        article.id,
        article.title,
        article.outlet,
        article.published,
        article.url,
        quote,
        article.body[lo:hi],
        start,
        end,
        found.speaker,
        found.via,
    )


class CitationList:
    """Numbers citations in order of first use; the same span cited twice keeps its first number."""

    def __init__(self) -> None:
        """Start with no citations."""
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def add(self, article: Article, start: int, end: int, passage: tuple[int, int] | None = None) -> int:
        """The number of the citation of `article.body[start:end]` (verified verbatim), adding it if new."""
        key = (article.id, start, end)
        if key not in self._numbers:
            self.citations.append(cite(len(self.citations) + 1, article, start, end, passage))
            self._numbers[key] = len(self.citations)
        return self._numbers[key]
