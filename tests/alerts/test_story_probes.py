"""Probes of look-alike events and paraphrase in the style of February and March 2026
(bench/data/stories/probes/, titles and groups written by helpers for finding wrong merges):
the shipped rules merge no two of their events, but for the pairs a probe's `NAME.known.json`
lists, each read and explained (a label the readers' rules give otherwise, or a fault left).
Their recall is no measure (a writer's tellings of one event vary more than real outlets'), so
only wrong merges are asserted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from monitor.story_eval import evaluate, load_groups, load_headlines, wrong_merge_pairs

PROBES = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "bench/data/stories/probes").glob("*.json")
    if not p.name.endswith(".known.json")
)


def _known(groups: Path) -> set[frozenset[str]]:
    """The wrong merges read and left (NAME.known.json), as unordered pairs of ids."""
    path = groups.with_suffix(".known.json")
    if not path.exists():
        return set()
    return {frozenset(p["ids"]) for p in json.loads(path.read_text(encoding="utf-8"))["pairs"]}


@pytest.mark.parametrize("groups", PROBES, ids=[p.stem for p in PROBES])
def test_a_probe_of_look_alike_events_has_no_wrong_merge(groups: Path, default_config: Any) -> None:
    headlines = load_headlines(groups.with_suffix(".headlines.jsonl"))
    [result] = evaluate(load_groups(groups), headlines, default_config)
    assert len(result.gold) == len(headlines)  # every title found relevant or placed by its label
    known = _known(groups)
    wrong = [
        (headlines[a]["title"], headlines[b]["title"])
        for a, b in wrong_merge_pairs(result.pred, result.gold) if frozenset((a, b)) not in known
    ]
    assert wrong == []


def test_the_probes_are_there() -> None:
    assert len(PROBES) >= 8
    for groups in PROBES:
        assert groups.with_suffix(".headlines.jsonl").is_file()


@pytest.mark.parametrize("groups", [p for p in PROBES if p.with_suffix(".known.json").exists()],
                         ids=lambda p: p.stem)
def test_a_known_wrong_merge_names_two_titles_of_different_stories(groups: Path) -> None:
    """A pair left in the known list names titles of the probe that its writer put apart."""
    gold = {i: k for w in load_groups(groups) for i, k in w.gold().items()}
    for pair in _known(groups):
        a, b = sorted(pair)
        assert a in gold and b in gold and gold[a] != gold[b]
