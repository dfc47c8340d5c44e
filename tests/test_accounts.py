"""Several accounts of one exchange side by side, and answers that say where sources date it differently."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.analysis.accounts import Exchange, find_accounts
from bot.chat_commands import ChatSession
from bot.cli import main
from bot.corpus import Article
from bot.ingest.loaders import load_article_file
from bot.services import Services, build_services
from tests.conftest import KNOWLEDGE, make_settings

HERALD_2022 = "2022-10-16-xi-says-china-n-korea-should-further-cooperate-a"
SECOND = "2022-10-17-xi-letter-second-account"
# A second account of Xi's October 2022 letter: another outlet, another date (Oct. 11, not Oct. 13), KCNA not
# the Rodong Sinmun, one phrase in common with the Korea Herald's account and one of its own.
SECOND_ACCOUNT = """---
id: 2022-10-17-xi-letter-second-account
title: Xi writes to Kim before party congress, KCNA says
outlet: Yonhap News Agency
published: '2022-10-17'
published_precision: day
language: en
---

Chinese President Xi Jinping sent a letter to North Korean leader Kim Jong-un on Oct. 11 ahead of the opening \
of the Chinese Communist Party's 20th congress, the Korean Central News Agency reported Monday.

In the letter, Xi said the congress would open “at a very critical juncture” and that China was ready to work \
with the DPRK to “safeguard peace and stability on the peninsula and in the region,” KCNA said.

Xi also said the friendship between the two countries “has grown stronger over the years,” according to KCNA.
"""


@pytest.fixture(scope="module")
def planted_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge copy of the seeds plus the second account, and a data dir, for this module."""
    root = tmp_path_factory.mktemp("accounts")
    shutil.copytree(KNOWLEDGE, root / "knowledge")
    (root / "knowledge" / f"{SECOND}.md").write_text(SECOND_ACCOUNT, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def planted(planted_home: Path) -> Iterator[Services]:
    """Services over a real Chroma index of the seeds and the second account."""
    svc = build_services(make_settings(planted_home / "data", planted_home / "knowledge"))
    svc.ensure_index()
    yield svc
    svc.close()


def october_letter(exchanges: tuple[Exchange, ...]) -> Exchange:
    """The exchange that the Korea Herald dates Oct. 13 (Xi's letter to Kim)."""
    return next(e for e in exchanges if any(a.date_text == "Oct. 13" for a in e.accounts))


def seed_articles(extra: Path | None = None) -> list[Article]:
    """The seed articles, and optionally one more article file."""
    paths = sorted(KNOWLEDGE.glob("*.md")) + ([extra] if extra else [])
    return [load_article_file(p) for p in paths]


def test_two_outlets_telling_one_letter_are_two_accounts(planted_home: Path) -> None:
    """The Herald's and the second outlet's reports of Xi's October 2022 letter are one exchange, two accounts."""
    articles = seed_articles(planted_home / "knowledge" / f"{SECOND}.md")
    letter = october_letter(find_accounts(articles, "2022-10").exchanges)
    assert [a.article_id for a in letter.accounts] == [HERALD_2022, SECOND]
    assert letter.label == "Xi Jinping → Kim Jong-un: letter"


def test_the_differing_dates_are_shown_with_both_citations(planted: Services) -> None:
    """The date difference names Oct. 13 and Oct. 11, each cited from the sentence that gives it."""
    report = planted.accounts("2022-10")
    letter = october_letter(report.exchanges)
    dates = next(d for d in letter.differences if d.kind == "date")
    assert "2022-10-13" in dates.text and "2022-10-11" in dates.text
    quotes = [report.citations[n - 1].quote for n in dates.citations]
    assert any("dated Oct. 13" in q for q in quotes) and any("on Oct. 11" in q for q in quotes)


def test_phrases_of_one_account_only_are_listed(planted: Services) -> None:
    """Words only the second account quotes, and words only the Herald quotes, are each listed, cited."""
    report = planted.accounts("Xi letter congress")
    wording = [d.text for d in october_letter(report.exchanges).differences if d.kind == "wording"]
    assert any("Only Yonhap" in t and "safeguard peace and stability on the peninsula" in t for t in wording)
    assert any("Only The Korea Herald" in t and "building a modern socialist country" in t for t in wording)
    assert not any("at a very critical juncture" in t for t in wording)  # both quote it


def test_the_media_each_account_cites_are_compared(planted: Services) -> None:
    """The Herald's account cites the Rodong Sinmun, the second one KCNA: an attribution difference."""
    letter = october_letter(planted.accounts("2022-10").exchanges)
    assert [a.via for a in letter.accounts] == [("Rodong Sinmun",), ("KCNA",)]
    assert any(d.kind == "attribution" for d in letter.differences)


def test_on_the_seeds_alone_the_letter_has_one_account() -> None:
    """Without the second account, the October 2022 letter has one account and no differences."""
    letter = october_letter(find_accounts(seed_articles(), "2022-10").exchanges)
    assert len(letter.accounts) == 1 and letter.differences == ()


def test_accounts_json_shows_both_accounts_verbatim(
    planted_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`yalu accounts 2022-10 --json` lists both accounts, their dates and verified citations."""
    monkeypatch.setenv("YALU_DATA_DIR", str(planted_home / "data"))
    monkeypatch.setenv("YALU_KNOWLEDGE_DIR", str(planted_home / "knowledge"))
    assert main(["accounts", "2022-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    letter = next(e for e in data["exchanges"] if len(e["accounts"]) == 2)
    assert [a["date"] for a in letter["accounts"]] == ["2022-10-13", "2022-10-11"]
    assert {d["kind"] for d in letter["differences"]} == {"date", "wording", "attribution"}
    bodies = {a.id: a.body for a in seed_articles(planted_home / "knowledge" / f"{SECOND}.md")}
    assert all(bodies[c["article_id"]][c["start"] : c["end"]] == c["quote"] for c in data["citations"])


def test_chat_accounts_command_shows_accounts_and_differences(planted: Services) -> None:
    """`/accounts` in `yalu chat` (the Discord table) shows both outlets and the date difference."""
    reply = ChatSession(planted).handle("/accounts Xi letter congress")
    assert reply.kind == "accounts" and "Yonhap News Agency" in reply.text and "The Korea Herald" in reply.text
    assert "Dates differ" in reply.text and reply.citations


def test_an_answer_reports_the_date_disagreement(planted: Services) -> None:
    """An answer about the letter adds one line naming both dates, each with its citation."""
    answer = planted.ask("When was Xi's October 2022 letter to Kim dated?")
    line = answer.answer.splitlines()[-1]
    assert line.startswith("Sources differ on the date of this letter:")
    assert "2022-10-13" in line and "2022-10-11" in line
    cited = {c.n: c for c in answer.citations}
    numbers = answer.disagreements[0]["citations"]
    assert any("Oct. 13" in cited[n].quote for n in numbers) and any("Oct. 11" in cited[n].quote for n in numbers)


def test_an_answer_on_the_seeds_alone_reports_no_disagreement(seeded: Services) -> None:
    """Where the seed articles agree, the same question gets no disagreement line."""
    answer = seeded.ask("When was Xi's October 2022 letter to Kim dated?")
    assert "Sources differ" not in answer.answer and not answer.disagreements
