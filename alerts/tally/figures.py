"""The tally: where things stand and who says so, built from the stored counts.

For each topic and each (event, source) the latest stated figure and its history; the
releases announced by the government and those verified by rights groups as two separate
cumulative lines; "still held" from the newest figure of a rights group. Figures that
disagree are shown side by side with their outlets, never averaged. Sources are normalized
("la ONG Foro Penal", "foropenal" -> Foro Penal; operators add aliases in
`settings.tally.sources`); a figure of an unknown source goes under "other" with its outlet.
A figure ten times the last one of its history (or a tenth of it; first of its history, of
its class's: never another class's small number, and a tenth only of a "held" figure) is kept
and flagged "jump"; a figure
without a usable date takes its fetch time and is flagged "undated".

A stated figure is read as the source's running total ("ya son 99 excarcelados"), so a
cumulative line is the running maximum of every accepted statement of its class (an update
stated by one outlet counts, not only the day's most stated figure); flagged figures stay off
the lines (the chart marks them apart).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from core.collector import collector_paused
from core.config import AppConfig
from core.count import JOINT, OFFICIAL_SOURCES, RELEASE_COUNTERS, count_sources, joint_sources
from core.text import fold
from storage.tally import (
    FUTURE_SLACK,
    ShownFacts,
    StatedRow,
    StoredFigure,
    date_start,
    parse_when,
    range_ends,
    shown_facts,
    stated_rows,
    when_text,
)

OTHER = "other"
GOVERNMENT = "government"
RIGHTS = "rights"

# Canonical names (as monitor.match.counts states them) and the spellings seen in the news.
BUILTIN_SOURCES: dict[str, tuple[str, ...]] = {
    "Foro Penal": ("foropenal", "foro penal venezolano", "@foropenal"),
    "JEP": ("justicia encuentro y perdon", "justicia, encuentro y perdon"),
    "Provea": ("programa venezolano de educacion accion en derechos humanos",),
    "OVP": ("observatorio venezolano de prisiones",),
    "Clippve": ("comite por la libertad de los presos politicos",),
    "the United Nations": ("onu", "un", "naciones unidas", "united nations"),
    "IACHR": ("cidh", "comision interamericana de derechos humanos"),
    "the government": ("gobierno", "government", "ejecutivo", "gobierno venezolano",
                       "venezuelan government", "regimen", "fiscalia", "ministerio publico"),
    "Jorge Rodríguez": ("jorge rodriguez",),
    "Delcy Rodríguez": ("delcy rodriguez", "delcy"),
    "the Pentagon": ("pentagono", "pentagon"),
    "Southern Command": ("comando sur", "southcom"),
    "Trump": ("donald trump",),
    "the Justice Department": ("departamento de justicia", "doj", "justice department"),
    "an NGO": ("ong", "ngo", "oenege"),
    "NGOs": ("ongs", "ngos", "oeneges", "rights groups"),
    "SNTP": ("sindicato nacional de trabajadores de la prensa",),
    "PUD": ("plataforma unitaria", "plataforma unitaria democratica"),
    # foreign governments (core/data/count_sources.yaml): "Italia confirmó la liberación de dos ciudadanos"
    **{name: tuple(entry.get("names") or ()) for name, entry in count_sources()["governments"].items()},
}
BUILTIN_GOVERNMENT = OFFICIAL_SOURCES
# an unnamed NGO counting prisoners or releases is a rights group ("ONG verifican 53 de las 116
# excarcelaciones anunciadas por el Gobierno")
BUILTIN_RIGHTS = RELEASE_COUNTERS

# Words that introduce a name without being part of it ("la ONG Foro Penal").
_LEADING = re.compile(
    r"^(?:(?:el|la|los|las|the|ong|ngo|organizacion|organization|organisation|rights|group"
    r"|grupo|human|derechos|humanos|de|of|defensora|a)\s+)+"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

JUMP_RATIO = 10
# events whose stated figure is a running total that only grows: a later, higher figure of a
# source is its update, not a dispute (a held count goes down as well as up)
CUMULATIVE = frozenset({"released"})
CONFLICT_WINDOW = timedelta(hours=24)


def source_key(name: str) -> str:
    """The comparison key of a source name: folded, leading articles and "ONG" dropped,
    letters and digits only ("la ONG Foro Penal", "@ForoPenal" -> "foropenal")."""
    folded = fold(name).replace("@", " ").strip()
    stripped = _LEADING.sub("", folded)
    return _NOT_ALNUM.sub("", stripped or folded)


@dataclass(frozen=True)
class Sources:
    """Canonical source names, their aliases and their class (government, rights, other)."""

    names: Mapping[str, str]  # source_key -> canonical name
    kinds: Mapping[str, str]  # canonical name -> GOVERNMENT | RIGHTS

    @classmethod
    def build(
        cls,
        aliases: Mapping[str, Sequence[str]] | None = None,
        government: Iterable[str] = (),
        rights: Iterable[str] = (),
    ) -> Sources:
        names: dict[str, str] = {}
        for canonical, spellings in [*BUILTIN_SOURCES.items(), *(aliases or {}).items()]:
            for spelling in (canonical, *spellings):
                names[source_key(spelling)] = canonical
        government, rights = (*BUILTIN_GOVERNMENT, *government), (*BUILTIN_RIGHTS, *rights)
        for name in (*government, *rights):  # a listed name is a source even with no alias
            names.setdefault(source_key(name), name)
        names.pop("", None)
        # a class goes by the name's key, so it holds whatever spelling is canonical: an alias
        # entry "foro penal" (or one naming Clippve in full) keeps Foro Penal a rights group
        kinds = {names.get(source_key(n), n): GOVERNMENT for n in government}
        kinds.update({names.get(source_key(n), n): RIGHTS for n in rights})
        return cls(names=names, kinds=kinds)

    def normalize(self, raw: str | None) -> str:
        """The canonical name of a stated source, or OTHER when unknown or missing. A joint
        statement ("PUD & Foro Penal") is the figure of the rights group among its sources,
        else of the first known: Foro Penal verified the 76 it confirmed with the PUD."""
        if not raw or not raw.strip():
            return OTHER
        if JOINT in raw:
            names = [n for n in map(self.normalize, joint_sources(raw)) if n != OTHER]
            return next((n for n in names if self.kind(n) == RIGHTS), names[0] if names else OTHER)
        return self.names.get(source_key(raw), OTHER)

    def kind(self, name: str) -> str:
        return self.kinds.get(name, OTHER)


DEFAULT_SOURCES = Sources.build()


@dataclass(slots=True)
class Figure:
    """One stated figure, as the tally reads it."""

    topic: str
    event: str
    number: int
    source: str  # canonical name or OTHER
    kind: str  # GOVERNMENT, RIGHTS or OTHER
    date: datetime
    url: str | None
    outlet: str
    flags: list[str] = field(default_factory=list)
    count_id: int = 0
    # (topic, event, source, outlet of an unknown source): one history
    group: tuple[str, str, str, str] = ("", "", "", "")
    qualifier: str | None = None  # how it was stated: "more than", "at least" (core/count.py)

    @property
    def stated(self) -> str:
        """The number as it was stated: "at least 711", "1,000"."""
        return f"{self.qualifier} {self.number:,}" if self.qualifier else f"{self.number:,}"

    def as_json(self) -> dict[str, object]:
        return {
            "topic": self.topic, "event": self.event, "number": self.number,
            "source": self.source, "date": self.date.isoformat(), "url": self.url,
            "outlet": self.outlet, "flags": list(self.flags), "qualifier": self.qualifier,
        }


@dataclass
class TopicState:
    """What a topic's figures say now."""

    topic: str
    still_held: Figure | None = None
    held_credible: bool = False  # the "still held" figure comes from a rights group
    announced: list[tuple[datetime, int, Figure]] = field(default_factory=list)  # cumulative
    verified: list[tuple[datetime, int, Figure]] = field(default_factory=list)  # cumulative
    held: dict[str, list[Figure]] = field(default_factory=dict)  # per source label, in date order


