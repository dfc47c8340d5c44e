"""The commands `yalu chat` and Discord both speak: their table, how a typed line is parsed, what they return.

A command is a name, a help line, its options and a function over Services returning a `Reply`,
which neither adapter has to understand beyond its blocks and citations: the terminal prints it,
Discord turns it into embeds. No discord import here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.conversation import Query, merge
from bot.corpus import article_types, is_article_file_name
from bot.errors import BadQuestion

if TYPE_CHECKING:
    from bot.analysis.accounts import AccountsReport
    from bot.analysis.timeline import Timeline
    from bot.answer_model import Answer, Citation
    from bot.corpus import Article
    from bot.digest.brief import Briefing
    from bot.digest.summarize import KeyQuote, Summary
    from bot.index.retrieve import Retrieval
    from bot.index.store import ArticleInfo
    from bot.ingest.ingestor import IngestReport
    from bot.services import Services

OptionKind = Literal["text", "int", "flag", "file"]
Tone = Literal["ok", "notice", "error"]


# --- replies -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    """A paragraph of a reply: plain text (no markup) that may carry [n] markers, under an optional heading."""

    text: str
    heading: str | None = None


@dataclass
class Reply:
    """What a command returns, for any adapter to render: title, blocks, numbered sources."""

    kind: str  # answer, summary, briefing, sources, help, ingest, error
    title: str
    blocks: list[Block]
    citations: list[Citation] = field(default_factory=list)
    tone: Tone = "ok"
    note: str | None = None  # one line on the reply's status ("Insufficient evidence: ...")
    question: str | None = None  # for answers: the standalone question that was answered
    added: list[str] = field(default_factory=list)  # for `add`: ids of articles new to the index
    picture: tuple[str, bytes] | None = None  # a chart to show with it: (file name, PNG bytes)

    @property
    def text(self) -> str:
        """The reply's blocks as plain text."""
        return "\n\n".join(f"{b.heading}\n{b.text}" if b.heading else b.text for b in self.blocks)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "undated"


def answer_reply(answer: Answer, query: Query | None = None) -> Reply:
    """An answer: its text with [n] markers, its citations, a note when the evidence was insufficient, and the
    filters it was asked with (a follow-up's inherited outlet or dates are otherwise invisible)."""
    blocks = [Block(answer.answer)] + ([Block(answer.notice)] if answer.notice else [])
    answered = answer.status == "answered"
    status = None
    if not answered:
        status = "Insufficient evidence: " + (
            "the closest passages are listed as sources." if answer.citations else "no passage came close enough."
        )
    note = " \u00b7 ".join(x for x in (status, filters_line(query)) if x) or None
    tone: Tone = "ok" if answered else "notice"
    return Reply("answer", answer.question, blocks, answer.citations, tone, note, question=answer.question)


def filters_line(query: Query | None) -> str | None:
    """The filters of a query in words ("Filtered: published from 2023 to 2023-06, outlet “Herald”"), or None."""
    if query is None or not query.has_filters:
        return None
    parts = []
    if query.since and query.until:
        parts.append(f"published from {query.since} to {query.until}")
    elif query.since or query.until:
        parts.append(f"published {'from' if query.since else 'until'} {query.since or query.until}")
    if query.outlet:
        parts.append(f"outlet \u201c{query.outlet}\u201d")
    return "Filtered: " + ", ".join(parts)


def _quote_lines(quotes: Iterable[KeyQuote]) -> str:
    lines = []
    for q in quotes:
        via = f" (via {', '.join(q.via)})" if q.via else ""
        lines.append(f"{q.speaker or 'unattributed'}{via}: \u201c{q.quote}\u201d [{q.n}]")
    return "\n".join(lines)


