"""Heuristic extraction of an Article from the raw text of a scraped news page.

Every line that survives is copied byte for byte (only surrounding whitespace is
stripped), because citations quote the body verbatim. When a rule is unsure, the
line is kept: a stray line of chrome costs less than a lost sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.corpus import Article, make_article_id
from bot.errors import ArticleError

SCMP = "South China Morning Post"
KNOWN_OUTLETS: dict[str, tuple[str, ...]] = {
    "The Korea Herald": ("koreaherald.com", "heraldcorp.com"),
    "The Hankyoreh": ("hani.co.kr",),
    SCMP: ("scmp.com",),
    "Yonhap News Agency": ("yna.co.kr", "yonhapnews.co.kr"),
    "The Korea Times": ("koreatimes.co.kr",),
    "Korea JoongAng Daily": ("joongang.co.kr",),
    "NK News": ("nknews.org",),
}
_MASTHEADS = {variant.lower(): name for name in KNOWN_OUTLETS for variant in (name, name.removeprefix("The "))}
_MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: n for n, m in enumerate(_MONTH_ABBREVIATIONS, 1)}

# Share buttons, ad slots and list headers: whole lines that are never article text.
_CHROME_LINES = frozenset(
    {
        "from",
        "send to",
        "share",
        "link copied",
        "advertisement",
        "related posts",
        "related stories",
        "related articles",
        "most viewed articles",
        "most viewed",
        "most popular",
        "leave a comment",
    }
)
_CHROME_START = re.compile(
    r"(?:\d{1,2}:\d{2}(?::\d{2})?$"  # video duration under a player
    r"|(?:Related|Read more|See also)\s*:"  # teaser links to other stories
    r"|Please direct (?:comments|questions)"  # e-mail footer
    r"|button that move to original korean article)",  # Hankyoreh link to the Korean edition
    re.IGNORECASE,
)
_BULLETS = re.compile(r"^[•·▶►*\s]+")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_NAME = r"[A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]*\.?){0,4}"
_BYLINE = re.compile(
    rf"^By\s+(?P<name>{_NAME}(?:\s+and\s+{_NAME})?)"
    r"(?:\s*,\s*[A-Za-z ]{1,40})?"  # role: ", senior staff writer"
    r"(?:\s*\((?P<email>[^()\s]+@[^()\s]+)\))?$"
)
_DATE = (
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4}))"
)
_DATELINE = re.compile(
    rf"^(?:(?:Posted on|Published|Updated|Date)\s*:?\s*)?{_DATE}"
    r"(?:\s*[-–|]?\s*\d{1,2}:\d{2}(?:\s*[A-Z]{2,4}\b)?)?(?P<rest>.*)$"
)
_UPDATE_TAIL = re.compile(r"^(?:Modified on|Updated|Last modified)\b")
_CREDIT = re.compile(
    r"(?:\((?:AP|AFP|EPA|UPI|Reuters|Xinhua|KCNA|Yonhap(?: News)?|Newsis|News1|Getty Images"
    r"|Joint Press Corps|[A-Z][A-Za-z]*-Yonhap)\)|\bPhoto(?: by|:)\s*[A-Z][\w &/'-]{0,40})$"
)
_TERMINAL = re.compile(r"[.!?…][\"”’')\]]*$|[\"”]$")
_HEADER_LINES = 8  # a dateline further down than this is not part of the page header


@dataclass
class _Page:
    """The non-empty lines of a page and what has been learnt from them so far."""

    lines: list[str]
    kept: list[int] = field(default_factory=list)  # indices of lines still in the body
    meta_at: list[int] = field(default_factory=list)  # indices of dateline/byline lines
    outlet: str | None = None
    author: str | None = None
    published: dt.date | None = None


def outlet_for_domain(domain: str) -> str | None:
    """The outlet that publishes under a domain (or one of its subdomains), if it is known."""
    host = domain.lower().strip().rstrip(".")
    for name, domains in KNOWN_OUTLETS.items():
        if any(host == d or host.endswith("." + d) for d in domains):
            return name
    return None


def parse_raw_text(text: str, source: str | None = None) -> Article:
    """Parse the raw text of a scraped news page into an Article; raise ArticleError if unusable."""
    where = source or "<text>"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ArticleError(f"{where}: the text is empty")
    page = _scan(lines)
    _drop_captions(page)
    _drop_repeated_lines(page)
    if not page.kept:
        raise ArticleError(f"{where}: no article text left after removing page chrome")
    title, subtitle = _take_header(page)
    _drop_title_echoes(page, title)
    if page.outlet == SCMP:
        _drop_related_headlines(page)
    body = "\n\n".join(page.lines[i] for i in page.kept)
    if not body:
        raise ArticleError(f"{where}: no article text left after removing page chrome")
    return Article(
        id=make_article_id(title, page.published),
        title=title,
        body=body,
        outlet=page.outlet,
        author=page.author,
        published=page.published,
        published_precision="day" if page.published else None,
        subtitle=subtitle,
        source=source,
    )


def _scan(lines: list[str]) -> _Page:
    page = _Page(lines)
    for i, line in enumerate(lines):
        if _take_dateline(page, line) or _take_byline(page, line):
            page.meta_at.append(i)
        elif _take_masthead(page, line):
            continue
        elif _is_chrome(line):
            page.outlet = page.outlet or _outlet_from_email(line)
        else:
            page.kept.append(i)
    return page


def _is_chrome(line: str) -> bool:
    bare = _BULLETS.sub("", line)
    # A line in Korean script with no Latin letter is site UI on an English page.
    foreign_ui = _HANGUL.search(bare) is not None and _LATIN.search(bare) is None
    return bare.lower() in _CHROME_LINES or _CHROME_START.match(bare) is not None or foreign_ui


def _outlet_from_email(line: str) -> str | None:
    match = _EMAIL_DOMAIN.search(line)
    return outlet_for_domain(match[1]) if match else None


def _take_masthead(page: _Page, line: str) -> bool:
    name = _MASTHEADS.get(line.lower())
    if name is None:
        return False
    page.outlet = page.outlet or name
    return True


def _parse_byline(line: str) -> tuple[str, str | None] | None:
    if line.endswith(".") or len(line) > 100:  # a sentence that happens to start with "By"
        return None
    match = _BYLINE.match(line)
    return (match["name"], match["email"]) if match else None


def _take_byline(page: _Page, line: str) -> bool:
    found = _parse_byline(line)
    if found is None:
        return False
    page.author = page.author or found[0]
    page.outlet = page.outlet or (_outlet_from_email(found[1]) if found[1] else None)
    return True


def _parse_dateline(line: str) -> tuple[dt.date, str | None] | None:
    match = _DATELINE.match(line)
    if match is None:
        return None
    rest = match["rest"].strip()
    byline = _parse_byline(rest) if rest else None
    if rest and byline is None and not _UPDATE_TAIL.match(rest):
        return None  # a sentence that starts with a date
    try:
        if match["iso"]:
            date = dt.date.fromisoformat(match["iso"])
        else:
            date = dt.date(int(match["year"]), _MONTHS[match["mon"].lower()], int(match["day"]))
    except ValueError:
        return None
    return date, byline[0] if byline else None


def _take_dateline(page: _Page, line: str) -> bool:
    found = _parse_dateline(line)
    if found is None:
        return False
    page.published = page.published or found[0]
    page.author = page.author or found[1]
    return True


def _drop_captions(page: _Page) -> None:
    # The last line is exempt: wire copy ends with its credit, e.g. "... he said. (Yonhap)".
    last = page.kept[-1] if page.kept else None
    page.kept = [i for i in page.kept if i == last or not _CREDIT.search(page.lines[i])]


def _drop_repeated_lines(page: _Page) -> None:
    # A line printed twice in a row is a caption or a video teaser echoed by the player;
    # article prose never repeats a whole paragraph back to back.
    texts = [page.lines[i] for i in page.kept]
    page.kept = [
        i
        for n, i in enumerate(page.kept)
        if not (n > 0 and texts[n - 1] == texts[n]) and not (n + 1 < len(texts) and texts[n + 1] == texts[n])
    ]


def _ends_with_period(line: str) -> bool:
    return line.rstrip("\"”’'").endswith(".")


def _take_header(page: _Page) -> tuple[str, str | None]:
    """Remove the headline (and a deck printed above it) from the body; return title, subtitle."""
    lines, kept = page.lines, page.kept
    if not _ends_with_period(lines[kept[0]]):
        title_at, deck = 0, None
    elif len(kept) > 2 and not _ends_with_period(lines[kept[1]]):
        title_at, deck = 1, lines[kept[0]]  # a standfirst sentence above the headline
    else:
        return lines[kept[0]], None  # no headline-like line: the first sentence names it, and stays
    title_index = kept[title_at]
    del kept[: title_at + 1]
    return lines[title_index], deck or _take_deck_after(page)


def _take_deck_after(page: _Page) -> str | None:
    if len(page.kept) < 2:
        return None
    first = page.kept[0]
    line = page.lines[first]
    above_dateline = first + 1 in page.meta_at and first + 1 < _HEADER_LINES
    repeated_later = len(line) >= 30 and any(line in page.lines[i] for i in page.kept[1:])
    if not (above_dateline or repeated_later):
        return None
    page.kept.pop(0)
    return line


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", "", text.lower()).split())


def _drop_title_echoes(page: _Page, title: str) -> None:
    # Image slugs: the lowercased headline and a counter, e.g. "xi jinping hails new era ... 2".
    slug = re.compile(re.escape(_plain(title)) + r" \d+")
    page.kept = [i for i in page.kept if not slug.fullmatch(_plain(page.lines[i]))]


def _drop_related_headlines(page: _Page) -> None:
    # SCMP-specific: its pages interleave one-line headlines of other stories between
    # paragraphs ("US accuses Russia, China of ..."); its article paragraphs end in punctuation.
    page.kept = [i for i in page.kept if _TERMINAL.search(page.lines[i])]
