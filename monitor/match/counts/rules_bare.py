"""Attribution rules for a number with no noun of its own ("siete de los repatriados",
"de 800 a 953", "los 7 restantes", "Foro Penal verificó 146 y Clippve 152").

Each rule is named for the phrasing it reads; examples and counter-examples of each are in
data/count_rules.yaml (tests/match/test_counts_rules.py runs them)."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match.counts.after import after_event
from monitor.match.counts.before import before_event, recaptured
from monitor.match.counts.cues import (
    ANNOUNCED,
    ARTICLES,
    COPULA,
    CUSTODY,
    GROUP_DET,
    HELD_STATE,
    HOLDS,
    HURT,
    MORE,
    PASSES,
    PRISONS,
    PROMISE,
    REMAIN_VERB,
    REMAINING,
    REMAINING_NEXT,
    STATE_WORDS,
)
from monitor.match.counts.lexicon import (
    ADJECTIVAL,
    AFTER_EVENT,
    CHANGE,
    DEAD_VERB,
    DEAD_WORDS,
    DETAINEE,
    EVENT_NOUN,
    KIN,
    MODIFIERS,
    NOT_PEOPLE,
    NOT_PEOPLE_AFTER,
    PEOPLE,
    PRISONER,
    QUALIFIER,
    SUBSET,
    SUBSET_AFTER,
    TALLY_NOUN,
    THING_ADJECTIVES,
)
from monitor.match.counts.numbers import parse_number
from monitor.match.counts.phrases import (
    find_unit,
    gapped,
    is_bare_partitive_whole,
    is_partitive_whole,
    on_a_list,
    own_noun_event,
    partitive_group,
    prev_is_whole,
    subset_before,
)
from monitor.match.counts.spot import GO_ON, Answer, Spot
from monitor.match.counts.tallies import (
    change_unit,
    claimed_figure,
    running_total,
    tally_level,
    tally_unit,
)

_THING_LEAD = MODIFIERS | MORE | THING_ADJECTIVES
_POLITICAL = frozenset({"politicos", "politicas", "political"})


def subset_named_after(s: Spot) -> Answer:
    """"170 of them military", "fifteen of them were still being held": a subset of the count
    before, unless its own predicate says otherwise."""
    toks, j = s.toks, s.j
    if (not s.singular and j + 1 < len(toks) and (toks[j], toks[j + 1]) in SUBSET_AFTER
            and parse_number(toks, j + 2 if j + 2 < len(toks) else j) is None):
        own = after_event(toks, j + 2, noun=False)
        if own is None and (verb := _before3(s)) in ("released", "arrested", "dead"):
            return verb  # "Police later freed eight of them": the verb before the part
        return own or "inherit"
    return GO_ON


def part_of_group(s: Spot) -> Answer:
    """"two of the defendants are in US custody", "siete de los repatriados fueron detenidos":
    the predicate after the group; else the group's noun is the number's ("a dos de sus
    escoltas")."""
    s.bare_group = s.unit is None and not s.singular and s.whole is None
    if not s.bare_group:
        return GO_ON
    toks = s.toks
    group = partitive_group(toks, s.j)
    if group is None:
        return GO_ON
    if group + 1 < len(toks) and toks[group] in DETAINEE and toks[group + 1] in COPULA:
        # "884 presos políticos ...; 89 de los detenidos son mujeres": a part of the count
        # before, unless the part has an event of its own ("42 of those detainees were arrested")
        own = after_event(toks, group + 1, window=8, noun=False)
        return own if own in ("released", "arrested", "dead") else "detainees"
    event = after_event(toks, group, window=8, noun=False)
    if event is not None:
        return event
    s.unit = find_unit(toks, group)
    return GO_ON


def of_those_copula(s: Spot) -> Answer:
    """"Of those still held, 171 are military": the predicate of the opening group."""
    toks, i, j = s.toks, s.i, s.j
    if (s.bare_group and j < len(toks) and toks[j] in COPULA and toks[:1] in (["of"], ["de"])
            and toks[1:2] and toks[1] in GROUP_DET and i > 2):
        own = after_event(toks, 2, window=4, noun=False)
        if own is not None:
            return own
    return GO_ON


def part_of_whole_copula(s: Spot) -> Answer:
    """"de 884 presos políticos, 86 son extranjeros", "... y 2 tienen nacionalidad extranjera": a
    subset of the whole before ("and two were hospitalised": hurt, no count)."""
    toks, j = s.toks, s.j
    if (s.bare_group and j < len(toks) and (toks[j] in COPULA or toks[j] in ("tienen", "have"))
            and prev_is_whole(toks, s.i, s.prev)
            and after_event(toks, j, window=4, noun=False) is None):
        return None if toks[j + 1:j + 2] and toks[j + 1] in HURT else "inherit"
    return GO_ON


def part_of_opening_whole(s: Spot) -> Answer:
    """"De los 87 excarcelados aquel día, 64 deben presentarse": a part of the opening whole."""
    toks, prev = s.toks, s.prev
    if (s.bare_group and prev is not None and toks[:1] in (["de"], ["del"], ["of"])
            and (toks[1:2] in (["los"], ["las"], ["the"]) or toks[1:3] == ["total", "de"])
            and prev[1] <= 3 and after_event(toks, s.j, window=4, noun=False) is None):
        return "inherit"
    return GO_ON


def not_people(s: Spot) -> Answer:
    """"the releases came in four rounds", "two new strikes killed eight": counted things."""
    toks, j = s.toks, s.j
    if s.unit is not None or s.singular:
        return GO_ON
    k = j  # "two more vessels", "the two latest strikes killed five"
    while k < min(len(toks), j + 2) and toks[k] in _THING_LEAD:
        k += 1
    if k < len(toks) and toks[k] in KIN and not subset_before(toks, s.i):
        # "Detienen a tres madres de presos políticos": relatives count only when arrested,
        # freed or killed (not "60 madres esperan")
        verb = _before3(s)
        return verb if verb in ("arrested", "released", "dead") else None
    if k < len(toks) and toks[k] in NOT_PEOPLE:
        return None
    k = j + (j < len(toks) and toks[j] in STATE_WORDS)  # "1,600 still pending", "37 ocurrieron"
    if k < len(toks) and toks[k] in NOT_PEOPLE_AFTER:
        return None
    return None if _thing_reaches(toks, s.i) else GO_ON


def _thing_reaches(toks: Sequence[str], i: int) -> bool:
    """A counted thing reaches the figure: "amnesty applications top 3,000", "las solicitudes
    superan las 3.000", "requests rise to 2,000"."""
    k = i - 1
    while k > 0 and (toks[k] in QUALIFIER or toks[k] in ARTICLES or toks[k] in ("to", "a", "than")):
        k -= 1
    # not "death toll from US boat strikes climbs to 105": the thing is not the tally's subject
    return k > 0 and (toks[k].startswith(PASSES) or toks[k] in CHANGE) and toks[k - 1] in NOT_PEOPLE and not any(
        t in TALLY_NOUN or t in ("from", "de", "del", "of", "by", "por") for t in toks[max(0, k - 10):k - 1])


def changing_tally(s: Spot) -> Answer:
    """"los presos políticos pasaron de 800 a 953", "Americans jailed rise to 11"."""
    if s.unit is not None or s.singular:
        return GO_ON
    toks = s.toks
    change = change_unit(toks, s.i)
    if change is None:
        return GO_ON
    if change == -2:
        return "inherit"  # "de 800 a 953": the second figure of the same tally
    noun = toks[change]
    if any(t.startswith(DEAD_WORDS) for t in toks[change + 1:change + 4]):
        return "dead"  # "la cifra de presos políticos fallecidos ... asciende a 18"
    if noun in DETAINEE and (after_event(toks, change, window=2) == "held"
                             or any(t in _POLITICAL for t in toks[max(0, change - 1):change + 2])):
        return "held"  # "el número de personas detenidas por razones políticas pasó de 800",
        # "count of political detainees falls to 813": political prisoners
    if noun in PRISONER and (freed := _freed_before(toks, change)) is not None:
        return freed  # "count of freed prisoners rises to 73"
    return EVENT_NOUN.get(noun) or ("arrested" if noun in DETAINEE else "held")


def _freed_before(toks: Sequence[str], unit: int) -> str | None:
    """The event of a participle right before a prisoner noun ("freed (political) prisoners")."""
    k = unit - 1 - (unit > 1 and toks[unit - 1] == "political")
    return AFTER_EVENT.get(toks[k]) if k >= 0 and toks[k] in ADJECTIVAL else None


def whole_of_part_before(s: Spot) -> Answer:
    """"41 excarcelaciones de las 116 anunciadas": the whole shares the part's event."""
    toks, i, prev = s.toks, s.i, s.prev
    if (s.unit is None and not s.singular and s.whole is None
            and (is_partitive_whole(toks, i) or is_bare_partitive_whole(toks, i))
            and prev is not None and own_noun_event(toks, prev[1])):
        return prev[0]
    return GO_ON


def tally_noun(s: Spot) -> Answer:
    """"eleva a 1.084 el número de presos políticos", "death toll rises to 27"."""
    if s.unit is not None or s.singular:
        return GO_ON
    toks = s.toks
    unit = tally_unit(toks, s.i, s.j)
    if unit is None:
        return GO_ON
    if unit == -1:
        return "dead"
    if any(
            (toks[k], toks[k + 1]) in SUBSET for k in range(unit + 1, s.i - 1)):
        return "inherit"  # "amnesty has freed 5,628; NGOs put political prisoners among them at 689"
    noun = toks[unit]
    event = EVENT_NOUN.get(noun) or after_event(toks, unit + 1)
    if event is None and noun in PRISONER:
        event = _freed_before(toks, unit)  # "the NGO puts freed prisoners at 73"
    if event is None and noun in DETAINEE:
        event = "arrested"
    return event or ("held" if noun in PRISONER else None)


def lone_one_dies(s: Spot) -> Answer:
    """"one dies in custody": a bare "one" is a count only for a death, and only one that
    happened ("enfrenta una muerte lenta en prisión", "faces one death after another": a threat)."""
    if s.unit is not None or not s.singular:
        return GO_ON
    toks, i, j = s.toks, s.i, s.j
    if any(t.startswith(_THREAT) for t in toks[max(0, i - 2):i]):
        return None
    return "dead" if j < len(toks) and toks[j].startswith(DEAD_VERB) else None


# a death faced, feared or risked has not happened
_THREAT = ("enfrent", "arriesg", "riesgo", "teme", "temen", "amenaz", "faces", "facing", "risk", "fear", "threat")


def _before3(s: Spot) -> Answer:
    if "before3" not in s.memo:
        s.memo["before3"] = before_event(s.toks, s.i, window=3)
    return s.memo["before3"]


def demanded_release(s: Spot) -> Answer:
    """"pide liberar a los más de 700 restantes": the people are still held."""
    if s.unit is not None:
        return GO_ON
    if _before3(s) == "demanded" or before_event(s.toks, s.i, window=6) == "demanded":
        return "held"
    return GO_ON


def gapped_list(s: Spot) -> Answer:
    """"ocho excarcelaciones en Zulia, tres en Táchira": the noun left out after the first."""
    if s.unit is None and s.prev is not None and gapped(s.toks, s.i, s.j, s.prev):
        # "excarcelaron a 41 y detuvieron a 7": a verb of its own names another event
        own = before_event(s.toks, s.i, window=s.i - s.prev[1] - 1)
        if s.toks[s.i - 1] in REMAIN_VERB:
            return "held"  # "liberan a 10 presos y quedan 5": those left inside
        return own if own in ("released", "arrested", "dead") and own != s.prev[0] else s.prev[0]
    return GO_ON


def held_predicate_first(s: Spot) -> Answer:
    """"permanecen presos 40": the subject after its predicate; "quedan 15 en el penal",
    "15 remain in prison": still held where they are kept."""
    toks, i, j = s.toks, s.i, s.j
    if s.unit is not None or i < 1:
        return GO_ON
    if i > 1 and toks[i - 1] in HELD_STATE and toks[i - 2] in REMAIN_VERB | {"continuan"}:
        return "held"
    if toks[j:j + 1] in (["aun"], ["todavia"]) and toks[j + 1:j + 2] and toks[j + 1] in HELD_STATE:
        return "held"  # "2.400 excarcelados y 380 aún presos"
    if toks[i - 1] in REMAIN_VERB and toks[j:j + 1] in (["en"], ["in"]) and any(
            t in CUSTODY or t in PRISONS for t in toks[j + 1:j + 4]):
        return "held"
    if toks[i - 1] in REMAIN_VERB and toks[i - 1] not in REMAINING and (
            j == len(toks)  # "excarcelan a tres; Bogotá afirma que aún quedan 21"
            or after_event(toks, j, window=3, noun=False) == "arrested"):  # "quedan 43 ... detenidos"
        return "held"
    return GO_ON


def remaining(s: Spot) -> Answer:
    """"los 7 restantes serán presentados", "the remaining 12": those not released."""
    if s.unit is not None:
        return GO_ON
    toks, i, j = s.toks, s.i, s.j
    rest = j + (j < len(toks) and toks[j] in REMAINING)
    other = i > 1 and toks[i - 1] in ("otros", "otras", "other") and toks[i - 2] in ARTICLES
    if (other or (i > 0 and toks[i - 1] in REMAINING) or rest > j) and (
            rest == len(toks) or toks[rest] in REMAINING_NEXT):
        event = after_event(toks, rest, noun=False)
        return event if event in ("released", "dead") else "held"
    return GO_ON


def holds_more(s: Spot) -> Answer:
    """"frees two Americans and still holds five more"."""
    toks, i, j = s.toks, s.i, s.j
    if (s.unit is None and j < len(toks) and toks[j] == "more" and toks[j + 1:j + 2] != ["than"]
            and any(w in HOLDS for w in toks[max(0, i - 3):i])):
        return "held"
    return GO_ON


def bare_predicate(s: Spot) -> Answer:
    """"12 have since been released", "de los 1.369 que el gobierno dijo haber liberado"."""
    if s.unit is not None:
        return GO_ON
    toks, j, prev = s.toks, s.j, s.prev
    event = after_event(toks, j, window=3, noun=False)
    if event is None and s.whole is not None:
        event = after_event(toks, s.whole, window=3, noun=False)  # "17 of the 62 released were women"
    if event is not None and j < len(toks) and toks[j] in ADJECTIVAL and is_partitive_whole(toks, s.i):
        event = AFTER_EVENT.get(toks[j]) or "held"  # "9 of the 14 detained were freed": the whole's own participle
    if event == "arrested" and on_a_list(toks, j + 1):
        return "held"  # "una lista con 240 nombres de detenidos": those on it, still held
    if event is not None:
        return "arrested" if event == "released" and recaptured(toks, s.i) else event
    if j < len(toks) and toks[j] in ("que", "who", "whom", "that"):
        event = after_event(toks, j + 1, window=6, noun=False)
        if event is not None:
            return event
        if prev is not None and any(w.startswith(ANNOUNCED + PROMISE) for w in toks[j + 1:j + 5]):
            return "inherit"  # "the 300 that Maduro promised"
    return GO_ON


def announced_figure(s: Spot) -> Answer:
    """"not the 110 announced by officials": the same event as the count before."""
    toks, i, j = s.toks, s.i, s.j
    if (s.unit is None and s.prev is not None and j < len(toks) and toks[j].startswith(ANNOUNCED)
            and i > 0 and toks[i - 1] in ARTICLES):
        return "inherit"
    return GO_ON


def claimed(s: Spot) -> Answer:
    """"210 verificadas; el Gobierno habla de 400": a rival figure of the same event."""
    if s.unit is None and claimed_figure(s.toks, s.i, s.j):
        return "inherit"
    return GO_ON


def running(s: Spot) -> Answer:
    """"another 24 freed, bringing the total to 169"; "eleva a 522 el total"."""
    toks, i, j = s.toks, s.i, s.j
    if s.unit is None and tally_level(toks, i) and not any(w in NOT_PEOPLE for w in toks[j:j + 3]):
        return "level"  # "Foro Penal tally since January rises to 1,018"
    if s.unit is None and (running_total(toks, i) or toks[j:j + 2] in (
            ["el", "total"], ["the", "total"], ["en", "total"], ["in", "total"])) and not any(w in NOT_PEOPLE for w in toks[j:j + 3]):
        return "total"
    return GO_ON


def verb_before_bare(s: Spot) -> Answer:
    """"excarceló a 40", "kills six": the verb before a number with no noun."""
    if s.unit is not None:
        return GO_ON
    before = _before3(s)
    if before in ("dead", "released", "arrested", "inherit"):
        return before
    return _headline_before_colon(s.toks, s.i)


def _headline_before_colon(toks: Sequence[str], i: int) -> str | None:
    """"Military officers freed under amnesty: 43 in one week": a bare number opening the clause
    after a colon is the figure of the people and predicate before it."""
    c = i - 1
    while c > 0 and (toks[c] in QUALIFIER or toks[c] in ("de", "than") and toks[c - 1] in QUALIFIER):
        c -= 1  # "más de", "more than"
    if c == 1 and toks[1] == ":" and EVENT_NOUN.get(toks[0]) in ("released", "arrested", "dead"):
        return EVENT_NOUN[toks[0]]  # "Excarcelados: 1.440, según el gobierno"
    if c < 2 or toks[c] != ":" or ":" in toks[:c]:
        return None
    for k in range(c):
        if toks[k] in PEOPLE and not toks[k][0].isdigit():
            event = after_event(toks, k + 1, window=4)
            if event in ("released", "arrested", "dead"):
                return event
    return None
