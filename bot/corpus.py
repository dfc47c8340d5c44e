"""The Article model and its Markdown-with-front-matter file format."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from bot.errors import ArticleError

Precision = Literal["day", "month", "year"]
# The article files Yalu reads, wherever a file is named (ingest, /add, summarize FILE): one list.
MARKDOWN_SUFFIXES = (".md", ".markdown")
SUPPORTED_SUFFIXES = (*MARKDOWN_SUFFIXES, ".txt", ".html", ".htm")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?", re.DOTALL)
_UNSAFE_ID = re.compile(r"^\.|^$|[/\\\x00-\x1f\x7f]")
# Invisible characters (zero-width spaces and joiners, bidi overrides, BOM): two ids that look alike must be alike.
_INVISIBLE = frozenset({"Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MAX_ID_BYTES = 200  # the id names a file: "<id>.md" stays within every file system's 255-byte name limit
_TEXT_KEYS = ("id", "title", "subtitle", "outlet", "author", "url", "language", "source", "notes")
_KNOWN_KEYS = (
    "id",
    "title",
    "subtitle",
    "outlet",
    "author",
    "published",
    "published_precision",
    "url",
    "language",
    "source",
    "notes",
)


@dataclass(frozen=True)
class Article:
    """One news article: metadata from the front matter and the cleaned body text.

    `body` is the text that every citation offset points into; it is never rewritten
    after parsing, so a quote located at body[start:end] stays verifiable.
    """

    id: str
    title: str
    body: str
    outlet: str | None = None
    author: str | None = None
    published: dt.date | None = None
    published_precision: Precision | None = None
    url: str | None = None
    language: str = "en"
    subtitle: str | None = None
    source: str | None = None
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property  # hashing serialises the front matter: worth doing once per article, not per chunk
    def content_hash(self) -> str:
        """Hash of everything that ends up in the index, so any change triggers re-indexing."""
        meta = yaml.safe_dump(self.front_matter(), sort_keys=True, allow_unicode=True)
        return hashlib.sha256((meta + "\n" + self.body).encode("utf-8")).hexdigest()[:16]

    def front_matter(self) -> dict[str, Any]:
        """The metadata as it is written to the YAML front matter (no None values)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "subtitle": self.subtitle,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "published_precision": self.published_precision,
            "url": self.url,
            "language": self.language,
            "source": self.source,
            "notes": self.notes,
        }
        data = {k: v for k, v in data.items() if v is not None or k in ("outlet", "published")}
        data.update(self.extra)
        return data

    def with_id(self, article_id: str) -> Article:
        """A copy of this article under another id."""
        return replace(self, id=article_id)


