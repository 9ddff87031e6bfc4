"""Soak: the real `monitor run` process against a local feed server and the Bot API emulator.

For a set time (default 5 minutes, env SOAK_MINUTES) new items keep appearing in a few
hundred local feeds; a planned share of them are relevant and form stories reported by
several outlets. Feeds fail in every way docs/INGESTION.md lists, the emulator answers
some sends with 429, 5xx, timeouts and dropped connections and is down for a while,
the service is killed with SIGKILL and restarted, and feeds.yaml is edited. At the end
the driver compares what Telegram (the emulator) received with the plan and prints a
report; the exit status is 0 only when every target is met.

    python bench/soak.py [--minutes N] [--feeds 300] [--json out.json]

docs/SOAK.md explains the report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from alerts.stories.features import ItemFeatures, StoryEntry, features  # noqa: E402
from alerts.stories.match import StoryIndex  # noqa: E402
from core.config import load_config  # noqa: E402
from devtools.emulator import BotApiEmulator  # noqa: E402
from devtools.feedserver import FeedServer, Hit  # noqa: E402
from devtools.samples import SampleItem, atom, json_feed, rss  # noqa: E402
from monitor.match import Classifier, build_classifier  # noqa: E402
from monitor.match.learned import default_model  # noqa: E402

TOKEN = "123456789:SOAK-not-a-real-token-abcdefghijklmnop"
INTERVAL = 30  # seconds; the shortest interval feeds.yaml accepts
FEED_ITEMS = 25  # items kept in each feed document
RSS_LIMIT_MB = 300.0
LATENCY_TARGET = 5.0  # p95 seconds beyond the poll interval
CHANNELS = [  # name, chat, topics, languages
    ("presos", "@soak_presos", ["political_prisoners"], None),
    ("presos-es", "@soak_presos_es", ["political_prisoners"], ["es"]),
    ("eeuu", "@soak_eeuu", ["us_actions"], None),
    ("todo-en", "@soak_todo_en", ["political_prisoners", "us_actions"], ["en"]),
]
FAULTS = [  # feed fault kinds (docs/INGESTION.md), each on its own feed
    "invalid_xml", "html", "empty", "charset", "404", "500", "429", "closed", "stall",
    "trickle", "huge", "huge_stream", "redirect_loop",
]
SEND_FAULTS = ["429", "500", "502", "503", "timeout", "drop"]

# -- what the news says ---------------------------------------------------------------

FIRST = ["José", "María", "Luis", "Ana", "Carlos", "Rosa", "Jesús", "Carmen", "Pedro", "Elena",
         "Miguel", "Luisa", "Rafael", "Gabriela", "Andrés", "Yelitza", "Orlando", "Daniela"]
SYLLABLES = ["bar", "cal", "de", "fer", "gon", "lu", "mar", "ne", "pri", "quin", "ro", "sal",
             "ta", "ve", "zam", "ur", "bel", "tor", "mi", "sa", "li", "co", "ran", "dul"]
PRISONS = ["Tocorón", "Tocuyito", "Yare", "El Helicoide", "Rodeo I", "Ramo Verde", "Zona 7"]
CITIES = ["Maracay", "Barquisimeto", "Maracaibo", "Maturín", "Cumaná", "Barinas", "Petare",
          "Los Teques", "La Guaira", "Puerto La Cruz", "Ciudad Bolívar", "Táchira"]
ROLES = [("periodista", "journalist"), ("activista", "activist"),
         ("dirigente opositor", "opposition leader"), ("sindicalista", "union leader")]
COASTS = ["Paria", "La Guaira", "Falcón", "Sucre", "Los Roques", "Margarita", "Güiria"]
ORGS = ["el SNTP", "Provea", "Foro Penal", "FundaRedes", "Cofavic"]


def person(rng: random.Random) -> str:
    """A made-up full name: two generated surnames keep every story's title distinct."""
    def surname() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()

    return f"{rng.choice(FIRST)} {surname()} {surname()}"


