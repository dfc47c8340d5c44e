"""The answer model's report: cross-validated figures per writer, kind and tag, the calibration of the answer
probability (a table and a reliability plot), and the floors the regression test holds the shipped model to."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.answer.fit import summary

_FLOOR_MARGIN = 0.03  # the regression floors sit this far below the shipped model's own figures


def write_report(
    path: Path,
    cv: dict[str, Any],
    calibration: list[dict[str, float]],
    threshold: float,
    training: dict[str, Any],
    picture: Path | None = None,
) -> None:
    """Write docs/answer-model.md (and its reliability plot)."""
    rows = cv["rows"]
    lines = [
        "# The answer model: cross-validated figures",
        "",
        "Written by `python -m bot.train` from the team's own question sets (`eval/own/`, one file per writer).",
        "Every figure below is measured on a writer the model was not fitted on (leave-one-writer-out); within the",
        "training writers the verifier is fitted on the ranker's out-of-fold scores, its L2 penalty and the threshold",
        "chosen on the verifier's out-of-fold probabilities, for at most 10% refused answerable questions. A refusal",
        "counts as no evidence and no facts. The dev set is never read by the fit. The near-miss topics recur across",
        "the first writers' files; `contrasts` pairs new near misses with answerable questions of the same shape, so",
        "its row is the least flattering and the most honest.",
        "",
        "## Held-out figures",
        "",
        "| held-out writer | n | evidence | facts | refused answerable | refused unanswerable | median words |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, m in [*cv["folds"].items(), ("**pooled**", cv["pooled"])]:
        lines.append(_row(name, m))
    lines += ["", "### By kind", "", _HEADER, _RULE]
    for kind in sorted({r["kind"] for r in rows}):
        lines.append(_row(kind, summary([r for r in rows if r["kind"] == kind])))
    lines += ["", "### By tag (a question has several)", "", _HEADER, _RULE]
    for tag in sorted({t for r in rows for t in r.get("tags", ())}):
        lines.append(_row(tag, summary([r for r in rows if tag in r.get("tags", ())])))
    lines += [
        "",
        "## Calibration of the answer probability",
        "",
        f"Out-of-fold probabilities on every question; the shipped threshold is {threshold:.3f}.",
        "",
        "| predicted | n | mean predicted | observed share answerable |",
        "|---|---|---|---|",
    ]
    for b in calibration:
        lines.append(f"| {b['lo']:.1f}–{b['hi']:.1f} | {b['n']} | {b['predicted']:.2f} | {b['observed']:.2f} |")
    if picture is not None:
        _plot(picture, calibration)
        lines += ["", f"![reliability]({picture.name})"]
    lines += [
        "",
        "## The shipped model on its own training questions",
        "",
        "Fitted on all writers; these are training figures (optimistic), kept only as the regression floors of",
        "`tests/test_eval_regression.py`.",
        "",
        _HEADER,
        _RULE,
        _row("all writers", training),
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def floors(training: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The floors (and ceilings) the regression test holds the shipped model to, from its training figures."""
    return {
        "at_least": {
            "evidence_hit_rate": round(training["evidence"] - _FLOOR_MARGIN, 2),
            "fact_recall": round(training["facts"] - _FLOOR_MARGIN, 2),
            "refused_unanswerable": round(training["refused_unanswerable"] - _FLOOR_MARGIN, 2),
        },
        "at_most": {
            "refused_answerable": round(training["refused_answerable"] + _FLOOR_MARGIN, 2),
            "median_words": 90.0,
        },
    }


def write_floors(path: Path, training: dict[str, Any]) -> None:
    """Write eval/own/floors.json."""
    path.write_text(json.dumps(floors(training), indent=1) + "\n", encoding="utf-8")


_HEADER = "| | n | evidence | facts | refused answerable | refused unanswerable | median words |"
_RULE = "|---|---|---|---|---|---|---|"


def _row(name: str, m: dict[str, Any]) -> str:
    return (
        f"| {name} | {m['n']} | {m['evidence']:.2f} | {m['facts']:.2f} | {m['refused_answerable']:.2f} | "
        f"{m['refused_unanswerable']:.2f} | {m['median_words']:.0f} |"
    )


def _plot(path: Path, calibration: Sequence[dict[str, float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=120)
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label="perfectly calibrated")
    xs = [b["predicted"] for b in calibration]
    ys = [b["observed"] for b in calibration]
    sizes = [20 + 3 * b["n"] for b in calibration]
    ax.scatter(xs, ys, s=sizes, color="#1f6feb", zorder=3, label="out-of-fold bins (area = questions)")
    ax.plot(xs, ys, color="#1f6feb", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability that the answer holds")
    ax.set_ylabel("observed share")
    ax.set_title("Answer probability: reliability")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
