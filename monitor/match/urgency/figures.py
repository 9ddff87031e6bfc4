"""A figure of people released, arrested or dead makes an item urgent, unless its title tells the
release only in passing or its dead are the prisoners' relatives."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.count import Count
from monitor.match.urgency.deaths import dead_are_relatives
from monitor.match.urgency.described import participle_describes
from monitor.match.urgency.negation import denied, negated
from monitor.match.urgency.words_before import FILLERS, WORDS_BEFORE

HIGH_EVENTS = frozenset({"released", "arrested", "dead"})
# A release word (for a figure of released: `release_in_passing`) and the words of background just
# before it: "tras la liberación de los dos italianos".
_RELEASE_WORD = re.compile(r" (?:excarcel|liber|releas|freed)[a-z]*")
_BACKGROUND = re.compile(
    r"(?:^| )(?:tras|luego de|luego del|despues de|despues del|after|following)"
    r"(?: (?:" + "|".join(FILLERS) + r"))*$"
)


def release_in_passing(title: str, raw: str | None = None) -> bool:
    """Whether every release word of the title is told in passing: in the background ("Italia
    nombrará embajador tras la liberación de los dos italianos"), describing the people ("recibió
    a los dos italianos excarcelados") or denied ("niega que hubo 20 excarcelaciones"), so that its
    figure is not the headline's news. False when the title has no release word (the figure came
    from elsewhere). `raw`: the title as written."""
    found = False
    for m in _RELEASE_WORD.finditer(title):
        found = True
        words = title[:m.start()].split()
        if _BACKGROUND.search(" ".join(words[-WORDS_BEFORE:])):
            continue
        if denied(words) or negated(words, raw):
            continue
        if participle_describes(title, m.start(), words):
            continue
        return False
    return found


def urgent_figure(counts: Sequence[Count], hay: Sequence[str] | None, raw: Sequence[str] | None) -> bool:
    """Whether a figure of people released, arrested or dead is the headline's news."""
    relatives = hay is not None and dead_are_relatives(hay[0])
    passing = hay is not None and release_in_passing(hay[0], raw[0] if raw else None)
    return any(c.event in HIGH_EVENTS and not (c.event == "dead" and relatives)
               and not (c.event == "released" and passing) for c in counts)
