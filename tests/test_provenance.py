"""Reported-via chains: each citation names its speaker and the state media the outlet had the words from."""

from __future__ import annotations

import io

from rich.console import Console

from bot.analysis.cite import cite
from bot.analysis.quotes import article_quotes
from bot.cli.common import print_citations
from bot.corpus import Article
from bot.discord_app.render import quote_line, source_line
from bot.ingest.loaders import load_article_file
from bot.services import Services
from tests.conftest import KNOWLEDGE

HERALD_2022 = "2022-10-16-xi-says-china-n-korea-should-further-cooperate-a"
HERALD_2021 = "2021-03-23-nk-s-kim-calls-for-unified-front-with-china-agai"


def seed(article_id: str) -> Article:
    """One seed article, read from knowledge/."""
    return load_article_file(KNOWLEDGE / f"{article_id}.md")


def xi_citations(article: Article) -> list[tuple[str, tuple[str, ...], str | None]]:
    """(quote, via, speaker) of a citation of each of Xi's quotes in the article."""
    quotes = [q for q in article_quotes(article) if q.speaker == "Xi Jinping"]
    cited = [cite(i + 1, article, q.start, q.end) for i, q in enumerate(quotes)]
    return [(c.quote, c.via, c.speaker) for c in cited]


def test_the_2022_articles_xi_quotes_carry_via_rodong_sinmun() -> None:
    """Every Xi quote of the Korea Herald's 2022 article is cited as relayed by the Rodong Sinmun."""
    found = xi_citations(seed(HERALD_2022))
    assert len(found) >= 5
    assert all(via == ("Rodong Sinmun",) and speaker == "Xi Jinping" for _, via, speaker in found)


def test_the_2021_03_articles_xi_quote_carries_xinhua_not_kcna() -> None:
    """The March 2021 article's Xi quote ("valuable asset") is via Xinhua, though the article also cites KCNA."""
    found = xi_citations(seed(HERALD_2021))
    assert [(q, via) for q, via, _ in found] == [("valuable asset", ("Xinhua",))]


def test_kims_words_in_the_same_article_come_via_kcna() -> None:
    """Kim's quotes with no source in their sentence inherit the KCNA report the article named before them."""
    article = seed(HERALD_2021)
    kim = [q for q in article_quotes(article) if q.speaker == "Kim Jong-un"]
    assert kim and all(cite(1, article, q.start, q.end).via == ("KCNA",) for q in kim)


def test_an_analyst_quote_inherits_no_state_media() -> None:
    """An analyst spoke to the reporter: Cheong Seong-chang's words carry no via."""
    article = seed(HERALD_2021)
    quote = next(q for q in article_quotes(article) if q.speaker == "Cheong Seong-chang")
    citation = cite(1, article, quote.start, quote.end)
    assert citation.speaker == "Cheong Seong-chang" and citation.via == ()


def test_ask_json_citations_carry_via_and_speaker(seeded: Services) -> None:
    """`ask --json` citation objects gain `via` (a list) and `speaker` for state-media retellings."""
    answer = seeded.ask("What did Xi write to Kim in October 2022?")
    data = answer.to_json()["citations"]
    assert all(isinstance(c["via"], list) and "speaker" in c for c in data)
    assert any(c["via"] == ["Rodong Sinmun"] and c["article_id"] == HERALD_2022 for c in data)


def test_cli_source_line_reads_outlet_date_citing_source() -> None:
    """The CLI prints "The Korea Herald, 2022-10-16, citing Rodong Sinmun" and the speaker after the quote."""
    article = seed(HERALD_2022)
    quote = next(q for q in article_quotes(article) if q.text == "has grown stronger over the years")
    out = io.StringIO()
    print_citations(Console(file=out, width=200, highlight=False), [cite(1, article, quote.start, quote.end)])
    text = out.getvalue()
    assert "The Korea Herald, 2022-10-16, citing Rodong Sinmun: Xi says" in text
    assert "\u201chas grown stronger over the years\u201d \u2014 Xi Jinping" in text


def test_discord_source_and_quote_lines_show_the_chain() -> None:
    """Discord's source line names the relaying medium and its quote line the speaker."""
    article = seed(HERALD_2021)
    quote = next(q for q in article_quotes(article) if q.text == "valuable asset")
    data = cite(3, article, quote.start, quote.end).to_json()
    assert "The Korea Herald, 2021-03-23, citing Xinhua:" in source_line(data)
    assert quote_line(data).endswith("\u201cvaluable asset\u201d \u2014 Xi Jinping")


def test_summary_key_quotes_carry_the_same_via_as_their_citations(seeded: Services) -> None:
    """A summary's key quotes show the via of their citation (the Rodong Sinmun, for the 2022 letter)."""
    summary = seeded.summarize(HERALD_2022)
    xi = [q for q in summary.quotes if q.speaker == "Xi Jinping"]
    assert xi and all(q.via == ("Rodong Sinmun",) == summary.citations[q.n - 1].via for q in xi)
