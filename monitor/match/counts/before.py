"""The event given by a verb before a number ("excarceló a", "frees")."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match.counts.cues import (
    AIRCRAFT,
    ARTICLES,
    COURT,
    CUSTODY,
    DEPORTATION,
    HELD_STATE,
    KEEP,
    LEAVES,
    NOT_CUSTODY_PLACE,
    ONLY,
    PUTS,
    REMAIN_VERB,
    REPORTING,
)
from monitor.match.counts.lexicon import (
    ADVERBS,
    AFTER_PAIR,
    BEFORE_EXACT,
    BEFORE_PREFIX,
    DETAINEE,
    EVENT_NOUN,
    INHERIT,
    PEOPLE,
    PRISONER,
    QUALIFIER,
    VERIFY,
    asks,
)
from monitor.match.counts.numbers import NUMBER_WORDS
from monitor.match.counts.phrases import counted_before, demanded, refused, subset_before
from monitor.match.counts.quantities import TIME

_SKIP = "skip"  # the word gives nothing: look further left
_GO_ON = "go on"  # no phrase here: read the word as a verb
_CARRY = ("traslad", "transferr", "transport")  # a verb of moving people
_JAIL = ("jail", "encarcel")  # a court's: a sentence
_INSIDE_AFTER = frozenset({"bars", "rejas", "jail", "prison", "prision", "carcel", "custody", "custodia"})
_TAKE_OUT = frozenset({"saca", "sacan", "saco", "sacaron", "sacar", "sacara", "sacaria", "sacado", "sacando"})
_ASKED_GRANT = frozenset({"aplique", "apliquen", "otorgue", "otorguen", "conceda", "concedan"})  # subjunctive
_DEATH = ("muert", "dead", "kill", "fallec", "died")
_GRANT = ("aplic", "apliq", "otorg", "conced", "concedi", "appl", "grant")  # ... amnesty to N


def before_event(tokens: Sequence[str], i: int, window: int = 6) -> str | None:
    """The event of the verb before the number at tokens[i], within `window` words;
    'inherit' after a verb of verifying; 'demanded' for a release asked for; else None."""
    if subset_before(tokens, i):
        return _subset_event(tokens, i)
    low = _window_start(tokens, i, window)
    only = False
    for k in range(i - 1, -1, -1):
        if k <= low:
            break
        w = tokens[k]
        if w in ONLY:
            only = True  # "liberó hasta ahora solo a 17": the verb before still names the event
            continue
        if (w[0].isdigit() or w in NUMBER_WORDS) and tokens[k + 1:k + 2] and tokens[k + 1] in TIME:
            low = max(-1, low - 2)  # "condenan a 30 años de prisión a tres militares": a duration
            continue
        if w in REPORTING or w == "among" or (w in ("that", "que") and k > 0 and tokens[k - 1] in ("and", "y")):
            # a reporting verb, "and that" open the number's clause; "Detained lawyer among 12
            # foreigners freed": the verb before is another noun's
            return "inherit" if only else None
        if w[0].isdigit() and k == i - 1:
            continue  # "freed 700-800 people": the low end of a range
        if w[0].isdigit() or w == ":" or w in NUMBER_WORDS:
            return None
        answer = _release_phrase(tokens, k)
        if answer == _GO_ON:
            answer = _other_phrase(tokens, k)
        if answer == _GO_ON:
            answer = _verb(tokens, i, k)
        if answer != _SKIP:
            return answer
    return "inherit" if only else None


def _subset_event(tokens: Sequence[str], i: int) -> str:
    """"entre los excarcelados hay tres extranjeros": the among-phrase names the event."""
    for k in range(i - 1, max(-1, i - 8), -1):
        if tokens[k] in ("entre", "among"):
            for w in tokens[k + 1:k + 4]:
                if w in EVENT_NOUN:
                    return EVENT_NOUN[w]
            break
    return "inherit"


def _window_start(tokens: Sequence[str], i: int, window: int) -> int:
    low = max(-1, i - 1 - window)
    m = i - 1
    while m > 0 and tokens[m] in ("otros", "otras", "other", "los", "las", "the", "sus", "their"):
        m -= 1
    if m > 0 and tokens[m] in ("a", "al") and tokens[m - 1] in ("y", "e"):
        low = max(-1, i - 16)  # "Excarcelan a X, dirigente de Y, y a otras dos personas"
    return low


def _release_phrase(tokens: Sequence[str], k: int) -> str | None:
    """Phrases of release that are no release verb: house arrest, precautionary measures."""
    w = tokens[k]
    nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
    if (AFTER_PAIR.get((w, nxt)) == "released" and w in ("arresto", "detencion")
            or w == "arrest" and k > 0 and tokens[k - 1] == "house"
            or w == "carcel" and tokens[max(0, k - 2):k] == ["casa", "por"]):
        return "released"  # "liberan bajo arresto domiciliario a dos periodistas"
    if w in ("cautelar", "cautelares", "alternativas", "procesales", "procesal"):
        if any(t in ("cidh", "iachr", "comision") for t in tokens):  # the IACHR's protect people at risk:
            return "held" if w.startswith("cautelar") and _in_custody(tokens, k) else _GO_ON  # inside, if said
        return "released"  # "otorga medida cautelar a 9 detenidos", "beneficios procesales para 225"
    if w == "measures" and tokens[k - 1:k] == ["precautionary"] and _in_custody(tokens, k) and any(
            t in ("iachr", "commission") for t in tokens):
        return "held"  # "IACHR grants precautionary measures to 8 political prisoners"
    if w in ("got", "get", "gets", "getting") and "out" in tokens[k + 2:k + 6]:
        return "released"  # "Trump claims he 'got 3,000 prisoners out'"
    if w == "benefits" and tokens[max(0, k - 1):k] == ["procedural"]:
        return "released"
    if w in ("medidas", "medida") and any(t.startswith("revis") for t in tokens[max(0, k - 3):k]):
        return "released"  # "se han revisado las medidas de 533 personas"
    if (w in ("amnistia", "amnesty") and any(t.startswith(_GRANT) for t in tokens[max(0, k - 3):k])
            or w.startswith(_GRANT) and any(t in ("amnistia", "amnesty") for t in tokens[max(0, k - 2):k])):
        g = max(m for m in range(max(0, k - 3), k + 1) if tokens[m].startswith(_GRANT))
        if demanded(tokens, g) or refused(tokens, g) or tokens[g] in _ASKED_GRANT:
            return "demanded"  # "piden aplicar la amnistía a 30", "exigen que los jueces apliquen la amnistía a"
        return "released"  # "aplican amnistía a 80 militares", "applies amnesty to 12 students"
    if w in ("with", "con") and k > 0 and tokens[k - 1] in ("returns", "returned", "regresa", "regreso",
                                                           "vuelve", "volvio", "flies", "flew"):
        return "released"  # "Grenell returns with six Americans"
    return _GO_ON


def _in_custody(tokens: Sequence[str], k: int) -> bool:
    """Prisoners, detainees or a word of custody within the next ten words."""
    return any(t in PRISONER or t in DETAINEE or t in HELD_STATE or t in CUSTODY for t in tokens[k + 1:k + 11])


def _other_phrase(tokens: Sequence[str], k: int) -> str | None:
    """Detention phrases, nouns that look like verbs, confirmers and warrants."""
    w = tokens[k]
    nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
    if w in ("detention", "detencion") and k > 0 and tokens[k - 1] in ("incommunicado", "incomunicado"):
        return "held"  # "incommunicado detention of at least 10 defenders"
    if (w == "vida" and tokens[k - 2:k] == ["fe", "de"] or w == "life" and tokens[k - 2:k] == ["proof", "of"]
            or w in ("paradero", "whereabouts")) and nxt in ("de", "of"):
        return "held"  # "exigen fe de vida de 6 detenidos", "the whereabouts of 4 activists": inside
    if w == "libertad" and k > 1 and tokens[k - 1] == "de" and tokens[k - 2].startswith("privativ"):
        return "held"  # "dictan privativa de libertad a 19 detenidos"
    if w in ("detainees", "detainee") or (w == "libertad" and k > 1 and tokens[k - 1] == "de"
                                           and tokens[k - 2].startswith("privad")):
        return _SKIP  # a noun, not "detain"; "privados de libertad" is not a release
    if (w == "fuera" and k > 0 and (tokens[k - 1].startswith("dej") or tokens[k - 1] == "por" and k > 1
                                    and tokens[k - 2].startswith("dej"))
            or w == "out" and k > 0 and tokens[k - 1] in ("leaves", "left", "leave", "leaving")
            or w.startswith("exclu") and not w.endswith(("ing", "endo"))):
        return "held"  # "la amnistía deja fuera a 150 presos", "excludes 150": not let out
    if w in ("presos", "presas", "rejas", "prision", "carcel") and any(
            t.startswith(("dej", "mantendr")) for t in tokens[max(0, k - 3):k]):
        return "held"  # "la ley deja presos a 100", "mantendría tras las rejas a 180": kept inside
    if w in ("prision", "carcel", "calabozos") and "de" in tokens[max(0, k - 2):k] and any(
            t in _TAKE_OUT for t in tokens[max(0, k - 3):k]):
        return "released"  # "la amnistía sacó de prisión a 1.200 personas": let out
    if (w in ("forzada", "forzosa") and k > 0 and tokens[k - 1].startswith("desaparici")
            or w.startswith("disappearance") and k > 0 and tokens[k - 1] in ("enforced", "forced")):
        held = any(t in PRISONER or t in DETAINEE for t in tokens[k + 1:k + 6])
        return "held" if held else "arrested"  # "la desaparición forzada de 3 jóvenes": taken by the state
    if nxt in ("by", "por") and (w in INHERIT or w.startswith(VERIFY)):
        return None  # "confirmed by two officials": the confirmers
    if w.startswith(("arrest", "captur", "aprehension")) and (
            tokens[max(0, k - 2):k] in (["ordenes", "de"], ["orden", "de"])
            or nxt in ("warrant", "warrants")):
        return None  # "órdenes de arresto contra tres funcionarios": warrants
    return _GO_ON


_HAND = frozenset({"entrega", "entrego", "entregan", "entregaron", "entregara", "entregaran"})
_HAND_EN = frozenset({"hands", "handed", "handing"})
_NOT_DONE = frozenset({"no", "not", "si", "if", "unless", "sin", "without", "to", "para"})
_TO_JUSTICE = ("justicia", "fiscal", "tribunal", "juez", "juzgad", "ministerio", "policia", "sebin", "dgcim",
               "prosecutor", "court", "judge", "police", "custod", "autoridad", "authorit", "carcel", "prison",
               "cicpc", "pnb", "interpol", "fbi")
# an extradition or a handover of the accused is no release ("entrega a EE. UU. a dos narcotraficantes
# requeridos por la justicia", "hands over two officials wanted on drug charges")
_ACCUSED = ("extradi", "requerid", "solicitad", "wanted", "charge", "cargo", "acusad", "accused", "indict",
            "juicio", "trial", "narco", "traficant", "traffick", "fugitiv", "profug")


def handed_over(tokens: Sequence[str], k: int, i: int) -> bool:
    """A government hands the people of the number at tokens[i] over, not to justice:
    "Venezuela entrega a EE. UU. a cinco estadounidenses", "Caracas hands over two Americans
    to the US envoy" (a release; not "entrega a la Fiscalía a 3 detenidos", "si no entrega a
    cinco exministros", "entregó una lista de 48 detenidos")."""
    w = tokens[k]
    if w in _HAND and "a" in tokens[k + 1:i] and not any(t in ("de", "of") for t in tokens[k + 1:i]):
        near = tokens[k + 1:i + 8]  # the receiver, before or after the people
    elif w == "over" and k > 0 and tokens[k - 1] in _HAND_EN and i - k <= 2:
        near = tokens[i:i + 8]  # "to the US envoy", after the people
    else:
        return False
    asked = any(t in _NOT_DONE or asks(t) for t in tokens[max(0, k - 4):k])
    return not asked and not any(t.startswith(_TO_JUSTICE) for t in near) and not any(
        t.startswith(_ACCUSED) for t in tokens)


