"""The sentence vector files are a cache that heals: damaged, missing, unwritable or half-saved, the answer is the
clean index's, and no reader ever opens a part-written file."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import bot.index.sentence_vectors_file as vector_file
from bot.index.sentence_vectors import SentenceVectors
from bot.services import Services
from tests.faults.edge_helpers import QUESTION, copy_data_dir, services_over

pytestmark = pytest.mark.faults

COLLECTION = "yalu_articles"


def _folder(data: Path) -> Path:
    return data / "vectors" / COLLECTION


def _one(data: Path, suffix: str) -> Path:
    (path,) = _folder(data).glob(f"*{suffix}")
    return path


def _rewritten_columns(path: Path, change: Callable[[dict[str, np.ndarray]], None]) -> None:
    with np.load(path) as saved:
        arrays = {name: saved[name] for name in saved.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    path.write_bytes(buffer.getvalue())


def _manifest(data: Path) -> Path:
    return _folder(data) / vector_file.MANIFEST


DAMAGE: dict[str, Callable[[Path], None]] = {
    "manifest truncated": lambda d: _manifest(d).write_text(_manifest(d).read_text()[:20]),
    "manifest a JSON array": lambda d: _manifest(d).write_text("[1, 2]"),
    "manifest naming a lost segment": lambda d: _one(d, ".rows.npy").unlink(),
    "rows truncated": lambda d: _one(d, ".rows.npy").write_bytes(_one(d, ".rows.npy").read_bytes()[:300]),
    "columns not a zip": lambda d: _one(d, ".columns.npz").write_bytes(b"not an index"),
    "columns that disagree": lambda d: _rewritten_columns(
        _one(d, ".columns.npz"), lambda a: a.update(starts=a["starts"][:-2])
    ),
    "tombstones outside the segment": lambda d: _manifest(d).write_text(
        json.dumps(
            {
                **json.loads(_manifest(d).read_text()),
                "segments": [{"name": _one(d, ".rows.npy").name.split(".")[0], "dead": [10**6]}],
            }
        )
    ),
    "a folder in place of the manifest": lambda d: (_manifest(d).unlink(), _manifest(d).mkdir()),
}


@pytest.fixture
def reference(seeded: Services) -> str:
    """The clean index's answer to QUESTION."""
    return seeded.ask(QUESTION).answer


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_sentence_vectors_are_rebuilt_and_the_answer_unchanged(
    seeded: Services, tmp_path: Path, reference: str, damage: str
) -> None:
    """Whatever is wrong with the files, the vectors are rebuilt from the chunk records: the same answer."""
    data = copy_data_dir(seeded, tmp_path / "data")
    DAMAGE[damage](data)
    assert vector_file.load(_folder(data)) is None
    assert services_over(data, seeded).ask(QUESTION).answer == reference
    if _manifest(data).is_file():  # rebuilt and saved again: the next process loads it
        assert vector_file.load(_folder(data)) is not None


def test_an_unwritable_vectors_folder_costs_a_warning_not_an_answer(
    seeded: Services, tmp_path: Path, reference: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A file where the vectors folder should be: the vectors answer from memory, with a warning."""
    data = copy_data_dir(seeded, tmp_path / "data")
    shutil.rmtree(_folder(data))
    _folder(data).write_text("a file where the vectors folder should be")
    assert services_over(data, seeded).ask(QUESTION).answer == reference
    assert "could not save the sentence vectors" in caplog.text


def test_a_save_that_dies_before_its_manifest_leaves_the_previous_vectors(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while writing a segment, before the manifest: readers load the previous vectors whole, and the
    leftover segment is deleted by a later save once no manifest has named it for the retirement time."""
    data = copy_data_dir(seeded, tmp_path / "data")
    before = vector_file.load(_folder(data))
    assert before is not None
    files = set(_folder(data).iterdir())
    vectors = seeded.answerer.retriever.vectors
    rebuilt = SentenceVectors([replace(s, name="") for s in vectors.segments], vectors.alive)  # as if new

    def die(path: Path, data: object) -> None:
        raise KeyboardInterrupt  # the process killed right before the manifest's rename

    monkeypatch.setattr(vector_file, "atomic_write", die)
    with pytest.raises(KeyboardInterrupt):
        vector_file.save(_folder(data), rebuilt)
    monkeypatch.undo()
    leftovers = set(_folder(data).iterdir()) - files
    assert len(leftovers) == 1  # the new rows file; its columns were never written
    again = vector_file.load(_folder(data))
    assert again is not None and again.articles == before.articles
    monkeypatch.setattr(vector_file, "RETIRE_S", -1.0)
    vector_file.save(_folder(data), again)
    assert not any(p.exists() for p in leftovers)
