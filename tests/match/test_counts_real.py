"""Counts on the real January 2026 headlines (../shared/real), independent of topics.

The counts extractor runs on the title of every item the readers labelled relevant, and is
scored against their counts (event+number), on the tuning half of the time split only
(2-21 January). The later days are the split's measure: docs/MATCHING.md reports them, no
test asserts on them. Skips cleanly when ../shared is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.count import Count
from monitor.match.counts import extract_counts

TUNING = ("2026-01-02", "2026-01-21")


def _items(shared_dir: Path) -> list[dict]:
    path = shared_dir / "real" / "headlines_es_2026-01.jsonl"
    if not path.exists():
        pytest.skip("real headlines absent")
    with path.open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    return [i for i in items if TUNING[0] <= i["date"] <= TUNING[1] and i["topics"] and not i.get("unsure")]


def _pairs(counts: list[dict] | list[Count]) -> set[tuple[str, int]]:
    return {(c.event, c.number) if isinstance(c, Count) else (c["event"], int(c["number"])) for c in counts}


def test_counts_on_real_relevant_titles(shared_dir):
    tp = fp = fn = 0
    for item in _items(shared_dir):
        gold = _pairs(item["counts"])
        got = _pairs(extract_counts([item["title"], "", ""]))
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    # precision first: a wrong figure in an alert costs more than a missing one
    assert precision >= 0.95, (tp, fp, fn)
    assert recall >= 0.90, (tp, fp, fn)
