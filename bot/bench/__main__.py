"""`python -m bot.bench STAGE ...`: run one benchmark stage in this process and print its figures as JSON."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from bot.bench import stages


def main() -> None:
    """Parse the stage's arguments, run it, print one JSON object on stdout."""
    p = argparse.ArgumentParser(prog="python -m bot.bench")
    p.add_argument("stage", choices=["ingest", "ceiling", "serve", "cold", "simulate", "serve-simulated"])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--knowledge", type=Path, required=True)
    p.add_argument("--sample", type=int, default=4000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--question", action="append", default=[])
    p.add_argument("--real", type=Path, help="simulate: the real articles the synthetic ones are made from")
    p.add_argument("--articles", type=int, default=0, help="simulate: how many articles")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    match args.stage:
        case "ingest":
            result = stages.ingest(args.data, args.knowledge)
        case "ceiling":
            result = stages.ceiling(args.knowledge, args.sample)
        case "simulate":
            from bot.bench import simulate

            result = simulate.build(args.data, args.knowledge, args.real, args.articles, args.seed)
        case "serve-simulated":
            from bot.bench import simulate
            from bot.bench.questions import SIMULATED

            result = simulate.serve(args.data, args.knowledge, SIMULATED, args.rounds)
        case "serve":
            result = stages.serve(args.data, args.knowledge, args.question, args.rounds)
        case _:
            result = stages.cold_start(args.data, args.knowledge, args.question[0], args.runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
