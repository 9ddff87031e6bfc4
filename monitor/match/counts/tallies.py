"""Tallies: a figure read as a tally of its noun ("el número de presos políticos asciende a
1.084", "deaths pass 150"), a running total ("bringing the total to 169"), a changing tally
("pasaron de 800 a 953") and a rival figure claimed by a speaker ("el Gobierno habla de 400")."""

from __future__ import annotations

from collections.abc import Sequence

from core.text import MONTHS
from monitor.match.counts.cues import (
    AFTER_CLAIM,
    ARTICLES,
    CLAIM,
    CLAIM_OF,
    PASSES,
    PUTS,
    RECORDS,
    RUNNING,
    STANDS,
    VERSUS_PAIR,
    WAS,
)
from monitor.match.counts.lexicon import (
    CHANGE,
    DETAINEE,
    EVENT_NOUN,
    PEOPLE,
    PRISONER,
    QUALIFIER,
    TALLY_NOUN,
)
from monitor.match.counts.numbers import NUMBER_WORDS
from monitor.match.counts.phrases import find_unit
from monitor.match.counts.quantities import TIME, is_date_part


def tally_unit(tokens: Sequence[str], i: int, j: int) -> int | None:
    """The noun of a tally around the number: "eleva a 1.084 el número de presos políticos",
    "el número de presos políticos asciende a 1.084", "political prisoner count stands at 884";
    -1 for a (death) toll."""
    k = j
    if k < len(tokens) and tokens[k] in ("el", "la", "the"):
        k += 1
    if k + 1 < len(tokens) and tokens[k] in TALLY_NOUN and tokens[k + 1] in ("de", "of"):
        return find_unit(tokens, k + 2)
    passed = _passed_tally(tokens, i)
    if passed is not None:
        return passed
    for k in range(i - 1, max(-1, i - 12), -1):
        w = tokens[k]
        if w[0].isdigit() or w in NUMBER_WORDS:
            return None
        if w == "toll":
            return -1  # "death toll rises to 27"
        if w in TALLY_NOUN:
            if k + 1 < len(tokens) and tokens[k + 1] in ("de", "of"):
                return find_unit(tokens, k + 2)
            if k > 1 and tokens[k - 1] in ("now", "currently", "ahora"):
                k -= 1  # "political prisoners now number 884"
            if k > 0 and (tokens[k - 1] in PRISONER or tokens[k - 1] in DETAINEE
                          or tokens[k - 1] in EVENT_NOUN):
                return k - 1
            return None
    return _put_at(tokens, i)


def _passed_tally(tokens: Sequence[str], i: int) -> int | None:
    """"Deaths in the boat strike campaign pass 150", "los presos políticos superan los 800": the
    noun of a tally that passes a mark."""
    k = i - 1
    while k > 0 and (tokens[k] in QUALIFIER or tokens[k] in ARTICLES or tokens[k] in ("los", "las")):
        k -= 1
    if k < 1 or not tokens[k].startswith(PASSES):
        return None
    for m in range(k - 1, max(-1, k - 8), -1):
        w = tokens[m]
        if w[0].isdigit() or w in NUMBER_WORDS:
            return None
        if w in EVENT_NOUN or w in PRISONER or w in DETAINEE:
            return m
    return None


def _put_at(tokens: Sequence[str], i: int) -> int | None:
    """"U.S. envoy puts remaining political prisoners at 90", "sitúa a los detenidos en 300": the
    noun a speaker puts at a figure (the noun's tally)."""
    k = i - 1
    while k > 0 and (tokens[k] in QUALIFIER or tokens[k] == "than"):
        k -= 1  # "puts political prisoners at more than 300"
    if k < 2 or tokens[k] not in ("at", "en"):
        return None
    for m in range(k - 1, max(-1, k - 9), -1):
        w = tokens[m]
        if w[0].isdigit() or w in NUMBER_WORDS or w in (",", ":") or w in TALLY_NOUN:
            return None
        if w in PUTS:
            return next((n for n in range(m + 1, k) if tokens[n] in PRISONER or tokens[n] in DETAINEE
                         or tokens[n] in EVENT_NOUN), None)
    return None


