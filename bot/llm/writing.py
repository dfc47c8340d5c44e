"""LLM mode for summaries and briefings: the model rewrites the extractive result's prose, never its evidence.

The extractive summary or briefing is always built first. The model sees the article's paragraphs
(or the briefing articles' best paragraphs) as numbered passages; what it writes passes the same
citation and quotation checks as answers. Key quotes stay the extractive ones — verbatim and
attributed by code — and any model failure returns the extractive result with a notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from bot.analysis.cite import cite
from bot.answer_model import Citation
from bot.chunking import paragraphs, split_sentences
from bot.errors import LLMError
from bot.llm.citations import cite_sources, header
from bot.llm.generate import Generated, write_cited
from bot.llm.validate import Source

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.corpus import Article
    from bot.digest.brief import Briefing
    from bot.digest.summarize import Summary
    from bot.llm.prompts import Prompt

log = logging.getLogger(__name__)
T = TypeVar("T")

_PARAGRAPHS_PER_ARTICLE = 4  # briefing passages: each article's lead paragraphs, enough for its news


@dataclass(frozen=True)
class Writer:
    """A chat model with its prompt and time limit, for one kind of text."""

    model: BaseChatModel
    prompt: Prompt
    timeout_s: float
    label: str


def paragraph_sources(articles: Sequence[Article], per_article: int | None = None) -> list[Source]:
    """The articles' paragraphs as numbered sources (their sentences as offsets), `per_article` at most."""
    sources: list[Source] = []
    for article in articles:
        spans = paragraphs(article.body)[:per_article]
        sentences = split_sentences(article.body)
        for para in spans:
            inside = tuple((s.start, s.end) for s in sentences if para.start <= s.start < para.end)
            text = article.body[para.start : para.end]
            sources.append(Source(len(sources) + 1, article.id, text, para.start, header(article), inside))
    return sources


def llm_summary(extractive: Summary, article: Article, writer: Writer) -> Summary:
    """The summary with a model-written headline and bullets, or the extractive one with a notice."""
    return _guarded(
        "summary", writer, lambda: _write_summary(extractive, article, writer), partial(_fallback_summary, extractive)
    )


def llm_briefing(extractive: Briefing, articles: Sequence[Article], period: str, writer: Writer) -> Briefing:
    """The briefing with a model-written overview (after the article count), or the extractive one with a notice."""
    return _guarded(
        "briefing",
        writer,
        lambda: _write_briefing(extractive, articles, period, writer),
        partial(_fallback_briefing, extractive),
    )


def _guarded(kind: str, writer: Writer, write: Callable[[], T], fallback: Callable[[str, dict[str, Any]], T]) -> T:
    """`write()`, or `fallback(why, llm)` when the model fails in any way: the optional model never breaks a reply."""
    try:
        return write()
    except LLMError as exc:
        log.warning("LLM %s failed: %s", kind, exc.reason)
        return fallback(f"did not answer ({exc.reason})", {"model": writer.label})
    except Exception as exc:
        log.exception("LLM %s failed unexpectedly", kind)
        return fallback(f"failed ({type(exc).__name__})", {"model": writer.label})


def _write_summary(extractive: Summary, article: Article, writer: Writer) -> Summary:
    sources = paragraph_sources([article])
    generated = write_cited(writer.model, writer.prompt, {"subject": article.title}, sources, writer.timeout_s)
    bullets = [s for s in generated.validated.sentences if s.bullet]
    if generated.validated.insufficient or not bullets:
        return _fallback_summary(extractive, "gave no bullet that passed the citation checks", generated.usage())
    numbering = generated.validated.numbering()
    citations = cite_sources(generated.validated, sources, {article.id: article})
    heads = [s for s in generated.validated.sentences if not s.bullet and s.paragraph == 0]
    from bot.digest.summarize import Bullet, KeyQuote

    quotes: list[KeyQuote] = []
    quote_citations: list[Citation] = []
    for q in extractive.quotes:
        original = next(c for c in extractive.citations if c.n == q.n)
        n = len(citations) + len(quote_citations) + 1
        quote_citations.append(cite(n, article, original.start, original.end, _passage_of(original)))
        quotes.append(KeyQuote(q.speaker, q.via, q.quote, n))
    return replace(
        extractive,
        headline=heads[0].cited(numbering) if heads else extractive.headline,
        bullets=[Bullet(s.text, sorted({numbering[n] for n in s.sources})) for s in bullets],
        quotes=quotes,
        citations=citations + quote_citations,
        mode="llm",
        notice=_dropped_notice(generated),
        llm=generated.usage(),
    )


def _write_briefing(extractive: Briefing, articles: Sequence[Article], period: str, writer: Writer) -> Briefing:
    sources = paragraph_sources(articles, _PARAGRAPHS_PER_ARTICLE)
    generated = write_cited(writer.model, writer.prompt, {"period": period}, sources, writer.timeout_s)
    validated = generated.validated
    if validated.insufficient or not validated.sentences:
        return _fallback_briefing(extractive, "gave no sentence that passed the citation checks", generated.usage())
    by_article = {a.id: a for a in articles}
    offset = len(extractive.citations)
    shifted = {n: shown + offset for n, shown in validated.numbering().items()}
    added = [replace(c, n=c.n + offset) for c in cite_sources(validated, sources, by_article)]
    written = " ".join(s.cited(shifted) for s in validated.sentences)
    return replace(
        extractive,
        overview=f"{extractive.coverage} {written}",
        citations=extractive.citations + added,
        notice=_dropped_notice(generated),
        llm=generated.usage(),
    )


def _passage_of(citation: Citation) -> tuple[int, int]:
    """Offsets of a citation's passage, recovered from where its quote sits inside it."""
    at = citation.passage.find(citation.quote)
    start = citation.start - max(at, 0)
    return start, start + len(citation.passage)


def _dropped_notice(generated: Generated) -> str | None:
    if not generated.dropped:
        return None
    return f"{generated.dropped} sentence(s) of the language model's text failed the citation checks and were removed."


def _fallback_summary(extractive: Summary, what: str, llm: dict[str, Any] | None) -> Summary:
    return replace(extractive, notice=f"The language model {what}; this is the extractive summary.", llm=llm)


def _fallback_briefing(extractive: Briefing, what: str, llm: dict[str, Any] | None) -> Briefing:
    return replace(extractive, notice=f"The language model {what}; this is the extractive briefing.", llm=llm)
