"""Headline text as the story matcher sees it: terms, names, vessels, live-blog marks.

- The title is cleaned of what outlets add around it: a section word after a line
  break ("…\\nPOLÍTICA"), live-blog and media marks ("EN VIVO | …", "[VIDEO]").
- Terms: accents and case folded, stop words out, Snowball stems (Spanish or
  English), then a small table of concepts so that outlets' synonyms meet
  ("incauta" / "confisca", "excarcelan" / "liberan", "EE. UU." / "estadounidenses").
  Numbers are not terms: figures are compared as figures.
- Names: capitalized word sequences of a mixed-case title (an all-capitals title
  has none: its capitals say nothing), and vessel names after "buque", "petrolero"…
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from text_to_num import alpha2digit

from alerts.stories.glossary import TERM_MARK, Glossary, load_glossary
from core.text import fold as _fold
from core.text import without_section_label

_STOP_ES = """a al algo ante antes aqui asi aun bajo cada como con contra cual cuales cuando
    de del desde donde dos durante e el ella ellas ellos en entre era es esa esas ese eso esos esta
    estan estas este esto estos fue fueron ha han hasta hay la las le les lo los mas me mi muy
    nada ni no nos o otra otras otro otros para pero poco por porque que quien quienes se segun
    ser si sin sobre son su sus tambien tan tras tu u un una unas uno unos y ya este esta hoy
    dice dijo afirma asegura tras luego mientras tiene tienen sera sido estar esta
    lunes martes miercoles jueves viernes sabado domingo enero febrero manana noche tarde
    nuevo nueva nuevos nuevas ultimo ultima ultimas primeras primeros primera primero
    cuanto cuantos cual que quien esto se sabe estos serian seria habria
    tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince veinte
    cien ciento cientos mil decenas centenar
    debe deben deberia deberian debera deberan"""
_STOP_EN = """a an and are as at be been but by for from had has have he her his how in into is
    it its new of on or over says said she than that the their them they this to was were what
    when who will with after amid about more up out today must should
    two three four five six seven eight nine ten eleven twelve fifteen twenty hundred hundreds
    thousand thousands dozen dozens january february"""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(_STOP_ES) | _words(_STOP_EN)

CONCEPTS_FILE = Path(__file__).with_name("data") / "concepts.json"


@lru_cache(maxsize=1)
def _concepts_file() -> str:
    return CONCEPTS_FILE.read_text(encoding="utf-8")


def load_concepts(text: str | None = None) -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """The concept classes of `alerts/stories/data/concepts.json` (or `text`): a map from
    stems to their class, from folded phrases to their class, and the class names.
    A stem claimed by two classes is an error (the file must say one thing)."""
    data = json.loads(text if text is not None else _concepts_file())
    stems: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for concept, spec in data["concepts"].items():
        # a name's first word is a word of its class too ("Maurel & Prom", "Exxon Mobil")
        named = [alias.split()[0] for group in spec.get("names", []) for alias in group]
        for word in [concept, *spec.get("words", []), *named]:
            for lang in ("es", "en"):
                stem = _STEMMERS[lang].stemWord(fold(word))
                if stems.setdefault(stem, concept) != concept:
                    raise ValueError(f"story concepts: '{word}' ({stem}) is in {stems[stem]} and {concept}")
        for phrase in spec.get("phrases", []):
            phrases[" ".join(_WORD.findall(fold(phrase)))] = concept
    return stems, phrases, frozenset(data["concepts"])


def concept_names(text: str | None = None) -> dict[str, str]:
    """The `names` of the classes (each group one company, its first word its key): folded
    alias → key ("exxon mobil" → "exxon"). A class makes them one term; their names tell them apart."""
    data = json.loads(text if text is not None else _concepts_file())
    return {
        fold(alias): fold(group[0]).split()[0]
        for spec in data["concepts"].values() for group in spec.get("names", []) for alias in group
    }


# Written forms of the United States, before tokenizing ("EE. UU." would be two words).
_US = re.compile(r"\b(?:EE\.?\s?UU\.?|E\.?E\.?U\.?U\.?|Estados Unidos|United States|U\.S\.A?\.?)", re.IGNORECASE)
_US_CAPS = re.compile(r"\bUSA?\b")


def us_as_one_word(folded: str) -> str:
    """A folded text with the United States written as one word ("ee. uu.", "ee uu",
    "estados unidos" → "eeuu"), so that the outlets' spellings are one name wherever words
    are compared."""
    return _US.sub(" eeuu ", folded)
_LIVE = re.compile(
    r"^\s*(?:\[\s*(?:video|fotos?|en vivo|live)\s*\]\s*|"
    r"(?:en vivo|en directo|minuto a minuto|[uú]ltima hora|live updates|live|breaking|urgente|"
    r"video|fotos|en fotos)\s*[|:\-–—]\s*|#ahora\b\s*[|:\-–—]?\s*)",
    re.IGNORECASE,
)
# marks of a kind of item, not of a live page ("#Ahora" opens a breaking item: "#Ahora Marco Rubio
# en el Senado: …", whose name must not be read as "Ahora Marco Rubio")
_MEDIA = re.compile(r"video|fotos?|en fotos|#ahora")
# the marks of a live page elsewhere in the title ("Tensión en Venezuela EN VIVO: …", "Excarcelaciones
# en Venezuela: minuto a minuto", "Minuto a minuto de las excarcelaciones"): no words of an event
_LIVE_INSIDE = re.compile(r"\b(?:en vivo|en directo|minuto a minuto|live updates)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d{3})*\b")
_DIGIT = re.compile(r"\d")
# the number words of two and more (folded), Spanish and English: a title with none is not
# given to text2num, the slower step
_NUMBER_WORDS = _words("""
dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciseis diecisiete
dieciocho diecinueve veinte veintiun veintiuno veintidos veintitres veinticuatro veinticinco veintiseis
veintisiete veintiocho veintinueve treinta cuarenta cincuenta sesenta setenta ochenta noventa cien ciento
doscientos doscientas trescientos trescientas cuatrocientos cuatrocientas quinientos quinientas
seiscientos seiscientas setecientos setecientas ochocientos ochocientas novecientos novecientas mil
two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
""")
# numbers that are short durations, shares or years, not how many people or things ("24 horas");
# ages and terms ("juez de 92 años") stay: they tell one person or case from another
_NOT_A_FIGURE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:%|(?:por ciento|horas?|d[ií]as?|semanas?|minutos?|"
    r"hours?|days?|weeks?|percent)\b)|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CAP_WORD = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü'’\-]+"
_CONNECT = r"(?:\s+(?:de|del|la|las|los|da|do|dos|van|von)\s+|\s+)"
_NAME_SEQ = re.compile(rf"{_CAP_WORD}(?:{_CONNECT}{_CAP_WORD})*")
_SHIP = r"\b(?:buque|petrolero|tanquero|barco|carguero|navío|nave|tanker|vessel|ship)s?"
_VESSEL = re.compile(
    _SHIP + r"(?:\s+(?:cisterna|petrolero|llamado|denominado|named))?\s+[«\"“'‘]?"
    r"([A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñ\-]+(?:\s+[A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñ\-]+)?)",
)
# a name in apposition after the ship, closed by punctuation, quoted or not: "otro petrolero, el
# Centuries, cerca de…", "otro petrolero, el «Bella 3», frente a…"
_VESSEL_APPOSITION = re.compile(
    _SHIP + r",\s+(?:el|la|the)\s+[«\"“'‘]?"
    r"([A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñ\-]+(?:\s+[A-ZÁÉÍÓÚÑ0-9][\wÁÉÍÓÚÑáéíóúñ\-]*)?)[»\"”'’]?(?=\s*[,;:.]|\s*$)",
)
_SHIP_WORD = re.compile(_SHIP)
_SHIP_FOLDED = re.compile(r"buque|petroler|tanquer|barco|tanker|vessel")  # a quoted name in capitals is a ship's
_QUOTED_CAPS = re.compile(r"[«\"“‘']([A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ\- ]{2,30})[»\"”’']")
# Capitalized words that are not names of people: institutions, places, months. A sequence with
# one of them is not a person (so "Alemania, Hungría", "Conferencia Episcopal" or "Ley de Amnistía"
# never make a `people` or `subject` conflict, nor a list of names; a law's name is still a name
# two headlines share, see `law_names`).
_NOT_PERSON = _words("""
    estados unidos eeuu ee uu venezuela caracas gobierno foro penal casa blanca departamento estado
    asamblea nacional tribunal corte consejo ministerio ministro ministra fuerza armada comando sur
    plataforma unitaria partido presidente presidenta secretario secretaria fiscal fiscalia onu
    caribe mar pacifico aeropuerto reuters cnn abc cancilleria canciller embajada congreso senado
    helicoide rodeo tocoron tocuyito yare zona ramo verde regimen chavista oposicion ejercito
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    lunes martes miercoles jueves viernes sabado domingo video en vivo pdvsa conatel provea
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday clippve jep
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred dozen dozens
    united states kingdom nations jan aug dec sept christmas eve easter gulf sea ocean
    spain rome vatican puerto rico hong kong buenos aires chicago houston texas yemen oman
    houthi houthis guayaquil cauca arauca cucuta
    colombia rusia china cuba espana mexico peru brasil argentina europa union europea florida
    nueva york washington miami madrid bogota barajas white house state pentagon department
    coast guard navy army marines treasury caribbean pacific atlantic eastern western southern northern
    """) | _words("""
    irak iran chile italia suiza alemania francia inglaterra canada groenlandia dinamarca ucrania ecuador
    bolivia uruguay paraguay panama nicaragua honduras guatemala haiti trinidad tobago guyana japon corea
    india israel palestina gaza siria libano turquia qatar egipto sudafrica nigeria filipinas indonesia
    tailandia australia noruega suecia finlandia polonia hungria rumania grecia portugal holanda belgica
    austria irlanda albania vaticano asia africa minnesota michigan texas california minneapolis brooklyn
    manhattan anzoategui apure aragua barinas carabobo cojedes guarico monagas tachira yaracuy zulia amazonas
    fanb eln farc sebin dgcim pnb gnb cicpc tsj cne otan oea cpi nobel premio banco ley conferencia
    episcopal cartel comite guardia mando fuerte palacio miraflores iglesia mundial internet
    ene feb abr jun jul ago sep oct nov dic esto ahora dia piden como puede
    """) | _words("""
    bolivar falcon merida miranda portuguesa trujillo guaira maracaibo barquisimeto maturin cumana
    catatumbo guajira esequibo perija tibu santander boyaca neiva roma davos mallorca
    curazao habana salvador somalia afganistan reino unido paises republica checa
    justicia patria paz tierra jubileo milenio resolucion absoluta gaceta oficial carta santo momento
    trabajadores sociedad interamericana patrulla fronteriza camara turismo comercio alcaldia parlamento
    pentagono poder judicial ejecutivo educacion transporte observatorio bono libertad presos politicos
    chevron repsol exxon mobil shell phillips conviasa aerocivil movistar arena airlines times economist
    bloomberg street journal app series vinotinto hezbola despacho oval capitolio supremo suprema
    """)  # more places, bodies, companies, media and plain nouns seen capitalized (days up to 21 January)
# Words of kinship or role that open a name's sequence ("Hermano de Rocío San Miguel"): the person is
# the name after them.
_ROLES = _words("hermano hermana esposo esposa hijo hija madre padre abogado abogada defensa escolta funeral general")
# Nationalities, capitalized in English ("two Colombians", "Venezuelan political prisoners"): a
# people, not a person's name.
_DEMONYMS = _words("""
    american americans venezuelan venezuelans colombian colombians cuban cubans russian russians
    chinese iranian iranians mexican mexicans spanish spaniard spaniards french british italian
    italians german germans peruvian peruvians ecuadorian ecuadorians brazilian brazilians
    argentine argentines argentinian argentinians chilean chileans canadian canadians european
    europeans latino latinos latina hispanic hispanics dutch portuguese israeli israelis panamanian
    panamanians dominican dominicans haitian haitians nicaraguan nicaraguans salvadoran salvadorans
    guatemalan guatemalans honduran hondurans trinidadian trinidadians guyanese ukrainian ukrainians
    bolivian bolivians uruguayan uruguayans paraguayan paraguayans swiss danish japanese korean
    koreans turkish qatari saudi saudis
    venezolano venezolana venezolanos venezolanas estadounidense estadounidenses colombiano
    colombiana colombianos colombianas cubano cubanos espanol espanola espanoles
    """)
ENGLISH_WORDS_FILE = Path(__file__).with_name("data") / "english_words.txt"


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Words English texts write in lower case mid-sentence: no names (monitor/story_words.py)."""
    lines = ENGLISH_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def fold(text: str | None) -> str:
    """Lower case without accents ("Rocío" → "rocio"): the product's one fold
    (`core.text.fold`), keeping "US" as the word "us"."""
    return _fold_cached(text or "")