# what is published, not let out: "the weekly count, released on Monday, lists 180"
_DOCUMENTS = frozenset({"count", "report", "list", "data", "figures", "tally", "informe", "lista",
                        "balance", "cifras", "datos", "reporte", "registro"})


def _verb(tokens: Sequence[str], i: int, k: int) -> str | None:
    """The event of the verb tokens[k] before the number at tokens[i], or _SKIP."""
    if handed_over(tokens, k, i):
        return "released"  # "Venezuela entrega a EE. UU. a tres estadounidenses": let go home
    if k > 0 and tokens[k - 1] in _DOCUMENTS and tokens[k] in ("released", "publicado", "publicada", "difundido"):
        return None  # "The weekly count, released on Monday, also lists 180 members of the military"
    return _event_verb(tokens, i, k)


def _event_verb(tokens: Sequence[str], i: int, k: int) -> str | None:
    """_verb for the verbs of the lexicon (BEFORE_EXACT, BEFORE_PREFIX)."""
    w = tokens[k]
    nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
    event = BEFORE_EXACT.get(w)
    if w in PUTS and nxt in ("en", "at") and k < i - 1:
        return None  # "Foro Penal cifró en 777 los presos políticos": a tally, not the verb before
    if event == "dead" and w in LEAVES and any(
            t not in QUALIFIER and t not in ARTICLES for t in tokens[k + 1:i]):
        return None  # "deja 25 muertos", not "deja por fuera a 200", "deja en libertad a 20"
    if event == "dead" and w in LEAVES and any(t in _INSIDE_AFTER for t in tokens[i + 1:i + 6]) and not any(
            t.startswith(_DEATH) for t in tokens[i + 1:i + 6]):
        return "held"  # "the law leaves nearly 200 soldiers behind bars": kept inside, not dead
    if event == "held" and w in REMAIN_VERB and nxt.endswith(("ndo", "ndose")):
        return _SKIP  # "siguen recuperándose dos militares": not in custody
    if event is None:
        near = k >= i - 3 or all(t in ADVERBS for t in tokens[k + 1:i])
        if near and (w in INHERIT or w.startswith(VERIFY)) and (
                w != "of" or (k > 0 and tokens[k - 1] == "out")):
            return "inherit"  # "Foro Penal ha verificado hasta ahora 94": the same event
        event = next((ev for ev, prefixes in BEFORE_PREFIX if w.startswith(prefixes)), None)
    if event is None or (k > 0 and tokens[k - 1] in ("un", "una")):
        return _SKIP  # "un muerto y cinco detenidos": a noun, not the verb of the five
    if event == "held" and w.startswith("mantien") and _kept_not_in_custody(tokens, i, k):
        return None  # "mantiene las (sanciones) de 14 funcionarios", "mantiene 4.000 efectivos en la región"
    if event == "held" and w.startswith(_CARRY) and any(t.startswith(AIRCRAFT + DEPORTATION) for t in tokens):
        return None  # "el avión trasladó a 178 venezolanos": passengers of a flight, not prisoners
    # "25 people killed and 2,400 detained": "killed" is the 25's; but "freed 12 and arrested 4":
    # a verb right after "and" and right before the number is the number's own
    if counted_before(tokens, k) and not (k == i - 1 and k > 0 and tokens[k - 1] in ("and", "y", "e")):
        return None
    if event == "arrested" and k > 0 and (tokens[k - 1] in KEEP or tokens[k - 1] in REMAIN_VERB):
        return "held"  # "Venezuela tiene detenidos a 80 extranjeros", "permanecen detenidos otros 49"
    if event == "arrested" and w.startswith(_JAIL) and any(t in COURT for t in tokens[max(0, k - 3):k]):
        return "held"  # "court jails 3 soldiers": a sentence, not an arrest
    if event == "released" and (demanded(tokens, k) or refused(tokens, k) or _bidden(tokens, k)):
        return "demanded"  # held, and it wins over a participle after the noun
    if event == "arrested" and demanded(tokens, k):
        return None  # "asks Caracas to arrest and hand over 4 gang leaders": not done
    return event


