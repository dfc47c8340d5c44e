"""The commands `yalu chat` and Discord both speak: their table, and how a typed line is parsed.

A command is a name, a help line, its options, its policy (admin, private, files) and a function over
Services returning a `Reply` (`bot.present`), which neither adapter has to understand beyond its blocks
and citations: the terminal prints it, Discord turns it into embeds. No discord import here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.conversation import Query, merge
from bot.corpus import article_types, is_article_file_name
from bot.errors import BadQuestion
from bot.present.replies import (
    accounts_reply,
    answer_reply,
    bench_reply,
    briefing_reply,
    compare_reply,
    eval_reply,
    feedback_reply,
    help_reply,
    ingest_reply,
    quotes_reply,
    search_reply,
    sources_reply,
    summary_reply,
    timeline_reply,
    trace_reply,
)
from bot.present.reply import Block, Reply, Tone, error_reply

if TYPE_CHECKING:
    from bot.corpus import Article
    from bot.services import Services

OptionKind = Literal["text", "int", "flag", "file"]


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


def _window(call: Call) -> tuple[dt.date | None, dt.date | None]:
    """The call's since/until as the first and last day they name."""
    from bot.dates import Window

    window = Window.parse(call.text("since"), call.text("until"))
    return window.since, window.until


def _articles(services: Services, call: Call) -> list[Article]:
    """The indexed articles with their bodies, published within the call's since/until."""
    from bot.analysis.phrases import corpus_articles

    return corpus_articles(services.store, *_window(call))


def _trace(services: Services, call: Call) -> Reply:
    from bot.analysis.phrases import trace_phrase

    return trace_reply(trace_phrase(_articles(services, call), call.text("phrase") or ""))


def _compare(services: Services, call: Call) -> Reply:
    from bot.analysis.compare import compare

    return compare_reply(compare(_articles(services, call), call.text("a") or "", call.text("b") or ""))


def _quotes(services: Services, call: Call) -> Reply:
    from bot.analysis.phrases import select_quotes

    return quotes_reply(select_quotes(_articles(services, call), call.text("speaker"), call.text("topic")))


def _search(services: Services, call: Call) -> Reply:
    query = call.text("query") or ""
    retrieval = services.search(query, call.text("since"), call.text("until"), call.text("outlet"))
    return search_reply(query, retrieval, services.registry())


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


def _eval(services: Services, call: Call) -> Reply:
    from bot.answer.gold import load_gold
    from bot.evaluate import evaluate

    file = call.args.get("file")
    if not file:
        raise BadQuestion("attach a gold file (.jsonl, one question a line, as `yalu eval` reads)")
    path = Path(str(file)).expanduser()
    if path.suffix.lower() != ".jsonl":
        raise BadQuestion(f"{path.name}: a gold file is .jsonl, one question a line")
    return eval_reply(evaluate(services, load_gold(path)))


def _feedback(services: Services, call: Call) -> Reply:
    from bot.feedback import FeedbackStore

    return feedback_reply(list(FeedbackStore.in_data_dir(services.settings.data_dir).votes()))


def _bench(services: Services, call: Call) -> Reply:
    import tempfile

    from bot.bench.questions import QUESTIONS
    from bot.bench.run import BenchOptions, benchmark, check_remote_size

    simulate, articles = call.number("simulate"), call.number("articles")
    if simulate is not None and articles is not None:
        raise BadQuestion("/bench measures --simulate N or --articles N, not both")
    simulated = articles is None
    size = articles if articles is not None else simulate if simulate is not None else BENCH_DEFAULT_SIZE
    rounds = call.number("rounds") or 2
    if size < 1 or not 1 <= rounds <= 10:
        raise BadQuestion("/bench needs at least 1 article and 1 to 10 rounds")
    if not call.local:
        check_remote_size(size, simulated)
    with tempfile.TemporaryDirectory(prefix="yalu-bench-") as tmp:
        options = BenchOptions([size], Path(tmp), services.settings.knowledge_dir, QUESTIONS, rounds=rounds)
        return bench_reply(benchmark(options, simulated))


def _help(services: Services, call: Call) -> Reply:
    return help_reply([(c.usage(), c.help) for c in COMMANDS.values()])


BENCH_DEFAULT_SIZE = 1000  # simulated articles: about a minute, well within Discord's wait
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
            "eval",
            "score the answers to a gold file (.jsonl) of questions, evidence and facts; admin role only",
            (Option("file", "the gold file", kind="file", positional=True),),
            _eval,
            admin=True,
            private=True,
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
        Command(
            "bench",
            "time answers, memory, cold start on a synthetic index (default 1,000 articles); admin role only",
            (
                Option("simulate", "articles in a simulated index (no model at build time)", kind="int"),
                Option("articles", "articles in a real-model corpus instead (slower: each is embedded)", kind="int"),
                Option("rounds", "timed passes over the questions (default 2)", kind="int"),
            ),
            _bench,
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