@lru_cache(maxsize=4096)
def _fold_cached(text: str) -> str:
    # a headline is folded several times as it is prepared (terms, names, waves, speakers)
    return _fold(text, country=False)


def clean_title(title: str) -> tuple[str, bool]:
    """The headline proper (without its live-blog or media marks) and whether it carried a
    live-blog mark; a media mark ("VIDEO:", "FOTOS |") is no live page, whose title changes."""
    text = " ".join(without_section_label(title).splitlines())
    live = False
    while True:
        m = _LIVE.match(text)
        if not m:
            break
        live = live or not _MEDIA.fullmatch(m.group().strip(" \t[]|:-–—").lower())
        text = text[m.end():]
    inside = _LIVE_INSIDE.sub(" ", text)
    if inside != text:
        live, text = True, " ".join(inside.split()).strip(" :|-–—")
    return text.strip(), live


_NOT_LETTERS = re.compile(r"[\W\d_]+")  # all but letters
_NOT_UPPER = re.compile(r"[^A-ZÀ-ÖØ-Þ]+")  # all but Latin capitals (the outlets' scripts)
CAPS_MIN_LETTERS = 8


def is_caps(text: str) -> bool:
    """Whether the text is written in capitals: 8 letters or more, over 80 % of them capitals."""
    # counted as what is left once the rest is deleted (one scan, no list of matches); six
    # capitals or fewer are never over 80 % of eight letters or more, so most titles stop there
    upper = len(_NOT_UPPER.sub("", text))
    if upper <= 0.8 * CAPS_MIN_LETTERS:
        return False
    letters = len(_NOT_LETTERS.sub("", text))
    return letters >= CAPS_MIN_LETTERS and upper > 0.8 * letters


_TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def is_title_case(text: str) -> bool:
    """An English headline that capitalizes every word of four letters or more ("Venezuela
    Releases Five Americans Held in Its Prisons"): its capitals do not tell names from words."""
    words = [w for w in _TITLE_WORD.findall(text) if len(w) >= 4 and fold(w) not in STOPWORDS]
    return len(words) >= 4 and all(w[0].isupper() for w in words)


_STEMMERS = {"es": snowballstemmer.stemmer("spanish"), "en": snowballstemmer.stemmer("english")}
_CONCEPT_OF, _PHRASES, CONCEPTS = load_concepts()


def flagged_concepts(flag: str, text: str | None = None) -> frozenset[str]:
    """The classes of the file (or `text`) marked `flag: true`:

    - "beat": the beat's own wording (releases, the United States, oil, tallies), which every
      item of a topic shares; the other classes name a kind of event (a meeting, a seizure, a
      vigil), and sharing one is evidence of one event;
    - "actor": who acts (diplomats, staff, oil companies, journalists, Congress);
    - "alone": an event so rare and grave (a death in custody) that two headlines of one day
      telling it are one event, unless they name different people;
    - "ongoing": a situation that goes on at one place (a vigil, a protest, a hunger strike):
      told at the same place within a day, it is the same situation."""
    data = json.loads(text if text is not None else _concepts_file())
    return frozenset(k for k, spec in data["concepts"].items() if spec.get(flag))


