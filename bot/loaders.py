"""Load one article file of any supported type into an Article."""

from __future__ import annotations

from pathlib import Path

from bot.corpus import Article, read_article_file
from bot.errors import ArticleError
from bot.raw_text import parse_raw_text

MARKDOWN_SUFFIXES = (".md", ".markdown")
SUPPORTED_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt", ".html", ".htm")


def load_article_file(path: Path) -> Article:
    """Read an article file, dispatching on its suffix; raise ArticleError naming the file on failure."""
    suffix = path.suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return read_article_file(path)
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise ArticleError(f"{path}: unsupported file type {suffix or '(none)'!r}; supported: {supported}")
    text = _read_utf8(path)
    if suffix == ".txt":
        return parse_raw_text(text, source=path.name)
    from bot.html_text import parse_html  # trafilatura only for HTML

    return parse_html(text, source=path.name)


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a BOM is not text
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror}") from exc
