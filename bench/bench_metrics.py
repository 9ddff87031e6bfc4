"""The cost of one Prometheus scrape of /metrics at scale (docs/SCALE.md, "/metrics at 10,000 feeds").

    python bench/bench_metrics.py [--sizes 1000,10000] [--scrapes 5]

Each size registers N feeds' series as the service does after a while (`_count_poll` in
monitor/service/polls.py: each feed polled with the outcomes `new`, `unchanged` and
`not_modified`, its poll time observed, items stored; one feed in ten with a failed poll),
starts the real endpoint (monitor.health.HealthServer) on loopback and scrapes it with an HTTP
client, as Prometheus does:

- bytes: the body of one scrape as sent, gzip-compressed (Prometheus sends
  `Accept-Encoding: gzip`), and the text it decompresses to;
- CPU s: the process's CPU over one scrape (the client's read included, a small part);
- wall s: the time the scrape takes, heard by the client;
- loop lag: an asyncio event loop in the main thread, as `monitor run` has, with a tick
  every 10 ms while the scrape runs (from another thread, as the endpoint's requests come);
  the lag is how late each tick wakes (p50 / p95 / max in ms). The loop's own idle lag on this
  host is printed for comparison.
- idle bytes / CPU: a second scrape within the same second with no poll between them;
- together: `--together` scrapes sent at once (two Prometheus servers, a person beside them):
  the process's CPU over all of them and the slowest one's wall time.

The process's heap is filled as the service's is at 10,000 feeds (about 1.5 million small
containers: the story index, the config, the scheduler's jobs), the collector set to the
service's thresholds (monitor/heap.py), because a full collection during a scrape walks it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.health import HealthServer  # noqa: E402
from monitor.heap import tune_collector  # noqa: E402
from monitor.metrics import Metrics  # noqa: E402

BALLAST = 1_500_000  # containers kept alive, about the service's heap at 10,000 feeds
TICK = 0.01


def register(metrics: Metrics, n: int) -> None:
    """N feeds' series, as `Service._count_poll` leaves them after a few polls of each."""
    for i in range(n):
        feed = f"feed-{i:05d}"
        for status, seconds in (("new", 0.8), ("unchanged", 0.3), ("not_modified", 0.05)):
            metrics.polls.labels(feed, status).inc()
            metrics.poll_seconds.labels(feed).observe(seconds)
        metrics.items.labels(feed).inc(3)
        if i % 10 == 0:
            metrics.polls.labels(feed, "error").inc()
            metrics.poll_seconds.labels(feed).observe(10.0)
            metrics.poll_failures.labels(feed).inc()
    for topic in ("political_prisoners", "us_actions"):
        metrics.matches.labels(topic).inc(5)
    for channel in ("presos", "eeuu"):
        metrics.alerts_sent.labels(channel).inc()


def scrape(url: str) -> tuple[str, float, float]:
    """One scrape as Prometheus asks it: bytes sent / of text, CPU s of the process, wall s."""
    cpu, wall = time.process_time(), time.perf_counter()
    reply = httpx.get(url, headers={"Accept-Encoding": "gzip"}, timeout=120)
    size = f"{reply.num_bytes_downloaded:,} / {len(reply.content):,}"
    return size, time.process_time() - cpu, time.perf_counter() - wall


async def lags_while(work: threading.Thread | None, seconds: float = 1.0) -> list[float]:
    """How late each 10-ms tick of this loop wakes while `work` runs (or for `seconds`)."""
    lags: list[float] = []
    if work is not None:
        work.start()
    end = time.perf_counter() + seconds
    while (work.is_alive() if work is not None else time.perf_counter() < end):
        before = time.perf_counter()
        await asyncio.sleep(TICK)
        lags.append(time.perf_counter() - before - TICK)
    return lags


def summary(lags: list[float]) -> str:
    ms = sorted(x * 1000 for x in lags)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"{statistics.median(ms):.0f} / {p95:.0f} / {ms[-1]:.0f}"


def at_once(url: str, n: int) -> str:
    """`n` scrapes sent together: the process's CPU s over them all, the slowest one's wall s."""
    walls: list[float] = []
    cpu = time.process_time()
    threads = [threading.Thread(target=lambda: walls.append(scrape(url)[2])) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return f"{time.process_time() - cpu:.2f} / {max(walls):.2f}"


def run_size(n: int, scrapes: int, together: int) -> tuple[str, float, float, str, str, float, str]:
    metrics = Metrics()
    register(metrics, n)
    server = HealthServer("127.0.0.1:0", metrics, lambda: {"status": "ok"}).start()
    url = f"{server.address}/metrics"
    try:
        scrape(url)  # warm
        runs = []
        lags: list[float] = []
        for k in range(scrapes):
            metrics.poll_seconds.labels(f"feed-{k:05d}").observe(0.2)  # a poll between scrapes
            runs.append(scrape(url))
            thread = threading.Thread(target=scrape, args=(url,))
            lags += asyncio.run(lags_while(thread))
        idle = scrape(url)  # nothing polled since the last one
        best = min(runs, key=lambda r: r[1])
        return best[0], best[1], best[2], summary(lags), idle[0], idle[1], at_once(url, together)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--scrapes", type=int, default=5)
    parser.add_argument("--together", type=int, default=8, help="scrapes sent at once")
    parser.add_argument("--ballast", type=int, default=BALLAST, help="containers kept alive (0: none)")
    args = parser.parse_args(argv)
    tune_collector()
    ballast = [[i] for i in range(args.ballast)]  # noqa: F841 (kept alive for the collector to walk)
    idle_lag = summary(asyncio.run(lags_while(None)))
    print("## /metrics at scale (`bench/bench_metrics.py`)\n")
    print(f"event loop lag with no scrape, p50 / p95 / max ms: {idle_lag}\n")
    print("| feeds | bytes sent / text | CPU s | wall s | loop lag p50 / p95 / max ms | unchanged: bytes | CPU s "
          f"| {args.together} at once: CPU s / slowest wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        size, cpu, wall, lag, idle_size, idle_cpu, together = run_size(n, args.scrapes, args.together)
        print(f"| {n:,} | {size} | {cpu:.2f} | {wall:.2f} | {lag} | {idle_size} | {idle_cpu:.2f} "
              f"| {together} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
