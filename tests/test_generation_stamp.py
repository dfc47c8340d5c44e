"""The generation stamp: a reader skips the store's token read while the stamp is unchanged, and never keeps a
token the store no longer holds (another writer's change, an older Yalu's write, a writer that died midway)."""

from __future__ import annotations

from pathlib import Path

from bot.index.generation_stamp import GenerationStamp


class Tokens:
    """The store's token, counting how often it is read."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.reads = 0

    def __call__(self) -> str | None:
        self.reads += 1
        return self.token


def test_an_unchanged_stamp_spares_the_store_read(tmp_path: Path) -> None:
    """Once the stamp names the store's token, later questions read the file's identity only."""
    store = Tokens("a")
    GenerationStamp(tmp_path / "stamp").write("a")
    reader = GenerationStamp(tmp_path / "stamp")
    assert [reader.read(store) for _ in range(5)] == ["a"] * 5
    assert store.reads == 1


def _reader_mid_change(tmp_path: Path) -> tuple[Tokens, GenerationStamp, GenerationStamp]:
    """A reader that cached token "a" from the stamp, and a writer that has since cleared the stamp and changed
    the store's token to "b"."""
    store = Tokens("a")
    writer, reader = GenerationStamp(tmp_path / "stamp"), GenerationStamp(tmp_path / "stamp")
    writer.write("a")
    assert reader.read(store) == "a"
    writer.clear()
    store.token = "b"
    return store, writer, reader


def test_another_writers_change_is_read_at_the_next_question(tmp_path: Path) -> None:
    """A writer clears the stamp, changes the token, writes the stamp: a reader holding the old token reads the
    new one next time."""
    store, writer, reader = _reader_mid_change(tmp_path)
    writer.write("b")
    assert reader.read(store) == "b" and reader.read(store) == "b"
    assert store.reads == 2


def test_a_writer_that_died_between_token_and_stamp_is_seen(tmp_path: Path) -> None:
    """The stamp is removed before the token changes, so a writer dying in between leaves no stamp: the next
    question asks the store and reads the new token."""
    store, _, reader = _reader_mid_change(tmp_path)  # and the writer dies here
    assert reader.read(store) == "b" and reader.read(store) == "b"
    assert store.reads == 3


def test_a_stamp_naming_another_token_is_not_trusted(tmp_path: Path) -> None:
    """An index written by a Yalu that kept no stamp (the stamp names an older token): the store is asked at
    every question."""
    store = Tokens("b")
    GenerationStamp(tmp_path / "stamp").write("a")
    reader = GenerationStamp(tmp_path / "stamp")
    assert [reader.read(store) for _ in range(3)] == ["b"] * 3
    assert store.reads == 3


def test_an_index_from_before_stamps_gets_one_at_its_first_question(tmp_path: Path) -> None:
    """No stamp yet (an index written before stamps were kept): the first question writes it, and from the one
    after on the stamp spares the store read."""
    store = Tokens("a")
    reader = GenerationStamp(tmp_path / "stamp")
    assert [reader.read(store) for _ in range(4)] == ["a"] * 4
    assert (tmp_path / "stamp").read_text(encoding="utf-8") == "a" and store.reads == 2


def test_an_index_without_a_token_is_asked_every_time(tmp_path: Path) -> None:
    """No token in the store (an empty or old index): nothing is cached, even without a stamp file."""
    store = Tokens(None)
    reader = GenerationStamp(tmp_path / "stamp")
    assert [reader.read(store) for _ in range(3)] == [None] * 3
    assert store.reads == 3
