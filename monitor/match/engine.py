"""The classifier: every term of every topic and every entity alias in one Aho-Corasick
automaton, one pass per field, then cheap set logic per topic.

Cost per item is one scan of each field plus work proportional to the hits, so it
stays nearly flat as operators add terms. The automaton is only read after
construction, so `classify` is reentrant and safe to call from several threads.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from core.count import Count
from core.rules import EntitySpec, TopicRules
from core.terms import ParsedTerm, parse_term
from core.text import clean_field, haystack
from monitor.match.counts import extract_counts
from monitor.match.entities import EntityTable
from monitor.match.learned import RelevanceModel, model_text
from monitor.match.people import TOPIC as WATCHED_TOPIC
from monitor.match.people import WatchedPeople
from monitor.match.urgency import decide_urgency

FIELDS = ("title", "summary", "text")
MAX_HITS = 64  # per term and field, bounds `near` work on huge texts

Hit = tuple[int, int, int]  # (field index, start offset in the haystack, words)
_SPACE = re.compile(" ")  # words are one space apart in a haystack


@dataclass
class Classification:
    topics: list[str] = field(default_factory=list)
    urgency: str = "low"
    matches: dict[str, list[str]] = field(default_factory=dict)
    explain: dict[str, list[dict]] = field(default_factory=dict)
    entities: list[dict] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    decided_by: dict[str, str] = field(default_factory=dict)  # topic -> "rules" | "model"
    scores: dict[str, float] = field(default_factory=dict)  # topic -> model score, when asked
    # where the item itself says it happens: "venezuela" (a Venezuelan entity named), "elsewhere"
    # (another country named, not as people's nationality) or "" (neither); a feed's share of
    # Venezuelan items is counted from it (monitor/match/feed_place.py)
    place: str = ""

    def to_json(self, id: str | None, *, rules: bool = False) -> dict:  # noqa: A002 - the contract's key name
        """The `monitor classify` output line (README.md, "Command line") as a dict; `rules`
        adds each count's rule (--explain)."""
        return {
            "id": id,
            "topics": list(self.topics),
            "urgency": self.urgency,
            "matches": {t: list(v) for t, v in self.matches.items()},
            "entities": [dict(e) for e in self.entities],
            "counts": [c.as_dict(rule=rules) for c in self.counts],
        }


# The United States as the place an item happens in (folded haystack: "EE. UU." is " ee uu ").
_IN_THE_US = re.compile(
    r" (?:en|in|de|desde|from|at) (?:el |los |the )?(?:ee uu|eeuu|estados unidos|u s|us|united states"
    r"|nueva york|new york|miami|florida|texas|washington|brooklyn|manhattan|california|chicago"
    r"|minnesota|luisiana|louisiana|arizona|nueva jersey|new jersey|los angeles|houston|el paso"
    r"|atlanta|georgia|carolina del norte|north carolina|illinois|massachusetts|boston) "
)


@dataclass(frozen=True)
class _Near:
    a: tuple[int, ...]
    b: tuple[int, ...]
    within: int
    context_required: str | None = None


_NO_CONTEXT = frozenset({"if_foreign", "never"})  # rules satisfied without Venezuelan context
_NO_CONTEXT_FOREIGN = frozenset({"never"})  # ... when a foreign entity is named


@dataclass(frozen=True)
class _Topic:
    name: str
    any: tuple[int, ...]
    all: tuple[tuple[int, ...], ...]
    near: tuple[_Near, ...]
    context: tuple[int, ...]
    context_required: str
    none: tuple[int, ...]
    urgent: tuple[int, ...]
    urgent_with_person: tuple[int, ...]
    context_rules: frozenset[str] = frozenset()  # the topic's rule and its pairs' overrides
    feed_context: bool = False  # a feed about Venezuela lends its context (TopicRules.feed_context)


