"""The tally: where things stand and who says so, built from the stored counts.

For each topic and each (event, source) the latest stated figure and its history; the
releases announced by the government and those verified by rights groups as two separate
cumulative lines; "still held" from the newest figure of a rights group. Figures that
disagree are shown side by side with their outlets, never averaged. Sources are normalized
("la ONG Foro Penal", "foropenal" -> Foro Penal; operators add aliases in
`settings.tally.sources`); a figure of an unknown source goes under "other" with its outlet.
A figure ten times the last one (or a tenth of it) is kept and flagged "jump"; a figure
without a usable date takes its fetch time and is flagged "undated".

A stated figure is read as the source's running total ("ya son 99 excarcelados"), so a
cumulative line is the running maximum of its class's figures; flagged figures stay off
the lines (the chart marks them apart).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from core.config import AppConfig
from core.text import fold
from storage.tally import StoredFigure, stored_figures

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
}
BUILTIN_GOVERNMENT = ("the government", "Jorge Rodríguez", "Delcy Rodríguez")
BUILTIN_RIGHTS = ("Foro Penal", "JEP", "Provea", "OVP", "Clippve", "the United Nations", "IACHR")

# Words that introduce a name without being part of it ("la ONG Foro Penal").
_LEADING = re.compile(
    r"^(?:(?:el|la|los|las|the|ong|ngo|organizacion|organization|organisation|rights|group"
    r"|grupo|human|derechos|humanos|de|of|defensora|a)\s+)+"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

JUMP_RATIO = 10
CONFLICT_WINDOW = timedelta(hours=24)
FUTURE_SLACK = timedelta(hours=1)


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
        kinds = {n: GOVERNMENT for n in (*BUILTIN_GOVERNMENT, *government)}
        kinds.update({n: RIGHTS for n in (*BUILTIN_RIGHTS, *rights)})
        names.pop("", None)
        return cls(names=names, kinds=kinds)

    def normalize(self, raw: str | None) -> str:
        """The canonical name of a stated source, or OTHER when unknown or missing."""
        if not raw or not raw.strip():
            return OTHER
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
    stated_source: str | None = None
    count_id: int = 0
    # (topic, event, source, outlet of an unknown source): one history
    group: tuple[str, str, str, str] = ("", "", "", "")

    def as_json(self) -> dict[str, object]:
        return {
            "topic": self.topic, "event": self.event, "number": self.number,
            "source": self.source, "date": self.date.isoformat(), "url": self.url,
            "outlet": self.outlet, "flags": list(self.flags),
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
                 "number": f.number, "topic": f.topic, "outlet": f.outlet, "flags": list(f.flags)}
                for f in self.timeline
            ],
        }


class _Stated(NamedTuple):
    """A stored figure read for the tally, before it becomes a Figure (most never need to)."""

    date: datetime
    count_id: int
    group: tuple[str, str, str, str]  # (topic, event, source, outlet of an unknown source)
    number: int
    kind: str
    outlet: str
    undated: bool
    url: str | None
    stated_source: str | None


def _read(rows: Iterable[StoredFigure], sources: Sources, outlets: Mapping[str, str]) -> list[_Stated]:
    """Names normalized, outlets and dates resolved, in date order."""
    out: list[_Stated] = []
    names: dict[str | None, tuple[str, str]] = {}
    outlet_of: dict[str, str] = {}
    new = tuple.__new__  # the namedtuple's own __new__ without its Python frame: 100,000 rows
    for row in rows:
        named = names.get(row.source)
        if named is None:
            name = sources.normalize(row.source)
            named = names[row.source] = (name, sources.kind(name))
        outlet = outlet_of.get(row.feed)
        if outlet is None:
            outlet = outlet_of[row.feed] = outlets.get(row.feed, row.feed)
        date, fetched = row.published_at, row.fetched_at
        undated = date is None or (fetched is not None and date > fetched + FUTURE_SLACK)
        if undated:
            date = fetched  # no date, or a date in the future: when we saw it
        if date is None:
            continue  # neither date: nothing to place it on a timeline (cannot happen in storage)
        name = named[0]
        out.append(new(_Stated, (date, row.count_id, (row.topic, row.event, name, outlet if name == OTHER else ""),
                                 row.number, named[1], outlet, undated, row.url, row.source)))
    out.sort()  # by date, then count id (unique): tuple order
    return out


def _order(s: _Stated) -> tuple[datetime, int]:
    return s.date, s.count_id


class _Builder:
    """Figures are made only for what is shown: the timeline's points, the current figures."""

    def __init__(self) -> None:
        self.made: dict[int, Figure] = {}

    def figure(self, s: _Stated, flag: str | None = None) -> Figure:
        f = self.made.get(s.count_id)
        if f is None:
            topic, event, source, _ = s.group
            f = self.made[s.count_id] = Figure(
                topic, event, s.number, source, s.kind, s.date, s.url, s.outlet,
                ["undated"] if s.undated else [], s.stated_source, s.count_id, s.group)
        if flag is not None and flag not in f.flags:
            f.flags.append(flag)
        return f


