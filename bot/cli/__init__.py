"""The `yalu` command: each subcommand lives in a module of this package that registers its parser.

Every module parses arguments, calls one core operation, and prints (rich for people, --json for machines).
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.cli import accounts, analysis, ask, bench, corpus, discord, evaluation, feeds, summaries

log = logging.getLogger("bot")

# Modules that add subcommands, in the order `yalu --help` lists them.
_MODULES = (ask, summaries, analysis, accounts, corpus, feeds, evaluation, bench, discord)


def build_parser() -> argparse.ArgumentParser:
    """The `yalu` parser with every subcommand registered."""
    p = argparse.ArgumentParser(prog="yalu", description="Cited answers about China-North Korea relations.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    p.add_argument("--version", action=_Version, nargs=0, help="print the installed version and exit")
    sub = p.add_subparsers(dest="command", required=True)
    for module in _MODULES:
        module.register(sub)
    return p


class _Version(argparse.Action):
    """`--version`: looked up only when asked, so other commands do not pay for reading the metadata."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        """Print "yalu X.Y.Z" and exit 0."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("yalu")
        except PackageNotFoundError:  # run from a checkout that was never installed
            found = "(not installed)"
        print(f"{parser.prog} {found}")  # on stdout, as argparse's own version action does
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `yalu` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from bot.cli.common import bug_report, close_opened, failure_line, guard_output

    guard_output()
    code = 1
    try:
        code = int(args.run(args))
        return code
    except Exception as exc:
        line = failure_line(exc)
        print(line or bug_report(exc), file=sys.stderr)  # a bug: its traceback, redacted, is what a report needs
        return code
    except KeyboardInterrupt:
        code = 130
        return code
    finally:
        close_opened()
        if argv is None and args.command in _READ_ONLY:
            _exit_now(code)


# Commands that only read the index: once their answer is printed and the store closed, nothing is left to
# write, and tearing down the interpreter (chromadb's and onnxruntime's modules, threads) costs ~0.2 s of a
# cold answer. Only when run as the `yalu` program (argv from the command line), never when called in-process.
_READ_ONLY = frozenset({"ask", "search"})


def _exit_now(code: int) -> None:
    """Flush what was printed and end the process without the interpreter's shutdown."""
    import os
    from contextlib import suppress

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe (`yalu ask ... | head`): nothing more can reach it
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
