"""The field as written beside its folded haystack: the haystack counts words only, so where a
stop, a comma or a quotation mark stands is read here, word `index` lined up as the haystack
counts words."""

from __future__ import annotations

import re

_QUOTES = {"«": 1, "»": -1, "“": 1, "”": -1}


def comma_after(raw: str | None, index: int) -> bool:
    """Whether the word at `index` of `raw` (counted as the haystack counts words) ends with a comma."""
    if raw is None or index < 0:
        return False
    said = re.findall(r"\w+,?", raw)
    return index < len(said) and said[index].endswith(",")


def stop_between(raw: str, first: int, last: int, commas: bool = False) -> bool:
    """Whether a stop (".", ":", ";", "?", "!", "|", a dash; a comma too with `commas`) stands in
    `raw` between the words at `first` and `last` (counted as the haystack counts words); False
    when they cannot be lined up."""
    index = -1
    stops = r"[.:;!?|,\u2013\u2014]" if commas else r"[.:;!?|\u2013\u2014]"
    for m in re.finditer(r"\w+|" + stops + r"(?=\s|$)", raw):
        if m.group()[0].isalnum() or m.group()[0] == "_":
            index += 1
            if index >= last:
                return False
        elif first <= index:
            return True
    return False


def quoted(raw: str, index: int) -> bool:
    """Whether the word at `index` (counted as the haystack counts words) is inside «…» or “…”
    of `raw`; False when the words cannot be lined up."""
    depth = 0
    for k, m in enumerate(re.finditer(r"\w+|[«»“”]", raw)):
        tok = m.group()
        if tok in _QUOTES:
            depth = max(0, depth + _QUOTES[tok])
            index += 1  # a quotation mark is not a word of the haystack
        elif k == index:
            return depth > 0
    return False