def story_variants(kind: str, rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """(lang, title, summary) of each outlet's report of one event; the first comes first."""
    name = person(rng)
    pick = rng.randrange(3)
    if kind == "release":
        prison = rng.choice(PRISONS)
        es = [f"Excarcelan a {n} presos políticos de {prison}; entre ellos {name}",
              f"{name} entre los {n} presos políticos excarcelados en {prison}",
              f"Salen de {prison} {n} presos políticos, entre ellos {name}"][pick]
        en = [f"Venezuela frees {n} political prisoners from {prison}, {name} among them",
              f"{name} among {n} political prisoners released from {prison}",
              f"{n} political prisoners walk free from {prison}, including {name}"][pick]
        return [
            ("es", es, f"Familiares esperaban desde la madrugada frente a {prison}."),
            ("en", en, "Relatives waited outside the prison since dawn."),
            ("es", f"Foro Penal confirma {n} excarcelaciones en {prison}, incluido {name}",
             "La ONG sigue verificando los casos."),
        ]
    if kind == "arrest":
        es_role, _ = rng.choice(ROLES)
        city = rng.choice(CITIES)
        title = [f"Detienen al {es_role} {name} en {city}",
                 f"{name}, {es_role}, fue detenido en {city}",
                 f"Denuncian la detención del {es_role} {name} en {city}"][pick]
        return [
            ("es", title, "Funcionarios encapuchados se lo llevaron sin orden judicial."),
            ("es", f"{title}, denuncia {rng.choice(ORGS)}", "Su familia desconoce su paradero."),
        ]
    if kind == "death":
        prison = rng.choice(PRISONS)
        return [[
            ("es", f"Muere bajo custodia el preso político {name} en {prison}",
             "Sus familiares denunciaron que no recibió atención médica."),
            ("en", f"Political prisoner {name} dies in custody at {prison}",
             "His relatives said he was denied medical care."),
            ("es", f"Falleció en {prison} {name}, preso político desde hace {n} días",
             "La familia pide una autopsia independiente."),
        ][pick]]
    if kind == "strike":
        coast = rng.choice(COASTS)
        en = [f"US strike on boat {name} off {coast} kills {n}, Pentagon says",
              f"Pentagon says {n} killed as US hits vessel {name} near {coast}",
              f"US military strike near {coast} kills {n} aboard {name}, Pentagon says"][pick]
        return [
            ("en", en, "The vessel was leaving Venezuela, the Pentagon said."),
            ("es", f"Ataque de EEUU contra la lancha {name} frente a {coast} deja {n} muertos, "
                   "según el Pentágono", "La embarcación había zarpado de Venezuela."),
        ]
    if kind == "sanction":
        firm = person(rng).split(" ", 1)[1] + " " + rng.choice(["Shipping", "Trading", "Marine"])
        title = [f"OFAC sanctions {firm} for moving Venezuelan crude",
                 f"US Treasury blacklists tanker operator {firm} over Venezuela oil",
                 f"OFAC adds {firm} to SDN list over Venezuelan oil shipments"][pick]
        return [("en", title,
                 "The Treasury said the company helped the Maduro government evade sanctions.")]
    raise ValueError(kind)


NOISE = [  # hard negatives: word collisions and the same topics elsewhere
    ("es", "{name} anuncia el lanzamiento de su nuevo álbum en Caracas",
     "El disco sale este viernes en todas las plataformas."),
    ("en", "{name} releases new album, tour starts in Caracas", "The record is out on Friday."),
    ("en", "US strikes Houthi targets in Yemen after attack {n}",
     "The Pentagon said the strikes hit radar sites near the Red Sea."),
    ("es", "Nicaragua excarcela a {n} presos políticos y los destierra",
     "El gobierno de Daniel Ortega los envió a Guatemala."),
    ("es", "Trabajadores de la empresa {name} van a la huelga por salarios en Valencia",
     "El sindicato exige un aumento del 40 %."),
    ("es", "El delantero {first} Machado marca un doblete y el Caracas gana {n} a 1",
     "El equipo sigue líder del torneo."),
]
FILLER = [
    ("es", "Lluvias afectan la vialidad en {city} tras {n} horas de tormenta {name}"),
    ("es", "Inauguran feria del libro en {city} con {n} expositores {name}"),
    ("en", "Local bakery {name} opens its {n}th shop in {city}"),
    ("en", "Weather: {n} mm of rain expected in {city}, says forecaster {name}"),
]


# -- the plan ---------------------------------------------------------------------------


@dataclass
class PlannedItem:
    key: str  # also the link path: /a/<key>
    feed: str
    lang: str
    title: str
    summary: str
    at: float  # seconds after the start when it appears on its feed
    story: int | None = None  # None: noise, filler or backlog
    kind: str = "story"  # story | noise | filler | backlog
    published: float | None = None  # wall time it appeared (set by the publisher)


@dataclass
class FeedSpec:
    name: str
    fmt: str  # rss | atom | json
    lang: str
    fault: str | None = None
    added_at: float = 0.0  # seconds; > 0: added by a config edit
    removed_at: float | None = None
    interval: int = INTERVAL
    new_interval: tuple[float, int] | None = None  # (when, seconds)

    @property
    def path(self) -> str:
        return f"/f/{self.name}.{ 'json' if self.fmt == 'json' else 'xml'}"


@dataclass
class StoryPlan:
    id: int
    topic: str
    kind: str
    items: list[PlannedItem]


@dataclass
class Schedule:
    """When the disruptions happen, in seconds after the start."""

    edits: list[float]
    kills: list[float]
    outage: tuple[float, float] | None
    stories_until: float
    duration: float


@dataclass
class Plan:
    feeds: list[FeedSpec]
    stories: list[StoryPlan]
    items: list[PlannedItem]  # every item, stories included, in order of appearance
    schedule: Schedule
    rejected: int = 0  # candidate stories dropped because matching would not see them as planned
    request_timeout: float | None = None  # settings.request_timeout (None: the service's 30 s)
    catch_up_after: float | None = None  # settings.catch_up_after in seconds (None: the service's 6 h)


def make_schedule(duration: float, kills: int, outage: float, edits: int, *,
                  outage_at: float = 0.4, kill_at: list[float] | None = None) -> Schedule:
    """The disruptions at fractions of `duration`: kills at 30 % and 62 % (or evenly spread, or
    at the fractions `kill_at`), the Bot API down from `outage_at` for `outage` seconds."""
    if kill_at is not None:
        kill_at = [f * duration for f in kill_at]
    else:
        kill_at = [0.3 * duration, 0.62 * duration][:kills] if kills <= 2 else [
            duration * (i + 1) / (kills + 1) for i in range(kills)]
    edit_at = [0.2 * duration, 0.77 * duration][:edits]
    out = (outage_at * duration, outage_at * duration + outage) if outage > 0 else None
    return Schedule(edit_at, kill_at, out, max(10.0, duration - 35.0), duration)


class Planner:
    """Builds the plan; every story is checked against the real classifier (rules and the
    shipped model, as the service runs them) and the real story matcher, so that what the
    soak measures is delivery: a planned story is one story for the service, and apart from
    every other planned story."""

    WHEN = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # the soak's minutes: one moment for the matcher
    WINDOW = timedelta(hours=48)

    def __init__(self, classifier: Classifier, rng: random.Random) -> None:
        self.classifier = classifier
        self.rng = rng
        self.rejected = 0
        self._index = StoryIndex()  # the planned stories, as the service's matcher holds them
        self._ids = 0
        self._numbers: dict[str, set[int]] = defaultdict(set)

    def _features(self, lang: str, title: str, summary: str) -> tuple[list[str], ItemFeatures]:
        c = self.classifier.classify(title=title, summary=summary, lang=lang)
        self._ids += 1
        return c.topics, features(
            item_id=self._ids, title=title, lang=lang, outlet=f"outlet-{self._ids}", when=self.WHEN,
            topics=c.topics, entities=c.entities, counts=c.counts,
            topic_words=[t for topic in c.topics for t in (c.matches or {}).get(topic, [])],
        )

    def story(self, kind: str, topic: str) -> list[tuple[str, str, str]] | None:
        """Variants of a new event, or None when no candidate passes after a few tries."""
        for _ in range(30):
            n = self._number(kind)
            variants = story_variants(kind, self.rng, n)
            analysed = [self._features(*v) for v in variants]
            if any(topics != [topic] for topics, _ in analysed):
                self.rejected += 1
                continue
            mine = [f for _, f in analysed]
            if any(self._decide(f) is not None for f in mine) or not self._one_story(mine):
                self.rejected += 1
                continue
            self._add(mine)
            self._numbers[kind].add(n)
            return variants
        return None

    def _decide(self, f: ItemFeatures) -> int | None:
        return self._index.decide(f, now=self.WHEN, window=self.WINDOW).story_id

    def _add(self, mine: list[ItemFeatures]) -> int:
        self._ids += 1
        self._index.add_story(StoryEntry(self._ids, "", self.WHEN, self.WHEN, set(mine[0].topics), list(mine)))
        return self._ids

    def _one_story(self, mine: list[ItemFeatures]) -> bool:
        """Whichever report the service sees first, the others join its story."""
        for first in mine:
            sid = self._add([first])
            try:
                for other in (m for m in mine if m is not first):
                    if self._decide(other) != sid:
                        return False
                    self._index.add_member(sid, other)
            finally:
                self._index.remove_story(sid)
        return True

    def _number(self, kind: str) -> int:
        while True:
            n = self.rng.randint(12, 980)
            if n not in self._numbers[kind] and not 1900 <= n <= 2100:
                return n

    def noise(self) -> tuple[str, str, str]:
        while True:
            lang, title, summary = self.rng.choice(NOISE)
            name = person(self.rng)
            title = title.format(name=name, first=name.split()[0], n=self.rng.randint(2, 9))
            if not self.relevant(lang, title, summary):
                return lang, title, summary

    def relevant(self, lang: str, title: str, summary: str) -> bool:
        return bool(self.classifier.classify(title=title, summary=summary, lang=lang).topics)


def build_plan(
    feeds: int, schedule: Schedule, classifier: Classifier, rng: random.Random,
    stories_per_minute: float = 7.0, noise_per_minute: float = 6.0, filler_per_second: float = 1.0,
) -> Plan:
    specs = _feed_specs(feeds, schedule, rng)
    healthy = [f for f in specs if f.fault is None]
    planner = Planner(classifier, rng)
    items: list[PlannedItem] = []
    stories: list[StoryPlan] = []

    def outlets(at: float, lang: str, exclude: set[str]) -> FeedSpec:
        live = [f for f in healthy if f.lang == lang and f.name not in exclude
                and (f.added_at == 0 or f.added_at + 5 <= at) and (f.removed_at is None or f.removed_at > at + 60)]
        return rng.choice(live)

    kinds = [("release", "political_prisoners", 3), ("arrest", "political_prisoners", 3),
             ("death", "political_prisoners", 1), ("strike", "us_actions", 3),
             ("sanction", "us_actions", 2)]
    t = 5.0
    while t < schedule.stories_until:
        kind, topic, _ = rng.choices(kinds, weights=[w for _, _, w in kinds])[0]
        variants = planner.story(kind, topic)
        if variants is not None:
            sid = len(stories) + 1
            count = rng.randint(1, len(variants))
            used: set[str] = set()
            story_items = []
            at = t
            for i, (lang, title, summary) in enumerate(variants[:count]):
                feed = outlets(at, lang, used)
                used.add(feed.name)
                story_items.append(PlannedItem(f"s{sid:04d}-{i + 1}", feed.name, lang, title,
                                               summary, at, sid))
                at = min(schedule.stories_until, at + rng.uniform(4, 25))
            stories.append(StoryPlan(sid, topic, kind, story_items))
            items.extend(story_items)
        t += rng.expovariate(stories_per_minute / 60)
    t = 3.0
    while t < schedule.stories_until:
        lang, title, summary = planner.noise()
        items.append(PlannedItem(f"x{len(items):05d}", outlets(t, lang, set()).name, lang, title,
                                 summary, t, kind="noise"))
        t += rng.expovariate(noise_per_minute / 60)
    t, n = 1.0, 0
    while t < schedule.duration:
        lang, template = rng.choice(FILLER)
        feed = rng.choice([f for f in specs if f.lang == lang and f.fault in (None, "charset")])
        title = template.format(city=rng.choice(CITIES), n=rng.randint(2, 99), name=person(rng))
        while planner.relevant(lang, title, "Nota breve."):  # the shipped model may take a name for news
            title = template.format(city=rng.choice(CITIES), n=rng.randint(2, 99), name=person(rng))
        items.append(PlannedItem(f"f{n:05d}", feed.name, lang, title, "Nota breve.", t,
                                 kind="filler"))
        t, n = t + rng.expovariate(filler_per_second), n + 1
    items.sort(key=lambda it: it.at)
    return Plan(specs, stories, items, schedule, planner.rejected)


def _feed_specs(feeds: int, schedule: Schedule, rng: random.Random) -> list[FeedSpec]:
    """Healthy feeds in three formats and two languages, one feed per fault kind, and the
    feeds the config edits add, remove or slow down."""
    faults = FAULTS if feeds >= 60 else ["invalid_xml", "html", "empty", "500", "429", "closed",
                                         "stall", "redirect_loop"]
    specs = [FeedSpec(f"fault-{kind.replace('_', '-')}", "rss", "es", fault=kind) for kind in faults]
    late = max(3, feeds // 30) if schedule.edits else 0
    for i in range(feeds - len(specs) - late):
        specs.append(FeedSpec(f"outlet-{i:03d}", ("rss", "rss", "atom", "json")[i % 4],
                              "es" if i % 3 else "en"))
    if schedule.edits:
        first = schedule.edits[0]
        specs += [FeedSpec(f"late-{i:02d}", "rss", "es" if i % 3 else "en", added_at=first)
                  for i in range(late)]
        healthy = [f for f in specs if f.fault is None and f.added_at == 0]
        for f in rng.sample(healthy, max(1, len(healthy) // 60)):
            f.removed_at = first
        if len(schedule.edits) > 1:
            kept = [f for f in healthy if f.removed_at is None]
            for f in rng.sample(kept, max(2, len(kept) // 10)):
                f.new_interval = (schedule.edits[1], 45)
    return specs


# -- the local web: feeds and Telegram ----------------------------------------------------


class TimedFeedServer(FeedServer):
    """The feed server, remembering when each path was fetched."""

    def __init__(self) -> None:
        super().__init__()
        self.fetch_times: dict[str, list[float]] = defaultdict(list)

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.fetch_times[hit.path].append(time.time())


class TimedEmulator(BotApiEmulator):
    """The Bot API emulator, remembering when each message arrived. `on_catch_up`, when set, is
    called as a catch-up message is taken, before the answer goes back to the service."""

    def __init__(self) -> None:
        super().__init__(hang_seconds=2.0, retry_after=3)
        self.arrived: dict[tuple[str, int], float] = {}
        self.on_catch_up: Any = None

    def call(self, method: str, params: dict[str, Any]) -> Any:
        result = super().call(method, params)
        if method == "sendMessage":
            with self._lock:
                self.arrived[(str(params.get("chat_id")), int(result["message_id"]))] = time.time()
            if self.on_catch_up is not None and str(params.get("text") or "").removeprefix("<b>").startswith("⏪"):
                self.on_catch_up()
        return result


class CatchUpKill:
    """A kill -9 placed in the moment the first catch-up message goes out (`--kill-in-catch-up`).

    `record`: Telegram (the emulator) took the message and the service has its answer, but the
    row is not recorded: as the emulator takes it, the driver takes SQLite's write lock (what a
    `sqlite3` shell or a backup would hold), so the service writes its line in the journal of
    sends and then waits for the database; 1.5 s later it is killed, then the lock is let go.
    `answer`: killed before the emulator's answer goes back, the one moment no journal covers:
    Telegram took a message the service never heard of."""

    HOLD = 1.5  # seconds between the message taken and the kill, the record waiting for the lock

    def __init__(self, mode: str, db_path: Path, service: ServiceProcess) -> None:
        self.mode, self.db_path, self.service = mode, db_path, service
        self.taken_at: float | None = None  # when the first catch-up message was taken
        self.killed_at: float | None = None
        self.restarted = False
        self.state = ""  # what the database and the journal held at the kill
        self._once = threading.Lock()
        self._locked, self._release = threading.Event(), threading.Event()

    def taken(self) -> None:
        """The emulator took a catch-up message (its handler thread, before it answers)."""
        with self._once:
            if self.taken_at is not None:
                return
            self.taken_at = time.time()
            if self.mode == "answer":
                self.state = self._state()
                self.service.kill9()
                self.killed_at = time.time()
                return
            threading.Thread(target=self._hold_lock, daemon=True, name="soak-db-lock").start()
            self._locked.wait(30)

    def due(self) -> bool:
        """Whether the record-mode kill is due now (the main loop kills)."""
        return (self.mode == "record" and self.taken_at is not None and self.killed_at is None
                and time.time() >= self.taken_at + self.HOLD)

    def kill(self) -> None:
        self.state = self._state()
        self.service.kill9()
        self.killed_at = time.time()
        self._release.set()

    def _hold_lock(self) -> None:
        con = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            self._locked.set()
            self._release.wait(60)
            con.execute("ROLLBACK")
        finally:
            self._locked.set()
            con.close()

    def _state(self) -> str:
        """The catch-up rows by status, and how many catch-up sends the journal has."""
        try:
            db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
            rows = db.execute("SELECT status, count(*) FROM alerts WHERE kind = 'catch_up' GROUP BY status").fetchall()
            db.close()
        except sqlite3.Error as exc:
            rows = [("unread", str(exc))]
        sent = self.db_path.with_name(self.db_path.name + ".sent")
        journaled = sent.read_text("utf-8").count('["catch_up:') if sent.exists() else 0
        return f"catch-up rows {dict(rows)}, {journaled} catch-up send(s) in the journal"


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class Publisher(threading.Thread):
    """Puts each planned item on its feed at its time; sets up the faulty feeds."""

    def __init__(self, server: FeedServer, plan: Plan, start: float) -> None:
        super().__init__(daemon=True, name="soak-publisher")
        self.server, self.plan, self.start_time = server, plan, start
        self.stop_event = threading.Event()
        self.docs: dict[str, list[PlannedItem]] = defaultdict(list)
        self.specs = {f.name: f for f in plan.feeds}
        self._next = 0
        self._backlog()
        for spec in plan.feeds:
            if spec.fault:
                self._fault(spec)
            else:
                self._render(spec)

    def _backlog(self) -> None:
        """Old items, some of them relevant: stored on the first poll, never alerted."""
        old = time.time() - 3 * 86400
        for i, spec in enumerate(self.plan.feeds):
            if spec.fault is not None and spec.fault != "charset":
                continue
            title = (f"Excarcelan a {40 + i} presos políticos en Tocorón (archivo {i})" if i % 2
                     else f"Archivo {i}: feria gastronómica en Mérida")
            item = PlannedItem(f"b{i:04d}", spec.name, spec.lang, title, "Nota antigua.", 0,
                               kind="backlog", published=old - i * 60)
            self.docs[spec.name].append(item)

    def _fault(self, spec: FeedSpec) -> None:
        s, path, kind = self.server, spec.path, spec.fault
        if kind == "invalid_xml":
            s.set_route(path, b'<?xml version="1.0"?><rss><channel><title>x</ti<item>')
        elif kind == "html":
            s.set_route(path, b"<!doctype html><html><body><p>Not a feed</p></body></html>",
                        content_type="text/html; charset=utf-8")
        elif kind == "empty":
            s.set_route(path, b"")
        elif kind in ("404", "500"):
            s.set_route(path, b"error", status=int(kind), content_type="text/plain")
        elif kind == "429":
            s.set_route(path, b"slow down", status=429, headers={"Retry-After": "120"})
        elif kind == "closed":
            s.set_route(path, close=True)
        elif kind == "stall":
            s.set_route(path, b"<rss/>", delay=120)
        elif kind == "trickle":
            s.set_route(path, b'<?xml version="1.0"?><rss><channel>', trickle=0.5)
        elif kind == "huge":
            s.set_route(path, b"<rss>", size=50_000_000)
        elif kind == "huge_stream":
            s.set_route(path, b"<item>x</item>", size=30_000_000, send_length=False)
        elif kind == "redirect_loop":
            s.set_route(path, redirect="/loop/b", status=302)
            s.set_route("/loop/b", redirect=path, status=302)
        elif kind == "charset":
            self._render(spec)

    def _render(self, spec: FeedSpec) -> None:
        items = sorted(self.docs[spec.name], key=lambda it: it.published or 0, reverse=True)
        del self.docs[spec.name][FEED_ITEMS * 2:]
        base = self.server.base_url
        entries = [
            SampleItem(title=it.title, link=f"{base}/a/{it.key}", summary=it.summary,
                       guid=f"urn:soak:{it.key}",
                       published=datetime.fromtimestamp(it.published or time.time(), UTC))
            for it in items[:FEED_ITEMS]
        ]
        if spec.fmt == "atom":
            body, ctype = atom(entries, title=spec.name), "application/atom+xml"
        elif spec.fmt == "json":
            body, ctype = json_feed(entries, title=spec.name), "application/feed+json"
        elif spec.fault == "charset":  # declared UTF-8, encoded Latin-1
            text = rss(entries, title=spec.name).decode("utf-8")
            body, ctype = text.encode("latin-1", errors="replace"), "application/rss+xml"
        else:
            body, ctype = rss(entries, title=spec.name, language=spec.lang), "application/rss+xml"
        self.server.set_route(spec.path, body, content_type=ctype, etag=_etag(body))

    def publish_due(self) -> None:
        now = time.time()
        elapsed = now - self.start_time
        touched: set[str] = set()
        while self._next < len(self.plan.items) and self.plan.items[self._next].at <= elapsed:
            item = self.plan.items[self._next]
            item.published = now
            self.docs[item.feed].append(item)
            touched.add(item.feed)
            self._next += 1
        for name in touched:
            self._render(self.specs[name])

    def run(self) -> None:
        while not self.stop_event.wait(0.2):
            self.publish_due()


# -- the service under test ---------------------------------------------------------------


def _wait_for_log(path: Path, marks: tuple[str, ...], timeout: float) -> float | None:
    """Seconds until one of `marks` is in the log at `path`; None after `timeout`."""
    began = time.time()
    while time.time() - began < timeout:
        if path.exists() and any(m in path.read_text("utf-8", errors="replace") for m in marks):
            return time.time() - began
        time.sleep(0.5)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(path: Path, plan: Plan, server: FeedServer, elapsed: float, port: int) -> None:
    """feeds.yaml as it stands `elapsed` seconds into the run (the edits are applied)."""
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    feeds = []
    for f in plan.feeds:
        if f.added_at > elapsed or (f.removed_at is not None and f.removed_at <= elapsed):
            continue
        interval = f.new_interval[1] if f.new_interval and f.new_interval[0] <= elapsed else f.interval
        feeds.append({"name": f.name, "outlet": f.name.replace("-", " ").title(),
                      "url": server.url(f.path), "language": f.lang, "interval": f"{interval}s",
                      "fetch_article": "never"})
    config = {
        # One local server stands in for hundreds of sites: the per-host limit is lifted.
        "settings": {"timezone": "America/Caracas", "http_listen": f"127.0.0.1:{port}",
                     "backfill_window": "24h", "per_host_concurrency": 20, "concurrency": 30,
                     **({"request_timeout": f"{plan.request_timeout:g}s"} if plan.request_timeout else {}),
                     **({"catch_up_after": f"{plan.catch_up_after:g}s"} if plan.catch_up_after else {})},
        "rules": shipped["rules"],
        "feeds": feeds,
        "channels": [
            {"name": name, "chat_id": chat, "topics": topics, "mode": "instant",
             **({"languages": langs} if langs else {})}
            for name, chat, topics, langs in CHANNELS
        ],
    }
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    os.replace(tmp, path)  # the service never sees a half-written file


class ServiceProcess:
    """`monitor run` as a child process, restarted after each SIGKILL; samples its memory."""

    def __init__(self, workdir: Path, api_url: str) -> None:
        self.workdir = workdir
        self.config = workdir / "feeds.yaml"
        self.log_path = workdir / "service.log"
        self.out_path = workdir / "service.out"
        self.env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url,
                    "PYTHONUNBUFFERED": "1"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.generation = 0
        self.memory: list[tuple[float, int, float]] = []  # (time, generation, MB)
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True, name="soak-rss")

    def start(self) -> None:
        cmd = [sys.executable, "-m", "monitor", "run", "--config", str(self.config),
               "--db", f"sqlite:///{self.workdir / 'soak.db'}", "--log-format", "json"]
        with self.log_path.open("ab") as log, self.out_path.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=log)
        self.generation += 1
        if not self._sampler.is_alive():
            self._sampler.start()

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self, timeout: float = 15.0) -> float | None:
        """SIGTERM; seconds it took to stop, or None when it had to be killed."""
        assert self.proc is not None
        begin = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
            return time.monotonic() - begin
        except subprocess.TimeoutExpired:
            self.kill9()
            return None
        finally:
            self._stop.set()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _sample(self) -> None:
        while not self._stop.wait(2.0):
            proc = self.proc
            if proc is None or proc.poll() is not None:
                continue
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                self.memory.append((time.time(), self.generation, int(match.group(1)) / 1024))


# -- the run ---------------------------------------------------------------------------------


@dataclass
class Events:
    start: float
    kills: list[float] = field(default_factory=list)  # wall times of each SIGKILL
    restarts: list[float] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)
    outage: tuple[float, float] | None = None
    send_faults: Counter[str] = field(default_factory=Counter)
    drained_at: float | None = None
    stop_seconds: float | None = None
    stop_status: int | None = None  # the exit status of the final SIGTERM stop (None: killed)
    catch_up_kill: str = ""  # --kill-in-catch-up: when it landed and what the service had recorded


def run(
    plan: Plan, workdir: Path, *, drain: float, say: Any, kill_in_catch_up: str | None = None,
) -> tuple[Events, TimedEmulator, ServiceProcess, TimedFeedServer]:
    """Run the service through the schedule; returns what happened and the three parties.
    `kill_in_catch_up` ("record" or "answer"): one more kill -9, as the first catch-up message
    goes out (CatchUpKill)."""
    sched = plan.schedule
    rng = random.Random(7)
    emulator = TimedEmulator().start()
    server = TimedFeedServer().start()
    for httpd in (emulator._server, server._httpd):  # a client killed mid-request is expected
        if httpd is not None:
            httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    emulator.rate_limit(per_chat_per_minute=20, global_per_second=30)  # Telegram's flood limits
    port = _free_port()
    write_config(workdir / "feeds.yaml", plan, server, 0.0, port)
    service = ServiceProcess(workdir, emulator.api_url)
    catch_up_kill = CatchUpKill(kill_in_catch_up, workdir / "soak.db", service) if kill_in_catch_up else None
    if catch_up_kill is not None:
        emulator.on_catch_up = catch_up_kill.taken
    publisher = Publisher(server, plan, time.time())  # the backlog and the faulty feeds
    service.start()
    say(f"service started (pid {service.proc.pid if service.proc else '?'}); "
        f"{len(plan.feeds)} feeds on {server.base_url}, emulator on {emulator.api_url}")
    # A first start holds classification until every feed was polled once (the start-up
    # round); the run's clock starts after it, as a benchmark's after its warm-up.
    warm_up = _wait_for_log(service.log_path, ("start-up round: every feed", "start-up round: ended"), 180.0)
    say(f"start-up round over after {warm_up:.0f} s; publishing starts" if warm_up is not None
        else "start-up round: its end not in the log after 180 s; publishing starts anyway")
    start = time.time()
    publisher.start_time = start
    publisher.start()
    events = Events(start)
    todo: list[tuple[float, str]] = sorted(
        [(t, "edit") for t in sched.edits] + [(t, "kill") for t in sched.kills]
        + ([(sched.outage[0], "down"), (sched.outage[1], "up")] if sched.outage else [])
    )
    next_fault, down = 5, False
    try:
        while (elapsed := time.time() - start) < sched.duration:
            while todo and todo[0][0] <= elapsed:
                _, what = todo.pop(0)
                if what == "edit":
                    write_config(workdir / "feeds.yaml", plan, server, elapsed + 0.5, port)
                    events.edits.append(time.time())
                    say(f"t={elapsed:.0f}s feeds.yaml edited")
                elif what == "kill":
                    service.kill9()
                    events.kills.append(time.time())
                    say(f"t={elapsed:.0f}s kill -9")
                    time.sleep(2.0)
                    service.start()
                    events.restarts.append(time.time())
                elif what == "down":
                    emulator.set_down(True, "drop")
                    down = True
                    say(f"t={elapsed:.0f}s Bot API down")
                else:
                    emulator.set_down(False)
                    down = False
                    events.outage = (start + sched.outage[0], time.time()) if sched.outage else None
                    say(f"t={elapsed:.0f}s Bot API back")
            if catch_up_kill is not None and _catch_up_killed(catch_up_kill, events, say):
                time.sleep(0.2)
                continue
            # One fault among every few calls: faults must not pile up while the worker waits.
            if len(emulator.requests) >= next_fault and not down:
                kind = rng.choice(SEND_FAULTS)
                emulator.fail_next(1, kind)
                events.send_faults[kind] += 1
                next_fault = len(emulator.requests) + rng.randint(4, 10)
            if not service.alive():
                say(f"t={elapsed:.0f}s the service exited by itself; restarting")
                service.start()
                events.restarts.append(time.time())
            time.sleep(0.2)
        publisher.stop_event.set()
        say("publishing stopped; waiting for the queue to drain")
        events.drained_at = _drain(plan, emulator, workdir, time.time() + drain)
        events.stop_seconds = service.terminate()
        events.stop_status = service.proc.returncode if events.stop_seconds is not None and service.proc else None
    finally:
        publisher.stop_event.set()
        if service.alive():
            service.kill9()
        server.stop()
        emulator.stop()
    return events, emulator, service, server


def _catch_up_killed(kill: CatchUpKill, events: Events, say: Any) -> bool:
    """The kill in the catch-up's send, when due, and the restart 2 s after it; whether the
    service is down for it now (the main loop does not restart it as one that exited)."""
    if kill.due():
        kill.kill()
    if kill.taken_at is None or kill.restarted:
        return False
    if kill.killed_at is None:  # 'answer': being killed in the emulator's thread, not an exit to restart
        return kill.mode == "answer"
    if kill.state and not events.catch_up_kill:  # this kill not counted yet
        events.kills.append(kill.killed_at)
        assert kill.taken_at is not None
        events.catch_up_kill = (f"{kill.mode}: killed {kill.killed_at - kill.taken_at:.1f} s after the first "
                                f"catch-up message was taken (t={kill.taken_at - events.start:.0f} s); {kill.state}")
        say(f"t={kill.killed_at - events.start:.0f}s kill -9 in the catch-up's send ({events.catch_up_kill})")
    if time.time() < kill.killed_at + 2.0:
        return True
    kill.service.start()
    events.restarts.append(time.time())
    kill.restarted = True
    return False


def _drain(plan: Plan, emulator: TimedEmulator, workdir: Path, deadline: float) -> float | None:
    """Wait until every planned alert arrived and the outbox is empty, at most until deadline."""
    want = expected(plan)
    while time.time() < deadline:
        got = {(s, k.chat) for k in delivered(emulator) if k.reply_to is None
               for s in (k.line_stories() if k.catch_up else [k.story])}
        if want <= got and outbox(workdir).get("open", 0) == 0:
            return time.time()
        time.sleep(1.0)
    return None


def outbox(workdir: Path) -> dict[str, int]:
    try:
        db = sqlite3.connect(f"file:{workdir / 'soak.db'}?mode=ro", uri=True, timeout=5)
        rows = db.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall()
        db.close()
    except sqlite3.Error:
        return {}
    counts = {str(s): int(n) for s, n in rows}
    counts["open"] = counts.get("pending", 0) + counts.get("sending", 0)
    return counts


# -- what arrived --------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    chat: str
    message_id: int
    story: int | None
    key: str | None  # the item whose link the message carries (a catch-up's first line's)
    reply_to: int | None
    raw: str
    at: float
    lines: tuple[str | None, ...] = ()  # a catch-up's lines: the item each links to (None: no link)

    @property
    def catch_up(self) -> bool:
        """A catch-up message (alerts/catch_up.py): a heading, then a line per folded story."""
        return self.raw.removeprefix("<b>").startswith(CATCH_UP_MARK)

    def line_stories(self) -> list[int | None]:
        """The planned story of each catch-up line; None for a line that names none."""
        return [_story_of(k) for k in self.lines]


_LINK = re.compile(r'href="[^"]*/a/([a-z]\d+(?:-\d+)?)"')
CATCH_UP_MARK = "⏪"


def _story_of(key: str | None) -> int | None:
    return int(key[1:5]) if key and key.startswith("s") else None


def _catch_up_lines(raw: str) -> tuple[str | None, ...]:
    """The item each line ("• …") of a catch-up links to, in order."""
    out: list[str | None] = []
    for line in raw.split("\n")[1:]:
        if line.startswith("•"):
            keys = _LINK.findall(line)
            out.append(keys[0] if keys else None)
    return tuple(out)


def delivered(emulator: TimedEmulator) -> list[Delivered]:
    out = []
    for chat, messages in emulator.all_messages().items():
        for m in messages:
            keys = _LINK.findall(m.raw)
            key = keys[0] if keys else None
            at = emulator.arrived.get((chat, m.message_id), float(m.date))
            d = Delivered(chat, m.message_id, _story_of(key), key, m.reply_to, m.raw, at)
            if d.catch_up:
                d = Delivered(chat, m.message_id, None, key, m.reply_to, m.raw, at, _catch_up_lines(m.raw))
            out.append(d)
    return out


def expected(plan: Plan) -> set[tuple[int, str]]:
    """(story, chat) pairs that must get exactly one message."""
    want = set()
    for story in plan.stories:
        langs = {it.lang for it in story.items}
        for _, chat, topics, channel_langs in CHANNELS:
            if story.topic in topics and (channel_langs is None or langs & set(channel_langs)):
                want.add((story.id, chat))
    return want


# -- the report ------------------------------------------------------------------------------


@dataclass
class Report:
    minutes: float
    feeds: int
    stories: int
    relevant_items: int
    noise_items: int
    filler_items: int
    alerts_expected: int
    delivered_once: int
    lost: int
    duplicated: int
    duplicates_by_crash: dict[str, int]
    duplicates_outside_crash: int
    irrelevant_alerts: int
    edits: int
    replies: int
    latency_raw_p50: float | None
    latency_raw_p95: float | None
    latency_beyond_p50: float | None
    latency_beyond_p95: float | None
    latency_calm_beyond_p95: float | None
    calm_slowest: list[str]
    fetch_to_delivery_p50: float | None
    fetch_to_delivery_p95: float | None
    memory_peak_mb: float
    memory_final_mb: float
    memory_growth_mb: float
    errors_logged: int
    error_messages: list[str]
    warnings_logged: int
    send_faults: dict[str, int]
    kills: int
    restarts: int
    config_edits: int
    config_reloads: int
    outage_seconds: float
    drain_seconds: float | None
    stop_seconds: float | None
    stop_status: int | None
    outbox: dict[str, int]
    rejected_candidates: int
    lost_pairs: list[str]
    workdir: str
    failures: list[str] = field(default_factory=list)
    catch_up_after: float | None = None  # seconds; None: the service's default (6 h)
    catch_up_messages: int = 0
    delivered_by_catch_up: int = 0  # pairs whose one delivery is a line of a catch-up
    catch_up_irrelevant_lines: int = 0  # lines naming no planned story of that channel
    catch_up_too_early: list[str] = field(default_factory=list)  # lines younger than catch_up_after
    latency_catch_up_p50: float | None = None  # publication → the catch-up's arrival
    latency_catch_up_p95: float | None = None
    catch_up_kill: str = ""  # --kill-in-catch-up: when it landed, what was recorded then


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def analyse(plan: Plan, events: Events, emulator: TimedEmulator, service: ServiceProcess,
            server_times: dict[str, list[float]], workdir: Path) -> Report:
    msgs = delivered(emulator)
    want = expected(plan)
    stories = {s.id: s for s in plan.stories}
    feeds = {f.name: f for f in plan.feeds}
    by_pair: dict[tuple[int, str], list[Delivered]] = defaultdict(list)
    by_text: dict[tuple[str, str], list[Delivered]] = defaultdict(list)
    irrelevant = 0
    catch_ups = [m for m in msgs if m.catch_up]
    bad_lines, too_early = 0, []
    items = {it.key: it for it in plan.items}
    for m in catch_ups:
        for key in m.lines:
            sid = _story_of(key)
            if sid is None or (sid, m.chat) not in want:
                bad_lines += 1
                continue
            # A story's message joins a catch-up only once queued catch_up_after ago: before its
            # item was published plus catch_up_after, the fold came too early.
            item = items.get(key or "")
            if plan.catch_up_after is None or (item and item.published
                                               and m.at < item.published + plan.catch_up_after - 1.0):
                age = f"{m.at - item.published:.0f} s" if item and item.published else "?"
                too_early.append(f"story {sid} → {m.chat} folded {age} after publication")
            by_pair[(sid, m.chat)].append(m)
    for m in msgs:
        if m.catch_up:
            continue
        if m.story is None or m.story not in stories:
            irrelevant += 1
        elif m.reply_to is None:
            by_pair[(m.story, m.chat)].append(m)
        else:
            by_text[(m.chat, m.raw)].append(m)
    once = sum(1 for pair in want if len(by_pair.get(pair, [])) == 1)
    by_catch_up = sum(1 for pair in want if [m.catch_up for m in by_pair.get(pair, [])] == [True])
    lost_pairs = sorted(want - set(by_pair))
    # Duplicates: extra first messages of a (story, chat), and replies sent twice.
    crash_dups: Counter[str] = Counter()
    outside = 0
    for group in [*by_pair.values(), *by_text.values()]:
        group = sorted(group, key=lambda m: m.at)
        for first, again in zip(group, group[1:], strict=False):
            crash = [i for i, k in enumerate(events.kills) if first.at <= k <= again.at]
            if crash:
                crash_dups[f"crash {crash[-1] + 1}"] += 1
            else:
                outside += 1
    duplicated = sum(crash_dups.values()) + outside

    raw, beyond, calm, fetched, caught = [], [], [], [], []
    slowest: list[tuple[float, str]] = []
    disturbed = [(k - INTERVAL, r + INTERVAL + 30) for k, r in zip(events.kills, events.restarts,
                                                                   strict=False)]
    if events.outage:
        # Retries back off exponentially through the outage: about its length again to recover.
        length = events.outage[1] - events.outage[0]
        disturbed.append((events.outage[0] - INTERVAL, events.outage[1] + length + INTERVAL))
    for (sid, _chat), group in by_pair.items():
        first = min(group, key=lambda m: m.at)
        if first.catch_up:  # its own figures: delivered after catch_up_after by design
            published = [it.published for it in stories[sid].items if it.published is not None]
            if published:
                caught.append(first.at - min(published))
            continue
        item = next((it for it in stories[sid].items if it.key == first.key), None)
        if item is None or item.published is None:
            continue
        latency = first.at - item.published
        spec = feeds[item.feed]
        interval = spec.interval
        if spec.new_interval and events.start + spec.new_interval[0] <= first.at:
            interval = max(interval, spec.new_interval[1])
        raw.append(latency)
        beyond.append(max(0.0, latency - interval))
        polls = [t for t in server_times.get(spec.path, []) if t >= item.published]
        if polls:
            fetched.append(first.at - polls[0])
        if not any(a <= item.published <= b for a, b in disturbed):
            calm.append(max(0.0, latency - interval))
            fetch = f"first fetch +{polls[0] - item.published:.1f} s" if polls else "never fetched"
            slowest.append((latency - interval, f"published t={item.published - events.start:.0f} s on "
                            f"{item.feed} (every {interval:g} s) to {first.chat}: {fetch}, "
                            f"delivered +{latency:.1f} s"))

    memory = [mb for _, _, mb in service.memory]
    growth = _growth(service.memory)
    errors, messages, warnings, reloads = _log_levels(service.log_path)
    story_items = [it for it in plan.items if it.story is not None and it.published is not None]
    report = Report(
        minutes=plan.schedule.duration / 60, feeds=len(plan.feeds), stories=len(plan.stories),
        relevant_items=len(story_items),
        noise_items=sum(1 for it in plan.items if it.kind == "noise" and it.published),
        filler_items=sum(1 for it in plan.items if it.kind == "filler" and it.published),
        alerts_expected=len(want), delivered_once=once, lost=len(lost_pairs),
        duplicated=duplicated, duplicates_by_crash=dict(crash_dups),
        duplicates_outside_crash=outside, irrelevant_alerts=irrelevant,
        edits=sum(len(m.edits) for ms in emulator.all_messages().values() for m in ms),
        replies=sum(len(v) for v in by_text.values()),
        latency_raw_p50=pct(raw, 50), latency_raw_p95=pct(raw, 95),
        latency_beyond_p50=pct(beyond, 50), latency_beyond_p95=pct(beyond, 95),
        latency_calm_beyond_p95=pct(calm, 95),
        calm_slowest=[text for _, text in sorted(slowest, reverse=True)[:3]],
        fetch_to_delivery_p50=pct(fetched, 50), fetch_to_delivery_p95=pct(fetched, 95),
        memory_peak_mb=max(memory, default=0.0), memory_final_mb=memory[-1] if memory else 0.0,
        memory_growth_mb=growth, errors_logged=errors, error_messages=messages,
        warnings_logged=warnings, send_faults=dict(events.send_faults), kills=len(events.kills),
        restarts=len(events.restarts), config_edits=len(events.edits), config_reloads=reloads,
        outage_seconds=(events.outage[1] - events.outage[0]) if events.outage else 0.0,
        drain_seconds=(events.drained_at - events.start - plan.schedule.duration)
        if events.drained_at else None,
        stop_seconds=events.stop_seconds, stop_status=events.stop_status, outbox=outbox(workdir),
        rejected_candidates=plan.rejected,
        lost_pairs=[f"story {s} → {c}" for s, c in lost_pairs[:20]], workdir=str(workdir),
        catch_up_after=plan.catch_up_after, catch_up_messages=len(catch_ups),
        delivered_by_catch_up=by_catch_up, catch_up_irrelevant_lines=bad_lines,
        catch_up_too_early=too_early[:20], latency_catch_up_p50=pct(caught, 50),
        latency_catch_up_p95=pct(caught, 95), catch_up_kill=events.catch_up_kill,
    )
    report.failures = judge(report)
    return report


def _growth(samples: list[tuple[float, int, float]]) -> float:
    """Memory growth of the longest-lived process: median of its last third minus its middle
    third (MB). A leak shows as steady growth; start-up allocation is in the first third."""
    by_gen: dict[int, list[float]] = defaultdict(list)
    for _, gen, mb in samples:
        by_gen[gen].append(mb)
    longest = max(by_gen.values(), key=len, default=[])
    if len(longest) < 9:
        return 0.0
    third = len(longest) // 3
    return statistics.median(longest[-third:]) - statistics.median(longest[third:2 * third])


def _log_levels(path: Path) -> tuple[int, list[str], int, int]:
    errors, warnings, reloads = 0, 0, 0
    messages: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            if line.strip():  # not JSON: a crash trace printed outside logging counts as an error
                errors += line.startswith("Traceback")
            continue
        level = entry.get("level")
        if level in ("error", "critical"):
            errors += 1
            messages[re.sub(r"\d+", "N", str(entry.get("message", "")))[:120]] += 1
        elif level == "warning":
            warnings += 1
        if str(entry.get("message", "")).startswith("config reloaded"):
            reloads += 1
    return errors, [f"{n}× {m}" for m, n in messages.most_common(8)], warnings, reloads


def judge(r: Report) -> list[str]:
    failures = []
    if r.lost:
        failures.append(f"{r.lost} alerts lost")
    if r.duplicates_outside_crash:
        failures.append(f"{r.duplicates_outside_crash} duplicates outside a crash")
    if any(n > 1 for n in r.duplicates_by_crash.values()):
        failures.append("more than one duplicate for one crash")
    if r.irrelevant_alerts:
        failures.append(f"{r.irrelevant_alerts} irrelevant alerts")
    if r.catch_up_irrelevant_lines:
        failures.append(f"{r.catch_up_irrelevant_lines} catch-up lines not a planned story of their channel")
    if r.catch_up_too_early:
        failures.append(f"{len(r.catch_up_too_early)} alerts folded into a catch-up before catch_up_after")
    if r.latency_calm_beyond_p95 is not None and r.latency_calm_beyond_p95 >= LATENCY_TARGET:
        failures.append(f"p95 latency beyond the interval {r.latency_calm_beyond_p95:.1f} s")
    if r.memory_peak_mb >= RSS_LIMIT_MB:
        failures.append(f"peak memory {r.memory_peak_mb:.0f} MB")
    if r.memory_growth_mb > max(20.0, 0.15 * r.memory_final_mb):
        failures.append(f"memory grew {r.memory_growth_mb:.0f} MB in the last third")
    if r.stop_seconds is None:
        failures.append("the service did not stop within 15 s of SIGTERM (killed)")
    elif r.stop_status != 0:
        failures.append(f"the service exited with status {r.stop_status} on SIGTERM")
    return failures


def print_report(r: Report, out: Any = sys.stdout) -> None:
    def f(x: float | None, unit: str = " s") -> str:
        return "n/a" if x is None else f"{x:.1f}{unit}"

    crash = ", ".join(f"{k}: {n}" for k, n in sorted(r.duplicates_by_crash.items())) or "none"
    lines = [
        f"## Soak report: {r.minutes:g} min, {r.feeds} feeds, {r.kills} × kill -9, "
        f"{r.config_edits} config edits, Bot API down {r.outage_seconds:.0f} s",
        "",
        f"- relevant items published: {r.relevant_items} in {r.stories} stories "
        f"(+ {r.noise_items} planned irrelevant, {r.filler_items} filler)",
        f"- alerts expected: {r.alerts_expected} (one per story and channel)",
        f"- delivered once: {r.delivered_once}",
        f"- lost: {r.lost}" + (f" ({'; '.join(r.lost_pairs)})" if r.lost_pairs else ""),
        f"- duplicated: {r.duplicated} (by crash: {crash}; outside a crash: "
        f"{r.duplicates_outside_crash})",
        f"- irrelevant alerts sent: {r.irrelevant_alerts}",
        f"- edits {r.edits}, replies {r.replies}",
        *([f"- catch-up (catch_up_after {f(r.catch_up_after)}): {r.catch_up_messages} messages, "
           f"{r.delivered_by_catch_up} alerts delivered by them (in 'delivered once'), "
           f"{r.catch_up_irrelevant_lines} lines not a planned story of their channel, "
           f"{len(r.catch_up_too_early)} folded too early; publication → catch-up p50 "
           f"{f(r.latency_catch_up_p50)}, p95 {f(r.latency_catch_up_p95)} (left out of the latencies below)"]
          if r.catch_up_after is not None or r.catch_up_messages else []),
        *(f"    - too early: {text}" for text in r.catch_up_too_early[:5]),
        *([f"- kill -9 in the catch-up's send: {r.catch_up_kill}"] if r.catch_up_kill else []),
        f"- latency publication → delivery: p50 {f(r.latency_raw_p50)}, p95 {f(r.latency_raw_p95)}",
        f"- beyond the poll interval: p50 {f(r.latency_beyond_p50)}, p95 {f(r.latency_beyond_p95)}"
        f"; outside crash/outage windows p95 {f(r.latency_calm_beyond_p95)} "
        f"(target < {LATENCY_TARGET:g} s)",
        *(f"    - slowest there: {text}" for text in r.calm_slowest),
        f"- first fetch after publication → delivery: p50 {f(r.fetch_to_delivery_p50)}, "
        f"p95 {f(r.fetch_to_delivery_p95)}",
        f"- memory (RSS): peak {r.memory_peak_mb:.0f} MB, final {r.memory_final_mb:.0f} MB, "
        f"growth in the last third {r.memory_growth_mb:+.1f} MB (limit {RSS_LIMIT_MB:.0f} MB)",
        f"- errors logged: {r.errors_logged} (warnings {r.warnings_logged})",
        *(f"    - {m}" for m in r.error_messages),
        f"- injected send faults: {', '.join(f'{k}×{n}' for k, n in sorted(r.send_faults.items()))}",
        f"- restarts {r.restarts}, config reloads seen in the log {r.config_reloads}, "
        f"drained {f(r.drain_seconds)} after the end, SIGTERM stop {f(r.stop_seconds)} (status {r.stop_status})",
        f"- outbox at the end: {json.dumps(r.outbox)}",
        f"- candidate stories rejected up front (matching would not see them as planned): "
        f"{r.rejected_candidates}",
        f"- files (config, database, service.log): {r.workdir}",
        "",
        "RESULT: " + ("PASS" if not r.failures else "FAIL: " + "; ".join(r.failures)),
    ]
    print("\n".join(lines), file=out, flush=True)


def _duration(text: str) -> float:
    """Seconds of "10m", "600s", "1h" or a bare number of seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 10m, 600s)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _fractions(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not fractions: {text!r} (e.g. 0.3,0.9)") from None
    if not all(0 < v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"fractions of the run, between 0 and 1: {text!r}")
    return values


# what a run writes in its workdir: the service's config, database, restore marks and logs
RUN_FILES = ("feeds.yaml", "feeds.tmp", "soak.db", "soak.db-wal", "soak.db-shm", "soak.db-journal", "soak.db.seen",
             "soak.db.sent", "service.log", "service.out")


def prepare_workdir(workdir: Path) -> list[str]:
    """Make `--workdir` ready for a new run, and name the previous run's files removed from it.
    Until 7 December 2026 a workdir given again (docs/SOAK.md's command run twice) kept the last
    run's database: the service took the new run's items as stored already, alerted none, and the
    soak waited out its 420 s drain to report them lost."""
    workdir.mkdir(parents=True, exist_ok=True)
    removed = []
    for name in RUN_FILES:
        path = workdir / name
        if path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float,
                        default=float(os.environ.get("SOAK_MINUTES") or 5.0))
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--kills", type=int, default=2, help="kill -9 and restart (default 2)")
    parser.add_argument("--outage", type=float, default=60.0, help="Bot API down, seconds")
    parser.add_argument("--edits", type=int, default=2, choices=[0, 1, 2])
    parser.add_argument("--drain", type=float, default=420.0,
                        help="longest wait for the queue to drain after the run (seconds)")
    parser.add_argument("--stories-per-minute", type=float, default=7.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--request-timeout", type=float,
                        help="the service's request_timeout, seconds (default its own, 30): the start-up round "
                             "waits for the stalled feed's poll to time out")
    parser.add_argument("--catch-up-after", type=_duration,
                        help="the service's settings.catch_up_after (e.g. 10m, its minimum; default its own, 6h): "
                             "with an --outage longer than it, queued alerts go out folded into catch-ups")
    parser.add_argument("--outage-at", type=float, default=0.4,
                        help="when the Bot API goes down, as a fraction of the run (default 0.4)")
    parser.add_argument("--kill-at", type=_fractions,
                        help="when to kill -9, fractions of the run, comma-separated (default: --kills at 0.3, 0.62)")
    parser.add_argument("--kill-in-catch-up", choices=["record", "answer"],
                        help="one more kill -9 as the first catch-up message goes out: 'record', Telegram took it "
                             "and the service has the answer, its row not recorded (the driver holds SQLite's "
                             "write lock); 'answer', before the answer reaches the service")
    parser.add_argument("--workdir", help="keep the files here (default: a new temp directory)")
    parser.add_argument("--json", help="also write the report as JSON to this file")
    args = parser.parse_args(argv)

    def say(text: str) -> None:
        print(f"[soak {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="monitor-soak-"))
    if removed := prepare_workdir(workdir):
        say(f"{workdir}: the previous run's {', '.join(removed)} removed")
    config = load_config(ROOT / "feeds.yaml")
    classifier = build_classifier(config.topics, config.entities, model=default_model().model)
    schedule = make_schedule(args.minutes * 60, args.kills, args.outage, args.edits,
                             outage_at=args.outage_at, kill_at=args.kill_at)
    plan = build_plan(args.feeds, schedule, classifier, random.Random(args.seed),
                      stories_per_minute=args.stories_per_minute)
    plan.request_timeout = args.request_timeout
    plan.catch_up_after = args.catch_up_after
    say(f"plan: {len(plan.stories)} stories ({sum(len(s.items) for s in plan.stories)} items), "
        f"{len(plan.feeds)} feeds; kills at {[round(k) for k in schedule.kills]} s, edits at "
        f"{[round(e) for e in schedule.edits]} s, Bot API down {schedule.outage}; in {workdir}")
    events, emulator, service, server = run(plan, workdir, drain=args.drain, say=say,
                                            kill_in_catch_up=args.kill_in_catch_up)
    report = analyse(plan, events, emulator, service, server.fetch_times, workdir)
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(report), indent=2, default=str), "utf-8")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