def summary_reply(summary: Summary) -> Reply:
    """A summary: outlet and date, cited bullets, attributed key quotes."""
    bullets = "\n".join(f"\u2022 {b.text} {''.join(f'[{n}]' for n in b.citations)}" for b in summary.bullets)
    blocks = [Block(f"{summary.outlet or 'outlet unknown'}, {_date(summary.published)}"), Block(bullets)]
    if summary.quotes:
        blocks.append(Block(_quote_lines(summary.quotes), "Key quotes"))
    if summary.notice:
        blocks.append(Block(summary.notice))
    return Reply("summary", summary.headline, blocks, summary.citations)


def briefing_reply(briefing: Briefing, title: str | None = None) -> Reply:
    """A briefing: anniversaries of the day, overview, lead stories, also reported, key quotes, changes in wording."""
    from bot.digest.brief import also_reported_line, change_line, story_block

    blocks = [Block(note.text, "Anniversary") for note in briefing.anniversaries]
    blocks.append(Block(briefing.overview))
    for story in briefing.lead_stories:
        heading, text = story_block(story)
        blocks.append(Block(text, heading))
    if briefing.also_reported:
        blocks.append(Block("\n".join(also_reported_line(s) for s in briefing.also_reported), "Also reported"))
    if briefing.quotes:
        blocks.append(Block(_quote_lines(briefing.quotes), "Key quotes"))
    if briefing.changes:
        lines = "\n".join(change_line(c) for c in briefing.changes)
        blocks.append(Block(lines, f"Changes in wording (against {briefing.changes[0].compared_with})"))
    if briefing.notice:
        blocks.append(Block(briefing.notice))
    window = f"{_date(briefing.since)} to {_date(briefing.until)}" if briefing.since else "all dates"
    tone: Tone = "ok" if briefing.status == "ok" else "notice"
    citations = briefing.citations + [c for note in briefing.anniversaries for c in note.citations]
    return Reply("briefing", title or f"Briefing, {window}", blocks, citations, tone)


def accounts_reply(report: AccountsReport) -> Reply:
    """Each exchange's accounts side by side, verbatim and cited, then where they differ."""
    from bot.analysis.accounts import exchange_blocks

    blocks = [
        Block(text, f"{exchange.label}: {heading}")
        for exchange in report.exchanges
        for heading, text in exchange_blocks(exchange)
    ]
    if not blocks:
        return Reply("accounts", report.query, [Block("No letter, visit or meeting matches this.")], tone="notice")
    return Reply("accounts", f"Accounts: {report.query}", blocks, report.citations)


def sources_reply(articles: Iterable[ArticleInfo]) -> Reply:
    """The indexed articles, newest first: date, title, outlet and id."""
    ordered = sorted(articles, key=lambda a: (a.published or dt.date.min, a.id), reverse=True)
    lines = [f"{_date(a.published)} \u2014 {a.title} ({a.outlet or 'outlet unknown'}) \u00b7 {a.id}" for a in ordered]
    return Reply("sources", f"{len(lines)} articles", [Block("\n".join(lines) or "No article is indexed yet.")])


HELP_TIP = (
    "A plain question (in Discord: mention Yalu) is answered too, in a thread; a follow-up such as "
    "\u201cand in 2023?\u201d or \u201cwhat about Kim?\u201d is read with the earlier question."
)


def help_reply(rows: Iterable[tuple[str, str]], tip: str = HELP_TIP) -> Reply:
    """The command list, and how plain questions and follow-ups work."""
    lines = [f"{usage} \u2014 {text}" for usage, text in rows]
    return Reply("help", "Yalu commands", [Block("\n".join(lines)), Block(tip)])


def ingest_reply(report: IngestReport) -> Reply:
    """What an `add` did: the articles added, updated or unchanged, and the files refused."""
    lines = [
        f"{what}: {i}"
        for what, ids in (("added", report.added), ("updated", report.updated), ("unchanged", report.unchanged))
        for i in ids
    ]
    lines += [f"refused: {line}" for line in report.errors]
    tone: Tone = "ok" if report.changed else ("error" if report.errors else "notice")
    title = "Article added" if report.added else ("Article updated" if report.updated else "Nothing added")
    return Reply(
        "ingest", title, [Block("\n".join(lines) or "No article file was given.")], tone=tone, added=list(report.added)
    )


