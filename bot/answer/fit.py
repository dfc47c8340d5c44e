"""Fit and cross-validate the answer model on the team's own question sets (`eval/own/*.jsonl`).

Each file is one writer's questions; folds are writers, so every figure is measured on wordings the model
never saw. Within a training part, the verifier is fitted on the ranker's out-of-fold scores and the
threshold is chosen on the verifier's out-of-fold probabilities (validation data, never the part that is
reported). The dev set is never read here.

`python -m bot.train` runs it over the shipped articles and writes model.json and its report.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer.answerer import Analysis, Answerer, Decision
from bot.answer.features import RANKER_FEATURES, VERIFIER_FEATURES, verifier_row
from bot.answer.gold import GoldQuestion, evidence_hit, fact_recall, load_gold, matches_doc, norm
from bot.answer.model import AnswerModel, FloatArray, Logistic
from bot.index.retrieve import Filters
from bot.text import word_count

FALSE_REFUSALS = 0.10  # the most answerable questions the threshold may refuse, on validation data
L2 = 1.0
KEEPS = (0.5, 0.3, 0.2, 0.1, 0.05)  # the shares of the best's probability a further sentence may need
VERIFIER_LABEL = "answerable"  # "best": the best candidate holds gold evidence; "answerable": the corpus answers
VERIFIER_L2S = (1.0, 3.0, 10.0, 30.0, 100.0)  # the verifier's penalties tried; the folds choose one
MODEL_PATH = Path(__file__).with_name("model.json")


@dataclass(frozen=True)
class Example:
    """One gold question, its analysis and which candidates hold its gold evidence."""

    group: str
    gold: GoldQuestion
    analysis: Analysis
    positive: np.ndarray  # bool per candidate


def load_sets(folder: Path) -> list[tuple[str, GoldQuestion]]:
    """Every question of every file in `folder`, with the file's stem as its group."""
    return [(path.stem, q) for path in sorted(folder.glob("*.jsonl")) for q in load_gold(path)]


def analyse(answerer: Answerer, sets: Sequence[tuple[str, GoldQuestion]]) -> list[Example]:
    """Analyse every question once (features do not depend on the weights) and label its candidates."""
    out = []
    for group, q in sets:
        analysis = answerer.analyse(q.question, Filters(), answerer.k)
        out.append(Example(group, q, analysis, _labels(answerer, q, analysis)))
    return out


def _labels(answerer: Answerer, q: GoldQuestion, analysis: Analysis) -> np.ndarray:
    hits = []
    for c in analysis.candidates:
        info = answerer.registry.get(c.article_id)
        text = norm(c.text)
        hits.append(any(matches_doc(e["doc"], info, c.article_id) and norm(e["phrase"]) in text for e in q.evidence))
    return np.array(hits, dtype=bool)


# --- fitting ---------------------------------------------------------------------------------------
def fit_ranker(examples: Sequence[Example]) -> Logistic:
    """The ranker: a softmax over each answerable question's candidates that favours those holding gold evidence."""
    groups = [(e.analysis.matrix, e.positive) for e in examples if e.gold.answerable and e.positive.any()]
    return Logistic.fit_listwise(groups, RANKER_FEATURES, L2)


def _verifier_rows(ranker: Logistic, examples: Sequence[Example]) -> tuple[FloatArray, FloatArray]:
    rows, labels = [], []
    for e in examples:
        logits = ranker.logits(e.analysis.matrix) if len(e.analysis.candidates) else np.zeros(0)
        rows.append(
            verifier_row(e.analysis.features, e.analysis.candidates, e.analysis.matrix, logits, e.analysis.embed)
        )
        best = int(np.argmax(logits)) if len(logits) else -1
        if VERIFIER_LABEL == "answerable":
            labels.append(float(e.gold.answerable))
        else:
            labels.append(float(e.gold.answerable and best >= 0 and bool(e.positive[best])))
    return np.vstack(rows), np.array(labels)


