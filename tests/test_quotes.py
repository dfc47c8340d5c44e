"""Who said what: quoted spans, their speakers and the agencies they came through."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.analysis.quotes import Quote, article_quotes, attribution, speaker_matches
from bot.analysis.timeline.statements import Statement, dated_quotes
from bot.corpus import Article, read_article_file
from tests.conftest import KNOWLEDGE


def _article(stem: str) -> Article:
    return read_article_file(next(KNOWLEDGE.glob(f"{stem}*.md")))


def _quote(quotes: list[Quote], opening: str) -> Quote:
    return next(q for q in quotes if q.text.startswith(opening))


def _make(body: str) -> Article:
    return Article(id="t", title="t", body=body)


def test_every_quote_is_verbatim_in_its_article() -> None:
    """Each quote's text is exactly body[start:end] and lies inside its sentence."""
    for path in sorted(Path(KNOWLEDGE).glob("*.md")):
        article = read_article_file(path)
        for q in article_quotes(article):
            assert article.body[q.start : q.end] == q.text
            assert q.sentence_start <= q.start < q.end <= max(q.sentence_end, q.end)


def test_inverted_attribution_names_the_analyst_in_full() -> None:
    """“...,” said Cheong Seong-chang, director ... attributes the quote to the analyst."""
    q = _quote(article_quotes(_article("2021-03-23")), "The exchange of letters")
    assert q.speaker == "Cheong Seong-chang"


def test_agency_is_the_via_not_the_speaker() -> None:
    """Kim emphasized “...,” the KCNA said: Kim speaks, KCNA relays."""
    q = _quote(article_quotes(_article("2021-03-23")), "strengthen the unity")
    assert (q.speaker, q.via) == ("Kim Jong-un", ("KCNA",))


def test_according_to_an_agency_is_recorded_as_via() -> None:
    """Xi ... described ... a “valuable asset” ..., according to China’s state-run Xinhua News Agency."""
    q = _quote(article_quotes(_article("2021-03-23")), "valuable asset")
    assert (q.speaker, q.via) == ("Xi Jinping", ("Xinhua",))


def test_quoted_by_names_the_speaker_and_the_paper() -> None:
    """“...,” Xi was quoted by the Rodong Sinmun as saying."""
    q = _quote(article_quotes(_article("2022-10-16")), "As serious and complex changes")
    assert (q.speaker, q.via) == ("Xi Jinping", ("Rodong Sinmun",))


def test_pronoun_takes_the_last_named_speaker() -> None:
    """“We are committed ...,” he wrote: he is Xi, named in the sentence before."""
    q = _quote(article_quotes(_article("2021-07-12")), "We are committed")
    assert q.speaker == "Xi Jinping"


def test_a_second_quote_sentence_keeps_the_speaker() -> None:
    """“...,” Paik said. “In this context, ...”: both are Wooyeal Paik's (short name resolved in full)."""
    quotes = article_quotes(_article("2023-09-09"))
    assert _quote(quotes, "In this context").speaker == "Wooyeal Paik"


def test_the_letter_as_subject_is_the_letter_writer() -> None:
    """The letter, dated Oct. 13, highlighted ... “at a very critical juncture”: the letter is Xi's."""
    q = _quote(article_quotes(_article("2022-10-16")), "at a very critical juncture")
    assert (q.speaker, q.via) == ("Xi Jinping", ("Rodong Sinmun",))


def test_organisation_as_speaker() -> None:
    """The Workers’ Party of Korea expressed confidence ... “...”: the party speaks."""
    q = _quote(article_quotes(_article("2022-10-16")), "will ensure the victorious advance")
    assert q.speaker == "Workers' Party of Korea"


def test_unnamed_pronoun_stays_unattributed() -> None:
    """A "he" with no speaker in the two sentences before is left unattributed, not guessed."""
    q = _quote(article_quotes(_article("2023-09-09")), "existential issue")
    assert q.speaker is None