@dataclass
class Tally:
    figures: list[Figure]  # current figures: latest per history, and those in conflict with it
    timeline: list[Figure]  # every distinct figure per day, in date order
    topics: dict[str, TopicState]

    def as_json(self) -> dict[str, object]:
        return {
            "figures": [f.as_json() for f in self.figures],
            "timeline": [
                {"date": f.date.isoformat(), "event": f.event, "source": f.source,
                 "number": f.number, "topic": f.topic, "outlet": f.outlet, "flags": list(f.flags),
                 "qualifier": f.qualifier}
                for f in self.timeline
            ],
        }


Group = tuple[str, str, str, str]  # (topic, event, source, outlet of an unknown source): one history


class _Book:
    """What a stated row's raw (topic, event, source, feed) means: its history, class, outlet;
    worked out once per distinct combination, not per row."""

    def __init__(self, sources: Sources, outlets: Mapping[str, str]) -> None:
        self.sources = sources
        self.outlets = outlets
        self._names: dict[str | None, tuple[str, str]] = {}
        self.of: dict[tuple[str, str, str | None, str], tuple[Group, str, str, tuple[str, str]]] = {}

    def read(self, topic: str, event: str, source: str | None, feed: str) -> tuple[Group, str, str, tuple[str, str]]:
        """(history, kind, outlet, (topic, event)) of a row."""
        named = self._names.get(source)
        if named is None:
            name = self.sources.normalize(source)
            named = self._names[source] = (name, self.sources.kind(name))
        name, kind = named
        outlet = self.outlets.get(feed, feed)
        meaning = ((topic, event, name, outlet if name == OTHER else ""), kind, outlet, (topic, event))
        self.of[(topic, event, source, feed)] = meaning
        return meaning


