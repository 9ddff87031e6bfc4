"""Story rules that read only the item and the story: conflicts and event frames.

A conflict rules a story out whatever the item's score (wrong merges are worse than
splits); an event frame lets an item join a story it shares few words with, when both tell
one kind of event by the same people, or two kinds of event told alike, within a day. The
rules that also ask how many recent stories name someone (a speaker's statements, one
person's release) need the index and live in alerts/stories/match.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from datetime import timedelta
from functools import lru_cache
from typing import Any

from alerts.stories.features import (
    REARREST,
    ItemFeatures,
    StoryEntry,
    named_in,
    names_known,
    one_name,
    same_person,
    same_voice,
)
from alerts.stories.text import (
    ACTION_BEAT_CONCEPTS,
    ACTOR_CONCEPTS,
    ALONE_CONCEPTS,
    EVENT_CONCEPTS,
    ONGOING_CONCEPTS,
)

NEAR_IDENTICAL = 0.85
STRONG_TEXT = 0.60  # text this close is evidence enough, even in the beat's own words
PEOPLE_TEXT = STRONG_TEXT  # over it, a person only the capitals name does not keep two headlines apart
GROWING_EVENTS = frozenset({"released", "held"})  # tallies that close titles update
TALLY_TEXT = 0.75  # text this close tells one tally again with its new figure (a growing event's)
REUSED_TITLE_GAP = timedelta(hours=12)
ANOTHER_GAP = timedelta(hours=12)  # a story begun this long before it told an earlier instance
FRAME_HOURS = 24.0  # one person + one kind of event within a day
CLASS_FRAME_MIN = 2  # or two kinds of event (actor, action, object) within a day

# One person's next event is news of its own: a release or a court step after the arrest.
# An arrest told ("detienen", "detuvo", "arrestan", "aprehenden", "se llevaron a", "detención de",
# "periodista detenida"), not house arrest (a release's own terms)
_ARREST = re.compile(
    r"\b(?:detien\w*|detuv\w*|deten(?:er|ido|ida|idos|idas|cion|ciones)|arrest\w*|aprehend\w*|aprehension"
    r"|se (?:lo |la |los |las )?llevaron|arrested|detained)\b(?! domiciliari)"
)
# ... by a verb in the act: "En plena ola de excarcelaciones, arrestan a activista" is an arrest
# (a participle, "Liberan al activista, detenido en Puerto La Cruz", is the state the release ends)
_ARREST_ACT = re.compile(
    r"\b(?:detienen?|detuv\w*|arrestan|arrestaron|aprehend(?:e|en|io|ieron)"
    r"|se (?:lo |la |los |las )?llevaron|arrests)\b(?! domiciliari)"
)
# ... or again, in any form ("vuelven a detener a X", "X, detenido de nuevo", "rearrestan")
_ARREST_AGAIN = re.compile(
    _ARREST_ACT.pattern + r"|\b(?:vuelv\w*|volvi\w*) a (?:detener|arrestar|aprehender|llevarse)\b"
    r"|\b(?:detenid|arrestad|aprehendid)[oa]s? (?:de nuevo|nuevamente|otra vez)\b|\bre-?arrest\w*"
)
# ... a person held or missing, as an arrest's story tells it
_HELD = re.compile(_ARREST.pattern + r"|\b(?:desaparec\w*|reclui\w*|recluid\w*|paradero)\b")
# a release asked for is none ("exigen liberar a Rubén Aguilera")
_DEMAND = re.compile(r"\b(?:pide\w*|piden|pidio|exig\w*|reclam\w*|urge\w*|solicit\w*|insta\w*|clam\w*)\b")
# a court step ("imputan terrorismo a X", "X es presentado en tribunal", "audiencia de X"), not one
# still to come ("aún no ha sido presentado ante tribunal", "sin audiencia")
_CHARGED = re.compile(r"\bimput(?:a|an|o|aron|ado|ada|ados|adas|acion)\b")
_NOT_YET = re.compile(r"\b(?:no|sin|nunca)\b(?:\s+\w+){0,3}\s+(?:present\w*|tribunal\w*|audiencia\w*|imput\w*|juez)")
# who announces or confirms a release is not who is freed ("…, anunció Delcy Rodríguez")
_SAYS = r"\b(?:anunci\w*|dijo|dice|afirm\w*|inform\w*|segun|asegur\w*|confirm\w*)\s+(?:\w+\s+)?"


@lru_cache(maxsize=16384)
def _found(pattern: re.Pattern[str], key: str) -> bool:
    """Whether `pattern` occurs in a headline's folded key. Each item is checked against every
    candidate story and each story's items against every item that reaches them: a headline's
    answer is kept (it depends on nothing else) rather than searched again for every pair."""
    return pattern.search(key) is not None


def event_frame(item: ItemFeatures, entry: StoryEntry, hours: float) -> dict[str, list[str]] | None:
    """The same event frame as one of the story's items: the same people (every person
    named on either side is on the other, one of them by two name words) and one kind
    of event (an event class of the lexicon, not the beat's own words), within a day.
    "Delcy Rodríguez solicita viajar a Washington" and "Gobierno desmiente visita de
    Delcy Rodríguez" share no other wording; "Trump se reúne con ejecutivos" and
    "Trump se reunirá con María Corina" do not name the same people."""
    if hours > FRAME_HOURS or not item.topics & entry.topics:
        return None
    return (
        _law_frame(item, entry) or _alone_frame(item, entry) or _classes_frame(item, entry)
        or _ongoing_frame(item, entry) or _person_frame(item, entry)
    )


def _law_frame(item: ItemFeatures, entry: StoryEntry) -> dict[str, list[str]] | None:
    """One bill passed at one stage: "Asamblea Nacional aprueba en primera discusión la Ley de
    Amnistía" and "AN aprobó en primera discusión el proyecto de Ley de Amnistía"; or one law
    put forward, told by the same voice."""
    stage = item.headline.stage
    if stage and item.headline.laws:
        for m in entry.members:
            laws = item.headline.laws & m.headline.laws
            if laws and m.headline.stage == stage:
                return {"law": sorted(laws), "stage": [stage]}
    if item.law_put:
        for m in entry.members:
            if m.law_put == item.law_put and same_voice(item, m):
                return {"law": [item.law_put], "stage": ["announced"]}
    return None


def _alone_frame(item: ItemFeatures, entry: StoryEntry) -> dict[str, list[str]] | None:
    """A kind of event that is a frame on its own (`ALONE_CONCEPTS`), told by the same voice."""
    mine = item.headline.events
    if mine & ALONE_CONCEPTS:
        for m in entry.members:
            classes = mine & m.headline.events & ALONE_CONCEPTS
            if classes and same_voice(item, m) and _caps_names(item, m) and _caps_names(m, item):
                return {"classes": sorted(classes)}
    return None


def _classes_frame(item: ItemFeatures, entry: StoryEntry) -> dict[str, list[str]] | None:
    """Who and what, or what and to what ("diplomats" + "arrive", "seize" + "tanker",
    "journalists" + "released"): two kinds of the event told alike, whoever tells it; not
    what a named person says of it ("X exige…" is X's statement), nor its context ("tras la
    incautación"). A release or detention word counts only with an actor class (every item
    of the beat has one), and a release only when both tell it alike, done or not ("Excarcelaron
    a un grupo de periodistas" is not "24 trabajadores de la prensa… esperan su liberación")."""
    mine = item.headline.events
    if len(mine) < CLASS_FRAME_MIN:
        return None
    for m in entry.members:
        classes = mine & m.headline.events
        if len(classes - ACTION_BEAT_CONCEPTS) < CLASS_FRAME_MIN and not (
            classes & ACTOR_CONCEPTS and classes & ACTION_BEAT_CONCEPTS
        ):
            continue
        if not same_voice(item, m) or not (_caps_names(item, m) and _caps_names(m, item)):
            continue
        if "liber" in classes and item.release_done != m.release_done:
            continue
        return {"classes": sorted(classes)}
    return None


def _ongoing_frame(item: ItemFeatures, entry: StoryEntry) -> dict[str, list[str]] | None:
    """One situation going on at one place: relatives' vigil at Rodeo I on its second night,
    a hunger strike's fifth day at Zona 7 (not a release there: it is no situation)."""
    ongoing = item.headline.events & ONGOING_CONCEPTS
    if ongoing and item.places:
        for m in entry.members:
            places, classes = item.places & m.places, ongoing & m.headline.events
            if places and classes and same_voice(item, m):
                return {"place": sorted(places), "event": sorted(classes)}
    return None


def _person_frame(item: ItemFeatures, entry: StoryEntry) -> dict[str, list[str]] | None:
    """One person and one kind of event among the item's words, told by the same voice."""
    if not item.people and not item.headline.caps:
        return None
    told = EVENT_CONCEPTS.intersection(item.tf)  # the kinds of event among the item's words
    if not told:
        return None
    for m in entry.members:
        if not same_voice(item, m):
            continue
        events = sorted(told.intersection(m.tf))
        if events and (person := same_person(item, m)):
            return {"person": sorted(person), "event": events}
    return None


def _caps_names(a: ItemFeatures, b: ItemFeatures) -> bool:
    """Whether a headline in capitals (whose names are not read) may be telling `b`'s event:
    it writes the people `b` names, or `b` names none ("MUERE BAJO CUSTODIA HUMBERTO CARRASQUEL"
    is not the death of the Ender Villasmil of the story)."""
    if a.headline.caps and b.headline.caps:
        # neither's names are read: the words besides the kinds of event must meet ("MUERE BAJO
        # CUSTODIA HUMBERTO CARRASQUEL" and "… ENDER VILLASMIL" were one death)
        beat = a.generic | b.generic
        mine, theirs = _besides_events(a, beat), _besides_events(b, beat)
        return not mine or not theirs or bool(mine & theirs)
    if not a.headline.caps or not b.people:
        return True
    words = frozenset(a.headline.key.split())
    return any(len(p & words) >= min(2, len(p)) for p in b.people)


def _besides_events(f: ItemFeatures, beat: frozenset[str] = frozenset()) -> set[str]:
    """The headline's words (stems) that name no kind of event, are no figure, nor (`beat`)
    the beat's own words."""
    return {t for t in f.tf if t not in f.headline.events and t not in beat and not t.isdigit()}


def _caps_apart(a: ItemFeatures, b: ItemFeatures) -> bool:
    """Two headlines in capitals (names unread on both sides) whose words besides the kinds of
    event and the beat's own words have none in common: "EXCARCELAN AL PERIODISTA JESÚS
    MEDINA" and "… JUAN PÉREZ" are two releases."""
    if not (a.headline.caps and b.headline.caps) or a.people or b.people:
        return False
    beat = a.generic | b.generic
    mine, theirs = _besides_events(a, beat), _besides_events(b, beat)
    return bool(mine) and bool(theirs) and not mine & theirs


def _unwritten(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether one side is in capitals (its names unread) and writes no word of the people the
    other side names: "EXCARCELAN AL PERIODISTA JESÚS MEDINA…" is not "Excarcelan al periodista
    Ramón Centeno…", though their other words are one."""
    if item.headline.caps and not item.people:
        words = frozenset(item.headline.key.split())
        return bool(entry.people()) and not any(p & words for p in entry.people())
    if item.people and not entry.people() and all(m.headline.caps for m in entry.members):
        words = frozenset(w for m in entry.members for w in m.headline.key.split())
        return not any(p & words for p in item.people)
    return False


def _release_after_arrest(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether the item tells a person's release and the story only that person's arrest, or
    only arrests of people it does not name: the release is news of its own ("Liberan al
    activista Gustavo Lira" after "PNB detiene al activista Gustavo Lira" or "Detienen a
    defensor de DDHH en Anzoátegui"), never an outlet added to the arrest's alert."""
    key = item.headline.key
    if "liber" not in item.headline.events or _found(_ARREST_ACT, key) or _found(_DEMAND, key):
        return False
    if "liber" in entry.headline_union("events"):
        return False
    return _told_of_same_person(item, entry, _ARREST) or all(
        _found(_ARREST_ACT, m.headline.key) and not m.people for m in entry.members)


def _arrest_after_release(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether the item tells a person's arrest and the story only that person's release: "Vuelven
    a detener al activista Gustavo Lira" after "Liberan al activista Gustavo Lira" is the next
    event (the other way round of `_release_after_arrest`)."""
    key = item.headline.key
    if ("liber" in item.headline.events and not _found(REARREST, key)) or not _found(_ARREST_AGAIN, key):
        return False  # ("Detienen nuevamente a X, quien fue liberado…" tells the arrest, naming the release)
    if any(_found(_ARREST_AGAIN, m.headline.key) for m in entry.members):
        return False
    return any("liber" in m.headline.events and _one_person(item, m) for m in entry.members)


# an ordinal instance ("un segundo petrolero", "el tercer ataque", "a second tanker") counts the
# instances of one day too: "otro" may tell today's strike after last week's
_ORDINAL = re.compile(r"\b(?:segund[oa]|tercer[oa]?|cuart[oa]|second|third|fourth)\s+\w")


def _waiting(f: ItemFeatures) -> bool:
    """Relatives waiting outside a prison for releases: a vigil that tells no release done and
    names no one."""
    return "vigil" in f.headline.events and "liber" not in f.done and not f.people


def _release_of_someone(f: ItemFeatures) -> bool:
    return "liber" in f.done and bool(f.people)


def _waiting_beside_release(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether one side is relatives waiting outside a prison and the other, every item of it,
    a named person's release there: the wait goes on when one person walks out ("Familiares de
    presos políticos pasan otra noche frente a Tocorón a la espera de excarcelaciones" is not
    "Excarcelan al hermano de Ramiro Quintana Ledezma tras un año en Tocorón", though both tell
    relatives, a release and the prison)."""
    if _waiting(item):
        return all(_release_of_someone(m) for m in entry.members)
    return _release_of_someone(item) and all(_waiting(m) for m in entry.members)


def _protesting(f: ItemFeatures) -> bool:
    """Relatives or prisoners protesting (a hunger strike, a sit-in, chains) and no release named:
    a protest that celebrates releases, asks for more of them or ends with them ("levantan la
    huelga de hambre tras la excarcelación de dos de ellos") tells of the releases too."""
    return "protest" in f.headline.events and not f.release_said


def _protest_beside_release(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether one side is a protest and the other, every item of it, a release told as done
    and no protest: "Excarcelaron a dos militares presos políticos de Ramo Verde" is news of its
    own, not an outlet added to "Militares detenidos en Ramo Verde inician huelga de hambre",
    though both tell the soldiers, the prison and their detention."""
    if _protesting(item):
        return all(m.released and not _protesting(m) for m in entry.members)
    return item.released and not _protesting(item) and all(_protesting(m) for m in entry.members)


def _second_of_none(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether the item counts another instance ("un segundo petrolero") that no item of the
    story counts: the story is the first one, whenever it began."""
    return _found(_ORDINAL, item.headline.key) and not any(_found(_ORDINAL, m.headline.key) for m in entry.members)


def _other_meeting(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether the item tells a meeting with someone the story's meeting does not name, and the
    story's meeting names someone the item does not: "Landau se reunió con María Corina Machado"
    is not "Landau se reunió con Delcy Rodríguez", though both name Landau."""
    if "reun" not in item.headline.events or len(item.people) < 2:
        return False
    theirs = [p for m in entry.members if "reun" in m.headline.events and len(m.people) >= 2 for p in m.people]
    return bool(theirs) and (
        any(not any(one_name(p, q) for q in theirs) for p in item.people)
        and any(not any(one_name(q, p) for p in item.people) for q in theirs)
    )


def _court(item: ItemFeatures) -> bool:
    key = item.headline.key
    told = "juicio" in item.headline.events or _found(_CHARGED, key)
    return told and not _found(_NOT_YET, key)


def _hearing_after_arrest(item: ItemFeatures, entry: StoryEntry) -> bool:
    """Whether the item tells a person's court step (charges, a hearing) and the story only that
    person's arrest or disappearance: "Imputan terrorismo a Carlos Yépez" after "Ubican en El
    Helicoide a Carlos Yépez" is the next event, the one advocates wait for."""
    if not _court(item) or any(_court(m) for m in entry.members):
        return False
    return _told_of_same_person(item, entry, _HELD)


def _told_of_same_person(item: ItemFeatures, entry: StoryEntry, told: re.Pattern[str]) -> bool:
    """Whether an item of the story tells `told` (an arrest, a disappearance) of a person the
    item names, who is not the one the item credits with saying it ("…, anunció Delcy Rodríguez")."""
    for m in entry.members:
        person = _found(told, m.headline.key) and _one_person(item, m)
        if person and not any(_says(item.headline.key, w) for w in person):
            return True
    return False


def _one_person(a: ItemFeatures, b: ItemFeatures) -> frozenset[str]:
    """A person both headlines name (by two name words, or the whole of a one-word name);
    a headline in capitals names the other's people written in its words."""
    ours = a.people or named_in(a, b.people)
    theirs = b.people or named_in(b, a.people)
    return next((p & q for p in ours for q in theirs if one_name(p, q)), frozenset())


def _says(key: str, word: str) -> bool:
    return re.search(_SAYS + re.escape(word) + r"\b", key) is not None


def _named_speakers(a: ItemFeatures, b: ItemFeatures) -> bool:
    """Whether both speakers are names the headlines give (a person, a group by its name:
    "Human Rights Watch exige…", "Amnistía Internacional exige…"), not one actor called two
    ways ("El canciller", "El Gobierno")."""
    return any(p & a.speaker for p in a.people) and any(q & b.speaker for q in b.people)


def _same_title(a: ItemFeatures, b: ItemFeatures) -> bool:
    """The same title, or the same live page's title with only its day changed ("EN VIVO |
    Excarcelaciones… este lunes", "… este martes": day names and dates are no terms)."""
    return a.headline.key == b.headline.key or (a.headline.live and b.headline.live and a.headline.terms == b.headline.terms)


def _named_apart(ours: Set[str], theirs: Set[str]) -> bool:
    """Both name some (ships, companies, places), and none in common."""
    return bool(ours) and bool(theirs) and ours.isdisjoint(theirs)


def stories_apart(a: StoryEntry, b: StoryEntry) -> bool:
    """Whether two stories name different people, ships, companies or places (each names some,
    none in common): an unnamed item that tells both their kinds of event ("SNTP: nueve
    trabajadores de la prensa han sido detenidos") is no evidence that two journalists' arrests
    are one."""
    people_a, people_b = a.people(), b.people()
    if people_a and people_b and not any(one_name(p, q) for p in people_a for q in people_b):
        return True
    return (
        _named_apart(a.headline_union("vessels"), b.headline_union("vessels"))
        or _named_apart(a.headline_union("orgs"), b.headline_union("orgs"))
        or _named_apart(a.union("places"), b.union("places"))
    )


def conflicts_between(
    item: ItemFeatures, entry: StoryEntry, text: float, figures: set[Any], with_item: ItemFeatures
) -> list[str]:
    """The reasons the story cannot take the item, whatever its score (the module's docstring
    in alerts/stories/match.py lists them); `with_item` is the story's item closest to it."""
    out: list[str] = []
    if _topics_apart(item, entry, text, with_item):
        out.append("topic")
    if _people_apart(item, entry, text, with_item):
        out.append("people")
    out += _names_apart(item, entry)
    out += _figures_apart(item, entry, text, figures)
    out += _voices_apart(item, entry, text, with_item)
    out += _stage_or_release_apart(item, entry, text, with_item)
    out += [reason for told, reason in _NEXT_EVENTS if told(item, entry)]
    if item.another and (item.when - entry.members[0].when >= ANOTHER_GAP or _second_of_none(item, entry)):
        out.append("another instance")  # "incauta otro petrolero" is not the seizure told a day before
    if any(_reused_title(item, m) for m in entry.members):
        out.append("reused title")
    return out


def _topics_apart(item: ItemFeatures, entry: StoryEntry, text: float, with_item: ItemFeatures) -> bool:
    """No topic in common, unless the text is one: the classifier may file one event under
    either topic ("a decree orders the arrest of those who back the US strike"): near-identical
    text, or strong text and two kinds of event."""
    return not item.topics & entry.topics and text < NEAR_IDENTICAL and not (
        text >= STRONG_TEXT and len(item.headline.events & with_item.headline.events - ACTION_BEAT_CONCEPTS) >= 2
    )


def _people_apart(item: ItemFeatures, entry: StoryEntry, text: float, with_item: ItemFeatures) -> bool:
    """Both sides name people, none in common, and their text is under `PEOPLE_TEXT`, or a side
    tells an action of the beat, or both sides' names are known ones; or a release told in
    capitals, of someone the other side does not name."""
    theirs = entry.people()
    if item.people and theirs and not any(one_name(p, q) for p in item.people for q in theirs) and (
        text < PEOPLE_TEXT or (item.headline.events | with_item.headline.events) & ACTION_BEAT_CONCEPTS
        or (names_known(item) and names_known(with_item))
    ):
        return True
    return bool((item.headline.events | with_item.headline.events) & ACTION_BEAT_CONCEPTS) and (
        _unwritten(item, entry) or _caps_apart(item, with_item))


def _names_apart(item: ItemFeatures, entry: StoryEntry) -> list[str]:
    """Ships, companies, places or seas named on both sides, none in common (the story's
    names are gathered only when the item names some: none is no conflict)."""
    out: list[str] = []
    if item.headline.vessels and _named_apart(item.headline.vessels, entry.headline_union("vessels")):
        out.append("vessels")
    if item.headline.orgs and _named_apart(item.headline.orgs, entry.headline_union("orgs")):
        out.append("organisations")  # two companies sanctioned are two stories
    if item.places and _named_apart(item.places, entry.union("places")):
        out.append("places")
    if item.seas and _named_apart(item.seas, entry.union("seas")):
        out.append("seas")  # a strike in the Caribbean and one in the Pacific are two
    return out


def _figures_apart(item: ItemFeatures, entry: StoryEntry, text: float, figures: set[Any]) -> list[str]:
    """Another figure of one kind of event (not an update's, nor a growing tally's told in
    near-identical words), other numbers in the titles, or figures of other kinds of event."""
    out: list[str] = []
    close = text >= TALLY_TEXT
    for event, number in item.figures:
        known = {n for e, n in figures if e == event}
        tally_again = close and event in GROWING_EVENTS
        if known and number not in known and not item.update_cue and not tally_again:
            out.append(f"figure {event} {number}")
    numbers = entry.headline_union("numbers")
    grows = close and any(e in GROWING_EVENTS for e, _ in item.figures)
    if item.headline.numbers and numbers and not item.headline.numbers & numbers and not item.update_cue and not grows:
        out.append("numbers")
    if item.figures and figures and not {e for e, _ in item.figures} & {e for e, _ in figures} and not (
        {n for _, n in item.figures} & {n for _, n in figures}
    ):
        out.append("figure events")
    return out


def _voices_apart(item: ItemFeatures, entry: StoryEntry, text: float, with_item: ItemFeatures) -> list[str]:
    """A headline about someone the story never names, or two speakers."""
    out: list[str] = []
    theirs = entry.people()
    if item.subject and theirs and text < STRONG_TEXT and not any(item.subject & q for q in theirs):
        out.append("subject")  # the headline is about someone the story never names
    if item.speaker and with_item.speaker and not item.speaker & with_item.speaker and (
        text < STRONG_TEXT or _named_speakers(item, with_item)
    ):
        # two speakers, unless their words are nearly one text: one statement told by
        # outlets that credit it differently ("Trump dice…", "La Casa Blanca afirma…"); two
        # speakers each named by name are two, whatever their words
        out.append("speakers")
    return out


def _stage_or_release_apart(item: ItemFeatures, entry: StoryEntry, text: float, with_item: ItemFeatures) -> list[str]:
    """Another stage of one bill, or one person's release apart from the wave's list that named her."""
    out: list[str] = []
    if item.headline.stage:
        stages = {m.headline.stage for m in entry.members} - {None}
        if stages and item.headline.stage not in stages:
            out.append("law stage")  # a bill passed in first discussion, then in second: two events
    if not item.wave and len(item.people) == 1 and "liber" in item.headline.events and (
        with_item.wave == "list" and text < NEAR_IDENTICAL
    ):
        # the wave's list of first releases names her; her release told on its own is hers
        out.append("one person's release")
    return out


def _reused_title(item: ItemFeatures, m: ItemFeatures) -> bool:
    """The item's outlet gave one of the story's items the same title half a day apart or more."""
    return m.outlet == item.outlet and _same_title(item, m) and abs(item.when - m.when) >= REUSED_TITLE_GAP


# the next event of one person or one place, in the order the reasons are given
_NEXT_EVENTS: tuple[tuple[Callable[[ItemFeatures, StoryEntry], bool], str], ...] = (
    (_other_meeting, "meeting"),  # one envoy's meetings with two people are two meetings
    (_release_after_arrest, "release after arrest"),  # a person freed is news, not an outlet added to the arrest
    (_arrest_after_release, "arrest after release"),  # and so is the person arrested again
    (_hearing_after_arrest, "hearing after arrest"),  # charges or a court hearing are news of their own
    (_waiting_beside_release, "waiting beside a release"),  # the vigil goes on after one person walks out
    (_protest_beside_release, "protest beside a release"),  # a release is not one more report of the strike
)
