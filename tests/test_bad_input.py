"""Bad input gets one clear error and loses nothing: after each, the index is what it was plus only what was valid."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.errors import BadQuestion
from bot.services import Services, build_services
from tests.conftest import KNOWLEDGE, make_settings
from tests.test_loaders import PAGE, PAGE_CHROME, PARAGRAPHS

SEED = KNOWLEDGE / "2021-07-12-n-korea-china-leaders-exchange-personal-letters.md"
QUESTION = "What did Xi write to Kim in September 2023?"
UNDATED = """---
title: Dandong traders wait for the bridge to open
outlet: Test Wire
---

Traders in Dandong said on Tuesday that they were still waiting for the new bridge over the Yalu River to open.
"""
Snapshot = tuple[dict[str, str], int]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """A real index of the five seeds that this module's ingests add to (each test compares before and after)."""
    root = tmp_path_factory.mktemp("bad-input")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    svc = build_services(make_settings(root / "data", root / "knowledge"))
    svc.ensure_index()
    yield svc
    svc.close()


def snapshot(svc: Services) -> Snapshot:
    """Every indexed article's content hash, and the number of stored chunks."""
    return {a.id: a.content_hash for a in svc.store.articles()}, svc.store.count_chunks()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """An article file in `folder` (bytes written as they are)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def seed_body() -> str:
    """The body of one seed article, as its file has it."""
    return SEED.read_text(encoding="utf-8").split("\n---\n", 1)[1]


BAD_FILES: dict[str, str | bytes] = {
    "latin1.md": "---\ntitle: Caf\xe9 diplomacy in Dandong\n---\n\nKim met Xi in the caf\xe9.\n".encode("latin-1"),
    "cp1252.txt": "Kim\u2019s letter to Xi\n\nKim wrote to Xi on Sunday.\n".encode("cp1252"),
    "empty.md": "---\ntitle: An empty article\npublished: 2024-01-02\n---\n\n   \n",
    "empty.txt": "",
    "unclosed.md": "---\ntitle: [unclosed\npublished: 2021-07-12\n---\n\nBody text.\n",
    "list.md": "---\n- title\n- published\n---\n\nBody text.\n",
    "baddate.md": "---\ntitle: A title\npublished: 2021-13-45\n---\n\nBody text.\n",
    "nofront.md": "Just a body with no front matter at all.\n",
    "escape.md": "---\ntitle: Escape\nid: ../../outside\n---\n\nBody text that must not be written outside.\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_one_error_and_changes_nothing(indexed: Services, tmp_path: Path, name: str) -> None:
    """Non-UTF-8, empty, malformed or unsafe files give one error line naming the file; the index is unchanged."""
    before = snapshot(indexed)
    report = indexed.ingest([write(tmp_path / "in", name, BAD_FILES[name])])
    assert len(report.errors) == 1 and name in report.errors[0] and not report.saved
    assert snapshot(indexed) == before
    assert not (tmp_path / "outside.md").exists() and not (tmp_path.parent / "outside.md").exists()


def test_a_folder_of_good_and_bad_files_adds_only_the_good_ones(indexed: Services, tmp_path: Path) -> None:
    """One ingest of every bad file and two good ones: exactly the two good articles are added."""
    before = snapshot(indexed)
    folder = tmp_path / "mixed"
    for name, content in BAD_FILES.items():
        write(folder, name, content)
    write(folder, "undated.md", UNDATED)
    write(folder, "page.html", PAGE)
    report = indexed.ingest([folder])
    assert len(report.errors) == len(BAD_FILES) and len(report.added) == 2
    after, _ = snapshot(indexed)
    assert {k: v for k, v in after.items() if k in before[0]} == before[0] and set(after) - set(before[0]) == set(
        report.added
    )
    for article_id in report.added:
        assert indexed.delete(article_id)  # leave the shared index as it was
    assert snapshot(indexed) == before


def test_an_article_without_a_date_is_indexed_as_undated(indexed: Services, tmp_path: Path) -> None:
    """No date is not an error: the article goes in undated, never with an invented date, and nothing else changes."""
    before = snapshot(indexed)
    report = indexed.ingest([write(tmp_path, "undated.md", UNDATED)])
    (added,) = report.added
    info = indexed.registry()[added]
    assert info.published is None and added.startswith("undated-") and report.errors == []
    assert {k: v for k, v in snapshot(indexed)[0].items() if k != added} == before[0]
    assert indexed.delete(added) and snapshot(indexed) == before


def test_html_with_scripts_and_trackers_is_indexed_clean(indexed: Services, tmp_path: Path) -> None:
    """A page with scripts, a tracking pixel, nav and footer is indexed with its paragraphs only."""
    before = snapshot(indexed)
    (added,) = indexed.ingest([write(tmp_path, "page.html", PAGE)]).added
    article = indexed.store.article(added)
    assert article is not None and article.body.split("\n\n") == PARAGRAPHS
    assert [s for s in PAGE_CHROME if s in article.body] == []
    assert indexed.delete(added) and snapshot(indexed) == before


def test_the_same_article_under_another_name_is_reported_not_indexed_twice(indexed: Services, tmp_path: Path) -> None:
    """A seed's text under a new title and file name is detected by content, reported, and neither saved nor indexed."""
    before = snapshot(indexed)
    copy = f"---\ntitle: Kim and Xi trade letters on treaty anniversary\noutlet: Another Wire\n---\n{seed_body()}"
    report = indexed.ingest([write(tmp_path, "repost.md", copy)])
    assert report.added == [] and report.saved == [] and len(report.errors) == 1
    assert "repost.md" in report.errors[0] and SEED.stem in report.errors[0] and "same text" in report.errors[0]
    assert snapshot(indexed) == before


