"""Phrases across the corpus: matching with variants, tracing over time, candidate phrases, quotes by speaker.

The CLI and the Discord cog call `trace_phrase`, `select_quotes` and `corpus_articles`; `bot.analysis.compare` builds
on `candidates` and `find_phrase`.
"""

from bot.analysis.phrases.match import MatchKind, PhraseMatch, Word, find_phrase, lemma, words
from bot.analysis.phrases.ngrams import Candidate, candidates, content_keys
from bot.analysis.phrases.quoted import QuoteHit, QuoteList, corpus_articles, select_quotes
from bot.analysis.phrases.trace import Occurrence, Trace, trace_phrase

__all__ = [
    "Candidate",
    "MatchKind",
    "Occurrence",
    "PhraseMatch",
    "QuoteHit",
    "QuoteList",
    "Trace",
    "Word",
    "candidates",
    "content_keys",
    "corpus_articles",
    "find_phrase",
    "lemma",
    "select_quotes",
    "trace_phrase",
    "words",
]
