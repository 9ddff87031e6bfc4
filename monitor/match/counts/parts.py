"""The part of the people a figure counts: "entre ellos 180 militares", "13 presos políticos
extranjeros", "dos estadounidenses". Such a figure is no total: the tally leaves it out and
the alerts name the group (core/count.py, core/data/count_parts.yaml)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from core.count import count_parts
from monitor.match.counts.numbers import parse_number
from monitor.match.counts.phrases import find_unit, is_partitive_whole, partitive_whole

# "civiles y militares", "women and children": groups coordinated are the whole, not a part
_JOINED = frozenset({"y", "e", "o", "and", "or", ",", "/"})
# "170 de ellos militares", "170 of them military": the group named after the subset's number
_OF_THEM = (("de", "ellos"), ("de", "ellas"), ("of", "them"), ("of", "whom"))
# "de los cuales 180 son militares", "90 de los 143 excarcelados son civiles": the group after "to be"
_BE = frozenset({"son", "eran", "fueron", "are", "were"})


@cache
def _part_words() -> dict[str, str]:
    return {w: key for key, spec in count_parts().items() for w in spec["words"]}


# "se desconoce el paradero de al menos 200 presos políticos": those whose whereabouts are unknown
_WHEREABOUTS = frozenset({"paradero", "whereabouts"})
_BEFORE_WHEREABOUTS = 5  # "paradero de (los) (más de) N", "whereabouts of (the) (at least) N"


def part_of(toks: Sequence[str], i: int) -> str | None:
    """The group (a key of count_parts) the number at toks[i] counts, if its noun phrase names
    one: the words from the number to two past its people noun ("13 presos políticos
    extranjeros"), or the one after "de ellos" ("170 de ellos militares"), or after "to be"
    ("de los cuales 180 son militares"; "90 de los 143 excarcelados son civiles": the 90, not the
    whole 143); or the people whose whereabouts are unknown ("el paradero de al menos 200 presos
    políticos")."""
    if _WHEREABOUTS & set(toks[max(0, i - _BEFORE_WHEREABOUTS):i]) and "disappeared" in count_parts():
        return "disappeared"
    parsed = parse_number(toks, i)
    j = parsed[1] if parsed else i + 1
    if tuple(toks[j:j + 2]) in _OF_THEM:
        j += 2
    whole = partitive_whole(toks, j)
    if whole is not None:  # "90 de los 143 excarcelados son civiles": the whole's predicate
        unit = find_unit(toks, whole)
        k = whole if unit is None else unit + 1
        return _after_be(toks, k)
    if j < len(toks) and toks[j] in _BE:  # "180 son militares"
        return _after_be(toks, j)
    unit = find_unit(toks, j)
    end = min(len(toks), (j if unit is None else unit + 2) + 1)
    words = _part_words()
    for k in range(j, end):
        if k > j and parse_number(toks, k) is not None:
            return None  # "800 political prisoners, 180 soldiers": the group is the next figure's
        if toks[k] in _BE and is_partitive_whole(toks, i):
            return None  # "de los 143 excarcelados son civiles": the group is the part's
        key = words.get(toks[k])
        if key is None:
            continue
        return None if _coordinated(toks, j, k) else key
    return None


def breakdown_follows(toks: Sequence[str], k: int) -> bool:
    """A part's figure follows the noun phrase ending before toks[k]: "Foro Penal: 800 presos
    políticos, 180 militares" (the 800 is a tally broken down, not a bare mention)."""
    if k >= len(toks):
        return False
    parsed = parse_number(toks, k)
    if parsed is None or parsed[1] >= len(toks):
        return False
    key = _part_words().get(toks[parsed[1]])
    return key is not None and not _coordinated(toks, parsed[1], parsed[1])


def _after_be(toks: Sequence[str], k: int) -> str | None:
    """The group right after "son/are" at toks[k] ("son militares"), unless joined to another."""
    if k + 1 >= len(toks) or toks[k] not in _BE:
        return None
    key = _part_words().get(toks[k + 1])
    return None if key is None or _coordinated(toks, k + 1, k + 1) else key


def _coordinated(toks: Sequence[str], j: int, k: int) -> bool:
    """Whether the group word at toks[k] is joined to another group ("presos políticos civiles y
    militares"); a second figure after the conjunction ("180 militares y 20 civiles") is not."""
    if k > j and toks[k - 1] in _JOINED:
        return True
    return k + 2 < len(toks) and toks[k + 1] in _JOINED and parse_number(toks, k + 2) is None