class _Builder:
    """Figures are made only for what is shown: the timeline's points, the current figures."""

    def __init__(self, book: _Book, facts: Mapping[int, ShownFacts] | None) -> None:
        self.book = book
        self.facts = facts or {}
        # by count and topic: an item that matched two topics states its figure in both
        self.made: dict[tuple[int, str], Figure] = {}

    def figure(self, row: StatedRow, flag: str | None = None) -> Figure:
        when, cid, topic, event, source, feed, number, undated = row
        f = self.made.get((cid, topic))
        if f is None:
            group, kind, outlet, _ = self.book.of[(topic, event, source, feed)]
            url, qualifier = self.facts.get(cid) or (None, None)
            f = self.made[(cid, topic)] = Figure(
                topic, event, number, group[2], kind, parse_when(when), url, outlet,
                ["undated"] if undated else [], cid, group, qualifier)
        if flag is not None and flag not in f.flags:
            f.flags.append(flag)
        return f


def _stated(rows: Iterable[StoredFigure], tz: tzinfo = UTC) -> tuple[list[StatedRow], dict[int, ShownFacts]]:
    """Typed stored figures as stated rows (the date placed as `stated_rows` places it in SQL,
    a date alone at its start in `tz`), and each count's link and qualifier."""
    out: list[StatedRow] = []
    facts: dict[int, ShownFacts] = {}
    start = date_start(tz)
    for r in rows:
        date, undated = r.published_at, False
        if date is None or (r.fetched_at is not None and date > r.fetched_at + FUTURE_SLACK):
            date, undated = r.fetched_at, True  # no date, or a date in the future: when we saw it
        elif r.date_only:
            date += start
        if date is None:
            continue  # neither date: nothing to place it on a timeline (cannot happen in storage)
        out.append((when_text(date), r.count_id, r.topic, r.event, r.source, r.feed, r.number, undated))
        facts[r.count_id] = ShownFacts(r.url, r.qualifier)
    return out, facts