_SUBJUNCTIVE = frozenset({"libere", "liberen", "excarcele", "excarcelen", "suelte", "suelten"})


def _bidden(tokens: Sequence[str], k: int) -> bool:
    """A release bidden, not done: the Spanish subjunctive ("¡Liberen a los 40 presos!", "que
    Caracas libere a los 500") or an English imperative opening its clause ("Bishops: 'Release
    the 40 sick prisoners now'"; not "release of 116")."""
    w = tokens[k]
    return w in _SUBJUNCTIVE or (w in ("release", "free") and (k == 0 or tokens[k - 1] == ":")
                                 and tokens[k + 1:k + 2] != ["of"])


_KEPT_THINGS = frozenset({"sanciones", "medidas", "restricciones", "tropas", "buques"})


def _kept_not_in_custody(tokens: Sequence[str], i: int, k: int) -> bool:
    """What "mantiene" keeps before the number is not people in custody: things kept on them
    ("mantiene las de 14 funcionarios", "mantiene sanciones a 14"), forces kept deployed
    ("mantiene 4.000 efectivos en la región")."""
    if tokens[max(0, i - 2):i] in (["las", "de"], ["los", "de"]) or any(t in _KEPT_THINGS for t in tokens[k + 1:i]):
        return True
    return any(tokens[m] in ("en", "in") and any(t in NOT_CUSTODY_PLACE for t in tokens[m + 1:m + 4])
               for m in range(i + 1, min(len(tokens), i + 5)))


