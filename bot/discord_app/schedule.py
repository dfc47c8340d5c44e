"""When the daily briefing is due, and the small state files that make posts happen exactly once.

Pure functions of (now, last posted date, settings), so a fake clock tests them; the state is JSON
in the data dir, written atomically, so a restart neither skips nor doubles a post.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.atomic import atomic_write

_BRIEFING_FILE = "discord_briefing.json"
_ANNOUNCED_FILE = "discord_announced.json"
# The loop also wakes a little after the briefing time: a post that failed (network, Discord outage)
# is retried, and a post that succeeded is not repeated because the posted date is checked first.
RETRY_AFTER = (dt.timedelta(0), dt.timedelta(minutes=15), dt.timedelta(minutes=30), dt.timedelta(hours=1))


@dataclass(frozen=True)
class DailySchedule:
    """A local time of day in a time zone."""

    at: dt.time
    tz: ZoneInfo

    def due(self, now: dt.datetime, last_posted: dt.date | None) -> dt.date | None:
        """The local date whose briefing should be posted now, or None.

        Due once the local time has passed `at` on a day not posted yet: a bot started late posts
        at once, one that already posted that day does not post again.
        """
        local = now.astimezone(self.tz)
        if local.time() < self.at or (last_posted is not None and last_posted >= local.date()):
            return None
        return local.date()

    def wake_times(self) -> list[dt.time]:
        """The times of day (time-zone aware) at which the daily loop checks `due`."""
        base = dt.datetime.combine(dt.date(2000, 1, 1), self.at)
        return sorted({(base + delta).time().replace(tzinfo=self.tz) for delta in RETRY_AFTER})


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(data, sort_keys=True))  # a crash, or a second bot, never leaves half a file


def last_posted(data_dir: Path) -> dt.date | None:
    """The local date of the last daily briefing posted, or None before the first."""
    data = _read(data_dir / _BRIEFING_FILE)
    try:
        return dt.date.fromisoformat(data["last_posted"]) if isinstance(data, dict) else None
    except (KeyError, TypeError, ValueError):
        return None


def record_posted(data_dir: Path, day: dt.date) -> None:
    """Remember that the briefing of `day` was posted."""
    _write(data_dir / _BRIEFING_FILE, {"last_posted": day.isoformat()})


def announced(data_dir: Path) -> set[str] | None:
    """Ids of the articles already announced, or None if the bot never ran with announcements."""
    data = _read(data_dir / _ANNOUNCED_FILE)
    return {str(i) for i in data["ids"]} if isinstance(data, dict) and isinstance(data.get("ids"), list) else None


def record_announced(data_dir: Path, ids: set[str]) -> None:
    """Replace the set of announced article ids."""
    _write(data_dir / _ANNOUNCED_FILE, {"ids": sorted(ids)})