def build_tally(
    rows: Iterable[StoredFigure],
    *,
    sources: Sources = DEFAULT_SOURCES,
    outlets: Mapping[str, str] | None = None,
    tz: tzinfo = UTC,
) -> Tally:
    """The tally of these stored figures (any order); its days are those of `tz`."""
    stated, facts = _stated(rows, tz)
    return tally_of_rows(stated, sources=sources, outlets=outlets, facts=facts, tz=tz)


def tally_of_rows(
    rows: list[StatedRow],
    *,
    sources: Sources = DEFAULT_SOURCES,
    outlets: Mapping[str, str] | None = None,
    facts: Mapping[int, ShownFacts] | None = None,
    tz: tzinfo = UTC,
    ranges: Collection[int] = (),
) -> Tally:
    """The tally of stated rows (storage/tally.py), sorted here in place; a figure's day is
    its day in `tz` (settings.timezone), the one the chats date it by. `ranges`: the count ids
    that open a range (`storage.tally.range_ends`), never flagged as jumps.

    One pass in date order flags jumps (10x, or a tenth of, the last accepted figure of the
    history; first of its history, 10x its class's highest in the event, or a tenth of its
    class's last "held" figure, docs/TALLY.md) and counts, per
    history, day and number, the outlets that stated it; Figures are made for what is shown
    only. A later figure of a history that is no jump from one of its flagged figures confirms
    it (two statements agree), so a flagged first figure cannot keep a history out for good."""
    rows.sort()  # by `when` (UTC text), then count id: plain tuple order, in C
    day_of = _DayOf(tz)
    book = _Book(sources, outlets or {})
    read = _read_in_order(rows, book, day_of, ranges)
    make = _Builder(book, facts)
    timeline, by_group = _timeline(make, read.votes, read.jumps)
    jumps_of: dict[Group, list[StatedRow]] = defaultdict(list)
    for row in read.jumps:
        jumps_of[book.of[row[2:6]][0]].append(row)
    current: list[Figure] = []
    for group in sorted(read.newest):
        current.extend(_current(make, read.newest[group], by_group.get(group, []), jumps_of.get(group, []), day_of))
    topics = _topic_states(make, timeline, read.lines)
    return Tally(figures=current, timeline=timeline, topics=dict(sorted(topics.items())))


@dataclass
class _Read:
    """What the one pass over the rows in date order found (`_read_in_order`)."""

    # (history, day, number) -> [outlets that stated it, newest row, first row, those outlets
    # (one: a str; more: a set)]
    votes: dict[tuple[Group, str, int], list[Any]] = field(default_factory=dict)
    lines: list[StatedRow] = field(default_factory=list)  # accepted releases of the government and of rights groups
    jumps: list[StatedRow] = field(default_factory=list)  # flagged, less those a later figure agreed with
    newest: dict[Group, StatedRow] = field(default_factory=dict)


