"""Each operation's result as a Reply, made once: answers, summaries, briefings, the analyst tools, sources, votes.

No markup and no adapter here: the blocks are plain text with [n] markers, and the citations carry the
verbatim quotes that the renderers show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from bot.present.reply import Block, Reply, Tone

if TYPE_CHECKING:
    from bot.analysis.accounts import AccountsReport
    from bot.analysis.compare import Comparison
    from bot.analysis.phrases import QuoteList, Trace
    from bot.analysis.timeline import Timeline
    from bot.answer_model import Answer, Citation
    from bot.bench.run import BenchResult
    from bot.conversation import Query
    from bot.digest.brief import Briefing
    from bot.digest.summarize import KeyQuote, Summary
    from bot.evaluate import EvalResult
    from bot.index.retrieve import Retrieval
    from bot.index.store import ArticleInfo
    from bot.ingest.ingestor import IngestReport


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


def _numbered(citations: Iterable[Citation]) -> list[Citation]:
    """Citations once each, by number."""
    by_n = {c.n: c for c in citations}
    return [by_n[n] for n in sorted(by_n)]


def trace_reply(trace: Trace) -> Reply:
    """Every use of a phrase in date order: date, outlet, speaker and the words matched; the wordings matched."""
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


def compare_reply(comparison: Comparison) -> Reply:
    """The phrases only one side uses, and those both use, each with its count and citations."""
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


def quotes_reply(quotes: QuoteList) -> Reply:
    """The attributed quotes, one line each: date, speaker, the words verbatim."""
    lines = [
        f"{_date(q.citation.published)}  {q.speaker or 'unattributed'}: \u201c{q.text}\u201d [{q.citation.n}]"
        for q in quotes.quotes
    ]
    text = "\n".join(lines) or "No attributed quote matches."
    return Reply("quotes", f"{len(quotes.quotes)} quotes", [Block(text)], _numbered(q.citation for q in quotes.quotes))


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


def eval_reply(result: EvalResult) -> Reply:
    """`yalu eval`'s figures: the one summary line, each kind's line, and the questions answered without
    their gold evidence (a refusal counts as no hit)."""
    blocks = [Block(result.summary_line())]
    kinds = []
    for kind, m in result.by_kind.items():
        if kind == "unanswerable":
            kinds.append(f"{kind}: n={m['n']:.0f} refused={m['refused_unanswerable']:.2f}")
        else:
            kinds.append(
                f"{kind}: n={m['n']:.0f} evidence={m['evidence_hit_rate']:.2f} facts={m['fact_recall']:.2f} "
                f"refused={m['refused_answerable']:.2f}"
            )
    blocks.append(Block("\n".join(kinds), "By kind"))
    missed = [str(r["id"]) for r in result.rows if r.get("evidence_hit") is False]
    if missed:
        blocks.append(Block(", ".join(missed[:20]) + (" \u2026" if len(missed) > 20 else ""), "Without gold evidence"))
    return Reply("eval", f"Evaluation of {len(result.rows)} questions", blocks)


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


_DOT = " \u00b7 "


def bench_reply(result: BenchResult) -> Reply:
    """The benchmark's figures, one line each with a value per corpus size (the columns of `yalu bench`'s
    table), and the machine they were measured on."""
    kind = "simulated" if result.simulated else "real-model"
    lines = [f"{label}: {_DOT.join(cells)}" for label, cells in result.figures() if label != "articles"]
    about = result.machine
    note = f"{about['cpu']}, {about['cores']} cores, {about['memory_gb']} GB; Python {about['python']}"
    title = f"Benchmark: {', '.join(result.headings())} ({kind})"
    return Reply("bench", title, [Block("\n".join(lines), _DOT.join(result.headings()))], note=note)
