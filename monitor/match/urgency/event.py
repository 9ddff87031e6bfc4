"""Whether an urgent term is the headline's own event: each reason it is not, in turn.

The haystack is the folded field (" word word "), `start` the offset of the term in it; `raw`, the
field as written, shows stops, commas and quotations the haystack has lost.
"""

from __future__ import annotations

from monitor.match.urgency.custody import held_for
from monitor.match.urgency.deaths import relatives_death, threatened_death
from monitor.match.urgency.described import (
    how_the_freed_fare,
    in_a_relative_clause,
    participle_describes,
    weighed_as_a_goal,
)
from monitor.match.urgency.english import after_clause, english_adjective, infinitive
from monitor.match.urgency.negation import denied, negated
from monitor.match.urgency.speakers import REPORTED_THERE, noun_told
from monitor.match.urgency.verbs import (
    attacks_with_words,
    blocks_no_ship,
    posts_not_charges,
    strikes_no_target,
)
from monitor.match.urgency.words_before import (
    CONDITIONED,
    CONDITIONED_TERM,
    CONDITIONED_WORDS,
    NOT_THE_EVENT,
    WORDS_BEFORE,
)


def tells_the_event(haystack: str, start: int, raw: str | None = None) -> bool:
    """Whether the term at `start` of the haystack (" word word ") is the headline's own event;
    `raw`, the field as written, shows the quotations."""
    words = haystack[:start].split()
    before = " ".join(words[-WORDS_BEFORE:])
    if REPORTED_THERE.search(" " + before + " "):
        return True
    if CONDITIONED.search(" ".join(words[-CONDITIONED_WORDS:])) and CONDITIONED_TERM.match(haystack, start):
        return False
    if NOT_THE_EVENT.search(before) or denied(words) or negated(words, raw) or held_for(haystack, start, before):
        return False
    if relatives_death(haystack, start, words) or threatened_death(haystack, start, before):
        return False
    if in_a_relative_clause(haystack, start, words) or blocks_no_ship(haystack, start) \
            or attacks_with_words(haystack, start) or strikes_no_target(haystack, start) \
            or posts_not_charges(haystack, start, words):
        return False
    if participle_describes(haystack, start, words) or weighed_as_a_goal(haystack, start, words, raw):
        return False
    if after_clause(haystack, start, words, raw) or english_adjective(haystack, start, words, raw) \
            or infinitive(haystack, start, words):
        return False
    if how_the_freed_fare(haystack, start, words):
        return False
    return noun_told(haystack, start, words, raw)