def _out_of_fold(examples: Sequence[Example], fit: Any, predict: Any) -> list[Any]:
    """Predictions for each example from a model fitted on the other folds (writers, or five folds of
    questions when only one writer is there)."""
    folds = _folds(examples)
    out: list[Any] = [None] * len(examples)
    for f in sorted(set(folds)):
        model = fit([e for e, g in zip(examples, folds, strict=True) if g != f])
        for i, g in enumerate(folds):
            if g == f:
                out[i] = predict(model, examples[i])
    return out


def _folds(examples: Sequence[Example]) -> list[str]:
    groups = [e.group for e in examples]
    if len(set(groups)) >= 2:
        return groups
    return [str(i % 5) for i in range(len(examples))]


def fit_model(answerer: Answerer, examples: Sequence[Example]) -> tuple[AnswerModel, dict[str, Any]]:
    """Ranker on all of `examples`; verifier on the ranker's out-of-fold scores; threshold on the verifier's
    out-of-fold probabilities; the keep share on the rankers' out-of-fold answers. Returns the model and the
    validation figures the threshold was chosen on."""

    def verifier_inputs(ranker: Logistic, e: Example) -> tuple[FloatArray, float]:
        rows, labels = _verifier_rows(ranker, [e])
        return rows[0], float(labels[0])

    inner = _out_of_fold(examples, fit_ranker, verifier_inputs)
    rows = np.vstack([r for r, _ in inner])
    labels = np.array([y for _, y in inner])
    groups = np.array(_folds(examples))
    answerable = np.array([e.gold.answerable for e in examples])
    l2, probs = choose_penalty(rows, labels, groups, answerable)
    verifier = Logistic.fit(rows, labels, VERIFIER_FEATURES, l2)
    threshold = choose_threshold(probs, answerable)
    keep = choose_keep(answerer, examples)
    model = AnswerModel(fit_ranker(examples), verifier, threshold, keep)
    validation = {"probs": probs, "labels": labels, "answerable": answerable, "threshold": threshold, "keep": keep}
    return model, validation | {"l2": l2}


def choose_penalty(
    rows: FloatArray, labels: FloatArray, groups: np.ndarray, answerable: np.ndarray
) -> tuple[float, FloatArray]:
    """The verifier's L2 penalty whose out-of-fold probabilities refuse the most unanswerable questions at the
    threshold that refuses at most FALSE_REFUSALS of the answerable ones (ties: the lower log loss), with
    those probabilities."""
    best: tuple[float, float, float, FloatArray] | None = None
    for l2 in VERIFIER_L2S:
        probs = np.zeros(len(rows))
        for g in sorted(set(groups)):
            part = Logistic.fit(rows[groups != g], labels[groups != g], VERIFIER_FEATURES, l2)
            probs[groups == g] = part.proba(rows[groups == g])
        threshold = choose_threshold(probs, answerable)
        refused = float((probs[~answerable] < threshold).mean()) if (~answerable).any() else 0.0
        p = np.clip(probs, 1e-6, 1 - 1e-6)
        loss = -float(np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))
        if best is None or (refused, -loss) > (best[1], -best[2]):
            best = (l2, refused, loss, probs)
    assert best is not None
    return best[0], best[3]


def choose_keep(answerer: Answerer, examples: Sequence[Example]) -> float:
    """The keep share whose answers, composed from out-of-fold rankers, cite gold evidence most often (the
    word budget is the product's, so a lower share only fills it); ties go to the larger share."""
    hits = dict.fromkeys(KEEPS, 0)
    folds = _folds(examples)
    for f in sorted(set(folds)):
        ranker = fit_ranker([e for e, g in zip(examples, folds, strict=True) if g != f])
        for e, g in zip(examples, folds, strict=True):
            if g != f or not e.gold.answerable or not len(e.analysis.candidates):
                continue
            logits = ranker.logits(e.analysis.matrix)
            decision = Decision(logits, 1.0, np.zeros(len(VERIFIER_FEATURES)))
            for keep in KEEPS:  # the decision is given (answer), so the model's verifier is never consulted
                model = AnswerModel(ranker, ranker, 0.0, keep)
                answer = answerer.compose(e.analysis, decision, model)
                hits[keep] += bool(evidence_hit(e.gold, answer, answerer.registry))
    return max(KEEPS, key=lambda k: (hits[k], k))


