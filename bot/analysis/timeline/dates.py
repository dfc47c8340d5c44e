"""Dates an article names ("on Sunday", "Oct. 13", "in July", "last month"), resolved against its own date.

A relative date is only as exact as the publication date it hangs on: "on Friday" in an article whose
day is an estimate (`published_precision: month`) gives a day that is an estimate too, so its precision
drops to the article's. This follows the corpus convention: the date is the best estimate, the precision
says which part of it is reliable.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.corpus import Article

DatePrecision = Literal["day", "week", "month", "year"]
PRECISION_RANK: dict[str, int] = {"day": 0, "week": 1, "month": 2, "year": 3}

_MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name: i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["Sept"] = 9
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_FULL_MONTH = "|".join(name for name in calendar.month_name if name)
_WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)}
_YEAR = r"(?:19|20)\d\d"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_BEFORE = r"(?i:in|since|by|until|till|during|from|through|of|to|early|late|mid-?|last|this|next)"

# Most specific first: a span taken by one pattern is not read again by a later one.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy", re.compile(rf"\b(?P<d>{_DAY})\s+(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})\b")),
    ("mdy", re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})\b")),
    ("my", re.compile(rf"\b(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})\b")),
    ("md", re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>{_DAY})\b")),
    ("dm", re.compile(rf"\b(?P<d>{_DAY})\s+(?P<m>{_FULL_MONTH})\b")),
    ("m", re.compile(rf"\b{_BEFORE}\s+(?P<m>{_FULL_MONTH})\b")),
    ("y", re.compile(rf"\b(?i:in|since|by|until|during|from|of)\s+(?P<y>{_YEAR})\b(?![-–]\d)")),
    ("wd", re.compile(rf"\b(?:(?P<rel>last|next|this)\s+)?(?P<wd>{'|'.join(_WEEKDAYS)})\b")),
    ("word", re.compile(r"\b(?P<word>[Yy]esterday|[Tt]oday|[Tt]onight)\b")),
    (
        "unit",
        re.compile(
            r"\b(?P<rel>(?:[Ee]arlier|[Ll]ater)\s+(?:this|last)|[Ll]ast|[Tt]his|[Nn]ext)\s+(?P<unit>week|month|year)\b"
        ),
    ),
)
_FUTURE = re.compile(r"\b(?:will|shall|next|upcoming|scheduled|due to|to be held|plans? to|later this)\b", re.I)


def coarser(a: str, b: str) -> DatePrecision:
    """The less exact of two precisions."""
    worst = a if PRECISION_RANK[a] >= PRECISION_RANK[b] else b
    return worst  # type: ignore[return-value]


@dataclass(frozen=True)
class Anchor:
    """The date relative references are resolved against, and how exact it is."""

    date: dt.date
    precision: DatePrecision

    @classmethod
    def of(cls, article: Article) -> Anchor | None:
        """The article's publication date as an anchor (None when undated)."""
        if article.published is None:
            return None
        precision = article.published_precision or "day"
        return cls(article.published, precision)

    @property
    def latest(self) -> dt.date:
        """The last day the publication date may really be."""
        d = self.date
        if self.precision == "year":
            return dt.date(d.year, 12, 31)
        if self.precision == "month":
            return dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
        return d


@dataclass(frozen=True)
class DateMention:
    """A date named in a text: its offsets, the date it stands for and how exact that is."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: DatePrecision
    relative: bool  # resolved against the publication date
    approximate: bool  # names a finer date than `precision` vouches for (the estimate is `date`)


def find_dates(text: str, anchor: Anchor | None, offset: int = 0) -> list[DateMention]:
    """Every date named in `text`, resolved against `anchor`; offsets are shifted by `offset`."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            future = bool(_FUTURE.search(text[max(0, m.start() - 30) : m.start()])) or m.groupdict().get("rel") in (
                "next",
                "Next",
            )
            resolved = _resolve(kind, m, anchor, future)
            if resolved is None:
                continue
            date, precision, relative = resolved
            approximate = PRECISION_RANK[precision] > PRECISION_RANK[_own_precision(kind, m)]
            taken.append(m.span())
            found.append(
                DateMention(m.start() + offset, m.end() + offset, m.group(), date, precision, relative, approximate)
            )
    return sorted(found, key=lambda d: d.start)