def slugify(text: str, max_len: int = 60) -> str:
    """A lowercase ASCII slug for ids and file names."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "article"


def make_article_id(title: str, published: dt.date | None, source_key: str | None = None) -> str:
    """A readable, stable id: publication date (if known) and a title slug.

    With `source_key` (the file path or URL the article came from) the id ends in a short hash of it,
    so two articles from different sources never share an id even when their dates and title slugs do
    (a title in Korean or Chinese slugs to "article").
    """
    prefix = published.isoformat() if published else "undated"
    base = f"{prefix}-{slugify(title, 48)}"
    if source_key is None:
        return base
    return f"{base}-{hashlib.sha256(source_key.encode('utf-8')).hexdigest()[:8]}"


def id_problem(article_id: str) -> str | None:
    """Why a string cannot be an article id (it names the knowledge file), or None when it can."""
    if _UNSAFE_ID.search(article_id):
        return "may not contain '/', '\\', control characters or start with '.'"
    hidden = next((c for c in article_id if unicodedata.category(c) in _INVISIBLE), None)
    if hidden is not None:
        return f"may not contain invisible or direction-changing characters (U+{ord(hidden):04X})"
    if len(article_id.encode("utf-8")) > _MAX_ID_BYTES:
        return f"is longer than {_MAX_ID_BYTES} bytes"
    return None


def to_markdown(article: Article) -> str:
    """Serialise an article as Markdown with YAML front matter."""
    meta = yaml.safe_dump(article.front_matter(), sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{meta}---\n\n{article.body.rstrip()}\n"


def _parse_date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ArticleError(f"{where}: 'published' must be an ISO date (YYYY-MM-DD), got {value!r}") from exc


def parse_markdown(text: str, where: str = "<text>", source_key: str | None = None) -> Article:
    """Parse Markdown with YAML front matter into an Article; raise ArticleError if invalid.

    Without an `id` in the front matter the id is derived from date and title (and `source_key`, when
    given: see `make_article_id`)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ArticleError(f"{where}: no YAML front matter (a '---' block with title, published, ...)")
    meta = load_front_matter(match.group(1), where)
    body = text[match.end() :].strip()
    title = str(meta.get("title") or "").strip()
    if not title:
        raise ArticleError(f"{where}: front matter has no 'title'")
    if not body:
        raise ArticleError(f"{where}: the article body is empty")
    published = _parse_date(meta.get("published"), where)
    precision = meta.get("published_precision") or ("day" if published else None)
    if precision not in (None, "day", "month", "year"):
        raise ArticleError(f"{where}: 'published_precision' must be day, month or year")
    article_id = str(meta.get("id") or make_article_id(title, published, source_key)).strip()
    if problem := id_problem(article_id):  # the id names the knowledge file: never a path out of the folder
        raise ArticleError(f"{where}: 'id' {problem}")
    return Article(
        id=article_id,
        title=title,
        body=body,
        outlet=_optional_str(meta.get("outlet")),
        author=_optional_str(meta.get("author")),
        published=published,
        published_precision=cast(Precision | None, precision),
        url=_optional_str(meta.get("url")),
        language=str(meta.get("language") or "en"),
        subtitle=_optional_str(meta.get("subtitle")),
        source=_optional_str(meta.get("source")),
        notes=_optional_str(meta.get("notes")),
        extra={k: v for k, v in meta.items() if k not in _KNOWN_KEYS},
    )


def _optional_str(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


_MAX_DEPTH = 5  # a mapping of keys to lists of small mappings is as deep as article metadata goes


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what lets a few hundred bytes grow without bound or overflow the stack:
    anchors and aliases (`&a [*a, *a]` nine levels deep is 17 GB), and nesting deeper than `_MAX_DEPTH`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's parser is untyped
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (& and *) are not allowed", problem_mark=event.start_mark
            )
        if self._depth >= _MAX_DEPTH:
            raise yaml.MarkedYAMLError(problem=f"nested deeper than {_MAX_DEPTH} levels", problem_mark=event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_front_matter(source: str, where: str) -> dict[str, Any]:
    """The front matter block as a mapping of text keys; ArticleError (one line) for anything else."""
    try:
        meta = yaml.load(source, Loader=_FrontMatterLoader) or {}  # a SafeLoader subclass
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date-like value that is no date (2021-13-45)
        raise ArticleError(f"{where}: malformed front matter: {_one_line(exc)}") from exc
    if not isinstance(meta, dict):
        raise ArticleError(f"{where}: front matter must be a mapping of keys to values")
    if bad := [k for k in meta if not isinstance(k, str)]:
        raise ArticleError(f"{where}: front matter keys must be words, got {bad[0]!r}")
    if key := next((k for k in _TEXT_KEYS if isinstance(meta.get(k), dict | list | set)), None):
        raise ArticleError(f"{where}: {key!r} must be text, not a list or mapping")
    return meta


def _one_line(exc: Exception) -> str:
    """A YAML error as one line: what is wrong and where (lines counted in the file, after its '---')."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        place = f" (line {mark.line + 2}, column {mark.column + 1})" if mark else ""
        return f"{exc.problem or exc.context or 'invalid YAML'}{place}"
    return " ".join(str(exc).split())


def read_article_file(path: Path) -> Article:
    """Read one article file (.md with front matter); raise ArticleError with the path on failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror}") from exc
    return parse_markdown(text, str(path))


def is_article_file_name(name: str) -> bool:
    """Whether a file name has one of the article suffixes (`SUPPORTED_SUFFIXES`), in any case."""
    return Path(name).suffix.lower() in SUPPORTED_SUFFIXES


def article_types() -> str:
    """The article file types as a person reads them: ".md, .markdown, .txt, .html or .htm"."""
    return ", ".join(SUPPORTED_SUFFIXES[:-1]) + f" or {SUPPORTED_SUFFIXES[-1]}"
