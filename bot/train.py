"""`python -m bot.train`: refit the answer model on the team's own question sets and write its report.

It cross-validates by writer, fits on every own question, and writes `bot/answer/model.json`,
`docs/answer-model.md` (with its reliability plot) and `eval/own/floors.json`. It builds a scratch
index of the knowledge folder through the services, which is why it sits here, above them, and not
in `bot/answer/`, which the services use. The dev set is never read.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot.answer.answerer import Answerer
from bot.answer.fit import (
    MODEL_PATH,
    analyse,
    cross_validate,
    fit_model,
    load_sets,
    measure,
    placeholder,
    reliability,
)
from bot.answer.model import AnswerModel
from bot.answer.report import write_floors, write_report
from bot.config import Settings
from bot.services import build_services


@contextlib.contextmanager
def scratch_answerer(knowledge: Path) -> Iterator[Answerer]:
    """An answerer with no weights over a scratch index of `knowledge`, for analysing the own questions
    before any model is fitted (the index is deleted afterwards)."""
    with tempfile.TemporaryDirectory(prefix="yalu-fit-") as data:
        settings = Settings(_env_file=None, YALU_DATA_DIR=Path(data), YALU_KNOWLEDGE_DIR=knowledge)
        services = build_services(settings)
        services.ensure_index()
        base = services.answerer
        yield Answerer(
            base.store,
            base.retriever,
            settings.answer_words,
            settings.max_question_chars,
            placeholder(),
            embed_documents=services.embeddings.embed_documents,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Cross-validate, then fit the shipped model on every own question and write it with its report."""
    parser = argparse.ArgumentParser(prog="python -m bot.train")
    parser.add_argument("--sets", type=Path, default=Path("eval/own"))
    parser.add_argument("--knowledge", type=Path, default=Path("knowledge"))
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--report", type=Path, default=Path("docs/answer-model.md"))
    args = parser.parse_args(argv)
    with scratch_answerer(args.knowledge) as answerer:
        examples = analyse(answerer, load_sets(args.sets))
        cv = cross_validate(answerer, examples)
        fitted, validation = fit_model(answerer, examples)
        training = measure(answerer, fitted, examples)
        about = {"questions": len(examples), "writers": sorted({e.group for e in examples}), "held_out": cv["pooled"]}
        model = AnswerModel(fitted.ranker, fitted.verifier, fitted.threshold, fitted.keep, about)
        model.save(args.out)
        calibration = reliability(validation["probs"], validation["labels"])
        write_report(args.report, cv, calibration, model.threshold, training, args.report.with_suffix(".png"))
        write_floors(args.sets / "floors.json", training)
    print(json.dumps({"held_out": cv["pooled"], "threshold": model.threshold}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
