"""Dates: parsing the user's --since/--until values (hard filters) and reading the periods a question names
(soft: the answer model weighs them, nothing is filtered by them)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from bot.errors import BadQuestion

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_RE})\.?,?\s+((?:19|20)\d\d)\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}),?\s+((?:19|20)\d\d)\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+((?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"(?<![\d-])((?:19|20)\d\d)(?![\d-])")


@dataclass(frozen=True)
class Window:
    """An inclusive range of publication dates; either end may be open."""

    since: dt.date | None = None
    until: dt.date | None = None

    def __bool__(self) -> bool:
        return self.since is not None or self.until is not None

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> Window:
        """The window a person's --since/--until name: from the first day of `since` to the last of `until`
        (a year or a month stands for all its days); BadQuestion on a value that is not a date."""
        return cls(parse_user_date(since) if since else None, parse_user_date(until, end=True) if until else None)

    def contains(self, item: Dated) -> bool:
        """Whether an article's publication date (to its precision) overlaps the window; undated never does,
        unless the window is open at both ends."""
        return not self or published_in(item, self.since, self.until)

    def describe(self) -> str:
        """A short human phrase for the window."""
        if self.since and self.until:
            return f"between {self.since.isoformat()} and {self.until.isoformat()}"
        if self.since:
            return f"since {self.since.isoformat()}"
        return f"until {self.until.isoformat()}" if self.until else "at any time"


def parse_user_date(text: str, end: bool = False) -> dt.date:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; with end=True a year or month stands for its last day."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            year = int(value)
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if re.fullmatch(r"\d{4}-\d{1,2}", value):
            year, month = map(int, value.split("-"))
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadQuestion(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from exc


@dataclass(frozen=True)
class Period:
    """A period a text names ("October 2022", "2021", "Oct. 13, 2022"): its first and last day, where it
    starts in the text, and how exact it is (day, month or year)."""

    start: int
    first: dt.date
    last: dt.date
    precision: str

    def overlaps(self, lo: dt.date, hi: dt.date) -> bool:
        """Whether [lo, hi] shares a day with the period."""
        return lo <= self.last and self.first <= hi


def _mentions(question: str) -> list[Period]:
    found: list[Period] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    for m in _DAY_MONTH_YEAR.finditer(question):
        day = dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        found.append(Period(m.start(), day, day, "day"))
        taken.append(m.span())
    for m in _MONTH_DAY_YEAR.finditer(question):
        if free(m):
            day = dt.date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
            found.append(Period(m.start(), day, day, "day"))
            taken.append(m.span())
    for m in _MONTH_YEAR.finditer(question):
        if free(m):
            year, month = int(m[2]), _MONTHS[m[1].lower()]
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            found.append(Period(m.start(), dt.date(year, month, 1), last, "month"))
            taken.append(m.span())
    for m in _YEAR.finditer(question):
        if free(m):
            year = int(m[1])
            found.append(Period(m.start(), dt.date(year, 1, 1), dt.date(year, 12, 31), "year"))
    return sorted(found, key=lambda x: x.start)


def named_periods(text: str) -> list[Period]:
    """The periods a text names, in order; invalid calendar dates are ignored."""
    try:
        return _mentions(text)
    except ValueError:
        return []


class Dated(Protocol):
    """Anything with a publication date known to a precision: an Article or an ArticleInfo."""

    @property
    def published(self) -> dt.date | None: ...

    @property
    def published_precision(self) -> str | None: ...


def date_range_of(d: dt.date | None, precision: str | None) -> tuple[int, int]:
    """The ordinal day range of a date known to a precision (day, month or year)."""
    if d is None:
        return -1, -1
    if precision == "year":
        return dt.date(d.year, 1, 1).toordinal(), dt.date(d.year, 12, 31).toordinal()
    if precision == "month":
        nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
        return dt.date(d.year, d.month, 1).toordinal(), nxt.toordinal() - 1
    return d.toordinal(), d.toordinal()


def published_in(info: Dated, since: dt.date | None, until: dt.date | None) -> bool:
    """Whether an article's publication date (to its precision) overlaps [since, until]; undated never does."""
    lo, hi = date_range_of(info.published, info.published_precision)
    if lo < 0:
        return False
    return (since is None or hi >= since.toordinal()) and (until is None or lo <= until.toordinal())
