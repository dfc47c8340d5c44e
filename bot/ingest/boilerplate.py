"""A page that is only site chrome ("Home", "Accept cookies", "Sign in") is not an article.

A saved or fetched page whose story did not load (a consent wall, a login page, a section front) still
has a title and some text. Indexed, it would be listed and retrieved like an article and crowd out real
ones. A page is refused when, once its chrome lines are set aside, no sentence of article prose is left.
"""

from __future__ import annotations

import re

from bot.corpus import Article
from bot.errors import ArticleError

_WORD = re.compile(r"\w+")
_CHROME = re.compile(
    r"^(?:home|menu|search|news|sections?|skip to (?:main )?content|sign (?:in|up)|log ?in|log ?out|register"
    r"|subscribe(?: now)?|newsletters?|contact(?: us)?|about(?: us)?|share|print|e-?mail|close|back to top"
    r"|(?:accept|reject|allow|manage)(?: all)?(?: cookies)?|cookie (?:policy|settings|preferences)"
    r"|privacy(?: policy)?|terms(?: of (?:use|service))?|all rights reserved|copyright\b.*|©.*"
    r"|advertisement|follow us.*|read more|load more|next|previous|page \d+(?: of \d+)?)[.!:]?$",
    re.IGNORECASE,
)
_COOKIES = re.compile(r"\bcookies?\b", re.IGNORECASE)  # consent banners, however they are phrased
_SENTENCE_WORDS = 8  # the shortest line that counts as a sentence of article prose
_ARTICLE_WORDS = 12  # a wire flash is about this long


def prose_lines(body: str) -> list[str]:
    """The lines of a body that are not site chrome."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return [line for line in lines if not (_CHROME.match(line) or _COOKIES.search(line))]


def refuse_boilerplate(article: Article, where: str) -> None:
    """Raise ArticleError when a page's body has no sentence of article prose, only chrome."""
    prose = prose_lines(article.body)
    words = [len(_WORD.findall(line)) for line in prose]
    if sum(words) >= _ARTICLE_WORDS and max(words, default=0) >= _SENTENCE_WORDS:
        return
    shown = " | ".join(line.strip() for line in article.body.splitlines() if line.strip())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise ArticleError(f"{where}: only page chrome, no article text ({shown!r}); not indexed")
