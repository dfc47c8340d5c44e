"""Tests for bot.ingest.loaders and bot.ingest.html_text: one entry point for .md, .txt and .html article files."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from pathlib import Path

import pytest

from bot.corpus import SUPPORTED_SUFFIXES, Article, to_markdown
from bot.errors import ArticleError
from bot.ingest.html_text import parse_html
from bot.ingest.loaders import load_article_file
from bot.ingest.raw_text import parse_raw_text

RAW = Path(__file__).parent / "fixtures" / "raw"
SEEDS = sorted(p.name for p in RAW.glob("*.txt"))

PARAGRAPHS = [
    "Chinese President Xi Jinping said the two countries had elevated their ties “into a new era”, "
    "according to China’s official Xinhua news agency.",
    "He hailed the two countries as “friendly neighbours linked by the same mountain and river” in a "
    "message to North Korean leader Kim Jong-un.",
    "Analysts said the message was strong but not strong enough to slow the rapprochement between "
    "Pyongyang and Moscow.",
]
PAGE = f"""<!doctype html>
<html><head>
<title>Xi hails new era in ties with North Korea | Example News</title>
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2023-09-09T10:00:00+08:00">
<script>var tracker = "TRACKER_SCRIPT"; window.dataLayer = [];</script>
<style>.headline {{ color: STYLE_RULE; }}</style>
</head><body>
<nav><a href="/">Home</a> <a href="/world">NAV_WORLD</a> <a href="/asia">NAV_ASIA</a></nav>
<article>
<h1>Xi hails new era in ties with North Korea</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
<img src="https://tracker.example/pixel.gif?id=TRACKING_PIXEL" width="1" height="1" alt="PIXEL_ALT">
<script>document.write("INLINE_SCRIPT");</script>
</article>
<footer><p>Copyright FOOTER_TEXT 2023. All rights reserved.</p><a href="/contact">Contact</a></footer>
</body></html>
"""
PAGE_CHROME = ["TRACKER_SCRIPT", "STYLE_RULE", "NAV_", "TRACKING_PIXEL", "PIXEL_ALT", "INLINE_SCRIPT", "FOOTER_TEXT"]


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_supported_suffixes() -> None:
    """Markdown, raw text and HTML files are the supported types."""
    assert set(SUPPORTED_SUFFIXES) == {".md", ".markdown", ".txt", ".html", ".htm"}


@pytest.mark.parametrize("suffix", [".md", ".markdown"])
def test_markdown_file_round_trips(tmp_path: Path, suffix: str) -> None:
    """A Markdown article file loads back into the article it was written from."""
    article = Article(
        id="a-1",
        title="A title",
        body="First.\n\nSecond.",
        outlet="The Hankyoreh",
        published=dt.date(2021, 7, 12),
        published_precision="day",
    )
    loaded = load_article_file(_write(tmp_path / f"a{suffix}", to_markdown(article)))
    assert (loaded.id, loaded.title, loaded.body, loaded.outlet, loaded.published) == (
        article.id,
        article.title,
        article.body,
        article.outlet,
        article.published,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_txt_file_is_parsed_as_raw_text(tmp_path: Path, seed: str) -> None:
    """A .txt file goes through parse_raw_text with its file name as the source, its id ending in a path hash."""
    path = Path(shutil.copy(RAW / seed, tmp_path / seed))
    parsed = parse_raw_text((RAW / seed).read_text(encoding="utf-8"), source=seed)
    loaded = load_article_file(path)
    assert loaded == parsed.with_id(loaded.id) and loaded.id.startswith(f"{parsed.id}-")


@pytest.mark.parametrize("suffix", [".html", ".htm", ".HTML"])
def test_html_file_is_parsed_as_html(tmp_path: Path, suffix: str) -> None:
    """A .html/.htm file (any case) goes through parse_html with its file name as the source."""
    article = load_article_file(_write(tmp_path / f"page{suffix}", PAGE))
    assert (article.source, article.body) == (f"page{suffix}", "\n\n".join(PARAGRAPHS))


def test_html_body_has_no_scripts_pixels_nav_or_footer() -> None:
    """Scripts, styles, a tracking pixel, the nav bar and the footer never reach the body."""
    body = parse_html(PAGE, source="page.html").body
    assert [s for s in PAGE_CHROME if s in body] == []


def test_html_body_keeps_paragraphs_verbatim() -> None:
    """The article paragraphs come through byte for byte, one per paragraph, headline excluded."""
    assert parse_html(PAGE, source="page.html").body.split("\n\n") == PARAGRAPHS


def test_html_metadata_extracted() -> None:
    """Title, author, date and site name come from the page's metadata."""
    article = parse_html(PAGE, source="page.html")
    assert (article.title, article.author, article.published, article.published_precision, article.outlet) == (
        "Xi hails new era in ties with North Korea",
        "Jane Roe",
        dt.date(2023, 9, 9),
        "day",
        "Example News",
    )


def test_html_parsing_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse_html works offline even when given a URL: any connection attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    article = parse_html(PAGE, source="page.html", url="https://www.scmp.com/news/asia/article/1/xi")
    assert article.url == "https://www.scmp.com/news/asia/article/1/xi"


def test_html_without_article_text_is_an_error() -> None:
    """An HTML page with no extractable text raises ArticleError naming the source."""
    with pytest.raises(ArticleError, match=r"empty\.html"):
        parse_html("<html><head><script>x()</script></head><body><nav>Home</nav></body></html>", source="empty.html")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", ""),
        ("blank.txt", "  \n\t\n  "),
        ("empty.md", ""),
        ("empty.html", ""),
        ("latin1.txt", "Kim’s letter".encode("cp1252")),
        ("latin1.md", "---\ntitle: Caf\xe9\n---\n\nBody.\n".encode("latin-1")),
        ("article.pdf", "%PDF-1.4"),
        ("noext", "Some text."),
        ("bad.md", "---\ntitle: [unclosed\npublished: 2021-07-12\n---\n\nBody text.\n"),
        ("nodate.md", "---\ntitle: A title\npublished: last Tuesday\n---\n\nBody text.\n"),
        ("notitle.md", "---\noutlet: The Korea Herald\n---\n\nBody text.\n"),
    ],
)
def test_unusable_files_raise_article_error_naming_the_file(tmp_path: Path, name: str, content: str | bytes) -> None:
    """Empty, blank, non-UTF-8, unsupported or malformed files raise ArticleError with the file name."""
    with pytest.raises(ArticleError, match=name.replace(".", r"\.")):
        load_article_file(_write(tmp_path / name, content))


def test_unknown_suffix_error_lists_supported_types(tmp_path: Path) -> None:
    """The error for an unsupported type tells the user which types are supported."""
    with pytest.raises(ArticleError) as excinfo:
        load_article_file(_write(tmp_path / "article.docx", "x"))
    assert all(suffix in str(excinfo.value) for suffix in SUPPORTED_SUFFIXES)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    """A file that does not exist raises ArticleError with its path, not OSError."""
    with pytest.raises(ArticleError, match=r"gone\.txt"):
        load_article_file(tmp_path / "gone.txt")