def _read_in_order(rows: list[StatedRow], book: _Book, day_of: _DayOf, ranges: Collection[int]) -> _Read:
    """One pass over the rows in date order: each row's history, its jump flag, its vote
    (`tally_of_rows`)."""
    of, read = book.of, book.read
    out = _Read()
    votes, lines, jumps, newest = out.votes, out.lines, out.jumps, out.newest
    last_group: dict[Group, int] = {}
    # ((topic, event), kind) -> its last accepted figure ("held"), else its highest
    last_class: dict[tuple[tuple[str, str], str], int] = {}
    pending: dict[Group, list[StatedRow]] = {}  # flagged since the history's last accepted figure
    confirmed: set[tuple[int, str]] = set()  # (count, topic) of jumps a later figure agreed with
    for row in rows:
        raw = row[2:6]  # (topic, event, source, feed)
        meaning = of.get(raw) or read(*raw)
        group, kind, outlet, event = meaning
        number = row[6]
        newest[group] = row
        if number > 0:
            last = last_group.get(group)
            jump = _jump(number, last) if last else _first_is_jump(number, group, kind, event, last_class)
            if jump and row[1] not in ranges:
                flagged = pending.setdefault(group, [])
                agreed = [r for r in flagged if not _jump(number, r[6])]
                if not agreed:
                    flagged.append(row)
                    jumps.append(row)
                    continue
                for r in agreed:  # two figures of one history agree: no misreading, a new baseline
                    confirmed.add(r[1:3])
                    _vote(votes, group, of[r[2:6]][2], r, day_of)
                    if kind != OTHER and event[1] == "released":
                        lines.append(r)
        pending.pop(group, None)
        last_group[group] = number
        if kind != OTHER:
            held = event[1] == "held"
            last_class[(event, kind)] = number if held else max(number, last_class.get((event, kind), 0))
            if event[1] == "released":
                lines.append(row)
        key = (group, day_of(row[0]), number)
        entry = votes.get(key)
        if entry is None:
            votes[key] = [1, row, row, outlet]
        else:
            _heard(entry, outlet)  # an outlet repeating its figure is one outlet
            entry[1] = row
    if confirmed:
        jumps[:] = [row for row in jumps if row[1:3] not in confirmed]
    return out


def _timeline(
    make: _Builder, votes: Mapping[tuple[Group, str, int], list[Any]], jumps: list[StatedRow],
) -> tuple[list[Figure], dict[Group, list[tuple[str, list[Any]]]]]:
    """The timeline: per history and day the figure most outlets stated (ties: the newest); of a
    running total the day's highest, as its current figure (`_current`); and the jumps. With it,
    each history's votes by day."""
    best: dict[tuple[Group, str], list[Any]] = {}
    by_group: dict[Group, list[tuple[str, list[Any]]]] = defaultdict(list)
    for (group, day, _), entry in votes.items():
        top = best.get((group, day))
        if top is None or _day_rank(entry) > _day_rank(top):
            best[(group, day)] = entry
        by_group[group].append((day, entry))
    points = sorted([e[1] for e in best.values()] + jumps)
    jumped = {row[1:3] for row in jumps}  # (count, topic): a jump in one topic's history only
    return [make.figure(row, "jump" if row[1:3] in jumped else None) for row in points], by_group


def _topic_states(make: _Builder, timeline: list[Figure], lines: list[StatedRow]) -> dict[str, TopicState]:
    """Each topic's "held" figures per source, its "still held" figure and its two cumulative
    lines."""
    topics: dict[str, TopicState] = {}
    for f in timeline:
        state = topics.get(f.topic)
        if state is None:
            state = topics[f.topic] = TopicState(topic=f.topic)
        if f.event == "held":
            label = f.source if f.source != OTHER else f"{OTHER} ({f.outlet})"
            state.held.setdefault(label, []).append(f)
    for topic, state in topics.items():
        clean = [f for f in timeline if f.topic == topic and "jump" not in f.flags]
        held = [f for f in clean if f.event == "held"]
        credible = [f for f in held if f.kind == RIGHTS]
        state.still_held = (credible or held or [None])[-1]
        state.held_credible = bool(credible)
    # the cumulative lines: the running maximum of every accepted statement of the class, not
    # of the timeline's one point per day (a source's update stated by fewer outlets counts)
    of = make.book.of
    by_line: dict[tuple[str, str], list[StatedRow]] = defaultdict(list)
    for row in sorted(lines):
        by_line[(row[2], of[row[2:6]][1])].append(row)
    for topic, state in topics.items():
        state.announced = _cumulative(make, by_line.get((topic, GOVERNMENT), []))
        state.verified = _cumulative(make, by_line.get((topic, RIGHTS), []))
    return topics


