"""Shapes of noun phrases around a number: its noun, partitives, subsets, tallies."""

from __future__ import annotations

from collections.abc import Sequence

from core.text import MONTHS
from monitor.match.counts.cues import (
    ACHIEVED,
    ARTICLES,
    CONDITION,
    COPULA,
    DAYS,
    DEMAND_GLUE,
    EXCHANGE,
    GROUP_DET,
    PARTITIVE,
    REFUSE,
    RELATIVES,
)
from monitor.match.counts.lexicon import (
    DETAINEE,
    EVENT_NOUN,
    INCLUDES,
    MODIFIERS,
    PEOPLE,
    PLANNED,
    PRISONER,
    QUALIFIER,
    SINGULAR_PERSON,
    SUBSET,
    SUBSET_GLUE,
    SUBSET_WORDS,
    TALLY_NOUN,
    asks,
)
from monitor.match.counts.numbers import NUMBER_WORDS, ONE, parse_number
from monitor.match.counts.quantities import dated

_FIGURE = frozenset({"cifra", "figure", "total", "numero", "number"})


def subset_before(tokens: Sequence[str], i: int) -> bool:
    """The number at tokens[i] is announced as a subset of the count before: "de ellos 140",
    "entre ellos hay 170", "among them were four", "including 11", "la cifra incluye 87",
    "the figure includes 100", "en la cifra hay 37"."""
    if i > 0 and tokens[i - 1] in SUBSET_WORDS:
        # "three Colombians among 19 foreigners released": here the number is the whole
        return not (tokens[i - 1] == "among" and i > 1 and (
            tokens[i - 2] in PEOPLE or tokens[i - 2] in SINGULAR_PERSON or tokens[i - 2] == "national"))
    k = i
    while k > 0 and i - k < 2 and tokens[k - 1] in SUBSET_GLUE:
        k -= 1
    if k > 1 and (tokens[k - 2], tokens[k - 1]) in SUBSET:
        return True
    if k > 0 and k < i and any(t in ("entre", "among") for t in tokens[max(0, k - 8):k]):
        return True  # "entre los detenidos figuran 170 militares", "among them were four"
    if i > 3 and tokens[i - 1] in ("hay", "figuran", "are", "were") and any(
            t in _FIGURE for t in tokens[i - 4:i - 1]) and any(t in ("en", "in") for t in tokens[max(0, i - 6):i - 2]):
        return True  # "en la cifra hay 37 militares", "in that figure there are 25" (not "en la lista hay")
    if i > 2 and tokens[i - 1] == "a" and tokens[i - 2] in INCLUDES and (
            tokens[i + 1:i + 2] and (tokens[i + 1] in PEOPLE or tokens[i + 1] in MODIFIERS)):
        return True  # "Provea incluye a 166 personas detenidas por razones conexas"
    return (i > 1 and tokens[i - 1] in INCLUDES
            and any(t in TALLY_NOUN or t in EVENT_NOUN or t in DETAINEE or t in ("dead", "victims")
                    for t in tokens[max(0, i - 8):i - 1]))  # "its count of 487 detainees as of
    # April 1 included 61 foreigners"


def demanded(tokens: Sequence[str], k: int) -> bool:
    """The release word tokens[k] is demanded, not done ("exige liberar", "pide a Venezuela
    liberar", "urges Maduro to release", "calls for the immediate release"): a demand word
    with function words and at most two other words (the addressee, "Delcy Rodríguez") in
    between. An "immediate release" ("liberación inmediata de tres") is always asked for."""
    if tokens[k + 1:k + 2] in (["inmediata"], ["immediate"]) or tokens[k - 1:k] == ["immediate"]:
        return True
    m = k - 1
    while m > 0 and tokens[m] in ("la", "el", "the", "a"):
        m -= 1
    if m >= 0 and tokens[m] in CONDITION:
        return True  # "no habrá acuerdo sin la liberación de", "until the release of": a condition
    for m in range(k - 1, max(-1, k - 8), -1):
        if tokens[m] in ACHIEVED:
            return False  # "U.S. pressure yields release of 5 Americans": the demand was met
        if asks(tokens[m]):
            if tokens[m] in PLANNED and m + 1 < k and tokens[m + 1] not in DEMAND_GLUE:
                return False  # "considera insuficiente la excarcelación de 40": judged, not weighed
            # two words only for a named addressee: "pide a Delcy Rodríguez liberar"
            limit = 2 if tokens[m + 1:m + 2] in (["a"], ["al"], ["to"]) or tokens[k - 1] == "to" else 1
            if tokens[m].startswith(("condicion", "conditio", "tie", "tying")):
                limit = 3  # "condiciona el alivio de sanciones a la excarcelación de"
            return sum(w not in DEMAND_GLUE for w in tokens[m + 1:k]) <= limit
    return False


