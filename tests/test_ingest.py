"""Ingest is idempotent by content hash, replaces changed articles and never loses good files to bad ones."""

from pathlib import Path
from typing import Any

import numpy as np

from bot.corpus import read_article_file, to_markdown
from bot.index.store import Store
from bot.services import Services

RAW = Path(__file__).resolve().parent / "fixtures" / "raw"


def _chunk_ids(services: Services) -> list[str]:
    return sorted(cid for cid, _, _ in services.store.iter_chunks())


def test_second_ingest_skips_unchanged_articles(services: Services) -> None:
    """Ingesting the same folder twice embeds nothing the second time and keeps the same chunks."""
    first = services.ingest([services.settings.knowledge_dir])
    before = _chunk_ids(services)
    second = services.ingest([services.settings.knowledge_dir])
    assert len(first.added) == 5
    assert second.added == [] and second.updated == [] and len(second.unchanged) == 5
    assert _chunk_ids(services) == before


def test_changed_article_replaces_its_chunks(services: Services) -> None:
    """Editing an article re-indexes it and leaves none of its old chunks behind."""
    services.ingest([services.settings.knowledge_dir])
    path = sorted(services.settings.knowledge_dir.glob("*.md"))[0]
    article = read_article_file(path)
    old_hash = article.content_hash
    path.write_text(to_markdown(article).replace(article.body[:40], article.body[:40] + " (edited)", 1))
    report = services.ingest([path])
    assert report.updated == [article.id]
    assert not [c for c in _chunk_ids(services) if f":{old_hash}:" in c]
    assert services.store.content_hashes([article.id])[article.id] != old_hash


def test_prune_removes_articles_no_longer_in_the_folder(services: Services) -> None:
    """With --prune, an article deleted from the knowledge folder leaves the index."""
    services.ingest([services.settings.knowledge_dir])
    victim = sorted(services.settings.knowledge_dir.glob("*.md"))[0]
    victim_id = read_article_file(victim).id
    victim.unlink()
    report = services.ingest([services.settings.knowledge_dir], prune=True)
    assert report.removed == [victim_id]
    assert services.store.count_articles() == 4
    assert not [c for c in _chunk_ids(services) if c.startswith(victim_id + ":")]


def test_bad_file_is_reported_and_the_rest_indexed(services: Services, tmp_path: Path) -> None:
    """A malformed file gives one error line; the valid files of the same run are indexed."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    good = sorted(services.settings.knowledge_dir.glob("*.md"))[0]
    (folder / good.name).write_text(good.read_text())
    report = services.ingest([folder])
    assert len(report.errors) == 1 and "broken.md" in report.errors[0]
    assert services.store.count_articles() == 1


def test_raw_text_is_saved_into_the_knowledge_folder(services: Services) -> None:
    """A raw .txt from elsewhere is indexed and kept as Markdown, so a rebuild does not lose it."""
    raw = sorted(RAW.glob("*.txt"))[0]
    knowledge = services.settings.knowledge_dir
    for md in knowledge.glob("*.md"):
        md.unlink()
    report = services.ingest([raw])
    assert len(report.added) == 1 and len(report.saved) == 1
    assert report.saved[0].parent == knowledge.resolve()
    rebuilt = services.ingest([knowledge], rebuild=True)
    assert rebuilt.added == report.added


def test_orphan_chunks_of_an_interrupted_ingest_are_pruned(services: Services) -> None:
    """Chunks written without their article record (a crash midway) are removed on the next ingest."""
    services.ingest([services.settings.knowledge_dir])
    article_id = services.store.articles()[0].id
    count = services.store.count_chunks()
    services.store._articles.delete(ids=[article_id])  # simulate a crash before the commit marker
    report = services.ingest([services.settings.knowledge_dir])
    assert report.added == [article_id]
    assert services.store.count_chunks() == count


def _stored_dimensions(collection: Any) -> set[int]:
    got = collection.get(include=["embeddings"])
    return {len(vector) for vector in got["embeddings"]}


def test_no_collection_holds_real_vectors_and_sentence_vectors_are_read_from_chunks(services: Services) -> None:
    """Chroma searches nothing by vector: chunks and registry records hold a 1-d placeholder, no sentence record
    is written, and the sentence vectors dense search reads are those the chunk records carry."""
    services.ingest([services.settings.knowledge_dir])
    store = services.store
    assert store._sentences.count() == 0
    assert _stored_dimensions(store._chunks) == {1} and _stored_dimensions(store._articles) == {1}
    vectors = services.indexes()[1]
    assert vectors.live_rows() == store.count_sentences() > 0
    answer = services.ask("What did Xi write to Kim in September 2023?")
    assert answer.status == "answered" and answer.citations


def test_an_index_written_with_full_chunk_vectors_keeps_taking_articles(services: Services) -> None:
    """Indexes built before the placeholders hold 384-d chunk and registry vectors; new writes match that."""
    knowledge = services.settings.knowledge_dir
    first, *rest = sorted(knowledge.glob("*.md"))
    legacy = Store(services.store.client, services.settings.collection)
    legacy._placeholder = lambda collection: np.eye(1, 384, dtype=np.float32)[0]  # type: ignore[method-assign]
    Services(services.settings, legacy, services.embeddings).ingest([first])

    report = services.ingest(rest)  # a new process on the old index
    assert len(report.added) == 4 and not report.errors
    assert _stored_dimensions(services.store._chunks) == {384}
    assert services.ask("What did Xi write to Kim in September 2023?").citations