def error_reply(message: str) -> Reply:
    """A domain error as a reply (the message is the error's one line)."""
    return Reply("error", "Could not do that", [Block(message)], tone="error")


# --- commands ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One argument of a command; `positional` takes the free text of a typed line."""

    name: str
    help: str
    kind: OptionKind = "text"
    required: bool = False
    positional: bool = False


@dataclass(frozen=True)
class Call:
    """The arguments a command was called with, and whether it was typed on this machine (files allowed)."""

    args: Mapping[str, Any]
    local: bool = False

    def text(self, name: str) -> str | None:
        """A text argument, None when absent or blank."""
        value = self.args.get(name)
        return str(value).strip() or None if value is not None else None

    def number(self, name: str) -> int | None:
        """An integer argument, or None."""
        value = self.args.get(name)
        return None if value is None else int(value)


@dataclass(frozen=True)
class Command:
    """A command of the table, with the policy every adapter reads from it.

    `slow`: answered after a deferral. `admin`: Discord offers it to server managers only and checks the
    admin role (typed in `yalu chat`, on this machine, it is always allowed). `private`: Discord answers
    only the person who asked. A `file` option is a path in `yalu chat` and an attachment in Discord, which
    never reads a path a user names (`Call.local`).
    """

    name: str
    help: str
    options: tuple[Option, ...]
    run: Callable[[Services, Call], Reply]
    slow: bool = True
    admin: bool = False
    private: bool = False

    @property
    def local_files(self) -> bool:
        """Whether the command takes a file: a path on this machine, an attachment in Discord."""
        return any(o.kind == "file" for o in self.options)

    def usage(self) -> str:
        """`/ask QUESTION [--since D] ...` as typed in `yalu chat`."""
        parts = [f"/{self.name}"]
        for o in self.options:
            shown = o.name.upper() if o.positional else f"--{o.name}" + ("" if o.kind == "flag" else " X")
            parts.append(shown if o.required else f"[{shown}]")
        return " ".join(parts)


def ask_query(services: Services, query: Query) -> Reply:
    """The cited answer to a standalone query."""
    return answer_reply(services.ask(query.question, query.since, query.until, query.outlet), query)


def _ask(services: Services, call: Call) -> Reply:
    query = Query(call.text("question") or "", call.text("since"), call.text("until"), call.text("outlet"))
    return ask_query(services, query)


def _brief(services: Services, call: Call) -> Reply:
    return briefing_reply(services.brief(date=call.text("date"), days=call.number("days")))


def _summarize(services: Services, call: Call) -> Reply:
    # From Discord only indexed articles: never a file on the bot's machine (the core refuses it too).
    return summary_reply(services.summarize(call.text("article") or "", files=call.local))


def _accounts(services: Services, call: Call) -> Reply:
    return accounts_reply(services.accounts(call.text("event") or ""))


def _sources(services: Services, call: Call) -> Reply:
    return sources_reply(services.articles())


def _timeline(services: Services, call: Call) -> Reply:
    from bot.analysis.charts import render_timeline_png
    from bot.analysis.phrases import corpus_articles
    from bot.analysis.timeline import build_timeline

    timeline = build_timeline(corpus_articles(services.store), call.text("topic"), *_window(call))
    reply = timeline_reply(timeline)
    if timeline.events:
        reply.picture = ("timeline.png", render_timeline_png(timeline))
    return reply


