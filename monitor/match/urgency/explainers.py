"""An explainer or a question about the event ("¿Quiénes son los excarcelados?", "Cómo impactó la
captura…") is not the event told."""

from __future__ import annotations

import re
from collections.abc import Sequence

# An explainer or a question about the event, not the event told ("¿Quiénes son los
# excarcelados?", "¿Cuándo sale en libertad…?", "Lo que se sabe de…", "Who are the freed…"), also after a rubric ("EN VIDEO:
# Así fue la llegada…", "EN VIVO | ¿Quiénes son…").
_EXPLAINER = re.compile(
    r"^ (?:(?:(?:en )?(?:video|videos|vivo|directo|fotos|imagenes)|ultima hora|live|watch|photos) )?"
    r"(?:quienes son|quien es|cuales son|como fue|como es|como se|como la|como el|asi fue"
    r"|who are|who is|how the"
    # when or why, asked ("¿Cuándo sale en libertad X?", "¿Por qué EE UU deporta a…?") or opening
    # the background ("Cuando salió en libertad, X habló…")
    r"|cuando|por que|when|why) | (?:que se sabe|lo que se sabe|what we know|what to know) "
)
# "Cómo" with its accent opens an explainer whatever its verb ("Cómo impactó la captura…");
# without it, "Como" is "as" ("Como parte del acuerdo, excarcelan a 40…"), read by the list above.
_HOW_ASKED = re.compile(r"^\W*c[óÓ]mo\b", re.IGNORECASE)


def explainer(hay: Sequence[str], raw: Sequence[str] | None) -> bool:
    """Whether the title is an explainer or a question about the event."""
    return bool(_EXPLAINER.search(hay[0]) or (raw is not None and _HOW_ASKED.match(raw[0])))
