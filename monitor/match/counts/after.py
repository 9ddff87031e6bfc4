"""The event given by the predicate after a number's noun ("were released")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from monitor.match.counts.cues import (
    AIRCRAFT,
    ARTICLES,
    AUX,
    CUSTODY,
    DEPORTATION,
    DURATION_LEAD,
    HANDED,
    HANDED_TO,
    HELD_STATE,
    MEMBER,
    NEGATION,
    NOT_CUSTODY,
    NOT_CUSTODY_PLACE,
    PASSIVE,
    PRISONS,
    RELEASE_STATE,
    REMAIN_VERB,
    RETURNS,
    STATE_WORDS,
)
from monitor.match.counts.lexicon import (
    ADJECTIVAL,
    AFTER_EVENT,
    AFTER_HELD,
    AFTER_HELD_NOUN,
    AFTER_PAIR,
    DETAINEE,
    EVENT_NOUN,
    NOT_PEOPLE,
    PRISONER,
    QUALIFIER,
    SINGULAR_PARTICIPLE,
    SUBSET,
    VERIFY,
    asks,
)
from monitor.match.counts.numbers import NUMBER_WORDS, SMALL, parse_number
from monitor.match.counts.phrases import (
    coordinated_noun,
    find_unit,
    member_of,
    parenthetical_subset,
)
from monitor.match.counts.quantities import AGE_AFTER, TIME, is_date_part, skip_age_range

_GO_ON = "go on"  # this word decides nothing: read the next one
_NEXT = "next"  # the scan moved on by itself
_STOP = "stop"  # the predicate ends here: the participle read so far, if any
_OF = frozenset({"of", "de", "del", "over", "for", "against", "contra"})  # a complement, not a predicate
_FOR = frozenset({"por", "para", "con", "with", "sobre", "about"})  # right before a noun: its complement
_TO_LEAVE = frozenset({"salir", "liberar", "excarcelar", "ser"})  # "por salir": still to leave
_HAD = frozenset({"had", "habian", "habia"})  # ... "been"/"estado": "had actually been in prison"
_BEEN = frozenset({"been", "estado"})
_BACK = frozenset({"vuelto", "volvieron", "vuelven", "volvio", "vuelve"})
_IACHR = frozenset({"cidh", "iachr", "interamericana", "inter-american"})  # its measures protect, not free


@dataclass(slots=True)
class _Scan:
    k: int  # the word read
    start: int  # the first word after the noun
    end: int  # the end of the window
    noun: bool  # after a people noun (not a bare number): "presos", "moved" mean held
    adjectival: str | None = None  # the event of a participle right after the noun
    past: bool = False  # custody told in the pluperfect ("had been in prison"): a former state


_ON_TRIAL = ("procesad", "juzgad", "enjuiciad", "imputad")


def after_event(tokens: Sequence[str], start: int, window: int = 5, noun: bool = True) -> str | None:
    """The event of the predicate after a people noun ("were released", "siguen detenidos").

    A participle right after the noun describes it ("detenidos en el INOF"): it gives its
    event only when no later predicate (within 8 words) gives another one.

    Remembered: a scan that meets "among"/"entre" reads the whole's predicate after it
    (`among_held`), which scans on to the next "among" and starts over; the same scans again
    at each repeat, 1.65 times the work each ("Venezuela frees 5 women among detainees among
    detainees …": 6.5 s of CPU at 392 characters, a 1,000-character title never ended)."""
    return _after_event(tuple(tokens), start, window, noun)


@lru_cache(maxsize=1024)  # the scans of a sentence or two: a few MB at most
def _after_event(key: tuple[str, ...], start: int, window: int, noun: bool) -> str | None:
    tokens = list(key)  # the scans compare slices with lists ("tokens[k + 1:k + 3] == ['a', 'ser']")
    start = skip_age_range(tokens, start)
    if start > 0 and tokens[start - 1].startswith(_ON_TRIAL) and tokens[start:start + 2] == ["en", "libertad"]:
        return None  # "1.800 procesados en libertad": tried while free, not a release
    sc = _Scan(start, start, min(len(tokens), start + window), noun)
    while sc.k < len(tokens) and (sc.k < sc.end or (sc.adjectival and sc.k < sc.start + 9)):
        m, moves_start = _aside(tokens, sc.k, sc.start)
        if m > sc.k:
            sc.end += m - sc.k
            sc.start = m if moves_start else sc.start
            sc.k = m
            continue
        if tokens[sc.k] in ("pero", "but") and _still_held(tokens, sc.k + 1):
            sc.k += 1  # "122 political prisoners have applied for amnesty but remain in custody"
            sc.end = max(sc.end, sc.k + 2)
            continue
        if _stops(tokens, sc.k):
            return _described_only(sc)
        answer = _phrase(tokens, sc)
        if answer == _GO_ON:
            answer = _predicate(tokens, sc)
        if answer == _STOP:
            return _described_only(sc)
        if answer != _GO_ON and answer != _NEXT:
            return answer
        if answer == _GO_ON:
            sc.k += 1
    return _described_only(sc)


def _described_only(sc: _Scan) -> str | None:
    """The participle's event when no later predicate decided; a bare number's former custody
    ("only 702 of them had been in prison") says nothing of now: no event of its own."""
    return None if sc.past and not sc.noun else sc.adjectival


def _pluperfect(tokens: Sequence[str], start: int, k: int) -> bool:
    """Between the noun and tokens[k], "had been" / "habían estado": a state that is over."""
    between = tokens[start:k]
    return any(t in _HAD for t in between) and any(t in _BEEN for t in between)


def _aside(tokens: Sequence[str], k: int, start: int) -> tuple[int, bool]:
    """(index after an aside at tokens[k], whether the predicate starts after it)."""
    w = tokens[k]
    if k == start and (skip := parenthetical_subset(tokens, k)) > k:
        # "34 personas, entre ellas 19 militares, fueron arrestadas": the predicate is
        # the 34's, after the subset
        return skip, True
    if k == start and w.startswith("privad") and tokens[k + 1:k + 3] == ["de", "libertad"]:
        return k + 3, True  # "110 privados de libertad fueron beneficiados": the noun, not a state
    if w[0].isdigit() and is_date_part(tokens, k):
        return k + 1, False  # "detenidos tras el 28 de julio siguen en Tocuyito"
    if (w[0].isdigit() or w in SMALL) and tokens[k + 1:k + 2] != [] and tokens[k + 1] in NOT_PEOPLE and (
            k > 0 and tokens[k - 1] in _FROM):
        return k + 2, False  # "80 foreigners from 22 countries are held": the noun's complement
    if (w[0].isdigit() or w in SMALL) and tokens[k + 1:k + 2] and tokens[k + 1] in TIME and (
            k > 0 and tokens[k - 1] in DURATION_LEAD):
        return k + 2, False  # "2 periodistas tras 10 horas detenidos": a duration
    if w == "at" and k > 0 and tokens[k - 1] in AGE_AFTER and tokens[k + 1:k + 2] and tokens[k + 1].isdigit():
        m = k + 2  # "19 teenagers, detained at 15 and 16, are still held": ages
        if tokens[m:m + 1] and tokens[m] in ("and", "or") and tokens[m + 1:m + 2] and tokens[m + 1].isdigit():
            m += 2
        return m, False
    if w in ("y", "and") and (skip := coordinated_noun(tokens, k)) > k:
        return skip, False  # "US citizens and permanent residents are held"
    if k == start and w in ("de", "del") and (m := k + 1 + (tokens[k + 1:k + 2] in (["la"], ["el"]))) and (
            _plain_word(tokens, m) and tokens[m] not in PRISONER and tokens[m] not in DETAINEE):
        return m + 1, True  # "catorce trabajadores de la prensa siguen tras las rejas": the noun's complement
    if w in ("y", "and") and k > 1 and tokens[k - 2] in _OF | _FOR and _plain_word(tokens, k + 1):
        return k + 2, False  # "detenidos tras protestas por agua y luz siguen incomunicados"
    return k, False


def _plain_word(tokens: Sequence[str], k: int) -> bool:
    """tokens[k] is a word that opens no clause: no number, predicate or participle."""
    w = tokens[k] if k < len(tokens) else ""
    return w.isalpha() and w not in NUMBER_WORDS and w not in AFTER_EVENT and w not in AFTER_HELD and (
        w not in ADJECTIVAL and w not in ARTICLES and w not in AUX)


def _still_held(tokens: Sequence[str], k: int) -> bool:
    """A state of custody opening the clause at tokens[k] ("remain in custody", "siguen presos")."""
    w = tokens[k] if k < len(tokens) else ""
    if w in ("still", "aun", "todavia"):
        k, w = k + 1, tokens[k + 1] if k + 1 < len(tokens) else ""
    return w in REMAIN_VERB and not _release_state(tokens[k + 1:k + 6])


# a number word that opens a new subject with its own predicate ("Two prisoners freed, one
# re-arrested": the one's); not "once" (English), not the articles "un" / "una", not after a
# preposition ("two men were among six killed"), not an apposition or a list ("Four Americans
# held, one a veteran, were freed", "Two Colombians, one Peruvian freed"), not a time ("one day")
_NEW_SUBJECT = (NUMBER_WORDS | {"uno"}) - {"once"}
_GOVERNED = frozenset({"among", "entre", "of", "de", "del", "with", "con", "by", "por", "to", "a", "al",
                       "for", "para", "on", "en", "in", "at", "from", "than", "que", "the", "los", "las"})
_OWN_PREDICATE = (ADJECTIVAL | AFTER_HELD | AUX | set(AFTER_EVENT) | set(SINGULAR_PARTICIPLE)
                  | {"re", "was", "fue", "fueron", "sigue", "remains", "remained"})


def _new_subject(tokens: Sequence[str], k: int) -> bool:
    return (tokens[k] in _NEW_SUBJECT and k > 0 and tokens[k - 1] not in _GOVERNED
            and tokens[k + 1:k + 2] != [] and tokens[k + 1] in _OWN_PREDICATE)


def _stops(tokens: Sequence[str], k: int) -> bool:
    """Another number, clause or subset starts at tokens[k] ("12 adolescents detained ...,
    eight of whom remain in custody": the eight's)."""
    w = tokens[k]
    if w[0].isdigit() or w in ("y", "and", "pero", "but", ":"):
        return True
    if _new_subject(tokens, k):
        return True
    if w in _FREEDOM and tokens[max(0, k - 2):k] in (["por", "la"], ["por", "su"], ["for", "the"], ["for", "their"]):
        return True  # "9 detenidos en protesta por la libertad de un concejal": what they marched for
    if w in _NONE:
        return True  # "seven US troops wounded, none killed": the predicate of none of them
    return (w, tokens[k + 1] if k + 1 < len(tokens) else "") in SUBSET


def _phrase(tokens: Sequence[str], sc: _Scan) -> str | None:
    """Phrases that decide, or move the scan, before the word is read as a predicate."""
    k, w = sc.k, tokens[sc.k]
    if w in ("sometidos", "sometidas") and tokens[k + 1:k + 4] == ["a", "la", "justicia"]:
        return "arrested"  # "2.000 terroristas han sido sometidos a la justicia"
    if w in ADJECTIVAL and (k == sc.start or tokens[k + 1:k + 3] in (["por", "motivos"], ["por", "razones"])):
        answer = _described(tokens, sc)  # "178 miembros de la FANB detenidos por motivos políticos"
        if answer != _GO_ON:
            return answer
    if (sc.noun and w in ("at", "en", "in") and tokens[k + 1:k + 2] and tokens[k + 1] in PRISONS
            and sc.adjectival is None and k == sc.start):
        return "held"  # "40 detainees at Tocuyito"
    if (group := _group_event(tokens, k) or _verified_as(tokens, k)) is not None:
        return group
    if w in ("leave", "leaves", "left", "leaving") and any(t in CUSTODY or t in PRISONS for t in tokens[k + 1:k + 3]):
        return "released"  # "252 Venezuelans leave Salvadoran prison", "24 detainees leave Tocorón"
    if w in HANDED and any(t in HANDED_TO for t in tokens[k + 1:k + 5]):
        return "released"  # "the three Europeans were handed over to their embassies"
    told = _anew_or_protected(tokens, k)
    if told != _GO_ON:
        return told
    nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
    if (w == "por" and nxt in _TO_LEAVE) or (w in ("yet", "still") and tokens[k + 1:k + 3] == ["to", "be"]):
        return "held"  # "faltan 150 militares por salir", "40 still to be freed": not out yet
    if w in NEGATION:
        if any(t in AFTER_EVENT or t in AFTER_HELD for t in tokens[k + 1:k + 4]):
            return None  # "the crew of 27 had not been detained"
        return _STOP  # "the 2,000 detained ... were criminals, not political prisoners"
    if w in AUX:
        sc.end = min(len(tokens), sc.end + 1)  # "12 have since been released"
        sc.k += 1
        return _NEXT
    if w in _STAY and (nxt in NOT_CUSTODY or tokens[k + 2:k + 3] in (["bordo"], ["board"], ["large"]) or (
            nxt in ("in", "en") and any(t in NOT_CUSTODY_PLACE for t in tokens[k + 2:k + 4])) or _deployed(tokens, sc)):
        return _STOP  # "24 crew members remained aboard", "6,000 troops remain in the region"
    if (w in REMAIN_VERB or w in AFTER_HELD) and not w.startswith(("privad", "depriv")) and _release_state(
            tokens[k + 1:k + 6]):
        return "released"  # "otros 6 quedan con medidas cautelares", "remain under house arrest"
    return _GO_ON


def _group_event(tokens: Sequence[str], k: int) -> str | None:
    """The event of a group the people are told to be part of at tokens[k]: "24 periodistas
    forman parte de la lista de presos políticos" (held), "Eleven journalists and two Americans
    among prisoners freed" (the whole's release or death)."""
    w = tokens[k]
    if w in ("among", "entre") and (whole := among_held(tokens, k)) in ("released", "dead"):
        return whole
    return member_of(tokens, k + 1) if w in MEMBER else None


_AS = frozenset({"en", "como", "as", "in"})
_FROM = frozenset({"from", "de", "in", "en", "across"})
_NONE = frozenset({"none", "nobody", "ninguno", "ninguna", "nadie"})
_FREEDOM = frozenset({"libertad", "liberacion", "excarcelacion", "release", "freedom"})


def _verified_as(tokens: Sequence[str], k: int) -> str | None:
    """A figure verified as an event: "84 presos políticos son los verificados en
    excarcelaciones" (released), "12 confirmed as deaths": the event of the noun after."""
    if not tokens[k].startswith(VERIFY) or tokens[k + 1:k + 2] == [] or tokens[k + 1] not in _AS:
        return None
    m = k + 2 + (tokens[k + 2:k + 3] != [] and tokens[k + 2] in ARTICLES)
    w = tokens[m] if m < len(tokens) else ""
    return EVENT_NOUN.get(w) or AFTER_EVENT.get(w)


_FORCES = frozenset({"troops", "tropas", "efectivos", "marines", "infantes", "sailors", "personnel"})


def _deployed(tokens: Sequence[str], sc: _Scan) -> bool:
    """Forces that stay somewhere with no word of custody ("2,500 troops to remain in Puerto
    Rico through summer"): deployed, not held ("3 US troops remain in custody" are held)."""
    noun = tokens[sc.start - 1] if sc.start > 0 else ""
    return noun in _FORCES and not any(
        t in CUSTODY or t in PRISONS or t in HELD_STATE or t in AFTER_HELD_NOUN for t in tokens[sc.k + 1:sc.k + 6])


# to stay, in either number ("la tripulación, de 22 marinos, permanece a bordo": not in custody)
_STAY = REMAIN_VERB | {"permanece", "permanecio", "queda", "quedo", "quedaron", "sigue", "siguio", "siguieron"}


def _anew_or_protected(tokens: Sequence[str], k: int) -> str | None:
    """"ocho excarcelados volvieron a ser detenidos": arrested anew, not back home; "quedaron
    fuera de la amnistía": left inside; "doce
    militares presos reciben medidas cautelares de la CIDH": the IACHR's measures protect
    people inside, they free no one; else people who ask (_asks)."""
    w = tokens[k]
    if (w in _STAY or w in ("left", "dejados", "dejadas")) and tokens[k + 1:k + 3] in (
            ["fuera", "de"], ["out", "of"], ["fuera", "del"]) and any(
            t.startswith(_RELIEF) for t in tokens[k + 3:k + 5]):
        return "held"  # "73 presos políticos quedaron fuera de la amnistía", "were left out of the law"
    if w in _BACK and tokens[k + 1:k + 3] == ["a", "ser"] and tokens[k + 3:k + 4] and (
            AFTER_EVENT.get(tokens[k + 3]) == "arrested"):
        return "arrested"
    if w.startswith("cautelar") and any(t in _IACHR for t in tokens):
        return "held"
    if w.startswith(("recib", "receiv")) and any(t.startswith(("boleta", "excarcel")) or t == "release" and (
            "orders" in tokens[k + 1:k + 6] or "order" in tokens[k + 1:k + 6]) for t in tokens[k + 1:k + 5]):
        return "released"  # "1.640 beneficiarios ya recibieron su boleta de excarcelación"
    return _asks(tokens, k)


def _asks(tokens: Sequence[str], k: int) -> str | None:
    """People who ask: "son 12 mujeres que exigen la libertad de sus hijos" (those who ask are
    not the count: None), "50 presos políticos ... exigen su libertad" (asked, not done: stop)."""
    w = tokens[k]
    if w in ("que", "who") and tokens[k + 1:k + 2] and asks(tokens[k + 1]) and not (
            tokens[k + 1].startswith(("deb", "must", "should"))):
        return None
    if asks(w) and (any(t in ("su", "sus", "their") for t in tokens[k + 1:k + 3]) or any(
            t.startswith(_RELEASE_ASKED) for t in tokens[k + 1:k + 5])):
        return _STOP  # "los 12 familiares piden la libertad de 63 reclusos": asked for others
    return _GO_ON


_RELIEF = ("amnist", "ley", "law", "benefic", "indult", "pardon", "list")
_RELEASE_ASKED = ("libert", "liberac", "liberar", "excarcel", "release", "freedom", "free")


def _release_state(words: Sequence[str]) -> bool:
    """A state of release after "quedan"/"siguen"/"remain", not "privados de libertad"."""
    for m, t in enumerate(words):
        if t.startswith(("privad", "depriv")) or t in ("sin", "without", "y", "and", ",", ":") or (
                asks(t)):  # "permanecen en ayuno y piden la libertad de": asked
            return False
        if t.startswith(RELEASE_STATE) or (t == "house" and words[m + 1:m + 2] == ["arrest"]) or (
                t == "casa" and words[m + 1:m + 2] == ["por"]):
            return True
    return False


def _described(tokens: Sequence[str], sc: _Scan) -> str | None:
    """A participle right after the noun with a phrase of political custody."""
    k = sc.k
    if tokens[k + 1:k + 4] in (["por", "razones", "politicas"], ["for", "political", "reasons"],
                               ["por", "motivos", "politicos"]) and not any(
            t in ("since", "desde") for t in tokens[k + 4:k + 6]):
        return "held"  # "110 personas detenidas por razones políticas" (not "... since January")
    if sc.adjectival is None and tokens[k + 1:k + 4] in (["por", "el", "regimen"], ["by", "the", "regime"]):
        sc.adjectival = "held"  # "los 87 extranjeros detenidos por el régimen": their state,
        sc.k += 4               # unless a later predicate says otherwise ("... fueron liberados")
        sc.end = min(len(tokens), sc.end + 3)
        return _NEXT
    return _GO_ON


def _predicate(tokens: Sequence[str], sc: _Scan) -> str | None:
    """The event of the word at sc.k as a predicate; a participle right after the noun is
    kept as the noun's description (sc.adjectival)."""
    k, w = sc.k, tokens[sc.k]
    nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
    if k > sc.start + 1 and tokens[k - 1] == "s" and len(tokens[k - 2]) > 1:
        return _GO_ON  # "7 activists detained as Machado's return nears": a noun ("U.S." is no "'s")
    if sc.adjectival is None and w.startswith(("excluid", "excluded")) and (k == sc.start or (
            k == sc.start + 1 and tokens[sc.start] in ("politicos", "politicas", "political"))):
        sc.adjectival = "held"  # "35 presos excluidos de la amnistía siguen en El Rodeo": left in
        return _GO_ON
    event = AFTER_PAIR.get((w, nxt))
    if event is None:
        held = w in AFTER_HELD or (sc.noun and w in AFTER_HELD_NOUN and not any(
            t in _OF for t in tokens[sc.start:k]) and tokens[k - 1] not in _FOR)
        # not "officials over abuse of prisoners", "detenidos en protestas por presos políticos"
        event = "held" if held else AFTER_EVENT.get(w)
        if event == "arrested" and k > 0 and tokens[k - 1] in STATE_WORDS:
            event = "held"  # "25 union leaders are currently jailed", "20 ya están detenidos"
    if event is None or (event == "released" and (w in RETURNS or w == "home") and _deported(tokens)):
        return _GO_ON  # "5,000 Venezuelans had been returned since the flights resumed", "deportation
        # flights bring 360 Venezuelans home": deported
    if event == "held" and _pluperfect(tokens, sc.start, k):
        sc.past = True  # "12 Americans who had been held in Venezuela were freed": a later
        sc.adjectival = sc.adjectival or "held"  # predicate decides
        return _GO_ON
    if k == sc.start and w in ADJECTIVAL and sc.adjectival is None:
        sc.adjectival = event
        if nxt in ("desde", "since") and w in HELD_STATE and tokens[k + 2:k + 3] and (
                tokens[k + 2][:1].isdigit()):  # "detenidos desde 2019": still held
            sc.adjectival = "held"
    elif sc.adjectival is None or (event != sc.adjectival and not (
            sc.adjectival == "released" and event == "held")):
        return event  # "freed in December, re-arrested", not "freed, denies holding"
    return _GO_ON


_CUSTODY_STEMS = ("free", "releas", "liber", "excarcel", "prison", "pres", "detain", "detenid", "jail")


def _deported(tokens: Sequence[str]) -> bool:
    """People brought home by deportation flights ("deportation flights bring 360 Venezuelans
    home"), or by a flight when nothing says they were in custody ("Fourth flight of the week
    brings 200 Venezuelans home"; not "flight brings home 5 freed Americans")."""
    return any(t.startswith(DEPORTATION) for t in tokens) or (
        any(t.startswith(AIRCRAFT) for t in tokens) and not any(t.startswith(_CUSTODY_STEMS) for t in tokens))


def colon_predicate(toks: Sequence[str], k: int) -> str | None:
    """After the count at toks[k], a clause after a colon that is only a predicate with no
    subject or number of its own ("...: fueron excarcelados con medidas cautelares")."""
    if ":" not in toks[k + 1:]:
        return None
    m = len(toks) - toks[::-1].index(":")
    if any(t[0].isdigit() or t in NUMBER_WORDS for t in toks[m:]):
        return None
    start = m
    while m < len(toks) and toks[m] in PASSIVE:
        m += 1
    if m == start or m >= len(toks):
        return None  # a bare participle could open a new headline ("...: excarcelan a X")
    event = AFTER_EVENT.get(toks[m])
    return event if event in ("released", "arrested", "dead") else None


def among_held(toks: Sequence[str], k: int) -> str | None:
    """"89 women among the detainees", "12 menores entre los detenidos": a subset of the item's
    tally of prisoners/detainees ("inherit:<fallback>": the count before, else by the noun)."""
    if k >= len(toks) or toks[k] not in ("among", "entre"):
        return None
    m = k + 1 + (k + 1 < len(toks) and toks[k + 1] in ARTICLES)
    while m < len(toks) and toks[m] in QUALIFIER | {"than", "de"}:
        m += 1  # "among more than 2,000 people arrested"
    whole = parse_number(toks, m) if m < len(toks) else None
    if whole is not None and (unit := find_unit(toks, whole[1])) is not None:
        # "three Colombians among 19 foreigners released": the part shares the whole's event
        return EVENT_NOUN.get(toks[unit]) or after_event(toks, unit + 1) or (
            "held" if toks[unit] in PRISONER else None)  # "46 dirigentes entre los 902 presos políticos"
    if whole is not None and whole[1] < len(toks) and toks[whole[1]] in ADJECTIVAL:
        return after_event(toks, whole[1], noun=False)  # "two Americans among 30 freed": the bare whole's
    if toks[k + 1:k + 2] in (["them"], ["ellos"], ["ellas"]) and k + 2 == len(toks):
        return "inherit"  # "5 Colombians among them": a subset of the count before
    k += 1
    if k < len(toks) and toks[k] in ARTICLES:
        k += 1
    if toks[k + 1:k + 2] == ["s"]:
        k += 2  # "among Venezuela's remaining political prisoners": a possessive
    while k < len(toks) and toks[k] in ("remaining", "political", "current"):
        k += 1
    if k < len(toks) and toks[k] in PRISONER | {"reclusos", "reclusas", "inmates"}:
        return _whole_went_through(toks, k) or "inherit:held"
    if k < len(toks) and toks[k] in DETAINEE | {"arrestados", "arrestadas", "arrested"}:
        return _whole_went_through(toks, k) or "inherit:arrested"
    return None


def _whole_went_through(toks: Sequence[str], noun: int) -> str | None:
    """A release or death the whole's own predicate tells ("Eleven journalists among prisoners
    freed in Venezuela": the eleven were freed, not held)."""
    event = after_event(toks, noun + 1)
    return event if event in ("released", "dead") else None

