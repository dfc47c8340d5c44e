"""Replies as Discord embeds: answer text with [n] markers, numbered sources, quotes on demand.

Discord's limits (2,000 characters of content, 4,096 of embed description, 6,000 per embed and per
message, 10 embeds per message) are met by splitting between paragraphs, lines, sentences or words,
so no [n] marker, quote or source line is ever cut, and a marker stays with the sentence it follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.utils import escape_markdown

from bot.analysis.provenance import cited_sources
from bot.names import AGENCIES
from bot.present.reply import Block, Reply, Tone
from bot.safe_text import shown

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # per embed, and for all embeds of one message together
EMBEDS_PER_MESSAGE = 10

NO_PINGS = discord.AllowedMentions.none()
_COLOURS: dict[Tone, discord.Colour] = {
    "ok": discord.Colour.dark_teal(),
    "notice": discord.Colour.gold(),
    "error": discord.Colour.red(),
}
# Coarsest boundary first. A break never falls just before a "[n]" marker, which stays with its sentence.
_BREAKS = (
    re.compile(r"\n{2,}(?!\[\d)"),
    re.compile(r"\n(?!\[\d)"),
    re.compile(r"(?<=[.!?…”\"’)\]])\s+(?!\[\d)"),
    re.compile(r"\s+(?!\[\d)"),
)


# Text from articles and models is data: "@everyone", "<@&123>" and "https://..." are shown, never acted on.
_PING = re.compile(r"(?<!\w)@(everyone|here)\b|<(@[!&]?|#)(\d+)>")
_SCHEME = re.compile(r"\b([a-z][a-z0-9+.-]*):(?=//)", re.I)


def defang(text: str) -> str:
    """Text made inert for Discord: mentions cannot ping, addresses are not turned into links.

    A zero-width space is put inside each mention and after each URL scheme: the reader sees the same
    characters, Discord parses neither. Only an article's recorded URL (in its source line) is a link.
    """
    text = _PING.sub(lambda m: f"@\u200b{m[1]}" if m[1] else f"<{m[2]}\u200b{m[3]}>", text)
    return _SCHEME.sub("\\1:\u200b", text)


@dataclass
class Post:
    """One Discord message to send: its embeds, and optionally text content and buttons."""

    embeds: list[discord.Embed] = field(default_factory=list)
    content: str | None = None
    view: discord.ui.View | None = None


def split_text(text: str, limit: int, level: int = 0) -> list[str]:
    """Pieces of at most `limit` characters, cut at the coarsest boundary that makes them fit."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    if level == len(_BREAKS):
        return [text[i : i + limit] for i in range(0, len(text), limit)]  # one "word" longer than a message
    pieces: list[str] = []
    current = ""
    for atom in _atoms(text, _BREAKS[level]):
        if len((current + atom).rstrip()) <= limit:
            current += atom
            continue
        if current.strip():
            pieces.append(current.strip())
        current = atom
        if len(atom.strip()) > limit:
            pieces.extend(split_text(atom, limit, level + 1))
            current = ""
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _atoms(text: str, boundary: re.Pattern[str]) -> list[str]:
    """The text cut after each boundary, every atom keeping the separator that follows it."""
    atoms, start = [], 0
    for m in boundary.finditer(text):
        atoms.append(text[start : m.end()])
        start = m.end()
    atoms.append(text[start:])
    return atoms


