"""Attribution rules for a number with a noun ("87 presos políticos", "three Americans").

They run after the rules of rules_bare, which decide every number without a noun.
Each rule is named for the phrasing it reads; examples and counter-examples of each are in
data/count_rules.yaml (tests/match/test_counts_rules.py runs them)."""

from __future__ import annotations

from monitor.match.counts.after import after_event, among_held
from monitor.match.counts.before import (
    before_event,
    recaptured,
    released_across_colon,
    remains_later,
    returned_home,
)
from monitor.match.counts.cues import (
    ANNOUNCED,
    ARTICLES,
    AUX,
    COPULA,
    COUNT_VERBS,
    FORMER,
    GENERIC_PEOPLE,
    HELD_STATE,
    HOLDS,
    KEEP,
    KILL,
    KIN_OF_ONE,
    NEEDS,
    PRENOMINAL,
    PROTEST,
    PUTS,
    REMAIN_VERB,
    SURVIVOR,
    SURVIVORS,
    VERSUS,
)
from monitor.match.counts.lexicon import (
    ADJECTIVAL,
    AFTER_EVENT,
    AFTER_HELD,
    AFTER_HELD_NOUN,
    CHANGE,
    DEAD_VERB,
    DETAINEE,
    EVENT_NOUN,
    PEOPLE,
    PRISONER,
    QUALIFIER,
    SINGULAR_ADJ,
    SINGULAR_PARTICIPLE,
    SINGULAR_PERSON,
    TALLY,
    asks,
)
from monitor.match.counts.parts import breakdown_follows
from monitor.match.counts.phrases import (
    headline_tally,
    in_exchange,
    is_partitive_whole,
    listed_after,
    of_named_group,
    on_a_list,
    one_for_one,
    own_noun_event,
    relatives_of,
    subset_before,
    whole_after_among,
    whole_of_subset,
)
from monitor.match.counts.spot import GO_ON, Answer, Spot
from monitor.match.counts.tallies import tally_unit

_DONE = ("dead", "released", "arrested", "inherit")
_STOCK_NOUN = frozenset({"count", "tally", "list", "registro", "lista", "conteo", "cifra", "figure"})
_NOT_PARTICIPLE = COPULA | AUX | {"en", "in", "at", "de", "of", "que", "who", "that", "y", "and", ","}


def _noun(s: Spot) -> str:
    return s.toks[s.unit] if s.unit is not None else ""


def among_the_held(s: Spot) -> Answer:
    """"89 women among the detainees", "three Colombians among 19 foreigners released"."""
    toks, k = s.toks, s.unit + 1
    if toks[k:k + 1] in (["de"], ["of"]):  # "46 dirigentes de partidos opositores entre los 902"
        k = next((m for m in range(k + 1, min(len(toks), k + 5)) if toks[m] in ("entre", "among")
                  and not any(t[0].isdigit() for t in toks[k:m])), k)
    among = among_held(toks, k)
    return GO_ON if among is None else among


def part_of_whole(s: Spot) -> Answer:
    """"excarcelan a tres de los once detenidos": the verb is the part's; the whole (here
    "once") is described by its own noun or predicate."""
    toks, unit, prev = s.toks, s.unit, s.prev
    if not is_partitive_whole(toks, s.i):
        return GO_ON
    noun = toks[unit]
    if prev is not None and any(w.startswith(ANNOUNCED) for w in toks[unit + 1:unit + 3]):
        return prev[0]  # "release of 72 of the 99 prisoners announced": 99 announced freed
    described = next((PRENOMINAL[w] for w in toks[s.j:unit] if w in PRENOMINAL), None)
    if described is not None:
        return described  # "three of eight detained activists released": 8 arrested
    if unit + 1 < len(toks) and toks[unit + 1] in ADJECTIVAL and noun not in EVENT_NOUN:
        w = toks[unit + 1]  # "three of the five Colombians held in Venezuela freed"
        return "held" if w in AFTER_HELD or w in AFTER_HELD_NOUN else AFTER_EVENT.get(w)
    if noun in DETAINEE:
        # "siete de los 19 detenidos en Barinas fueron liberados": 19 arrested; "one of 27
        # detainees granted house arrest": the whole's own participle
        own = unit + 1 < len(toks) and toks[unit + 1] not in _NOT_PARTICIPLE
        return "released" if own and after_event(toks, unit + 1, window=3) == "released" else "arrested"
    event = EVENT_NOUN.get(noun) or after_event(toks, unit + 1)
    return event or ("held" if noun in PRISONER else None)