class _Item:
    """Per-call state: haystacks and hits. Never shared between calls."""

    __slots__ = ("raw", "hay", "hits", "_spaces")

    def __init__(self, raw: list[str]) -> None:
        self.raw = raw
        self.hay = [haystack(v) if v else " " for v in raw]
        self.hits: dict[int, list[Hit]] = {}
        self._spaces: dict[int, list[int]] = {}

    def word_index(self, f: int, start: int) -> int:
        """The words before `start` in field `f` (its spaces, found once a field: counted from
        the field's start for each hit, a 137,000-character text cost a scan of it a hit)."""
        spaces = self._spaces.get(f)
        if spaces is None:
            spaces = self._spaces[f] = [m.start() for m in _SPACE.finditer(self.hay[f])]
        return bisect_left(spaces, start)


class _Tables:
    """The rules compiled: every term parsed once, the topics as term ids, the automaton.

    Only read after construction, so one set serves every classifier of the same rules."""

    def __init__(self, topics: dict[str, TopicRules], entities: list[EntitySpec]) -> None:
        self.terms: list[ParsedTerm] = []
        self._ids: dict[str, int] = {}
        self.entities = EntityTable(entities, self._tid)
        self.topics = [self._compile_topic(name, rules) for name, rules in topics.items()]
        self.entities.bind_refs(
            {tid: t.entity for tid, t in enumerate(self.terms) if t.entity is not None}
        )
        self.all_context = frozenset(t for tp in self.topics for t in tp.context)
        self.sets = {
            tp.name: {"any": frozenset(tp.any), "all": [frozenset(g) for g in tp.all],
                      "none": frozenset(tp.none), "context": frozenset(tp.context)}
            for tp in self.topics
        }
        # per topic: each near pair as (a terms, b terms, within, its context rule), and the
        # union of the pairs' a terms, so an item naming none of them skips the pairs at once
        self.nears = {
            tp.name: [(frozenset(n.a), frozenset(n.b), n.within, n.context_required or tp.context_required)
                      for n in tp.near]
            for tp in self.topics
        }
        self.near_a = {
            tp.name: frozenset(t for n in tp.near for t in n.a) for tp in self.topics
        }
        self.automaton = self._build_automaton()
        self.watch_topic = next((tp for tp in self.topics if tp.name == WATCHED_TOPIC), None)

    def _tid(self, raw: str) -> int:
        tid = self._ids.get(raw)
        if tid is None:
            tid = self._ids[raw] = len(self.terms)
            self.terms.append(parse_term(raw))
        return tid

    def _tids(self, raws: list[str]) -> tuple[int, ...]:
        return tuple(dict.fromkeys(self._tid(r) for r in raws))

    def _compile_topic(self, name: str, rules: TopicRules) -> _Topic:
        return _Topic(
            name=name,
            any=self._tids(rules.any),
            all=tuple(self._tids(g) for g in rules.all),
            near=tuple(_Near(self._tids(n.a), self._tids(n.b), n.within, n.context_required)
                       for n in rules.near),
            context=self._tids(rules.context),
            context_required=rules.context_required,
            none=self._tids(rules.none),
            urgent=self._tids(rules.urgent),
            urgent_with_person=self._tids(rules.urgent_with_person),
            context_rules=frozenset(
                [rules.context_required] + [n.context_required for n in rules.near if n.context_required]
            ),
            feed_context=rules.feed_context,
        )

    def _build_automaton(self) -> ahocorasick.Automaton | None:
        by_key: dict[str, list[int]] = {}
        for tid, term in enumerate(self.terms):
            for key in term.keys:
                by_key.setdefault(key, []).append(tid)
        if not by_key:
            return None
        automaton = ahocorasick.Automaton()
        for key, tids in by_key.items():
            # (offset of the key's start from its end, each (term, words)): no lookup per hit
            automaton.add_word(key, (len(key) - 1, tuple((t, self.terms[t].nwords) for t in tids)))
        automaton.make_automaton()
        return automaton


# by rules_digest and the topics' order (the digest sorts them; a classifier names matched topics
# in their order); the last few rule sets (a reload, an eval's variants)
_COMPILED: dict[tuple[str, tuple[str, ...]], _Tables] = {}