class _DayOf:
    """The day in `tz` (ISO text) of a `when` text (UTC), worked out once an hour; an hour the
    zone's midnight or a change of its offset falls in (a zone 30 minutes off the hour, a DST
    change) by the minute. By the minute alone, 100,000 figures over 60 days were 68,000
    conversions."""

    def __init__(self, tz: tzinfo) -> None:
        self.utc = tz is UTC
        self.tz = tz
        self.hours: dict[str, str] = {}  # "" for an hour the day changes in
        self.days: dict[str, str] = {}

    def __call__(self, when: str) -> str:
        if self.utc:
            return when[:10]
        hour = when[:13]
        day = self.hours.get(hour)
        if day is None:
            day = self.hours[hour] = self._whole_hour(hour) if len(when) >= 16 else ""
        if day:
            return day
        minute = when[:16]
        day = self.days.get(minute)
        if day is None:
            day = self.days[minute] = parse_when(minute).astimezone(self.tz).date().isoformat()
        return day

    def _whole_hour(self, hour: str) -> str:
        """The day of the whole UTC hour `hour` in the zone, or "" when it is not one day."""
        start = parse_when(hour + ":00")
        first, last = start.astimezone(self.tz), (start + timedelta(minutes=59, seconds=59)).astimezone(self.tz)
        one_day = first.date() == last.date() and first.utcoffset() == last.utcoffset()
        return first.date().isoformat() if one_day else ""


def _first_is_jump(number: int, group: Group, kind: str, event: tuple[str, str],
                   last_class: Mapping[tuple[tuple[str, str], str], int]) -> bool:
    """Whether a history's first figure is a jump from its class's last accepted figure (an
    unknown source's from both classes'; a named other's, a foreign government's citizens or the
    PUD, has its own history only). A first figure under its class's is another source's count of
    fewer people (one prison's releases, one boat's dead), not a misreading: only "still held"
    takes it."""
    if kind != OTHER:
        refs: tuple[int | None, ...] = (last_class.get((event, kind)),)
    elif group[2] == OTHER:
        refs = (last_class.get((event, GOVERNMENT)), last_class.get((event, RIGHTS)))
    else:
        return False
    up_only = event[1] != "held"
    return any(refs) and all(_jump(number, r, up_only=up_only) for r in refs if r)


def _jump(number: int, reference: int, *, up_only: bool = False) -> bool:
    """Ten times the reference, or (unless `up_only`) a tenth of it: a misread figure, most likely."""
    return number >= JUMP_RATIO * reference or (not up_only and reference >= JUMP_RATIO * number)


def _day_rank(entry: list[Any]) -> tuple[int, str]:
    """How a history's figure of a day ranks for the day's timeline point: by the outlets that
    stated it (ties: the newest); a running total (CUMULATIVE: releases) by its number, the
    source's latest total, as its current figure is: a lower one stated by more outlets that day
    is an earlier total or a misquote (the demo's Foro Penal 61, then two outlets' 20: the
    timeline showed the 20 alone while the current figure was the 61)."""
    row = entry[1]
    return (row[6], row[0]) if row[3] in CUMULATIVE else (entry[0], row[0])


def _vote(votes: dict[tuple[Group, str, int], list[Any]], group: Group, outlet: str, row: StatedRow,
          day_of: _DayOf) -> None:
    """`outlet`'s statement of `row`'s number on its day (a jump confirmed after the fact)."""
    key = (group, day_of(row[0]), row[6])
    entry = votes.get(key)
    if entry is None:
        votes[key] = [1, row, row, outlet]
    else:
        _heard(entry, outlet)
        entry[1], entry[2] = max(entry[1], row), min(entry[2], row)


def _heard(entry: list[Any], outlet: str) -> None:
    """`outlet` among those that stated a vote's figure, counted once. One outlet is kept as
    a str, more as a set: 100,000 one-outlet sets cost the garbage collector 0.1 s."""
    seen = entry[3]
    if isinstance(seen, str):
        if seen != outlet:
            entry[3] = {seen, outlet}
            entry[0] += 1
    elif outlet not in seen:
        seen.add(outlet)
        entry[0] += 1