def number_agreement(s: Spot) -> Answer:
    """"un activista" but not "un hombre que ..."; "dos capitanes" but not "dos capitán"."""
    noun = _noun(s)
    if s.singular and noun not in SINGULAR_PERSON:
        return None
    if not s.singular and noun in SINGULAR_PERSON and noun not in PEOPLE:
        return None
    return GO_ON


def common_prisoners(s: Spot) -> Answer:
    """"trasladan a 500 presos comunes", "200 common criminals": not the prisoners counted here."""
    toks, unit = s.toks, s.unit
    if any(t in ("comunes", "common") for t in toks[max(s.j, unit - 1):unit + 2]):
        return None
    return GO_ON


def demanded_release(s: Spot) -> Answer:
    """"exige liberar a los 800 presos", "demands release of two Americans": still held."""
    s.memo["before_raw"] = before = before_event(s.toks, s.i)
    return "held" if before == "demanded" else GO_ON


def in_a_swap(s: Spot) -> Answer:
    """"10 Americans freed in exchange for 252 Venezuelans held in El Salvador"."""
    toks, i = s.toks, s.i
    if in_exchange(toks, i):
        return "released"
    if not any(t.startswith(("swap", "exchange", "canje", "intercambi")) for t in toks[:i]):
        return GO_ON
    if one_for_one(toks, i, s.unit):
        return "released"  # "completan canje: 10 estadounidenses por 10 venezolanos"
    returned = i > 0 and toks[i - 1].startswith(("return", "devuel", "devolv"))
    if returned or (s.prev is not None and s.prev[0] == "released"
                    and after_event(toks, s.unit + 1, window=4) in (None, "released")):
        return "released"  # "Prisoner swap: Venezuela frees 6 Americans, US returns 2 Venezuelans"
    return GO_ON


_AGAIN = frozenset({"again", "nuevamente", "nuevo", "rearrested", "recapturados", "recapturadas",
                    "vuelto", "volvieron", "vuelven"})  # "han vuelto a ser detenidos"


def _predicates(s: Spot) -> None:
    """Memo: the verb before (before_raw, then before), the predicate after, the noun's own
    event (event0) and the event they settle on (event)."""
    toks, i, j, unit = s.toks, s.i, s.j, s.unit
    noun = toks[unit]
    before = s.memo["before_raw"]
    if before is None and any(w.startswith(("elimin", "abat")) for w in toks[max(0, i - 5):i]):
        before = "dead"  # "Hemos eliminado a 21 narcoterroristas": people eliminated are killed
    s.memo["before_raw"] = before
    after = after_event(toks, unit + 1)
    if after is None and (noun in DETAINEE or noun in PRISONER):
        far = after_event(toks, unit + 1, window=11)  # "más de 1.500 detenidos ... han recibido
        # medidas de libertad": a release further on; "10 de los 14 detenidos tras la protesta
        # de enfermeras siguen presos": the part's predicate
        remains = far == "held" and remains_later(toks, unit)  # "... tras las protestas siguen presos"
        after = far if far == "released" or s.from_whole or remains else None
    if after == "arrested" and before == "held" and any(t in REMAIN_VERB for t in toks[max(0, i - 3):i]):
        after = "held"  # "siguen presos 42 adolescentes detenidos tras las protestas": still held
    if after == "arrested" and before is None and toks[unit + 1:unit + 2] and toks[unit + 1] in ADJECTIVAL:
        after = released_across_colon(toks, i) or returned_home(toks, i) or after
    if (after == "released" and any(w in ("sean", "be", "salgan") for w in toks[unit + 1:unit + 4])
            and any(asks(w) for w in toks[max(0, i - 6):i])):
        after = "held"  # "piden que los 12 presos sean liberados", "demand 5 Americans be freed"
    if (before == "inherit" and after is not None and toks[unit + 1:unit + 2] != []
            and toks[unit + 1] not in ADJECTIVAL and not subset_before(toks, i)):
        before = None  # "DHS confirma que 53 migrantes permanecen detenidos": its own predicate
    event = EVENT_NOUN.get(noun)
    if event == "released" and after == "arrested" and any(t in _AGAIN for t in toks[unit + 1:unit + 10]):
        event = None  # "8 excarcelados por la amnistía fueron detenidos nuevamente": arrested anew
    if (event == "released" or event is None and after == "released") and recaptured(toks, i):
        # "la recaptura de tres excarcelados", "recapturan a dos jóvenes excarcelados en enero"
        event = "arrested"
    if event is None and before in _DONE:
        event = before
    s.memo.update(before=before, after=after, event0=event)
    if event == "inherit" and after is not None:
        event = "inherit:" + after  # "HRW documented 12 adolescents detained ...": no count before
    event = event or after or before
    if event is None and not s.singular and noun in GENERIC_PEOPLE:
        # "el número de muertes ... asciende a 80 personas": the tally noun names the event
        tally = tally_unit(toks, i, j)
        if tally == -1 or (tally is not None and toks[tally] in EVENT_NOUN):
            event = "dead" if tally == -1 else EVENT_NOUN[toks[tally]]
    if event in ("arrested", "inherit:arrested") and (
            "wrongfully" in toks[unit + 1:unit + 3] or before != "arrested" and on_a_list(toks, i)):
        event = "held"  # "9 Americans 'wrongfully detained'", "la lista incluye a 73 oficiales detenidos"
    s.memo["event"] = event


