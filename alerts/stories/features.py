"""What the story matcher compares: an item's features, and a story as the index keeps it.

`features` reads one headline (alerts/stories/text.py prepares its terms, names, event classes
and numbers) with what the classifier found (topics, entities, figures) into `ItemFeatures`;
a `StoryEntry` is a recent story's member items' features, with the unions the rules ask
for. alerts/stories/match.py scores one against the other; alerts/stories/conflicts.py holds the
rules that read only the two of them (conflicts, event frames).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from alerts.stories.text import Headline, fold, name_tokens, prepare, terms
from alerts.stories.wave import WHAT_SAID, reacts, speaker_of, wave_reason
from core.count import Count, as_counts

# a number the titles state alike ("9.000 pacientes", "500 millones de dólares") is the figure
# bonus too, from this size on (small numbers come back in every story)
NUMBER_MIN = 10
_NO_NUMBERS: frozenset[str] = frozenset()
GENERIC_PLACES = frozenset({
    "venezuela", "caracas", "estados unidos", "united states", "eeuu", "usa", "ee. uu.", "ee.uu.",
    "america latina", "latinoamerica", "caribe", "mar caribe",
})
# Profiles, explainers and analyses open with a question word; they are their own story.
_EXPLAINER = re.compile(
    r"[\s¿¡\"“«'‘(\[]*(?:quien|quienes|cual|cuales|cuanto|cuantos|cuantas|que|como|donde|por que|lo que|claves|"
    r"ella es|el es|asi es|asi fue|"
    r"cronologia|perfil|analisis|who|what|how|why|where|explainer|timeline)\b"
)
_UPDATE_CUES = re.compile(
    r"\b(?:ascend|asciende|ascienden|eleva|elevo|elevan|suma|suman|sumo|contabiliz\w*|ya son|"
    r"van|total|cifra|aumenta\w*|verif\w*|confirm\w*|rises?|climbs?|toll|reaches|now|otros?|"
    r"otras?|(?<!\bel )(?<!\bla )(?<!\blos )(?<!\blas )mas(?!\s+de\b))\b"
)  # "más excarcelaciones" adds to a tally; "más de 600" qualifies a figure; "el más reciente ataque" is a superlative

# "another" seizure or strike: a new instance of a kind of event already told ("EE. UU. incauta
# otro petrolero", "otro ataque contra una lancha"), not the one told before it
_ANOTHER = re.compile(
    r"\b(?:otr[oa]s?|another|(?:nuev[oa]s?|segund[oa]|tercer[oa]?)\s+(?:ataque|bombardeo|incautacion|decomiso|"
    r"vuelo|lancha|narcolancha|embarcacion|petrolero|buque|tanquero)\w*|"
    r"(?:new|second|third|fourth)\s+(?:(?:oil|drug|deportation|military|air)\s+)?"
    r"(?:strike|attack|seizure|flight|boat|vessel|tanker|ship)s?)\b"
)  # "un nuevo ataque a una narcolancha", "el segundo vuelo de deportación de la semana", "a second oil tanker"
INSTANCE_EVENTS = frozenset({"incaut", "ataqu", "deport"})  # a flight of deportees is one too
_NO_SEAS: frozenset[str] = frozenset()
# the sea a strike or seizure is told in: one in the Caribbean and one in the Pacific are two
_SEAS = {"caribe": "caribbean", "caribbean": "caribbean", "pacifico": "pacific", "pacific": "pacific",
         "atlantico": "atlantic", "atlantic": "atlantic"}

# verbs of saying, reporting, confirming or denying: the headline tells what someone says of
# an event, not what the person named first does
_REPORTS = re.compile(
    r"\b(?:dice|dicen|dijo|afirm\w*|asegur\w*|inform\w*|confirm\w*|desmient\w*|desminti\w*|nieg\w*|"
    r"nego|anunci\w*|revel\w*|denunci\w*|pide|piden|pidio|exig\w*|advier\w*|advirti\w*|sostien\w*|"
    r"explic\w*|respond\w*|reiter\w*|declar\w*|critic\w*|lament\w*|celebr\w*|rechaz\w*|"
    r"says?|said|tells?|told|confirms?|denies|denied|announces?)\b"
)


# a release told as done, by a finite verb ("Excarcelan a X", "X fue liberado", "X sale en
# libertad") or as the event ("los presentes en la liberación de X"); not asked for ("exigen
# liberar a X": a reaction) nor the context of another event ("tras la excarcelación de X, …":
# no release among the events told)
_FREED = re.compile(
    r"\b(?:excarcelan|excarcelaron|excarcelo|liberan|liberaron|libero|"
    r"(?:fue|es|ha sido|fueron|son|han sido)\s+(?:excarcelad|liberad)[oa]s?|"
    r"(?:sale|salio|salen|salieron|queda|quedo|quedan|quedaron)\s+en\s+libertad|"
    r"recuper(?:a|o|an|aron)\s+(?:su|la)\s+libertad|"
    r"frees|freed|releases|released|walks? free|walked free|(?:excarcelacion|liberacion)\s+de)\b"
)
# a release named in any way: told, asked for, celebrated, or the background of something else
# ("levantan la huelga de hambre tras la excarcelación de dos", "excarcelados cinco de ellos")
_RELEASE_WORD = re.compile(
    r"\b(?:excarcel\w*|liberad[oa]s?|liberacion\w*|libera|liberan|liberaron|libero|liberar|libertad"
    r"|frees?|freed|freeing|releases?|released|releasing)\b"
)
# an arrest told as done ("Detienen a X", "X fue detenido", "Capturan a X")
_DETAINED = re.compile(
    r"\b(?:detienen|detuvieron|detuvo|arrestan|arrestaron|arresto|capturan|capturaron|capturo|"
    r"aprehenden|aprehendieron|aprehendio|"
    r"(?:fue|es|ha sido|fueron|son|han sido)\s+(?:detenid|arrestad|capturad|aprehendid)[oa]s?|"
    r"arrests|arrested|detains|detained)\b"
)
# a person named as someone's kin or aide ("yerno de Edmundo González", "el escolta de X"): not
# the one freed
_KIN = (
    r"yerno|nuera|suegr[oa]s?|hij[oa]s?|hijastr[oa]s?|espos[oa]s?|conyuge|viud[oa]|madre|padre|padres|mama|papa|"
    r"herman[oa]s?|familiares?|familia|abuel[oa]s?|abogad[oa]s?|defensor[a]?|sobrin[oa]s?|niet[oa]s?|novi[oa]|"
    r"pareja|prim[oa]s?|ti[oa]s?|cunad[oa]s?|escoltas?|guardaespaldas|asistentes?|secretari[oa]|chofer|"
    r"colaborador(?:a|es)?|asesor(?:a|es)?|"
    r"son-in-law|daughter-in-law|sons?|daughters?|wife|husband|mother|father|parents|brothers?|sisters?|"
    r"relatives?|family|nephew|niece|cousin|grandson|granddaughter|lawyers?|attorney|aides?|bodyguards?|"
    r"assistant|driver"
)
_RELATION = re.compile(rf"\b(?:{_KIN})\s+(?:de|del|of)\s+(?:\S+\s+){{0,3}}$")
# ... or after the name, in English: "Juan Pablo Guanipa's brother"
_RELATION_AFTER = re.compile(rf"^[\w ]{{0,40}}?['’]s\s+(?:\w+\s+)?(?:{_KIN})\b")
# whom a headline credits with the news ("…, anunció Jorge Rodríguez", "…, según X", "…, Marco Rubio
# says") is its source, not one freed: the clause the name is in opens or ends with the saying
_CREDITED = re.compile(
    r"^\s*(?:segun|anunci\w*|dijo|dice|afirm\w*|inform\w*|asegur\w*|confirm\w*|declar\w*|revel\w*|"
    r"says|said|according to|announced|confirmed)\b"
    r"|\b(?:dice|dijo|afirma|afirmo|asegura|aseguro|informa|informo|confirma|confirmo|anuncia|anuncio|"
    r"says|said|confirms|announces|announced|confirmed)\s*[.!]?$"
)
# an arrest told again ("Detienen nuevamente a X, quien fue liberado…", "X fue liberado y horas
# después detenido otra vez"): the headline tells the new arrest, not the release it names
REARREST = re.compile(
    r"\b(?:(?:detien\w*|detuv\w*|detenid[oa]s?|arrest\w*|aprehend\w*|captur\w*|se (?:lo |la )?llevaron)"
    r"(?:\s+\S+){0,2}?\s+(?:de nuevo|nuevamente|otra vez|again)"
    r"|(?:vuelv|volvi)\w* a (?:detener|arrestar|aprehender|capturar|llevarse)|recaptur\w*|re-?arrest\w*)\b"
)


@dataclass(frozen=True)
class ItemFeatures:
    """What the matcher compares of one item."""

    item_id: int
    outlet: str
    when: datetime
    headline: Headline
    tf: dict[str, int]
    name_terms: frozenset[str]  # terms that come from names
    entities: frozenset[str]  # folded names of people, orgs and specific places
    people: tuple[frozenset[str], ...]
    places: frozenset[str]
    figures: frozenset[tuple[str, int]]
    topics: frozenset[str]
    update_cue: bool
    generic: frozenset[str] = frozenset()  # the item's topic words, as terms
    explainer: bool = False
    wave: str | None = None  # why it tells a release wave (alerts/stories/wave.py), or None
    speaker: frozenset[str] = frozenset()  # who speaks, in a statement ("X exige…", "X: …")
    subject: frozenset[str] = frozenset()  # the person the headline opens with, who acts
    reacts: bool = False  # a reaction, demand or statement ("X exige…"): story_wave.reacts
    big_numbers: frozenset[str] = frozenset()  # the title's numbers of NUMBER_MIN or more
    another: bool = False  # tells another seizure or strike than those before it (_ANOTHER)
    seas: frozenset[str] = frozenset()  # the seas a strike or seizure is told in (_SEAS)
    freed: tuple[frozenset[str], ...] = ()  # the people the headline tells freed (_FREED)
    detained: tuple[frozenset[str], ...] = ()  # the people it tells arrested (_DETAINED)
    done: frozenset[str] = frozenset()  # "liber", "deten": the acts it tells as done, whoever it names
    released: bool = False  # a release told as done, of people named or counted ("Excarcelaron a dos militares")
    release_said: bool = False  # a release named at all: told, asked, celebrated or as background (_RELEASE_WORD)
    release_done: bool = False  # a release told as done (_FREED), whoever it names or none ("Excarcelaron a un grupo")
    law_put: str | None = None  # the law it tells announced or put forward (_law_put)
    # when it was placed (its classification time): orders a story's items of one time (a day of
    # feeds of dates only) as they came, in the live index and in one rebuilt from the database
    placed: datetime | None = None


    @property
    def informative(self) -> int:
        return len(set(self.tf) - self.name_terms)


def _at_least(digits: str, floor: int) -> bool:
    """`int(digits) >= floor` without reading thousands of digits: Python's int() refuses a
    string of over 4,300 (a title of a run of digits raised ValueError)."""
    significant = digits.lstrip("0")
    return len(significant) > len(str(floor)) or int(significant or "0") >= floor

def features(
    *, item_id: int, title: str, lang: str | None, outlet: str, when: datetime,
    topics: Iterable[str], entities: Iterable[dict[str, Any]], counts: Iterable[Count | dict[str, Any]],
    topic_words: Iterable[str] = (), placed: datetime | None = None,
) -> ItemFeatures:
    """`topic_words`: the rule terms that made the item relevant (they say what the beat
    is, not which event: every item of the topic shares them)."""
    ents = [e for e in entities or [] if e.get("name")]
    known_people = [str(e["name"]) for e in ents if e.get("type") == "person"]
    h = prepare(title, lang, known_people)
    # a part's figure ("180 militares" of the 687 held) is its own: no update of the whole's
    figures = frozenset((f"{c.event}:{c.part}" if c.part else c.event, c.number) for c in as_counts(counts))
    folded = fold(h.text)
    # "Lo que dijo Diosdado Cabello sobre…" is his statement, not an explainer
    explainer = bool(_EXPLAINER.match(folded)) and not WHAT_SAID.match(folded)
    aside = h.aside_words
    people = h.people
    if aside:  # who an aside names belongs to another event (story_text._ASIDE)
        said = frozenset(h.key.split())

        def in_aside(tokens: frozenset[str]) -> bool:
            return bool(tokens & said) and tokens & said <= aside

        ents = [e for e in ents if not in_aside(name_tokens(str(e["name"])))]
        people = tuple(p for p in people if not in_aside(p))
    name_terms = {t for w in [*(w for p in people for w in p), *h.laws] for t in word_terms(w, lang or "es")}
    places = frozenset(
        fold(str(e["name"])) for e in ents if e.get("type") == "place"
    ) - GENERIC_PLACES
    keys = frozenset(fold(str(e["name"])) for e in ents) - GENERIC_PLACES
    another = bool(h.events & INSTANCE_EVENTS) and bool(_ANOTHER.search(h.key))
    # "otro" of another strike or seizure is a new instance, not a tally's "otros" more released
    update_cue = bool(_UPDATE_CUES.search(_ANOTHER.sub(" ", h.key) if another else fold(h.text)))
    reacting = reacts(h)
    speaker = speaker_of(h)
    freed = _acted(_FREED, folded, people, reacting, speaker) if "liber" in h.events else None
    detained = _acted(_DETAINED, folded, people, reacting, speaker) if "deten" in h.events else None
    return ItemFeatures(
        item_id=item_id, outlet=outlet, when=when, headline=h, tf=dict(Counter(h.matched_terms)),
        name_terms=frozenset(name_terms), entities=keys, people=people, places=places,
        figures=figures, topics=frozenset(topics), update_cue=update_cue,
        generic=frozenset(t for w in topic_words for t in word_terms(w, lang or "es")),
        explainer=explainer,
        wave=wave_reason(h, lang=lang or "es", topics=topics, figures=figures, explainer=explainer),
        speaker=speaker, subject=_subject(h.key, people), reacts=reacting,
        big_numbers=frozenset(n for n in h.numbers if _at_least(n, NUMBER_MIN)) if h.numbers else _NO_NUMBERS,
        another=another,
        seas=frozenset(_SEAS[w] for w in h.key.split() if w in _SEAS) if h.events & INSTANCE_EVENTS else _NO_SEAS,
        freed=freed or (), detained=detained or (),
        release_done="liber" in h.events and bool(_FREED.search(folded)),
        placed=placed,
        done=frozenset(e for e, acted in (("liber", freed), ("deten", detained)) if acted is not None),
        law_put=_law_put(h, reacting) if "ley" in h.key else None,
        released="liber" in h.events and not reacting and bool(_FREED.search(folded)),
        release_said=bool(_RELEASE_WORD.search(folded)),
    )


def _acted(
    told: re.Pattern[str], folded: str, people: tuple[frozenset[str], ...], reacting: bool, speaker: frozenset[str]
) -> tuple[frozenset[str], ...] | None:
    """The people a headline tells freed (or arrested): those it names, but a speaker, a source
    the news is credited to, and anyone named as someone's kin or aide, when it tells the act
    as done (`told`) and reacts to nothing; None when it does not, or names no one (a title in
    capitals, whose names are not read). `reacting` and `speaker`: the headline's `reacts` and
    `speaker_of`."""
    if not people or not (act := told.search(folded)) or reacting or (told is _FREED and REARREST.search(folded)):
        return None  # (an arrest told again after the release is the event told)
    # "Excarcelaron a X: «…»" tells the release before the colon, then X's words: X is freed
    if act.start() < folded.find(":"):
        speaker = frozenset()
    out = []
    for p in people:
        at = min((m.start() for w in p if (m := re.search(rf"\b{re.escape(w)}\b", folded))), default=-1)
        if at < 0 or _RELATION.search(folded[:at]) or _RELATION_AFTER.search(folded[at:]) or (speaker and p & speaker):
            continue
        clause = folded[folded.rfind(",", 0, at) + 1:]
        if _CREDITED.search(clause[:clause.find(",")] if "," in clause else clause):
            continue
        out.append(p)
    return tuple(out)


_ANNOUNCED_LAW = re.compile(
    r"\b(?:anuncia|anunció|anuncian|anunciaron|anunciará|presenta|presentó|presentará|propone|propuso|"
    r"confirma|confirmó|prepara)\s+"
    # the law is what is put forward ("anunció una ley de…", "presenta el proyecto de Ley de…"), not a
    # law named further on ("presenta cargos bajo la ley contra el odio")
    r"(?:(?:una|un|la|el|su|nueva|nuevo|proyecto|reforma|de|del|a)\s+){0,4}ley\s+"
    # its name, past its kind ("Ley Orgánica de Hidrocarburos", "ley especial de amnistía")
    r"(?:(?:orgánica|especial|general|constitucional|marco|nacional)\s+)?"
    r"(?:(?:de|del|contra|sobre|para)\s+)?(?:(?:la|el|los|las)\s+)?([a-záéíóúñ]{4,})"
)


def _law_put(h: Headline, reacting: bool) -> str | None:
    """The law a headline tells announced or put forward ("Delcy Rodríguez anunció una ley de
    amnistía general", "Presidenta (e) confirma Ley de Amnistía…"), when it is no reaction
    to it (`reacting`: its `reacts`) and tells no stage of its passage."""
    if h.stage or reacting:
        return None
    m = _ANNOUNCED_LAW.search(h.text.lower())  # "anunció", not the noun "anuncio"
    return fold(m.group(1)) if m else None


def same_acted(ours: tuple[frozenset[str], ...], theirs: tuple[frozenset[str], ...]) -> frozenset[str] | None:
    """The person two headlines both tell freed (or arrested), when each side's such people
    are the other's, each name's words all in the other's, and one of them by two name words
    ("Excarcelaron a Rafael Tudares Bracho", "Rafael Tudares, yerno de Edmundo González, fue
    liberado"). Two names that each have a word the other lacks may be two people: siblings
    share both surnames ("Juan Carlos Pérez Rojas", "María Elena Pérez Rojas")."""
    if not ours or not theirs:
        return None
    if not all(any(_within(p, q) for q in theirs) for p in ours) or not all(
            any(_within(p, q) for p in ours) for q in theirs):
        return None
    return next((p & q for p in ours for q in theirs if len(p & q) >= 2 and _within(p, q)), None)


def _within(p: frozenset[str], q: frozenset[str]) -> bool:
    return p <= q or q <= p


@lru_cache(maxsize=8192)
def word_terms(word: str, lang: str) -> tuple[str, ...]:
    """The terms of a name's word or of a rule term ("ataque~", "venezuel*"): the same few
    words come back with every item, so they are prepared once."""
    return tuple(terms(word.replace("~", "").replace("*", ""), lang))


def _subject(key: str, people: tuple[frozenset[str], ...]) -> frozenset[str]:
    """The person named in the headline's first three words who acts in it: who it is
    about ("Alvin Hellerstein, un juez de 92 años, llevará el juicio de Maduro" is the
    judge's story). Nobody when the headline tells what someone says, confirms or denies
    of an event (a statement, a report: the speaker rule decides those)."""
    words = key.split()
    if _REPORTS.search(" ".join(words[:8])):
        return frozenset()
    opening = set(words[:3])
    return next((p for p in people if p & opening), frozenset())


# a person's role or trade right before a name: "la defensora Carmen Ruiz" names a person, as
# surely as the classifier's lists do
_ROLE_BEFORE = re.compile(
    r"\b(?:periodista|reportero|reportera|fotografo|fotografa|activista|sindicalista|defensor|defensora|"
    r"dirigente|lider|lideresa|militante|abogado|abogada|diputado|diputada|concejal|concejala|alcalde|"
    r"alcaldesa|estudiante|profesor|profesora|medico|medica|opositor|opositora|coordinador|coordinadora|"
    r"capitan|teniente|sargento|coronel|mayor|preso politico|presa politica|journalist|activist|lawyer|"
    r"student|unionist|opposition leader)\s+(\w+)"
)


def names_known(item: ItemFeatures) -> bool:
    """Whether one of the people the item names is one the classifier knows, or one it names
    after a role ("el sindicalista Pedro Rojas"): not only a capitalized sequence, which may
    be a place or a body the lists miss."""
    known = {w for e in item.entities for w in e.split()}
    known |= {m.group(1) for m in _ROLE_BEFORE.finditer(item.headline.key)}
    return any(p & known for p in item.people)


def named_in(item: ItemFeatures, names: Iterable[frozenset[str]]) -> tuple[frozenset[str], ...]:
    """The `names` (of another headline) written in `item`'s words, when `item` is in capitals:
    names in capitals are not told from other words ("EXCARCELADO EL DIRIGENTE CARLOS AZUAJE")."""
    if not item.headline.caps:
        return ()
    words = frozenset(item.headline.key.split())
    return tuple(n for n in names if len(n) >= 2 and n <= words)


def one_name(p: frozenset[str], q: frozenset[str]) -> bool:
    """Whether two names may be one person's: one name's words all in the other's ("Corina
    Machado", "María Corina Machado"), or two words in common ("Capitán Luis Barrios", "Luis
    Alfredo Barrios"); "Delcy Rodríguez" and "Jorge Rodríguez" share a surname only: two people."""
    shared = p & q
    return bool(shared) and (len(shared) >= 2 or p <= q or q <= p)


def same_person(a: ItemFeatures, b: ItemFeatures) -> frozenset[str] | None:
    """The person two headlines both name, when every person named on either side is on the
    other and one of them by two name words; a headline in capitals names the other's people
    written in its words."""
    ours = a.people or named_in(a, b.people)
    theirs = b.people or named_in(b, a.people)
    if not ours or not theirs:
        return None
    if not all(any(p & q for q in theirs) for p in ours) or not all(any(p & q for p in ours) for q in theirs):
        return None
    return next((p & q for p in ours for q in theirs if len(p & q) >= 2), None)


def same_voice(a: ItemFeatures, b: ItemFeatures) -> bool:
    """Whether a frame may join two items: a statement joins only what its speaker is in
    ("Machado, after the meeting: …" joins the meeting; "Sheinbaum pide un juicio justo
    para Maduro" does not join Maduro's hearing)."""
    for x, y in ((a, b), (b, a)):
        if x.speaker and not x.speaker & (y.speaker | {w for p in y.people for w in p}):
            return False
    return True


@dataclass
class StoryEntry:
    id: int
    title: str
    created: datetime
    last: datetime
    topics: set[str] = field(default_factory=set)
    members: list[ItemFeatures] = field(default_factory=list)

    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # cleared when members change
    # every key of the inverted index that points at the story, its dropped members' included:
    # what forgetting the story must take out (index_keys() knows only the present members)
    posted: set[str] = field(default_factory=set, repr=False)
    # every item placed in the story, those the members' cap dropped included: what another
    # process placed is the rest (StoryIndex.add_member keeps it)
    items: set[int] = field(default_factory=set, repr=False)

    def people(self) -> list[frozenset[str]]:
        if "people" not in self.memo:
            self.memo["people"] = [p for m in self.members for p in m.people]
        return self.memo["people"]  # type: ignore[no-any-return]

    def union(self, attr: str) -> set[Any]:
        if attr not in self.memo:
            out: set[Any] = set()
            for m in self.members:
                out |= getattr(m, attr)
            self.memo[attr] = out
        return self.memo[attr]  # type: ignore[no-any-return]

    def headline_union(self, attr: str) -> set[str]:
        key = "h:" + attr
        if key not in self.memo:
            self.memo[key] = {v for m in self.members for v in getattr(m.headline, attr)}
        return self.memo[key]  # type: ignore[no-any-return]

    def centroid(self) -> dict[str, int]:
        if len(self.members) == 1:
            return self.members[0].tf  # its norm is the item's, already kept
        if "centroid" not in self.memo:
            out: Counter[str] = Counter()
            for m in self.members:
                out.update(m.tf)
            self.memo["centroid"] = dict(out)
        return self.memo["centroid"]  # type: ignore[no-any-return]

    def index_keys(self) -> set[str]:
        return (
            {t for m in self.members for t in m.tf} | {"e:" + e for m in self.members for e in m.entities}
            | {"k:" + m.headline.key for m in self.members}
        )
