"""What the ingest and store fault tests share: corpora, a CLI in a subprocess, exact counts and clean references."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.bench.synth import SentencePool, synthetic_articles
from bot.chunking import chunk_sentences, split_sentences
from bot.corpus import Article, read_article_file, to_markdown
from bot.services import Services, build_services
from tests.conftest import KNOWLEDGE, make_settings

REPO = KNOWLEDGE.parent
QUESTIONS = (
    ("What did Xi write to Kim in September 2023?", None),
    ("What treaty anniversary did the leaders mark?", "2021-01-01"),  # a date filter: the named-ids search
    ("What did Kim say about hostile forces?", None),
)
WRITES = ("add", "upsert", "update", "delete")  # the Collection methods that change the store


def seeds() -> list[Article]:
    """The five seed articles."""
    return [read_article_file(p) for p in sorted(KNOWLEDGE.glob("*.md"))]


def synthetic(count: int, seed: int, paragraphs: int = 2) -> list[Article]:
    """`count` short synthetic articles (their first `paragraphs` paragraphs, 2 to 6 sentences) recombined from
    the seeds' sentences, deterministic for a seed: cheap to embed, so a fault test can afford many writes."""
    made = synthetic_articles(SentencePool.from_articles(seeds()), count, seed)
    short = "\n\n".join
    return [replace(a, id=f"s{seed}-{i}", body=short(a.body.split("\n\n")[:paragraphs])) for i, a in enumerate(made)]


def write_articles(folder: Path, articles: Sequence[Article]) -> Path:
    """Write articles as Markdown files named for their ids; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (folder / f"{article.id}.md").write_text(to_markdown(article), encoding="utf-8")
    return folder


def knowledge_with(root: Path, extra: Sequence[Article] = ()) -> Path:
    """A knowledge folder holding the seeds and `extra` articles."""
    folder = root / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return write_articles(folder, extra)


def services_over(data: Path, knowledge: Path) -> Services:
    """Services of a fresh process over a data dir."""
    return build_services(make_settings(data, knowledge))


def env_for(data: Path, knowledge: Path) -> dict[str, str]:
    """The environment of a `yalu` subprocess over these folders (the repo importable, no developer .env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YALU_", "CHROMA_"))}
    return {**env, "YALU_DATA_DIR": str(data), "YALU_KNOWLEDGE_DIR": str(knowledge), "PYTHONPATH": str(REPO)}


def warm(articles: Sequence[Article]) -> None:
    """Have the session's shared MiniLM compute these articles' sentence vectors (saved by `save_vectors`)."""
    from bot.index import embeddings
    from bot.ingest.ingestor import embed_texts

    texts = [a.body[s.start : s.end] for a in articles for s in split_sentences(a.body)]
    embed_texts(embeddings.make_embeddings("minilm"), texts)


def save_vectors(folder: Path) -> Path:
    """Save the vectors this session's shared MiniLM has computed, for subprocesses (`tests.faults.yalu_driver`)."""
    from bot.index import embeddings

    known: dict[str, Any] = getattr(embeddings.make_embeddings("minilm"), "_known", {})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "texts.json").write_text(json.dumps(list(known)), encoding="utf-8")
    np.save(folder / "vectors.npy", np.stack(list(known.values())) if known else np.zeros((0, 384), np.float32))
    return folder


def yalu_command(*args: str, vectors: Path) -> list[str]:
    """The command line of `yalu ARGS` in a subprocess that starts with the session's vectors."""
    return [sys.executable, "-m", "tests.faults.yalu_driver", str(vectors), "--", *args]


def cli(*args: str, data: Path, knowledge: Path, vectors: Path, **popen: Any) -> subprocess.Popen[str]:
    """`yalu ARGS` in a subprocess (started, not awaited); output is piped unless `popen` says otherwise."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    command = yalu_command(*args, vectors=vectors)
    return subprocess.Popen(command, env=env_for(data, knowledge), cwd=data.parent, text=True, **streams)


def expected_counts(articles: Sequence[Article]) -> tuple[int, int]:
    """How many chunks and sentences these articles make (3 sentences a chunk, 1 shared)."""
    spans = [split_sentences(a.body) for a in articles]
    return sum(len(chunk_sentences(s, 3, 1)) for s in spans), sum(len(s) for s in spans)


def folder_articles(folder: Path) -> list[Article]:
    """The articles of a knowledge folder."""
    return [read_article_file(p) for p in sorted(folder.glob("*.md"))]


def assert_exact(services: Services, articles: Sequence[Article]) -> None:
    """The index holds exactly these articles, each version whole, and not one chunk or sentence more."""
    store = services.store
    registry = {a.id: a.content_hash for a in store.articles()}
    assert registry == {a.id: a.content_hash for a in articles}
    assert store.incomplete(list(registry)) == []
    chunks, sentences = expected_counts(articles)
    assert (store.count_chunks(), store.count_sentences()) == (chunks, sentences)
    assert {(m["article_id"], m["content_hash"]) for _, _, m in store.iter_chunks()} == set(registry.items())
    assert store.runs() == [] and not (services.settings.data_dir / "ingest.pending").exists()


def answers(services: Services) -> list[dict[str, Any]]:
    """The answers to the reference questions, as `ask --json` prints them (timings left out)."""
    return [_fingerprint(services.ask(q, since=since)) for q, since in QUESTIONS]


def _fingerprint(answer: Any) -> dict[str, Any]:
    data: dict[str, Any] = answer.to_json()
    data.pop("timings_ms", None)
    return data


def reference(root: Path, steps: Sequence[Sequence[Path]]) -> list[dict[str, Any]]:
    """The answers of a clean index built by ingesting each step's paths in turn, in this process."""
    knowledge = root / "knowledge"
    services = services_over(root / "data", knowledge)
    for paths in steps:
        report = services.ingest(list(paths))
        assert not report.errors
    return answers(services)


@contextmanager
def counting_writes() -> Iterator[list[str]]:
    """Count the store writes made in this process (the names of the Collection methods called)."""
    from chromadb.api.models.Collection import Collection

    calls: list[str] = []
    originals = {name: getattr(Collection, name) for name in WRITES}

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return method(self, *args, **kwargs)

        return counted

    for name, method in originals.items():
        setattr(Collection, name, wrap(name, method))
    try:
        yield calls
    finally:
        for name, method in originals.items():
            setattr(Collection, name, method)


def json_lines(text: str) -> list[Any]:
    """The JSON values printed one per line."""
    return [json.loads(line) for line in text.splitlines() if line.startswith(("{", "["))]
