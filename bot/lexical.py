"""BM25 over the stored chunks (bm25s), persisted in the data dir and rebuilt only when stale.

Besides the BM25 index it keeps, per chunk, what filtering needs (article id, date range,
outlet), and the corpus's document frequencies for sentence scoring and abstention.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.text import terms

IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass
class ChunkTable:
    """Per-chunk columns used to filter lexical hits without a store round trip."""

    ids: list[str]
    article_ids: list[str]
    lo: IntArray
    hi: IntArray
    outlets: list[str]


class LexicalIndex:
    """A BM25 index of chunk texts plus document frequencies of stemmed terms."""

    def __init__(self, table: ChunkTable, df: Counter[str], retriever: Any, signature: str) -> None:
        """Wrap a built index; use `build` or `load` to make one."""
        self.table = table
        self.df = df
        self.retriever = retriever
        self.signature = signature
        self.n_docs = max(1, len(table.ids))

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, dict[str, Any]]], signature: str) -> LexicalIndex:
        """Index (chunk id, text, metadata) rows."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG to the console
        ids, arts, lo, hi, outlets, corpus = [], [], [], [], [], []
        df: Counter[str] = Counter()
        for chunk_id, text, meta in rows:
            toks = terms(text)
            ids.append(chunk_id)
            arts.append(str(meta["article_id"]))
            lo.append(int(meta["lo"]))
            hi.append(int(meta["hi"]))
            outlets.append(str(meta.get("outlet") or ""))
            corpus.append(toks or ["\u2205"])  # bm25s rejects empty documents
            df.update(set(toks))
        retriever = bm25s.BM25()
        if corpus:
            retriever.index(corpus, show_progress=False)
        table = ChunkTable(ids, arts, np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64), outlets)
        return cls(table, df, retriever if corpus else None, signature)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency of a stemmed term (high for rare terms)."""
        return math.log(1.0 + (self.n_docs - self.df.get(term, 0) + 0.5) / (self.df.get(term, 0) + 0.5))

    def scores(self, query: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        """BM25 score of every chunk for a query (zeros when nothing matches)."""
        toks = [t for t in terms(query) if t in self.df]
        if self.retriever is None or not toks:
            return np.zeros(len(self.table.ids))
        return np.asarray(self.retriever.get_scores(toks), dtype=np.float64)

    def save(self, folder: Path) -> None:
        """Persist the index under `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.retriever is not None:
            self.retriever.save(str(folder / "bm25"))
        t = self.table
        np.savez(folder / "table.npz", lo=t.lo, hi=t.hi)
        meta = {
            "signature": self.signature,
            "ids": t.ids,
            "article_ids": t.article_ids,
            "outlets": t.outlets,
            "df": dict(self.df),
        }
        tmp = folder / "meta.json.tmp"
        tmp.write_text(json.dumps(meta))
        tmp.replace(folder / "meta.json")  # written last: a partial save is never taken as current

    @classmethod
    def load(cls, folder: Path, signature: str) -> LexicalIndex | None:
        """Load a saved index if it matches `signature`; None when absent, stale or unreadable."""
        try:
            meta = json.loads((folder / "meta.json").read_text())
            if meta.get("signature") != signature:
                return None
            arrays = np.load(folder / "table.npz")
            retriever = None
            if meta["ids"]:
                import bm25s

                retriever = bm25s.BM25.load(str(folder / "bm25"))
        except (OSError, ValueError, KeyError):
            return None
        table = ChunkTable(meta["ids"], meta["article_ids"], arrays["lo"], arrays["hi"], meta["outlets"])
        return cls(table, Counter(meta["df"]), retriever, signature)


def registry_signature(pairs: Iterable[tuple[str, str]]) -> str:
    """A fingerprint of the indexed (article id, content hash) pairs."""
    digest = hashlib.sha256()
    for article_id, content_hash in sorted(pairs):
        digest.update(f"{article_id}:{content_hash}\n".encode())
    return digest.hexdigest()[:20]
