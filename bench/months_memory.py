"""What one service process holds after months: the in-process parts of `monitor run` over
simulated days (docs/SCALE.md, "Memory over months").

    python bench/months_memory.py [--days 60] [--no-trace] [--feeds 6] [--items 40] [--relevant 0.3]
                                  [--snapshot-day 10] [--top 15] [--servers-apart]

The service's own parts, in one process: `monitor.service.Service` (its pipeline, fetcher,
metrics, poll states), feeds served over HTTP on 127.0.0.1 (devtools/feedserver.py), the
delivery worker sending to the Bot API emulator (devtools/emulator.py) through
python-telegram-bot, a SQLite file (with `--servers-apart` the feed server and the emulator run
in a child process, so that the RSS measured is the service's alone). Time is a `core.clock.ManualClock`: the worker runs on it
and the project's modules read `datetime.now()` from it (their `datetime` name replaced by one
whose `now()` is the clock's): a simulated day takes 5-7 s of wall time, 19 s under tracemalloc
(60 days `--no-trace`: 8 minutes on 2 shared cores). Every simulated hour each feed publishes
its share of `--items` a day (`--relevant` of them in the
beat's words, bench/bench_stories.py's headlines, the rest other news), every feed is polled
(`Service.poll`: fetch, store, classify, stories, alerts queued), held alerts are folded, the
worker sends what is due; every 6 hours retention runs, twice a day the digest channel's
roundup and the missed-digests look, hourly the tally's charts and pin and the beat: the
jobs the service schedules (monitor/service/housekeeping.py), called at their times (APScheduler
itself is not run).

At the end of each simulated day it prints the day's wall time and its parts (poll, deliver,
tally, digest, fold, retention, beat; publish is the bench's own feeds): a day that grows
slower with the months shows where (docs/SCALE.md, "Time over months").

tracemalloc runs from the start (not with `--no-trace`): at `--snapshot-day` and at the end it
prints the RSS (also after malloc_trim), SQLite's memory, the traced heap and the sizes of the
long-lived containers (the story index, the worker's journal, the prepared statements, the feed
places, the poll states, the metrics' samples, the lru_caches...), then the allocation sites that grew between the two snapshots
(`Snapshot.compare_to(..., "lineno")`) and the growth per simulated month. Every 10 simulated
days it prints the RSS, the threads, glibc's arenas and the free memory they hold (malloc_info)
and SQLite's memory, none of them trimmed.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from bench.bench_stories import headline  # noqa: E402
from core.clock import ManualClock  # noqa: E402

START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
CLOCK = ManualClock(START)
TOKEN = "123456789:TEST-token-for-the-emulator-0123456789"
PACKAGES = ("alerts", "core", "monitor", "storage", "devtools")
FEED_LENGTH = 30  # items a feed lists (its latest)
KEEP_MESSAGES = 300  # the emulator's messages kept a chat
OTHER = ["Liga de béisbol: {a} vence a {b} en el {n}.º juego", "Precio del dólar cierra en {n} bolívares",
         "Lluvias afectan {n} viviendas en {a}", "Festival de cine de {a} abre con {n} películas",
         "Nueva ruta de autobuses entre {a} y {b}", "Concierto de {a} reúne a {n} personas"]


class _Meta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _REAL)


_REAL = datetime


class SimDatetime(datetime, metaclass=_Meta):
    """`datetime` whose `now()` is the bench's clock (isinstance still sees every datetime)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        at = CLOCK.now()
        return at.astimezone(tz) if tz is not None else at.replace(tzinfo=None)

    @classmethod
    def utcnow(cls) -> datetime:  # type: ignore[override]
        return CLOCK.now().replace(tzinfo=None)


