"""How exactly a figure is stated: "más de 400", "al menos 711", "casi 900", "unos 300", "more
than 80", "at least 25". Alerts quote the figure as stated ("más de 400 excarcelados según el
Gobierno"); the tally and the story's figures go by the number (core/count.py)."""

from __future__ import annotations

from collections.abc import Sequence

# the words before the number (folded, as the count reader tokenizes) → the qualifier
_BEFORE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("por", "lo", "menos"), "at least"),
    (("como", "minimo"), "at least"),
    (("al", "menos"), "at least"),
    (("at", "least"), "at least"),
    (("mas", "de"), "more than"),
    (("more", "than"), "more than"),
    (("upwards", "of"), "more than"),
    (("over",), "more than"),
    (("menos", "de"), "fewer than"),
    (("fewer", "than"), "fewer than"),
    (("less", "than"), "fewer than"),
    (("casi",), "nearly"),
    (("nearly",), "nearly"),
    (("almost",), "nearly"),
    (("alrededor", "de"), "about"),
    (("cerca", "de"), "about"),
    (("aproximadamente",), "about"),
    (("unos",), "about"),
    (("unas",), "about"),
    (("about",), "about"),
    (("around",), "about"),
    (("approximately",), "about"),
    (("roughly",), "about"),
    (("some",), "about"),
)


def qualifier_of(toks: Sequence[str], i: int) -> str | None:
    """The qualifier stated right before the number at toks[i], if any; "1,000-plus" after it."""
    for words, qualifier in _BEFORE:
        n = len(words)
        if i >= n and tuple(toks[i - n:i]) == words:
            return qualifier
    after = toks[i + 2:i + 3]
    plus = toks[i + 1:i + 2] == ["plus"] and not (after and after[0][0].isdigit())  # not "1,000 plus 20"
    return "more than" if plus else None
