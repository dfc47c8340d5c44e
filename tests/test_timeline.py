"""The timeline: dates resolved against the article's date, events extracted by cue, merged across articles."""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from bot.analysis.charts import render_timeline_png, short_phrase, timeline_figure
from bot.analysis.phrases import corpus_articles
from bot.analysis.timeline import Anchor, Timeline, TimelineEvent, build_timeline, find_dates
from bot.corpus import Article, parse_markdown
from bot.services import Services

XI, KIM = "Xi Jinping", "Kim Jong-un"


@pytest.fixture(scope="module")
def articles(seeded: Services) -> list[Article]:
    """The seed corpus as indexed (bodies included)."""
    return corpus_articles(seeded.store)


@pytest.fixture(scope="module")
def timeline(articles: list[Article]) -> Timeline:
    """The timeline of the whole seed corpus."""
    return build_timeline(articles)


def _xi_kim_letters(timeline: Timeline) -> list[TimelineEvent]:
    return [e for e in timeline.events if e.kind == "letter" and {XI, KIM} <= set(e.parties)]


def _article(body: str, published: str = "2024-10-07", precision: str = "day") -> Article:
    meta = f"id: t\ntitle: Test\noutlet: Test Wire\npublished: '{published}'\npublished_precision: {precision}"
    return parse_markdown(f"---\n{meta}\n---\n{body}")


# --- dates ---------------------------------------------------------------------------------------------
def test_a_weekday_is_the_last_such_day_up_to_publication() -> None:
    """'on Sunday' in an article published Monday 2021-07-12 is 2021-07-11."""
    (d,) = find_dates("exchanged personal letters on Sunday", Anchor(dt.date(2021, 7, 12), "day"))
    assert (d.date, d.precision, d.approximate) == (dt.date(2021, 7, 11), "day", False)


def test_a_month_and_day_take_the_article_year() -> None:
    """'Oct. 13' in an article of 2022-10-16 is 2022-10-13."""
    (d,) = find_dates("The letter, dated Oct. 13, highlighted", Anchor(dt.date(2022, 10, 16), "day"))
    assert d.date == dt.date(2022, 10, 13) and d.precision == "day"


def test_a_month_and_day_after_publication_fall_in_the_year_before() -> None:
    """'Dec. 30' in an article of March 2021 is 2020-12-30."""
    (d,) = find_dates("a cable on Dec. 30", Anchor(dt.date(2021, 3, 23), "day"))
    assert d.date == dt.date(2020, 12, 30)


def test_a_weekday_against_a_month_precision_date_is_approximate() -> None:
    """'on Thursday' in an article dated only to October 2025 is an estimated day, reliable to the month."""
    (d,) = find_dates("sent on Thursday", Anchor(dt.date(2025, 10, 12), "month"))
    assert (d.date, d.precision, d.approximate) == (dt.date(2025, 10, 9), "month", True)


def test_relative_periods_resolve_to_their_precision() -> None:
    """'In July', 'last month', 'last year' and a full date resolve with month, month, year and day precision."""
    found = find_dates(
        "In July, then last month, last year and on 9 September 2023", Anchor(dt.date(2023, 9, 9), "day")
    )
    assert [(d.date.isoformat(), d.precision) for d in found] == [
        ("2023-07-01", "month"),
        ("2023-08-01", "month"),
        ("2022-01-01", "year"),
        ("2023-09-09", "day"),
    ]


# --- the seed corpus -----------------------------------------------------------------------------------
def test_the_five_xi_kim_exchanges_are_listed_in_date_order(timeline: Timeline) -> None:
    """March 2021, July 2021, October 2022, September 2023 and autumn 2025 exchanges appear, correctly dated."""
    dates = [(e.date.isoformat(), e.date_precision) for e in _xi_kim_letters(timeline)]
    for wanted in [
        ("2021-03-22", "day"),
        ("2021-07-11", "day"),
        ("2022-10-13", "day"),
        ("2023-09-09", "month"),
        ("2025-10-09", "month"),
    ]:
        assert wanted in dates
    assert [e.date for e in timeline.events] == sorted(e.date for e in timeline.events)