def _current(
    make: _Builder, newest: StatedRow, days: list[tuple[str, list[Any]]], jumps: list[StatedRow],
    day_of: _DayOf,
) -> list[Figure]:
    """The current figure of a history and those that disagree with it within a day.

    Within the day before the newest figure (less than 24 h before it: two dates given without
    a time of day are exactly 24 h apart, and the one before is no dispute), the number stated
    by the most outlets wins (ties: the newest); the other numbers are kept beside it, flagged
    "conflict". A running
    total (CUMULATIVE: releases) only grows, so there the highest number wins; a lower one is
    in conflict only when stated after the highest was (a misquote, an outdated figure):
    stated before it, it was the source's earlier total, superseded, not shown."""
    since = when_text(parse_when(newest[0]) - CONFLICT_WINDOW)
    first_day = day_of(since)
    tally: dict[int, list[Any]] = {}  # number -> [outlets, newest row, first row]
    for day, (_, row, first, outlets) in days:
        if day >= first_day and row[0] > since:
            said = {outlets} if isinstance(outlets, str) else outlets
            seen = tally.get(row[6])
            if seen is None:
                tally[row[6]] = [set(said), row, first]
            else:
                seen[0] |= said
                seen[1], seen[2] = max(seen[1], row), min(seen[2], first)
    recent_jumps = [make.figure(row, "jump") for row in jumps if row[0] > since][-1:]
    if not tally:
        return [make.figure(newest, "jump" if jumps and newest is jumps[-1] else None)]
    ranked = sorted(tally.values(), key=lambda v: (len(v[0]), v[1][0]), reverse=True)
    if newest[3] in CUMULATIVE:
        top = tally[max(tally)]
        ranked = [top] + [v for v in ranked if v is not top and v[1] > top[2]]
    return ([make.figure(ranked[0][1])] + [make.figure(v[1], "conflict") for v in ranked[1:]]
            + recent_jumps)


def _cumulative(make: _Builder, rows: Iterable[StatedRow]) -> list[tuple[datetime, int, Figure]]:
    """The running maximum of these rows (in date order): a point where it rises."""
    line: list[tuple[datetime, int, Figure]] = []
    best = 0
    for row in rows:
        if row[6] > best:
            best = row[6]
            f = make.figure(row)
            line.append((f.date, best, f))
    return line


def sources_from_config(config: AppConfig | None) -> Sources:
    """The source book of `settings.tally` (the built-in names when there is no config)."""
    if config is None:
        return DEFAULT_SOURCES
    t = config.settings.tally
    return Sources.build(t.sources, government=t.government, rights=t.rights_groups)


def outlets_from_config(config: AppConfig | None) -> dict[str, str]:
    """Feed name -> outlet as shown in messages."""
    if config is None:
        return {}
    return {f.name: f.outlet or f.name for f in config.feeds}


def load_tally(
    session: Session,
    config: AppConfig | None,
    *,
    since: datetime | None = None,
    topic: str | None = None,
) -> Tally:
    """The tally of the stored confident counts (of items published since `since`, of `topic`);
    the links and qualifiers are read for the figures shown only. Built with the cyclic
    collector paused (`collector_paused`): its rows, votes and figures hold no cycles."""
    with collector_paused():
        ranges = range_ends(session)
        tz = config.settings.tz if config else UTC
        rows = stated_rows(session, since=since, topic=topic, ranges=ranges, tz=tz)
        tally = tally_of_rows(rows, sources=sources_from_config(config), outlets=outlets_from_config(config),
                              tz=tz, ranges=ranges.openings)
        del rows  # freed before the collector is back: it has 100,000 fewer objects to look at
        shown: dict[int, list[Figure]] = defaultdict(list)  # a count of two topics is two figures
        for f in {id(f): f for f in (*tally.figures, *tally.timeline)}.values():
            shown[f.count_id].append(f)
        for count_id, (url, qualifier) in shown_facts(session, shown).items():
            for f in shown[count_id]:
                f.url, f.qualifier = url, qualifier
    return tally