def follow_clock() -> int:
    """Point every loaded project module's `datetime` at SimDatetime; how many."""
    n = 0
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in PACKAGES and getattr(module, "datetime", None) is _REAL:
            module.datetime = SimDatetime  # type: ignore[attr-defined]
            n += 1
    return n


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def trimmed_rss_mb() -> float | None:
    """The RSS once glibc has given back the free memory it holds (malloc_trim): what the
    live data and the libraries take, without the heap's free fragments; None off glibc."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_mb()


def sqlite_kb() -> int:
    """What SQLite's own allocator holds (its page caches, its statements), in KiB; -1 if unknown."""
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")
    except OSError:
        return -1
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used()) // 1024


def malloc_figures() -> dict[str, float]:
    """glibc's heap as malloc_info tells it: the arenas, what they took from the system and
    what of it is free (fragments malloc_trim could give back), in MB; empty off glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
        libc.fclose.argtypes = [ctypes.c_void_p]
    except (OSError, AttributeError):
        return {}
    with tempfile.NamedTemporaryFile(suffix=".xml") as fh:
        stream = libc.fopen(fh.name.encode(), b"w")
        if not stream:
            return {}
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        root = ET.parse(fh.name).getroot()
    heaps = root.findall("heap")

    def total(kind: str) -> float:
        return sum(int(e.get("size", 0)) for e in root.findall(kind) if e.get("type") in ("fast", "rest")) / 2**20

    current = root.find("system[@type='current']")
    return {"arenas": len(heaps), "system MB": int(current.get("size", 0)) / 2**20 if current is not None else -1,
            "free MB": total("total"), "mmapped MB": sum(int(e.get("size", 0)) for e in root.findall("total")
                                                          if e.get("type") == "mmap") / 2**20}


def native_line(day: int) -> str:
    """The memory outside the Python heap, untrimmed: RSS, threads, glibc's arenas, SQLite's."""
    m = malloc_figures()
    heap = (f", malloc: {m['arenas']} arenas, {m['system MB']:.1f} MB from the system, {m['free MB']:.1f} MB free, "
            f"{m['mmapped MB']:.1f} MB mmapped") if m else ""
    return (f"day {day}: RSS {rss_mb():.1f} MB, {len(os.listdir('/proc/self/task'))} threads{heap}, "
            f"SQLite {sqlite_kb() / 1024:.1f} MB")


def _size(obj: Any) -> int:
    try:
        return len(obj)
    except TypeError:
        return -1


def containers(service: Any) -> dict[str, int]:
    """The lengths of the long-lived containers suspected of growing with time."""
    from alerts.stories import assign
    from monitor.ingest import dedup, poll
    from storage import driver

    out: dict[str, int] = {}
    for index in list(assign._INDEXES.values()):
        for name in ("stories", "postings", "df", "generic", "waves", "_by_waves", "_idf", "_norms"):
            out[f"story index .{name}"] = _size(getattr(index, name))
        out["story index: items in entries"] = sum(len(e.items) for e in index.stories.values())
        out["story index: members"] = sum(len(e.members) for e in index.stories.values())
        out["story index: memo"] = sum(len(e.memo) for e in index.stories.values())
        out["story index: most items in a story"] = max((len(e.items) for e in index.stories.values()), default=0)
        out["story index: oldest story (days)"] = max(
            ((CLOCK.now() - e.created).days for e in index.stories.values()), default=0)
    out["SQLite memory (KiB)"] = sqlite_kb()
    out["worker.sent_here"] = len(service.worker.sent_here)
    out["worker.sent_before"] = len(service.worker.sent_before)
    out["storage.driver._PREPARED"] = len(driver._PREPARED)
    out["ingest.dedup._capped"] = len(dedup._capped)
    out["ingest.poll._REFUSALS"] = len(poll._REFUSALS)
    out["pipeline.places"] = len(service.pipeline.places._tallies)
    out["pipeline._failures"] = len(service.pipeline._failures)
    out["pipeline.watched (names)"] = len(service.pipeline.watched._snap.names)
    if service.poll_states is not None:
        out["poll_states._states"] = len(service.poll_states._states)
    out["fetcher._hosts"] = len(service.fetcher._hosts)
    out["fetcher.server_clocks"] = len(service.fetcher.server_clocks._offsets)
    samples = 0
    for metric in service.metrics.registry.collect() if hasattr(service.metrics, "registry") else []:
        samples += len(metric.samples)
    out["metrics samples"] = samples
    for name, fn in _lru_caches():
        out[f"lru {name}"] = fn.cache_info().currsize
    return out


def _lru_caches() -> list[tuple[str, Any]]:
    found = []
    for mod_name, module in list(sys.modules.items()):
        if mod_name.split(".")[0] not in PACKAGES:
            continue
        for attr, value in list(vars(module).items()):
            if callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", "") == mod_name:
                found.append((f"{mod_name}.{attr}", value))
    return found


def write_config(path: Path, feeds: list[str], server: Any, port: int) -> None:
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = {
        "settings": {"http_listen": f"127.0.0.1:{port}", "channel_rate_per_minute": 600},  # never listened on
        "rules": shipped["rules"],
        "feeds": [{"name": n, "url": server.url(f"/{n}.xml"), "language": "es", "interval": "1h",
                   "fetch_article": "never"} for n in feeds],
        "channels": [
            {"name": "presos", "chat_id": "@presos", "topics": ["political_prisoners"], "mode": "instant"},
            {"name": "eeuu", "chat_id": "@eeuu", "topics": ["us_actions"], "mode": "instant"},
            {"name": "resumen", "chat_id": "@resumen", "topics": ["political_prisoners", "us_actions"],
             "mode": "digest", "schedule": ["08:00", "20:00"], "tally_chart": {"every": "daily", "at": "09:00"},
             "pin_tally": True},
        ],
    }
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)


class Feeds:
    """The outlets: each lists its latest items, a few new ones an hour."""

    def __init__(self, server: Any, names: list[str], per_day: int, relevant: float, rng: random.Random) -> None:
        from devtools.samples import SampleItem, rss

        self._item, self._rss = SampleItem, rss
        self.server, self.names, self.rng = server, names, rng
        self.per_hour, self.relevant = per_day / 24, relevant
        self.items: dict[str, list[Any]] = {n: [] for n in names}
        self.n = 0
        self._debt = dict.fromkeys(names, 0.0)
        for name in names:
            self._serve(name)

    def _title(self) -> str:
        if self.rng.random() < self.relevant:
            return headline(self.rng)[0]
        a, b = self.rng.sample(["Caracas", "Valencia", "Mérida", "Cumaná", "Coro", "Puerto Ordaz"], 2)
        return self.rng.choice(OTHER).format(a=a, b=b, n=self.rng.randint(2, 900)) + f" ({self.n})"

    def publish_hour(self) -> int:
        made = 0
        for name in self.names:
            self._debt[name] += self.per_hour
            while self._debt[name] >= 1:
                self._debt[name] -= 1
                self.n += 1
                made += 1
                at = CLOCK.now() - timedelta(minutes=self.rng.randint(1, 50))
                self.items[name].insert(0, self._item(
                    title=self._title(), link=f"{self.server.base_url}/articles/{name}/{self.n}",
                    summary="", guid=f"{name}-{self.n}", published=at))
                del self.items[name][FEED_LENGTH:]
            self._serve(name)
        return made

    def _serve(self, name: str) -> None:
        body = self._rss(self.items[name], title=name, language="es")
        self.server.set_route(f"/{name}.xml", body, content_type="application/rss+xml",
                              etag=f'"{name}-{self.n}"')


def trim_servers(server: Any, emulator: Any) -> None:
    """The bench's own servers keep what they saw (for tests): forget it daily, keeping each
    chat's last messages (a story's edits reach back two days), so that what grows is the service's."""
    with server._lock:
        server._hits.clear()
    with emulator._lock:
        emulator.requests.clear()
        for messages in emulator._messages.values():
            del messages[:-KEEP_MESSAGES]


