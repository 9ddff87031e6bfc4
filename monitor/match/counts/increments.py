"""Increments: a figure of people on top of one told before, not the source's running total
(core/count.py `additional`: alerts show it as "+24", the tally leaves it out).

Told four ways:
- "otros tres", "another 12", "12 presos políticos más", "12 more" (but "los otros 7" are the
  rest, and "más de 800" a floor);
- "24 nuevas excarcelaciones", "15 presos políticos nuevos", "24 new releases";
- releases of one day or period: "este lunes fueron liberados 30", "en la última jornada
  salieron 12", "18 excarcelaciones en las últimas 24 horas", "hoy", "esta jornada" (but not a
  period the figure runs up to or from: "hasta la mañana de este viernes", "desde este lunes";
  nor a figure told as a total: "eleva a 300 … este lunes", "ya son 56"; nor people held, a
  stock whatever the day);
- the first of "N …, para un total de M", "N …, bringing the total to M" (same event; M stays
  the total).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match.counts.cues import ARTICLES
from monitor.match.counts.numbers import parse_number
from monitor.match.counts.phrases import date_at, find_unit

_OTHER = frozenset({"otros", "otras", "another"})
_MORE = frozenset({"mas", "more"})
_NEW = frozenset({"nuevas", "nuevos", "new"})
_NEW_AFTER = frozenset({"nuevas", "nuevos"})  # after the noun: Spanish only
_POLITICAL = frozenset({"politicos", "politicas"})
_NOT_MORE = frozenset({"de", "del", "than", "que", "of"})  # "más de 800", "more than 800": a floor

# one day or period: "este lunes", "esta jornada", "en la última jornada", "hoy"
_WEEKDAYS = frozenset({"lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"})
_THIS = frozenset({"este", "esta"})
_LAST = frozenset({"ultima", "ultimas", "last", "past"})
_HOURS = frozenset({"horas", "hours"})
# a period a figure runs up to or from: "hasta la mañana de este viernes", "desde este lunes"
_SPAN = frozenset({"hasta", "desde", "until", "since", "through"})
_AMONG = frozenset({"entre", "among"})
_THE = frozenset({"los", "las", "ellos", "ellas", "the", "those"})
_SPAN_REACH = 7  # "hasta primeras horas de la madrugada de este viernes"
# a figure told as a total ("eleva a 300", "ya son 56", "suman 312", "para un total de 158")
_TOTAL = frozenset({
    "total", "totaliza", "totalizan", "suma", "suman", "sumando", "acumula", "acumulan", "eleva",
    "elevan", "elevo", "elevando", "asciende", "ascienden", "ascendio", "ya", "bringing", "brings",
    "brought", "totaling", "totalling",
})
# a later figure told as the total the one before adds up to: "para un total de 158", "for a
# total of 158", "bringing the total to 169", "elevando a 158", "lo que eleva a 158 el total"
_A_TOTAL = frozenset({"un", "a"})
_THEN = frozenset({"elevando", "sumando", "bringing", "taking"})
_WHICH = (("lo", "que"), ("which",))
_THEN_REACH = 6
# the rules that read a part of a whole told before it (data/count_rules.yaml)
_PART_RULES = ("part_of", "subset", "of_those", "among", "whole_of_part")
_FLOWS = frozenset({"released", "arrested", "dead"})  # people held are a stock: no increment


def on_top(toks: Sequence[str], i: int, event: str, numbers: Sequence[tuple[str, int]], rule: str = "") -> bool:
    """Whether the number at toks[i], read as `event` by `rule`, counts people on top of a
    figure told before; `numbers` are the (event, token index) of the sentence's counts."""
    part = any(p in rule for p in _PART_RULES)  # "de los 85 excarcelados este martes, 23 son militares"
    return (_other_or_more(toks, i) or _new(toks, i)
            or (event == "released" and not part and _one_day(toks, i, numbers))
            or (event in _FLOWS and _before_a_total(toks, i, event, numbers)))


def _after_the_noun(toks: Sequence[str], i: int) -> tuple[int, ...]:
    """Where a word qualifying the number's people stands: right after the number, or after its
    people noun and one modifier ("12 presos políticos más")."""
    parsed = parse_number(toks, i)
    j = parsed[1] if parsed else i + 1
    unit = find_unit(toks, j)
    return (j,) if unit is None else (j, unit + 1, unit + 2)