def timeline_reply(timeline: Timeline) -> Reply:
    """A timeline: one line per event (date, who to whom, its key phrase), its sources numbered once."""
    lines = []
    for e in timeline.events:
        phrase = f" — “{e.key_phrase.text}”" if e.key_phrase else ""
        marks = "".join(f"[{n}]" for n in sorted({c.n for c in e.citations}))
        lines.append(f"{e.date_label}  {e.label}{phrase} {marks}")
    about = f" on \u201c{timeline.topic}\u201d" if timeline.topic else ""
    title = f"Timeline{about}: {len(timeline.events)} events"
    text = "\n".join(lines) or "No dated exchange between China and North Korea in these articles."
    return Reply("timeline", title, [Block(text)], _numbered(c for e in timeline.events for c in e.citations))


def _window(call: Call) -> tuple[dt.date | None, dt.date | None]:
    """The call's since/until as the first and last day they name."""
    from bot.dates import parse_user_date

    since, until = call.text("since"), call.text("until")
    return (parse_user_date(since) if since else None), (parse_user_date(until, end=True) if until else None)


def _articles(services: Services, call: Call) -> list[Article]:
    """The indexed articles with their bodies, published within the call's since/until."""
    from bot.analysis.phrases import corpus_articles

    return corpus_articles(services.store, *_window(call))


def _numbered(citations: Iterable[Citation]) -> list[Citation]:
    """Citations once each, by number."""
    by_n = {c.n: c for c in citations}
    return [by_n[n] for n in sorted(by_n)]


def _trace(services: Services, call: Call) -> Reply:
    from bot.analysis.phrases import trace_phrase

    trace = trace_phrase(_articles(services, call), call.text("phrase") or "")
    lines = []
    for o in trace.occurrences:
        c = o.citation
        who = f"{c.outlet or 'outlet unknown'} \u2014 {o.speaker or 'unattributed'}"
        lines.append(f"{_date(c.published)}  {who}: \u201c{o.matched}\u201d [{c.n}]")
    title = f"\u201c{trace.phrase}\u201d: {len(trace.occurrences)} uses in {len(trace.article_ids)} articles"
    blocks = [Block("\n".join(lines) or "No article uses this phrase or a variant of it.")]
    if trace.variants:
        blocks.append(Block("; ".join(trace.variants), "Wordings matched"))
    return Reply("trace", title, blocks, _numbered(o.citation for o in trace.occurrences))


def _compare(services: Services, call: Call) -> Reply:
    from bot.analysis.compare import compare

    comparison = compare(_articles(services, call), call.text("a") or "", call.text("b") or "")
    groups = (
        (f"Only in {comparison.a.label}", comparison.only_a),
        (f"Only in {comparison.b.label}", comparison.only_b),
        ("In both", comparison.shared),
    )
    blocks = []
    for heading, phrases in groups:
        lines = [f"\u201c{p.phrase}\u201d \u00d7{p.count} " + "".join(f"[{u.citation.n}]" for u in p.uses)
                 for p in phrases]  # fmt: skip
        blocks.append(Block("\n".join(lines) or "none", heading))
    cited = _numbered(u.citation for _, phrases in groups for p in phrases for u in p.uses)
    return Reply("compare", f"{comparison.a.label} against {comparison.b.label}", blocks, cited)


def _quotes(services: Services, call: Call) -> Reply:
    from bot.analysis.phrases import select_quotes

    quotes = select_quotes(_articles(services, call), call.text("speaker"), call.text("topic"))
    lines = [
        f"{_date(q.citation.published)}  {q.speaker or 'unattributed'}: \u201c{q.text}\u201d [{q.citation.n}]"
        for q in quotes.quotes
    ]
    text = "\n".join(lines) or "No attributed quote matches."
    return Reply("quotes", f"{len(quotes.quotes)} quotes", [Block(text)], _numbered(q.citation for q in quotes.quotes))


def _search(services: Services, call: Call) -> Reply:
    query = call.text("query") or ""
    retrieval = services.search(query, call.text("since"), call.text("until"), call.text("outlet"))
    return search_reply(query, retrieval, services.registry())