def refused(tokens: Sequence[str], k: int) -> bool:
    """The release word tokens[k] is refused ("rechaza aplicar la amnistía a 45", "refuses to
    free 45", "niega la excarcelación de 30"): those named stay inside. An arrest "rechazada" is
    condemned, not undone ("rechazan la detención de 12 estudiantes")."""
    m = k - 1
    while m > 0 and tokens[m] in ("la", "el", "the", "a", "to", "de"):
        m -= 1
    return m >= 0 and tokens[m] in REFUSE


def counted_before(tokens: Sequence[str], k: int) -> bool:
    """tokens[k] is the predicate of an earlier number ("25 people killed and ...")."""
    for m in range(k - 1, max(-1, k - 5), -1):
        w = tokens[m]
        if w[0].isdigit() or w in NUMBER_WORDS:
            return True
        if not (w in PEOPLE or w in MODIFIERS or w in EVENT_NOUN or w in QUALIFIER):
            return False
    return False


def member_of(tokens: Sequence[str], k: int) -> str | None:
    """After a verb of membership: "(forman parte de | figuran en) la lista de presos políticos",
    "están entre los excarcelados" -- the event of the group the people belong to."""
    rest = tokens[k:k + 7]
    if not rest or rest[0] not in ("parte", "entre", "en", "among", "part", "on"):
        return None
    for w in rest[1:]:
        if w in PRISONER:
            return "held"
        if w in EVENT_NOUN:
            return EVENT_NOUN[w]
        if w in DETAINEE:
            return "arrested"
        if w not in MODIFIERS and w not in ("la", "lista", "list", "grupo", "group", "parte", "part", "nomina"):
            return None
    return None


def coordinated_noun(tokens: Sequence[str], k: int) -> int:
    """Index after "and <people noun>" at tokens[k] ("and permanent residents"), else k."""
    m = k + 1
    parsed = parse_number(tokens, m) if m < len(tokens) else None
    if parsed is not None:
        m = parsed[1]  # "127 civiles y 43 militares fueron excarcelados"
    while m < len(tokens) and m - k <= 4 and tokens[m] in MODIFIERS and tokens[m] not in PEOPLE:
        m += 1
    if m < len(tokens) and tokens[m] in PEOPLE and tokens[m] not in ("detenidos", "detenidas"):
        return m + 1
    return k


def parenthetical_subset(tokens: Sequence[str], k: int) -> int:
    """Index after a subset in apposition at tokens[k] ("entre ellas 19 militares", "among
    them 12 women", "including five minors"), else k."""
    m = k
    if m + 1 < len(tokens) and (tokens[m], tokens[m + 1]) in SUBSET:
        m += 2
    elif m < len(tokens) and tokens[m] in ("including", "incluidos", "incluidas", "incluyendo"):
        m += 1
    else:
        return k
    parsed = parse_number(tokens, m) if m < len(tokens) else None
    if parsed is None:
        return k
    unit = find_unit(tokens, parsed[1])
    return unit + 1 if unit is not None else k


def find_unit(tokens: Sequence[str], j: int) -> int | None:
    # "U.S." folds to two words: one modifier ("two former U.S. Army soldiers")
    for k in range(j, min(len(tokens), j + (5 if "u" in tokens[j:j + 3] else 4))):
        w = tokens[k]
        if w in SINGULAR_PERSON and w in MODIFIERS and w not in PEOPLE:
            continue  # "11 Venezuelan soldiers": an adjective here
        if w in EVENT_NOUN or w in PEOPLE or w in SINGULAR_PERSON:
            return k
        if w not in MODIFIERS:
            return None
    return None


def partitive_whole(toks: Sequence[str], j: int) -> int | None:
    """Index after M in "N de las M ..." / "N of the M ...", else None."""
    k = j
    if k < len(toks) and toks[k] in PARTITIVE:
        k += 1
        if k < len(toks) and toks[k] in ARTICLES:
            k += 1
        parsed = parse_number(toks, k) if k < len(toks) else None
        if parsed is not None and (k > j + 1 or find_unit(toks, parsed[1]) is not None):
            return parsed[1]  # "61 de las 87", "19 of 62 detainees"
    return None