BEAT_CONCEPTS = flagged_concepts("beat")
EVENT_CONCEPTS = CONCEPTS - BEAT_CONCEPTS
ACTOR_CONCEPTS = flagged_concepts("actor")
ALONE_CONCEPTS = flagged_concepts("alone")
ONGOING_CONCEPTS = flagged_concepts("ongoing")
# the beat's own words that still say what happened to an actor ("periodistas excarcelados")
ACTION_BEAT_CONCEPTS = frozenset({"liber", "deten"}) & BEAT_CONCEPTS
_TOLD_CLASSES = EVENT_CONCEPTS | ACTION_BEAT_CONCEPTS  # what event_classes looks for
_PHRASE = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _PHRASES), key=len, reverse=True)) + r")\b")


PhraseWords = dict[str, tuple[frozenset[str], ...]]


def phrase_words(phrases: Iterable[str]) -> PhraseWords:
    """Each phrase's words, filed under its longest word (see `may_hold`)."""
    table: dict[str, list[frozenset[str]]] = {}
    for phrase in phrases:
        words = phrase.split()
        table.setdefault(max(words, key=len), []).append(frozenset(words))
    return {w: tuple(sets) for w, sets in table.items()}


def may_hold(table: PhraseWords, words: set[str]) -> bool:
    """Whether all the words of one of the table's phrases are among `words`. A phrase (whole
    words joined by single spaces) matches a text of such words only then: a text without
    any is left as it is, unscanned by the long alternation of the phrases."""
    return any(phrase <= words for w in table.keys() & words for phrase in table[w])


_PHRASE_WORDS = phrase_words(_PHRASES)


@lru_cache(maxsize=65536)
def stem(word: str, lang: str) -> str:
    """A folded word's term: its concept class, else its Snowball stem (an English stem read
    as the Spanish term of its equivalent when the glossary has it)."""
    if word in CONCEPTS:
        return word
    if word.startswith(TERM_MARK):
        return word[len(TERM_MARK):]
    stem = _STEMMERS[lang].stemWord(word)
    if stem in _CONCEPT_OF:
        return _CONCEPT_OF[stem]
    if lang != "en":
        return stem
    if (spanish := english_glossary().stems.get(stem)) is not None:
        return spanish
    if word in english_words():
        return stem
    # a name or a Spanish word in an English headline ("Guanipa", "Helicoide") is stemmed as
    # the Spanish headlines that tell the same event stem it
    stem = _STEMMERS["es"].stemWord(word)
    return _CONCEPT_OF.get(stem, stem)


@lru_cache(maxsize=1)
def english_glossary() -> Glossary:
    """alerts/stories/data/glossary_en.json, its Spanish side read as Spanish terms are."""
    return load_glossary(
        None,
        spanish_terms=lambda text: terms(text, "es"),
        english_stem=_STEMMERS["en"].stemWord,
        fold_words=lambda text: " ".join(_WORD.findall(fold(text))),
        concept_stems=_CONCEPT_OF,
    )


