"""Learning watched people from items: the names an item the rules matched as
political_prisoners gives as arrested, released, detained or dead (docs/MATCHING.md,
"Watched people")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.people import PARTICLES, clean_name, person_key
from core.text import fold
from monitor.match.people.seed import never_names

if TYPE_CHECKING:
    from core.rules import EntitySpec

TOPIC = "political_prisoners"
RULE_ROLES = frozenset({"any", "all", "near"})
MIN_WORDS, MAX_WORDS = 2, 4
# names one item may teach, the title's first: one summary listing names after "Excarcelan a"
# taught 439, each watched (and making items relevant) until an operator's /unwatch
MAX_PER_ITEM = 20


# -- names -----------------------------------------------------------------------------

def matched_by_rules(classification: Any, topic: str = TOPIC) -> bool:
    """True when `topic` matched through its rules (not a watched name or a learned model).

    Learning only from rule matches keeps a name from teaching itself more names."""
    if topic not in getattr(classification, "topics", ()):
        return False
    decided = getattr(classification, "decided_by", None)
    if decided and topic in decided:
        return decided[topic] == "rules"
    explain = getattr(classification, "explain", {}) or {}
    return any(e.get("role") in RULE_ROLES for e in explain.get(topic, ()))

# -- learning --------------------------------------------------------------------------

def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|[^\w\s]", re.UNICODE)

# Words that may stand between the event and the name: articles, roles, nationalities.
_SKIP = _wordset("""
a al el la los las un una unos unas de del y e o su sus the a an of
periodista periodistas reportero reportera fotografo fotografa camarografo comunicador
comunicadora locutor locutora activista activistas dirigente dirigentes lider lideres
lideresa sindicalista sindical defensor defensora defensores derechos humanos humano
abogado abogada abogados diputado diputada exdiputado exdiputada concejal exconcejal
concejala exconcejala alcalde alcaldesa exalcalde gobernador exgobernador candidato
candidata excandidato excandidata ex presidente presidenta expresidente coordinador
coordinadora juvenil nacional regional estadal municipal social politico politica
opositor opositora opositores militante militantes miembro miembros integrante
coronel teniente capitan sargento general mayor comisario cabo militar militares
policia policias funcionario funcionaria exfuncionario estudiante estudiantes
universitario universitaria medico medica enfermera enfermero profesor profesora docente
ingeniero ingeniera economista empresario empresaria comerciante productor pastor
sacerdote padre preso presa presos presas expreso expresa prisionero prisionera
rehen joven jovenes senor senora don dona dr dra lic ing gendarme piloto chofer
venezolano venezolana venezolanos espanol espanola italiano italiana argentino argentina
colombiano colombiana estadounidense aleman alemana frances francesa portugues portuguesa
peruano peruana chileno chilena ecuatoriano ecuatoriana mexicano mexicana cubano cubana
ucraniano ucraniana checo checa israeli britanico britanica canadiense
hispano venezolano-espanol venezolano-espanola argentino-israeli italo-venezolano
vp pj ad unt pud mud vente copei mpj
opposition leader activist journalist reporter lawyer former political prisoner
dissident union soldier student american venezuelan spanish italian colombian
americans venezuelans spaniards italians colombians aid worker workers
""")

# Words that end a name in capitals or Title Case headlines (where case says nothing).
_STOP = _wordset("""
en con sin por para tras desde hasta segun sobre ante bajo entre hacia contra que quien
cuando donde como este esta estos estas ese esa hoy ayer anoche manana luego despues
antes tambien ya aun mas otro otra otros otras todos todas varios varias cual cuales
fue es son era sera ha han habia sido esta estan sale salio queda quedo se le les lo
no si al del y e o u pero mientras tras durante
in on at for with after from by to and or as is was were has have had his her their
including near amid over under into before than who that which while about says tells urges
released releases freed frees held detained detains arrested arrests jailed jails prisoner
prisoners dies died
""")

# The event right before the name (folded, as word sequences).
_BEFORE = [tuple(p.split()) for p in """
excarcelan|excarcelaron|excarcela|excarcelo|excarcelado|excarcelada|excarcelados|excarceladas
excarcelacion de|excarcelaciones de|excarcelacion del|excarcelar a
liberan|liberaron|libera|libero|liberado|liberada|liberados|liberadas|liberar a|liberen a
liberacion de|liberacion del|liberaciones de|libertad de|libertad del|libertad plena de
libertad plena para|libertad para|libertad plena a|excarcelacion a
sueltan|soltaron|detienen|detuvieron|detuvo|detenido|detenida|arrestan|arrestaron|arresto
arrestado|arrestada|capturan|capturaron|apresan|apresaron|aprehenden|aprehendieron
secuestran|secuestraron|desaparecen
detencion de|detencion del|arresto de|arresto del|aprehension de|captura de|captura del
desaparicion de|desaparicion forzada de|desaparicion del|secuestro de|secuestro del
muerte de|muerte del|fallecimiento de|fallecimiento del
preso politico|presa politica|presos politicos|presas politicas|expreso politico
expresa politica|preso de conciencia|presa de conciencia
frees|freed|releases|released|release of|releasing|detains|detained|detention of
arrests|arrested|arrest of|jails|jailed|political prisoner|political prisoners
""".replace("\n", "|").split("|") if p.strip()]

# The event right after the name.
_AFTER = [tuple(p.split()) for p in """
fue excarcelado|fue excarcelada|fue liberado|fue liberada|fue detenido|fue detenida
fue arrestado|fue arrestada|fue capturado|fue capturada|fue aprehendido|fue aprehendida
fue secuestrado|fue secuestrada|fueron excarcelados|fueron liberados|fueron detenidos
es excarcelado|es excarcelada|es liberado|es liberada|es detenido|es detenida
ha sido excarcelado|ha sido excarcelada|ha sido liberado|ha sido liberada
ha sido detenido|ha sido detenida|habria sido detenido|habria sido detenida
excarcelado|excarcelada|liberado|liberada|sale en libertad|salio en libertad
sale de prision|salio de prision|queda en libertad|quedo en libertad|en libertad
recupera su libertad|recupero su libertad|recupera la libertad|recupero la libertad
muere bajo custodia|murio bajo custodia|fallece bajo custodia|fallecio bajo custodia
muere en prision|murio en prision|fallece en prision|fallecio en prision
entre los excarcelados|entre las excarceladas|entre los liberados|entre las liberadas
entre primeras excarcelaciones|entre las primeras excarcelaciones|entre los primeros excarcelados
entre los primeros liberados
preso politico|presa politica|el preso politico|la presa politica|expreso politico
expresa politica|un preso politico|una presa politica|una de las presas politicas
uno de los presos politicos|political prisoner|a political prisoner
is freed|was freed|is released|was released|was detained|was arrested|freed|released
""".replace("\n", "|").split("|") if p.strip()]

# The first words of the events after the name that are verbs: a name then stands before them
# without a comma.
_VERBS = _wordset("""
fue fueron es ha habria sale salio queda quedo recupera recupero muere murio fallece fallecio
is was
""")

_BEFORE_SET = {p for p in _BEFORE}
_AFTER_SET = {p for p in _AFTER}
_MAX_BEFORE = max(len(p) for p in _BEFORE)
_MAX_AFTER = max(len(p) for p in _AFTER)
_MAX_SKIP = 8
_LIST_SEP = {",", "y", "e", "and", "&"}


@dataclass(frozen=True)
class _Tok:
    text: str  # as written
    key: str  # folded
    word: bool


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        out.append(_Tok(raw, fold(raw), raw[0].isalpha()))
    return out


def _case_mode(toks: list[_Tok]) -> str:
    """'sentence' (case tells names apart), 'caps' or 'title' (it does not)."""
    ws = [t.text for t in toks if t.word and len(t.text) > 1]
    if not ws:
        return "sentence"
    upper = sum(1 for w in ws if w.isupper())
    if upper >= 0.6 * len(ws):
        return "caps"
    capital = sum(1 for w in ws if w[0].isupper())
    return "title" if capital > 0.6 * len(ws) and len(ws) >= 4 else "sentence"


# Endings of participles, plurals and verbs that a name in capitals does not have
# ("EUROPEOS DETENIDOS", "EXCARCELACIONES DEBEN CONVERTIRSE").
_NOT_NAME_ENDINGS = ("ados", "idos", "adas", "idas", "ciones", "cion", "rse", "mente", "aron",
                     "ieron", "eos", "ismo", "ista", "istas")
_EVENT_STEMS = ("excarcel", "liberad", "liberac", "libertad", "detenid", "detenc", "arrest",
                "captur", "secuestr", "encarcel", "politic")


# Relatives and counsel: "Hijo de X entre los excarcelados" frees the son, not X.
_RELATIVES = _wordset("""
hijo hija hijos hijas madre padre padres esposa esposo esposas hermano hermana hermanos
hermanas abuelo abuela nieto nieta tio tia primo prima yerno nuera suegro suegra sobrino
sobrina familiar familiares abogado abogada abogados defensa novia novio pareja viuda
son daughter mother father wife husband brother sister lawyer family relatives
""")


def _name_like(tok: _Tok, mode: str) -> bool:
    if (not tok.word or len(tok.text) < 2 or tok.key in _STOP or tok.key in _RELATIVES
            or tok.key.startswith(_EVENT_STEMS)):
        return False
    if mode != "sentence" and tok.key.endswith(_NOT_NAME_ENDINGS):
        return False
    if mode == "sentence":
        return tok.text[0].isupper() and not (tok.text.isupper() and len(tok.text) <= 4)
    if mode == "title" and not tok.text[0].isupper():
        return False
    return tok.key not in _SKIP


def _skippable(tok: _Tok, mode: str) -> bool:
    if not tok.word:
        return False
    if tok.key in _SKIP:
        return True
    return mode == "sentence" and tok.text[0].islower() and tok.key not in _STOP


_NAME_PARTICLES = tuple(sorted(PARTICLES - {"y", "van", "von"}))  # inside a Spanish name


def _run_forward(toks: list[_Tok], i: int, mode: str) -> tuple[list[int], int]:
    """Indices of the name-words of a name starting at `i` (particles inside), and the end."""
    idx: list[int] = []
    j = i
    while j < len(toks):
        t = toks[j]
        if _name_like(t, mode):
            idx.append(j)
            j += 1
            continue
        # a particle inside a name ("Rocío de la Cruz") when a name-word follows
        if idx and t.key in _NAME_PARTICLES:
            k = j
            while k < len(toks) and toks[k].key in _NAME_PARTICLES:
                k += 1
            if k < len(toks) and _name_like(toks[k], mode) and mode == "sentence":
                j = k
                continue
        break
    return idx, j


def _run_backward(toks: list[_Tok], end: int, mode: str) -> list[int]:
    """Name-word indices of the name ending just before `end`."""
    idx: list[int] = []
    j = end - 1
    while j >= 0:
        t = toks[j]
        if _name_like(t, mode):
            idx.append(j)
            j -= 1
            continue
        # particles inside a name ("María de los Ángeles Parra") when a name-word precedes
        if idx and mode == "sentence" and t.key in _NAME_PARTICLES:
            k = j
            while k >= 0 and toks[k].key in _NAME_PARTICLES:
                k -= 1
            if k >= 0 and _name_like(toks[k], mode):
                j = k
                continue
        break
    idx.reverse()
    return idx


_ARTICLES = ("el", "la", "los", "las", "the")


def _after_de(keys: list[str]) -> bool:
    """Whether a name after the words `keys` follows "de", "de la", "de El", "del", "of": a
    relative's ("hijo de X"), an institution's ("reportera de El Pitazo X") or the tail of a
    longer name cut at its particles ("… DE LOS ÁNGELES X")."""
    k = len(keys) - 1
    while k >= 0 and keys[k] in _ARTICLES:
        k -= 1
    return k >= 0 and keys[k] in ("de", "del", "of")


def _span_text(toks: list[_Tok], idx: list[int]) -> str:
    return " ".join(t.text for t in toks[idx[0]: idx[-1] + 1])


class NameLearner:
    """Learns names from items the rules matched as political_prisoners.

    `entities`: the gazetteer; places, organisations and non-Venezuelan people are
    never learned (nor anything in people_never.txt)."""

    def __init__(self, entities: Iterable[EntitySpec] = ()) -> None:
        single, multi = never_names()
        self._never_words = set(single)
        self._never_phrases = set(multi)
        for e in entities:
            if e.type == "person" and e.region == "venezuela":
                continue
            for alias, _kind in e.all_aliases():
                key = person_key(alias)
                if not key:
                    continue
                (self._never_phrases if " " in key else self._never_words).add(key)

    def allowed(self, name: str) -> bool:
        key = person_key(name)
        parts = key.split()
        if not MIN_WORDS <= len([p for p in parts if p not in PARTICLES]) <= MAX_WORDS:
            return False
        if any(p in self._never_words or p in _SKIP and p not in PARTICLES for p in parts):
            return False
        padded = f" {key} "
        return not any(f" {phrase} " in padded for phrase in self._never_phrases)

    def learn(self, title: str, summary: str, classification: Any) -> list[str]:
        """Names taught by an item; [] unless the rules matched it as political_prisoners."""
        if not matched_by_rules(classification):
            return []
        out: dict[str, str] = {}
        for text in (title, summary):
            for name in self.names_in(text or ""):
                out.setdefault(person_key(name), name)
        return list(out.values())[:MAX_PER_ITEM]

    def names_in(self, text: str) -> list[str]:
        """Candidate names next to an arrest/release/detention/death phrase in `text`."""
        toks = _tokens(text)
        if not toks:
            return []
        mode = _case_mode(toks)
        keys = [t.key for t in toks]
        found: list[str] = []
        for i in range(len(toks)):
            for n in range(min(_MAX_BEFORE, len(toks) - i), 0, -1):
                if tuple(keys[i: i + n]) in _BEFORE_SET:
                    found += self._after_trigger(toks, i + n, mode)
                    break
            for n in range(min(_MAX_AFTER, len(toks) - i), 0, -1):
                if tuple(keys[i: i + n]) in _AFTER_SET:
                    found += self._before_trigger(toks, i, mode, keys[i] not in _VERBS)
                    break
        out: list[str] = []
        for name in found:
            cleaned = clean_name(name)
            if self.allowed(cleaned) and cleaned not in out:
                out.append(cleaned)
        return out

    def _after_trigger(self, toks: list[_Tok], j: int, mode: str) -> list[str]:
        skipped: list[_Tok] = []
        while j < len(toks) and len(skipped) < _MAX_SKIP and _skippable(toks[j], mode):
            if _name_like(toks[j], mode) and mode == "sentence":
                break
            skipped.append(toks[j])
            j += 1
        if _after_de([t.key for t in skipped]):
            # "la presidenta del Colegio ...", "reportera de El Pitazo X": a name after "de",
            # "de la" or "de El" is an institution's, not the person's
            return []
        names: list[str] = []
        while j < len(toks):
            idx, end = _run_forward(toks, j, mode)
            if not idx:
                break
            if len(idx) > MAX_WORDS + 2:
                return names  # a run of capitals too long to be one name
            names.append(_span_text(toks, idx))
            j = end
            if j < len(toks) and toks[j].key in _LIST_SEP:  # "X, Y y Z"
                j += 1
                if j < len(toks) and toks[j].key in ("a", "al"):
                    j += 1
                continue
            break
        return names

    def _before_trigger(self, toks: list[_Tok], i: int, mode: str, comma: bool) -> list[str]:
        """`comma`: the event may follow the name after a comma ("X, preso político"); not a
        verb ("Según X, fueron excarcelados": X is who said it)."""
        end = i
        if comma and end > 0 and toks[end - 1].text == ",":
            end -= 1
        names: list[str] = []
        while end > 0:
            idx = _run_backward(toks, end, mode)
            if not idx:
                break
            while idx and toks[idx[0]].key in _STOP:
                idx = idx[1:]
            if not idx:
                break
            start = idx[0]
            # a name after "hijo de", "esposa de", "abogada de": the relative, not the person
            if _after_de([t.key for t in toks[max(0, start - 4):start]]):
                break
            names.append(_span_text(toks, idx))
            end = start
            if end > 0 and toks[end - 1].key in _LIST_SEP:
                end -= 1
                continue
            break
        return names


_DEFAULT_LEARNER: NameLearner | None = None


def learn_names(title: str, summary: str, classification: Any, learner: NameLearner | None = None) -> list[str]:
    """Names the item teaches (see `NameLearner.learn`); the default learner knows only
    people_never.txt, the service's also knows the gazetteer."""
    global _DEFAULT_LEARNER
    if learner is None:
        if _DEFAULT_LEARNER is None:
            _DEFAULT_LEARNER = NameLearner()
        learner = _DEFAULT_LEARNER
    return learner.learn(title, summary, classification)
