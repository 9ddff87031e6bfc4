"""Sources that state a figure together: "La PUD y Foro Penal confirman 56", "Foro Penal,
Provea y JEP contabilizan 800" (source "Foro Penal & Provea & JEP", core.count.JOINT)."""

from __future__ import annotations

import re

from core.count import JOINT

GENERIC = "*"  # "la organización", "the group": the item's one named source
GENERIC_NGO = "*ngo"  # "la ONG": one of sources.NGOS, else an unnamed NGO
# resolved later and alone, so never a partner of a named source
UNNAMED = frozenset({GENERIC, GENERIC_NGO})

_JOINED = re.compile(r",?\s+(?:y|e|and)\s+(?:(?:el|la|los|las|the)\s+)?")  # "A y B", "A, B, and C"
_LISTED = re.compile(r",\s*(?:(?:el|la|los|las|the)\s+)?")  # "A, B y C": the comma of a list
# a phrase the first name closes ("tras reunirse con la ONU, Foro Penal y Provea contabilizan"):
# its comma ends the phrase, it opens no list
_GOVERNED = re.compile(r"\b(?:con|de|del|a|al|ante|por|para|tras|sobre|entre|en|with|of|to|by|for|from|in|before"
                       r"|after|among)\s+(?:(?:el|la|los|las|the)\s+)?$")


def listed(text: str, mentions: list[tuple[int, int, str]]) -> dict[int, bool]:
    """The mentions that join the one before them in a list of sources, each with whether by
    "y"/"and" ("A y B", "A, B y C"); a comma joins only in a list that a "y" closes ("según la
    ONU, Provea contabiliza" is two clauses) and that no preposition opens."""
    out: dict[int, bool] = {}
    run: list[int] = []
    for idx in range(1, len(mentions)):
        gap = (mentions[idx - 1][1], mentions[idx][0])
        if _JOINED.fullmatch(text, *gap):
            out.update(dict.fromkeys(run, False))
            out[idx], run = True, []
        elif _LISTED.fullmatch(text, *gap) and (run or not _GOVERNED.search(text, 0, mentions[idx - 1][0])):
            run.append(idx)
        else:
            run = []
    return out


def joins(said: re.Match[str] | None, *, by_and: bool, by_prep: bool) -> bool:
    """Whether a source listed after the one that states a figure states it too: when it says
    so itself (not by a colon: "Provea y Foro Penal difieren: 1.050 vs. 884" gives each its own
    figure), or, saying nothing, when the list follows "según" ("según Foro Penal, Provea y JEP,
    hay 900"). A comma after "según X" ends its phrase: "según la ONU, Provea y JEP contabilizan"."""
    if said is None:
        return by_prep
    return said.group() != ":" and (by_and or not by_prep)


def joint(first: str, other: str) -> str:
    """Two sources that state a figure together; an unnamed one ("la ONG", "the group")
    is resolved later and alone, so it stays the only one named."""
    if first in UNNAMED or other in UNNAMED or other in first.split(JOINT):
        return first
    return f"{first}{JOINT}{other}"


def each_their_own(text: str, mentions: list[tuple[int, int, str]], figures: tuple[int, int],
                   stated: str | None) -> tuple[str, str] | None:
    """The sources of two figures set against each other ("Provea y Foro Penal difieren: 1.050
    vs. 884"): the two named together before them, in their order, when they are the ones
    that state the first (`stated`) and nobody is named between the figures."""
    first, second = figures
    before = [m for m in mentions if m[1] <= first]
    if len(before) < 2 or any(first <= m[0] < second for m in mentions):
        return None
    (_, a_end, a), (b_start, _, b) = before[-2:]
    if {a, b} & UNNAMED or _JOINED.fullmatch(text, a_end, b_start) is None:
        return None
    return (a, b) if stated in (a, b, joint(a, b)) else None