def cases(s: Spot) -> Answer:
    """"excarcelan 30 casos": cases take only the verb before."""
    _predicates(s)
    if _noun(s) in ("casos", "cases"):
        before = s.memo["before_raw"]
        return before if before in _DONE else None
    return GO_ON


def part_with_own_predicate(s: Spot) -> Answer:
    """"14 de los 87 excarcelados han vuelto a ser detenidos": the part's predicate."""
    after, own = s.memo["after"], EVENT_NOUN.get(_noun(s))
    # "9 de los arrestados siguen incomunicados": a part of a named group, its own predicate
    part = s.from_whole or (own is not None and of_named_group(s.toks, s.j, s.unit))
    return after if part and after not in (None, own) and s.memo["before_raw"] is None else GO_ON


def still_held_relative(s: Spot) -> Answer:
    """"la liberación de los más de 400 presos políticos que aún quedan", "the 300 prisoners
    who remain": a relative clause of remaining names those still held, whatever came before."""
    toks, unit = s.toks, s.unit
    if _noun(s) not in PRISONER and _noun(s) not in DETAINEE:
        return GO_ON
    for k in range(unit + 1, min(unit + 3, len(toks))):
        if toks[k] in ("que", "who", "that"):
            rest = [t for t in toks[k + 1:k + 4] if t not in ("aun", "todavia", "still")]
            free = rest[1:2] in (["libres"], ["free"]) or rest[1:3] == ["en", "libertad"]
            return "held" if rest and rest[0] in REMAIN_VERB and not free else GO_ON
    return GO_ON


def former_prisoners(s: Spot) -> Answer:
    """"23 former detainees": only a verb before makes them a count."""
    noun, toks = _noun(s), s.toks
    if (noun in DETAINEE or noun in PRISONER) and any(t in FORMER for t in toks[s.j:s.unit]):
        before = s.memo["before_raw"]
        if before in ("released", "arrested", "dead"):
            return before
        # "9 former prisoners have been detained again": arrested anew
        return "arrested" if s.memo["after"] == "arrested" else None
    return GO_ON


def freed_and_held_list(s: Spot) -> Answer:
    """"frees 10 Colombians and 2 Spaniards held on conspiracy charges": the verb's objects."""
    toks, unit, prev = s.toks, s.unit, s.prev
    if (s.memo["event0"] is None and prev is not None and prev[0] == "released"
            and unit + 1 < len(toks) and toks[unit + 1] in HELD_STATE
            and any(t in ("y", "and") for t in toks[prev[1]:s.i])
            and not own_noun_event(toks, prev[1])):
        return prev[0]
    return GO_ON


