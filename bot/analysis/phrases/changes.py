"""Changes in the leaders' wording, statement by statement: what is new, what returns, what was dropped.

Statements are compared by their own dates (bot.analysis.timeline.statements), so a 2023 article's quote of "last
year's message" is a 2022 statement. A phrase of the period is `new` only if no earlier statement of the
same speaker uses it or a variant (the matcher of `trace`); `returning` if the speaker used it before but
not in the year before the period (it names that last use); `dropped` if the speaker's statements of that
year used it and none of the period's does, variants included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.analysis.phrases.background import rarity
from bot.analysis.phrases.match import PhraseMatch, find_phrase, words
from bot.analysis.phrases.ngrams import Candidate, content_keys
from bot.analysis.phrases.nounphrase import name_phrases, noun_phrases, quoted_phrases
from bot.analysis.phrases.tagger import REPORTING
from bot.analysis.timeline.actors import state_of
from bot.analysis.timeline.statements import Statement

ChangeKind = Literal["new", "returning", "dropped"]
BASELINE_DAYS = 365  # the period is compared with the speaker's statements of the year before it
_LIMITS: dict[ChangeKind, int] = {"new": 4, "returning": 3, "dropped": 4}
_HEADLINE_WEIGHT = 2.0  # the wording a headline picks is the wording the story turns on
_WHOLE_QUOTE_WEIGHT = 1.5


@dataclass(frozen=True)
class PhraseUse:
    """A phrase as one statement words it: the statement and the phrase's offsets in its article."""

    statement: Statement
    start: int
    end: int

    @property
    def text(self) -> str:
        """The phrase as written."""
        return self.statement.article.body[self.start : self.end]


@dataclass(frozen=True)
class WordingChange:
    """One change: the phrase, whose it is, its use in the period (or its last use, for a dropped one)."""

    kind: ChangeKind
    phrase: str
    speaker: str
    use: PhraseUse  # new, returning: the period's use; dropped: the last earlier use
    last: PhraseUse | None = None  # returning: the speaker's last earlier use


def wording_changes(statements: Sequence[Statement], since: dt.date, voices: frozenset[str]) -> list[WordingChange]:
    """The changes in the wording of `voices` in statements dated from `since` on, against their earlier ones."""
    period = [s for s in statements if s.speaker in voices and s.first_day >= since]
    earlier = [s for s in statements if s.speaker in voices and s.last_day < since]
    baseline_start = since - dt.timedelta(days=BASELINE_DAYS)
    found: list[WordingChange] = []
    for speaker in sorted({s.speaker for s in period if s.speaker}):
        mine = [s for s in period if s.speaker == speaker]
        before = sorted((s for s in earlier if s.speaker == speaker), key=lambda s: s.last_day)
        recent = [s for s in before if s.last_day >= baseline_start] or [
            s for s in before if before and s.last_day == before[-1].last_day
        ]
        found += _used(speaker, mine, before, baseline_start)
        found += _dropped(speaker, mine, recent)
    return found


def _used(speaker: str, period: list[Statement], before: list[Statement], baseline: dt.date) -> list[WordingChange]:
    """The period's phrases no earlier statement uses (new), or none of the year before does (returning)."""
    out: list[WordingChange] = []
    settled: list[tuple[str, ...]] = []  # keys already judged: a longer phrase holding one is not news again
    ranked = _ranked(period)

    def earlier_uses(use: PhraseUse) -> list[tuple[Statement, PhraseMatch]]:
        return [(s, m) for s in before for m in find_phrase(s.quote.text, use.text, s.quote.start)]

    for use, key in ranked:
        if _holds(key, settled):
            continue
        earlier = earlier_uses(use)
        inner = [k for u, k in ranked if k != key and _holds(k, [key]) and len(k) < len(key) and earlier_uses(u)]
        if not earlier and inner:
            continue  # “accelerating changes unseen in a century” is not new when “changes unseen ...” returns
        settled.append(key)
        kind: ChangeKind | None = "new"
        last = None
        if earlier:
            statement, match = max(earlier, key=lambda sm: (sm[0].last_day, sm[1].start))
            last = PhraseUse(statement, match.start, match.end)
            kind = "returning" if statement.last_day < baseline else None
        if kind and sum(c.kind == kind for c in out) < _LIMITS[kind] and not _overlaps(use, out):
            out.append(WordingChange(kind, use.text, speaker, use, last))
    return out


def _dropped(speaker: str, period: list[Statement], recent: list[Statement]) -> list[WordingChange]:
    """Phrases of the speaker's statements of the year before that no statement of the period uses."""
    out: list[WordingChange] = []
    settled: list[tuple[str, ...]] = []
    newest_first = sorted(recent, key=lambda s: s.last_day, reverse=True)
    for use, key in _ranked(newest_first):
        if _holds(key, settled) or any(find_phrase(s.quote.text, use.text) for s in period):
            continue
        settled.append(key)
        out.append(WordingChange("dropped", use.text, speaker, use))
        if len(out) == _LIMITS["dropped"]:
            break
    return out


def _ranked(statements: Sequence[Statement]) -> list[tuple[PhraseUse, tuple[str, ...]]]:
    """The phrases of the statements' quotes, best first: rare in English, whole quotes, headline words."""
    scored: dict[tuple[str, ...], tuple[float, PhraseUse]] = {}
    for s in statements:
        q, article = s.quote, s.article
        headline = content_keys(f"{article.title}. {article.subtitle or ''}")
        for c in _phrases(article.body, q.start, q.end):
            surface = article.body[c.start : c.end]
            if any(w.text.lower() in REPORTING for w in words(surface)) or _is_name(surface):
                continue
            content = [w.text for w in words(surface) if not w.stop]
            score = rarity(content) * min(len(c.key), 3)
            score *= _WHOLE_QUOTE_WEIGHT if (c.start, c.end) == _trimmed(article.body, q.start, q.end) else 1.0
            score *= _HEADLINE_WEIGHT if c.key in headline else 1.0
            if c.key not in scored or score > scored[c.key][0]:
                scored[c.key] = (score, PhraseUse(s, c.start, c.end))
    ordered = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [(use, key) for key, (_, use) in ordered]


def _phrases(body: str, start: int, end: int) -> Iterator[Candidate]:
    """The quote's phrases of two content words or more: its noun phrases, its names, the quote itself."""
    text = body[start:end]
    for c in (*noun_phrases(text, start), *name_phrases(text, start), *quoted_phrases(body, [(start, end)])):
        if len(c.key) >= 2:
            yield c


def _trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    found = list(quoted_phrases(body, [(start, end)]))
    return (found[0].start, found[0].end) if found else (start, end)


def _is_name(surface: str) -> bool:
    """A name ("Communist Party of China", "China and the Chinese government") is who speaks, not how."""
    content = [w.text for w in words(surface) if not w.stop]
    return bool(content) and (all(w[0].isupper() for w in content) or state_of(content[0]) is not None)


def _overlaps(use: PhraseUse, chosen: list[WordingChange]) -> bool:
    """Whether a use shares words with a change already chosen ("territorial integrity of ..." twice)."""
    article = use.statement.article.id
    return any(
        c.use.statement.article.id == article and use.start < c.use.end and c.use.start < use.end for c in chosen
    )


def _holds(key: tuple[str, ...], settled: list[tuple[str, ...]]) -> bool:
    """Whether `key` holds a key already judged, or lies inside one ("good friend" in "good neighbour ...")."""

    def inside(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
        return any(big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1))

    return any(inside(key, other) or inside(other, key) for other in settled)