def search_reply(query: str, retrieval: Retrieval, registry: Mapping[str, ArticleInfo]) -> Reply:
    """Ranked passages: each numbered, its opening words shown, the whole passage cited verbatim."""
    from bot.answer_model import Citation

    citations, lines = [], []
    for n, p in enumerate(retrieval.passages, 1):
        info = registry.get(p.chunk.article_id)
        chunk = p.chunk
        citations.append(
            Citation(
                n,
                chunk.article_id,
                info.title if info else chunk.article_id,
                info.outlet if info else None,
                info.published if info else None,
                info.url if info else None,
                chunk.text,
                chunk.text,
                chunk.start,
                chunk.start + len(chunk.text),
            )
        )
        opening = " ".join(chunk.text.split())
        lines.append(f"[{n}] {opening[:160]}\u2026" if len(opening) > 160 else f"[{n}] {opening}")
    text = "\n".join(lines) or "No passage matches."
    return Reply("search", f"Passages for \u201c{query}\u201d", [Block(text)], citations, question=query)


def _add(services: Services, call: Call) -> Reply:
    url, file = call.text("url"), call.args.get("file")
    if url:  # fetched under bot.ingest.fetch_url's checks: public http(s) hosts, size and time capped
        return ingest_reply(services.ingest_url(url))
    if not file:
        raise BadQuestion(f"attach an article file ({article_types()})")
    path = Path(str(file)).expanduser()
    if not is_article_file_name(path.name):
        raise BadQuestion(f"{path.name}: only article files ({article_types()}) can be added")
    report = services.ingest([path])
    if not call.local:  # an upload's temporary folder means nothing to the person who attached the file
        report.errors = [line.replace(f"{path.parent}{os.sep}", "") for line in report.errors]
    return ingest_reply(report)


def _feeds(services: Services, call: Call) -> Reply:
    from bot.feeds import poll_feeds
    from bot.watches import check_new

    report = poll_feeds(services, due_only=False)
    lines = report.lines() or ["No feeds yet: subscribe with `yalu feeds add URL`."]
    blocks = [Block("\n".join(lines))]
    if alerts := check_new(services, "cli"):
        blocks.append(Block("\n\n".join(a.line() for a in alerts), "Watches"))
    tone: Tone = "error" if report.outcomes and all(o.status == "failed" for o in report.outcomes) else "ok"
    return Reply("feeds", "Feeds polled", blocks, tone=tone, added=report.added)


def _watch(services: Services, call: Call) -> Reply:
    from bot.watches import WatchBook

    book = WatchBook(services.settings.data_dir)
    watch = book.add("topic" if call.args.get("topic") else "phrase", call.text("text") or "", "cli")
    return Reply("watch", "Watching", [Block(f"{watch.describe()}: /watches shows its alerts as articles arrive")])


def _watches(services: Services, call: Call) -> Reply:
    from bot.watches import WatchBook, check_new

    book = WatchBook(services.settings.data_dir)
    removed = call.number("remove")
    if removed is not None:
        return Reply("watch", "Watch removed", [Block(book.remove(removed, "cli").describe())])
    blocks = [Block("\n".join(w.describe() for w in book.watches("cli")) or "No watches yet: /watch PHRASE")]
    if alerts := check_new(services, "cli"):
        blocks.append(Block("\n\n".join(a.line() for a in alerts), "New alerts"))
    return Reply("watch", "Your watches", blocks)


def _feedback(services: Services, call: Call) -> Reply:
    from bot.feedback import FeedbackStore

    return feedback_reply(list(FeedbackStore.in_data_dir(services.settings.data_dir).votes()))


