"""Corrections: "Foro Penal corrige: son 134 y no 143". The figure after "no" is the one
corrected, never a count; the figure before it is the count, with the event its noun or the
item names ("son 134 y no 143 las excarcelaciones", a summary on the releases), else none."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.match.counts.context import mentioned_event
from monitor.match.counts.numbers import parse_number
from monitor.match.counts.phrases import find_unit

_AND = frozenset({"y", "and", ",", "pero", "but"})
_NOT = frozenset({"no", "not"})
_ARTICLES = frozenset({"los", "las", "the"})


def corrected_away(toks: Sequence[str], i: int) -> bool:
    """The number at toks[i] is the figure a correction replaces: "son 134 y no 143"."""
    return i > 1 and toks[i - 1] in _NOT and toks[i - 2] in _AND and parse_number(toks, i) is not None and any(
        parse_number(toks, k) is not None for k in range(max(0, i - 6), i - 2))


def corrected_to(toks: Sequence[str], i: int, j: int, context: Callable[[], str | None]) -> str | None:
    """The event of N in "son N y no M" (N with no noun of its own): the noun after M ("y no 143
    las excarcelaciones"), else the event the item's other sentences name (`context()`); None
    when neither does."""
    if find_unit(toks, j) is not None or j + 2 >= len(toks) or toks[j] not in _AND or toks[j + 1] not in _NOT:
        return None
    other = parse_number(toks, j + 2)
    if other is None:
        return None
    k = other[1] + (other[1] < len(toks) and toks[other[1]] in _ARTICLES)
    told = mentioned_event(" ".join(toks[k:k + 3])) if k < len(toks) else None
    return told or context()