def build_tally(
    rows: Iterable[StoredFigure],
    *,
    sources: Sources = DEFAULT_SOURCES,
    outlets: Mapping[str, str] | None = None,
) -> Tally:
    """The tally of these stored figures (any order).

    One pass in date order flags jumps (10x, or a tenth of, the last accepted figure of the
    history, or, first of its history, of its event) and counts, per history, day and number,
    the outlets that stated it; Figures are made for what is shown only."""
    stated = _read(rows, sources, outlets or {})
    last_group: dict[tuple[str, str, str, str], int] = {}
    last_event: dict[tuple[str, str], int] = {}
    votes: dict[tuple[tuple[str, str, str, str], int, int], list[Any]] = {}  # -> [outlets, newest]
    jumps: list[_Stated] = []
    newest: dict[tuple[str, str, str, str], _Stated] = {}
    for s in stated:
        group, number = s.group, s.number
        event = (group[0], group[1])
        newest[group] = s
        last = last_group.get(group) or last_event.get(event)
        if last and number > 0 and (number >= JUMP_RATIO * last or last >= JUMP_RATIO * number):
            jumps.append(s)
            continue
        last_group[group] = last_event[event] = number
        key = (group, s.date.toordinal(), number)
        entry = votes.get(key)
        if entry is None:
            votes[key] = [1, s]
        else:
            entry[0] += 1
            entry[1] = s

    make = _Builder()
    # the timeline: per history and day the figure most outlets stated (ties: the newest)
    best: dict[tuple[tuple[str, str, str, str], int], list[Any]] = {}
    by_group: dict[tuple[str, str, str, str], list[tuple[int, list[Any]]]] = defaultdict(list)
    for (group, day, _), entry in votes.items():
        top = best.get((group, day))
        if top is None or (entry[0], entry[1].date) > (top[0], top[1].date):
            best[(group, day)] = entry
        by_group[group].append((day, entry))
    points = sorted([e[1] for e in best.values()] + jumps, key=_order)
    jumped = {s.count_id for s in jumps}
    timeline = [make.figure(s, "jump" if s.count_id in jumped else None) for s in points]

    jumps_of: dict[tuple[str, str, str, str], list[_Stated]] = defaultdict(list)
    for s in jumps:
        jumps_of[s.group].append(s)
    current: list[Figure] = []
    for group in sorted(newest):
        current.extend(_current(make, newest[group], by_group.get(group, []), jumps_of.get(group, [])))

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
        released = [f for f in clean if f.event == "released"]
        state.announced = _cumulative(f for f in released if f.kind == GOVERNMENT)
        state.verified = _cumulative(f for f in released if f.kind == RIGHTS)
        held = [f for f in clean if f.event == "held"]
        credible = [f for f in held if f.kind == RIGHTS]
        state.still_held = (credible or held or [None])[-1]
        state.held_credible = bool(credible)
    return Tally(figures=current, timeline=timeline, topics=dict(sorted(topics.items())))


def _current(
    make: _Builder, newest: _Stated, days: list[tuple[int, list[Any]]], jumps: list[_Stated]
) -> list[Figure]:
    """The current figure of a history and those that disagree with it within a day.

    Within the day before the newest figure, the number stated by the most outlets wins
    (ties: the newest); the other numbers are kept beside it, flagged "conflict"."""
    since = newest.date - CONFLICT_WINDOW
    first_day = since.toordinal()
    tally: dict[int, list[Any]] = {}
    for day, (outlets, s) in days:
        if day >= first_day and s.date >= since:
            seen = tally.get(s.number)
            if seen is None:
                tally[s.number] = [outlets, s]
            else:
                seen[0] += outlets
                if s.date > seen[1].date:
                    seen[1] = s
    recent_jumps = [make.figure(s, "jump") for s in jumps if s.date >= since][-1:]
    if not tally:
        return [make.figure(newest, "jump" if jumps and newest is jumps[-1] else None)]
    ranked = sorted(tally.values(), key=lambda v: (v[0], v[1].date), reverse=True)
    return ([make.figure(ranked[0][1])] + [make.figure(v[1], "conflict") for v in ranked[1:]]
            + recent_jumps)


def _cumulative(figures: Iterable[Figure]) -> list[tuple[datetime, int, Figure]]:
    line: list[tuple[datetime, int, Figure]] = []
    best = 0
    for f in figures:
        if f.number > best:
            best = f.number
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
    """The tally of the stored counts (of items published since `since`, of `topic`)."""
    rows = stored_figures(session, since=since, topic=topic)
    return build_tally(rows, sources=sources_from_config(config), outlets=outlets_from_config(config))