def test_directions_and_exchanges_are_told_apart(timeline: Timeline) -> None:
    """Kim's Oct. 1 letter goes to Xi, Xi's Oct. 13 reply to Kim; the July 2021 letters were exchanged."""
    by_date = {e.date.isoformat(): e for e in _xi_kim_letters(timeline)}
    assert (by_date["2022-10-01"].senders, by_date["2022-10-01"].recipients) == ((KIM,), (XI,))
    assert (by_date["2022-10-13"].senders, by_date["2022-10-13"].recipients) == ((XI,), (KIM,))
    assert by_date["2021-07-11"].mutual and by_date["2021-07-11"].occasion is not None
    assert "60th anniversary" in by_date["2021-07-11"].occasion.text


def test_earlier_exchanges_named_in_passing_are_included(timeline: Timeline) -> None:
    """The 'Jan. 11 cable' the July 2021 article recalls is an event of 2021-01-11 from Xi to Kim."""
    cable = next(e for e in timeline.events if e.date == dt.date(2021, 1, 11))
    assert cable.senders == (XI,) and cable.recipients == (KIM,)
    assert cable.key_phrase is not None and "political resolution" in cable.key_phrase.text


def test_an_event_reported_by_two_articles_is_merged(timeline: Timeline) -> None:
    """The March 22, 2021 messages ('Monday' in one article, 'March 22' in another) are one event citing both."""
    march = [e for e in _xi_kim_letters(timeline) if e.date == dt.date(2021, 3, 22)]
    assert len(march) == 1 and len(march[0].article_ids) == 2


def test_a_report_date_is_not_taken_for_the_event_date(timeline: Timeline) -> None:
    """'state media reported Sunday' (Oct. 16) does not date Xi's letter, which is dated Oct. 13."""
    xi_to_kim = [e for e in _xi_kim_letters(timeline) if e.senders == (XI,) and e.date.year == 2022]
    assert [e.date for e in xi_to_kim if e.date_precision == "day"] == [dt.date(2022, 10, 13)]


def test_month_precision_articles_give_approximate_dates(timeline: Timeline) -> None:
    """The 2025 letter 'sent on Thursday' is dated 2025-10-09 at month precision, marked approximate in JSON."""
    autumn = next(e for e in _xi_kim_letters(timeline) if e.date == dt.date(2025, 10, 9))
    data = autumn.to_json()
    assert data["date_precision"] == "month" and data["approximate"] is True and data["date_label"].startswith("~")


def test_every_citation_and_phrase_is_verbatim(timeline: Timeline, articles: list[Article]) -> None:
    """Each citation quote is its article's body at its offsets; key phrases and occasions are inside them."""
    bodies = {a.id: a.body for a in articles}
    for event in timeline.events:
        assert event.citations
        for c in event.citations:
            assert bodies[c.article_id][c.start : c.end] == c.quote
        numbers = {c.n: c for c in event.citations}
        for cited in (event.key_phrase, event.occasion):
            if cited is not None:
                assert cited.text in numbers[cited.n].quote


def test_topic_and_dates_filter_the_events(articles: list[Article]) -> None:
    """A topic keeps the events about it; --since/--until keep those dated within."""
    visits = build_timeline(articles, topic="visit")
    assert visits.events and all(e.kind == "visit" for e in visits.events)
    window = build_timeline(articles, since=dt.date(2022, 1, 1), until=dt.date(2022, 12, 31))
    assert window.events and all(e.date.year == 2022 for e in window.events)


# --- other articles ------------------------------------------------------------------------------------
def test_cues_dates_and_parties_work_on_a_new_article() -> None:
    """A new article's letter, reply, meeting and visit are found, a report verb past a comma claims no date."""
    body = (
        "Chinese President Xi Jinping sent a congratulatory message to North Korean leader Kim Jong-un on Sept. 9, "
        "marking the 76th founding anniversary of the DPRK, KCNA reported.\n\n"
        "Chinese Premier Li Qiang met North Korean Premier Pak Thae-song in Beijing on Thursday, "
        "the state news agency Xinhua said.\n\n"
        "A Chinese delegation led by Zhao Leji visited Pyongyang in April 2024 for the opening of the friendship year."
    )
    events = {e.date.isoformat(): e for e in build_timeline([_article(body)]).events}
    letter = events["2024-09-09"]
    assert (letter.senders, letter.recipients) == ((XI,), (KIM,))
    assert letter.occasion is not None and "76th founding anniversary" in letter.occasion.text
    assert set(events["2024-10-03"].parties) == {"Li Qiang", "Pak Thae-song"}
    assert events["2024-04-01"].kind == "visit" and events["2024-04-01"].date_precision == "month"


