"""Break 9: hostile text stays inert where it is shown, bad batch lines get error lines, LLM links go.

An article full of terminal escapes (screen clear, window title, a hidden hyperlink, a carriage return, a
bidirectional override, a C1 CSI) and Discord markup (a mention, a Markdown link, bold) in its title is
indexed for real, then shown by every renderer: the rich CLI, `yalu chat`, and the Discord embeds.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from bot.cli import main
from bot.llm.answer import LLMAnswerer
from bot.llm.prompts import load_prompt
from bot.llm.validate import Source, validate
from bot.services import Services, build_services
from tests.conftest import make_settings
from tests.faults.edge_helpers import QUESTION, copy_data_dir
from tests.test_discord_harness import bot_settings, start

pytestmark = pytest.mark.faults

HOSTILE_ID = "2023-09-10-test-escapes"
HOSTILE = (
    "---\n"
    f"id: {HOSTILE_ID}\n"
    'title: "Kim \\e]0;pwned\\a letter <@123> [click](https://evil.example) **now**"\n'
    "outlet: Test Outlet\n"
    "published: 2023-09-10\n"
    "---\n\n"
    "Xi Jinping sent a long letter to Kim Jong-un on Saturday.\x1b[2J\x1b[H The letter hailed a "
    "\x1b]8;;https://evil.example/\x07new era\x1b]8;;\x07 of ties.\x07 Kim replied at once.\r Nothing was hidden.\n\n"
    "Kim said the two countries would deepen \u202eexchanges\u202c in every field \x9b31mof cooperation.\n"
)
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colours and bold: the only sequences the renderer itself writes


@pytest.fixture(scope="module")
def hostile(seeded: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """A private copy of the seeded index with the hostile article ingested into it."""
    root = tmp_path_factory.mktemp("hostile-display")
    knowledge = shutil.copytree(seeded.settings.knowledge_dir, root / "knowledge")
    (knowledge / "escapes.md").write_text(HOSTILE, encoding="utf-8")
    services = build_services(make_settings(copy_data_dir(seeded, root / "data"), knowledge))
    assert services.ingest([knowledge / "escapes.md"]).added == [HOSTILE_ID]
    yield services


@pytest.fixture
def cli_env(hostile: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI pointed at the hostile index."""
    monkeypatch.setenv("YALU_DATA_DIR", str(hostile.settings.data_dir))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(hostile.settings.knowledge_dir))


