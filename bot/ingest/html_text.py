"""Article extraction from a saved HTML page, offline, with trafilatura.

trafilatura (and lxml, justext, dateparser under it) is imported only when a page is parsed: a command
that never reads HTML neither pays for it nor fails on it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.corpus import Article, make_article_id
from bot.errors import ArticleError
from bot.ingest.raw_text import outlet_for_domain

if TYPE_CHECKING:
    from trafilatura.settings import Document

# Only dates stated in the page's markup or URL: extensive search would guess from free text.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def parse_html(html: str, source: str | None = None, url: str | None = None) -> Article:
    """Extract the main text and metadata of an HTML page; raise ArticleError if nothing usable.

    Works on the given string only: trafilatura is never asked to fetch `url`, which serves
    as metadata (and helps date extraction) but is not downloaded.
    """
    where = source or url or "<html>"
    if not html.strip():
        raise ArticleError(f"{where}: the HTML is empty")
    doc = _extract(html, url)
    title = (doc.title or "").strip() if doc else ""
    if doc is None or not title:
        raise ArticleError(f"{where}: no article title found in the HTML")
    body = _body(doc.text or "", title)
    if not body:
        raise ArticleError(f"{where}: no article text found in the HTML")
    published = _date(doc.date)
    return Article(
        id=make_article_id(title, published),
        title=title,
        body=body,
        outlet=_outlet(doc.sitename),
        author=(doc.author or "").strip() or None,
        published=published,
        published_precision="day" if published else None,
        url=url,
        source=source,
    )


def _extract(html: str, url: str | None) -> Document | None:
    import trafilatura
    from trafilatura.settings import Document

    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    return result if isinstance(result, Document) else None


def _body(text: str, title: str) -> str:
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the <h1> headline, already in `title`
    return "\n\n".join(paragraphs)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _outlet(sitename: str | None) -> str | None:
    name = (sitename or "").strip()
    if "." in name:  # a domain, from the <title> or the URL: use the outlet's name when known
        return outlet_for_domain(name) or name
    return name or None
