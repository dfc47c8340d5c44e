"""Break 1 and the file items of breaks 8-9: hostile or broken article files are one line each, and nothing else
is lost or stopped.

The alias bomb and the deep nesting run in a real `yalu ingest` under a memory limit: before the fix the bomb
grew to 17.6 GB and crashed the ingest, and its copy in knowledge/ crashed every later one and `--rebuild`.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.corpus import parse_markdown
from bot.services import Services
from tests.conftest import KNOWLEDGE, make_settings
from tests.faults.ingest_helpers import answers, env_for, save_vectors, seeds, services_over, warm, yalu_command
from tests.test_loaders import PAGE

pytestmark = pytest.mark.faults
MEMORY = 4 * 2**30  # a normal ingest needs about 2 GB of address space (onnxruntime, chromadb); the bomb 17.6 GB
LOLS = ",".join(["lol"] * 9)
BOMB = (  # 9 levels of 9 aliases: 9^9 strings from about 450 bytes
    "---\ntitle: Nine levels of aliases\npublished: 2024-01-02\n"
    f"a0: &a0 [{LOLS}]\n"
    + "".join(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    + "---\n\nKim Jong-un met Xi Jinping in Beijing on Tuesday, state media said.\n"
)
DEEP = "---\ntitle: Nested 330 deep\nn: " + "[" * 330 + "]" * 330 + "\n---\n\nBody text of the nested article.\n"
GOOD = """---
title: Dandong traders wait for the bridge to open
outlet: Test Wire
published: '2024-05-02'
---

Traders in Dandong said on Tuesday that they were still waiting for the new bridge over the Yalu River to open.
"""


def _capped_cli(*args: str, data: Path, knowledge: Path) -> subprocess.CompletedProcess[str]:
    """`yalu ARGS` in a subprocess whose address space is capped at MEMORY."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    warm([*seeds(), parse_markdown(GOOD)])
    command = yalu_command(*args, vectors=save_vectors(data.parent / "vectors"))
    return subprocess.run(
        command, env=env_for(data, knowledge), preexec_fn=cap, capture_output=True, text=True, timeout=300
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_an_alias_bomb_and_deep_nesting_are_one_line_each_under_a_memory_limit(tmp_path: Path) -> None:
    """`yalu ingest` of the alias bomb, the 330-deep nesting and a good file, capped at 4 GB: one line for each
    bad file, the good one indexed, and no copy of the bad ones in knowledge/."""
    knowledge, incoming = tmp_path / "knowledge", tmp_path / "incoming"
    knowledge.mkdir()
    incoming.mkdir()
    for name, text in (("bomb.md", BOMB), ("deep.md", DEEP), ("good.md", GOOD)):
        (incoming / name).write_text(text, encoding="utf-8")
    assert len(BOMB) < 600  # the whole file, body included
    done = _capped_cli("ingest", str(incoming), data=tmp_path / "data", knowledge=knowledge)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _lines(done.stderr) == [
        f"yalu: skipped {incoming / 'bomb.md'}: malformed front matter: anchors and aliases (& and *) are not "
        "allowed (line 4, column 5)",
        f"yalu: skipped {incoming / 'deep.md'}: malformed front matter: nested deeper than 5 levels (line 3, column 8)",
    ]
    assert _lines(done.stdout)[0] == "1 added, 0 updated, 0 unchanged; 1 chunks written"
    assert [p.name.startswith("2024-05-02-dandong-traders") for p in knowledge.iterdir()] == [True]


def test_a_knowledge_folder_poisoned_by_them_still_ingests_rebuilds_and_answers(
    seeded: Services, tmp_path: Path
) -> None:
    """With the bomb and the deep nesting already in knowledge/, `yalu ingest --rebuild` (capped at 4 GB) reports
    each in one line and indexes the five seeds, which answer as a clean index does."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    (knowledge / "bomb.md").write_text(BOMB, encoding="utf-8")
    (knowledge / "deep.md").write_text(DEEP, encoding="utf-8")
    data = tmp_path / "data"
    done = _capped_cli("ingest", "--rebuild", data=data, knowledge=knowledge)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line.split(": ", 2)[1] for line in _lines(done.stderr)] == [
        f"skipped {knowledge / 'bomb.md'}",
        f"skipped {knowledge / 'deep.md'}",
    ]
    assert _lines(done.stdout)[0].startswith("5 added, 0 updated, 0 unchanged")
    assert answers(services_over(data, knowledge)) == answers(seeded)


def test_a_file_over_the_size_cap_is_one_line_and_not_saved(tmp_path: Path) -> None:
    """A file larger than YALU_MAX_ARTICLE_BYTES is refused in one line before it is read whole; nothing is saved."""
    knowledge = tmp_path / "knowledge"
    services = services_over_capped(tmp_path, knowledge, 20_000)
    big = tmp_path / "big.txt"
    big.write_text("Kim Jong-un wrote to Xi Jinping on Sunday. " * 1000, encoding="utf-8")
    report = services.ingest([big])
    assert report.errors == [f"{big}: larger than 20,000 bytes (YALU_MAX_ARTICLE_BYTES); not indexed"]
    assert not report.saved and not knowledge.exists() and services.store.count_articles() == 0


def services_over_capped(root: Path, knowledge: Path, cap: int) -> Services:
    """Services with a small article size cap."""
    from bot.services import build_services

    return build_services(make_settings(root / "data", knowledge, YALU_MAX_ARTICLE_BYTES=cap))


def test_a_malformed_front_matter_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`yalu ingest` of a file whose YAML does not parse prints one line naming the file, the problem and where."""
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\npublished: 2021-07-12\n---\n\nBody text.\n", encoding="utf-8")
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    assert main(["ingest", str(bad)]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"yalu: skipped {bad}: malformed front matter: expected ',' or ']', but got ':' (line 3, column 10)"
    ]


COOKIE_WALL = """<!doctype html><html><head><title>Home</title></head><body>
<nav><a href="/">Home</a></nav><main><h1>Home</h1><p>Accept cookies</p>
<p>We use cookies to give you the best experience on our website. Accept all cookies to continue.</p>
<p>Sign in</p></main></body></html>"""
CHROME_TXT = "Home\n\nAccept cookies\n\nSubscribe\n\nSign in\n\nPrivacy policy\n"


def test_pages_of_chrome_only_are_refused_as_articles(services: Services, tmp_path: Path) -> None:
    """A cookie wall saved as .html and a page of navigation saved as .txt are one line each; a real page goes in."""
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "wall.html").write_text(COOKIE_WALL, encoding="utf-8")
    (folder / "menu.txt").write_text(CHROME_TXT, encoding="utf-8")
    (folder / "real.html").write_text(PAGE, encoding="utf-8")
    report = services.ingest([folder])
    assert len(report.added) == 1 and len(report.errors) == 2
    assert all("only page chrome, no article text" in e for e in report.errors)
    assert sorted(e.split(":")[0] for e in report.errors) == [str(folder / "menu.txt"), str(folder / "wall.html")]