def test_denied_counted_and_planned_events_are_not_events() -> None:
    """'did not exchange', 'had met five times' and 'is expected to visit' give no event."""
    body = (
        "Last week, Xi and Kim did not exchange any messages, observers noted.\n\n"
        "Xi said the pair had met five times since 2018.\n\n"
        "Kim is expected to visit Russia next month."
    )
    assert build_timeline([_article(body)]).events == ()


# --- scope and filters --------------------------------------------------------------------------------
def test_third_country_events_are_context_shown_only_on_request(articles: list[Article]) -> None:
    """By default only China–DPRK exchanges; the Alaska talks and the Indonesian visit come with `context`."""
    default = build_timeline(articles)
    assert all(e.exchange for e in default.events) and default.left_out >= 3
    assert not any("Alaska" in e.label or "Indonesia" in e.label for e in default.events)
    wide = build_timeline(articles, context=True)
    context = [e for e in wide.events if not e.exchange]
    assert len(context) == default.left_out and any("Alaska" in e.label for e in context)
    assert {e.to_json()["scope"] for e in wide.events} == {"exchange", "context"}


def test_kind_filter_keeps_only_that_kind(articles: list[Article]) -> None:
    """`kinds={"visit"}` keeps the visits (Li Hongzhong's, Kim's to China) and nothing else."""
    visits = build_timeline(articles, kinds={"visit"})
    assert visits.events and {e.kind for e in visits.events} == {"visit"}


# --- the chart -----------------------------------------------------------------------------------------
def _texts(fig: Figure, gid: str) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == gid]


def test_the_png_chart_is_a_phone_sized_image(timeline: Timeline) -> None:
    """The chart is a valid PNG 1000 px wide and taller than a row per event."""
    png = render_timeline_png(timeline)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1000 and 45 * len(timeline.events) < height < 4000


def test_the_chart_has_a_title_a_time_axis_and_a_source_list(timeline: Timeline) -> None:
    """Title (window, drawing date), a label per year 2021–2025, and one numbered source line per cited article."""
    fig = timeline_figure(timeline, drawn=dt.date(2026, 12, 1))
    assert _texts(fig, "title") == ["China–North Korea exchanges, 2021-01 to 2025-10"]
    assert "drawn 2026-12-01" in _texts(fig, "subtitle")[0]
    assert _texts(fig, "year") == ["2021", "2022", "2023", "2024", "2025"]
    sources = _texts(fig, "source")
    cited = {c.article_id for e in timeline.events for c in e.citations}
    assert len(sources) == len(cited) and sources[0].startswith("[1] The Korea Herald, 2021-03-23: ")
    plt.close(fig)


def test_the_source_list_and_title_are_drawn_in_the_image(timeline: Timeline) -> None:
    """The rows where the title and the last source line sit hold dark pixels in the PNG itself."""
    from PIL import Image

    fig = timeline_figure(timeline)
    rows = {gid: next(t for ax in fig.axes for t in ax.texts if t.get_gid() == gid).get_position()[1]
            for gid in ("title", "source")}  # fmt: skip
    last_source = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "source"][-1].get_position()[1]
    plt.close(fig)
    image = Image.open(io.BytesIO(render_timeline_png(timeline))).convert("L")
    for y in (rows["title"], rows["source"], last_source):
        band = image.crop((20, int(y) - 6, 700, int(y) + 6))
        assert min(band.getdata()) < 100  # text, not white paper


def test_a_long_timeline_keeps_the_newest_events_and_says_how_many_are_left_out(timeline: Timeline) -> None:
    """Thirty-five events: the thirty newest are drawn, the subtitle names the five oldest left out."""
    base = timeline.events[-1]
    many = tuple(replace(base, date=base.date - dt.timedelta(days=20 * i)) for i in range(35))
    fig = timeline_figure(Timeline(many), drawn=dt.date(2026, 1, 1))
    assert "the 5 oldest left out" in _texts(fig, "subtitle")[0]
    labels = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text().startswith("~")]
    newest = base.date_label
    assert len(labels) == 30 and any(label.startswith(newest) for label in labels)
    plt.close(fig)


def test_a_long_key_phrase_is_cut_to_its_telling_words() -> None:
    """A 14-word quote is labelled by its most telling noun phrase, elided and verbatim."""
    text = "intensifying the strategic communications between the two parties on the basis of deep comradeship"
    short = short_phrase(text)
    assert short == "\u201c… basis of deep comradeship\u201d" and short.strip("\u201c\u201d… ") in text
    assert short_phrase("into a new era") == "\u201cinto a new era\u201d"
