"""`yalu timeline`, `trace`, `compare` and `quotes`: the record over time, phrase by phrase, speaker by speaker."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.common import open_services, print_citations, print_json, stdout

if TYPE_CHECKING:
    from rich.console import Console

    from bot.analysis.compare import Comparison, SalientPhrase
    from bot.analysis.phrases import QuoteList, Trace
    from bot.analysis.timeline import Timeline
    from bot.cli.common import Subcommands
    from bot.corpus import Article


def register(sub: Subcommands) -> None:
    """Add the `timeline`, `trace`, `compare` and `quotes` subcommands."""
    timeline = sub.add_parser("timeline", help="dated letters, visits and meetings in order, each cited")
    timeline.add_argument("topic", nargs="?", help='only events about this, e.g. "letters", "Xi", "treaty"')
    _add_dates(timeline, "events from/until this date")
    timeline.add_argument(
        "--kind", action="append", choices=["letter", "visit", "meeting", "call"], help="only this kind (repeatable)"
    )
    timeline.add_argument("--context", action="store_true", help="also third countries' events, not only China–DPRK")
    timeline.add_argument("--png", type=Path, metavar="FILE", help="also draw the timeline as a PNG chart")
    timeline.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    timeline.set_defaults(run=cmd_timeline)

    trace = sub.add_parser("trace", help="every use of a phrase (and its variants) in date order")
    trace.add_argument("phrase")
    _add_dates(trace, "articles published from/until this date")
    trace.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    trace.set_defaults(run=cmd_trace)

    compare = sub.add_parser("compare", help="phrases one article or period uses and the other does not")
    compare.add_argument("a", help="an article id, a unique title fragment, or a period: 2021-07, 2021-01..2021-03")
    compare.add_argument("b", help="the other side, in the same forms")
    compare.add_argument("--limit", type=int, default=10, help="phrases per side (default 10)")
    compare.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    compare.set_defaults(run=cmd_compare)

    quotes = sub.add_parser("quotes", help="who said what: the attributed quotes, verbatim")
    quotes.add_argument("--speaker", help='a speaker, e.g. "Xi", "Kim Jong-un", "KCNA"')
    quotes.add_argument("--topic", help="only quotes about this phrase or these words")
    _add_dates(quotes, "articles published from/until this date")
    quotes.add_argument("--json", action="store_true", help="print the JSON contract instead of text")
    quotes.set_defaults(run=cmd_quotes)


def _add_dates(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--since", help=f"{what}: YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--until", help=f"{what} (inclusive)")


def _articles(since: str | None = None, until: str | None = None) -> list[Article]:
    """The indexed articles (bodies included), published within the given dates."""
    from bot.analysis.phrases import corpus_articles
    from bot.dates import Window

    window = Window.parse(since, until)
    return corpus_articles(open_services().store, window.since, window.until)


def _emit(data: dict[str, Any]) -> None:
    print_json(data)


# --- timeline ----------------------------------------------------------------------------------------
def cmd_timeline(args: argparse.Namespace) -> int:
    """`yalu timeline`: the dated events of the corpus, merged across articles, in date order."""
    from bot.analysis.timeline import build_timeline
    from bot.dates import parse_user_date

    since = parse_user_date(args.since) if args.since else None
    until = parse_user_date(args.until, end=True) if args.until else None
    timeline = build_timeline(_articles(), args.topic, since, until, context=args.context, kinds=args.kind)
    if args.png:
        from bot.analysis.charts import render_timeline_png

        args.png.write_bytes(render_timeline_png(timeline))
    if args.json:
        _emit(timeline.to_json())
    else:
        _print_timeline(stdout(), timeline)
        if args.png:
            print(f"chart saved to {args.png}")
    return 0


def _print_timeline(console: Console, timeline: Timeline) -> None:
    from rich.markup import escape
    from rich.table import Table

    title = f"{len(timeline.events)} events"
    if timeline.left_out:
        title += f" ({timeline.left_out} third-country events not shown: --context)"
    table = Table("date", "event", "key phrase", "sources", show_lines=True, title=escape(title))
    for e in timeline.events:
        event = escape(e.label) + (f"\n[dim]{escape(e.occasion.text)}[/dim]" if e.occasion else "")
        phrase = f"\u201c{escape(e.key_phrase.text)}\u201d [{e.key_phrase.n}]" if e.key_phrase else ""
        sources = " ".join(f"[{c.n}]" for c in e.citations if not e.key_phrase or c.n != e.key_phrase.n)
        table.add_row(e.date_label, event, phrase, escape(sources))
    console.print(table)
    cited = {c.n: c for e in timeline.events for c in e.citations}
    print_citations(console, [cited[n] for n in sorted(cited)])


# --- trace -------------------------------------------------------------------------------------------
def cmd_trace(args: argparse.Namespace) -> int:
    """`yalu trace`: every occurrence of a phrase and its variants, in date order, with speaker and source."""
    from bot.analysis.phrases import trace_phrase

    trace = trace_phrase(_articles(args.since, args.until), args.phrase)
    if args.json:
        _emit(trace.to_json())
    else:
        _print_trace(stdout(), trace)
    return 0


def _print_trace(console: Console, trace: Trace) -> None:
    from rich.markup import escape
    from rich.table import Table

    head = f"\u201c{trace.phrase}\u201d: {len(trace.occurrences)} occurrences in {len(trace.article_ids)} articles"
    table = Table("published", "speaker", "match", "sentence", show_lines=True, title=escape(head))
    for o in trace.occurrences:
        c = o.citation
        at = o.start - c.start
        sentence = escape(c.quote[:at]) + f"[bold]{escape(o.matched)}[/bold]" + escape(c.quote[at + len(o.matched) :])
        who = escape(o.speaker or "—") + (f"\n[dim]via {escape(', '.join(o.via))}[/dim]" if o.via else "")
        date = c.published.isoformat() if c.published else "undated"
        table.add_row(f"{date}\n[dim]{escape(c.outlet or 'outlet unknown')}[/dim]", who, o.match, f"{sentence} [{c.n}]")
    console.print(table)
    if trace.variants:
        console.print(f"[dim]wordings: {escape('; '.join(trace.variants))}[/dim]")


# --- compare -----------------------------------------------------------------------------------------
def cmd_compare(args: argparse.Namespace) -> int:
    """`yalu compare A B`: the phrases only A uses, only B uses, and some both use, each cited."""
    from bot.analysis.compare import compare

    comparison = compare(_articles(), args.a, args.b, limit=args.limit)
    if args.json:
        _emit(comparison.to_json())
    else:
        _print_comparison(stdout(), comparison)
    return 0


def _print_comparison(console: Console, comparison: Comparison) -> None:
    from rich.markup import escape

    sides = ((f"only in {comparison.a.label}", comparison.only_a), (f"only in {comparison.b.label}", comparison.only_b))
    for title, phrases in (*sides, ("in both", comparison.shared)):
        console.print(_phrase_table(escape(title), phrases))
    cited = {u.citation.n: u.citation for group in (comparison.only_a, comparison.only_b, comparison.shared)
             for p in group for u in p.uses}  # fmt: skip
    print_citations(console, [cited[n] for n in sorted(cited)])


def _phrase_table(title: str, phrases: tuple[SalientPhrase, ...]) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table("phrase", "uses", "said by", "sources", title=title)
    for p in phrases:
        speakers = ", ".join(dict.fromkeys(u.speaker or "—" for u in p.uses))
        refs = " ".join(f"[{u.citation.n}]" for u in p.uses)
        table.add_row(f"\u201c{escape(p.phrase)}\u201d", str(p.count), escape(speakers), escape(refs))
    if not phrases:
        table.add_row("[dim]none[/dim]", "", "", "")
    return table


# --- quotes ------------------------------------------------------------------------------------------
def cmd_quotes(args: argparse.Namespace) -> int:
    """`yalu quotes`: the attributed quotes of the corpus, verbatim, by speaker and topic."""
    from bot.analysis.phrases import select_quotes

    quotes = select_quotes(_articles(args.since, args.until), args.speaker, args.topic)
    if args.json:
        _emit(quotes.to_json())
    else:
        _print_quotes(stdout(), quotes)
    return 0


def _print_quotes(console: Console, quotes: QuoteList) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table("published", "speaker", "quote", show_lines=True, title=f"{len(quotes.quotes)} quotes")
    for q in quotes.quotes:
        c = q.citation
        date = c.published.isoformat() if c.published else "undated"
        who = escape(q.speaker or "unattributed") + (f"\n[dim]via {escape(', '.join(q.via))}[/dim]" if q.via else "")
        table.add_row(
            f"{date}\n[dim]{escape(c.outlet or 'outlet unknown')}[/dim]", who, f"\u201c{escape(q.text)}\u201d [{c.n}]"
        )
    console.print(table)
