"""The benchmark's synthetic corpus is deterministic and varied, and `yalu bench` reports every figure."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.bench.synth import SentencePool, synthetic_articles, write_corpus
from bot.chunking import split_sentences
from bot.cli import main
from bot.corpus import Article
from bot.ingest.loaders import load_article_file
from bot.services import Services
from tests.conftest import KNOWLEDGE


def _real() -> list[Article]:
    return [load_article_file(p) for p in sorted(KNOWLEDGE.glob("*.md"))]


def test_same_seed_gives_the_same_corpus() -> None:
    """Two runs with one seed write identical articles; another seed writes different ones."""
    pool = SentencePool.from_articles(_real())
    first = [a.body for a in synthetic_articles(pool, 20, seed=1)]
    assert first == [a.body for a in synthetic_articles(pool, 20, seed=1)]
    assert first != [a.body for a in synthetic_articles(pool, 20, seed=2)]


def test_synthetic_sentences_are_not_copies_of_the_real_ones() -> None:
    """Recombined and perturbed sentences are nearly all distinct, so vectors and BM25 are not degenerate."""
    pool = SentencePool.from_articles(_real())
    real = {s for group in pool.sentences for s in group}
    sentences = [s.text(a.body) for a in synthetic_articles(pool, 50) for s in split_sentences(a.body)]
    assert len(set(sentences)) > 0.9 * len(sentences)
    assert len(real & set(sentences)) < 0.1 * len(sentences)


def test_corpus_keeps_the_real_articles_and_varies_dates_and_outlets(tmp_path: Path) -> None:
    """A corpus of N holds the five real articles plus N-5 synthetic ones with varied dates and outlets."""
    assert write_corpus(_real(), 40, tmp_path, seed=3) == 40
    articles = [load_article_file(p) for p in sorted(tmp_path.glob("*.md"))]
    assert {a.id for a in _real()} <= {a.id for a in articles}
    synthetic = [a for a in articles if a.id.startswith("synth-")]
    assert len(synthetic) == 35
    assert len({a.outlet for a in synthetic}) > 5 and len({a.published for a in synthetic}) > 30


def test_bench_command_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu bench --json` on a small corpus reports ingest, ceiling, latency, memory, size and cold start."""
    table = tmp_path / "bench.md"
    code = main(["bench", "--articles", "12", "--rounds", "1", "--json", "--markdown", str(table)])
    out = json.loads(capsys.readouterr().out)
    row = out["rows"][0]
    assert code == 0 and row["articles"] == 12 and row["errors"] == 0
    figures = ("texts_per_s", "ceiling_texts_per_s", "ceiling_ratio", "ask_p95_ms", "search_p95_ms", "recipe_cpu_ms")
    for key in (*figures, "cpu_ms_per_text", "ceiling_cpu_ms_per_text", "serve_peak_mb", "index_mb", "cold_start_s"):
        assert row[key] > 0, key
    assert row["ask_over_recipe"] == pytest.approx(row["ask_cpu_ms"] / row["recipe_cpu_ms"])
    assert row["ceiling_cpu_ratio"] == pytest.approx(row["ceiling_cpu_ms_per_text"] / row["cpu_ms_per_text"])
    assert row["recipe_chunks"] > 12  # the recipe's 1,000-character chunks of the same articles
    assert out["machine"]["cores"] >= 1
    assert "| 12 |" in table.read_text()


async def test_loop_lag_benchmark_answers_every_ask_and_reports_the_lag(seeded: Services, tmp_path: Path) -> None:
    """`python -m benchmarks.loop_lag` drives simultaneous /ask through the bot and samples the loop throughout."""
    from benchmarks.loop_lag import measure

    result = await measure(seeded, tmp_path / "bot", asks=6, rest_s=0.1)
    assert result["answered"] == 6
    assert result["ticks"] > 0  # the heartbeat kept running while the asks were answered
    assert set(result["busy"]) == set(result["rest"]) == {"p50_ms", "p99_ms", "max_ms"}


def test_pseudo_vectors_are_unit_deterministic_and_distinct() -> None:
    """Each sentence's pseudo-embedding is a unit vector that depends on its text alone."""
    from bot.bench.simulate import DIMENSION, pseudo_vectors

    texts = ["Xi wrote to Kim.", "Kim replied to Xi.", "Xi wrote to Kim."]
    vectors = pseudo_vectors(texts)
    assert vectors.shape == (3, DIMENSION)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-5
    assert (vectors[0] == vectors[2]).all() and (pseudo_vectors(texts[:1]) == vectors[:1]).all()
    assert float(vectors[0] @ vectors[1]) < 0.9


def test_simulated_articles_carry_the_spans_of_their_sentences() -> None:
    """The spans the simulated index stores are the sentences the body was assembled from, verbatim."""
    from bot.bench.synth import synthetic_split

    pool = SentencePool.from_articles(_real())
    for article, spans in synthetic_split(pool, 10):
        assert spans and all(s.text(article.body) == s.text(article.body).strip() != "" for s in spans)
        assert " ".join(s.text(article.body) for s in spans).split() == article.body.split()


def test_growth_exponent_is_the_log_log_slope() -> None:
    """A figure that grows as N^0.5 over the sizes measured has exponent 0.5; one size gives none."""
    from bot.bench.simulate import growth

    rows = [{"articles": n, "ms": 3 * n**0.5} for n in (100, 1000, 10000)]
    assert abs((growth(rows, "ms") or 0) - 0.5) < 1e-9
    assert growth(rows[:1], "ms") is None


def test_simulated_bench_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`yalu bench --simulate N --json` builds an index without the model and times each kind of question."""
    code = main(["bench", "--simulate", "9", "--rounds", "1", "--json", "--workdir", str(tmp_path)])
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert code == 0 and row["articles"] == 9 and row["sentences"] > 9 * 7
    kinds = ("plain", "month", "year", "outlet")
    for key in ("build_s", "index_mb", "serve_peak_mb", "cold_start_s", *(f"{k}_p95_ms" for k in kinds)):
        assert row[key] > 0, key


def test_recipe_chunks_are_a_thousand_characters_overlapping_by_two_hundred() -> None:
    """The peer's chunks cover the body in 1,000-character windows, each starting 800 after the last."""
    from bot.bench.recipe import windows

    assert windows(2500) == [(0, 1000), (800, 1800), (1600, 2500)]
    assert windows(300) == [(0, 300)]


def test_recipe_vectors_are_unit_means_of_the_sentences_each_chunk_overlaps(seeded: Services) -> None:
    """Each recipe chunk of the seed articles gets one unit vector and the verbatim text of its sentences."""
    from bot.bench.recipe import recipe_vectors

    texts, vectors = recipe_vectors(seeded.store.iter_chunks())
    assert len(texts) == len(vectors) > 5
    assert abs(float(np.linalg.norm(vectors, axis=1).min()) - 1.0) < 1e-5
    bodies = [load_article_file(p).body for p in sorted(KNOWLEDGE.glob("*.md"))]
    first_sentence = texts[0].split(". ")[0]
    assert any(first_sentence in body for body in bodies)
