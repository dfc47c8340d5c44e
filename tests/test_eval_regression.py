"""The shipped answer model on the team's own question sets stays where it was fitted (a regression guard:
these are its training questions, so the honest, held-out figures are the cross-validated ones in
docs/answer-model.md, produced by `python -m bot.train`)."""

import json
from pathlib import Path

from bot.evaluate import evaluate, load_gold
from bot.services import Services

OWN = Path(__file__).resolve().parent.parent / "eval" / "own"


def test_own_sets_stay_above_the_fitted_floors(seeded: Services) -> None:
    """Evidence, facts, abstention and verbatim quotes on the team's own questions meet the recorded floors."""
    gold = [q for path in sorted(OWN.glob("*.jsonl")) for q in load_gold(path)]
    m = evaluate(seeded, gold).metrics
    floors = json.loads((OWN / "floors.json").read_text(encoding="utf-8"))
    assert m["verbatim_quotes"] == 1.0
    for name, floor in floors["at_least"].items():
        assert m[name] >= floor, f"{name} = {m[name]:.3f} fell below {floor}"
    for name, ceiling in floors["at_most"].items():
        assert m[name] <= ceiling, f"{name} = {m[name]:.3f} rose above {ceiling}"
