"""Where the shipped seed articles and prompts are, and the seeding of a first-use knowledge folder.

A wheel carries copies of the repository's top-level `knowledge/` and `prompts/` in `bot/data/` (setup.py
copies them at build time); an editable install or a plain checkout reads the top-level folders themselves.
Either way nothing is ever written here: a user's articles live in their own knowledge folder.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """The shipped folder `name` ("knowledge" or "prompts"): the wheel's copy, else the checkout's own."""
    packaged = _PACKAGE / "data" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def seed_articles_dir() -> Path:
    """The seed articles that a new knowledge folder starts with."""
    return shipped("knowledge")


def prompts_dir() -> Path:
    """The shipped LLM prompt templates."""
    return shipped("prompts")


def seed_knowledge(folder: Path) -> bool:
    """Fill a knowledge folder that does not exist yet with the seed articles; False if it already exists.

    The copy is made beside the target and renamed into place, so a copy cut short never passes for a
    seeded folder (an existing folder, even an empty one, is the analyst's and is left alone).
    """
    if folder.exists():
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    # A name of this process's own (a crashed earlier seeding of the same pid is simply replaced);
    # mkdir, unlike mkdtemp, gives the folder the user's usual permissions.
    staging = folder.with_name(f".{folder.name}.seeding-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for article in sorted(seed_articles_dir().glob("*.md")):
            shutil.copy2(article, staging / article.name)
        staging.rename(folder)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError) and folder.is_dir():  # another process seeded it first: theirs is as good
            return False
        raise
    log.info("seeded %s with the shipped articles", folder)
    return True