def choose_threshold(probs: FloatArray, answerable: np.ndarray) -> float:
    """The highest threshold that refuses at most FALSE_REFUSALS of the answerable questions."""
    ans = np.sort(probs[answerable])
    if not len(ans):
        return 0.5
    k = int(np.floor(FALSE_REFUSALS * len(ans)))  # this many answerable questions may fall below
    return float(ans[k]) if k < len(ans) else float(ans[-1])


# --- measuring --------------------------------------------------------------------------------------
def measure(answerer: Answerer, model: AnswerModel, examples: Sequence[Example]) -> dict[str, Any]:
    """The `yalu eval` figures of `model` on `examples`, composing each answer as `yalu ask` would."""
    rows = []
    for e in examples:
        decision = answerer.decide(e.analysis, model)
        answer = answerer.compose(e.analysis, decision, model)
        verbatim = all(
            (a := answerer.article(c.article_id)) is not None and a.body[c.start : c.end] == c.quote
            for c in answer.citations
        )
        rows.append(
            {
                "id": e.gold.id,
                "group": e.group,
                "kind": e.gold.kind,
                "tags": list(e.gold.tags),
                "answerable": e.gold.answerable,
                "answered": answer.status == "answered",
                "evidence": evidence_hit(e.gold, answer, answerer.registry) if e.gold.answerable else None,
                "facts": fact_recall(e.gold, answer) if e.gold.answerable and e.gold.facts else None,
                "words": word_count(answer.answer) if answer.status == "answered" else None,
                "verbatim": verbatim,
                "probability": decision.probability,
            }
        )
    return {"rows": rows, **summary(rows)}


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Evidence, facts, refusals, verbatim quotes and words over measured rows."""
    ans = [r for r in rows if r["answerable"]]
    una = [r for r in rows if not r["answerable"]]
    facts = [r["facts"] for r in ans if r["facts"] is not None]
    words = [r["words"] for r in rows if r["words"] is not None]
    return {
        "n": len(rows),
        "evidence": sum(bool(r["evidence"]) for r in ans) / len(ans) if ans else 0.0,
        "facts": statistics.fmean(facts) if facts else 0.0,
        "refused_answerable": sum(not r["answered"] for r in ans) / len(ans) if ans else 0.0,
        "refused_unanswerable": sum(not r["answered"] for r in una) / len(una) if una else 0.0,
        "verbatim": sum(r["verbatim"] for r in rows) / len(rows) if rows else 1.0,
        "median_words": float(statistics.median(words)) if words else 0.0,
    }


def cross_validate(answerer: Answerer, examples: Sequence[Example]) -> dict[str, Any]:
    """Leave one writer out: fit (with its own inner validation) on the others, measure on the one left out."""
    rows: list[dict[str, Any]] = []
    folds = {}
    for g in sorted({e.group for e in examples}):
        model, _ = fit_model(answerer, [e for e in examples if e.group != g])
        measured = measure(answerer, model, [e for e in examples if e.group == g])
        folds[g] = {k: v for k, v in measured.items() if k != "rows"} | {"threshold": model.threshold}
        rows += measured["rows"]
    return {"folds": folds, "pooled": summary(rows), "rows": rows}


def reliability(probs: FloatArray, labels: FloatArray, bins: int = 5) -> list[dict[str, float]]:
    """Predicted against observed answer rates, in bins of predicted probability."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = []
    for lo, hi in itertools.pairwise(edges):
        inside = (probs >= lo) & ((probs < hi) if hi < 1.0 else (probs <= hi))
        if inside.any():
            out.append(
                {
                    "lo": lo,
                    "hi": hi,
                    "n": int(inside.sum()),
                    "predicted": float(probs[inside].mean()),
                    "observed": float(labels[inside].mean()),
                }
            )
    return out


def placeholder() -> AnswerModel:
    """A model with no weights, for analysing questions before any model is fitted."""

    def zeros(names: tuple[str, ...]) -> Logistic:
        n = len(names)
        return Logistic(names, np.zeros(n), np.ones(n), np.zeros(n), 0.0)

    return AnswerModel(zeros(RANKER_FEATURES), zeros(VERIFIER_FEATURES), 0.5)
