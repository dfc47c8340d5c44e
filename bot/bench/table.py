"""The benchmark's figures as tables show them: which figures, their labels and formats, one column per size.

The terminal (`yalu bench`), the Markdown file (`--markdown`) and the reply of `/bench` all read these, so the
three show the same figures under the same labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Column = tuple[str, str, str]  # (label, key of the row, format)

COLUMNS: tuple[Column, ...] = (
    ("articles", "articles", "{:,}"),
    ("chunks", "chunks", "{:,}"),
    ("ingest art/s", "articles_per_s", "{:.1f}"),
    ("chunks/s", "chunks_per_s", "{:.1f}"),
    ("texts/s", "texts_per_s", "{:.0f}"),
    ("ceiling texts/s", "ceiling_texts_per_s", "{:.0f}"),
    ("ratio", "ceiling_ratio", "{:.0%}"),
    ("CPU ms/text", "cpu_ms_per_text", "{:.2f}"),
    ("ceiling CPU ms/text", "ceiling_cpu_ms_per_text", "{:.2f}"),
    ("CPU ratio", "ceiling_cpu_ratio", "{:.0%}"),
    ("ask p50 ms", "ask_p50_ms", "{:.0f}"),
    ("ask p95 ms", "ask_p95_ms", "{:.0f}"),
    ("search p50 ms", "search_p50_ms", "{:.0f}"),
    ("search p95 ms", "search_p95_ms", "{:.0f}"),
    ("ask CPU ms", "ask_cpu_ms", "{:.1f}"),
    ("recipe CPU ms", "recipe_cpu_ms", "{:.1f}"),
    ("ask / recipe", "ask_over_recipe", "{:.1f}\u00d7"),
    ("serve RSS MB", "serve_peak_mb", "{:.0f}"),
    ("ingest peak MB", "ingest_peak_mb", "{:.0f}"),
    ("index MB", "index_mb", "{:.0f}"),
    ("cold start s", "cold_start_s", "{:.2f}"),
)

# the simulated bench's figures (no model at build time: no ingest rate, no ceiling)
SIMULATED_COLUMNS: tuple[Column, ...] = (
    ("articles", "articles", "{:,.0f}"),
    ("sentences", "sentences", "{:,.0f}"),
    ("build s", "build_s", "{:.0f}"),
    ("BM25 build s", "bm25_s", "{:.1f}"),
    ("index MB", "index_mb", "{:,.0f}"),
    ("build peak MB", "build_peak_mb", "{:,.0f}"),
    ("plain p50 ms", "plain_p50_ms", "{:.0f}"),
    ("plain p95 ms", "plain_p95_ms", "{:.0f}"),
    ("month p50 ms", "month_p50_ms", "{:.0f}"),
    ("month p95 ms", "month_p95_ms", "{:.0f}"),
    ("year p50 ms", "year_p50_ms", "{:.0f}"),
    ("year p95 ms", "year_p95_ms", "{:.0f}"),
    ("outlet p50 ms", "outlet_p50_ms", "{:.0f}"),
    ("outlet p95 ms", "outlet_p95_ms", "{:.0f}"),
    ("serve RSS MB", "serve_peak_mb", "{:,.0f}"),
    ("cold start s", "cold_start_s", "{:.2f}"),
)
_EXPONENT = "{:.2f}"


def cell(row: dict[str, Any], key: str, fmt: str) -> str:
    """A figure as the table shows it; the growth row holds exponents, and "-" where none was fitted."""
    if key not in row:
        return "-"
    return (_EXPONENT if row["size"] == "growth" else fmt).format(row[key])


def heading(row: dict[str, Any]) -> str:
    """The column heading of one row: its corpus size, or "growth exponent"."""
    return "growth exponent" if row["size"] == "growth" else f"{row['size']:,} articles"


def markdown_table(rows: Sequence[dict[str, Any]], columns: tuple[Column, ...] = COLUMNS) -> str:
    """The rows as a Markdown table with the same columns as the terminal table."""
    head = "| " + " | ".join(c for c, _, _ in columns) + " |"
    rule = "|" + "|".join("---:" for _ in columns) + "|"
    body = ["| " + " | ".join(cell(row, key, fmt) for _, key, fmt in columns) + " |" for row in rows]
    return "\n".join([head, rule, *body]) + "\n"