@lru_cache(maxsize=1)
def _english_phrase() -> tuple[re.Pattern[str], PhraseWords] | None:
    """The glossary's English phrases as one pattern, with their words (`phrase_words`)."""
    phrases = english_glossary().phrases
    if not phrases:
        return None
    pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True)) + r")\b")
    return pattern, phrase_words(phrases)


# "celebrar elecciones" holds a vote: no "celebrar" (to praise) of "celebró las excarcelaciones"
_HOLD_VOTE = re.compile(r"\bcelebr\w*\s+(?=(?:\w+\s+){0,2}(?:elecciones|comicios|votaciones)\b)")


def terms(text: str, lang: str = "es") -> list[str]:
    """Content terms of a cleaned headline: folded, no stop words, stemmed, concepts merged."""
    lang = "en" if (lang or "").lower().startswith("en") else "es"
    text = _US.sub(" eeuu ", text)
    if "US" in text:
        text = _US_CAPS.sub(" eeuu ", text)
    folded = " ".join(_WORD.findall(fold(text)))
    if "celebr" in folded:
        folded = _HOLD_VOTE.sub("", folded)
    words = folded.split()
    if may_hold(_PHRASE_WORDS, seen := set(words)):
        folded = _PHRASE.sub(lambda m: _PHRASES[m.group()], folded)
        words = folded.split()
        seen = set(words)
    if lang == "en" and (english := _english_phrase()) is not None and may_hold(english[1], seen):
        folded = english[0].sub(lambda m: english_glossary().phrases[m.group()], folded)
        words = folded.split()
    return [stem(w, lang) for w in words if len(w) > 2 and w not in STOPWORDS or w in CONCEPTS]


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> frozenset[str]:
    """The words that identify a name ("Rocío San Miguel" → rocio, san, miguel): the same
    names come back with every item, so each is read once."""
    return frozenset(w for w in _WORD.findall(fold(name)) if len(w) > 2 and w not in {"del", "las", "los"})


# a nickname in quotes inside a name: 'Hugo "el Pollo" Carvajal' is Hugo Carvajal
_NICKNAME = re.compile(r"(?<=[a-záéíóúñ]) [\"“«‘'](?:el|la|El|La) [^\"”»’']{2,20}[\"”»’'] (?=[A-ZÁÉÍÓÚÑ])")


# a role in a party, union or town, before its name and the person's ("dirigente de Vente Venezuela
# Carlos Yépez", "coordinadora de Vente Venezuela en Zulia…")
_MEMBER_OF = re.compile(
    r"\b(?:dirigente|coordinador|coordinadora|activista|militante|concejal|concejala|alcalde|alcaldesa|"
    r"diputado|diputada|periodista|director|directora|presidente|presidenta|secretario|secretaria|miembro|"
    r"lider|líder|lideresa|fundador|fundadora|defensor|defensora|abogado|abogada|integrante|sindicalista|"
    r"vocero|vocera|candidato|candidata|dirigentes|activistas)\s+(?:de|del|de la)\s+$"
)


def _member_of(before: str) -> bool:
    """Whether `before` (the title before a name) ends with a role in a body (_MEMBER_OF); the
    pattern is tried only on a text ending with its last words, "de", "del" or "de la"."""
    return before.rstrip().endswith(("de", "del", "de la")) and bool(_MEMBER_OF.search(before))


@lru_cache(maxsize=4096)
def _sequence_words(sequence: str) -> tuple[str, ...]:
    """The folded words of a capitalized sequence, without its connectors ("de", "la"…)."""
    return tuple(w for w in _WORD.findall(fold(sequence)) if w not in {"de", "del", "la", "las", "los", "y"})


def _member_after_body(words: tuple[str, ...]) -> frozenset[str]:
    """The person named after a party, union or town ("Vente Venezuela Carlos Yépez": carlos,
    yepez), when two words or more follow its last word that is no person's."""
    last = max(i for i, w in enumerate(words) if w in _NOT_PERSON)
    tail = [w for w in words[last + 1:] if len(w) > 2]
    return frozenset(tail) if len(tail) >= 2 else _NONE


