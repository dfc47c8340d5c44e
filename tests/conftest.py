"""Shared fixtures: a temp data dir for every test, and one real index of the seed corpus per session."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.config import Settings
from bot.index import embeddings
from bot.index.embeddings import MiniLMEmbeddings, TextEmbedder
from bot.services import Services, build_services
from tests.feed_site import Site, serve

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def needs_llm_extra(*modules: str) -> pytest.MarkDecorator:
    """Skip a test whose provider packages (the `llm` extra) are not installed, saying how to install them."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    reason = f'needs the llm extra, pip install -e ".[dev,llm]" ({", ".join(missing)} missing)'
    return pytest.mark.skipif(bool(missing), reason=reason)


def make_settings(data_dir: Path, knowledge_dir: Path, **extra: object) -> Settings:
    """Settings that ignore any developer .env and point every path into the test's folders."""
    return Settings(_env_file=None, YALU_DATA_DIR=data_dir, YALU_KNOWLEDGE_DIR=knowledge_dir, **extra)  # type: ignore[call-arg]


class SharedMiniLM(MiniLMEmbeddings):
    """The bundled model, loaded once for the whole session, keeping each text's vector once computed.

    The suite indexes the same seed sentences again in dozens of tests; the vectors are the model's own
    and deterministic, so remembering them changes no result, only the time (about half the suite's).
    """

    def __init__(self) -> None:
        super().__init__()
        self._known: dict[str, np.ndarray] = {}

    def embed_array(self, texts: list[str]) -> Any:
        """The model's vectors for `texts`, computing only those of texts not seen before."""
        if missing := [t for t in dict.fromkeys(texts) if t not in self._known]:
            self._known.update(zip(missing, super().embed_array(missing), strict=True))
        return np.stack([self._known[t] for t in texts]) if texts else super().embed_array([])


@pytest.fixture(scope="session", autouse=True)
def _one_minilm() -> Iterator[None]:
    """Every Services built in this process (build_services, `yalu` run in-process) shares one SharedMiniLM."""
    shared = SharedMiniLM()

    def make(spec: str) -> TextEmbedder:
        return shared if spec.strip().lower() in ("minilm", "") else real(spec)

    real = embeddings.make_embeddings
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embeddings, "make_embeddings", make)
        yield


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads a developer's .env (here or in the config dir) or writes to their data dir."""
    monkeypatch.setenv("YALU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    for name in ("YALU_KNOWLEDGE_DIR", "YALU_LLM", "CHROMA_HOST", "YALU_EMBEDDINGS"):
        monkeypatch.delenv(name, raising=False)


def _chroma_systems() -> dict[str, Any]:
    """chromadb's live systems in this process (one per store folder, one per HTTP client), by identifier."""
    from chromadb.api.shared_system_client import SharedSystemClient

    return SharedSystemClient._identifier_to_system


def stop_chroma(identifiers: Iterable[str]) -> None:
    """Stop these chromadb systems: their SQLite files, HNSW files, runtime threads and HTTP connections close."""
    from chromadb.api.shared_system_client import SharedSystemClient

    for identifier in list(identifiers):
        system = SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
        if system is not None:
            system.stop()


@pytest.fixture(autouse=True)
def _close_test_stores(tmp_path: Path) -> Iterator[None]:
    """A test's Chroma stores are closed when it ends: those kept in its tmp_path and HTTP clients it made.

    Stores of module- and session-scoped fixtures live elsewhere (tmp_path_factory) and are closed by
    their fixtures; stores a test opens through `yalu` are closed by the command itself.
    """
    before = set(_chroma_systems())
    yield
    inside = str(tmp_path)
    stop_chroma(
        identifier
        for identifier in _chroma_systems()
        if identifier.startswith(inside) or (identifier not in before and not identifier.startswith("/"))
    )


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the seed knowledge folder that a test may change."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def services(tmp_path: Path, knowledge_copy: Path) -> Iterator[Services]:
    """Services over an empty store in a temp dir (index not built yet)."""
    svc = build_services(make_settings(tmp_path / "data", knowledge_copy))
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over a real Chroma index of the five seed articles, shared by read-only tests."""
    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    svc = build_services(make_settings(root / "data", root / "knowledge"))
    svc.ensure_index()
    yield svc
    svc.close()


def _open_resources() -> tuple[int, int]:
    """(open file descriptors, live threads) of this process."""
    import os
    import threading

    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else -1
    return fds, threading.active_count()


_AT_START: dict[str, int] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note what is open before any test runs, to compare with the end."""
    _AT_START["fds"], _AT_START["threads"] = _open_resources()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line: files and threads still open after the last test, against the count before the first."""
    import gc

    gc.collect()
    fds, threads = _open_resources()
    terminalreporter.write_line(
        f"open at the end: {fds} file descriptors (at start {_AT_START.get('fds')}), "
        f"{threads} threads (at start {_AT_START.get('threads')}), {len(_chroma_systems())} Chroma stores"
    )


@pytest.fixture
def site() -> Iterator[Site]:
    """The fixture feeds and pages on 127.0.0.1 (tests/feed_site.py)."""
    with serve() as running:
        yield running
