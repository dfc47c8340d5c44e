"""A mistyped question word is mended to the same article word in every process, whatever the hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.answer.features import slip_map

# "trals" is one dropped letter from both "trails" and "trials"; "tirals" is a swap in "trials" only.
_BODY = "The trials went on while the trails stayed closed. Trials resumed."
_SCRIPT = f"import json; from bot.answer.features import slip_map; print(json.dumps(slip_map({_BODY!r})))"


def test_a_shared_slip_goes_to_the_first_word_alphabetically() -> None:
    """A slip two words share mends to the first of them; a slip only one has mends to that one."""
    mapping = slip_map(_BODY)
    assert mapping["trals"] == "trails"
    assert mapping["tirals"] == "trials"
    assert mapping["trials"] == "trials"


def test_the_slip_map_is_the_same_under_every_hash_seed() -> None:
    """Built in processes with different hash seeds (which reorder sets of words), the map is identical."""
    maps = []
    for seed in ("1", "2", "3", "4"):
        env = os.environ | {"PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True)
        maps.append(json.loads(out.stdout))
    assert all(m == maps[0] for m in maps)
    assert maps[0] == slip_map(_BODY)
