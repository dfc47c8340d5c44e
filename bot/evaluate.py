"""`yalu eval`: score answers against a gold file of questions, evidence phrases and facts."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from bot.answer.gold import GoldQuestion, evidence_hit, fact_recall, load_gold
from bot.services import Services
from bot.text import word_count

__all__ = ["EvalResult", "GoldQuestion", "evaluate", "load_gold"]

_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass
class EvalResult:
    """Per-question rows and the aggregate figures."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)  # the same figures for each kind

    def summary_line(self) -> str:
        """The one line reported in closing notes."""
        m = self.metrics
        return (
            f"yalu eval: n={m['n']:.0f} evidence={m['evidence_hit_rate']:.2f} facts={m['fact_recall']:.2f} "
            f"refused_unanswerable={m['refused_unanswerable']:.2f} refused_answerable={m['refused_answerable']:.2f} "
            f"verbatim={m['verbatim_quotes']:.2f} median_words={m['median_words']:.0f} "
            f"p50_ms={m['p50_ms']:.0f} p95_ms={m['p95_ms']:.0f}"
        )

    def to_json(self) -> dict[str, Any]:
        """Rows and metrics as JSON."""
        return {"metrics": self.metrics, "by_kind": self.by_kind, "rows": self.rows}


def evaluate(services: Services, gold: list[GoldQuestion]) -> EvalResult:
    """Ask every gold question (after one warm-up) and score the answers."""
    services.ask("warm-up: what did Xi write?")  # load models and indexes before timing
    registry = services.registry()
    result = EvalResult()
    quotes_ok, quotes = 0, 0
    for q in gold:
        answer = services.ask(q.question, qid=q.id)
        row: dict[str, Any] = {
            "id": q.id,
            "kind": q.kind,
            "status": answer.status,
            "ms": answer.timings_ms["total"],
            "words": word_count(_MARKER.sub("", answer.answer)),
            "answer": answer.answer,
        }
        if q.answerable:
            row["evidence_hit"] = evidence_hit(q, answer, registry) if q.evidence else None
            row["fact_recall"] = fact_recall(q, answer) if q.facts else None
        verbatim = True
        for c in answer.citations:
            article = services.store.article(c.article_id)
            quotes += 1
            ok = bool(article and article.body[c.start : c.end] == c.quote and c.quote in c.passage)
            quotes_ok += ok
            verbatim &= ok
        row["verbatim"] = verbatim
        result.rows.append(row)
    result.metrics = _aggregate(gold, result.rows, quotes_ok, quotes)
    for kind in dict.fromkeys(q.kind for q in gold):
        pairs = [(q, r) for q, r in zip(gold, result.rows, strict=True) if q.kind == kind]
        verbatim_rows = [bool(r.get("verbatim", True)) for _, r in pairs]
        result.by_kind[kind] = _aggregate(
            [q for q, _ in pairs], [r for _, r in pairs], sum(verbatim_rows), len(verbatim_rows)
        )
    return result


def _aggregate(gold: list[GoldQuestion], rows: list[dict[str, Any]], quotes_ok: int, quotes: int) -> dict[str, float]:
    answerable = [r for q, r in zip(gold, rows, strict=True) if q.answerable]
    unanswerable = [r for q, r in zip(gold, rows, strict=True) if not q.answerable]
    ev = [r["evidence_hit"] for r in answerable if r.get("evidence_hit") is not None]
    facts = [r["fact_recall"] for r in answerable if r.get("fact_recall") is not None]
    times = sorted(r["ms"] for r in rows)
    words = [r["words"] for r in rows if r["status"] == "answered"]
    return {
        "n": float(len(rows)),
        "evidence_hit_rate": sum(ev) / len(ev) if ev else 0.0,
        "fact_recall": statistics.fmean(facts) if facts else 0.0,
        "refused_unanswerable": _share(unanswerable),
        "refused_answerable": _share(answerable),
        "verbatim_quotes": quotes_ok / quotes if quotes else 1.0,
        "median_words": float(statistics.median(words)) if words else 0.0,
        "p50_ms": _percentile(times, 0.50),
        "p95_ms": _percentile(times, 0.95),
    }


def _share(rows: list[dict[str, Any]]) -> float:
    return sum(r["status"] == "insufficient_evidence" for r in rows) / len(rows) if rows else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]