_EARLIER_LEAD = frozenset({"la", "el", "de", "del", "the", "a", "last"})
_THE = frozenset({"los", "las", "the"})


def claimed_figure(toks: Sequence[str], i: int, j: int) -> bool:
    """A bare number that is the object of a verb of claiming, with nothing after it but a
    clause end or an adverbial ("había contabilizado 1.003 antes de las liberaciones")."""
    while i > 1 and (toks[i - 1] in QUALIFIER or toks[i - 1] in ("than", "de") and toks[i - 2] in QUALIFIER):
        i -= 1  # "puts the figure at about 180", "compared with more than 300"
    earlier = j < len(toks) and toks[j] in _EARLIER_LEAD and any(t in TIME for t in toks[j + 1:j + 4])
    if j < len(toks) and toks[j] not in AFTER_CLAIM and not earlier:
        return False  # "... frente a los 380 de la semana pasada": an earlier time is an adverbial
    if i == 0 and toks[j:j + 2] in ([",", "segun"], [",", "according"]):
        return True  # "...; 960, según Foro Penal": the rival figure of another source
    if i > 0 and toks[i - 1] in WAS and (j == len(toks) or toks[j] in (",", "segun", "according")):
        return True  # "la semana pasada eran 83", "in January there were 263": an earlier figure
    if i > 1 and ((toks[i - 2], toks[i - 1]) in VERSUS_PAIR or i > 2 and toks[i - 1] in _THE and (
            toks[i - 3], toks[i - 2]) in VERSUS_PAIR):
        return True  # "60 nuevos arrestos en noviembre, frente a 35 en octubre", "frente a los 380"
    if i > 1 and toks[i - 1] in ("de", "of") and toks[i - 2] in CLAIM_OF:
        return True
    lead = 1 if toks[i - 1:i] in (["at"], ["en"], ["entre"], ["between"]) else 2 if toks[max(0, i - 2):i] in (
        ["closer", "to"], ["close", "to"], ["cerca", "de"]) else 0
    if lead and any(w in PUTS for w in toks[max(0, i - lead - 4):i - lead]):
        return True  # "government puts the figure at 12", "el Gobierno la sitúa en 12", "put the
        # figure closer to 2,000", "estiman la cifra entre 480 y 520"
    return i > 0 and (toks[i - 1] in CLAIM or toks[i - 1].startswith(RECORDS))


_BRINGS = ("bring", "brought", "tak", "took", "rais", "push", "elev", "llev")


def running_total(toks: Sequence[str], i: int) -> bool:
    """A running total right before a bare number ("bringing the total to 169", "suman 145"):
    the total of the count before."""
    if _total_since(toks, i):
        return True
    low = max(-1, i - 4)
    for k in range(i - 1, -1, -1):
        w = toks[k]
        if w[0].isdigit() and is_date_part(toks, k):
            low = max(-1, low - 3)  # "taking total since Jan. 8 to 456", "el total desde el 8 de
            continue  # enero asciende a 1.312": a date does not use up the window
        if k <= low:
            break
        if w in MONTHS or w in ("since", "desde"):
            low = max(-1, low - 1)  # "bringing total since January to 611"
            continue
        if w[0].isdigit() or w in NUMBER_WORDS:
            return False
        if w in RUNNING or (w in ("son", "are") and k > 0 and toks[k - 1] in ("ya", "now")):
            return True  # "ya son 87 desde septiembre"
    return _brought_to(toks, i)


