"""Dates named in questions become publication windows; user dates parse strictly."""

import datetime as dt

import pytest

from bot.dates import parse_user_date, window_in_question
from bot.errors import BadQuestion


def test_month_and_year_becomes_that_month_plus_grace() -> None:
    """'September 2023' covers September, plus a month for reports that follow the event."""
    w = window_in_question("What did Xi write to Kim in September 2023?")
    assert w.since == dt.date(2023, 9, 1)
    assert w.until == dt.date(2023, 10, 31)


def test_two_years_give_the_span_of_both() -> None:
    """A comparison across years covers both years."""
    w = window_in_question("How did it change between his 2022 and 2023 messages?")
    assert w.since == dt.date(2022, 1, 1)
    assert w.until is not None and w.until.year == 2024 and w.until.month == 1


def test_since_opens_the_window_on_the_right() -> None:
    """'since 2022' has no end."""
    w = window_in_question("What has Kim said since 2022?")
    assert w.since == dt.date(2022, 1, 1) and w.until is None


def test_ordinals_and_bare_months_are_not_dates() -> None:
    """'60th anniversary' and 'September visit' name no window."""
    assert not window_in_question("Why no visits for the 60th anniversary after his September visit?")


def test_user_dates_accept_year_month_day() -> None:
    """YYYY, YYYY-MM and YYYY-MM-DD parse; as an end date a month means its last day."""
    assert parse_user_date("2023") == dt.date(2023, 1, 1)
    assert parse_user_date("2023-02", end=True) == dt.date(2023, 2, 28)
    assert parse_user_date("2021-07-12") == dt.date(2021, 7, 12)


def test_bad_user_date_is_one_clear_error() -> None:
    """A malformed date raises BadQuestion naming the accepted forms."""
    with pytest.raises(BadQuestion, match="YYYY-MM-DD"):
        parse_user_date("last Tuesday")
