"""`yalu ingest` in this process, SIGKILLed at the N-th store write: the fault tests' deterministic kill points.

Usage: python -m tests.faults.ingest_driver VECTORS_DIR KILL_AT BEFORE|AFTER BATCH -- ARGS...
(KILL_AT 0: never killed). BATCH articles are embedded and stored per batch, so a small corpus has
many batches and many points to be killed at; VECTORS_DIR as for `tests.faults.yalu_driver`.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any


def main() -> int:
    """Arm the kill, then run the CLI."""
    vectors, kill_at, when, batch = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    args = sys.argv[sys.argv.index("--") + 1 :]
    from chromadb.api.models.Collection import Collection

    import bot.ingest.ingestor
    from tests.faults.ingest_helpers import WRITES
    from tests.faults.yalu_driver import remembering

    remembering(vectors)
    bot.ingest.ingestor._EMBED_BATCH_ARTICLES = batch
    count = [0]

    def arm(name: str) -> None:
        method = getattr(Collection, name)

        def killing(self: Any, *a: Any, **kw: Any) -> Any:
            count[0] += 1
            if count[0] == kill_at and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            result = method(self, *a, **kw)
            if count[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        setattr(Collection, name, killing)

    for name in WRITES:
        arm(name)
    from bot.cli import main as cli

    return cli(["ingest", *args])


if __name__ == "__main__":
    sys.exit(main())