def person_names(text: str, known: list[str] | None = None, *, vessels: frozenset[str] | None = None,
                 caps: bool | None = None, title_case: bool = False, english: bool = False) -> list[frozenset[str]]:
    """Names of people in a cleaned headline: the classifier's people (`known`), plus
    capitalized sequences that are not institutions, places or nationalities. A single
    capitalized word opening the headline or a clause is left out (it is usually just the
    first word). A headline in capitals names only the known; one in Title Case
    (`title_case`) the known and `title_case_names`. `vessels` and `caps`, when the caller
    has them, spare working them out again. `english`: an English headline, where a sequence of
    words English writes in lower case ("Supreme Court", "Temporary Protected Status") names no
    one."""
    out = [tokens for n in known or [] if (tokens := name_tokens(n))]
    if title_case:
        return out + [n for n in title_case_names(text) if not any(n & o for o in out)]
    if is_caps(text) if caps is None else caps:
        return out
    vessels = vessel_names(text) if vessels is None else vessels
    named = _NICKNAME.sub(" ", text)
    for m in _NAME_SEQ.finditer(named):
        words = _sequence_words(m.group())
        if words and any(w in _NOT_PERSON for w in words):
            member = _member_after_body(words) if _member_of(named[:m.start()]) else _NONE
            if member and not any(member & o for o in out):
                out.append(member)
            continue
        words = [w for w in words if w not in _DEMONYMS]  # "Two Colombian nationals", "Venezuelan"
        if not words:
            continue
        roles = frozenset(words[:-1]) & _ROLES if words[0] in _ROLES else _NONE
        if english:  # "Activist Ana Salas": the role's words lead; a run of them all ("Supreme Court") is no name
            lead = next((k for k, w in enumerate(words) if len(w) > 2 and w not in english_words()), len(words))
            roles |= frozenset(words[:lead])
        start = m.start()
        before = text[:start].rstrip()
        opening = not before or before[-1] in ":.|\"“«'‘¿¡(-–—"
        if len(words) == 1 and opening:
            continue
        tokens = name_tokens(m.group()) - roles - _DEMONYMS
        if fold(m.group()) in vessels:
            continue
        if tokens and not any(tokens & o for o in out):
            out.append(tokens)
    return out


_CLAUSE_BREAK = re.compile(r"[,:;|!?()\"“”«»—–]|\s-\s")


def title_case_names(text: str) -> list[frozenset[str]]:
    """The names of a headline in Title Case: runs of two capitalized words or more that no
    English text writes in lower case (`english_words`) and that are no stop word, place,
    body, nationality or role ("Roland Carreño" in "Venezuela Releases Journalist Roland
    Carreño After 14 Months in Prison"). A single such word may be any word the list lacks,
    and is left out."""
    plain = english_words() | STOPWORDS | _NOT_PERSON | _DEMONYMS | _ROLES

    def is_name(word: str) -> bool:
        return word[0].isupper() and len(word) > 1 and fold(word) not in plain

    out: list[frozenset[str]] = []
    for clause in _CLAUSE_BREAK.split(text):
        run: list[str] = []
        for word in [*_TITLE_WORD.findall(clause), ""]:
            if word and is_name(word):
                run.append(word)
                continue
            tokens = name_tokens(" ".join(run)) if len(run) >= 2 else _NONE
            if tokens and not any(tokens & o for o in out):
                out.append(tokens)
            run = []
    return out


def vessel_names(text: str) -> frozenset[str]:
    """Names of ships ("el petrolero «Olina»", "buque Minerva")."""
    found: set[str] = set()
    if _SHIP_WORD.search(text):  # both patterns open with a ship's word: none, no name
        found = {fold(m.group(1)) for rx in (_VESSEL, _VESSEL_APPOSITION) for m in rx.finditer(text)}
    found |= {fold(m.group(1)).strip() for m in _QUOTED_CAPS.finditer(text) if _SHIP_FOLDED.search(fold(text))}
    if not found:
        return _NONE
    skip = {"vinculado", "que", "con", "en", "de", "venezolano", "ruso", "estadounidense", "fantasma"}
    # in capitals the name's second word may be the next word of the title ("MINERVA TRAS")
    found = {" ".join(w for k, w in enumerate(n.split()) if k == 0 or w not in STOPWORDS) for n in found}
    return frozenset(n for n in found if n.split()[0] not in skip)


# A company named with its legal or trade word ("Urcalquin Shipping", "Petrolera Sinovensa",
# "Oceanic Tankers Ltd"): sanctions and seizures name the company they hit.
_ORG_WORD = (r"(?:Shipping|Marine|Maritime|Tankers?|Trading|Petroleum|Energy|Logistics|Navigation|Holdings?|"
             r"Group|Ltd|Limited|Inc|Corp|Corporation|LLC|Naviera|Petrolera|Compañía|Empresa)")
_ORG = re.compile(
    rf"\b((?:{_CAP_WORD}\s+){{1,3}}{_ORG_WORD}\b\.?|{_ORG_WORD}\s+(?:{_CAP_WORD}\s*){{1,3}})"
)
_ORG_WORD_ALONE = re.compile(_ORG_WORD, re.IGNORECASE)
_ORG_WORD_SEEN = re.compile(_ORG_WORD)  # _ORG cannot match a text without one


