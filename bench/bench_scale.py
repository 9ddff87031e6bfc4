"""Scale: the real service (monitor.service.Service, its APScheduler jobs, fetcher, SQLite
database and pipeline) holding N feeds for two intervals against local feed servers.

    python bench/bench_scale.py [--sizes 1000,3000,10000] [--interval 120]

The load. Every feed is an RSS document of 3 items on one of HOSTS local feed servers
(devtools/feedserver.py, each its own port, that is its own host for per-host politeness).
The first interval is the cold start (each feed's first poll: a 200 and 3 backfill items);
the second is measured: the servers answer 304 to the conditional GET unless the feed
changed, and 1% of the feeds change per interval (one new item, a tenth of them relevant).

The time scale, honestly. Production polls each feed every 10 minutes. A run here uses a
shorter interval (default 120 s, the same for every size), so 10,000 feeds at 120 s make
83 polls/s: five times the poll rate of 10,000 feeds at 10 minutes, the rate of 50,000
feeds at 10 minutes. Memory is that of N feeds (jobs, rows, caches); delay and CPU per
poll are those of the faster rate, so they overstate the 10-minute case.

What is measured, in a child process running the service (the servers run in this one):
- peak RSS of the child (os.wait4, ru_maxrss);
- delay past the scheduled time of each run in the measured interval: `lag` is when the
  scheduler started the job, `done` adds the poll itself (waits on the concurrency limits,
  the request, the database); p50/p95/max;
- CPU per poll: the child's user+system CPU over the measured interval / polls in it.
Targets (issue 17): 10,000 feeds, peak RSS < 300 MB, p95 delay < 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from devtools.feedserver import FeedServer  # noqa: E402
from devtools.samples import SampleItem, rss  # noqa: E402

HOSTS = 4
ITEMS = 3
CHANGE_SHARE = 0.01  # of the feeds per interval
RSS_TARGET_MB = 300.0
DELAY_TARGET_S = 30.0
TARGET_FEEDS = 10_000
NEUTRAL = [
    "El Banco Central publica el índice de precios de {n}",
    "Abren {n} nuevas rutas de autobús en Maracaibo",
    "Liga de béisbol: {n} carreras en el juego de anoche",
]
RELEVANT = "Excarcelan a {n} presos políticos del penal de Tocorón"


def feed_doc(feed: int, version: int) -> bytes:
    items = []
    for v in range(max(0, version - ITEMS + 1), version + 1):
        rnd = random.Random(feed * 1000 + v)
        title = (RELEVANT if rnd.random() < 0.1 and v else rnd.choice(NEUTRAL)).format(n=rnd.randint(2, 90))
        items.append(SampleItem(
            title=f"{title} ({feed}-{v})", link=f"https://news{feed % 97}.example.org/a/{feed}/{v}",
            guid=f"f{feed}-v{v}", summary="Nota de la redacción.",
            published=datetime(2026, 2, 1, tzinfo=UTC) + timedelta(minutes=v),
        ))
    return rss(items, title=f"Feed {feed}")


def write_config(directory: Path, urls: list[str], interval: int, settings: dict[str, int]) -> Path:
    yaml = YAML()
    config = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    with socket.socket() as sock:  # a free port for /healthz
        sock.bind(("127.0.0.1", 0))
        config["settings"]["http_listen"] = f"127.0.0.1:{sock.getsockname()[1]}"
    config["settings"].update(settings)
    config["feeds"] = [
        {"name": f"f{i:06d}", "url": url, "interval": f"{interval}s", "language": "es"} for i, url in enumerate(urls)
    ]
    path = directory / "feeds.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    return path


# -- the child: the service itself --------------------------------------------------------
def child(config_path: str, db_url: str, out: str, measure_from: float) -> int:
    from core.config import load_config, resolve_runtime
    from monitor.service import Service
    from storage.db import open_database

    runs: list[tuple[float, float, float]] = []  # (wall time, lag, poll seconds)
    cpu_marks: dict[str, float] = {}

    def on_run(_name: str, lag: float, seconds: float) -> None:
        now = time.time()
        runs.append((now, lag, seconds))
        if now >= measure_from and "start" not in cpu_marks:
            ru = resource.getrusage(resource.RUSAGE_SELF)
            cpu_marks["start"], cpu_marks["start_wall"] = ru.ru_utime + ru.ru_stime, now
            cpu_marks["start_runs"] = len(runs) - 1

    async def main() -> int:
        config = load_config(config_path)
        runtime = resolve_runtime(config, config_path=config_path, db_flag=db_url, env={})
        db = open_database(db_url)
        service = Service(config, runtime, db, out=open(os.devnull, "w"),  # noqa: SIM115
                          scheduler_options={"on_run": on_run})
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, service.request_stop)
        return await service.run()

    profile = os.environ.get("BENCH_SCALE_PROFILE")  # a file for cProfile's stats of the loop
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        code = profiler.runcall(asyncio.run, main())
        profiler.dump_stats(profile)
    else:
        code = asyncio.run(main())
    ru = resource.getrusage(resource.RUSAGE_SELF)
    measured = [r for r in runs if r[0] >= measure_from]
    Path(out).write_text(json.dumps({
        "runs": len(runs),
        "measured": [[lag, sec] for _, lag, sec in measured],
        "cpu": ru.ru_utime + ru.ru_stime - cpu_marks.get("start", 0.0),
        "wall": time.time() - cpu_marks.get("start_wall", time.time()),
    }))
    return code


# -- the driver ------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_size(feeds: int, interval: int, settings: dict[str, int]) -> dict[str, float]:
    servers = [FeedServer().start() for _ in range(HOSTS)]
    versions = [0] * feeds
    paths = [f"/feed/{i}.xml" for i in range(feeds)]
    for i in range(feeds):
        servers[i % HOSTS].set_route(paths[i], body=feed_doc(i, 0), content_type="application/rss+xml",
                                     etag=f'"{i}-0"')
    urls = [servers[i % HOSTS].url(paths[i]) for i in range(feeds)]
    stop = threading.Event()

    def changer(start_at: float) -> None:  # 1% of the feeds per interval, evenly in time
        rnd = random.Random(7)
        per_second = feeds * CHANGE_SHARE / interval
        owed = 0.0
        if stop.wait(max(0.0, start_at - time.time())):
            return
        while not stop.wait(1.0):
            owed += per_second
            while owed >= 1:
                owed -= 1
                i = rnd.randrange(feeds)
                versions[i] += 1
                servers[i % HOSTS].update_route(paths[i], body=feed_doc(i, versions[i]),
                                                etag=f'"{i}-{versions[i]}"')

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        directory = Path(tmp)
        config = write_config(directory, urls, interval, settings)
        out = directory / "child.json"
        start = time.time()
        measure_from = start + interval * 1.1
        stop_at = start + interval * 2.1
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("TELEGRAM_BOT_TOKEN", None)
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", str(config), f"sqlite:///{directory / 'm.db'}",
             str(out), str(measure_from)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(directory / "err.log", "w"),  # noqa: SIM115
        )
        thread = threading.Thread(target=changer, args=(start + interval,), daemon=True)
        thread.start()
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        while time.time() < stop_at and not pid:
            time.sleep(0.5)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if not pid:
            proc.send_signal(signal.SIGUSR1)
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = status
        stop.set()
        for server in servers:
            server.stop()
        if not out.exists():
            tail = (directory / "err.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"service exited {status} without figures: {tail}")
        data = json.loads(out.read_text())
    measured = data["measured"]
    lags = [lag for lag, _ in measured]
    dones = [lag + sec for lag, sec in measured]
    polls = len(measured)
    return {
        "feeds": feeds, "rss_mb": usage.ru_maxrss / 1024, "polls": polls,
        "polls_s": polls / max(1e-9, data["wall"]),
        "lag_p50": pct(lags, 0.5), "lag_p95": pct(lags, 0.95),
        "done_p50": pct(dones, 0.5), "done_p95": pct(dones, 0.95), "done_max": max(dones, default=0.0),
        "cpu_ms_poll": 1000 * data["cpu"] / max(1, polls), "cpu_share": data["cpu"] / max(1e-9, data["wall"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SCALE_SIZES", "1000,3000,10000"))
    parser.add_argument("--interval", type=int, default=int(os.environ.get("BENCH_SCALE_INTERVAL", "120")))
    parser.add_argument("--concurrency", type=int, help="settings.concurrency (default: shipped)")
    parser.add_argument("--per-host", type=int, help="settings.per_host_concurrency (default: shipped)")
    args = parser.parse_args(argv if argv is not None else [])
    settings = {k: v for k, v in (("concurrency", args.concurrency),
                                  ("per_host_concurrency", args.per_host)) if v is not None}
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{HOSTS} local hosts, {ITEMS} items a feed, {CHANGE_SHARE:.0%} of the feeds change per "
          f"interval; interval {args.interval} s (production: 600 s); measured: the second interval; "
          f"settings {settings or 'as shipped'}\n")
    print("| feeds | polls/s | peak RSS MB | CPU ms/poll | CPU share | lag p50/p95 s | delay p50/p95/max s |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for n in sizes:
        r = run_size(n, args.interval, settings)
        rows.append(r)
        print(f"| {n:,} | {r['polls_s']:.1f} | {r['rss_mb']:.0f} | {r['cpu_ms_poll']:.2f} | "
              f"{r['cpu_share']:.0%} | {r['lag_p50']:.2f} / {r['lag_p95']:.2f} | "
              f"{r['done_p50']:.2f} / {r['done_p95']:.2f} / {r['done_max']:.1f} |", flush=True)
    result = verdict(rows)
    print(f"\ntargets at {TARGET_FEEDS:,} feeds: peak RSS < {RSS_TARGET_MB:.0f} MB, "
          f"p95 delay < {DELAY_TARGET_S:.0f} s: {result}")
    return 1 if result == "MISSED" else 0


def verdict(rows: list[dict[str, float]]) -> str:
    """The targets against the runs of TARGET_FEEDS feeds or more: smaller runs (`--sizes
    200`) measure nothing about them."""
    at_target = [r for r in rows if r["feeds"] >= TARGET_FEEDS]
    if not at_target:
        return f"not measured (no run of {TARGET_FEEDS:,} feeds or more)"
    if any(r["rss_mb"] >= RSS_TARGET_MB or r["done_p95"] >= DELAY_TARGET_S for r in at_target):
        return "MISSED"
    return "met"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        raise SystemExit(child(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])))
    raise SystemExit(main(sys.argv[1:]))
