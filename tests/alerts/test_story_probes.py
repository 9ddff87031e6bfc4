"""Probes of look-alike events and paraphrase in the style of February and March 2026
(bench/data/stories/probes/, titles and groups written by helpers for finding wrong merges):
the shipped rules merge no two of their events. Their recall is no measure (a writer's
tellings of one event vary more than real outlets'), so only wrong merges are asserted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.story_eval import evaluate, load_groups, load_headlines, wrong_merge_pairs

PROBES = sorted((Path(__file__).resolve().parents[2] / "bench/data/stories/probes").glob("*.json"))


@pytest.mark.parametrize("groups", PROBES, ids=[p.stem for p in PROBES])
def test_a_probe_of_look_alike_events_has_no_wrong_merge(groups: Path, default_config: Any) -> None:
    headlines = load_headlines(groups.with_suffix(".headlines.jsonl"))
    [result] = evaluate(load_groups(groups), headlines, default_config)
    assert len(result.gold) == len(headlines)  # every title found relevant or placed by its label
    wrong = [(headlines[a]["title"], headlines[b]["title"]) for a, b in wrong_merge_pairs(result.pred, result.gold)]
    assert wrong == []


def test_the_probes_are_there() -> None:
    assert len(PROBES) >= 2