# companies the beat names alone, each its own (the class `oilco` makes them one term: "a licence
# to Chevron" and "a licence to Repsol" share it, and are two events): the classes' `names`
_NAME_KEY = concept_names()
_NAMED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _NAME_KEY), key=len, reverse=True)) + r")\b")


def named_companies(text: str) -> frozenset[str]:
    """The companies the beat names alone ("Chevron", "REPSOL"), outside a context clause
    ("Tras Chevron, EE. UU. da licencia a Repsol" is Repsol's)."""
    if not _NAMED.search(fold(text)):
        return frozenset()
    told = fold(_CONTEXT_SPAN.sub(" ", text))
    return frozenset(_NAME_KEY[m.group(1)] for m in _NAMED.finditer(told))


def org_names(text: str) -> frozenset[str]:
    """Names of companies told with their legal or trade word, folded, that word left out; and
    the oil companies the beat names alone."""
    found = set(named_companies(text))
    for m in _ORG.finditer(text) if _ORG_WORD_SEEN.search(text) else ():
        words = [w for w in _WORD.findall(fold(m.group(1))) if not _ORG_WORD_ALONE.fullmatch(w)
                 and w not in _NOT_PERSON and w not in STOPWORDS]
        if words:
            found.add(" ".join(words))
    return frozenset(found)


@dataclass(frozen=True)
class Headline:
    """A headline prepared once for matching."""

    text: str  # cleaned
    key: str  # folded cleaned text, for "same title" checks
    live: bool
    caps: bool
    terms: tuple[str, ...]
    people: tuple[frozenset[str], ...]
    vessels: frozenset[str]
    numbers: frozenset[str] = frozenset()
    # event classes (and release/detention words) told as the event, not as its context
    events: frozenset[str] = frozenset()
    stage: str | None = None  # a bill's stage: "first", "second" (passed), "in force"
    # the terms of the event told: all terms but those of an aside naming another event
    # ("… el mismo día que Machado visita la Casa Blanca"); None: all of them
    told_terms: tuple[str, ...] | None = None
    aside_words: frozenset[str] = frozenset()  # folded words only in such an aside
    laws: frozenset[str] = frozenset()  # folded words of the laws named ("Ley de Amnistía")
    orgs: frozenset[str] = frozenset()  # companies named with their trade word (org_names)

    @property
    def matched_terms(self) -> tuple[str, ...]:
        return self.terms if self.told_terms is None else self.told_terms


# "tras la incautación", "antes de la reunión", "mientras…": what came before or beside, not the
# event told
_CONTEXT_SPAN = re.compile(
    r"\b(?:tras|despu[eé]s de|despu[eé]s del|luego de|luego del|pese a|a ra[ií]z de|antes de|antes del|"
    r"mientras|el mismo d[ií]a que|a la espera de|after|following|before|while)"
    r"((?:\s+[^\s:;,.]+){1,3})",
    re.IGNORECASE,
)


# An aside telling another event at the same time or later ("Venezuela enviará un delegado… el
# mismo día que Machado visita la Casa Blanca", "EE UU incauta otro petrolero antes de reunión
# Trump–Machado"): its words would pull in that other event's items. Up to a comma, colon, bar,
# question or exclamation mark or quotation ("…antes de la captura de Maduro? Lo que dijo el
# gobierno": the second sentence is the event told).
_ASIDE = re.compile(
    r"\b(?:el mismo d[ií]a (?:en )?que|mientras|a la vez que|al tiempo que|antes de|antes del|"
    r"en v[ií]speras de|before|while|"
    # a time told by an earlier event: "liberó a 700 desde la caída de Maduro" names no actor
    r"desde (?:la|el) (?:ca[ií]da|captura|salida|detenci[oó]n|extracci[oó]n|derrocamiento) de|"
    r"since (?:the )?(?:capture|fall|ouster|removal) of)\b[^,:;|\n?!¿¡«»\"“”]*",
    re.IGNORECASE,
)


def _aside(text: str, lang: str | None) -> tuple[tuple[str, ...] | None, frozenset[str]]:
    """The terms of a headline without its asides, and the words only in them (None and
    nothing when there is no aside, or when the rest is too short to stand alone)."""
    spans = [m.group() for m in _ASIDE.finditer(text)]
    if not spans:
        return None, frozenset()
    rest = _ASIDE.sub(" ", text)
    told = tuple(terms(rest, lang or "es"))
    if len(told) < 2:
        return None, frozenset()
    words = set(_WORD.findall(fold(" ".join(spans)))) - set(_WORD.findall(fold(rest)))
    return told, frozenset(words)


