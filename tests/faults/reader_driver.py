"""A long-lived reader, shaped like the bot: one process asking the reference questions in rounds until told
to stop, printing each round's answers (or errors) as one JSON line.

Usage: python -m tests.faults.reader_driver VECTORS_DIR DATA_DIR KNOWLEDGE_DIR STOP_FILE
(VECTORS_DIR as for `tests.faults.yalu_driver`)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> int:
    """Ask in rounds until STOP_FILE exists, then one final round."""
    from tests.faults.ingest_helpers import answers, services_over
    from tests.faults.yalu_driver import remembering

    vectors, data, knowledge, stop = (Path(a) for a in sys.argv[1:5])
    remembering(vectors)
    services = services_over(data, knowledge)
    final = False
    while True:
        final = stop.exists()
        try:
            line = {"answers": answers(services)}
        except Exception as exc:  # the fault under test: report it, keep reading
            line = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps({**line, "final": final}), flush=True)
        if final:
            return 0
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
