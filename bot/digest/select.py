"""Which articles a briefing covers: a window of publication dates, or those not briefed since they changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.dates import Window
from bot.index.store import ArticleInfo


@dataclass(frozen=True)
class Selection:
    """The articles of one briefing, the earlier ones it is compared with, and every article (for an empty one)."""

    window: Window
    articles: list[ArticleInfo]
    earlier: list[ArticleInfo]
    every: list[ArticleInfo]
    empty_what: str | None = None  # how an empty briefing names what it looked for


def select_articles(
    infos: Iterable[ArticleInfo], window: Window | None, briefed: Mapping[str, str] | None = None
) -> Selection:
    """The articles published in `window`; or, with no window, those whose content is not in `briefed`
    (id -> content hash of the last briefing that covered it), their window spanning their dates.

    The earlier articles are those published before the first chosen one: the coverage a briefing's
    changes in wording are measured against.
    """
    every = sorted(infos, key=lambda a: (a.published or dt.date.max, a.id))
    if window is None:
        done = briefed or {}
        chosen = [a for a in every if done.get(a.id) != a.content_hash]
        dates = [a.published for a in chosen if a.published]
        first = min(dates) if dates else None
        fresh = {a.id for a in chosen}
        earlier = [a for a in every if first and a.published and a.published < first and a.id not in fresh]
        span = Window(min(dates), max(dates)) if dates else Window()
        return Selection(span, chosen, earlier, every, "since the last briefing")
    chosen = [a for a in every if window.contains(a)]
    earlier = [a for a in every if window.since and a.published and a.published < window.since]
    return Selection(window, chosen, earlier, every)


def briefing_window(since: str | None, until: str | None, date: str | None, days: int | None, today: dt.date) -> Window:
    """The publication window a briefing covers: one date (or month), a range, or the last `days` days."""
    from bot.dates import parse_user_date
    from bot.errors import BadQuestion

    if date and (since or until):
        raise BadQuestion("give either --date or --since/--until, not both")
    if date:
        return Window(parse_user_date(date), parse_user_date(date, end=True))
    if since or until:
        return Window.parse(since, until)
    span = days or 7
    if span < 1:
        raise BadQuestion("--days must be 1 or more")
    return Window(today - dt.timedelta(days=span - 1), today)
