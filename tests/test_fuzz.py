"""Fuzzing (hypothesis, derandomized): the parsers and cleaners raise only their typed errors and keep article text."""

from __future__ import annotations

import contextlib
import datetime as dt
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer import clean_question
from bot.corpus import parse_markdown, to_markdown
from bot.dates import named_periods
from bot.errors import ArticleError, BadQuestion
from bot.ingest.html_text import parse_html
from bot.ingest.raw_text import parse_raw_text

FUZZ = settings(
    derandomize=True, database=None, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
WORDS = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=9)
# Prose a news page would carry: capitalised sentences of plain words, ending in a full stop.
SENTENCE = st.lists(WORDS, min_size=6, max_size=18).map(lambda w: "The " + " ".join(w) + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=3).map(" ".join)
PARAGRAPHS = st.lists(PARAGRAPH, min_size=1, max_size=6, unique=True)
ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
FRONT_MATTERISH = st.builds(
    lambda meta, body: f"---\n{meta}\n---\n{body}", st.text(max_size=120), st.text(max_size=120)
)


def _article_or_error(parse: object, text: str) -> None:
    with contextlib.suppress(ArticleError):
        parse(text)  # type: ignore[operator]


@FUZZ
@given(st.one_of(ANY_TEXT, FRONT_MATTERISH))
def test_markdown_parser_raises_only_article_error(text: str) -> None:
    """Any text, including broken front matter, gives an Article or an ArticleError, never another exception."""
    _article_or_error(parse_markdown, text)


@FUZZ
@given(PARAGRAPHS, st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=40).filter(str.strip))
def test_markdown_round_trip_keeps_the_body(paragraphs: list[str], title: str) -> None:
    """A body written with its front matter is parsed back byte for byte."""
    body = "\n\n".join(paragraphs)
    text = f"---\ntitle: {title.strip()!r}\npublished: '2023-09-09'\n---\n\n{body}\n"
    article = parse_markdown(text)
    assert article.body == body and parse_markdown(to_markdown(article)).body == body


@FUZZ
@given(ANY_TEXT)
def test_raw_text_parser_raises_only_article_error(text: str) -> None:
    """Any page text gives an Article or an ArticleError."""
    _article_or_error(parse_raw_text, text)


@FUZZ
@given(PARAGRAPHS, st.sampled_from(["Share", "Advertisement", "Related Articles", "Link copied", "Most Viewed"]))
def test_raw_text_keeps_every_article_paragraph_and_drops_chrome(paragraphs: list[str], chrome: str) -> None:
    """Headline, dateline, prose and chrome lines: every prose paragraph survives verbatim, the chrome does not."""
    page = "\n".join(["Kim and Xi trade letters", "2023-09-09 10:00", chrome, *paragraphs, chrome])
    article = parse_raw_text(page)
    assert article.title == "Kim and Xi trade letters" and article.published == dt.date(2023, 9, 9)
    assert article.body.split("\n\n") == paragraphs


@settings(FUZZ, max_examples=60)
@given(st.one_of(ANY_TEXT, st.builds(lambda t: f"<html><body><p>{t}</p></body></html>", ANY_TEXT)))
def test_html_parser_raises_only_article_error(text: str) -> None:
    """Any text given as HTML gives an Article or an ArticleError."""
    _article_or_error(parse_html, text)


@settings(FUZZ, max_examples=60)
@given(st.lists(st.lists(SENTENCE, min_size=2, max_size=3).map(" ".join), min_size=2, max_size=5, unique=True))
def test_html_keeps_every_paragraph_and_drops_scripts(paragraphs: list[str]) -> None:
    """Paragraphs inside <article> come through verbatim; scripts, nav and footer do not."""
    html = (
        "<html><head><title>Kim and Xi trade letters</title><script>var track = 'SCRIPT_X';</script></head>"
        "<body><nav><a href='/'>NAV_X</a></nav><article><h1>Kim and Xi trade letters</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "<script>document.write('SCRIPT_Y')</script></article><footer>FOOTER_X</footer></body></html>"
    )
    body = parse_html(html).body
    assert body.split("\n\n") == paragraphs
    assert not any(x in body for x in ("SCRIPT_X", "SCRIPT_Y", "NAV_X", "FOOTER_X"))


@FUZZ
@given(ANY_TEXT)
def test_question_dates_never_crash(question: str) -> None:
    """Any question gives a list of periods, each in order; no text makes the date reader raise."""
    assert all(p.first <= p.last for p in named_periods(question))


@FUZZ
@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.text(alphabet=string.ascii_lowercase + " ", max_size=40),
)
def test_a_named_month_is_inside_the_window(day: dt.date, filler: str) -> None:
    """ "... in <Month> <year> ..." names a period that covers that whole month."""
    periods = named_periods(f"What did Kim say {filler} in {day:%B %Y}?")
    assert periods and periods[-1].first == day.replace(day=1) and periods[-1].last >= day


@FUZZ
@given(ANY_TEXT, st.integers(min_value=50, max_value=400))
def test_clean_question_is_capped_or_refused(question: str, limit: int) -> None:
    """A question is refused only when empty; otherwise it comes back without control characters, within the limit."""
    try:
        text = clean_question(question, limit)
    except BadQuestion:
        assert not "".join(ch for ch in question if ch.isprintable()).strip()
        return
    assert 0 < len(text) <= limit and not any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
