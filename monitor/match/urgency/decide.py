"""Urgency of a relevant item, read top-down: what makes it urgent, in turn; each reason an
urgent term is not the headline's own event is read in `event.tells_the_event`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.count import Count
from monitor.match.urgency.custody import (
    arrests_of_a_pronoun,
    arrests_of_a_role,
    arrivals_in_custody,
    walks_out_of_prison,
)
from monitor.match.urgency.event import tells_the_event
from monitor.match.urgency.explainers import explainer
from monitor.match.urgency.figures import urgent_figure

Hits = Mapping[int, list[tuple[int, int, int]]]


def decide_urgency(
    topics: Sequence[Any],
    hits: Hits,
    counts: Sequence[Count],
    prominent: bool,
    person_named: bool,
    hay: Sequence[str] | None = None,
    raw: Sequence[str] | None = None,
) -> str:
    """`hay`: the item's haystacks (title, summary, text), to read what precedes an urgent term;
    without them every urgent term counts. `raw`: the same fields as written (quotations)."""
    if not topics:
        return "low"
    if not prominent:
        return "low"
    if hay is not None and explainer(hay, raw):
        return "normal"  # "¿Quiénes son los 12 excarcelados?", "Cómo la muerte de 32 cubanos…"
    if urgent_figure(counts, hay, raw):
        return "high"
    for tp in topics:
        if _prominent(tp.urgent, hits, hay, raw):
            return "high"
        if person_named and _prominent(tp.urgent_with_person, hits, hay, raw):
            return "high"
        if hay is not None and _told(arrests_of_a_pronoun(tp.urgent_with_person, hits, hay), hay, raw):
            return "high"
        if hay is not None and _told(arrests_of_a_role(tp.urgent_with_person, hits, hay), hay, raw):
            return "high"
    if person_named and hay is not None and _told(arrivals_in_custody(hay, raw), hay, raw):
        return "high"
    if hay is not None and _told(_opening_release(hay), hay, raw):
        return "high"
    if hay is not None and _told(walks_out_of_prison(hay), hay, raw):
        return "high"
    return "normal"


# A release participle opening a field is the headline's own event in Spanish headline style:
# "Liberada la defensora Rocío San Miguel tras casi dos años presa", "Liberado el estadounidense
# detenido en Táchira". Elsewhere it mostly describes ("Italianos liberados en Venezuela rompieron
# el silencio"), so the bare participle is no urgent term ("excarcel*" is, and its participle is
# read by `described.py`).
_OPENING_RELEASE = re.compile(r" ?liberad[oa]s? ")


def _opening_release(hay: Sequence[str]) -> list[tuple[int, int]]:
    """The title or summary that opens with a release participle, as (field, offset 0)."""
    return [(f, 0) for f in (0, 1) if f < len(hay) and _OPENING_RELEASE.match(hay[f])]


def _prominent(tids: Sequence[int], hits: Hits,
               hay: Sequence[str] | None = None, raw: Sequence[str] | None = None) -> bool:
    """Whether a term of `tids` stands in the title or summary as the headline's own event."""
    return any(f < 2 and (hay is None or tells_the_event(hay[f], start, raw[f] if raw else None))
               for t in tids for f, start, _ in hits.get(t, ()))


def _told(places: Iterable[tuple[int, int]], hay: Sequence[str], raw: Sequence[str] | None) -> bool:
    """Whether one of `places` (a field and an offset in it) tells the headline's own event."""
    return any(tells_the_event(hay[f], start, raw[f] if raw else None) for f, start in places)
