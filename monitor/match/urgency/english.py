"""English headline grammar: "after" opening a clause of background, and a participle before
a noun ("Freed Venezuelan journalist describes…") describing the people, not their release."""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.match.urgency.written import stop_between

# English "after" opens the background with a clause as well as a noun: "oil exports rebound after
# US eases blockade", "votes on war powers after boat strikes" (Spanish "tras" takes a noun). A
# comma between ends it: "Hours after Trump's warning, US strikes another boat" is the event.
# …of a noun only: "Teen detained after 2024 protests freed after 19 months" tells the release.
_PAST_VERB = re.compile(r" ?[a-z]+ed ")
_AFTER_CLAUSE = re.compile(r"(?:^| )(?:after|following|amid)(?: [a-z0-9]+){1,3}$")
# English "freed", "jailed" before a noun describe the people ("Freed Venezuelan journalist
# describes…", "Jailed activist's mother…", "families of jailed soldiers"): at the start of the
# title or after an article, a preposition or a possessive, and followed by a word that no verb
# of an event takes ("freed by", "freed from", "jailed for", "released after", "freed 20").
_EN_PARTICIPLE = re.compile(r" ?(?:freed|jailed|imprisoned|detained|released|arrested) (?P<next>[a-z0-9]+) ")
_EN_DESCRIBES = frozenset({"the", "a", "an", "of", "for", "with", "his", "her", "their", "its", "s", "newly",
                           "recently", "other", "fellow", "among"})
_EN_VERB_NEXT = frozenset({"by", "from", "after", "in", "at", "on", "for", "as", "over", "under", "without",
                           "with", "last", "this", "yesterday", "today", "and", "but", "following", "amid",
                           "into", "when", "while", "since", "before", "to", "early", "late", "hours",
                           "days", "weeks", "months", "years", "again", "despite", "out", "back", "up",
                           "him", "her", "them", "overnight", "or", "nearly", "almost", "more",
                           "all", "dozens", "hundreds", "some", "several", "two", "three", "four", "five"})
# An urgent verb in its bare form after "to" is threatened, planned, asked or voted on, not done:
# "Trump threatens to destroy Venezuelan drug boats", "Hegseth vows to sink…", "power to strike
# Venezuela", "urge Caracas to release…"; a noun after "to" is not ("ties relief to release of
# jailed soldiers", "responds to strike on boat", "moved to house arrest", "sentenced to death").
_BARE_VERB = re.compile(
    r" ?(?:strike|destroy|sink|board|seize|kill|bomb|bombard|free|release|deport|intercept|interdict"
    r"|confiscate|invade|blockade|attack) (?!(?:of|on|by|that|which|against|was|were|is|has|had) )"
)


def after_clause(haystack: str, start: int, words: Sequence[str], raw: str | None) -> bool:
    """Whether English "after" (or "following", "amid") a few words back, with no comma or stop
    between, makes the event at `start`, after `words`, the background ("…rebound after US eases
    blockade"); a past verb there tells the event ("…detained after 2024 protests freed…")."""
    if _PAST_VERB.match(haystack, start):
        return False
    tail = words[-4:]
    m = _AFTER_CLAUSE.search(" ".join(tail))
    if m is None:
        return False
    first = len(words) - len(m.group().split())
    return raw is None or not stop_between(raw, first, len(words), commas=True)


def english_adjective(haystack: str, start: int, words: Sequence[str], raw: str | None) -> bool:
    """Whether the English participle at `start` describes the people before a noun ("Freed
    Venezuelan journalist describes…", "mother of jailed activist…"), not their release or arrest;
    a colon after it makes it the event ("Freed: Venezuela releases…")."""
    m = _EN_PARTICIPLE.match(haystack, start)
    if m is None or m["next"] in _EN_VERB_NEXT or m["next"].isdigit():
        return False
    if words and words[-1] not in _EN_DESCRIBES:
        return False
    if raw is not None:
        said = re.findall(r"\w+[:,;.!?]?", raw)
        if len(words) < len(said) and said[len(words)][-1] in ":,;.!?":
            return False
    return True




def infinitive(haystack: str, start: int, words: Sequence[str]) -> bool:
    """Whether the term at `start`, after `words`, is an English verb in its bare form after "to"
    ("threatens to destroy", "vows to sink", "power to strike"): what is to come, not the event."""
    return bool(words) and words[-1] == "to" and bool(_BARE_VERB.match(haystack, start))
