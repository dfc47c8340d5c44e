"""Experiment: does the reader pick the gold candidate more often than the fitted ranker, on writers it never saw?

    /tmp/tvenv/bin/python -m scripts.reader.experiment [WRITER ...]

Per held-out writer: top-1 gold by the ranker, by the reader alone (among the ranker's top NEG), and fused
(the ranker's top FUSE_TOP reordered by ranker logit plus reader score), and the AUC of the reader's best
score as an answerable-or-not signal. Results: docs/answer-experiments.md.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from scripts.reader.model import (
    FUSE_TOP,
    LAYERS,
    TUNE,
    Layer,
    Reader,
    questions,
    scores,
    tokenizer,
    train,
    training_items,
)


def main(writers: list[str]) -> None:
    """Train per held-out writer and print its reader and ranker figures."""
    torch.set_num_threads(2)
    torch.manual_seed(0)
    random.seed(0)
    qs = questions()
    tok = tokenizer()
    frozen = [Layer(i).eval() for i in range(LAYERS - TUNE)]
    items = training_items(qs, tok, frozen)
    started = time.time()
    pooled = {"ranker": 0, "reader": 0, "fused": 0, "n": 0}
    for g in writers or sorted({q["group"] for q in qs}):
        reader = train([(q, it) for q, it in zip(qs, items, strict=True) if q["group"] != g and it is not None])
        held = report(
            g, reader, [(q, it) for q, it in zip(qs, items, strict=True) if q["group"] == g and it is not None], started
        )
        pooled = {k: pooled[k] + held[k] for k in pooled}
    n = max(pooled["n"], 1)
    print(
        f"pooled: ranker top-1 {pooled['ranker'] / n:.3f}, reader {pooled['reader'] / n:.3f}, "
        f"fused {pooled['fused'] / n:.3f} (n={pooled['n']})"
    )


def report(writer: str, reader: Reader, data: list[tuple[dict[str, Any], Any]], started: float) -> dict[str, int]:
    """On the held-out writer: how often the top candidate holds gold evidence, by the ranker, by the reader
    (among the ranker's top NEG) and fused (the ranker's top FUSE_TOP reordered by ranker logit plus reader
    score minus "no answer"), and the AUC of the reader's best minus "no answer" as answerable-or-not."""
    hits = {"ranker": 0, "reader": 0, "fused": 0, "n": 0}
    answerable, margin = [], []
    with torch.no_grad():
        for q, item in data:
            s = scores(reader, q, item, item[3]).numpy() - float(reader.null)
            answerable.append(q["answerable"])
            margin.append(float(s.max()))
            if q["answerable"] and q["pos"].any():
                read = item[2][: item[3]]
                fused = [q["rlogit"][i] + s[j] for j, i in enumerate(read[:FUSE_TOP])]
                hits["n"] += 1
                hits["ranker"] += bool(q["pos"][int(np.argmax(q["rlogit"]))])
                hits["reader"] += bool(q["pos"][read[int(np.argmax(s))]])
                hits["fused"] += bool(q["pos"][read[int(np.argmax(fused))]])
    auc = roc_auc_score(answerable, margin) if len(set(answerable)) > 1 else float("nan")
    n = max(hits["n"], 1)
    print(
        f"{writer}: top-1 ranker {hits['ranker'] / n:.3f}, reader {hits['reader'] / n:.3f}, "
        f"fused {hits['fused'] / n:.3f}; AUC {auc:.3f} ({time.time() - started:.0f} s)",
        flush=True,
    )
    return hits


if __name__ == "__main__":
    main(sys.argv[1:])
