"""Finding the article a person means: an id, a title fragment, or a file path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, TypeVar

from bot.corpus import is_article_file_name
from bot.errors import BadQuestion, NotFound


class Titled(Protocol):
    """Anything with an article id and title: an Article or an ArticleInfo."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...


T = TypeVar("T", bound=Titled)


def match_articles(articles: Iterable[T], ref: str) -> list[T]:
    """Articles whose id is `ref`, else those whose id or title contains it (case-insensitive)."""
    pool = list(articles)
    wanted = " ".join(ref.split()).lower()
    exact = [a for a in pool if a.id == ref.strip()]
    if exact or not wanted:
        return exact
    return [a for a in pool if wanted in a.id.lower() or wanted in " ".join(a.title.split()).lower()]


def one_article(articles: Iterable[T], ref: str) -> T:
    """The single indexed article `ref` designates; a clear error when none or several match."""
    if ref.startswith(("http://", "https://")):
        raise BadQuestion(
            "a URL is not an indexed article: add it first (`yalu ingest URL` or /add url), then use its title"
        )
    found = match_articles(articles, ref)
    if not found:
        raise NotFound(f"no indexed article matches {ref!r}; `yalu sources` lists them")
    if len(found) > 1:
        listed = "; ".join(f"{a.id} ({a.title})" for a in found[:5])
        raise NotFound(f"{len(found)} articles match {ref!r}, give more of the title or the id: {listed}")
    return found[0]


def looks_like_file(ref: str) -> bool:
    """Whether `ref` names an existing article file rather than an indexed article."""
    path = Path(ref).expanduser()
    return is_article_file_name(path.name) and path.is_file()


def matching_outlets(typed: str, outlets: Iterable[str | None]) -> tuple[str, ...]:
    """The indexed outlets (`outlets`: their names, as `Registry.outlet_names` gives them) whose name contains
    what was typed (any case); NotFound lists them when none does."""
    known = {o for o in outlets if o}
    found = tuple(sorted(o for o in known if typed.lower() in o.lower()))
    if not found:
        raise NotFound(f"no indexed outlet matches {typed!r}; known outlets: {', '.join(sorted(known))}")
    return found
