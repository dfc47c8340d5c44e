"""`yalu eval` on the dev set stays above the agreed floors (quality, not speed, is asserted)."""

from bot.evaluate import evaluate, load_gold
from bot.services import Services
from tests.conftest import FIXTURES


def test_dev_set_stays_above_floors(seeded: Services) -> None:
    """Evidence, facts, abstention and verbatim quotes on the dev set meet the floors."""
    result = evaluate(seeded, load_gold(FIXTURES / "eval_dev.jsonl"))
    m = result.metrics
    assert m["verbatim_quotes"] == 1.0
    assert m["refused_unanswerable"] == 1.0
    assert m["refused_answerable"] <= 0.10
    assert m["evidence_hit_rate"] >= 0.90
    assert m["fact_recall"] >= 0.80
    assert m["median_words"] <= 90
