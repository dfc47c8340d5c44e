"""`yalu ARGS` in a subprocess that starts with the vectors the test session already computed.

Usage: python -m tests.faults.yalu_driver VECTORS_DIR -- ARGS...

The suite's in-process commands share one MiniLM that remembers each text's vector (tests/conftest.py);
a subprocess would compute them all again, which is most of its time. The vectors are the bundled
model's own and deterministic, so starting with them changes no result: texts not among them are
embedded by the real model as ever. Everything else (the CLI, Chroma, the files) is the real thing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np


def remembering(folder: Path) -> None:
    """Make every `minilm` embeddings of this process start with the vectors saved in `folder`."""
    from bot.index import embeddings

    texts = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy")
    known = dict(zip(texts, vectors, strict=True))
    real = embeddings.make_embeddings

    class Remembering(embeddings.MiniLMEmbeddings):
        def embed_array(self, batch: list[str]) -> Any:
            if missing := [t for t in dict.fromkeys(batch) if t not in known]:
                known.update(zip(missing, super().embed_array(missing), strict=True))
            return np.stack([known[t] for t in batch]) if batch else super().embed_array([])

    shared = Remembering()
    embeddings.make_embeddings = lambda spec: shared if spec.strip().lower() in ("minilm", "") else real(spec)  # type: ignore[assignment]


def main() -> int:
    """Install the vectors, then run the CLI."""
    remembering(Path(sys.argv[1]))
    from bot.cli import main as cli

    return cli(sys.argv[sys.argv.index("--") + 1 :])


if __name__ == "__main__":
    sys.exit(main())
