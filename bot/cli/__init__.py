"""The `yalu` command: each subcommand lives in a module of this package that registers its parser.

Every module parses arguments, calls one core operation, and prints (rich for people, --json for machines).
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli import accounts, analysis, ask, bench, corpus, discord, evaluation, summaries

log = logging.getLogger("bot")

# Modules that add subcommands, in the order `yalu --help` lists them.
_MODULES = (ask, summaries, analysis, accounts, corpus, evaluation, bench, discord)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yalu", description="Cited answers about China-North Korea relations.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = p.add_subparsers(dest="command", required=True)
    for module in _MODULES:
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `yalu` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from bot.cli.common import bug_report, failure_line, guard_output

    guard_output()
    try:
        return int(args.run(args))
    except Exception as exc:
        line = failure_line(exc)
        print(line or bug_report(exc), file=sys.stderr)  # a bug: its traceback, redacted, is what a report needs
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