def _resolve(
    kind: str, m: re.Match[str], anchor: Anchor | None, future: bool
) -> tuple[dt.date, DatePrecision, bool] | None:
    """(date, precision, relative) of one match, or None when it is not a valid date or needs a missing anchor."""
    g = m.groupdict()
    try:
        if kind in ("dmy", "mdy"):
            return dt.date(int(g["y"]), _MONTHS[g["m"]], _day(g["d"])), "day", False
        if kind == "my":
            return dt.date(int(g["y"]), _MONTHS[g["m"]], 1), "month", False
        if kind == "y":
            return dt.date(int(g["y"]), 1, 1), "year", False
        if anchor is None:
            return None
        if kind in ("md", "dm"):
            return _in_year_of(anchor, _MONTHS[g["m"]], _day(g["d"]), future), _needs(anchor, "year", "day"), True
        if kind == "m":
            return _in_year_of(anchor, _MONTHS[g["m"]], 1, future), _needs(anchor, "year", "month"), True
    except ValueError:
        return None  # "Feb. 30" is not a date
    if kind == "wd":
        return _weekday(anchor, _WEEKDAYS[g["wd"]], g["rel"], future), _needs(anchor, "day", "day"), True
    if kind == "word":
        back = 1 if g["word"].lower() == "yesterday" else 0
        return anchor.date - dt.timedelta(days=back), _needs(anchor, "day", "day"), True
    return _unit(anchor, g["rel"].lower(), g["unit"]) if anchor else None


def _own_precision(kind: str, m: re.Match[str]) -> DatePrecision:
    """How exact a mention is in itself, whatever the anchor: "on Friday" names a day, "in July" a month."""
    if kind in ("m", "my"):
        return "month"
    if kind == "y":
        return "year"
    if kind == "unit":
        unit = m.group("unit")
        return "week" if unit == "week" else "month" if unit == "month" else "year"
    return "day"


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _needs(anchor: Anchor, needs: str, own: DatePrecision) -> DatePrecision:
    """A relative date's precision: its own, unless it leans on a part of the anchor that is only estimated."""
    return coarser(own, anchor.precision) if PRECISION_RANK[anchor.precision] > PRECISION_RANK[needs] else own


def _in_year_of(anchor: Anchor, month: int, day: int, future: bool) -> dt.date:
    """A month (and day) without a year: the anchor's year, or the year before if that lands after publication."""
    candidate = dt.date(anchor.date.year, month, day)
    if not future and candidate > anchor.latest:
        candidate = dt.date(anchor.date.year - 1, month, day)
    return candidate


def _weekday(anchor: Anchor, weekday: int, rel: str | None, future: bool) -> dt.date:
    """The named weekday nearest the anchor: on or before it (news reports past days), after it for "next"."""
    if future:
        ahead = (weekday - anchor.date.weekday()) % 7 or 7
        return anchor.date + dt.timedelta(days=ahead)
    back = (anchor.date.weekday() - weekday) % 7
    if rel in ("last", "Last") and back == 0:
        back = 7
    return anchor.date - dt.timedelta(days=back)


def _unit(anchor: Anchor, rel: str, unit: str) -> tuple[dt.date, DatePrecision, bool]:
    """ "last week", "earlier this month", "last year", "next month" against the anchor."""
    step = -1 if "last" in rel else 1 if rel == "next" else 0
    d = anchor.date
    if unit == "week":
        return d + dt.timedelta(weeks=step), _needs(anchor, "day", "week"), True
    if unit == "month":
        index = d.year * 12 + d.month - 1 + step
        return dt.date(index // 12, index % 12 + 1, 1), _needs(anchor, "month", "month"), True
    return dt.date(d.year + step, 1, 1), "year", True