def test_a_lightly_edited_copy_is_still_a_duplicate(indexed: Services, tmp_path: Path) -> None:
    """A copy with a caption line added and its quote marks retyped is still recognised by content."""
    before = snapshot(indexed)
    body = seed_body().replace("\u201c", '"').replace("\u201d", '"') + "\n\nPhoto: Rodong Sinmun (Yonhap)\n"
    report = indexed.ingest([write(tmp_path, "retyped.md", f"---\ntitle: Letters again\n---\n{body}")])
    assert report.added == [] and "same text" in report.errors[0]
    assert snapshot(indexed) == before


def test_two_copies_in_one_batch_index_one(indexed: Services, tmp_path: Path) -> None:
    """Two files with the same new text in one ingest: the first is added, the second reported."""
    before = snapshot(indexed)
    other = UNDATED.replace("title: Dandong traders wait", "title: Traders in Dandong wait")
    report = indexed.ingest([write(tmp_path, "a.md", UNDATED), write(tmp_path, "b.md", other)])
    assert len(report.added) == 1 and len(report.errors) == 1 and "b.md" in report.errors[0]
    assert indexed.delete(report.added[0]) and snapshot(indexed) == before


def test_an_update_of_an_indexed_article_is_not_a_duplicate(indexed: Services, tmp_path: Path) -> None:
    """The same id with a corrected body is an update (compared by id first), not a near-duplicate."""
    original = SEED.read_text(encoding="utf-8")
    report = indexed.ingest([write(tmp_path, SEED.name, original.replace("Sunday", "Sunday morning", 1))])
    assert report.updated == [SEED.stem] and report.errors == []
    assert indexed.ingest([write(tmp_path / "back", SEED.name, original)]).updated == [SEED.stem]


@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x01\x7f"])
def test_an_empty_question_is_one_error_and_changes_nothing(seeded: Services, question: str) -> None:
    """Empty, whitespace or control-only questions are refused with one line that says how to ask."""
    before = snapshot(seeded)
    with pytest.raises(BadQuestion, match="empty"):
        seeded.ask(question)
    assert snapshot(seeded) == before


def test_control_characters_in_a_question_are_ignored(seeded: Services) -> None:
    """NUL, bell and escape characters inside a question are dropped: the answer is that of the clean question."""
    dirty = "What did Xi\x00 write\x07 to Kim\x1b in September\r\n 2023?"
    assert seeded.ask(dirty).answer == seeded.ask(QUESTION).answer


def test_a_20000_character_question_is_capped_and_answered_with_a_notice(seeded: Services) -> None:
    """A question over YALU_MAX_QUESTION_CHARS is read up to the limit and answered, with a notice saying so."""
    question = QUESTION + " " + "Please be thorough and cite every source you can find. " * 370
    assert len(question) > 20_000
    answer = seeded.ask(question)
    assert len(answer.question) <= seeded.settings.max_question_chars and answer.question.startswith(QUESTION)
    assert answer.notice and "characters long" in answer.notice and "2,000" in answer.notice
    assert answer.to_json()["notice"] == answer.notice


def test_the_cli_answers_a_capped_question_with_its_notice(
    knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu ask --json` with a 20,000-character question exits 0 and carries the notice."""
    import json

    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(knowledge_copy))
    assert main(["ask", "--json", QUESTION + " x" * 10_000]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "only its first 2,000 were read" in data["notice"]


def test_duplicate_check_reads_stored_signatures_not_bodies(services: Services, tmp_path: Path) -> None:
    """Adding an article to an indexed corpus compares MinHash signatures kept in the registry: no body is read."""
    services.ingest([services.settings.knowledge_dir])
    reads: list[str] = []
    original = services.store.article
    services.store.article = lambda article_id: reads.append(article_id) or original(article_id)  # type: ignore[method-assign]
    copy = tmp_path / "copy.md"
    source = sorted(services.settings.knowledge_dir.glob("*.md"))[0].read_text(encoding="utf-8")
    copy.write_text(source.replace("\nid: ", "\nid: renamed-", 1), encoding="utf-8")
    report = services.ingest([copy])
    assert reads == []
    assert len(report.errors) == 1 and "the same text as article" in report.errors[0]


def test_minhash_estimate_follows_the_exact_shingle_overlap() -> None:
    """The stored signature estimates the exact Jaccard similarity, from unrelated to near-identical texts."""
    import numpy as np

    from bot.index.duplicates import minhash, shingles, similarity

    bodies = [p.read_text(encoding="utf-8") for p in sorted(KNOWLEDGE.glob("*.md"))]
    pairs = [(bodies[0], bodies[1]), (bodies[0], bodies[0].replace("Kim", "Kim Jong-un", 3))]
    pairs.append((bodies[2], bodies[2][: len(bodies[2]) // 2]))
    for a, b in pairs:
        exact = similarity(shingles(a), shingles(b))
        estimate = float(np.mean(minhash(a) == minhash(b)))
        assert abs(estimate - exact) < 0.15, (exact, estimate)
