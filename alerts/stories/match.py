"""Which recent story a new item belongs to, with the reasons (explainable).

The index holds the stories of the last `story_window` in memory: each story's
member items as term vectors, its people, places, vessels, figures and topics; an
inverted index from terms and entities to stories; and a document-frequency table
over those items, so that a term's weight is its rarity in recent news (TF-IDF,
smoothed as scikit-learn does: idf = ln((N + 1) / (df + 1)) + 1).

For a new item, the stories sharing one of its rarer terms or entities are scored:

    score = text + 0.10 · shared entities (at most 2) + 0.15 · shared figure (or number)
            + 0.05 · a shared kind of event within 12 h − age

where `text` is the best cosine between the item and one of the story's items and
`age` grows past a day without news in the story. A story is ruled out, whatever
its score, when the evidence conflicts (wrong merges are worse than splits):

- `people`: both name people and none of them is the same person;
- `vessels`: both name ships, and different ones;
- `places`: both name specific places (prisons, towns), and none is shared;
- `figure`: a different number for the same event, without wording that updates a
  tally ("suma", "asciende", "verificó"…); `numbers`: the titles state numbers and
  none is the same, without such wording ("mata a 3" and "mata a 4": two strikes);
- `reused title`: the same outlet's same title on another day (a new day's live page);
- `topic`: no topic in common (unless the texts are near-identical);
- `subject`: the item opens with a person the story never names (the judge of a trial is
  not the defendant's hearing);
- `one person's release`: one person's release told on its own, closest to the wave's
  list of first releases that named that person among others;
- `thin`: the item has fewer than two words besides names (a headline of a name).

The item joins the best story scoring at least `THRESHOLD` with at least
`MIN_SHARED` shared non-name terms; otherwise it starts a story. When it also clears
another story by the same kinds of event (a class frame) with no entity in common, the
two are one event told twice, split because the item that links them came later
(a day of feeds read at once): the decision says `merges`, and alerts/stories/assign.py
merges them.

What is compared (an item's features, a story's members) is alerts/stories/features.py;
the conflicts above and the event frames are alerts/stories/conflicts.py.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerts.stories.conflicts import (
    FRAME_HOURS,
    STRONG_TEXT,
    conflicts_between,
    event_frame,
    stories_apart,
)
from alerts.stories.features import (
    ItemFeatures,
    StoryEntry,
    same_acted,
    same_person,
    same_voice,
    word_terms,
)
from alerts.stories.pairs import PAIR_MODEL, PairModel
from alerts.stories.text import (
    ACTION_BEAT_CONCEPTS,
    ALONE_CONCEPTS,
    EVENT_CONCEPTS,
    ONGOING_CONCEPTS,
)

THRESHOLD = 0.40
EXPLAINER_THRESHOLD = 0.75
GENERIC_WEIGHT = 0.5  # idf factor of the beat's own words (what made items relevant)
CENTROID_SHARE = 0.3  # text = share · story centroid + (1 - share) · best single item
MIN_SHARED = 2
ENTITY_BONUS, ENTITY_MAX = 0.10, 2
FIGURE_BONUS = 0.15  # the same figure, or a tally updated ("suma 15" after "suma 14")
TALLY_EVENTS = frozenset({"released", "held", "arrested", "dead"})
AGE_FREE_HOURS, AGE_PENALTY_PER_DAY = 24.0, 0.10
# the same penalty by the story's own age (since its first item): a story kept alive by one
# join a day grows into a saga ("Maduro's indictment" taking in his hearing two days later);
# release waves join by their own rule, not by score, and are not touched
SPAN_FREE_HOURS, SPAN_PENALTY_PER_DAY = 24.0, 0.10
# one kind of event (an event class, not the beat's wording) told again within half a day:
# a hearing announced ("comparecerá ante un tribunal") and then held ("compareció ante la
# Justicia"), the same alerts told by two outlets; a small bonus, every conflict still applies
EVENT_BONUS, EVENT_HOURS = 0.05, 12.0
NUMBER_TEXT = 0.20  # ... between titles that share some wording too (numbers alone recur by chance)
# a topic word this rare in the window ("muerte bajo custodia", "colectivos armados") names a
# kind of event, not the beat: it is evidence like any other word
RARE_TOPIC_SHARE = 0.04
LIVE_EXTRA = 0.05
MAX_MEMBERS = 12  # the first item and the latest ones stand for a long story
COMMON_SHARE = 0.05  # a term in more than this share of stories does not find candidates
MIN_POSTINGS = 50
MAX_CANDIDATES = 16
FRAME_MARGIN = 0.05  # a frame (alerts/stories/conflicts.py) puts the score this far over the threshold
STATEMENT_FRAME_TEXT = 0.06  # below it a statement shares only the person and one class
FRAME_PERSON_STORIES = 1  # ... unless no other story of the day names that person
# one person released (or detained), told again: a frame when at most this many stories of the day
# name the person (the story, and one split from it); 3 gives the same figures, at 5 the measure-only
# windows took wrong merges
RELEASED_PERSON_STORIES = 2
WEAK_JOIN = 0.10  # a join this close to the threshold, on words alone, is weak
CORE_TEXT = 0.20  # the cosine with the story's first item that a weak join telling a new event needs
# one named speaker's statements of a few hours ("Edmundo González lamenta…", then "…: Edmundo
# González exige…"): a frame when the story is the only one of those hours naming the speaker
# and the two statements share some wording besides the name (a speaker with several stories
# says several things)
SPEAKER_HOURS, SPEAKER_TEXT, SPEAKER_STORIES = 6.0, 0.15, 1
# ... and statements of one named speaker whose headlines both name, beside the speaker, the
# occasion they speak at ("Rubio ante el Senado: «…»", "#Ahora Marco Rubio en el Senado: «…»"): one
# appearance told as several statements is one story (the readers' "one court hearing", "the same
# statement by the same actor"), whatever each statement's subject; a speaker's statements of a day
# with no occasion in common are left to the rule above. The occasion is a word of one appearance
# (a hearing, an interview, a speech, a summit), not where the speaker always is or posts ("Trump
# en la Casa Blanca: …", "Trump en Truth Social: …" twice a day are two statements)
OCCASIONS = frozenset({
    "senado", "congreso", "camara", "capitolio", "asamblea", "parlamento", "tribunal", "corte", "audiencia",
    "juicio", "comparecencia", "interpelacion", "entrevista", "discurso", "conferencia", "rueda", "cumbre",
    "foro", "davos", "onu", "oea", "mitin", "acto", "ceremonia", "reunion", "encuentro", "gira",
    "senate", "congress", "hearing", "testimony", "interview", "speech", "summit", "briefing",
    "rally", "meeting",
})

_NO_STORIES: frozenset[int] = frozenset()
THIN = "thin: fewer than two words besides names"


def bridges(signals: dict[str, Any]) -> bool:
    """Whether an item that joins one story tells the event of this other one too, so that
    the two are one story told twice: the same kinds of event (a class frame), no conflict,
    and no entity in common (one person or place in two stories is not evidence that their
    events are one: Maduro's capture, transfer and arrival all name him). A frame of an
    `alone` class only (a death in custody) does not bridge: two such stories of one day were
    kept apart by the people they name, and an unnamed telling cannot say which it is."""
    frame = signals.get("frame") or {}
    if signals.get("conflicts"):
        return False
    if "announced" in frame.get("stage", ()):
        return True  # one law put forward, told in two stories
    classes = set(frame.get("classes") or ())
    return bool(classes - ALONE_CONCEPTS) and not signals.get("entities")


def _situation(signals: Signals) -> bool:
    """Whether a join is by a frame of an ongoing situation (a vigil, a strike: its place, or its
    classes) without wording strong on its own."""
    frame = signals.frame or {}
    kinds = {*frame.get("classes", ()), *frame.get("event", ())}
    return signals.text < STRONG_TEXT and bool(kinds & ONGOING_CONCEPTS)


def _no_conflicts() -> list[str]:
    """The conflicts of a story too far below the threshold to be worked out."""
    return []


class Signals:
    """A candidate story's signals, worked out once and only when asked: most candidates
    are neither the story joined nor among the nearest rejected ones that are stored."""

    __slots__ = ("_build", "_built", "frame", "text")

    def __init__(
        self, build: Callable[[], dict[str, Any]], text: float = 0.0, frame: dict[str, list[str]] | None = None,
    ) -> None:
        self._build: Callable[[], dict[str, Any]] | None = build
        self._built: dict[str, Any] = {}
        self.text = text  # the words' similarity: between two equal scores, the closer wording wins
        # the event frame (the signals' "frame"), known before they are built: ranking the stories
        # the item may join, and the merges' bridges (none without a frame), need no more of them
        self.frame = frame

    def built(self) -> dict[str, Any]:
        if self._build is not None:
            self._built, self._build = self._build(), None
        return self._built


def _tally(item: ItemFeatures, figures: set[Any]) -> list[str]:
    """The item's figures that update a tally the story states ("released 120" after "released
    100"), told as an update."""
    return [
        f"{e} {n}" for e, n in item.figures - figures
        if item.update_cue and e in TALLY_EVENTS and any(e == e2 for e2, _ in figures)
    ] if item.figures else []


def _one_occasion(item: ItemFeatures, entry: StoryEntry, now: datetime) -> dict[str, list[str]] | None:
    """A statement of the same named speaker as one of the story's items within `SPEAKER_HOURS`,
    whose speaker's words (alerts/stories/wave.py speaker_of: "Marco Rubio en el Senado") share
    with that item's a word of an occasion (`OCCASIONS`) besides the speaker's name: the
    occasion both are told at. The country is what is spoken of ("Trump sobre Venezuela: …")."""
    since = now - timedelta(hours=SPEAKER_HOURS)
    names = {w for p in item.people for w in p}
    for m in entry.members:
        both = item.speaker & m.speaker
        occasion = (both - names - {w for p in m.people for w in p}) & OCCASIONS
        if occasion and m.when >= since and both & names:
            return {"speaker": sorted(both & names), "occasion": sorted(occasion)}
    return None


@dataclass(slots=True)
class _Scored:
    """A candidate story at or above the floor, as `StoryIndex._score` measured it: the shared
    terms, the evidence and the conflicts worked out once and only when asked (a candidate
    under the threshold needs them only among the nearest stored), the signals from them."""

    index: StoryIndex
    item: ItemFeatures
    entry: StoryEntry
    a_norm: float
    with_item: ItemFeatures
    best: float
    centroid: float
    text: float
    ents: set[str]
    figures: set[Any]
    same_figures: set[Any]
    tally: list[str]
    numbers: Any  # the item's numbers a story's title states (falsy when none)
    hours: float
    span: float
    score: float
    told_again: bool
    frame: dict[str, list[str]] | None
    found: tuple[set[str], int, list[str]] | None = None

    def conflicts(self) -> list[str]:
        return self.evidence_and_conflicts()[2]

    def evidence_and_conflicts(self) -> tuple[set[str], int, list[str]]:
        """The shared terms, the evidence and the conflicts."""
        if self.found is None:
            shared = self._shared()
            evidence = self._evidence(shared)
            self.found = (shared, evidence, self._conflicts(evidence))
        return self.found

    def _shared(self) -> set[str]:
        item, with_item = self.item, self.with_item
        if with_item.headline.key == item.headline.key:
            return set(item.tf)
        return item.tf.keys() & with_item.tf.keys()

    def _evidence(self, shared: set[str]) -> int:
        """The shared words that count, and one for each of: a name, an entity, a figure, a frame."""
        item = self.item
        # an event class (a meeting, a seizure, a vigil) is evidence even when it is also a
        # topic word; the beat's own words (releases, the United States) are not
        generic = self.index.generic
        rare_df = RARE_TOPIC_SHARE * self.index.docs
        df = self.index.df
        plain = sum(
            1 for t in shared if t not in item.name_terms and (
                t not in generic or t in EVENT_CONCEPTS or df.get(t, 0) <= rare_df)
        )
        return (
            plain + bool(shared & item.name_terms) + bool(self.ents)
            + bool(self.same_figures or self.tally) + bool(self.frame)
        )

    def _conflicts(self, evidence: int) -> list[str]:
        """`conflicts_between`'s, and those of the story's evidence and core."""
        item, entry, with_item, text = self.item, self.entry, self.with_item, self.text
        conflicts = conflicts_between(item, entry, text, self.figures, with_item)
        if evidence < MIN_SHARED and text < STRONG_TEXT:
            conflicts.append("few shared words")
        if with_item.headline.key != item.headline.key and all(
            not m.headline.events and m.informative < MIN_SHARED for m in entry.members
        ):
            # a story of bare names ("Perkins Rocha") takes no telling of an event: the event's
            # own story does ("PERKINS ROCHA EXCARCELADO…" had joined the name, apart from it);
            # a name and its event ("Roland Carreño sale en libertad") is a story to join
            conflicts.append("thin story")
        if self._off_core():
            conflicts.append("off the story's core")
        return conflicts

    def _off_core(self) -> bool:
        """A weak join by one item of a long story, of a headline that tells a kind of event
        the story never told ("Maduro llegó a una base militar de Nueva York" joining the
        capture's story by "dictador Nicolás Maduro"): it must reach the story's first item
        too, or one weak link chains another event's items into the story."""
        item, entry = self.item, self.entry
        if (
            len(entry.members) <= 1 or self.frame or self.same_figures or self.tally
            or self.score >= THRESHOLD + WEAK_JOIN or not item.headline.events
            or item.headline.events & entry.headline_union("events")
        ):
            return False
        first = entry.members[0]
        core = 1.0 if first is self.with_item else self.index.cosine(item.tf, first.tf, self.a_norm)
        return core < CORE_TEXT

    def signals(self) -> dict[str, Any]:
        """The signals the decision records (the story joined, the nearest ones rejected)."""
        shared, evidence, conflicts = self.evidence_and_conflicts()
        item, entry, with_item = self.item, self.entry, self.with_item
        signals: dict[str, Any] = {
            "text": round(self.text, 3), "best_item": round(self.best, 3), "centroid": round(self.centroid, 3),
            "terms": sorted(shared, key=self.index.idf, reverse=True)[:8], "entities": sorted(self.ents),
            "figures": [f"{e} {n}" for e, n in sorted(self.same_figures)], "tally": sorted(self.tally),
            "topics": sorted(item.topics & entry.topics), "hours": round(self.hours, 1),
            "story_hours": round(self.span, 1),
            "with_item": with_item.item_id,
            "evidence": evidence, "events": sorted(item.headline.events & entry.headline_union("events")),
        }
        if self.numbers:
            signals["numbers"] = sorted(self.numbers)
        if self.told_again:
            signals["told_again"] = EVENT_BONUS
        if with_item.outlet == item.outlet:
            signals["same_outlet"] = True
        if self.frame:
            signals["frame"] = self.frame
        if conflicts:
            signals["conflicts"] = conflicts
        return signals


@dataclass
class Decision:
    story_id: int | None
    score: float
    signals: dict[str, Any]


@dataclass(frozen=True)
class Near:
    """A story close to another one (`StoryIndex.nearest`): its score and signals."""

    story_id: int
    score: float
    signals: dict[str, Any]


def _member_order(m: ItemFeatures) -> tuple[datetime, datetime, int]:
    return m.when, m.placed or m.when, m.item_id


class StoryIndex:
    """Recent stories in memory, with an inverted index and a document-frequency table."""

    def __init__(self) -> None:
        self.stories: dict[int, StoryEntry] = {}
        self.postings: dict[str, set[int]] = {}
        self.df: Counter[str] = Counter()
        self.docs = 0
        self.max_story_id = 0
        self.max_item_id = 0
        self.fixes_seen = 0  # the last operator split or merge (feedback id) this index holds
        # the beat's own words (the rule terms that made the held items relevant), each with how
        # many held items it made relevant: like `df`, it forgets the items the index forgets
        self.generic: Counter[str] = Counter()
        self.waves: Counter[int] = Counter()  # story id → its wave items
        self._by_waves: dict[int, set[int]] = {}  # wave items → the stories with that many
        self._idf: dict[str, float] = {}  # cleared whenever the table changes
        # likewise: vector norms by id() of the vector, kept with the vector itself so that
        # a vector freed (a story's centroid recomputed) never lends its norm to a new one
        self._norms: dict[int, tuple[dict[str, int], float]] = {}
        self._expired_at: datetime | None = None
        # the index holds every story with an item since then; older ones may have been forgotten
        # (the latest expiry's cutoff, or the time since which a late item's stories were reloaded)
        self.horizon: datetime | None = None
        self._changes = 0
        self.synced_at = 0.0  # time.monotonic() of the last look at the database
        self.turn = 0  # PostgreSQL: the story clock's number of this index's last placement
        self.floor = THRESHOLD - 0.1
        self._pairs: PairModel | None = None
        self.pairs = PAIR_MODEL
        self.trace: list[dict[str, Any]] | None = None  # every scored pair, when set (training)

    @property
    def pairs(self) -> PairModel | None:
        """The learned pair scorer (alerts/stories/pairs.py), or None: the rules alone."""
        return self._pairs

    @pairs.setter
    def pairs(self, model: PairModel | None) -> None:
        self._pairs = model
        # below this score a candidate's signals are not worked out (it cannot join)
        self.floor = THRESHOLD - 0.1 if model is None else min(THRESHOLD - 0.1, model.floor)

    # -- maintenance -----------------------------------------------------------------

    def add_story(self, entry: StoryEntry) -> None:
        self.stories[entry.id] = entry
        self.max_story_id = max(self.max_story_id, entry.id)
        members, entry.members = entry.members, []
        for m in members:
            self.add_member(entry.id, m)

    def add_member(self, story_id: int, m: ItemFeatures) -> None:
        entry = self.stories[story_id]
        entry.memo.clear()
        # in the matcher's time, then as placed: the order of an index rebuilt from the database
        # too, so that the first item, and the members the cap keeps, are the same after a restart
        bisect.insort(entry.members, m, key=_member_order)
        entry.items.add(m.item_id)
        self._count(m, +1)
        if len(entry.members) > MAX_MEMBERS:
            # keep the first item and the latest (the earliest and the MAX_MEMBERS - 1 latest,
            # whatever order they were added in: an item older than the story's second may be
            # the one dropped, counted first so that the tables never go under nothing)
            self._count(entry.members.pop(1), -1)
        entry.last = max(entry.last, m.when)
        entry.topics |= m.topics
        if m.wave:
            self._set_waves(story_id, self.waves[story_id] + 1)
        self.max_item_id = max(self.max_item_id, m.item_id)
        keys = [*m.tf, *("e:" + e for e in m.entities), "k:" + m.headline.key]
        for key in keys:
            self.postings.setdefault(key, set()).add(story_id)
        entry.posted.update(keys)

    def remove_member(self, story_id: int, item_id: int) -> None:
        entry = self.stories.get(story_id)
        if entry is None:
            return
        entry.memo.clear()
        entry.items.discard(item_id)
        for m in [m for m in entry.members if m.item_id == item_id]:
            entry.members.remove(m)
            self._count(m, -1)
            if m.wave:
                self._set_waves(story_id, self.waves[story_id] - 1)
        self._reindex(entry)

    def _set_waves(self, story_id: int, n: int) -> None:
        old = self.waves.get(story_id, 0)
        if old:
            peers = self._by_waves[old]
            peers.discard(story_id)
            if not peers:
                del self._by_waves[old]
        if n > 0:
            self.waves[story_id] = n
            self._by_waves.setdefault(n, set()).add(story_id)
        else:
            self.waves.pop(story_id, None)

    def merge_story(self, keep: int, gone: int) -> None:
        """Move the members of story `gone` into story `keep` (alerts/stories/assign.py merged them)."""
        entry = self.stories.get(gone)
        if entry is None or keep not in self.stories:
            return
        members = list(entry.members)
        self.remove_story(gone)
        for m in sorted(members, key=lambda m: m.when):
            self.add_member(keep, m)
        self.stories[keep].items |= entry.items  # the members the cap had dropped moved too

    def remove_story(self, story_id: int) -> None:
        entry = self.stories.pop(story_id, None)
        self._set_waves(story_id, 0)
        if entry is None:
            return
        for m in entry.members:
            self._count(m, -1)
        for key in entry.posted | entry.index_keys():
            ids = self.postings.get(key)
            if ids is not None:
                ids.discard(story_id)
                if not ids:
                    del self.postings[key]

    def expire(self, oldest: datetime) -> None:
        """Forget the stories with no item since `oldest` (checked at most once a minute)."""
        if self.horizon is None or oldest > self.horizon:
            self.horizon = oldest
        if self._expired_at is not None and abs(oldest - self._expired_at) < timedelta(minutes=1):
            return
        self._expired_at = oldest
        for sid in [s.id for s in self.stories.values() if s.last < oldest]:
            self.remove_story(sid)

    def _reindex(self, entry: StoryEntry) -> None:
        keys = entry.index_keys()
        for key, ids in list(self.postings.items()):
            if entry.id in ids and key not in keys:
                ids.discard(entry.id)
                if not ids:
                    del self.postings[key]
        entry.posted &= keys

    def _count(self, m: ItemFeatures, sign: int) -> None:
        # weights follow the table, refreshed once it has moved by 2 % (every change while small)
        self._changes += 1
        if self._changes >= max(1, self.docs // 50):
            self._changes = 0
            self._idf.clear()
            self._norms.clear()
        self.docs += sign
        for t in m.tf:
            self.df[t] += sign
            if self.df[t] <= 0:
                del self.df[t]
        for t in m.generic:
            held = self.generic[t] + sign
            if held > 0:
                self.generic[t] = held
            else:
                del self.generic[t]
            if (held == 1) if sign > 0 else (held <= 0):
                self._idf.pop(t, None)  # a word of the beat now, or no longer: its weight changed

    # -- scoring ---------------------------------------------------------------------

    def idf(self, term: str) -> float:
        cached = self._idf.get(term)
        if cached is None:
            cached = math.log((self.docs + 1) / (self.df.get(term, 0) + 1)) + 1.0
            if term in self.generic:
                cached *= GENERIC_WEIGHT
            self._idf[term] = cached
        return cached

    def _norm(self, tf: dict[str, int], *, cache: bool = True) -> float:
        """A vector's norm; stored vectors' norms are kept until the table changes."""
        if cache:
            kept = self._norms.get(id(tf))
            if kept is not None and kept[0] is tf:
                return kept[1]
        # the weights read from the idf table directly (`self.idf` only for those not in it yet):
        # the same squares summed in the same order as `sum((n * self.idf(t)) ** 2 …)`
        idf, weight = self._idf, self.idf
        norm = math.sqrt(sum([(n * (idf.get(t) or weight(t))) ** 2 for t, n in tf.items()])) or 1.0
        if cache:
            self._norms[id(tf)] = (tf, norm)
        return norm

    def cosine(self, a: dict[str, int], b: dict[str, int], a_norm: float) -> float:
        dot, idf, get = 0.0, self._idf, b.get
        for t, n in a.items():
            m = get(t)
            if m:
                w = idf.get(t) or self.idf(t)
                dot += n * m * w * w
        return dot / (a_norm * self._norm(b)) if dot else 0.0

    def candidates(self, item: ItemFeatures) -> list[int]:
        """The stories sharing the item's rarer terms, entities or exact title; the
        `MAX_CANDIDATES` with the most rare weight in common are scored in full."""
        limit = max(MIN_POSTINGS, int(COMMON_SHARE * len(self.stories)))
        weight: dict[int, float] = {}
        for key in [*item.tf, *("e:" + e for e in item.entities), "k:" + item.headline.key]:
            ids = self.postings.get(key)
            if not ids or len(ids) > limit:
                continue
            w = 10.0 if key.startswith("k:") else self.idf(key) if key in self.df else 1.0
            # each story's weight plus w, mostly in C: the key's stories at w (0.0 + w), in the set's
            # order, those weighed already at their weight plus w; the same sums, and the same order
            # of first appearance, as a loop over the stories
            added = dict.fromkeys(ids, w)
            for sid in weight.keys() & added.keys():
                added[sid] = weight[sid] + w
            weight.update(added)
        if len(weight) <= MAX_CANDIDATES:
            return list(weight)
        # what heapq.nlargest returns (ties in first-seen order), sorted in C
        return sorted(weight, key=weight.__getitem__, reverse=True)[:MAX_CANDIDATES]

    def decide(self, item: ItemFeatures, *, now: datetime, window: timedelta) -> Decision:
        """The best story for `item` (or None) and the signals behind the choice."""
        wave = self._wave(item, now=now, window=window)
        if wave is not None:
            return wave
        # a headline of a name and at most one word ("Roland Carreño sale en libertad") joins only
        # the story of that person's same kind of event (a person frame); a bare name joins none
        thin = item.informative < MIN_SHARED
        if thin and not (item.people and item.headline.events):
            return Decision(None, 0.0, {"decision": "new", "reason": THIN})
        a_norm = self._norm(item.tf, cache=False)
        base = THRESHOLD + (LIVE_EXTRA if item.headline.live else 0.0)
        best: tuple[float, int, Signals] | None = None
        best_rank: tuple[bool, float, float] = (False, 0.0, 0.0)
        cleared: list[tuple[float, int, Signals]] = []  # every story the item may join
        rejected: list[tuple[float, int, Signals]] = []
        since, until = now - window, now + window
        for sid in self.candidates(item):
            entry = self.stories.get(sid)
            if entry is None or entry.last < since or entry.members[0].when > until:
                # (None: a key left pointing at a forgotten story; the upkeep should not leave one.
                # A story begun more than a window after the item is another event's: an older
                # item classified late, when a poll could not store a whole backlog at once)
                continue
            score, conflicts, signals = self._score(item, entry, a_norm, now)
            if signals is None:
                continue  # far below the threshold: nothing to say
            if self.trace is not None:
                self.trace.append({"item": item.item_id, "story": sid, "score": round(score, 3), **signals.built()})
            threshold = EXPLAINER_THRESHOLD if item.explainer or entry.members[0].explainer else base
            if score < threshold and self._pairs is not None and not conflicts():
                # the learned pair scorer decides the band just below the threshold
                p = self._pairs.probability(signals.built())
                if p >= self._pairs.threshold and score >= self._pairs.floor:
                    signals.built()["learned"] = round(p, 3)
                    score = threshold
            if score < threshold:
                if score >= THRESHOLD - 0.1 or conflicts():
                    rejected.append((score, sid, signals))
                continue
            if conflicts() or (thin and "person" not in (signals.built().get("frame") or {})):
                rejected.append((score, sid, signals))
                continue
            cleared.append((score, sid, signals))
            # two stories lifted to the same score by a frame: the one told in closer words; an
            # ongoing situation at its place (a vigil's second night) before a story it shares
            # only some words and a place with
            rank = (_situation(signals), score, signals.text)
            if best is None or rank > best_rank:
                best, best_rank = (score, sid, signals), rank
        # the signals of the stories that are not kept are never worked out
        nearest = [
            {"story": sid, "score": round(score, 3), **signals.built()}
            for score, sid, signals in heapq.nlargest(3 if best is None else 2, rejected, key=lambda r: r[0])
        ]
        if best is None:
            why = {"reason": THIN} if thin else {}
            return Decision(None, 0.0, {"decision": "new", "threshold": THRESHOLD, **why, "nearest": nearest})
        score, sid, signals = best
        joined = {
            "decision": "joined", "story": sid, "score": round(score, 3), "threshold": THRESHOLD,
            **signals.built(), "rejected": nearest,
        }
        merges = [
            {"story": other, "score": round(s, 3), "frame": sig.built()["frame"]}
            for s, other, sig in cleared
            if other != sid and sig.frame and bridges(sig.built())
            and not stories_apart(self.stories[sid], self.stories[other])
        ]
        if merges:
            joined["merges"] = merges
        return Decision(sid, score, joined)

    def nearest(self, story_id: int, *, window: timedelta, n: int = 3) -> list[Near]:
        """The `n` stories closest to `story_id` however far below the threshold, closest
        first: what an operator who sees one event told in two alerts is offered to merge
        (`/merge` without a story). Each of the story's items is scored against the
        stories of a `window` around the story, as a new item would be; a story's best
        score stands for it, and its signals say what the rules see in common or against."""
        entry = self.stories.get(story_id)
        if entry is None:
            return []
        since, until = entry.members[0].when - window, entry.last + window
        best: dict[int, tuple[float, Signals | None]] = {}
        for m in entry.members:
            a_norm = self._norm(m.tf, cache=False)
            for sid in self.candidates(m):
                other = self.stories.get(sid)
                if sid == story_id or other is None or other.last < since or other.members[0].when > until:
                    continue
                score, _, signals = self._score(m, other, a_norm, max(m.when, other.last), floor=-math.inf)
                if sid not in best or score > best[sid][0]:
                    best[sid] = (score, signals)
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)[:n]
        return [Near(sid, round(score, 3), signals.built() if signals else {}) for sid, (score, signals) in ranked]

    def _wave(self, item: ItemFeatures, *, now: datetime, window: timedelta) -> Decision | None:
        """A wave item joins the current wave: the recent story with the most wave items
        (the latest on a tie) that shares a topic with it."""
        if not item.wave:
            return None
        cutoff, until = now - window, now + window
        found: tuple[int, datetime, int] | None = None
        for count in sorted(self._by_waves, reverse=True):  # the most wave items first
            latest = self._latest(self._by_waves[count], cutoff=cutoff, until=until, topics=item.topics)
            if latest is not None:
                found = (count, *latest)
                break
        if found is None:
            return None
        n, last, sid = found
        hours = max(0.0, (now - last).total_seconds() / 3600)
        return Decision(sid, 1.0, {
            "decision": "joined", "story": sid, "score": 1.0, "threshold": THRESHOLD,
            "wave": item.wave, "wave_items": n, "topics": sorted(item.topics & self.stories[sid].topics),
            "hours": round(hours, 1),
        })

    def _latest(
        self, ids: Iterable[int], *, cutoff: datetime, until: datetime, topics: frozenset[str],
    ) -> tuple[datetime, int] | None:
        """The latest of stories `ids` (then the highest id) with an item since `cutoff`, begun by
        `until` and sharing one of `topics`, as (its last item's time, its id)."""
        stories = self.stories
        recent = [(s.last, sid) for sid in ids if (s := stories.get(sid)) is not None and s.last >= cutoff]
        if not recent:
            return None

        def qualifies(latest: tuple[datetime, int]) -> bool:
            s = stories[latest[1]]
            return bool(s.topics & topics) and s.members[0].when <= until

        # the latest one nearly always qualifies: max() finds it without sorting them all
        top = max(recent)
        if qualifies(top):
            return top
        return next((latest for latest in sorted(recent, reverse=True) if qualifies(latest)), None)

    def _score(
        self, item: ItemFeatures, entry: StoryEntry, a_norm: float, now: datetime, floor: float | None = None,
    ) -> tuple[float, Callable[[], list[str]], Signals | None]:
        """The score, the conflicts and the signals of one story, the last two worked out
        when asked; no signals when the story is far below the threshold (under `floor`,
        by default the index's)."""
        floor = self.floor if floor is None else floor
        best, with_item = self._closest(item, entry, a_norm)
        if with_item is None:
            return 0.0, _no_conflicts, None
        if len(entry.members) == 1 and best < 1.0:
            centroid = best  # a story of one item is its own centroid
        else:
            centroid = self.cosine(item.tf, entry.centroid(), a_norm)
        text = CENTROID_SHARE * centroid + (1 - CENTROID_SHARE) * best
        ents = item.entities & entry.union("entities")
        figures = entry.union("figures")
        same_figures = item.figures & figures
        # (each "x if x > 0.0 else 0.0" is max(0.0, x), without the call: it runs for every candidate)
        hours = (now - entry.last).total_seconds() / 3600
        hours = hours if hours > 0.0 else 0.0
        span = (now - entry.members[0].when).total_seconds() / 3600
        span = span if span > 0.0 else 0.0
        age = (hours - AGE_FREE_HOURS if hours > AGE_FREE_HOURS else 0.0) / 24 * AGE_PENALTY_PER_DAY
        age += (span - SPAN_FREE_HOURS if span > SPAN_FREE_HOURS else 0.0) / 24 * SPAN_PENALTY_PER_DAY
        tally = _tally(item, figures)
        # (the item's numbers that one of the story's titles states: the union of their numbers)
        numbers = item.big_numbers and text >= NUMBER_TEXT and item.big_numbers & entry.headline_union("numbers")
        score = text + ENTITY_BONUS * min(len(ents), ENTITY_MAX) + (
            FIGURE_BONUS if same_figures or tally or numbers else 0.0) - age
        # (worked out only where the bonus can matter: most candidates are far below)
        told_again = score + EVENT_BONUS >= floor and hours <= EVENT_HOURS and bool(
            item.headline.events and item.headline.events & entry.headline_union("events") - ACTION_BEAT_CONCEPTS
        )
        if told_again:
            score += EVENT_BONUS
        if same_figures and ents and (any(n > 1 for _, n in same_figures) or len(ents) >= 2):
            # the same figure told by the same actors, in any language (names and numbers
            # do not depend on it): the first matcher's rule, which never merged wrongly
            score = max(score, THRESHOLD + FIGURE_BONUS)
        frame = self._frame(item, entry, text, hours, now)
        if frame:
            score = max(score, THRESHOLD + FRAME_MARGIN)
        if score < floor:
            return score, _no_conflicts, None  # far below: no need to say why
        scored = _Scored(
            self, item, entry, a_norm, with_item, best, centroid, text, ents, figures, same_figures, tally,
            numbers, hours, span, score, told_again, frame,
        )
        return score, scored.conflicts, Signals(scored.signals, text, frame)

    def _closest(self, item: ItemFeatures, entry: StoryEntry, a_norm: float) -> tuple[float, ItemFeatures | None]:
        """The story's item closest to `item` and their similarity (0.0 and None when none is)."""
        best, with_item = 0.0, None
        for m in entry.members:
            # the same words (whatever language the feed claims) are the same title
            cos = 1.0 if m.headline.key == item.headline.key else self.cosine(item.tf, m.tf, a_norm)
            if cos > best:
                best, with_item = cos, m
        return best, with_item

    def _frame(
        self, item: ItemFeatures, entry: StoryEntry, text: float, hours: float, now: datetime,
    ) -> dict[str, list[str]] | None:
        """The event frame that lifts the story to the threshold, if any: the item's and the
        story's (`event_frame`), else one person's release, else one speaker's statements."""
        frame = event_frame(item, entry, hours)
        if frame and "person" in frame and item.speaker and text < STATEMENT_FRAME_TEXT and (
            not self._naming(frame["person"], now - timedelta(hours=FRAME_HOURS), FRAME_PERSON_STORIES, every=False)
        ):
            # a speaker's words that share only the person and one kind of event with what the
            # speaker did ("Trump: 'listos para una segunda ola de ataques'" and "Trump ordenó
            # los ataques") are not that event: a statement needs some wording in common too
            frame = None
        if not frame and (item.people or item.headline.caps) and item.headline.events & ACTION_BEAT_CONCEPTS \
                and hours <= FRAME_HOURS:
            frame = self._released_person(item, entry, now)
        if not frame and item.speaker and text >= SPEAKER_TEXT and hours <= SPEAKER_HOURS:
            frame = self._one_speaker(item, entry, now)
        if not frame and hours <= SPEAKER_HOURS and not OCCASIONS.isdisjoint(item.speaker):
            frame = _one_occasion(item, entry, now)
        return frame

    def _one_speaker(self, item: ItemFeatures, entry: StoryEntry, now: datetime) -> dict[str, list[str]] | None:
        """A statement of the same named speaker as one of the story's items within
        `SPEAKER_HOURS`, when no other story of those hours names the speaker: Rubio's
        interview told as three statements is one story; Trump's statements of a day, each
        in its own story, are not one."""
        since = now - timedelta(hours=SPEAKER_HOURS)
        for m in entry.members:
            both = item.speaker & m.speaker
            if not both or m.when < since or not any(both & p for p in item.people):
                continue
            if not item.tf.keys() & m.tf.keys() - item.name_terms - m.name_terms:
                continue  # the speaker's name is all they share: another subject
            if self._naming(both, since, SPEAKER_STORIES):
                return {"speaker": sorted(both)}
        return None

    def _released_person(self, item: ItemFeatures, entry: StoryEntry, now: datetime) -> dict[str, list[str]] | None:
        """The same person released (or detained) as in one of the story's items, when few
        stories of the day name that person (`RELEASED_PERSON_STORIES`): one release told by
        several outlets ("Excarcelan a X", "X sale en libertad tras…"). A person named in
        more stories (a leader whose release is demanded, reported and commented) is left to
        the words."""
        if not item.topics & entry.topics:
            return None
        mine = item.headline.events & ACTION_BEAT_CONCEPTS
        if item.reacts:
            return None  # "X exige celeridad en las excarcelaciones" is X's statement
        for m in entry.members:
            classes = mine & m.headline.events
            if not classes or m.reacts or not same_voice(item, m):
                continue
            acted = ("liber" in classes and same_acted(item.freed, m.freed)) or (
                "deten" in classes and same_acted(item.detained, m.detained))
            if acted:
                return {"person": sorted(acted), "event": sorted(classes), "told_done": True}
            if classes & item.done & m.done:
                continue  # both tell who was freed (or arrested), and not the same people
            person = same_person(item, m)
            if person and self._naming(person, now - timedelta(hours=FRAME_HOURS), RELEASED_PERSON_STORIES, every=False):
                return {"person": sorted(person), "event": sorted(classes)}
        return None

    def _naming(self, words: Iterable[str], since: datetime, limit: int, *, every: bool = True) -> bool:
        """Whether at most `limit` stories with an item since `since` name every one of
        `words` (or any of them); counted only as far as the limit."""
        postings = [self.postings.get(t, _NO_STORIES) for word in words for t in word_terms(word, "es")]
        if every:
            postings.sort(key=len)
            ids: Iterable[int] = (sid for sid in postings[0] if all(sid in p for p in postings[1:])) if postings else ()
        else:
            ids = (sid for p in postings for sid in p)
        stories, seen = self.stories, set()
        for sid in ids:
            entry = stories.get(sid)
            if entry is not None and entry.last >= since and sid not in seen:
                seen.add(sid)
                if len(seen) > limit:
                    return False
        return True