# A law goes through stages that are each an event ("aprobada en primera discusión", "sancionada
# en segunda discusión", "promulgada", "entra en vigor"); the amnesty law's were told for weeks.
_STAGES = (
    ("first", re.compile(r"\b(?:primera discusion|primer debate|primera lectura)\b")),
    # "sanciona la reforma" passes a bill; "sanciones" are sanctions: a bill must be named
    ("second", re.compile(r"\b(?:segunda discusion|segundo debate|segunda lectura)\b"
                          r"|\b(?:sanciona|sancionan|sanciono|sancionaron|sancionada|sancionado)\b"
                          r"(?=.*\b(?:ley|reforma|proyecto)\b)")),
    ("in force", re.compile(r"\b(?:promulg\w*|gaceta oficial|entra en vigor|entro en vigor|entrada en vigor)\b")),
)
_STAGE_CUE = re.compile(r"discusion|debate|lectura|sancion|promulg|gaceta|vigor")
# a stage still to come is not the one told: "aprueba en segunda discusión…: pasa al Ejecutivo
# para su promulgación", "…antes de su segunda discusión"
_STAGE_AHEAD = re.compile(
    r"\b(?:para|hacia|antes de|a la espera de|pendiente de|previo a|before|for)\s+"
    r"(?:su|la|el|ser|its|the)?\s*(?:primera|segunda|segundo|promulg|publicacion|entrada|second|first)\w*"
    r"(?:\s+(?:discusion|debate|lectura|en gaceta oficial|en vigor))?"
)


def law_stage(text: str) -> str | None:
    """The stage of a bill the headline tells, if it tells exactly one."""
    folded = fold(text)
    if not _STAGE_CUE.search(folded):
        return None
    folded = _STAGE_AHEAD.sub(" ", folded)
    found = [name for name, rx in _STAGES if rx.search(folded)]
    return found[0] if len(found) == 1 else None


def event_classes(text: str, lang: str | None, all_terms: tuple[str, ...]) -> frozenset[str]:
    """The event classes of a cleaned headline outside its context clauses."""
    events = frozenset(all_terms) & _TOLD_CLASSES
    if events and _CONTEXT_SPAN.search(text):
        told = Counter(all_terms)
        # the words after the cue are context; relatives' waiting is their vigil, an event of
        # its own ("familias pasan la noche a la espera de excarcelaciones"), anyone else's is not
        part = 1 if "famili" in all_terms else 0
        told.subtract(terms(" ".join(m.group(part) for m in _CONTEXT_SPAN.finditer(text)), lang or "es"))
        events = frozenset(t for t in events if told[t] > 0)
    return events


_LAW = re.compile(rf"\bLey(?:\s+(?:de|del|de la|Orgánica de|Orgánica del))?\s+{_CAP_WORD}(?:{_CONNECT}{_CAP_WORD})*")


def law_names(text: str, caps: bool | None = None) -> frozenset[str]:
    """The words of the laws a mixed-case headline names ("la Ley de Amnistía" → amnistia):
    not a person, but a name that two headlines of one event share."""
    if "Ley" not in text or (is_caps(text) if caps is None else caps):
        return _NONE
    return frozenset(w for m in _LAW.finditer(text) for w in name_tokens(m.group()) if w != "ley")


_NONE: frozenset[str] = frozenset()


def _numbers(text: str, lang: str | None, words: list[str]) -> frozenset[str]:
    """The numbers a headline states, in digits or words of two and more ("nueve zulianos" is 9,
    as "9 zulianos": two amnesties of 9 and of 23 people are two events), without durations,
    shares, years or ordinals ("segunda discusión"). `words`: the text's folded words."""
    if not _NUMBER_WORDS.isdisjoint(words):
        text = alpha2digit(text, "en" if lang == "en" else "es", threshold=2)
    if not _DIGIT.search(text):
        return frozenset()
    return frozenset(n.replace(".", "").replace(",", "") for n in _NUMBER.findall(_NOT_A_FIGURE.sub(" ", text)))


def prepare(title: str, lang: str | None, known_people: list[str] | None = None) -> Headline:
    text, live = clean_title(title)
    all_terms = tuple(terms(text, lang or "es"))
    told, aside_words = _aside(text, lang)
    caps, vessels = is_caps(text), vessel_names(text)
    # English Title Case capitalizes every word: its capitals say as little as a title in capitals
    title_case = not caps and (lang or "").startswith("en") and is_title_case(text)
    caps = caps or title_case
    words = _WORD.findall(fold(text))
    return Headline(
        text=text, key=" ".join(words), live=live, caps=caps,
        terms=all_terms,
        people=tuple(person_names(text, known_people, vessels=vessels, caps=caps, title_case=title_case,
                                  english=(lang or "").startswith("en"))),
        vessels=vessels,
        numbers=_numbers(text, lang, words),
        events=event_classes(text, lang, all_terms), stage=law_stage(text),
        told_terms=told, aside_words=aside_words, laws=law_names(text, caps),
        orgs=named_companies(text) if caps else org_names(text),
    )