def survivors(s: Spot) -> Answer:
    """"kills three and leaves two survivors": not dead; "detain two survivors": in custody."""
    if _noun(s) not in SURVIVORS:
        return GO_ON
    if s.memo["before"] == "dead" and any(t.startswith(KILL) for t in s.toks[max(0, s.i - 3):s.i]):
        return "dead"  # "a second strike that killed two survivors", not "un muerto y dos ..."
    custody = any(t.startswith(_CUSTODY_WORD) for t in s.toks)  # not "moved to Aruba" after a rescue
    return "held" if s.memo["event"] in ("arrested", "held") and custody else None


_CUSTODY_WORD = ("custod", "detain", "detenid", "held", "arrest", "jail", "pres", "prison", "bajo")


_ACT_NOUN = ("cion", "sion", "arrest", "arresto", "release", "capture", "captura", "detention")


def one_person(s: Spot) -> Answer:
    """"Excarcelan a X y a un ciudadano ucraniano", "un activista detenido en ...": "un" is a
    count of people released or arrested (not "un hombre que fue excarcelado")."""
    if not s.singular:
        return GO_ON
    toks, unit, event = s.toks, s.unit, s.memo["event"]
    if s.i > 1 and toks[s.i - 1] in ("de", "del", "of") and toks[s.i - 2] in KIN_OF_ONE:
        return None  # "muere la madre de un preso político": the event is the relative's
    if event == "dead" or (event is None and (any(w.startswith(DEAD_VERB) for w in toks) or (
            toks[unit + 1:unit + 2] == ["dead"]))):  # "One political prisoner dead, two hospitalised"
        return "dead"
    if event == "held" and _noun(s) in SURVIVOR:
        return "held"  # "one survivor remains in US custody"
    m = unit + 1
    while m < len(toks) and m < unit + 3 and toks[m] in SINGULAR_ADJ:
        m += 1
    if m < len(toks) and toks[m] in SINGULAR_PARTICIPLE:
        return SINGULAR_PARTICIPLE[toks[m]]
    before = s.memo["before"]
    if before in ("released", "arrested") and s.i > 1 and (toks[s.i - 1] in ("a", "al") or (
            toks[s.i - 1] in ("de", "of") and toks[s.i - 2].endswith(_ACT_NOUN))):
        return before  # "la detención de un concejal": as "la muerte de un preso político"
    return None


def noun_or_verb(s: Spot) -> Answer:
    """The noun's own event ("61 excarcelaciones"), else the verb before or the predicate
    after ("excarcelan a 9 militares", "20 activists were released")."""
    event = s.memo["event"]
    return GO_ON if event is None else event


_POLITICAL = (["politicos"], ["politicas"])  # "800 presos políticos, 180 militares"
_HAS = frozenset({"has", "have", "had"})


def political_prisoners_tally(s: Spot) -> Answer:
    """"más de 800 presos políticos", "los 800 presos políticos", "Foro Penal: 806 presos
    políticos al 12/01", "Foro Penal: 800 presos políticos, 180 militares": a tally of those held."""
    toks, i, unit = s.toks, s.i, s.unit
    politico = any(t in ("politicos", "politicas", "political", "politica") for t in toks[s.j:unit + 2])
    reasons = toks[unit + 1:unit + 4] in (["por", "razones", "politicas"], ["for", "political", "reasons"])
    if (toks[unit] in PRISONER and politico or reasons) and (
        any(t in TALLY for t in toks) or (i > 0 and toks[i - 1] in QUALIFIER | ARTICLES | VERSUS)
        or (i > 1 and toks[i - 2] in QUALIFIER) or headline_tally(toks, i)
        or whole_of_subset(toks, unit + 1) or whole_after_among(toks, i)
        or breakdown_follows(toks, unit + 2 if toks[unit + 1:unit + 2] in _POLITICAL else unit + 1)
        or (i > 1 and toks[i - 1] in ("en", "at") and toks[i - 2] in PUTS)  # "cifró en 777 los presos"
        # "suben a 1.050 los presos políticos", "Foro Penal eleva a 900 los presos políticos"
        or (i > 1 and toks[i - 1] == "a" and (toks[i - 2] in CHANGE or toks[i - 2].startswith("elev")))
        or any(t in NEEDS for t in toks[unit + 1:unit + 3])  # "33 presos políticos necesitan atención"
        # "Venezuela tiene 800 presos políticos", "still has 800 political prisoners", "mantiene"
        or (i > 0 and (toks[i - 1] in KEEP or toks[i - 1] in HOLDS or toks[i - 1] in _HAS))
    ):
        return "held"
    return GO_ON