class Spent:
    """Wall time a simulated day spends in each of its parts (the bench's own feed publishing
    apart): a day that takes longer as the database grows shows where."""

    def __init__(self) -> None:
        self.parts: dict[str, float] = {}
        self.started, self.cpu = time.monotonic(), time.process_time()

    @contextmanager
    def __call__(self, part: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.parts[part] = self.parts.get(part, 0.0) + time.monotonic() - t0

    @property
    def total(self) -> float:
        return time.monotonic() - self.started

    def day_line(self, day: int) -> str:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in sorted(self.parts.items(), key=lambda kv: -kv[1]))
        cpu = time.process_time() - self.cpu  # the process's threads: less swayed by other processes
        return f"day {day}: {self.total:.2f} s, CPU {cpu:.2f} s ({parts})"

    def reset(self) -> None:
        self.parts.clear()
        self.started, self.cpu = time.monotonic(), time.process_time()


@contextmanager
def servers_here(names: list[str], per_day: int, relevant: float, seed: int) -> Iterator[Any]:
    """The feed server and the emulator in this process (the default): their memory in its RSS."""
    from devtools.emulator import BotApiEmulator
    from devtools.feedserver import FeedServer

    with FeedServer() as server, BotApiEmulator() as emulator:
        yield Servers(server, emulator, Feeds(server, names, per_day, relevant, random.Random(seed)))


