"""Which article an incoming file is: an update of an indexed one, or a new one that needs its own id.

An id names the article's knowledge file and its index record. A file from outside the knowledge
folder whose id is already taken is an update unless it comes from another source (another URL, or
another file name); then it is another article:
- a derived id (a page's date, title slug and source hash) gets a distinct one ("…-2");
- an id its front matter names is refused with one line, since the person chose it.
A derived id carries a hash of its source's path or URL, so the same id already says "the same source".
Either way no other article's record or knowledge copy is overwritten. Files inside the knowledge
folder are the corpus itself and keep their ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.corpus import MARKDOWN_SUFFIXES, Article, make_article_id
from bot.errors import ArticleError
from bot.ingest.loaders import load_article_file


class Registry(Protocol):
    """What the check reads from the index: the front matter of indexed articles, by id."""

    def front_matters(self, article_ids: Sequence[str]) -> Mapping[str, Mapping[str, Any]]: ...


def source_key(path: Path, knowledge: Path) -> str:
    """What a page's derived id hashes: its path within the knowledge folder (stable across checkouts),
    else its absolute path."""
    resolved = path.resolve()
    return resolved.relative_to(knowledge).as_posix() if knowledge in resolved.parents else str(resolved)


def in_folder(path: Path, knowledge: Path) -> bool:
    """Whether a file is part of the knowledge folder."""
    return knowledge in path.resolve().parents


def settle_ids(
    loaded: Sequence[tuple[Path, Article]], knowledge: Path, registry: Registry, errors: list[str]
) -> list[tuple[Path, Article]]:
    """The loaded articles, each under the id it may take; a refused one adds a line to `errors`."""
    outside = [article.id for path, article in loaded if not in_folder(path, knowledge)]
    indexed = registry.front_matters(outside)
    taken = {article.id for _, article in loaded}
    settled: list[tuple[Path, Article]] = []
    for path, article in loaded:
        if in_folder(path, knowledge):
            settled.append((path, article))
            continue
        holder = indexed.get(article.id) or _knowledge_copy(knowledge, article.id)
        if holder is None or _same_source(article, holder) is not False:
            settled.append((path, article))  # new, or an update (an id carrying the source hash is the source)
        elif article.id == make_article_id(article.title, article.published, source_key(path, knowledge)):
            free = _free_id(article.id, taken, registry, knowledge)
            taken.add(free)
            settled.append((path, article.with_id(free)))
        else:
            errors.append(
                f"{path}: id {article.id!r} is already another article's ({_describe(holder)}); give this file "
                f"another `id:`, or `yalu ingest --delete {article.id}` first"
            )
    return settled


def _same_source(article: Article, holder: Mapping[str, Any]) -> bool | None:
    """Whether two articles come from one place: the same URL, else the same source file; None if unknown."""
    if holder.get("unreadable"):
        return False
    if article.url and holder.get("url"):
        return bool(article.url == holder["url"])
    if article.source and holder.get("source"):
        return bool(article.source == holder["source"])
    return None


def _knowledge_copy(knowledge: Path, article_id: str) -> Mapping[str, Any] | None:
    """The front matter of the knowledge file named for `article_id`, if there is one (unreadable counts as
    taken by someone else: never overwritten)."""
    path = knowledge / f"{article_id}{MARKDOWN_SUFFIXES[0]}"
    if not path.exists():
        return None
    try:
        return load_article_file(path).front_matter()
    except ArticleError:
        return {"title": "(an unreadable file)", "source": path.name, "unreadable": True}


def _free_id(article_id: str, taken: set[str], registry: Registry, knowledge: Path) -> str:
    """`article_id` with the first suffix (-2, -3, …) that no article, knowledge file or file of this ingest has."""
    for n in range(2, 10_000):
        candidate = f"{article_id}-{n}"
        if candidate in taken or registry.front_matters([candidate]):
            continue
        if not (knowledge / f"{candidate}{MARKDOWN_SUFFIXES[0]}").exists():
            return candidate
    raise ArticleError(f"{article_id}: no free id left")  # 10,000 articles from one date, title and source


def _describe(holder: Mapping[str, Any]) -> str:
    origin = holder.get("url") or holder.get("source") or "no source"
    return f"{str(holder.get('title', ''))[:60]!r}, from {origin}"
