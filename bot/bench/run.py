"""Run the benchmark for several corpus sizes, each stage in a fresh process, and gather one row per size."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.bench.table import COLUMNS, SIMULATED_COLUMNS, Column, cell, heading
from bot.errors import BadQuestion, YaluError

# Sizes a caller away from this machine may ask for (`/bench` in Discord): Discord stops waiting for a reply
# after 15 minutes, and the bench holds the core thread while it runs. The terminal has no limit.
REMOTE_LIMITS = {True: 3000, False: 100}  # simulated, real model


@dataclass(frozen=True)
class BenchOptions:
    """What to measure: corpus sizes, where to build them, and how many repetitions."""

    sizes: Sequence[int]
    workdir: Path
    real_dir: Path  # the real articles the synthetic ones are made from
    questions: Sequence[str]
    rounds: int = 3
    cold_runs: int = 3
    ceiling_sample: int = 4000
    seed: int = 7
    keep: bool = False


@dataclass(frozen=True)
class BenchResult:
    """The figures of one benchmark run: a row per size (and a growth row), the machine, which bench it was."""

    rows: list[dict[str, Any]]
    machine: dict[str, Any]
    simulated: bool

    @property
    def columns(self) -> tuple[Column, ...]:
        """The figures this kind of bench reports, as (label, key, format)."""
        return SIMULATED_COLUMNS if self.simulated else COLUMNS

    def headings(self) -> list[str]:
        """One heading per row: "1,000 articles", ..., "growth exponent"."""
        return [heading(row) for row in self.rows]

    def figures(self) -> list[tuple[str, list[str]]]:
        """(label, one formatted cell per row) for every figure, in the table's order."""
        return [(label, [cell(row, key, fmt) for row in self.rows]) for label, key, fmt in self.columns]


def benchmark(options: BenchOptions, simulated: bool) -> BenchResult:
    """The benchmark the CLI's `yalu bench` and the table's `/bench` both run: real-model corpora of
    `options.sizes` articles, or simulated indexes of those sizes (`simulated`)."""
    from bot.bench.measure import machine

    rows = run_simulated(options) if simulated else run_benchmark(options)
    return BenchResult(rows, machine(), simulated)


def check_remote_size(size: int, simulated: bool) -> None:
    """Refuse, in one line, a size too large to answer within Discord's wait (see REMOTE_LIMITS)."""
    limit = REMOTE_LIMITS[simulated]
    if size > limit:
        flag = "--simulate" if simulated else "--articles"
        raise BadQuestion(
            f"{size:,} {'simulated' if simulated else 'real-model'} articles take longer than Discord waits "
            f"(at most {limit:,} here): run `yalu bench {flag} {size}` on the bot's machine"
        )


def run_benchmark(options: BenchOptions) -> list[dict[str, Any]]:
    """One row of figures per corpus size (see `bot.bench.stages` for what each figure means)."""
    from bot.bench.synth import write_corpus
    from bot.ingest.loaders import load_article_file

    real = [load_article_file(p) for p in sorted(options.real_dir.glob("*.md"))]
    rows = []
    for size in options.sizes:
        root = options.workdir / f"n{size}"
        shutil.rmtree(root, ignore_errors=True)
        knowledge, data = root / "knowledge", root / "data"
        write_corpus(real, size, knowledge, options.seed)
        common = ["--data", str(data), "--knowledge", str(knowledge)]
        asked = [a for q in options.questions for a in ("--question", q)]
        row: dict[str, Any] = {"size": size}
        row |= _stage("ceiling", [*common, "--sample", str(options.ceiling_sample)])
        row |= _stage("ingest", common)
        row |= _stage("serve", [*common, "--rounds", str(options.rounds), *asked])
        row |= _stage("cold", [*common, "--runs", str(options.cold_runs), "--question", options.questions[0]])
        row["ceiling_ratio"] = row["texts_per_s"] / row["ceiling_texts_per_s"]
        # The model's own CPU per text over the ingest's (all its threads): the share of the ingest's work
        # that is the model, whatever the other threads left the cores idle or busy.
        row["ceiling_cpu_ratio"] = row["ceiling_cpu_ms_per_text"] / row["cpu_ms_per_text"]
        rows.append(row)
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)
    return rows


def run_simulated(options: BenchOptions) -> list[dict[str, Any]]:
    """One row per size of a simulated index (no model at build time; see `bot.bench.simulate`), and the
    growth exponent of each figure over the sizes measured, in a last row of kind "growth"."""
    from bot.bench.simulate import growth

    rows: list[dict[str, Any]] = []
    for size in options.sizes:
        root = options.workdir / f"sim{size}"
        shutil.rmtree(root, ignore_errors=True)
        knowledge, data = root / "knowledge", root / "data"
        knowledge.mkdir(parents=True)  # empty: the index is written directly, and nothing reads the folder
        common = ["--data", str(data), "--knowledge", str(knowledge)]
        row: dict[str, Any] = {"size": size, "simulated": True}
        build = ["--real", str(options.real_dir), "--articles", str(size), "--seed", str(options.seed)]
        row |= _stage("simulate", [*common, *build])
        row |= _stage("serve-simulated", [*common, "--rounds", str(options.rounds)])
        question = options.questions[0]
        row |= _stage("cold", [*common, "--runs", str(options.cold_runs), "--question", question])
        rows.append(row)
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)
    if len(rows) >= 2:
        keys = [k for k, v in rows[0].items() if isinstance(v, float)]
        exponents = {k: growth(rows, k) for k in keys}
        rows.append({"size": "growth", **{k: v for k, v in exponents.items() if v is not None}})
    return rows


def _stage(stage: str, args: list[str]) -> dict[str, Any]:
    """Run `python -m bot.bench STAGE` and read its JSON; its progress bar goes to our stderr."""
    # -P: the installed package, never a folder named "bot" in the working directory (a data dir can be one)
    command = [sys.executable, "-P", "-m", "bot.bench", stage, *args]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise YaluError(f"benchmark stage {stage!r} failed (exit {done.returncode}); its error is printed above")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
