"""Load one article file of any supported type into an Article."""

from __future__ import annotations

from pathlib import Path

from bot.corpus import MARKDOWN_SUFFIXES, SUPPORTED_SUFFIXES, Article, make_article_id, parse_markdown
from bot.errors import ArticleError
from bot.ingest.boilerplate import refuse_boilerplate
from bot.ingest.raw_text import parse_raw_text

MAX_ARTICLE_BYTES = 5_000_000  # the default of YALU_MAX_ARTICLE_BYTES


def load_article_file(path: Path, max_bytes: int = MAX_ARTICLE_BYTES, source_key: str | None = None) -> Article:
    """Read an article file, dispatching on its suffix; raise ArticleError naming the file on failure.

    A page (.txt, .html) gets an id that ends in a hash of `source_key` (default: the file's absolute
    path), so two pages never share an id by accident; a Markdown file keeps the id its front matter
    names, or derives one the same way when `source_key` is given.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise ArticleError(f"{path}: unsupported file type {suffix or '(none)'!r}; supported: {supported}")
    text = _read_utf8(path, max_bytes)
    if suffix in MARKDOWN_SUFFIXES:
        return parse_markdown(text, str(path), source_key)
    if suffix == ".txt":
        page = parse_raw_text(text, source=path.name)
    else:
        from bot.ingest.html_text import parse_html  # trafilatura only for HTML

        page = parse_html(text, source=path.name)
    refuse_boilerplate(page, str(path))
    key = source_key if source_key is not None else str(path.resolve())
    return page.with_id(make_article_id(page.title, page.published, key))


def _read_utf8(path: Path, max_bytes: int) -> str:
    """The file's text; never more than `max_bytes` are read (a 50 MB text takes most of an hour to index)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise ArticleError(f"{path}: larger than {max_bytes:,} bytes (YALU_MAX_ARTICLE_BYTES); not indexed")
    try:
        return data.decode("utf-8-sig")  # a BOM is not text
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
