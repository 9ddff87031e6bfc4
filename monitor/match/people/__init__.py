"""Watched people: names the news taught as political prisoners, matched in later items.

Two parts (docs/MATCHING.md, "Watched people"), each in its module:

- `NameLearner.learn(title, summary, classification)` (`learn.py`): when the rules
  matched an item as political_prisoners, the people it names as arrested, released,
  detained or dead ("Excarcelan a Virgilio Laverde y Didelis Corredor", "el preso
  político Edison Torres", "Rafael Tudares es liberado", "Frees Opposition Leader Juan
  Pablo Guanipa"): runs of 2–4 capitalized words right after or before such a phrase,
  accents kept for display. Names of `people_never.txt`, of the gazetteer's places,
  organisations and non-Venezuelan people are never learned.
- `WatchedPeople` (`watch.py`): the current set, on its own small Aho-Corasick
  automaton over the same normalized text as the rules (core.text), whole words only. A
  single word or a pair of common names ("José García") counts only with Venezuelan or
  prisoner context. `replace`/`add`/`remove` rebuild only this automaton and swap it in
  one assignment, so the matcher reads a consistent snapshot from any thread while
  operators edit the list.

The shipped lists (seed, never-names) are read by `seed.py`.
"""

from monitor.match.people.learn import (
    MAX_WORDS,
    MIN_WORDS,
    RULE_ROLES,
    TOPIC,
    NameLearner,
    learn_names,
    matched_by_rules,
)
from monitor.match.people.seed import _data_lines, load_seed
from monitor.match.people.watch import WatchedPeople

__all__ = [
    "MAX_WORDS",
    "MIN_WORDS",
    "RULE_ROLES",
    "TOPIC",
    "NameLearner",
    "WatchedPeople",
    "_data_lines",
    "learn_names",
    "load_seed",
    "matched_by_rules",
]