class Servers:
    """The bench's servers, here or in a child process: the feeds' and the API's addresses,
    an hour's publishing, the daily trim."""

    def __init__(self, server: Any, emulator: Any, feeds: Feeds) -> None:
        self.server, self.emulator, self.feeds = server, emulator, feeds
        self.api_url: str = emulator.api_url

    def url(self, path: str) -> str:
        return str(self.server.url(path))

    def publish_hour(self) -> int:
        return self.feeds.publish_hour()

    def trim(self) -> None:
        trim_servers(self.server, self.emulator)

    def rss_mb(self) -> float | None:
        return None


class ServersApart(Servers):
    """The same, served by a child process (`--servers-apart`): the RSS measured is the
    service's alone. Each call is a message on a pipe; the child's clock follows the bench's."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.base_url, self.api_url = conn.recv()

    def _call(self, *message: Any) -> Any:
        self.conn.send(message)
        return self.conn.recv()

    def url(self, path: str) -> str:
        return self.base_url + path

    def publish_hour(self) -> int:
        return int(self._call("hour", CLOCK.now()))

    def trim(self) -> None:
        self._call("trim")

    def rss_mb(self) -> float | None:
        return float(self._call("rss"))


@contextmanager
def servers_apart(names: list[str], per_day: int, relevant: float, seed: int) -> Iterator[Servers]:
    """`servers_here` in a child process (spawned: none of this process's memory or threads)."""
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    child = ctx.Process(target=serve_apart, args=(there, names, per_day, relevant, seed), daemon=True)
    child.start()
    try:
        yield ServersApart(here)
        here.send(("stop",))
        child.join(10)
    finally:
        if child.is_alive():
            child.kill()
            child.join()


def serve_apart(conn: Any, names: list[str], per_day: int, relevant: float, seed: int) -> None:
    """The child of `servers_apart`: serves until told to stop."""
    with servers_here(names, per_day, relevant, seed) as servers:
        conn.send((servers.server.base_url, servers.api_url))
        while True:
            what, *args = conn.recv()
            if what == "stop":
                return
            if what == "hour":
                CLOCK.advance((args[0] - CLOCK.now()).total_seconds())
                conn.send(servers.publish_hour())
            elif what == "trim":
                servers.trim()
                conn.send(None)
            elif what == "rss":
                conn.send(rss_mb())


def grown(before: dict[str, int], after: dict[str, int]) -> list[tuple[str, int, int]]:
    return [(k, before.get(k, 0), v) for k, v in after.items() if v != before.get(k, 0)]


async def simulate(args: argparse.Namespace, workdir: Path, say: Any) -> dict[str, Any]:
    from alerts.delivery import DeliveryWorker
    from core.config import load_config, resolve_runtime
    from monitor.heap import limit_arenas, tune_collector
    from monitor.service import Service, sync_config
    from storage.db import open_database

    say(f"malloc arenas {limit_arenas()}")  # as Service.run, before the threads (MALLOC_ARENA_MAX=16: glibc's on 2 cores)
    follow_clock()
    names = [f"outlet{i}" for i in range(args.feeds)]
    servers = servers_apart if args.servers_apart else servers_here
    with servers(names, args.items, args.relevant, args.seed) as feeds:
        config_path = workdir / "feeds.yaml"
        write_config(config_path, names, feeds, 9108)
        config = load_config(config_path)
        db_url = f"sqlite:///{workdir / 'monitor.db'}"
        runtime = resolve_runtime(config, config_path=str(config_path), db_flag=db_url,
                                  env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": feeds.api_url})
        db = open_database(db_url)
        service = Service(config, runtime, db)
        service.worker = DeliveryWorker(config, runtime, db, clock=CLOCK, on_outcome=service._count_delivery)
        sync_config(config, db)
        tune_collector()
        await service.worker.start()
        figures: dict[str, Any] = {"days": args.days, "items": 0, "sent": 0}
        snaps: dict[str, Any] = {}
        started = time.monotonic()
        spent = Spent()
        for hour in range(args.days * 24):
            with spent("publish"):
                figures["items"] += feeds.publish_hour()
            with spent("poll"):
                for name in names:
                    await service.poll(name)
            with spent("fold"):
                await service._fold_tick()
            with spent("tally"):
                await service.tally_tick()
            with spent("beat"):
                await service._beat()
            with spent("deliver"):
                stats = await service.worker.deliver_pending()
            figures["sent"] += stats.sent
            at = CLOCK.now()
            if at.hour % 6 == 0:
                with spent("retention"):
                    await service.retention()
            if at.hour in (8, 20):
                with spent("digest"):
                    await service.digest("resumen")
                    await service.missed_digests()
                    figures["sent"] += (await service.worker.deliver_pending()).sent
            CLOCK.advance(3600 - (CLOCK.now() - at).total_seconds() % 3600)
            day = hour // 24 + 1
            if (hour + 1) % 24 == 0:
                say(spent.day_line(day))
                figures.setdefault("day_seconds", []).append((day, spent.total))
                spent.reset()
                feeds.trim()
                follow_clock()  # the modules imported since
                if day % 10 == 0:
                    figures.setdefault("rss", []).append((day, rss_mb()))
                if day % 10 == 0 or day in (args.snapshot_day, args.days):  # before the snapshot's malloc_trim
                    apart = feeds.rss_mb()
                    say(native_line(day) + (f"; the servers' process {apart:.1f} MB" if apart is not None else ""))
            if (hour + 1) % 24 == 0 and day in (args.snapshot_day, args.days):
                gc.collect()
                key = "mid" if day == args.snapshot_day and day != args.days else "end"
                snapshot = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
                snaps[key] = (day, snapshot, rss_mb(), containers(service))
                figures.setdefault("trimmed", {})[key] = trimmed_rss_mb()
                say(f"day {day}: RSS {snaps[key][2]:.1f} MB, traced {tracemalloc.get_traced_memory()[0] / 2**20:.1f} MB, "
                    f"{figures['items']} items, {figures['sent']} sent, {time.monotonic() - started:.0f} s")
        figures["wall"] = time.monotonic() - started
        figures["snaps"] = snaps
        await service.close()
        db.dispose()
    return figures


def report(figures: dict[str, Any], top: int, say: Any) -> dict[str, Any]:
    snaps = figures["snaps"]
    if "mid" not in snaps:
        say("no snapshot before the end (--snapshot-day at or past --days)")
        return {}
    (d0, s0, r0, c0), (d1, s1, r1, c1) = snaps["mid"], snaps["end"]
    months = (d1 - d0) / 30
    say(f"\n{figures['days']} simulated days, {figures['items']} items, {figures['sent']} messages sent, "
        f"{figures['wall']:.0f} s of wall time")
    say(f"RSS: day {d0} {r0:.1f} MB, day {d1} {r1:.1f} MB: {(r1 - r0) / months:+.2f} MB per simulated month")
    trimmed = figures.get("trimmed", {})
    if trimmed.get("mid") is not None and trimmed.get("end") is not None:
        t0, t1 = trimmed["mid"], trimmed["end"]
        say(f"RSS after malloc_trim: day {d0} {t0:.1f} MB, day {d1} {t1:.1f} MB: "
            f"{(t1 - t0) / months:+.2f} MB per simulated month")
    say("RSS by day: " + ", ".join(f"{d}: {r:.0f} MB" for d, r in figures.get("rss", [])))
    say(f"\ncontainers that changed (day {d0} -> day {d1}):")
    for name, a, b in grown(c0, c1):
        say(f"  {name}: {a} -> {b}")
    if s0 is None or s1 is None:  # --no-trace
        return {"rss_per_month": (r1 - r0) / months, "containers": (c0, c1)}
    # one grouping of each snapshot (Python's loop over every trace, a few seconds at 75 MB
    # traced): the sites' differences, and from them both totals
    diffs = s1.compare_to(s0, "lineno")
    traced1 = sum(stat.size for stat in diffs)
    traced0 = traced1 - sum(stat.size_diff for stat in diffs)
    say(f"traced heap: day {d0} {traced0 / 2**20:.2f} MB, day {d1} {traced1 / 2**20:.2f} MB: "
        f"{(traced1 - traced0) / 2**20 / months:+.3f} MB per simulated month")
    say(f"\nallocation sites that grew most (day {d0} -> day {d1}):")
    project = str(ROOT)
    shown = 0
    for stat in diffs:
        if stat.size_diff <= 0 or shown >= top:
            break
        frame = stat.traceback[0]
        where = frame.filename.replace(project + "/", "")
        if where.startswith("devtools/"):  # the bench's feed server and Bot API emulator
            continue
        shown += 1
        say(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  {where}:{frame.lineno}")
    return {"rss_per_month": (r1 - r0) / months, "traced_per_month": (traced1 - traced0) / 2**20 / months,
            "containers": (c0, c1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--days", type=int, default=60)
    p.add_argument("--feeds", type=int, default=6)
    p.add_argument("--items", type=int, default=40, help="items a feed publishes a day")
    p.add_argument("--relevant", type=float, default=0.3, help="share of items in the beat's words")
    p.add_argument("--snapshot-day", type=int, default=10)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dir", help="where the database goes (default /dev/shm where there is one)")
    p.add_argument("--no-trace", action="store_true", help="RSS alone, without tracemalloc's cost")
    p.add_argument("--servers-apart", action="store_true",
                   help="the feed server and the Bot API emulator in a child process, out of the RSS measured")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("monitor.service").setLevel(logging.CRITICAL)  # the clock-offset lines
    if not args.no_trace:
        tracemalloc.start(1)

    def say(text: str) -> None:
        print(text, flush=True)

    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None  # the database's fsyncs are not measured
    with tempfile.TemporaryDirectory(prefix="months-", dir=args.dir or shm) as tmp:
        figures = asyncio.run(simulate(args, Path(tmp), say))
    tracemalloc.stop()  # the snapshots are taken: the report's own allocations need no tracing
    report(figures, args.top, say)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
