"""Event attribution: the event of one number in a sentence."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match.counts_after import after_event, among_held
from monitor.match.counts_before import before_event
from monitor.match.counts_cues import (
    ANNOUNCED,
    ARTICLES,
    COPULA,
    COUNT_VERBS,
    FORMER,
    GENERIC_PEOPLE,
    GROUP_DET,
    HELD_STATE,
    HOLDS,
    MORE,
    PRENOMINAL,
    PROMISE,
    PROTEST,
    PUTS,
    REMAIN_VERB,
    REMAINING,
    REMAINING_NEXT,
    SURVIVOR,
    SURVIVORS,
    VERSUS,
)
from monitor.match.counts_lexicon import (
    ADJECTIVAL,
    AFTER_EVENT,
    AFTER_HELD,
    AFTER_HELD_NOUN,
    DEAD_VERB,
    DEAD_WORDS,
    DEMAND,
    DETAINEE,
    EVENT_NOUN,
    MODIFIERS,
    NOT_PEOPLE,
    PEOPLE,
    PRISONER,
    QUALIFIER,
    SINGULAR_ADJ,
    SINGULAR_PARTICIPLE,
    SINGULAR_PERSON,
    SUBSET_AFTER,
    TALLY,
)
from monitor.match.counts_numbers import parse_number
from monitor.match.counts_phrases import (
    change_unit,
    claimed_figure,
    find_unit,
    gapped,
    headline_tally,
    in_exchange,
    is_bare_partitive_whole,
    is_partitive_whole,
    listed_after,
    own_noun_event,
    partitive_group,
    partitive_whole,
    prev_is_whole,
    relatives_of,
    running_total,
    subset_before,
    tally_unit,
    whole_of_subset,
)


def classify(toks: Sequence[str], i: int, j: int, singular: bool,
              prev: tuple[str, int] | None = None) -> str | None:
    """Event of the number toks[i:j], or 'inherit' (same as the count before), or None."""
    unit = find_unit(toks, j)
    whole = partitive_whole(toks, j)
    from_whole = unit is None and whole is not None
    if from_whole:
        unit = find_unit(toks, whole)  # "61 de las 87 excarcelaciones": 61 excarcelaciones
    if (not singular and j + 1 < len(toks) and (toks[j], toks[j + 1]) in SUBSET_AFTER
            and parse_number(toks, j + 2 if j + 2 < len(toks) else j) is None):
        # "170 of them military", "fifteen of them were still being held": a subset of the
        # count before, unless its own predicate says otherwise
        return after_event(toks, j + 2, noun=False) or "inherit"
    if unit is None and not singular and whole is None:
        group = partitive_group(toks, j)
        if group is not None:
            # "two of the defendants are in US custody", "siete de los repatriados fueron
            # detenidos", "three from the group remain": the predicate after the group
            if group + 1 < len(toks) and toks[group] in DETAINEE and toks[group + 1] in COPULA:
                return "detainees"  # "884 presos políticos ...; 89 de los detenidos son mujeres"
            event = after_event(toks, group, window=8, noun=False)
            if event is not None:
                return event
            # "arrestan ... a dos de sus escoltas": the group's noun is the number's
            unit = find_unit(toks, group)
        if (j < len(toks) and toks[j] in COPULA and toks[:1] in (["of"], ["de"])
                and toks[1:2] and toks[1] in GROUP_DET and i > 2):
            own = after_event(toks, 2, window=4, noun=False)
            if own is not None:
                return own  # "Of those still held, 171 are military"
        if (j < len(toks) and toks[j] in COPULA and prev_is_whole(toks, i, prev)
                and after_event(toks, j, window=4, noun=False) is None):
            return "inherit"  # "de 884 presos políticos, 86 son extranjeros": a subset
        if (prev is not None and toks[:1] in (["de"], ["del"], ["of"])
                and (toks[1:2] in (["los"], ["las"], ["the"]) or toks[1:3] == ["total", "de"])
                and prev[1] <= 3 and after_event(toks, j, window=4, noun=False) is None):
            return "inherit"  # "De los 87 excarcelados aquel día, 64 deben presentarse"
    if (unit is None and not singular and j + 1 < len(toks) and toks[j] in VERSUS
            and parse_number(toks, j + 1) is not None):
        # "1.050 vs. 884 presos políticos": two figures of the same tally
        other = parse_number(toks, j + 1)
        return classify(toks, j + 1, other[1], other[2], prev) if other else None
    if unit is None and not singular:
        if j < len(toks) and (toks[j] in NOT_PEOPLE or (
                toks[j] in MODIFIERS | MORE and toks[j + 1:j + 2] and toks[j + 1] in NOT_PEOPLE)):
            return None  # "the releases came in four rounds", "two new strikes killed eight"
        change = change_unit(toks, i)
        if change == -2:
            return "inherit"  # "de 800 a 953": the second figure of the same tally
        if change is not None:
            noun = toks[change]
            if any(t.startswith(DEAD_WORDS) for t in toks[change + 1:change + 4]):
                return "dead"  # "la cifra de presos políticos fallecidos ... asciende a 18"
            if noun in DETAINEE and after_event(toks, change, window=2) == "held":
                return "held"  # "el número de personas detenidas por razones políticas pasó de 800"
            return EVENT_NOUN.get(noun) or ("arrested" if noun in DETAINEE else "held")
        if (whole is None and (is_partitive_whole(toks, i) or is_bare_partitive_whole(toks, i))
                and prev is not None and own_noun_event(toks, prev[1])):
            return prev[0]  # "41 excarcelaciones de las 116 anunciadas"
        unit = tally_unit(toks, i, j)
        if unit == -1:
            return "dead"
        if unit is not None:
            noun = toks[unit]
            event = EVENT_NOUN.get(noun) or after_event(toks, unit + 1)
            if event is None and noun in DETAINEE:
                event = "arrested"
            return event or ("held" if noun in PRISONER else None)
    if unit is None:
        if singular:
            # "one dies in custody": a bare "one" is a count only for a death
            return "dead" if j < len(toks) and toks[j].startswith(DEAD_VERB) else None
        before = before_event(toks, i, window=3)
        if before == "demanded" or before_event(toks, i, window=6) == "demanded":
            return "held"  # "pide liberar a los más de 700 restantes"
        if gapped(toks, i, j, prev):
            return prev[0]
        if i > 1 and toks[i - 1] in HELD_STATE and toks[i - 2] in REMAIN_VERB | {"continuan"}:
            return "held"  # "permanecen presos 40": the subject after its predicate
        rest = j + (j < len(toks) and toks[j] in REMAINING)
        other = i > 1 and toks[i - 1] in ("otros", "otras", "other") and toks[i - 2] in ARTICLES
        if (other or (i > 0 and toks[i - 1] in REMAINING) or rest > j) and (
                rest == len(toks) or toks[rest] in REMAINING_NEXT):
            # "los 7 restantes serán presentados", "the remaining 12": those not released
            event = after_event(toks, rest, noun=False)
            return event if event in ("released", "dead") else "held"
        if (j < len(toks) and toks[j] == "more" and toks[j + 1:j + 2] != ["than"]
                and any(w in HOLDS for w in toks[max(0, i - 3):i])):
            return "held"  # "frees two Americans and still holds five more"
        event = after_event(toks, j, window=3, noun=False)
        if event is not None:
            return event
        if j < len(toks) and toks[j] in ("que", "who", "whom", "that"):
            # "de los 1.369 que el gobierno dijo haber liberado", "the 300 that Maduro promised"
            event = after_event(toks, j + 1, window=6, noun=False)
            if event is not None:
                return event
            if prev is not None and any(w.startswith(ANNOUNCED + PROMISE) for w in toks[j + 1:j + 5]):
                return "inherit"
        if (prev is not None and j < len(toks) and toks[j].startswith(ANNOUNCED)
                and i > 0 and toks[i - 1] in ARTICLES):
            return "inherit"  # "not the 110 announced by officials": the same event
        if claimed_figure(toks, i, j):
            return "inherit"  # "210 verificadas; el Gobierno habla de 400": the same event
        if (running_total(toks, i) or toks[j:j + 2] in (["el", "total"], ["the", "total"])) and not any(
                w in NOT_PEOPLE for w in toks[j:j + 3]):
            return "total"  # "another 24 freed, bringing the total to 169"; "eleva a 522 el total"
        return before if before in ("dead", "released", "arrested", "inherit") else None
    noun = toks[unit]
    among = among_held(toks, unit + 1)
    if among is not None:
        return among
    if is_partitive_whole(toks, i):
        # "excarcelan a tres de los once detenidos": the verb is about the part; the whole
        # is described by its own noun or predicate
        if prev is not None and any(w.startswith(ANNOUNCED) for w in toks[unit + 1:unit + 3]):
            return prev[0]  # "release of 72 of the 99 prisoners announced": 99 announced freed
        if unit + 1 < len(toks) and toks[unit + 1] in ADJECTIVAL and noun not in EVENT_NOUN:
            # "three of the five Colombians held in Venezuela freed": "freed" is the part's
            w = toks[unit + 1]
            return "held" if w in AFTER_HELD or w in AFTER_HELD_NOUN else AFTER_EVENT.get(w)
        if noun in DETAINEE:
            return "arrested"  # "siete de los 19 detenidos en Barinas fueron liberados": 19 arrested
        event = EVENT_NOUN.get(noun) or after_event(toks, unit + 1)
        return event or ("held" if noun in PRISONER else None)
    if singular and noun not in SINGULAR_PERSON:
        return None
    if not singular and noun in SINGULAR_PERSON and noun not in PEOPLE:
        return None
    before = before_event(toks, i)
    if before == "demanded":
        return "held"
    if in_exchange(toks, i):
        return "released"  # "10 Americans freed in exchange for 252 Venezuelans held in El Salvador"
    if before is None and any(w.startswith(("elimin", "abat")) for w in toks[max(0, i - 3):i]):
        before = "dead"  # "Hemos eliminado a 21 narcoterroristas": people eliminated are killed
    after = after_event(toks, unit + 1)
    if after is None and (noun in DETAINEE or noun in PRISONER):
        # "más de 1.500 detenidos por las protestas poselectorales han recibido medidas de
        # libertad": a release further on
        far = after_event(toks, unit + 1, window=11)
        after = far if far == "released" else None
    if noun in ("casos", "cases"):
        return before if before in ("dead", "released", "arrested", "inherit") else None
    if (after == "released" and any(w in ("sean", "be", "salgan") for w in toks[unit + 1:unit + 4])
            and any(w.startswith(DEMAND) for w in toks[max(0, i - 6):i])):
        after = "held"  # "piden que los 12 presos sean liberados", "demand 5 Americans be freed"
    event = EVENT_NOUN.get(noun)
    if from_whole and after is not None and after != event and before is None:
        return after  # "14 de los 87 excarcelados han vuelto a ser detenidos": the part's predicate
    if (noun in DETAINEE or noun in PRISONER) and any(t in FORMER for t in toks[j:unit]):
        return before if before in ("released", "arrested", "dead") else None  # "23 former detainees"
    if (before == "inherit" and after is not None and toks[unit + 1:unit + 2] != []
            and toks[unit + 1] not in ADJECTIVAL and not subset_before(toks, i)):
        before = None  # "DHS confirma que 53 migrantes permanecen detenidos": its own predicate
    if event is None and before in ("released", "arrested", "dead", "inherit"):
        event = before
    if (event is None and prev is not None and prev[0] == "released" and unit + 1 < len(toks)
            and toks[unit + 1] in HELD_STATE and any(t in ("y", "and") for t in toks[prev[1]:i])
            and not own_noun_event(toks, prev[1])):
        return prev[0]  # "frees 10 Colombians and 2 Spaniards held on conspiracy charges"
    if event == "inherit" and after is not None:
        event = "inherit:" + after  # "HRW documented 12 adolescents detained ...": no count before
    event = event or after or before
    if event is None and not singular and noun in GENERIC_PEOPLE:
        # "el número de muertes ... asciende a 80 personas": the tally noun names the event
        tally = tally_unit(toks, i, j)
        if tally == -1 or (tally is not None and toks[tally] in EVENT_NOUN):
            event = "dead" if tally == -1 else EVENT_NOUN[toks[tally]]
    if noun in SURVIVORS:
        # "kills three and leaves two survivors": not dead; "detain two survivors": in custody;
        # "a second strike that killed two survivors": dead
        if before == "dead":
            return "dead"
        return "held" if event in ("arrested", "held") else None
    if event == "arrested" and "wrongfully" in toks[unit + 1:unit + 3]:
        event = "held"  # "9 Americans 'wrongfully detained'": a status, not an arrest
    if singular:
        if event == "dead" or (event is None and any(w.startswith(DEAD_VERB) for w in toks)):
            return "dead"
        if event == "held" and noun in SURVIVOR:
            return "held"  # "one survivor remains in US custody"
        # "Excarcelan a X y a un ciudadano ucraniano", "un activista detenido en ...": "un" is
        # written as a number of people released or arrested (not "un hombre que fue excarcelado")
        m = unit + 1
        while m < len(toks) and m < unit + 3 and toks[m] in SINGULAR_ADJ:
            m += 1
        if m < len(toks) and toks[m] in SINGULAR_PARTICIPLE:
            return SINGULAR_PARTICIPLE[toks[m]]
        if before in ("released", "arrested") and i > 0 and toks[i - 1] in ("a", "al"):
            return before
        return None
    if event is not None:
        return event
    politico = any(t in ("politicos", "politicas", "political", "politica") for t in toks[j:unit + 2])
    if noun in PRISONER and politico and (
        any(t in TALLY for t in toks) or (i > 0 and toks[i - 1] in QUALIFIER | ARTICLES | VERSUS)
        or (i > 1 and toks[i - 2] in QUALIFIER) or headline_tally(toks, i)
        or whole_of_subset(toks, unit + 1)
        or (i > 1 and toks[i - 1] in ("en", "at") and toks[i - 2] in PUTS)  # "cifró en 777 los presos"
    ):
        return "held"  # "más de 800 presos políticos", "los 800 presos políticos"
    if (noun in DETAINEE or noun in PEOPLE) and relatives_of(toks, i) and (
            noun in DETAINEE or noun in PRISONER
            or any(t in HELD_STATE for t in toks[unit + 1:unit + 3])):
        return "held"  # "familiares de 60 detenidos", "relatives of the 30 activists detained there"
    if noun in DETAINEE and i > 0 and toks[i - 1].startswith(COUNT_VERBS):
        # "Foro Penal cuenta 937 detenidos" (a stock), "reporta 120 detenidos en 48 horas" (arrests)
        return "held" if toks[i - 1].startswith(("cuent", "count", "contabiliz")) else "arrested"
    if (noun in DETAINEE and prev is None and ":" in toks[:i]
            and (toks[i - 1] in QUALIFIER or (i > 1 and toks[i - 2] in QUALIFIER))):
        return "arrested"  # 'Provea: "al menos 1.500 detenidos"': a quoted tally of arrests
    coordinated = prev is not None and (any(t in ("y", "and") for t in toks[prev[1]:i])
                                        or listed_after(toks, prev[1], i))
    if noun in DETAINEE and (coordinated and own_noun_event(toks, prev[1])
                              or any(t.startswith(PROTEST) for t in toks)):
        return "arrested"  # "25 muertos y 2.400 detenidos": the second noun is its own
    if coordinated and not own_noun_event(toks, prev[1]):
        return prev[0]  # "excarcelan a 9 militares y a 4 civiles": the verb's objects
    if noun in DETAINEE and (
            unit + 2 < len(toks) and toks[unit + 1] in ("y", "and") and own_noun_event(toks, unit + 2)
            or any(t in ("de", "of") for t in toks[j:unit])):
        if any(t in ("de", "of") for t in toks[j:unit]) and toks[unit + 1:unit + 2] and (
                toks[unit + 1] in COPULA):
            return "detainees"  # "884 presos políticos ... 89 de los detenidos son mujeres"
        return "arrested"  # "2.000 detenidos y 24 muertos", "220 de los detenidos eran adolescentes"
    if prev is not None and ":" in toks[:i]:
        return prev[0]  # "excarcelan a 16 presos: 10 colombianos, 4 venezolanos": a breakdown
    for w in toks[j:unit]:  # "relatives of 12 detained activists"
        if w in PRENOMINAL:
            return PRENOMINAL[w]
    return None

