"""Watches: a phrase or a topic someone asked to hear about when a newly indexed article touches it.

A phrase watch fires when a new article uses the phrase or a variant (the matcher of `yalu trace`); a topic
watch fires when a leader's quoted wording about the topic changes against earlier coverage (new or
returning wording, as the briefing's "Changes in wording" measures it). Each alert carries the cited
sentence, verbatim. Watches and the articles already checked are kept in the data dir, so a restart
neither loses a watch nor repeats an alert; each consumer (the Discord bot, the terminal) checks its own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.atomic import atomic_write
from bot.errors import BadQuestion, NotFound, StateError

if TYPE_CHECKING:
    from bot.analysis.timeline.statements import Statement
    from bot.corpus import Article
    from bot.services import Services

log = logging.getLogger(__name__)
FILE = "watches.json"
WatchKind = Literal["phrase", "topic"]
Consumer = Literal["discord", "cli"]
MAX_WATCH_CHARS = 100
RECENT_DAYS = 45  # a statement this close before its report is the report's news (as bot.analysis.timeline dates them)
MAX_PER_OWNER = 25  # a watch costs a pass over each new article: a bound keeps a poll cheap


@dataclass(frozen=True)
class Watch:
    """One watch: what is watched, whose it is, and where its alerts go."""

    id: int
    kind: WatchKind
    text: str
    owner: str  # "discord:<user id>" or "cli"
    channel_id: int | None = None  # Discord: the channel it was set in; None sends a direct message
    guild_id: int | None = None
    created: str = ""

    @property
    def consumer(self) -> Consumer:
        """Who delivers its alerts: the bot (Discord watches) or the terminal (`yalu watch`)."""
        return "discord" if self.owner.startswith("discord:") else "cli"

    @property
    def user_id(self) -> int | None:
        """The Discord user who set it, or None for a terminal watch."""
        return int(self.owner.split(":", 1)[1]) if self.consumer == "discord" else None

    def describe(self) -> str:
        """The watch in a list line: `#3 phrase “strategic communication” (here)`."""
        where = "" if self.consumer == "cli" else f" ({f'<#{self.channel_id}>' if self.channel_id else 'by DM'})"
        return f"#{self.id} {self.kind} \u201c{self.text}\u201d{where}"


@dataclass(frozen=True)
class Alert:
    """A watch that fired: the article, what it matched, and the cited sentence (verbatim from its body)."""

    watch: Watch
    article_id: str
    title: str
    outlet: str | None
    published: dt.date | None
    url: str | None
    matched: str  # the words that matched, as the article writes them
    sentence: str
    speaker: str | None = None  # topic watches: whose wording changed

    def line(self) -> str:
        """The alert as text: what fired, where, and the sentence."""
        when = self.published.isoformat() if self.published else "undated"
        what = (
            f"uses \u201c{self.matched}\u201d"
            if self.watch.kind == "phrase"
            else f"has new wording by {self.speaker}: \u201c{self.matched}\u201d"
        )
        head = f"Watch \u201c{self.watch.text}\u201d: {self.title} ({self.outlet or 'outlet unknown'}, {when}) {what}"
        return f"{head}\n> {self.sentence}" + (f"\n{self.url}" if self.url else "")


class WatchBook:
    """The watches of one data dir, and the articles each consumer has checked."""

    def __init__(self, data_dir: Path) -> None:
        """Read and write `watches.json` in `data_dir`."""
        self.path = data_dir / FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            data = exc
        if not isinstance(data, dict):  # never read as "no watches": the next write would drop them all
            raise StateError(f"{self.path}: cannot read the watches ({data}); repair or remove the file")
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True))

    def watches(self, owner: str | None = None) -> list[Watch]:
        """Every watch (or one owner's), in the order set."""
        fields = Watch.__dataclass_fields__
        records = [w for w in self._read().get("watches", []) if isinstance(w, dict)]
        found = [
            Watch(**{k: v for k, v in w.items() if k in fields})
            for w in records
            if {"id", "kind", "text", "owner"} <= set(w)
        ]
        return [w for w in found if owner is None or w.owner == owner]

    def add(
        self,
        kind: WatchKind,
        text: str,
        owner: str,
        channel_id: int | None = None,
        guild_id: int | None = None,
        now: dt.datetime | None = None,
    ) -> Watch:
        """Set a watch; BadQuestion for an empty or over-long text, a repeat, or too many watches."""
        text = " ".join(text.split())
        if not text or len(text) > MAX_WATCH_CHARS:
            raise BadQuestion(f"a watch is a phrase or topic of 1 to {MAX_WATCH_CHARS} characters")
        data = self._read()
        mine = self.watches(owner)
        if any(w.kind == kind and w.text.casefold() == text.casefold() for w in mine):
            raise BadQuestion(f"you already watch the {kind} \u201c{text}\u201d")
        if len(mine) >= MAX_PER_OWNER:
            raise BadQuestion(f"you have {MAX_PER_OWNER} watches already: remove one first")
        number = int(data.get("next_id", 1))
        stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
        watch = Watch(number, kind, text, owner, channel_id, guild_id, stamp)
        data["watches"] = [*data.get("watches", []), asdict(watch)]
        data["next_id"] = number + 1
        self._write(data)
        return watch

    def remove(self, number: int, owner: str) -> Watch:
        """Remove one of the owner's watches by number; NotFound if they have none by it."""
        data = self._read()
        chosen = next((w for w in self.watches(owner) if w.id == number), None)
        if chosen is None:
            raise NotFound(f"you have no watch #{number}: list them to see their numbers")
        data["watches"] = [w for w in data.get("watches", []) if w.get("id") != number]
        self._write(data)
        return chosen

    def checked(self, consumer: Consumer) -> set[str] | None:
        """The article ids a consumer has checked, or None before its first check."""
        ids = self._read().get("checked", {}).get(consumer)
        return {str(i) for i in ids} if isinstance(ids, list) else None

    def record_checked(self, consumer: Consumer, ids: Iterable[str]) -> None:
        """Replace the ids a consumer has checked."""
        data = self._read()
        data.setdefault("checked", {})[consumer] = sorted(set(ids))
        self._write(data)


def check_new(services: Services, consumer: Consumer) -> list[Alert]:
    """The alerts of a consumer's watches on articles indexed since its last check (at most once each).

    The first check counts everything indexed so far as checked: a watch looks forward, not back.
    """
    book = WatchBook(services.settings.data_dir)
    infos = services.articles()
    ids = {i.id for i in infos}
    checked = book.checked(consumer)
    fresh_ids = ids - checked if checked is not None else set()
    watches = [w for w in book.watches() if w.consumer == consumer]
    alerts: list[Alert] = []
    if fresh_ids and watches:
        from bot.digest.brief import previous_coverage

        fresh_infos = [i for i in infos if i.id in fresh_ids]
        earlier_infos = previous_coverage(fresh_infos, [i for i in infos if i.id not in fresh_ids])
        load = services.store.article
        fresh = [a for a in (load(i.id) for i in fresh_infos) if a is not None]
        needs_earlier = any(w.kind == "topic" for w in watches)
        earlier = [a for a in (load(i.id) for i in earlier_infos) if a is not None] if needs_earlier else []
        alerts = alerts_for(watches, fresh, earlier)
    if checked is None or fresh_ids:
        book.record_checked(consumer, (checked or set()) | ids)
    return alerts


def alerts_for(watches: Sequence[Watch], fresh: Sequence[Article], earlier: Sequence[Article]) -> list[Alert]:
    """The alerts that `fresh` articles raise for `watches`; topic changes are measured against `earlier`."""
    alerts: list[Alert] = []
    for watch in watches:
        found = _phrase_alerts(watch, fresh) if watch.kind == "phrase" else _topic_alerts(watch, fresh, earlier)
        alerts.extend(found)
    return alerts


def _phrase_alerts(watch: Watch, fresh: Sequence[Article]) -> list[Alert]:
    """One alert per fresh article that uses the phrase or a variant: its first occurrence."""
    from bot.analysis.phrases import Occurrence, trace_phrase

    by_id = {a.id: a for a in fresh}
    first: dict[str, Occurrence] = {}
    for occurrence in trace_phrase(fresh, watch.text).occurrences:
        first.setdefault(occurrence.article_id, occurrence)
    return [_alert(watch, by_id[i], o.matched, o.citation.quote, o.speaker) for i, o in first.items()]


def _topic_alerts(watch: Watch, fresh: Sequence[Article], earlier: Sequence[Article]) -> list[Alert]:
    """One alert per change in a leader's wording, in a fresh article's quote about the topic."""
    from bot.analysis.phrases.changes import wording_changes
    from bot.analysis.timeline.statements import dated_quotes
    from bot.digest.summarize import PRINCIPALS

    statements = dated_quotes([*fresh, *earlier])
    mine = {a.id for a in fresh}
    since = _period_start([s for s in statements if s.article.id in mine])
    if since is None:
        return []
    out = []
    for change in wording_changes(statements, since, PRINCIPALS):
        statement = change.use.statement
        quote = statement.quote
        sentence = statement.article.body[quote.sentence_start : quote.sentence_end]
        if change.kind != "dropped" and statement.article.id in mine and _about(sentence, watch.text):
            out.append(_alert(watch, statement.article, change.use.text, sentence, change.speaker))
    return out


def _period_start(fresh: Sequence[Statement]) -> dt.date | None:
    """The first day of the new articles' own statements: those made within RECENT_DAYS before the report.

    A report of Thursday's message is dated Thursday, before the article's own date; a quote of a letter
    years old is not what the new coverage adds, so it does not pull the period back.
    """
    recent = [
        s.first_day
        for s in fresh
        if s.article.published and s.last_day >= s.article.published - dt.timedelta(days=RECENT_DAYS)
    ]
    return min(recent, default=None)


def _about(sentence: str, topic: str) -> bool:
    """Whether a sentence is about the topic: it uses the phrase, or every content word of it."""
    from bot.analysis.phrases import find_phrase, words

    if find_phrase(sentence, topic):
        return True
    wanted = {w.key for w in words(topic) if not w.stop}
    return bool(wanted) and wanted <= {w.key for w in words(sentence)}


def _alert(watch: Watch, article: Article, matched: str, sentence: str, speaker: str | None) -> Alert:
    return Alert(
        watch, article.id, article.title, article.outlet, article.published, article.url, matched, sentence, speaker
    )


def parse_kind(value: str) -> WatchKind:
    """The watch kind a user typed ("phrase" or "topic"); BadQuestion otherwise."""
    if value not in ("phrase", "topic"):
        raise BadQuestion(f"a watch is a phrase or a topic, not {value!r}")
    return "phrase" if value == "phrase" else "topic"
