"""Shared fixtures: a temp data dir for every test, and one real index of the seed corpus per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import Services, build_services

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = REPO / "knowledge"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def make_settings(data_dir: Path, knowledge_dir: Path, **extra: object) -> Settings:
    """Settings that ignore any developer .env and point every path into the test's folders."""
    return Settings(_env_file=None, YALU_DATA_DIR=data_dir, YALU_KNOWLEDGE_DIR=knowledge_dir, **extra)  # type: ignore[call-arg]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads a developer's .env or writes to their data dir."""
    monkeypatch.setenv("YALU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    for name in ("YALU_KNOWLEDGE_DIR", "YALU_LLM", "CHROMA_HOST", "YALU_EMBEDDINGS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the seed knowledge folder that a test may change."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def services(tmp_path: Path, knowledge_copy: Path) -> Services:
    """Services over an empty store in a temp dir (index not built yet)."""
    return build_services(make_settings(tmp_path / "data", knowledge_copy))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over a real Chroma index of the five seed articles, shared by read-only tests."""
    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    svc = build_services(make_settings(root / "data", root / "knowledge"))
    svc.ensure_index()
    yield svc
