"""Event attribution: the event of one number in a sentence, by named rules in order.

RULES lists them; the first that answers (an event, or None: not a count) wins, and its
name is the count's rule (`monitor classify --explain`). The rules for a number without a
noun come first (rules_bare), then those for a number with one (rules_noun).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match.counts import rules_bare as bare
from monitor.match.counts import rules_noun as noun
from monitor.match.counts.cues import AIRCRAFT, VERSUS
from monitor.match.counts.lexicon import KIN
from monitor.match.counts.numbers import parse_number
from monitor.match.counts.phrases import find_unit, partitive_whole
from monitor.match.counts.spot import GO_ON, Answer, Rule, Spot


def versus(s: Spot) -> Answer:
    """"1.050 vs. 884 presos políticos": two figures of the same tally, the second's noun."""
    toks, j = s.toks, s.j
    if s.unit is not None or s.singular or j + 1 >= len(toks) or toks[j] not in VERSUS:
        return GO_ON
    other = parse_number(toks, j + 1)
    if other is None:
        return GO_ON
    return classify(toks, j + 1, other[1], other[2], s.prev)


_CARRY = frozenset({"carry", "carries", "carried", "carrying", "lleva", "llevo", "llevara", "llevaba",
                    "llevando", "traslada", "traslado", "trasladara", "trasladando", "transporta"})
_FREED = ("freed", "releas", "liberad", "excarcel")


def flight_passengers(s: Spot) -> Answer:
    """"the first flight would carry about 100 detainees held at the base", "el avión llevaba
    a 180 migrantes": people a flight carries are moved, not a count (unless freed)."""
    toks, i = s.toks, s.i
    if not any(t in _CARRY for t in toks[max(0, i - 4):i]) or not any(t.startswith(AIRCRAFT) for t in toks):
        return GO_ON
    return GO_ON if any(t.startswith(_FREED) for t in toks) else None


# the words for inmates at large ("presos", "prisoners" also name political prisoners: "Mueren 3
# presos en un motín" stays a count)
_INMATES = frozenset({"reclusos", "reclusas", "internos", "internas", "reos", "inmates"})
_RIOT = ("motin", "amotin", "riot", "reyerta")


def prison_riot(s: Spot) -> Answer:
    """"Motín en la cárcel de X deja 4 reclusos muertos", "prison riot leaves 17 inmates dead":
    the inmates of a riot are common prisoners, not counted here (unless called political)."""
    toks = s.toks
    if (s.unit is None or toks[s.unit] not in _INMATES or not any(t.startswith(_RIOT) for t in toks)
            or any(t.startswith("politic") for t in toks)):
        return GO_ON
    return None


_INSIDE = ("held", "jail", "detain", "detenid", "pres", "prison", "custod", "encarcel", "bars", "rejas",
           "carcel", "hostage", "rehen", "secuestr")


def relatives_kept(s: Spot) -> Answer:
    """"Los 12 familiares que permanecen en ayuno piden la libertad de 63 reclusos": relatives
    who stay (in a vigil, a fast) are not held; only an arrest, release or death before their
    number counts them ("Detienen a tres madres de presos políticos")."""
    toks, unit = s.toks, s.unit
    if unit is None or toks[unit] not in KIN or s.memo.get("before_raw") is not None:
        return GO_ON
    inside = any(t.startswith(_INSIDE) for t in toks[unit + 1:unit + 9])  # "36 relatives ... being held"
    return None if s.memo.get("event") == "held" and not inside else GO_ON


RULES: tuple[Rule, ...] = (
    bare.subset_named_after,
    bare.part_of_group,
    bare.of_those_copula,
    bare.part_of_whole_copula,
    bare.part_of_opening_whole,
    versus,
    flight_passengers,
    prison_riot,
    bare.not_people,
    bare.changing_tally,
    bare.whole_of_part_before,
    bare.tally_noun,
    bare.lone_one_dies,
    bare.demanded_release,
    bare.gapped_list,
    bare.held_predicate_first,
    bare.remaining,
    bare.holds_more,
    bare.bare_predicate,
    bare.announced_figure,
    bare.claimed,
    bare.running,
    bare.verb_before_bare,  # decides every number without a noun
    noun.among_the_held,
    noun.part_of_whole,
    noun.number_agreement,
    noun.common_prisoners,
    noun.demanded_release,
    noun.in_a_swap,
    noun.cases,
    noun.part_with_own_predicate,
    noun.former_prisoners,
    noun.freed_and_held_list,
    noun.survivors,
    noun.one_person,
    noun.still_held_relative,
    relatives_kept,
    noun.noun_or_verb,
    noun.political_prisoners_tally,
    noun.relatives_of_detainees,
    noun.counted_detainees,
    noun.coordinated,
    noun.detainees_noun,
    noun.breakdown,
    noun.prenominal,
)


def rule_name(rule: Rule) -> str:
    """The rule's name in data/count_rules.yaml: "survivors" here, "noun.survivors" in rules_noun."""
    module = rule.__module__.rsplit(".", 1)[-1].removeprefix("rules_")
    return rule.__name__ if module == "classify" else f"{module}.{rule.__name__}"


def classify_rule(toks: Sequence[str], i: int, j: int, singular: bool,
                  prev: tuple[str, int] | None = None) -> tuple[Answer, str]:
    """(event or None, name of the rule that decided) for the number toks[i:j]."""
    s = Spot(toks, i, j, singular, prev)
    s.unit = find_unit(toks, j)
    s.whole = partitive_whole(toks, j)
    if s.unit is None and s.whole is not None:
        s.from_whole = True
        s.unit = find_unit(toks, s.whole)  # "61 de las 87 excarcelaciones": 61 excarcelaciones
    for rule in RULES:
        answer = rule(s)
        if answer != GO_ON:
            return answer, rule_name(rule)
    return None, "none"


def classify(toks: Sequence[str], i: int, j: int, singular: bool,
             prev: tuple[str, int] | None = None) -> Answer:
    """Event of the number toks[i:j], or 'inherit' (same as the count before), or None."""
    return classify_rule(toks, i, j, singular, prev)[0]
