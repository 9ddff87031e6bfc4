"""Which rules' counts are confident: shown in alerts; the others are stored only.

Measured per rule on the sets tuned on (tests/data/labelled_dev*.jsonl and the January file's
2–21 January), never on the blind sets: docs/MATCHING.md, "Counts"."""

from __future__ import annotations

# rules whose counts were wrong too often to be shown
UNCONFIDENT: frozenset[str] = frozenset()


def confident(rule: str) -> bool:
    return rule not in UNCONFIDENT
