"""Dates named in questions are read as periods (never filters); user dates parse strictly."""

import datetime as dt

import pytest

from bot.dates import Window, named_periods, parse_user_date
from bot.errors import BadQuestion


def test_month_and_year_is_that_whole_month() -> None:
    """'September 2023' names September 2023, to the month."""
    (p,) = named_periods("What did Xi write to Kim in September 2023?")
    assert (p.first, p.last, p.precision) == (dt.date(2023, 9, 1), dt.date(2023, 9, 30), "month")


def test_two_years_are_two_periods_in_order() -> None:
    """A comparison across years names each year."""
    periods = named_periods("How did the wording shift from 2022 to 2023?")
    assert [(p.first.year, p.precision) for p in periods] == [(2022, "year"), (2023, "year")]


def test_a_day_is_read_in_either_order() -> None:
    """'13 October 2022' and 'Oct. 13, 2022' name the same day."""
    a, b = named_periods("on 13 October 2022"), named_periods("on Oct. 13, 2022")
    assert a[0].first == b[0].first == dt.date(2022, 10, 13) and a[0].precision == "day"


def test_ordinals_and_bare_months_are_not_dates() -> None:
    """'60th anniversary' and 'September visit' name no period."""
    assert not named_periods("Why no visits for the 60th anniversary after his September visit?")


def test_overlap_is_inclusive() -> None:
    """A period overlaps a range that shares even its last day."""
    (p,) = named_periods("in July 2021")
    assert p.overlaps(dt.date(2021, 7, 31), dt.date(2021, 8, 5)) and not p.overlaps(
        dt.date(2021, 8, 1), dt.date(2021, 9, 1)
    )


def test_user_dates_accept_year_month_day() -> None:
    """YYYY, YYYY-MM and YYYY-MM-DD parse; as an end date a month means its last day."""
    assert parse_user_date("2023") == dt.date(2023, 1, 1)
    assert parse_user_date("2023-02", end=True) == dt.date(2023, 2, 28)
    assert parse_user_date("2021-07-12") == dt.date(2021, 7, 12)


def test_bad_user_date_is_one_clear_error() -> None:
    """A malformed date raises BadQuestion naming the accepted forms."""
    with pytest.raises(BadQuestion, match="YYYY-MM-DD"):
        parse_user_date("last Tuesday")


def test_a_window_from_user_dates_covers_whole_months_and_years() -> None:
    """`Window.parse("2023-09", "2024")` runs from 1 September 2023 to 31 December 2024."""
    window = Window.parse("2023-09", "2024")
    assert (window.since, window.until) == (dt.date(2023, 9, 1), dt.date(2024, 12, 31))
    assert not Window.parse(None, None)


def test_a_window_contains_articles_by_the_precision_of_their_date() -> None:
    """An article dated only to its month is in a window that overlaps that month; an undated one is in no
    bounded window, and in the open window."""
    from types import SimpleNamespace

    september = SimpleNamespace(published=dt.date(2023, 9, 1), published_precision="month")
    undated = SimpleNamespace(published=None, published_precision=None)
    assert Window.parse("2023-09-20", "2023-10").contains(september)
    assert not Window.parse("2023-10", None).contains(september)
    assert not Window.parse("2020", None).contains(undated) and Window().contains(undated)
