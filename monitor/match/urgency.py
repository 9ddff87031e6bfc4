"""Urgency of a relevant item.

high:   a count of people released, arrested or dead; or a topic's `urgent` term
        (release, strike, death...) in the title or summary; or an
        `urgent_with_person` term (arrest...) there while a person is named.
low:    a mention in passing: the topics' signals occur only in the full text.
normal: everything else that is relevant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.count import Count

HIGH_EVENTS = frozenset({"released", "arrested", "dead"})


def _prominent(tids: Sequence[int], hits: Mapping[int, list[tuple[int, int, int]]]) -> bool:
    return any(f < 2 for t in tids for f, _, _ in hits.get(t, ()))


def decide_urgency(
    topics: Sequence[Any],
    hits: Mapping[int, list[tuple[int, int, int]]],
    counts: Sequence[Count],
    prominent: bool,
    person_named: bool,
) -> str:
    if not topics:
        return "low"
    if not prominent:
        return "low"
    if any(c.event in HIGH_EVENTS for c in counts):
        return "high"
    for tp in topics:
        if _prominent(tp.urgent, hits):
            return "high"
        if person_named and _prominent(tp.urgent_with_person, hits):
            return "high"
    return "normal"