def _tables(topics: dict[str, TopicRules], entities: list[EntitySpec]) -> _Tables:
    """The rules compiled, once per distinct set of rules in this process (about 0.1 s each)."""
    key = (rules_digest(topics, entities), tuple(topics))
    tables = _COMPILED.pop(key, None) or _Tables(topics, entities)
    _COMPILED[key] = tables  # the most recent last
    while len(_COMPILED) > 4:
        del _COMPILED[next(iter(_COMPILED))]
    return tables


def rules_digest(topics: dict[str, TopicRules], entities: list[EntitySpec]) -> str:
    """A short fingerprint of the topics' rules and the gazetteer (also kept in a trained model's meta)."""
    blob = json.dumps({"topics": {k: v.model_dump() for k, v in topics.items()},
                       "entities": [e.model_dump() for e in entities]}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class Classifier:
    def __init__(
        self, topics: dict[str, TopicRules], entities: list[EntitySpec], *,
        model: RelevanceModel | None = None, watched: WatchedPeople | None = None,
    ) -> None:
        # watched people (monitor/match/people/): a name makes political_prisoners match
        # where its rules are silent; the set may change at run time, the rules stay
        self.watched = watched
        # the learned second opinion, asked only where the rules are silent but there is
        # context (monitor/match/learned.py); None: rules alone
        self.model = model
        tables = _tables(topics, entities)
        self._terms = tables.terms
        self._entities = tables.entities
        self._topics = tables.topics
        self._all_context = tables.all_context
        self._sets = tables.sets
        self._nears = tables.nears
        self._near_a = tables.near_a
        self._automaton = tables.automaton
        self._watch_topic = tables.watch_topic

    @property
    def term_count(self) -> int:
        return len(self._terms)

    # -- matching -----------------------------------------------------------
    def _scan(self, item: _Item) -> None:
        automaton = self._automaton
        if automaton is None:
            return
        hits = item.hits
        cap = MAX_HITS * 3
        for f, hay in enumerate(item.hay):
            if len(hay) < 2:
                continue
            for end, (back, terms) in automaton.iter(hay):
                start = end - back
                for tid, nwords in terms:
                    lst = hits.get(tid)
                    if lst is None:
                        hits[tid] = [(f, start, nwords)]
                    elif len(lst) < cap:
                        lst.append((f, start, nwords))

    def _signal(
        self, tp: _Topic, item: _Item, allowed: frozenset[str] | None = None
    ) -> list[tuple[int, str, int]] | None:
        """The (term, role, field) hits that make the topic's signal fire, or None.

        `allowed`: only signals whose context rule (the topic's, or a near pair's own
        `context_required`) is in it. Loops run over the item's hits, not over the
        topic's terms, so the cost does not grow with the number of terms; a set of terms
        disjoint from the hits (checked in C) is skipped before any loop."""
        hits = item.hits
        out: list[tuple[int, str, int]] = []
        sets = self._sets[tp.name]
        if allowed is None or tp.context_required in allowed:
            any_set = sets["any"]
            if not any_set.isdisjoint(hits):
                for tid, lst in hits.items():
                    if tid in any_set:
                        out += [(tid, "any", f) for f, _, _ in lst]
            groups = sets["all"]
            if groups and not any(g.isdisjoint(hits) for g in groups):
                present = [[t for t in hits if t in g] for g in groups]
                out += [(t, "all", f) for grp in present for t in grp for f, _, _ in hits[t]]
        if not self._near_a[tp.name].isdisjoint(hits):
            for a_set, b_set, within, rule in self._nears[tp.name]:
                if (allowed is None or rule in allowed) and not (
                    a_set.isdisjoint(hits) or b_set.isdisjoint(hits)
                ):
                    out += self._near(a_set, b_set, within, item)
        return out or None

    @staticmethod
    def _near(
        a_set: frozenset[int], b_set: frozenset[int], within: int, item: _Item
    ) -> list[tuple[int, str, int]]:
        """Each pair of an a-term's and a b-term's hits at most `within` words apart, in the
        order of the a-hits and, for each, of the b-hits. The b-hits of a field are looked up
        by their word index (`bisect`): every a-hit against every b-hit (64 of each term's, a
        hundred terms a side) took 7 s of one 137,000-character text."""
        hits = item.hits
        a_hits = [(t, h) for t, lst in hits.items() if t in a_set for h in lst[:MAX_HITS]]
        b_hits = [(t, h) for t, lst in hits.items() if t in b_set for h in lst[:MAX_HITS]]
        by_field: dict[int, list[tuple[int, int]]] = {}  # field -> (word index, position in b_hits), sorted
        longest = 0
        for n, (_, (fb, sb, nb)) in enumerate(b_hits):
            by_field.setdefault(fb, []).append((item.word_index(fb, sb), n))
            longest = max(longest, nb)
        for found in by_field.values():
            found.sort()
        out = []
        for ta, (fa, sa, na) in a_hits:
            found = by_field.get(fa)
            if not found:
                continue
            ia = item.word_index(fa, sa)
            lo = bisect_left(found, (ia - within - longest, -1))
            hi = bisect_right(found, (ia + na + within, len(b_hits)))
            for n in sorted(n for _, n in found[lo:hi]):
                tb, (fb, sb, nb) = b_hits[n]
                ib = item.word_index(fb, sb)
                if ib >= ia + na:
                    gap = ib - ia - na
                elif ia >= ib + nb:
                    gap = ia - ib - nb
                else:
                    continue  # overlapping words are one phrase, not two terms near each other
                if gap <= within:
                    out.append((ta, "near", fa))
                    out.append((tb, "near", fb))
        return out

    def _model_says(self, topic: str, item: _Item, ctx: list, result: Classification) -> bool:
        """Ask the model about a topic the rules left silent; record its score either way."""
        assert self.model is not None
        threshold = self.model.threshold(topic)
        if threshold is None:
            return False
        if not result.scores:  # one scoring of the item serves every topic
            result.scores.update(self.model.score(model_text(item.raw[0], item.raw[1])))
        score = result.scores.get(topic, 0.0)
        if score < threshold:
            return False
        explain = [{"role": "model", "score": round(score, 4), "threshold": threshold}]
        explain += [{"term": self._terms[t].raw, "field": FIELDS[f], "role": role}
                    for t, role, f in dict.fromkeys(ctx)]
        result.explain[topic] = explain
        result.matches[topic] = list(dict.fromkeys(e["term"] for e in explain[1:]))
        result.decided_by[topic] = "model"
        return True

    def _watched_says(self, item: _Item, venezuelan: bool, result: Classification) -> bool:
        """A watched person named in the title or summary (ambiguous names need context)."""
        assert self.watched is not None and self._watch_topic is not None
        tp = self._watch_topic
        sets = self._sets[tp.name]
        if not sets["none"].isdisjoint(item.hits):
            return False
        context = venezuelan or not sets["context"].isdisjoint(item.hits)
        named = self.watched.find(item.hay[:2], context=context)
        if not named:
            return False
        result.explain[tp.name] = [
            {"term": name, "field": FIELDS[f], "role": "watched"} for name, f in named
        ]
        result.matches[tp.name] = [name for name, _ in named]
        result.decided_by[tp.name] = "watched"
        return True

    def stored_place(self, entities: Any) -> str:
        """An item's place from the entities stored with it: "venezuela" when one is Venezuelan,
        else "" (what else it named is not stored; a feed's share only counts Venezuela). A
        column written otherwise than as a list of {"name": str} (by hand, an older version)
        names nothing rather than raising for every item whose feed's seed reads it."""
        if not isinstance(entities, list):
            return ""
        names = [n for e in entities if isinstance(e, dict) and isinstance(n := e.get("name"), str)]
        return "venezuela" if self._entities.names_venezuela(names) else ""

    def _resolve_entities(self, item: _Item, lang: str | None) -> dict[int, int]:
        """The gazetteer entities of the item; names pending a context are accepted when the
        item has context, a Venezuelan entity or a topic signal."""
        ents = self._entities
        found, pending = ents.resolve(item, lang if isinstance(lang, str) else None)
        if pending:
            ents.add_refs(item, found)
            if (
                not self._all_context.isdisjoint(item.hits)
                or ents.is_venezuelan(found)
                or any(self._signal(tp, item) for tp in self._topics)
            ):
                ents.accept(found, pending, item)
        ents.add_refs(item, found)
        return found

    def classify(
        self, title: str = "", summary: str = "", text: str = "", lang: str | None = None,
        *, feed_venezuelan: bool = False,
    ) -> Classification:
        item = _Item([clean_field(title), clean_field(summary), clean_field(text)])
        self._scan(item)
        ents = self._entities
        found = self._resolve_entities(item, lang)
        venezuelan = ents.is_venezuelan(found)
        foreign = ents.is_foreign(found, item)
        # an item of a feed about Venezuela is about Venezuela unless it names another country
        # ("Condenaron a un estudiante a 15 años de prisión…"), for the topics that say so; the
        # United States is no place of the gazetteer (its name is the actor of us_actions), so
        # an item set there is read on its own words too ("Detienen en Miami a tres militares…")
        lent = feed_venezuelan and not foreign and not _IN_THE_US.search(item.hay[0] + item.hay[1])

        result = Classification(place="venezuela" if venezuelan else "elsewhere" if foreign else "")
        prominent = False
        matched: list[_Topic] = []
        for tp in self._topics:
            sig = self._signal(tp, item)
            sets = self._sets[tp.name]
            if not sets["none"].isdisjoint(item.hits):  # in C, as in _signal
                continue
            if sig is None and self.model is None:
                continue
            ctx = [(t, "context", f) for t, lst in item.hits.items() if t in sets["context"]
                   for f, _, _ in lst]
            has_ctx = bool(ctx) or venezuelan or (lent and tp.feed_context)
            if sig is None:
                if has_ctx and self._model_says(tp.name, item, ctx, result):
                    matched.append(tp)
                    prominent = True  # the model reads the title and summary
                continue
            if not has_ctx:
                # signals needing context ("always"; "if_foreign" when a foreign entity is
                # named) do not count; the others may still make the topic match
                allowed = _NO_CONTEXT_FOREIGN if foreign else _NO_CONTEXT
                if tp.context_rules - allowed:
                    sig = self._signal(tp, item, allowed)
                    if sig is None:
                        continue
            matched.append(tp)
            explain: list[dict] = []
            for tid, role, f in dict.fromkeys(sig + ctx):
                explain.append({"term": self._terms[tid].raw, "field": FIELDS[f], "role": role})
            result.matches[tp.name] = list(dict.fromkeys(e["term"] for e in explain))
            for ei in found:
                if ents.specs[ei].region == "venezuela":
                    explain.append(
                        {"term": f"@{ents.specs[ei].name}", "field": ents.field_of(ei, found),
                         "role": "context"}
                    )
            result.explain[tp.name] = explain
            result.decided_by[tp.name] = "rules"
            prominent = prominent or any(f < 2 for _, _, f in sig)
        watch = self._watch_topic
        if (self.watched is not None and watch is not None and watch not in matched
                and self._watched_says(item, venezuelan, result)):
            matched.append(watch)
            matched.sort(key=self._topics.index)
            prominent = True
        result.topics = [tp.name for tp in matched]
        result.entities = ents.describe(found)
        if matched:
            result.counts = extract_counts(item.raw, ents.org_names(found))
            result.urgency = decide_urgency(
                topics=matched,
                hits=item.hits,
                counts=result.counts,
                prominent=prominent,
                person_named=ents.person_named(found, item.raw[0]),
                hay=item.hay,
                raw=item.raw,
            )
        return result
