"""Release waves: the headlines that tell one running wave of prisoner releases.

From 8 January 2026 the government released political prisoners in waves that
outlets told for days through announcements, lists of names and running tallies
("anunció la liberación de un número importante", "Reportan excarcelaciones de A, B
y C", "Ascienden a ocho", "Foro Penal suma 15"). Readers keep such a wave as ONE
story; their words differ too much for text similarity. A headline is a *wave item*
when the release itself is its event:

- it is about political prisoners and names a release (the `liber` class of
  alerts/stories/data/concepts.json) that is not context: not after "tras",
  "ante", "sobre", "por"… ("X lamenta… tras las excarcelaciones" is a reaction);
- it speaks of several people: plural prisoners or releases, or a list of names
  ("A, B y C");
- and it tells the wave: tally or verification wording ("suma", "se eleva",
  "contabilizan", "verificó"), or an announcement ("anunció", "comenzó") that names
  nobody freed; or, when it names nobody and speaks of prisoners or excarcelaciones
  (not "cuatro colombianos", a group told apart), a released figure, "otros"/"más",
  or a list ("Estos serían…"), or that they go on ("Avanza la excarcelación de presos
  políticos"); a released count of 3 or more is about political prisoners whatever it
  calls them ("Reportan excarcelación de 16 detenidos en Tocorón").
  Named people released ("Liberan a A y B") are their own story unless the
  headline tells the tally ("Contabilizan 11: excarcelan a A y B") or opens with
  the count of political prisoners freed before any name ("Solo nueve presos
  políticos excarcelados…: A, B…"), or lists them as the first releases ("A, B, C y D
  entre primeras excarcelaciones");
- and it is none of: an explainer or profile, a reaction or demand ("pide",
  "exige", "lamenta", "califica"…) but one made after the tally it states ("Oenegé
  registra 294 excarcelaciones y exige…"), a quote opened by a person's name ("X: …"),
  relatives waiting or holding vigils (their own ongoing story), a negation
  ("no confirman liberación"), a group told apart (citizens of a country,
  journalists, foreigners: "cuatro colombianos", and "presos políticos extranjeros",
  political prisoners of one group, too).

Each wording has an English side (`_ENGLISH`: "Foro Penal verifies 88 more releases of political
prisoners", "Releases of political prisoners continue"), used for an English headline.

The matcher (alerts/stories/match.py) puts a wave item in the story of the current
wave, the recent story with the most wave items, whatever its wording, unless the
topics differ. Releases of one person told on their own stay apart (they name
one person and no plural), as the readers' rules require.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from alerts.stories.text import STOPWORDS, Headline, fold, stem, us_as_one_word

_CONTEXT = frozenset(
    ["tras", "despues", "ante", "sobre", "por", "pese", "contra", "piden", "pide", "exige", "exigen", "urge", "rumores", "posibles", "posible"]
)
_REACTION = re.compile(
    r"\b(?:pide|piden|pidio|exig\w*|urge|urgen|insta\w*|reclam\w*|lament\w*|califica\w*|confia\w*|"
    r"llam[oa]\w*|critic\w*|denunci\w*|celebr\w*|rechaz\w*|advier\w*|advirt\w*|aplaud\w*|"
    r"conden\w*|cuestion\w*|opin\w*|agradec\w*|dijo|dice|afirm\w*|asegur\w*|complica\w*)\b"
)
_SAYS_PLAIN = re.compile(r"\b(?:dice|dijo|dicen|afirma\w*|asegur\w*|inform\w*|sostien\w*|precis\w*)\b")
_DEMAND = re.compile(
    r"\b(?:pide|piden|pidio|exig\w*|urge|insta\w*|reclam\w*|lament\w*|critic\w*|denunci\w*|rechaz\w*|"
    r"conden\w*|cuestion\w*|niega|niegan|nego|desmient\w*)\b"
)
_ANNOUNCE = re.compile(r"\b(?:anunci\w*|comenz\w*|comienz\w*|inici\w*|empez\w*|empiez\w*|arranc\w*)\b")
_LIST = re.compile(
    r"\b(?:estos serian|estos son|estas son|la lista|lista de|entre (?:las |los )?primer[oa]s|"
    r"primeras excarcelaciones|primeros excarcelados)\b"
)
_MORE = re.compile(r"\b(?:otros|otras|mas|nuevas|nuevos)\b")
_PLURAL = re.compile(
    r"\b(?:pres[oa]s|excarcelaciones|liberaciones|excarcelad[oa]s|liberad[oa]s|detenid[oa]s|"
    r"prisioneros|reos)\b"
)
_CAP = r"[A-ZÁÉÍÓÚÑ][\w'’\-]+(?:\s+(?:de |del |la )?[A-ZÁÉÍÓÚÑ][\w'’\-]+)*"
_NAME_LIST = re.compile(rf"{_CAP}(?:\s*,\s*|\s*…\s*|\s+y\s+|\s+e\s+|\s+and\s+){_CAP}")
_NEGATION = re.compile(r"\b(?:no|ni|sin)\b")
_OPENING_QUOTE = re.compile(r"^\s*([^:\"“”«»]{3,60}):")
_TALLY = re.compile(
    r"\b(?:suma|suman|sumo|asciende\w*|se eleva\w*|elev[oa] a|cifra|contabiliz\w*|totaliz\w*|ya son|"
    r"balance|verific\w*|registr\w*)\b"
)
# the releases going on, told as such ("Avanza la excarcelación de presos políticos", "Continúan
# las liberaciones"): the wave's course, not one release
_GOES_ON = re.compile(
    r"\b(?:avanza|avanzan|continua|continuan|prosigue|prosiguen|siguen) (?:la |las )?"
    r"(?:excarcelacion|excarcelaciones|liberacion|liberaciones)\b"
)
_POLITICAL = re.compile(r"\b(?:pres[oa]s politic[oa]s|excarcelaciones|excarcelados|presos)\b")
WAITING_CLASSES = frozenset({"famili", "vigil"})
# a group released for what it is, not as political prisoners of the wave: a country's
# citizens, journalists, soldiers ("tres ciudadanos alemanes", "un grupo de periodistas")
_GROUP_APART = re.compile(
    r"\b(?:ciudadan[oa]s|nacionales|connacionales|compatriotas|extranjer[oa]s|periodistas|militares|"
    r"colombian[oa]s|espanol[ea]s|italian[oa]s|argentin[oa]s|aleman[ea]s|estadounidenses|american[oa]s|"
    r"peruan[oa]s|chilen[oa]s|ecuatorian[oa]s|portugues[ea]s|frances[ea]s|britanic[oa]s|uruguay[oa]s)\b"
)
_DETAINEES_COUNTED = re.compile(r"\b\d+ (?:detenid[oa]s|personas|reos|prisioneros)\b")
_POLITICAL_PRISONERS = re.compile(r"\bpres[oa]s politic[oa]s\b")
# political prisoners of one group ("presos políticos extranjeros", "presos políticos colombianos")
_QUALIFIED = re.compile(r"\bpres[oa]s politic[oa]s " + _GROUP_APART.pattern.removeprefix(r"\b"))


@dataclass(frozen=True)
class _Tongue:
    """The wordings above in one language: a wave told in English ("Foro Penal verifies 80 more
    releases of political prisoners") is read by its own words, as the Spanish one is."""

    context: frozenset[str]
    reaction: re.Pattern[str]
    says_plain: re.Pattern[str]
    demand: re.Pattern[str]
    announce: re.Pattern[str]
    listed: re.Pattern[str]
    more: re.Pattern[str]
    plural: re.Pattern[str]
    negation: re.Pattern[str]
    tally: re.Pattern[str]
    goes_on: re.Pattern[str]
    political: re.Pattern[str]
    group_apart: re.Pattern[str]
    detainees_counted: re.Pattern[str]
    political_prisoners: re.Pattern[str]
    qualified: re.Pattern[str]


_SPANISH = _Tongue(
    context=_CONTEXT, reaction=_REACTION, says_plain=_SAYS_PLAIN, demand=_DEMAND, announce=_ANNOUNCE,
    listed=_LIST, more=_MORE, plural=_PLURAL, negation=_NEGATION, tally=_TALLY, goes_on=_GOES_ON,
    political=_POLITICAL, group_apart=_GROUP_APART, detainees_counted=_DETAINEES_COUNTED,
    political_prisoners=_POLITICAL_PRISONERS, qualified=_QUALIFIED,
)
_EN_GROUPS = (
    r"citizens|nationals|foreigners|foreign nationals|journalists|reporters|soldiers|military officers|"
    r"americans|colombians|spaniards|italians|argentines|germans|peruvians|chileans|ecuadorians|"
    r"portuguese|french|british|uruguayans|ukrainians|cubans"
)
_EN_ADJECTIVES = (
    r"foreign|colombian|american|us|spanish|italian|argentine|german|peruvian|chilean|ecuadorian|"
    r"portuguese|french|british|uruguayan|ukrainian|cuban"
)
_ENGLISH = _Tongue(
    context=frozenset(["after", "amid", "over", "about", "for", "despite", "against", "demand", "demands",
                       "call", "calls", "urge", "urges", "seek", "seeks", "awaiting", "await", "rumours",
                       "rumors", "possible"]),
    reaction=re.compile(
        r"\b(?:calls?|calling|urges?|urging|demands?|demanding|asks?|asking|welcom\w*|condemn\w*|criticiz\w*|criticis\w*|praises?|"
        r"denounc\w*|rejects?|warns?|says|said|claims?|slams?|hails?|questions?|celebrat\w*)\b"
    ),
    says_plain=re.compile(r"\b(?:says|said|reports?|reported|claims?)\b"),
    demand=re.compile(
        r"\b(?:calls? for|calling for|urges?|urging|demands?|demanding|asks?|asking|condemn\w*|criticiz\w*|criticis\w*|denounc\w*|rejects?|"
        r"denies|deny|denied|disputes?|disputed)\b"
    ),
    announce=re.compile(r"\b(?:announc\w*|begins?|began|starts?|started|launch\w*)\b"),
    listed=re.compile(r"\b(?:list of|these are|among the first|first releases|first freed|first to be freed)\b"),
    more=re.compile(r"\b(?:more|another|new|further|latest|other)\b"),
    plural=re.compile(r"\b(?:prisoners|detainees|releases|inmates|people)\b"),
    negation=re.compile(r"\b(?:no|not|nor|without|never)\b"),
    tally=re.compile(
        r"\b(?:tally|total\w*|counts?|counted|verif\w*|confirm\w*|rises? to|rose to|risen to|climbs? to|"
        r"reach\w*|so far)\b"
    ),
    goes_on=re.compile(
        r"\b(?:releases? (?:of (?:political )?(?:prisoners|detainees) )?continues?|"
        r"continu\w* (?:to )?(?:release|free)\w*|releases? go(?:es)? on)\b"
    ),
    political=re.compile(r"\b(?:political prisoners|political detainees|prisoners|detainees|releases)\b"),
    # "five Colombians", and "a dozen Colombian prisoners" (English puts the group before the noun)
    group_apart=re.compile(rf"\b(?:{_EN_GROUPS}|(?:{_EN_ADJECTIVES}) (?:prisoners|detainees))\b"),
    detainees_counted=re.compile(r"\b\d+ (?:detainees|people|inmates|prisoners)\b"),
    political_prisoners=re.compile(r"\bpolitical prisoners\b"),
    qualified=re.compile(rf"\b(?:{_EN_ADJECTIVES}) political prisoners\b"),
)


def _tongue(lang: str) -> _Tongue:
    return _ENGLISH if (lang or "").lower().startswith("en") else _SPANISH


def reacts(headline: Headline) -> bool:
    """Whether the headline is a reaction, demand or statement ("X exige…", "X lamenta…",
    "X dijo…"): what someone says of a release, not the release."""
    return bool(_REACTION.search(fold(headline.text)))


def _negated(words: list[str], lang: str, t: _Tongue) -> bool:
    """A release word denied ("no confirman liberación", "sin excarcelaciones"): a negation
    within the four words before it. A negation elsewhere ("…: 'el proceso no ha
    terminado'") says nothing of the release. `words`: the folded headline's words."""
    for k, word in enumerate(words):
        if word not in STOPWORDS and stem(word, lang) == "liber" and t.negation.search(" ".join(words[max(0, k - 4):k])):
            return True
    return False


def _release_is_event(words: list[str], lang: str, t: _Tongue) -> bool:
    """A release word not preceded (within three words) by a word that makes it context."""
    for k, word in enumerate(words):
        if word not in STOPWORDS and stem(word, lang) == "liber" and not t.context & set(words[max(0, k - 3):k]):
            return True
    return False


def wave_reason(
    headline: Headline, *, lang: str, topics: Iterable[str], figures: Iterable[tuple[str, int]],
    explainer: bool,
) -> str | None:
    """Why the headline tells a release wave ("tally", "announcement", "list", "going on"),
    or None when it does not; an English headline (`lang` "en") is read by the English side of
    each wording (`_ENGLISH`)."""
    if "political_prisoners" not in set(topics) or explainer or "liber" not in headline.terms:
        return None
    folded = fold(headline.text)
    words = headline.key.split()  # the folded headline's words
    classes = set(headline.terms)
    t = _tongue(lang)
    if "liber" not in classes or classes & WAITING_CLASSES or _negated(words, lang, t):
        return None
    said = t.says_plain.search(folded)
    reaction = t.reaction.search(folded, 0, said.start()) if said else None
    if said and not reaction and t.political.search(folded) and any(e == "released" and n >= 3 for e, n in figures) \
            and not t.demand.search(folded) and not _names_after(headline, said.end()) and not _apart(folded, t):
        # "Delcy Rodríguez dice que han liberado 406 presos políticos": the count, told by someone
        # (not "Rubio welcomes release of 116 prisoners, says…": a reaction, then what is said)
        return "tally"
    if not _releases_of_many(headline, folded, words, lang, figures, t):
        return None
    return _wave_kind(headline, folded, figures, t)


def _releases_of_many(
    headline: Headline, folded: str, words: list[str], lang: str, figures: Iterable[tuple[str, int]], t: _Tongue,
) -> bool:
    """Whether the headline tells releases (an event, not their context) of several people,
    or of people it names in a list: not a reaction (but one after the tally it states), nor
    what one person says, nor a group told apart."""
    reaction = t.reaction.search(folded)
    if reaction and not _tallied_before(folded[:reaction.start()], figures, t):
        return False
    opening = _OPENING_QUOTE.match(headline.text)
    if opening and any(p & set(fold(opening.group(1)).split()) for p in headline.people):
        return False  # "Luis Carlos Díaz: …" is what one person says
    if not _release_is_event(words, lang, t):
        return False
    if not (t.plural.search(folded) or (headline.people and _NAME_LIST.search(headline.text))):
        return False
    return not _apart(folded, t)


def _apart(folded: str, t: _Tongue) -> bool:
    """A group told apart: "Alemania anunció la liberación de tres ciudadanos", "five Colombians"
    (unless they are political prisoners, of no one group)."""
    return bool(t.group_apart.search(folded)) and (
        not t.political_prisoners.search(folded) or bool(t.qualified.search(folded)))


def _tallied_before(head: str, figures: Iterable[tuple[str, int]], t: _Tongue) -> bool:
    """Whether `head` (the folded headline before a reaction's word) states a tally of releases
    of 3 or more: "Oenegé registra 294 excarcelaciones y exige que…" tells the tally first."""
    return bool(t.tally.search(head)) and any(
        e == "released" and n >= 3 and str(n) in head for e, n in figures)


def _wave_kind(headline: Headline, folded: str, figures: Iterable[tuple[str, int]], t: _Tongue) -> str | None:
    """Which kind of wave the releases of many tell: a tally, an announcement, a list of the
    people freed; None for named people, or a group that is not political prisoners."""
    if t.tally.search(folded):
        return "tally"
    announced = t.announce.search(folded)
    if announced and not _names_after(headline, announced.end()):
        return "announcement"  # "X anunció la liberación de…": X announces, nobody named is freed
    named = bool(headline.people)
    # a released count of several detainees is the wave's ("excarcelación de 16 detenidos"); a
    # group told apart ("siete oficiales detenidos", "cinco militares") is not
    political = bool(t.political.search(folded)) or (
        bool(t.detainees_counted.search(folded)) and any(e == "released" and n >= 3 for e, n in figures))
    if named and political and _counted_before_names(headline, figures, t):
        return "tally"  # "Solo nueve presos políticos excarcelados…: A, B…": the count, then who
    if named and political and t.listed.search(folded):
        return "list"
    if named or not political:
        return None  # named people, or a group told apart ("cuatro colombianos"): their own story
    if any(e == "released" for e, _ in figures) or t.more.search(folded):
        return "tally"
    if t.goes_on.search(folded):
        return "going on"
    if t.listed.search(folded):
        return "list"
    return None


_SAYS = re.compile(
    r"\b(?:pide|piden|pidio|exig\w*|urge|insta\w*|reclam\w*|lament\w*|califica\w*|confia\w*|critic\w*|"
    r"celebr\w*|rechaz\w*|advier\w*|advirt\w*|aplaud\w*|conden\w*|cuestion\w*|agradec\w*|"
    r"dijo|dice|dicen|afirm\w*|asegur\w*|elogi\w*|respond\w*|sostien\w*|considera\w*|cree|insist\w*|"
    r"reiter\w*|opin\w*|says|said|urges|calls)\b"
)
_WHO = re.compile(r"[^:;,.\"“”«»¿?¡!]{2,60}")  # the words before the verb, one clause


_QUOTE_FIRST = re.compile(r"^\s*[\"“«'‘][^\"”»'’]{2,120}[\"”»'’]\s*:\s*")  # '"Siguen esperando": X exige…'
# "Lo que dijo Diosdado Cabello sobre…", "Lo que reveló Estados Unidos sobre…": the speaker
# follows the verb, up to what is spoken of
WHAT_SAID = re.compile(
    r"^(?:[a-z]+ ?: )?lo que (?:dijo|aclaro|revelo|respondio|explico|declaro|contesto|advirtio|afirmo"
    r"|aseguro|detallo|anuncio) +(?!se )((?:[^\W\d_]+ +){1,4}?)(?:sobre|de|del|ante|a|al|en|tras|para|:)\b"
)


def speaker_of(headline: Headline) -> frozenset[str]:
    """Who speaks in a statement headline ("Trump dice…", "VTV dice…", "María Corina
    Machado: …"), as the folded words that name them; empty when it is not one. Two
    statements by different speakers are two stories, whatever they speak of."""
    opening = _OPENING_QUOTE.match(headline.text)
    who = opening.group(1) if opening and any(p & set(fold(opening.group(1)).split()) for p in headline.people) else None
    if who is not None and _SAYS.search(fold(who)):
        who = None  # "EE UU advierte a Diosdado Cabello: …": the words before the verb speak
    if who is None:
        text = _QUOTE_FIRST.sub("", us_as_one_word(fold(headline.text)))
        what = WHAT_SAID.match(text)
        said = None if what else _SAYS.search(text, 0, 70)
        who = what.group(1).strip() if what else text[:said.start()].strip() if said else ""
        if not who or len(who.split()) > 6 or not _WHO.fullmatch(who):
            return frozenset()
    words = re.findall(r"[^\W\d_]+", fold(who))
    return frozenset(w for w in words if len(w) > 2 and w not in STOPWORDS)


def _names_after(headline: Headline, folded_end: int) -> bool:
    """Whether a person is named after the position `folded_end` of the folded headline."""
    rest = set(fold(headline.text)[folded_end:].split())
    return any(p <= rest or p & rest for p in headline.people)


def _counted_before_names(headline: Headline, figures: Iterable[tuple[str, int]], t: _Tongue) -> bool:
    """A released count of several political prisoners told before any name: the headline
    is the wave's count, and the names after it are examples ("Solo nueve presos políticos
    excarcelados hasta la madrugada: A, B…"), not their own release."""
    if not any(e == "released" and n >= 3 for e, n in figures):
        return False
    head = fold(headline.text).split(":")[0]
    if not t.political.search(head):
        return False
    words = set(head.split())
    return not any(p & words for p in headline.people)
