"""Gold questions and how an answer is scored against them: the cited evidence and the facts it states.

Shared by `yalu eval` (over the services) and the answer model's fitting (over an answerer), so both
count a hit the same way; a refusal is never a hit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.answer_model import Answer
from bot.errors import ArticleError
from bot.index.store import ArticleInfo


@dataclass(frozen=True)
class GoldQuestion:
    """One line of a gold file."""

    id: str
    question: str
    kind: str
    evidence: list[dict[str, str]]
    facts: list[list[str]]
    min_docs: int = 1
    tags: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        """Whether the corpus holds an answer."""
        return self.kind != "unanswerable"


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read a gold JSONL file; a malformed line is an error naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleError(f"{path}: cannot read the gold file: {exc}") from exc
    gold = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            gold.append(
                GoldQuestion(
                    str(d["id"]),
                    d["question"],
                    d.get("kind", "single"),
                    d.get("evidence", []),
                    d.get("facts", []),
                    int(d.get("min_docs", 1)),
                    tuple(str(t) for t in d.get("tags", ())),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ArticleError(f"{path}:{number}: not a gold question ({exc})") from exc
    return gold


def norm(text: str) -> str:
    """Text compared as words: lower case, curly quotes straight, runs of space as one."""
    return " ".join(
        text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"').lower().split()
    )


def matches_doc(doc: str, info: ArticleInfo | None, article_id: str) -> bool:
    """Gold files name seed articles by their file prefix ("000"); ids and sources both count."""
    source = str(info.front_matter.get("source") or "") if info else ""
    return article_id == doc or article_id.startswith(doc) or source.startswith(doc)


def evidence_hit(q: GoldQuestion, answer: Answer, registry: Mapping[str, ArticleInfo]) -> bool:
    """Whether the cited passages hold the gold evidence of at least `min_docs` items."""
    if answer.status != "answered":
        return False
    hits = 0
    for item in q.evidence:
        phrase = norm(item["phrase"])
        if any(
            matches_doc(item["doc"], registry.get(c.article_id), c.article_id)
            and (phrase in norm(c.passage) or phrase in norm(c.quote))
            for c in answer.citations
        ):
            hits += 1
    return hits >= max(1, min(q.min_docs, len(q.evidence)))


def fact_recall(q: GoldQuestion, answer: Answer) -> float:
    """Share of fact groups of which some alternative appears in the answer text."""
    if answer.status != "answered":
        return 0.0
    text = norm(answer.answer)
    return sum(any(norm(alt) in text for alt in group) for group in q.facts) / len(q.facts)