def feedback_reply(votes: list[dict[str, Any]], latest: int = 5) -> Reply:
    """The vote counts, and the questions of the latest answers voted down with the opening of each answer."""
    up = sum(v["vote"] == "up" for v in votes)
    down = sum(v["vote"] == "down" for v in votes)
    blocks = [Block(f"{up} \U0001f44d, {down} \U0001f44e on {len({v['reply_id'] for v in votes})} replies")]
    downs = [v for v in reversed(votes) if v["vote"] == "down"][:latest]
    if downs:
        lines = []
        for v in downs:
            opening = " ".join(str(v["answer"]).split())
            opening = opening[:140] + "\u2026" if len(opening) > 140 else opening
            lines.append(f"\u201c{v['question'] or v['kind']}\u201d ({v['voted_at'][:10]}): {opening}")
        blocks.append(Block("\n".join(lines), "Voted down, latest first"))
    return Reply("feedback", "Votes on answers", blocks, tone="ok" if votes else "notice")


def _help(services: Services, call: Call) -> Reply:
    return help_reply([(c.usage(), c.help) for c in COMMANDS.values()])


_DATE = "YYYY, YYYY-MM or YYYY-MM-DD"
_SINCE = Option("since", f"earliest publication date: {_DATE}")
_UNTIL = Option("until", f"latest publication date: {_DATE}")
_OUTLET = Option("outlet", "only articles from outlets whose name contains this")
COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "ask",
            "a cited answer from the articles",
            (
                Option("question", "what you want to know", required=True, positional=True),
                _SINCE,
                _UNTIL,
                _OUTLET,
                Option("private", "only you see the answer", kind="flag"),
            ),
            _ask,
        ),
        Command(
            "brief",
            "a cited briefing on a day or month, or on the last days (default: 7)",
            (
                Option("date", "one day or month: YYYY-MM-DD or YYYY-MM", positional=True),
                Option("days", "the last N days up to today", kind="int"),
            ),
            _brief,
        ),
        Command(
            "summarize",
            "headline, cited bullets and key quotes of one article",
            (Option("article", "the article's id or part of its title", required=True, positional=True),),
            _summarize,
        ),
        Command(
            "accounts",
            "every report of one exchange side by side, and where they differ",
            (Option("event", "a date (2022-10) or words of the event", required=True, positional=True),),
            _accounts,
        ),
        Command("sources", "the indexed articles", (), _sources, slow=False),
        Command(
            "timeline",
            "the dated exchanges, in date order, with their sources and a chart",
            (
                Option("topic", "only events about this, e.g. letters, Xi, treaty", positional=True),
                Option("since", f"events from this date: {_DATE}"),
                Option("until", f"events until this date: {_DATE}"),
            ),
            _timeline,
        ),
        Command(
            "trace",
            "every use of a phrase (and its variants) in date order, with speaker and source",
            (
                Option("phrase", "the phrase, e.g. strategic communication", required=True, positional=True),
                _SINCE,
                _UNTIL,
            ),
            _trace,
        ),
        Command(
            "compare",
            "the phrases one article or period uses and the other does not",
            (
                Option("a", "an article id or title words, or a period: 2021-07, 2021-01..2021-03", required=True),
                Option("b", "the other side, in the same forms", required=True),
            ),
            _compare,
        ),
        Command(
            "quotes",
            "who said what: the attributed quotes, verbatim",
            (
                Option("speaker", "a speaker, e.g. Xi, Kim Jong-un, KCNA"),
                Option("topic", "only quotes about this phrase or these words"),
                _SINCE,
                _UNTIL,
            ),
            _quotes,
        ),
        Command(
            "search",
            "the passages that match best, without an answer",
            (
                Option("query", "words or a question", required=True, positional=True),
                _SINCE,
                _UNTIL,
                _OUTLET,
            ),
            _search,
        ),
        Command(
            "add",
            "add an article (.md, .txt or .html file, or a URL); admin role only",
            (
                Option("file", "the article file", kind="file", positional=True),
                Option("url", "the article's web address (http or https)"),
            ),
            _add,
            admin=True,
        ),
        Command("feeds", "poll every feed now and index its new items; admin role only", (), _feeds, admin=True),
        Command(
            "watch",
            "be told when a new article uses a phrase (or, with --topic, changes a leader's wording on it)",
            (
                Option("text", "the phrase or topic", required=True, positional=True),
                Option("topic", "watch a topic rather than a phrase", kind="flag"),
            ),
            _watch,
            slow=False,
        ),
        Command(
            "watches",
            "your watches, and the alerts of articles indexed since you last looked",
            (Option("remove", "the number of a watch to remove", kind="int"),),
            _watches,
            slow=False,
        ),
        Command(
            "feedback",
            "the \U0001f44d/\U0001f44e votes on answers and the latest answers voted down; admin role only",
            (),
            _feedback,
            slow=False,
            admin=True,
            private=True,
        ),
        Command("help", "what Yalu can do", (), _help, slow=False, private=True),
    )
}