def test_dangling_links_and_link_loops_are_reported_not_skipped_in_silence(services: Services, tmp_path: Path) -> None:
    """A dangling link, a link loop and a linked folder pointing back up are one line each; the real file goes in."""
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    os.symlink(folder / "gone.md", folder / "dangling.md")
    os.symlink(folder / "loop-b.md", folder / "loop-a.md")
    os.symlink(folder / "loop-a.md", folder / "loop-b.md")
    os.symlink(folder, folder / "sub" / "up")
    report = services.ingest([folder])
    assert len(report.added) == 1
    assert sorted(report.errors) == [
        f"{folder / 'dangling.md'}: a symbolic link to a missing file ({folder / 'gone.md'}); skipped",
        f"{folder / 'loop-a.md'}: a symbolic link loop; skipped",
        f"{folder / 'loop-b.md'}: a symbolic link loop; skipped",
        f"{folder / 'sub' / 'up'}: a link back to a folder already read; skipped",
    ]


def test_ingest_delete_removes_the_knowledge_copy_so_the_next_ingest_keeps_it_gone(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu ingest --delete ID` of an added page removes its index record and its knowledge copy; the next
    `yalu ingest` does not bring it back."""
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    (added,) = services.ingest([page]).added
    copy = services.settings.knowledge_dir / f"{added}.md"
    assert copy.exists()
    os.environ["YALU_KNOWLEDGE_DIR"] = str(services.settings.knowledge_dir)
    try:
        assert main(["ingest", "--delete", added]) == 0
        assert capsys.readouterr().out.splitlines() == [f"removed: {added} (and its copy {copy})"]
        assert not copy.exists()
        assert main(["ingest"]) == 0
    finally:
        del os.environ["YALU_KNOWLEDGE_DIR"]
    again = services_over(services.settings.data_dir, services.settings.knowledge_dir)
    assert added not in {a.id for a in again.store.articles()}
    assert {a.id for a in again.store.articles()} == {a.id for a in seeds()}