_RECAPTURE = frozenset({"recaptura", "recapturan", "recapturaron", "recapturo", "recapture", "recaptures",
                        "recaptured", "rearrest", "rearrests", "rearrested", "reaprehension"})
_ARREST_FORMS = frozenset({"arrest", "arrests", "arrested", "arresting"})  # "re-arrests", split at "-"


def recaptured(toks: Sequence[str], i: int) -> bool:
    """A re-arrest just before the number: "la recaptura de tres excarcelados", "police
    re-arrest 4 freed activists" are arrests of people once released."""
    return any(t in _RECAPTURE for t in toks[max(0, i - 4):i]) or any(
        toks[k] == "re" and toks[k + 1] in _ARREST_FORMS for k in range(max(0, i - 5), i - 1))


_RETURN_STEMS = ("regres", "retorn", "vuelv", "volvi", "return", "back")
_INSIDE = ("celda", "carcel", "prision", "penal", "calabozo", "custod", "prison", "jail", "cell")


def returned_home(toks: Sequence[str], i: int) -> str | None:
    """"Regresan a EEUU cinco ciudadanos detenidos en Venezuela": people once detained who
    return are released (not deportees: "regresan 200 venezolanos deportados", flights)."""
    before = toks[max(0, i - 5):i]
    if any(t.startswith(_RETURN_STEMS) for t in before) and not any(
            t.startswith(AIRCRAFT + DEPORTATION) for t in toks) and not any(t.startswith(_INSIDE) for t in before):
        return "released"  # not "regresan a sus celdas 12 presos", "back in custody: 4 activists"
    return None


def released_across_colon(toks: Sequence[str], i: int) -> str | None:
    """"Excarcelan a 'Los de Tocorón': 21 jóvenes detenidos en agosto de 2024": a number that
    opens the clause after a colon names the released object of the verb before it; the
    participle after its noun only tells their past."""
    c = i - 1
    while c > 0 and (toks[c] in QUALIFIER or toks[c] in ARTICLES or toks[c] in ("los", "las")):
        c -= 1
    if c < 1 or toks[c] != ":":
        return None
    return "released" if before_event(toks, c) == "released" else None


def remains_later(toks: Sequence[str], unit: int) -> bool:
    """A verb of remaining within 11 words after the noun at `unit`, with no other people noun
    between ("20 detenidos tras las protestas por agua y luz siguen incomunicados"; not "20
    detenidos ..., mientras los presos políticos siguen en huelga")."""
    for m in range(unit + 1, min(len(toks), unit + 12)):
        if toks[m] in REMAIN_VERB:
            return True
        if toks[m] in PEOPLE or toks[m] in PRISONER or toks[m] in DETAINEE or toks[m][:1].isdigit():
            return False
    return False