def _other_or_more(toks: Sequence[str], i: int) -> bool:
    """"liberó a otros tres", "another 12", "tres más", "12 presos políticos más", "12 more"."""
    if i > 0 and toks[i - 1] in _OTHER and not (i > 1 and toks[i - 2] in ARTICLES):
        return True
    return any(k < len(toks) and toks[k] in _MORE and (k + 1 == len(toks) or toks[k + 1] not in _NOT_MORE)
               for k in _after_the_noun(toks, i))


def _new(toks: Sequence[str], i: int) -> bool:
    """"24 nuevas excarcelaciones", "24 new releases", "19 detenciones nuevas", "15 presos
    políticos nuevos" (but not "300 political prisoners under new amnesty")."""
    parsed = parse_number(toks, i)
    j = parsed[1] if parsed else i + 1
    if j < len(toks) and toks[j] in _NEW:
        return True
    unit = find_unit(toks, j)
    if unit is None:
        return False
    spots = [unit + 1] + ([unit + 2] if unit + 1 < len(toks) and toks[unit + 1] in _POLITICAL else [])
    return any(k < len(toks) and toks[k] in _NEW_AFTER for k in spots)


def _one_day(toks: Sequence[str], i: int, numbers: Sequence[tuple[str, int]]) -> bool:
    """Releases of one day or period, not a total up to it: the number's clause (from the
    sentence's count before it to the one after) names the day ("este lunes", "hoy", "en la
    última jornada", "en las últimas 24 horas"), and nothing before the number in it tells a
    total ("eleva a", "ya son")."""
    start = max((k for _, k in numbers if k < i), default=-1) + 1
    end = min((k for _, k in numbers if k > i), default=len(toks))
    if not any(_period_at(toks, k) for k in range(start, end)):
        return False
    before = toks[start:i]
    # nor a part of the day's people: "entre los liberados de este martes hay cuatro mujeres"
    subset = any(a in _AMONG and b in _THE for a, b in zip(before, before[1:], strict=False))
    return not (subset or _TOTAL.intersection(before))


def _period_at(toks: Sequence[str], k: int) -> bool:
    """A day or period at toks[k] that is not the end or start of a span ("hasta … este viernes")."""
    w = toks[k]
    nxt = toks[k + 1] if k + 1 < len(toks) else ""
    if w in _THIS:
        # "este lunes", "esta jornada", "este 25 de enero", "este #25Ene"
        if not (nxt in _WEEKDAYS or nxt == "jornada" or (nxt.isdigit() and date_at(toks, k + 1))):
            return False
    elif w == "jornada":
        if not (k > 0 and toks[k - 1] == "ultima"):  # "en la última jornada"
            return False
    elif w in _LAST:
        # "en las últimas 24 horas", "in the last 24 hours", "en las últimas horas"
        if not (nxt in _HOURS or (nxt.isdigit() and k + 2 < len(toks) and toks[k + 2] in _HOURS)):
            return False
    elif w != "hoy":
        return False
    return not _SPAN.intersection(toks[max(0, k - _SPAN_REACH):k])


def _before_a_total(toks: Sequence[str], i: int, event: str, numbers: Sequence[tuple[str, int]]) -> bool:
    """The N of "N excarcelaciones este domingo, para un total de M" (a later count of the same
    event told as the total), when nothing before N tells a total itself."""
    start = max((k for _, k in numbers if k < i), default=-1) + 1
    if _TOTAL.intersection(toks[start:i]):
        return False
    return any(ev == event and k > i and _then_a_total(toks[max(i + 1, k - _THEN_REACH):k]) for ev, k in numbers)


def _then_a_total(before: Sequence[str]) -> bool:
    """Whether the words before a figure make it the total the figure before adds up to."""
    if _THEN.intersection(before):
        return True
    pairs = list(zip(before, before[1:], strict=False))
    if any(a in _A_TOTAL and b == "total" for a, b in pairs):  # "para un total de", "for a total of"
        return True
    # "lo que eleva a", "which brings the total to"
    return any(tuple(before[n:n + len(w)]) == w and _TOTAL.intersection(before[n + len(w):])
               for w in _WHICH for n in range(len(before)))