def relatives_of_detainees(s: Spot) -> Answer:
    """"familiares de 60 detenidos", "relatives of the 30 activists detained there"."""
    toks, unit, noun = s.toks, s.unit, _noun(s)
    if (noun in DETAINEE or noun in PEOPLE) and relatives_of(toks, s.i) and (
            noun in DETAINEE or noun in PRISONER
            or any(t in HELD_STATE for t in toks[unit + 1:unit + 3])):
        return "held"
    return GO_ON


def counted_detainees(s: Spot) -> Answer:
    """"Foro Penal cuenta 937 detenidos" (a stock), "reporta 120 detenidos en 48 horas" (arrests),
    'Provea: "al menos 1.500 detenidos"' (a quoted tally of arrests)."""
    toks, i = s.toks, s.i
    if _noun(s) not in DETAINEE:
        return GO_ON
    if i > 1 and toks[i - 1] in ("of", "de") and toks[i - 2] in _STOCK_NOUN:
        return "held"  # "its count of 487 detainees", "un registro de 937 detenidos": a stock
    if i > 0 and toks[i - 1].startswith(COUNT_VERBS):
        stock = ("cuent", "count", "contabiliz", "registr", "register")  # a stock, not arrests
        return "held" if toks[i - 1].startswith(stock) else "arrested"
    if (s.prev is None and ":" in toks[:i]
            and (toks[i - 1] in QUALIFIER or (i > 1 and toks[i - 2] in QUALIFIER))):
        return "arrested"
    return GO_ON


def coordinated(s: Spot) -> Answer:
    """"25 muertos y 2.400 detenidos": the second noun is its own; "excarcelan a 9 militares y
    a 4 civiles": the verb's objects."""
    toks, i, prev = s.toks, s.i, s.prev
    joined = prev is not None and (any(t in ("y", "and") for t in toks[prev[1]:i])
                                   or listed_after(toks, prev[1], i))
    if _noun(s) in DETAINEE and (joined and own_noun_event(toks, prev[1])
                                 or any(t.startswith(PROTEST) for t in toks)):
        return "arrested"
    if joined and not own_noun_event(toks, prev[1]):
        return prev[0]
    if (joined and _noun(s) in PRISONER and s.prev[0] != "held"
            and after_event(toks, s.unit + 1, window=4) is None):
        return "held"  # "1.100 excarcelaciones y 520 presos políticos": the stock beside the events
    return GO_ON


def detainees_noun(s: Spot) -> Answer:
    """"2.000 detenidos y 24 muertos", "220 de los detenidos eran adolescentes"."""
    toks, j, unit = s.toks, s.j, s.unit
    if _noun(s) not in DETAINEE:
        return GO_ON
    partitive = any(t in ("de", "of") for t in toks[j:unit])
    if not (partitive or unit + 2 < len(toks) and toks[unit + 1] in ("y", "and")
            and own_noun_event(toks, unit + 2)):
        return GO_ON
    if partitive and toks[unit + 1:unit + 2] and toks[unit + 1] in COPULA:
        return "detainees"  # "884 presos políticos ... 89 de los detenidos son mujeres"
    return "arrested"


def breakdown(s: Spot) -> Answer:
    """"excarcelan a 16 presos: 10 colombianos, 4 venezolanos": parts of the count before."""
    toks = s.toks
    colon = max((k for k in range(s.i) if toks[k] == ":"), default=-1)
    if s.prev is not None and colon > s.prev[1]:
        return s.prev[0]  # "Provea: 1.100 excarcelaciones y 520 presos": the colon is no breakdown
    return GO_ON


def prenominal(s: Spot) -> Answer:
    """"relatives of 12 detained activists": a participle before the noun."""
    for w in s.toks[s.j:s.unit]:
        if w in PRENOMINAL:
            return PRENOMINAL[w]
    return None
