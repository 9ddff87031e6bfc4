"""Deaths: a death told of a prisoner's relative ("Murió la madre de…") is not the prisoner's, nor
is a death that threatens ("en riesgo de muerte")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.match.urgency.words_before import FILLERS

# A death told of a prisoner's relative is not the prisoner's: "Murió la madre del expreso
# político Ramón Centeno", "Murieron las madres de tres presos políticos" (readers: normal, not
# a death in custody to wake anyone for). The death word is followed by the relative and "de",
# or the relative and "de" come a few words before it ("La madre del preso político X murió").
_DEATH = re.compile(r" ?(?:muere|mueren|murio|murieron|fallece|fallecen|fallecio|fallecieron|muerte"
                    r"|died|dies|death) ")
# A death that threatens, not one that happened: "enfrenta una muerte lenta en prisión", "en
# riesgo de muerte", "faces death".
_THREATENED = re.compile(
    r"(?:^| )(?:enfrenta|enfrentan|enfrentaria|riesgo de|peligro de|faces|face|risk of)"
    r"(?: (?:" + "|".join(FILLERS) + r"))*$"
)
RELATIVE = (r"(?:madre|madres|padre|padres|hijo|hija|hijos|hijas|esposa|esposo|hermano|hermana|hermanos"
            r"|hermanas|abuela|abuelo|familiar|familiares|mother|mothers|father|fathers|son|daughter|wife"
            r"|husband|brother|sister|relative|relatives)")
_RELATIVE_AFTER = re.compile(r"(?: (?:la|el|las|los|una|un|su|sus|the|a|his|her|their))* " + RELATIVE
                             + r" (?:de|del|of) ")
_RELATIVE_BEFORE = re.compile(r"(?:^| )" + RELATIVE + r" (?:de|del|of) ")
_RELATIVE_WORDS = 7


def relatives_death(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the death word at `start` is told of a relative ("murió la madre de…")."""
    death = _DEATH.match(haystack, start)
    if death is None:
        return False
    if _RELATIVE_AFTER.match(haystack, death.end() - 1):
        return True
    return bool(_RELATIVE_BEFORE.search(" " + " ".join(words[-_RELATIVE_WORDS:]) + " "))


def dead_are_relatives(title: str) -> bool:
    """Whether the title's deaths are its prisoners' relatives' (its figure of dead is theirs)."""
    # the last words before each death word only (rsplit from the end): the words of all the
    # title before each one made a title of 16,000 deaths ("murieron 10 murieron 10 …", `monitor
    # classify`'s 200,000 characters) take 6.9 s
    return any(relatives_death(title, m.start(), title[:m.start()].rsplit(None, _RELATIVE_WORDS)[-_RELATIVE_WORDS:])
               for m in _DEATH.finditer(title))


def threatened_death(haystack: str, start: int, before: str) -> bool:
    """Whether the death word at `start` is one that threatens (`before`: "enfrenta una")."""
    return bool(_DEATH.match(haystack, start) and _THREATENED.search(before))