def shorten(text: str, limit: int) -> str:
    """A one-line text cut to `limit` characters with an ellipsis (titles, never cited text)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def markdown_text(text: str) -> str:
    """Article or model text for a Markdown field: no control character or secret, escaped, inert (no ping, no link).

    Secrets go first: escaping could put a backslash inside one and hide it from the redaction.
    """
    return defang(escape_markdown(shown(text)))


def title_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """A one-line embed title: Markdown escaped (titles render **bold** and [links](…)), no ping, at most `limit`."""
    clean, size = shown(text), limit
    while len(escaped := defang(escape_markdown(shorten(clean, size)))) > limit:  # escaping lengthens: cut more
        size = max(1, min(size - 1, size * limit // len(escaped)))
    return escaped


def _block_markdown(block: Block) -> str:
    text = markdown_text(block.text)
    return f"**{markdown_text(block.heading)}**\n{text}" if block.heading else text


def source_line(citation: Mapping[str, Any]) -> str:
    """`[n] Outlet, 2023-09-09, citing Xinhua: Title`, the title linked when the article has a URL."""
    title = defang(escape_markdown(shown(str(citation["title"]))).replace("[", "(").replace("]", ")"))
    url = citation.get("url")
    linked = f"[{title}]({str(url).replace(')', '%29')})" if _web_address(url) else title
    outlet = markdown_text(str(citation.get("outlet") or "outlet unknown"))
    via = cited_sources(citation.get("via") or [], citation.get("speaker"))
    citing = f", citing {markdown_text(' and '.join(via))}" if via else ""
    return f"**[{citation['n']}]** {outlet}, {citation.get('published') or 'undated'}{citing}: {linked}"


def quote_line(citation: Mapping[str, Any]) -> str:
    """`[n] “verbatim quote” — speaker`."""
    speaker = citation.get("speaker")
    speaker = None if speaker in AGENCIES.values() else speaker  # an agency is shown as a source, not a speaker
    who = f" \u2014 {markdown_text(str(speaker))}" if speaker else ""
    return f"**[{citation['n']}]** \u201c{markdown_text(str(citation['quote']))}\u201d{who}"


def _web_address(url: object) -> bool:
    """Whether a recorded URL may be shown as a link: http(s) only (never javascript:), no spaces or controls."""
    if not isinstance(url, str):
        return False
    return url.lower().startswith(("http://", "https://")) and " " not in url and url.isprintable()


def _embeds(text: str, title: str | None, colour: discord.Colour) -> list[discord.Embed]:
    chunks = split_text(text, DESCRIPTION_LIMIT) or ["\u200b"]  # an embed needs some description
    embeds = [discord.Embed(description=chunk, colour=colour) for chunk in chunks]
    if title:
        embeds[0].title = title_text(title)
    return embeds


def reply_embeds(reply: Reply) -> list[discord.Embed]:
    """The reply's body embeds (the first titled), then its numbered sources."""
    colour = _COLOURS[reply.tone]
    body = _embeds("\n\n".join(_block_markdown(b) for b in reply.blocks), reply.title, colour)
    if reply.note:
        body[-1].set_footer(text=shorten(shown(reply.note), FOOTER_LIMIT))  # footers show Markdown as typed
    if not reply.citations:
        return body
    return body + _embeds(sources_text([c.to_json() for c in reply.citations]), "Sources", colour)


PASSAGES_SHOWN = 3  # cited passages listed under an article; the rest are counted (Quotes shows them all)
SNIPPET_CHARS = 90  # a passage's opening words, enough to tell it apart; Quotes shows it whole


def _snippet(quote: str) -> str:
    """The opening of a quote, cut at a word with a visible ellipsis (the whole quote is one click away)."""
    flat = " ".join(quote.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[: SNIPPET_CHARS + 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def sources_text(citations: Iterable[Mapping[str, Any]]) -> str:
    """One line per article (outlet, date, linked title), its cited passages under it (their opening words; Quotes
    shows them whole), capped with "and N more".

    A summary cites one article six times: the reader sees the article once, and what was quoted from it.
    """
    by_article: dict[str, list[Mapping[str, Any]]] = {}
    for citation in citations:
        by_article.setdefault(str(citation["article_id"]), []).append(citation)
    blocks = []
    for cited in by_article.values():
        lines = [article_line(cited)]
        lines += [
            f"> **[{c['n']}]** \u201c{markdown_text(_snippet(str(c['quote'])))}\u201d" for c in cited[:PASSAGES_SHOWN]
        ]
        if rest := cited[PASSAGES_SHOWN:]:
            lines.append(f"> and {len(rest)} more: " + " ".join(f"**[{c['n']}]**" for c in rest))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def article_line(cited: list[Mapping[str, Any]]) -> str:
    """`Outlet, 2023-09-09, citing Xinhua: Title` for an article's citations, the title linked when it has a URL."""
    first = cited[0]
    line = source_line(first).split("** ", 1)[1]  # the source line without its "[n]"
    vias = dict.fromkeys(v for c in cited for v in cited_sources(c.get("via") or [], c.get("speaker")))
    if len(cited) > 1 and vias:  # every agency any of its passages cites, not only the first one's
        head, _, title = line.partition(": ")
        outlet_date = head.split(", citing ")[0]
        line = f"{outlet_date}, citing {markdown_text(' and '.join(vias))}: {title}"
    return line


def quote_embeds(citations: Iterable[Mapping[str, Any]]) -> list[discord.Embed]:
    """The verbatim quotes behind a reply's markers, one line each."""
    lines = "\n".join(quote_line(c) for c in citations)
    return _embeds(lines, "Quotes", _COLOURS["ok"])


def pack(embeds: Iterable[discord.Embed]) -> list[Post]:
    """Embeds grouped into as few messages as Discord's per-message limits allow, in order."""
    posts: list[Post] = []
    size = 0
    for embed in embeds:
        if not posts or len(posts[-1].embeds) == EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL_LIMIT:
            posts.append(Post())
            size = 0
        posts[-1].embeds.append(embed)
        size += len(embed)
    return posts


def text_post(text: str) -> Post:
    """A short plain message (errors, notices), cut to Discord's content limit."""
    return Post(content=shorten(defang(shown(text)), CONTENT_LIMIT))