def _assert_inert(out: str, terminal: bool = False) -> None:
    text = SGR.sub("", out) if terminal else out
    assert CONTROLS.sub("", text.replace("\n", "").replace("\t", "")) == text.replace("\n", "").replace("\t", "")
    assert "]8;;" not in text and "[2J" not in text and "]0;" not in text


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_cli_output_of_a_hostile_article_has_no_escape_sequences(
    terminal: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """summarize, sources, search and ask print the article's words but none of its escapes or controls."""
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")  # rich then styles its output as for a terminal
    assert main(["summarize", HOSTILE_ID]) == 0
    assert main(["sources"]) == 0
    assert main(["search", "long letter hailed a new era of ties"]) == 0
    assert main(["ask", "What did Xi's long letter to Kim hail?"]) == 0
    out = capsys.readouterr().out
    assert "Kim replied at once." in out and "new era" in out and "Nothing was hidden." in out
    assert (SGR.search(out) is not None) == terminal
    _assert_inert(out, terminal)


@pytest.mark.usefixtures("cli_env")
def test_yalu_chat_shows_a_hostile_article_inert(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu chat`'s renderer: /summarize and a question about the hostile article print no escape or control."""
    lines = f"/summarize {HOSTILE_ID}\nWhat did Xi's long letter to Kim hail?\n/quit\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "Kim replied at once." in out and "pwned" not in out  # a window-title sequence goes whole
    _assert_inert(out)


async def test_the_discord_summarize_title_is_escaped(hostile: Services, tmp_path: Path) -> None:
    """/summarize's embed title: the mention cannot ping, the Markdown link and bold are shown as typed."""
    harness = await start(bot_settings(hostile, tmp_path / "bot"))
    try:
        await harness.slash("summarize", article=HOSTILE_ID)
        first = harness.http.embeds()[0]
    finally:
        await harness.stop()
    title = first["title"]
    assert title.startswith("Kim letter ") and "pwned" not in title
    assert "<@\u200b123>" in title and "\\[click]" in title and "\\*\\*now\\*\\*" in title
    assert "https://" not in title and CONTROLS.search(title) is None
    assert CONTROLS.search(first["description"]) is None and "new era" in first["description"]


PASSAGE = "Xi told Kim that the two countries would write a new chapter of friendship."
SOURCES = [Source(1, "a", PASSAGE, 0)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Details are at kcna.kp/en/letter [1].",
        "Readers can write to tips@evil.example for the full text [1].",
        "The letter is posted at EVIL.EXAMPLE.COM today [1].",
        "A copy sits on 203.0.113.7 for download [1].",
    ],
)
def test_bare_domains_and_email_addresses_are_dropped_like_links(sentence: str) -> None:
    """A model sentence naming a bare domain, an e-mail address or an IP address is removed as a link."""
    kept = "Xi told Kim the two countries would write “a new chapter of friendship” [1]."
    result = validate(f"{kept} {sentence}", SOURCES)
    assert [s.text for s in result.sentences] == [kept.removesuffix(" [1].") + "."]
    assert [(i.kind, i.text) for i in result.issues] == [("link", sentence)]


def test_ordinary_abbreviations_are_not_taken_for_domains() -> None:
    """ "U.S.", "p.m." and a sentence run into the next ("said.The") are prose, not addresses."""
    text = "The U.S. envoy left at 3 p.m. after Xi said.The talks went on [1]."
    assert [i.kind for i in validate(text, SOURCES).issues] == []


def test_an_llm_answer_naming_a_domain_falls_back_to_what_remains(seeded: Services) -> None:
    """Through the LLM answerer: the sentence with a bare domain is dropped and counted, the cited one stays."""
    good = "Xi told Kim the pair had elevated their ties “into a new era” [1]."
    model = GenericFakeChatModel(messages=iter([AIMessage(content=f"{good} Full letter: xinhua-mirror.example [1].")]))
    answer = LLMAnswerer(seeded.answerer, model, load_prompt("answer"), timeout_s=5.0, label="fake").ask(QUESTION)
    assert answer.answer == good and answer.llm is not None
    assert [i["kind"] for i in answer.llm["issues"]] == ["link"] and answer.llm["dropped"] == 1


def test_batch_lines_whose_question_is_not_a_string_get_error_lines(
    seeded: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """null, a number, a missing question or a line that is not an object: an error line each; good lines answered."""
    monkeypatch.setenv("YALU_DATA_DIR", str(copy_data_dir(seeded, tmp_path / "data")))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(seeded.settings.knowledge_dir))
    batch = tmp_path / "batch.jsonl"
    not_an_object = 'each line must be a JSON object {"id", "question"}, not '
    rows = [
        {"id": "n", "question": None},
        {"id": "i", "question": 42},
        {"id": "m"},
        ["What did Xi write?"],
        {"id": "ok", "question": QUESTION},
    ]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert main(["ask", "--json", "--batch", str(batch)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[:4] == [
        {"id": "n", "line": 1, "error": '"question" must be a string, not null'},
        {"id": "i", "line": 2, "error": '"question" must be a string, not 42'},
        {"id": "m", "line": 3, "error": "missing field 'question'"},
        {"id": None, "line": 4, "error": not_an_object + json.dumps(rows[3])},
    ]
    assert out[4]["id"] == "ok" and out[4]["answer"] == seeded.ask(QUESTION).answer and len(out) == 5