def _brought_to(toks: Sequence[str], i: int) -> bool:
    """"taking the weekend tally to 31", "eleva la cifra a nueve", "bringing the number detained
    this month to 25": a tally word taken to the figure by a verb, a few words before it (no other
    number between): the count before's total."""
    if i < 3 or toks[i - 1] not in ("to", "a"):
        return False
    for k in range(i - 2, max(-1, i - 8), -1):
        if toks[k][:1].isdigit() or toks[k] in NUMBER_WORDS:
            return False
        if toks[k] in TALLY_NOUN:
            return any(t.startswith(_BRINGS) for t in toks[max(0, k - 4):k])
    return False


def _total_since(toks: Sequence[str], i: int) -> bool:
    """"bringing the total since the amnesty took effect to 641": a total over a span told by a
    clause, not only a date."""
    for k in range(i - 1, max(0, i - 10), -1):
        w = toks[k]
        if (w[0].isdigit() and not is_date_part(toks, k)) or w in NUMBER_WORDS:
            return False
        if w in ("since", "desde") and toks[k - 1] in RUNNING and toks[i - 1] in ("to", "a"):
            return True
    return False


def tally_level(toks: Sequence[str], i: int) -> bool:
    """A tally with no noun of people at a level: "Foro Penal tally since January rises to
    1,018", "the group's count stood at 863", "el total de la semana llega a 531"."""
    k = i - 1
    while k > 0 and (toks[k] in QUALIFIER or toks[k] in ("to", "at", "a", "en", "de", "than")):
        k -= 1
    if k == i - 1 or not (toks[k] in CHANGE or toks[k] in STANDS):
        return False
    for m in range(k - 1, max(-1, k - 7), -1):
        w = toks[m]
        if (w[0].isdigit() and not is_date_part(toks, m)) or w in NUMBER_WORDS or w in PEOPLE or (
                w in PRISONER or w in DETAINEE or w in EVENT_NOUN or w == "toll"):
            return False
        if w in TALLY_NOUN or w == "tally":
            return True
    return False


def change_unit(toks: Sequence[str], i: int) -> int | None:
    """A changing tally: "los presos políticos pasaron de 800 a 953", "Americans jailed rise to
    11", "has risen from seven to 11". The index of the tallied noun for the first figure, -2
    for the second one ("a 953", "to 11" after "from seven"), else None."""
    if i > 2 and toks[i - 1] == "than" and toks[i - 2] in QUALIFIER:
        i -= 2  # "down from more than 100"
    if i < 2 or toks[i - 1] not in ("de", "from", "a", "to"):
        return None
    if (toks[i - 1] in ("from", "de") and toks[i - 2][:1].isdigit() and i > 2
            and toks[i - 3] in ("to", "a") and any(t in CHANGE for t in toks[max(0, i - 6):i - 3])):
        return -2  # "count fell to 687 from 863": the earlier figure of the same tally
    if toks[i - 1] in ("a", "to"):
        k = i - 2
        while k >= 0 and (toks[k][0].isdigit() or toks[k] in NUMBER_WORDS):
            k -= 1
        if k < i - 2:
            if k >= 0 and toks[k] in ("de", "from") and any(t in CHANGE for t in toks[max(0, k - 3):k]):
                return -2
            return None
    if not (any(t in CHANGE for t in toks[max(0, i - 4):i - 1])
            or toks[i - 2:i] in (["down", "from"], ["up", "from"])):  # "863 prisoners, down from 1,003"
        return None
    for k in range(i - 2, max(-1, i - 12), -1):
        w = toks[k]
        if (w[0].isdigit() and not is_date_part(toks, k)) or w in NUMBER_WORDS:
            return None
        if w in TALLY_NOUN and toks[i - 2] in ("up", "down") and not any(t[:1].isdigit() for t in toks[k:i]):
            return -2  # "the figure was down from 140 the week before": an earlier figure of the count before
        if w in PEOPLE or w in EVENT_NOUN or w in PRISONER or w in DETAINEE:
            if toks[i - 2] in ("up", "down") and k > 0 and (toks[k - 1][0].isdigit() or toks[k - 1] in NUMBER_WORDS):
                return -2  # "registered 1,003 detainees, up from 938": the count before's figure
            return k
    return None