def is_partitive_whole(toks: Sequence[str], i: int) -> bool:
    """toks[i] is M in "N de los M" / "N of the M"."""
    k = i - 1
    if k >= 0 and toks[k] in ARTICLES:
        k -= 1
    if k < 1 or toks[k] not in PARTITIVE:
        return False
    if k == i - 1:  # "19 of 62 detainees": no article, the whole has its own noun
        parsed = parse_number(toks, i)
        if parsed is None or find_unit(toks, parsed[1]) is None:
            return False
    w = toks[k - 1]
    return w[0].isdigit() or w in NUMBER_WORDS or w in ONE


def is_bare_partitive_whole(toks: Sequence[str], i: int) -> bool:
    """toks[i] is M in "N <noun> de las M" / "N <noun> of the M" with no noun of its own
    ("41 excarcelaciones de las 116 anunciadas"): the whole takes the part's noun."""
    k = i - 1
    if k < 0 or toks[k] not in ARTICLES:
        return False
    k -= 1
    if k < 1 or toks[k] not in PARTITIVE or find_unit(toks, i + 1 + (toks[i + 1:i + 2] == ["mil"])) is not None:
        return False
    for m in range(k - 1, max(-1, k - 5), -1):
        w = toks[m]
        if w[0].isdigit() or w in NUMBER_WORDS:
            parsed = parse_number(toks, m)
            return parsed is not None and find_unit(toks, parsed[1]) == k - 1
        if not (w in PEOPLE or w in EVENT_NOUN or w in MODIFIERS):
            return False
    return False


def partitive_group(toks: Sequence[str], j: int) -> int | None:
    """Index of the group after a bare number in "N of the <group>", "N de los <group>",
    "N from the <group>" (not "N of the M": a whole with a number), else None."""
    if j + 1 >= len(toks) or toks[j] not in ("of", "de", "from") or toks[j + 1] not in GROUP_DET:
        return None
    if j + 2 < len(toks) and parse_number(toks, j + 2) is not None:
        return None
    return j + 2


def of_named_group(toks: Sequence[str], j: int, unit: int | None) -> bool:
    """The number's noun is a group named after "de los" / "of the" ("9 de los arrestados")."""
    return toks[j:j + 1] in (["de"], ["of"]) and j + 2 == unit and toks[j + 1] in GROUP_DET


def prev_is_whole(toks: Sequence[str], i: int, prev: tuple[str, int] | None) -> bool:
    """The bare number before a copula is a part of the whole announced earlier in the
    sentence ("de 884 presos políticos, 86 son ...", "De los detenidos ..., 114 son ...") or
    just before it ("Foro Penal contabiliza 884 presos políticos; 170 son militares")."""
    if prev is not None or i == 0:
        return True
    return len(toks) > 2 and toks[0] in ("de", "of") and toks[1] in GROUP_DET and i > 2


def in_exchange(toks: Sequence[str], i: int) -> bool:
    """The number follows "in exchange for" / "a cambio de": people handed over in a swap."""
    k = i
    while k > 0 and (toks[k - 1] in QUALIFIER or toks[k - 1] in ARTICLES):
        k -= 1
    return any(tuple(toks[k - len(p):k]) == p for p in EXCHANGE)


def one_for_one(toks: Sequence[str], i: int, unit: int) -> bool:
    """Both sides of "N <people> por/for M <people>" in a swap."""
    def number(t: str) -> bool:
        return t[:1].isdigit() or t in NUMBER_WORDS
    after = toks[unit + 1:unit + 3]
    return (len(after) == 2 and after[0] in ("por", "for") and number(after[1])) or (
        i > 1 and toks[i - 1] in ("por", "for") and any(map(number, toks[max(0, i - 5):i - 1])))


def relatives_of(toks: Sequence[str], i: int) -> bool:
    """The number follows "familiares de" / "relatives of (the)" / "los casos de"."""
    k = i - 1
    if k >= 0 and toks[k] in ARTICLES:
        k -= 1
    return k >= 1 and toks[k] in ("de", "of") and toks[k - 1] in RELATIVES


