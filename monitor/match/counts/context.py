"""Events from the item's context, for figures with nothing around them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.match.counts.cues import COUNT_VERBS, PUTS
from monitor.match.counts.lexicon import BEFORE_PREFIX, PEOPLE, QUALIFIER, VERIFY
from monitor.match.counts.phrases import find_unit

_EVENT_STEM = re.compile(
    r"\b(?:(excarcel|liber|releas|freed|frees)|(arrest|detien|detuv|detain|captur|apres)"
    r"|(kill|muer|murio|died|dies|fallec))")


def mentioned_event(text: str) -> str | None:
    """The last release/arrest/death word of a sentence with no figure in it."""
    last = None
    for m in _EVENT_STEM.finditer(text):
        last = m
    if last is None:
        return None
    return ("released", "arrested", "dead")[next(n for n in range(3) if last.group(n + 1))]


def counted_prisoners(toks: Sequence[str], i: int, j: int, earlier: Sequence[str]) -> bool:
    """A bare figure after a counting verb, put at by a speaker, or a number of names, in an item
    that speaks of political prisoners ("Caracas claims none; Foro Penal puts the figure at 489")."""
    k = i - 1
    while k > 0 and (toks[k] in QUALIFIER or toks[k] == "than"):  # "NGOs count more than 400"
        k -= 1
    put = toks[k] in ("at", "en") and any(w in PUTS for w in toks[max(0, k - 4):k])  # "puts the figure at 489"
    # "no hay presos políticos, dice; las ONG responden con una lista de 488 nombres"
    names = toks[j:j + 1] in (["nombres"], ["names"]) and toks[j + 1:j + 2] not in (["de"], ["of"]) and not any(
        _RELEASE_TEXT.search(text) for text in earlier)  # not the names on a list of releases
    if i == 0 or not (put or names or toks[k].startswith(COUNT_VERBS)) or find_unit(toks, j) is not None:
        return False
    return any(_PRISONERS_TEXT.search(text) for text in earlier)


_PRISONERS_TEXT = re.compile(r"presos politicos|political prisoners|presas politicas")
_RELEASE_TEXT = re.compile(r"excarcel|liber|releas|freed|frees")


def verified_figure(toks: Sequence[str], i: int, j: int) -> bool:
    """A bare figure right after a verifying verb ("Foro Penal ha verificado 18")."""
    if i == 0 or find_unit(toks, j) is not None:
        return False
    k = i - 1
    while k > 0 and toks[k] in ("first", "primeros", "primeras", "las", "los", "the"):
        k -= 1  # "Foro Penal confirms first 11"
    w = toks[k]
    return w in ("solo", "only", "just") or w.startswith(VERIFY)


def event_between(toks: Sequence[str], start: int, i: int) -> str | None:
    """An arrest/release/death noun between the last count and a subset ("25 deaths during
    protests and the arbitrary detention of hundreds of people, including 220 adolescents")."""
    for k in range(i - 1, start, -1):
        if toks[k] in _EVENT_WORD:
            return _EVENT_WORD[toks[k]]
    return None


_EVENT_WORD = {
    **dict.fromkeys(["detention", "detencion", "detenciones", "arrests", "arresto", "arrestos"],
                    "arrested"),
    **dict.fromkeys(["releases", "liberacion", "excarcelacion", "excarcelaciones"], "released"),
    **dict.fromkeys(["deaths", "muertes"], "dead"),
}


def sentence_event(toks: Sequence[str], i: int) -> str | None:
    """The release, arrest or death a sentence speaks of before toks[i], for a figure that
    inherits with no count before it ("anuncia la liberación de 'un número importante' de
    presos; Foro Penal ha verificado 18")."""
    for k in range(i - 1, -1, -1):
        w = toks[k]
        for ev, prefixes in BEFORE_PREFIX:
            if ev != "held" and w.startswith(prefixes) and w not in PEOPLE:
                return ev
    return None

