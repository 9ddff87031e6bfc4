"""One number in a sentence, as the attribution rules see it, and the rules' contract.

A rule takes a Spot and answers an event ("released", "arrested", "held", "dead", "inherit",
"inherit:<event>", "detainees", "total"), None (the number is not a count), or GO_ON (the
rule does not apply: the next one decides). Rules run in order; the first answer wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

GO_ON = "go on"
Answer = str | None


@dataclass(slots=True)
class Spot:
    """The number toks[i:j]; prev is (event, token index) of the count before it."""

    toks: Sequence[str]
    i: int
    j: int
    singular: bool
    prev: tuple[str, int] | None
    unit: int | None = None  # index of the number's noun
    whole: int | None = None  # index after M in "N de las M"
    from_whole: bool = False  # the noun is the whole's ("61 de las 87 excarcelaciones")
    bare_group: bool = False  # no noun, not "un", no whole: "N de los <group>" may follow
    memo: dict[str, Answer] = field(default_factory=dict)  # predicates computed once

    @property
    def nxt(self) -> str:
        return self.toks[self.j] if self.j < len(self.toks) else ""


Rule = Callable[[Spot], Answer]