def headline_tally(toks: Sequence[str], i: int) -> bool:
    """The number is the whole a statement opens with: "Foro Penal: de 884 presos políticos,
    86 son extranjeros" (not "Rights group: 17 political prisoners on hunger strike")."""
    if i > 0 and toks[i - 1] == ":" and dated(toks, i):
        return True  # "Foro Penal: 806 presos políticos al 12/01/2026"
    if i == 0 or toks[i - 1] not in ("de", "of"):
        return False
    return i == 1 or toks[i - 2] == ":"


def whole_of_subset(toks: Sequence[str], k: int) -> bool:
    """A subset follows the noun phrase: "921 political prisoners, of whom 176 are soldiers"."""
    for m in range(k, min(len(toks), k + 3)):
        if (toks[m], toks[m + 1] if m + 1 < len(toks) else "") in SUBSET or (
                toks[m] == "including" and m == k):  # "800 political prisoners, including 120 women"
            return True
    return False


def whole_after_among(toks: Sequence[str], i: int) -> bool:
    """toks[i] is the whole after a counted part: "22 foreigners among 412 political prisoners",
    "46 dirigentes entre 902 presos políticos"."""
    return i > 1 and toks[i - 1] in ("among", "entre") and any(
        t[0].isdigit() or t in NUMBER_WORDS for t in toks[max(0, i - 7):i - 1])


def listed_after(toks: Sequence[str], k: int, i: int) -> bool:
    """The number at i follows the noun phrase of the number at k directly, as in a list
    ("including 5 Colombians, 3 Ukrainians and 2 Americans")."""
    parsed = parse_number(toks, k)
    if parsed is None or parsed[1] >= i:
        return False
    # "Del total, 168 son militares, 91 mujeres y 4 adolescentes": a copula after the first
    return all(t in PEOPLE or t in MODIFIERS or t in EVENT_NOUN or t == "," or (t in COPULA and m == parsed[1])
               for m, t in enumerate(toks[parsed[1]:i], parsed[1]))


def date_at(toks: Sequence[str], k: int) -> bool:
    """A day of a month at toks[k]: "12 de enero", "12 January", "January 12"."""
    w = toks[k] if k < len(toks) else ""
    if w in MONTHS:
        return k + 1 < len(toks) and toks[k + 1].isdigit() and int(toks[k + 1]) <= 31
    if not (w.isdigit() and 1 <= int(w) <= 31):
        return False
    nxt = toks[k + 1:k + 3]
    return bool(nxt) and (nxt[0] in MONTHS or (nxt[0] == "de" and len(nxt) > 1 and nxt[1] in MONTHS))


def gapped(toks: Sequence[str], i: int, j: int, prev: tuple[str, int] | None) -> bool:
    """A bare number in a list whose noun is left out after the first item ("ocho
    excarcelaciones en Zulia, tres en Táchira y dos en Lara")."""
    if prev is None or i - prev[1] > 9:
        return False
    between = toks[prev[1] + 1:i]
    if j < len(toks) and toks[j] in ("en", "in"):
        return toks[j] in between or ":" in between
    day = j + (toks[j:j + 1] in (["el"], ["on"]))
    if day < len(toks) and toks[day] in DAYS:
        return any(t in DAYS for t in between)  # "87 excarcelados el martes, 112 el miércoles"
    if day > j and date_at(toks, day):
        # "14 excarcelaciones el 10 de enero y 41 el 12 de enero"
        return any(date_at(between, k) for k in range(len(between)))
    # "Foro Penal verificó 146 y Clippve 152": a second source's figure closing the clause
    return (i - prev[1] <= 4 and any(t in ("y", "and") for t in between)
            and (j == len(toks) or toks[j] in (",", "y", "and")))


def own_noun_event(toks: Sequence[str], i: int) -> bool:
    """The count at toks[i] took its event from its own noun ("25 muertos")."""
    parsed = parse_number(toks, i)
    unit = find_unit(toks, parsed[1]) if parsed else None
    return unit is not None and toks[unit] in EVENT_NOUN


_LIST = frozenset({"lista", "listas", "list", "lists", "nombres", "names"})


def on_a_list(toks: Sequence[str], i: int) -> bool:
    """The number at i counts the people on a list ("la lista entregada incluye a 73 oficiales
    detenidos", "una lista con 240 nombres de detenidos"): those still held, not an arrest ("una
    lista de 30 personas detenidas en las protestas" names the arrests)."""
    return any(t in _LIST and toks[k + 1:k + 2] != ["de"] for k, t in enumerate(toks[:i]) if k >= i - 8)
