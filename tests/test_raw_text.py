"""Tests for bot.ingest.raw_text: metadata and clean, verbatim bodies from raw scraped pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.corpus import Article, read_article_file
from bot.errors import ArticleError
from bot.ingest.raw_text import parse_raw_text

TESTS = Path(__file__).parent
OWN_SETS = TESTS.parent / "eval" / "own"  # the team's own gold questions: their evidence must survive parsing
RAW = TESTS / "fixtures" / "raw"
KNOWLEDGE = TESTS.parent / "knowledge"
SEEDS = sorted(p.name for p in RAW.glob("*.txt"))

# Lines each seed page must lose: page chrome, and header lines that become metadata.
# An entry ending in "..." matches every line that starts with the text before it.
DROPPED: dict[str, list[str]] = {
    "000_548f91f56c216332.txt": [
        "From",
        "Send to",
        "Xi says China, N. Korea should further cooperate amid complex security dynamics",
        "N. Korea expresses confidence in Xi's power consolidation in letter celebrating opening of party congress",
        "Oct. 16, 2022 - 16:03 By Ji Da-gyum",
        "Chinese President Xi Jinping arrives for the opening ceremony of the 20th National Congress...",
    ],
    "001_316eaeb7add66c66.txt": [
        "N. Korea, China leaders exchange personal letters, vow to strengthen ties",
        "Posted on : 2021-07-12 17:50 KST Modified on : 2021-07-12 17:50 KST",
        "Reports in the North Korean and Chinese media suggested there were no visits exchanged between the "
        "two sides’ senior-level officials for the treaty’s 60th anniversary",
        "In this photo released by North Korea’s state-run Korean Central News Agency...",
        "By Lee Je-hun, senior staff writer",
        "Please direct comments or questions to [english@hani.co.kr]",
        "button that move to original korean article...",
        "Related stories",
        "Most viewed articles",
    ],
    "002_47983af81e788f91.txt": [
        "The Korea Herald",
        "소아쌤",
        "NK’s Kim calls for unified front with China against ‘hostile forces’",
        "By Ahn Sung-mi",
        "Published : March 23, 2021 - 14:54",
        "• Link copied",
        "In this June 19, 2018, file photo provided by China's Xinhua News Agency...",
        "By Ahn Sung-mi (sahn@heraldcorp.com)",
    ],
    "003_9a0955a5dbac36d9.txt": [
        "Xi Jinping says in letter to Kim Jong-un that he intends to strengthen China-DPRK strategic "
        "partnership at international and regional levels.",
        "China prepares to strengthen strategic cooperation with North Korea",
        "Related: In the wake of a Beijing, North Korea has been found to be erasing traces of its leader, Kim Jong Un",
    ],
    "004_a624dde74f37622b.txt": [
        "Xi Jinping hails ‘new era’ in China’s ties with North Korea amid rising tensions in region",
        "Chinese vice-premier to lead delegation to North Korea for celebrations",
        "US accuses Russia, China of covering for North Korea over missile launches",
        "Advertisement",
        "01:30",
        "01:48",
        "xi jinping hails new era in chinas ties with north korea amid rising tensions in region...",
        "North Korea launches mock nuclear warhead missiles to ‘warn enemies’",
        "North Korea’s Kim Jong-un vows to strengthen country’s naval forces amid US-South Korea joint drills",
        "Kim Jong-un and his daughter attending the parade in Pyongyang. Photo: DPA",
        "South China Morning Post",
        "Related posts",
        "Leave a Comment",
    ],
}

CHROME_SUBSTRINGS = [
    "Send to",
    "Link copied",
    "Advertisement",
    "Related posts",
    "Related stories",
    "Related:",
    "Most viewed",
    "Leave a Comment",
    "Please direct comments",
    "@",
    "소아쌤",
    "button that move",
    "(AP)",
    "(Yonhap News)",
    "(AP-Yonhap)",
    "Photo: DPA",
    "South China Morning Post",
    "The Korea Herald",
    "By Ji Da-gyum",
    "By Lee Je-hun",
    "By Ahn Sung-mi",
    "Posted on",
    "Published :",
    "xi jinping hails new era",
    "Chinese vice-premier to lead delegation",
    "US accuses Russia, China",
    "warn enemies",
    "naval forces amid US-South Korea joint drills",
]
CHROME_PARAGRAPHS = {"From", "01:30", "01:48"}

# What each page states, as (title, published, author, outlet).
STATED: dict[str, tuple[str, dt.date | None, str | None, str | None]] = {
    "000_548f91f56c216332.txt": (
        "Xi says China, N. Korea should further cooperate amid complex security dynamics",
        dt.date(2022, 10, 16),
        "Ji Da-gyum",
        None,
    ),
    "001_316eaeb7add66c66.txt": (
        "N. Korea, China leaders exchange personal letters, vow to strengthen ties",
        dt.date(2021, 7, 12),
        "Lee Je-hun",
        "The Hankyoreh",
    ),
    "002_47983af81e788f91.txt": (
        "NK’s Kim calls for unified front with China against ‘hostile forces’",
        dt.date(2021, 3, 23),
        "Ahn Sung-mi",
        "The Korea Herald",
    ),
    "003_9a0955a5dbac36d9.txt": (
        "China prepares to strengthen strategic cooperation with North Korea",
        None,
        None,
        None,
    ),
    "004_a624dde74f37622b.txt": (
        "Xi Jinping hails ‘new era’ in China’s ties with North Korea amid rising tensions in region",
        None,
        None,
        "South China Morning Post",
    ),
}
SUBTITLES = {
    "000_548f91f56c216332.txt": DROPPED["000_548f91f56c216332.txt"][3],
    "001_316eaeb7add66c66.txt": DROPPED["001_316eaeb7add66c66.txt"][2],
    "002_47983af81e788f91.txt": None,
    "003_9a0955a5dbac36d9.txt": DROPPED["003_9a0955a5dbac36d9.txt"][0],
    "004_a624dde74f37622b.txt": None,
}


def _raw(name: str) -> str:
    return (RAW / name).read_text(encoding="utf-8")


def _parse(name: str) -> Article:
    return parse_raw_text(_raw(name), source=name)


def _stored(name: str) -> Article:
    matches = [a for a in map(read_article_file, KNOWLEDGE.glob("*.md")) if a.source == name]
    assert len(matches) == 1, f"expected one knowledge file with source {name}"
    return matches[0]


def _is_dropped(line: str, dropped: list[str]) -> bool:
    return any(line == d or (d.endswith("...") and line.startswith(d[:-3])) for d in dropped)


def _fold(text: str) -> str:
    return " ".join(text.translate(str.maketrans("‘’“”", "''\"\"")).split()).lower()


def _evidence(seed: str) -> list[str]:
    files = sorted(OWN_SETS.glob("*.jsonl"))
    lines = [line for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    items = [e for q in map(json.loads, lines) for e in q.get("evidence", [])]
    return [e["phrase"] for e in items if seed.startswith(e["doc"] + "_")]


def test_every_seed_has_expectations() -> None:
    """The five seed fixtures are present and each has a table of expected drops."""
    assert sorted(DROPPED) == SEEDS


@pytest.mark.parametrize("seed", SEEDS)
def test_body_matches_knowledge_file(seed: str) -> None:
    """Parsing a raw seed gives exactly the body stored in its knowledge/*.md file."""
    assert _parse(seed).body == _stored(seed).body


@pytest.mark.parametrize("seed", SEEDS)
def test_no_chrome_survives(seed: str) -> None:
    """No page chrome (share UI, ads, captions, teasers, footers, mastheads) reaches the body."""
    body = _parse(seed).body
    assert [s for s in CHROME_SUBSTRINGS if s in body] == []
    assert CHROME_PARAGRAPHS.isdisjoint(body.split("\n\n"))


@pytest.mark.parametrize("seed", SEEDS)
def test_gold_evidence_is_verbatim_in_body(seed: str) -> None:
    """Every evidence phrase of the team's own question sets for a seed occurs in its parsed body (quotation
    marks folded: writers type straight ones)."""
    body = _fold(_parse(seed).body)
    phrases = _evidence(seed)
    assert phrases
    assert [p for p in phrases if _fold(p) not in body] == []


@pytest.mark.parametrize("seed", SEEDS)
def test_every_article_line_survives_verbatim_in_order(seed: str) -> None:
    """Each raw line not listed as chrome or header becomes one body paragraph, unchanged, in order."""
    lines = [line.strip() for line in _raw(seed).splitlines() if line.strip()]
    expected = [line for line in lines if not _is_dropped(line, DROPPED[seed])]
    assert _parse(seed).body.split("\n\n") == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_title_extracted(seed: str) -> None:
    """The headline, not a deck ending in a period, becomes the title."""
    assert _parse(seed).title == STATED[seed][0]


@pytest.mark.parametrize("seed", SEEDS)
def test_stated_date_extracted(seed: str) -> None:
    """A stated dateline gives the publication day; an unstated one stays None."""
    article = _parse(seed)
    expected = STATED[seed][1]
    assert (article.published, article.published_precision) == (expected, "day" if expected else None)


@pytest.mark.parametrize("seed", SEEDS)
def test_author_extracted(seed: str) -> None:
    """The byline gives just the author's name, without role or e-mail."""
    assert _parse(seed).author == STATED[seed][2]


@pytest.mark.parametrize("seed", SEEDS)
def test_outlet_extracted_only_when_stated(seed: str) -> None:
    """The outlet comes from a masthead or footer e-mail domain, and is None when nothing states it."""
    assert _parse(seed).outlet == STATED[seed][3]


@pytest.mark.parametrize("seed", SEEDS)
def test_deck_becomes_subtitle(seed: str) -> None:
    """A standfirst above or below the headline goes to the subtitle."""
    assert _parse(seed).subtitle == SUBTITLES[seed]


def test_section_subheadings_stay_as_paragraphs() -> None:
    """Subheadings inside an article are kept as their own paragraphs."""
    paragraphs = _parse("003_9a0955a5dbac36d9.txt").body.split("\n\n")
    for heading in ("Preparing for a new stage of partnership", "Indonesian delegation visits Pyongyang", "Context"):
        assert heading in paragraphs


@pytest.mark.parametrize("seed", SEEDS)
def test_id_and_source(seed: str) -> None:
    """The id is built from date and title, and the source is the file name passed in."""
    article = _parse(seed)
    assert article.source == seed
    assert article.id.startswith(article.published.isoformat() if article.published else "undated-")


@pytest.mark.parametrize("seed", SEEDS)
def test_knowledge_file_has_no_invented_url(seed: str) -> None:
    """Imported seeds record no URL (it is unknown) and are in English."""
    stored = _stored(seed)
    assert (stored.url, stored.language) == (None, "en")


@pytest.mark.parametrize("seed", SEEDS)
def test_inferred_metadata_carries_a_note(seed: str) -> None:
    """Knowledge metadata that the page does not state is explained in `notes`."""
    parsed, stored = _parse(seed), _stored(seed)
    if (parsed.outlet, parsed.published) != (stored.outlet, stored.published) or stored.outlet is None:
        assert stored.notes


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_text_is_an_error(text: str) -> None:
    """Empty or whitespace-only text raises ArticleError naming the source."""
    with pytest.raises(ArticleError, match=r"page\.txt"):
        parse_raw_text(text, source="page.txt")


def test_chrome_only_text_is_an_error() -> None:
    """A page that is nothing but chrome has no body and raises ArticleError."""
    with pytest.raises(ArticleError, match=r"page\.txt"):
        parse_raw_text("From\nSend to\n\nAdvertisement\nRelated posts\n", source="page.txt")
