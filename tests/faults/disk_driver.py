"""Disk faults in a mount namespace of their own: run inside `unshare --user --map-root-user --mount`, it mounts a
small tmpfs (or a read-only bind) where the test says, runs `yalu` commands in this process and prints, as one
JSON object, what each printed and what the index then holds.

Usage: python -m tests.faults.disk_driver VECTORS_DIR SCENARIO DATA_DIR KNOWLEDGE_DIR INCOMING
(VECTORS_DIR as for `tests.faults.yalu_driver`)
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any


def _yalu(*args: str) -> dict[str, Any]:
    """`yalu ARGS` in this process: its exit code and the lines it printed."""
    from bot.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    lines = lambda text: [line for line in text.splitlines() if line.strip()]  # noqa: E731
    return {"rc": code, "out": lines(out.getvalue()), "err": lines(err.getvalue())}


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def _fill(path: Path) -> None:
    """Write to `path` until its file system has no room left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def _state(data: Path, knowledge: Path) -> dict[str, Any]:
    from tests.faults.ingest_helpers import answers, services_over

    services = services_over(data, knowledge)
    store = services.store
    ids = sorted(a.id for a in store.articles())
    return {
        "ids": ids,
        "incomplete": store.incomplete(ids),
        "chunks": store.count_chunks(),
        "sentences": store.count_sentences(),
        "knowledge": sorted(p.name for p in knowledge.iterdir() if p.name != ".filler"),  # a partial copy shows
        "answers": answers(services),
    }


def main() -> int:
    """Run one scenario and print its outcome."""
    from tests.faults.yalu_driver import remembering

    remembering(Path(sys.argv[1]))
    scenario, data, knowledge, incoming = sys.argv[2], *(Path(a) for a in sys.argv[3:6])
    steps = []
    if scenario == "data-full":  # the data dir fills up during the first ingest, then space is freed
        _mount("-t", "tmpfs", "-o", "size=600k", "tmpfs", str(data))
        steps.append(_yalu("ingest"))
        _mount("-o", "remount,size=64m", str(data))
        steps.append(_yalu("ingest"))
    elif scenario == "knowledge-read-only":  # a page from elsewhere cannot be saved into knowledge/
        _mount("--bind", str(knowledge), str(knowledge))
        _mount("-o", "remount,bind,ro", str(knowledge))
        steps.append(_yalu("ingest", str(incoming)))
        steps.append(_yalu("ingest"))
    elif scenario == "knowledge-full":  # knowledge/ has no room for the page's copy
        _mount("-t", "tmpfs", "-o", "size=48k", "tmpfs", str(knowledge))
        from tests.conftest import KNOWLEDGE

        for path in sorted(KNOWLEDGE.glob("*.md")):
            (knowledge / path.name).write_bytes(path.read_bytes())
        _fill(knowledge / ".filler")  # hidden: no ingest reads it
        steps.append(_yalu("ingest", str(incoming)))
        steps.append(_yalu("ingest"))
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    print(json.dumps({"steps": steps, **_state(data, knowledge)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