def test_multi_paragraph_quote_continues_its_speaker() -> None:
    """A paragraph that opens a quote left unclosed by the previous one is the same speaker's."""
    body = "The minister said: “We will build the bridge.\n\n“It will open next year.”\n\nAnalysts doubt it."
    quotes = article_quotes(_make(body))
    assert [q.text for q in quotes] == ["We will build the bridge.", "It will open next year."]
    assert quotes[1].speaker == quotes[0].speaker


def test_apostrophes_are_not_quotation_marks() -> None:
    """Xi’s and party’s do not open or close quotes; ‘single’ quotes after a space do."""
    quotes = article_quotes(_make("The paper praised Xi’s ‘great leadership’ of the party’s work, Jane Roe said."))
    assert [q.text for q in quotes] == ["great leadership"]
    assert quotes[0].speaker == "Jane Roe"


def test_attribution_of_a_plain_sentence() -> None:
    """attribution() gives the speaker of an unquoted sentence too."""
    article = _article("2022-10-16")
    start = article.body.index("Chinese leader Xi Jinping underscored")
    speaker, via = attribution(article, start, start + 10)
    assert speaker == "Xi Jinping" and via == ("North Korean state media",)


@pytest.mark.parametrize(
    ("speaker", "name", "expected"),
    [
        ("Xi Jinping", "xi", True),
        ("Xi Jinping", "Chinese president", True),
        ("Kim Jong-un", "kim jong-un", True),
        ("Wooyeal Paik", "paik", True),
        ("Xi Jinping", "kim", False),
        (None, "xi", False),
    ],
)
def test_speaker_matches(speaker: str | None, name: str, expected: bool) -> None:
    """A speaker filter accepts a family name, a title or the full name, case-insensitively."""
    assert speaker_matches(speaker, name) is expected


def test_a_title_before_a_known_name_is_dropped() -> None:
    """A title before a known name is dropped: Chinese President Xi Jinping is Xi Jinping."""
    speaker, _ = attribution(_article("2025-10-12"), 0, 10)
    assert speaker == "Xi Jinping"


# --- quote time ----------------------------------------------------------------------------------
def _said(stem: str, opening: str) -> Statement:
    articles = [read_article_file(p) for p in sorted(Path(KNOWLEDGE).glob("*.md"))]
    mine = [a for a in articles if a.id.startswith(stem)]
    return next(s for s in dated_quotes(mine, articles) if s.quote.text.startswith(opening))


def test_a_quote_of_last_years_message_is_dated_last_year() -> None:
    """In the 2023 article, “a good comrade, good neighbour and good friend” is Xi's 2022 statement."""
    said = _said("2023-09", "a good comrade")
    assert (said.label, said.speaker, said.precision) == ("2022", "Xi Jinping", "year")
    assert _said("2023-09", "friendly neighbours").label == "2023-09"  # set against it, not part of it


def test_a_quote_takes_the_date_of_the_letter_named_beside_it() -> None:
    """“...,” Kim wrote in his letter: 2021-07-11; “...,” as in a Jan. 11 cable: 2021-01-11."""
    assert _said("2021-07", "The DPRK-China Treaty").date.isoformat() == "2021-07-11"
    assert _said("2021-07", "adhering to plans").date.isoformat() == "2021-01-11"
    assert _said("2021-07", "prepared to make").date.isoformat() == "2021-03-22"


def test_a_reply_quote_is_the_replys_not_the_letter_replied_to() -> None:
    """Xi's words “in his reply to Kim’s letter” of Oct. 1 are dated by the reply, Oct. 13."""
    assert _said("2022-10", "friendly neighboring countries").date.isoformat() == "2022-10-13"


def test_an_analysts_words_are_dated_by_the_report() -> None:
    """An analyst speaking to the reporter made no letter: the statement is dated by the article."""
    said = _said("2021-03", "The exchange of letters")
    assert said.event is None and said.date.isoformat() == "2021-03-23"
