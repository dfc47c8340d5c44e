"""Import the raw seed pages into knowledge/*.md.

The body comes from `parse_raw_text` unchanged; only metadata the page does not state is
added, from the explicit OVERRIDES table below, each with a note on how it was inferred.

Run from the repository root:  python -m scripts.import_seeds [SEED_DIR] [KNOWLEDGE_DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.corpus import Article, make_article_id, read_article_file, to_markdown
from bot.errors import ArticleError
from bot.ingest.raw_text import parse_raw_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT / "tests" / "fixtures" / "raw"
DEFAULT_KNOWLEDGE = ROOT / "knowledge"

# Curated metadata for what a seed page does not state. URLs stay unknown (None): never invent one.
OVERRIDES: dict[str, dict[str, Any]] = {
    "000_548f91f56c216332.txt": {
        "outlet": "The Korea Herald",
        "notes": (
            "Outlet inferred, not stated: the page names no outlet, but its combined dateline and byline "
            "('Oct. 16, 2022 - 16:03 By Ji Da-gyum') is The Korea Herald's format and Ji Da-gyum reports "
            "for The Korea Herald. Likely, not confirmed. URL unknown."
        ),
    },
    "003_9a0955a5dbac36d9.txt": {
        "outlet": None,
        "published": dt.date(2025, 10, 12),
        "published_precision": "month",
        "notes": (
            "Outlet unknown: the page states no outlet and no author. Date inferred, not stated: Xi's "
            "reply was sent 'on Thursday' after Kim's September visit to China, and the Indonesian and "
            "DPRK foreign ministers met 'on Saturday' while the Indonesian minister was in Pyongyang for "
            "the Workers' Party's 80th anniversary (10 October 2025), i.e. Thursday 9 and Saturday "
            "11 October 2025; wire reports of the same KCNA items are dated 12 October 2025. The day is "
            "a best estimate; only October 2025 is reasonably certain. URL unknown."
        ),
    },
    "004_a624dde74f37622b.txt": {
        "published": dt.date(2023, 9, 9),
        "published_precision": "month",
        "notes": (
            "Date inferred, not stated: the page reports Kim meeting the visiting Chinese delegation led "
            "by Liu 'on Friday' around the North's founding-anniversary celebrations (75th anniversary, "
            "9 September 2023), and Yoon meeting Li Qiang at the ASEAN summit in Jakarta 'on Thursday' "
            "(7 September 2023), so it was published about 9 September 2023. The day is a best "
            "estimate; only September 2023 is reasonably certain. URL unknown."
        ),
    },
}


def import_seed(path: Path) -> Article:
    """Parse one raw seed page and apply its curated metadata overrides (the body is untouched)."""
    article = parse_raw_text(path.read_text(encoding="utf-8"), source=path.name)
    article = replace(article, **OVERRIDES.get(path.name, {}))
    return article.with_id(make_article_id(article.title, article.published))


def _remove_stale(knowledge: Path, article: Article) -> None:
    # An earlier import under another id (e.g. before a date override) would duplicate the article.
    for old in knowledge.glob("*.md"):
        if old.stem == article.id:
            continue
        try:
            if read_article_file(old).source == article.source:
                old.unlink()
        except ArticleError:
            continue  # not ours to judge: someone else's file, maybe half-written


def write_seeds(seeds: Path, knowledge: Path) -> list[Path]:
    """Import every seeds/*.txt into knowledge/<id>.md; return the files written."""
    knowledge.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(seeds.glob("*.txt")):
        article = import_seed(path)
        _remove_stale(knowledge, article)
        target = knowledge / f"{article.id}.md"
        target.write_text(to_markdown(article), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("seeds", nargs="?", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("knowledge", nargs="?", type=Path, default=DEFAULT_KNOWLEDGE)
    args = parser.parse_args(argv)
    for target in write_seeds(args.seeds, args.knowledge):
        print(target)


if __name__ == "__main__":
    main()