def parse_line(line: str) -> tuple[Command, dict[str, Any]]:
    """A typed command line (`/ask What did Xi write? --since 2023`) -> its command and arguments."""
    name, _, rest = line.strip().removeprefix("/").partition(" ")
    command = COMMANDS.get(name.lower())
    if command is None:
        raise BadQuestion(f"unknown command /{name}; /help lists the commands")
    return command, parse_options(command, rest)


def parse_options(command: Command, text: str) -> dict[str, Any]:
    """`--name value` options and free text (the positional option) of one command's arguments."""
    options = {o.name: o for o in command.options}
    args: dict[str, Any] = {}
    free: list[str] = []
    tokens = text.split()
    while tokens:
        token = tokens.pop(0)
        option = options.get(token[2:]) if token.startswith("--") else None
        if option is None:
            free.append(token)
        elif option.kind == "flag":
            args[option.name] = True
        elif not tokens:
            raise BadQuestion(f"--{option.name} needs a value: {command.usage()}")
        else:
            args[option.name] = _value(option, tokens.pop(0))
    positional = next((o for o in command.options if o.positional), None)
    if free and positional is None:
        raise BadQuestion(f"/{command.name} takes no text: {command.usage()}")
    if free and positional:
        args[positional.name] = " ".join(free)
    missing = [o.name for o in command.options if o.required and not args.get(o.name)]
    if missing:
        raise BadQuestion(f"/{command.name} needs {', '.join(missing)}: {command.usage()}")
    return args


def _value(option: Option, raw: str) -> Any:
    if option.kind != "int":
        return raw
    try:
        return int(raw)
    except ValueError:
        raise BadQuestion(f"--{option.name} takes a whole number, not {raw!r}") from None


def query_of(text: str) -> Query:
    """The query in a plain line or a mention: question words plus any --since/--until/--outlet."""
    args = parse_options(COMMANDS["ask"], text)
    return Query(args["question"], args.get("since"), args.get("until"), args.get("outlet"))


@dataclass
class ChatSession:
    """One `yalu chat` conversation: commands, and plain lines read as follow-ups of the last question."""

    services: Services
    last: Query | None = None
    outlets: list[str] = field(default_factory=list)

    def handle(self, line: str) -> Reply:
        """The reply to one typed line; a domain error becomes an error reply, the session goes on."""
        from bot.failures import user_text

        try:
            return self._handle(line.strip())
        except Exception as exc:  # a domain error or a damaged store is a reply; a bug still propagates
            if (text := user_text(exc)) is None:
                raise
            return error_reply(text)

    def _handle(self, line: str) -> Reply:
        if line.startswith("/"):
            command, args = parse_line(line)
            if command.name == "ask":  # an explicit /ask starts a new conversation: no follow-up rewriting
                return self._ask(Query(args["question"], args.get("since"), args.get("until"), args.get("outlet")))
            return command.run(self.services, Call(args, local=True))
        if not self.outlets:
            self.outlets = sorted({a.outlet for a in self.services.articles() if a.outlet})
        return self._ask(merge(query_of(line), self.last, self.outlets))

    def _ask(self, query: Query) -> Reply:
        self.last = query
        return ask_query(self.services, query)
