"""Polling benchmark: 1,000 feeds of 30 items served by a local HTTP server.

Pass 1 (cold): every feed is fetched, parsed, normalized, deduplicated and stored.
Pass 2: every feed answers 304 Not Modified.
For scale, the same run measures the CPU time of feedparser.parse alone on the
same bytes. The feed server runs in a child process, so its CPU time is not
counted. Usage: python bench/bench_poll.py [--feeds N] [--items M]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import feedparser  # noqa: E402

from core.config import FeedConfig, Settings  # noqa: E402
from devtools.samples import SampleItem, rss  # noqa: E402
from monitor.fetch import Fetcher  # noqa: E402
from monitor.ingest import PollResult, poll_feed  # noqa: E402
from monitor.ingest.feed_state import stored_url  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.feeds import sync_feeds  # noqa: E402

PARAGRAPH = (
    "<p>Foro Penal informó este martes que <b>{n}</b> presos políticos fueron excarcelados "
    "en Caracas &amp; otras ciudades; la ONG pidió la liberación plena de todos los detenidos "
    "y denunció nuevas detenciones arbitrarias de activistas y periodistas.</p>"
)


def make_feeds(directory: Path, feeds: int, items: int) -> list[bytes]:
    now = datetime.now(UTC)
    bodies = []
    for f in range(feeds):
        entries = [
            SampleItem(
                title=f"Outlet {f}: excarcelan a {i} presos políticos en Venezuela",
                link=f"https://outlet{f}.example/noticias/{i}/nota-{f}-{i}?utm_source=rss",
                summary=PARAGRAPH.format(n=i) * 3,
                guid=f"https://outlet{f}.example/?p={i}",
                published=now - timedelta(minutes=20 * i, seconds=f),  # dates of its own
            )
            for i in range(items)
        ]
        body = rss(entries, title=f"Outlet {f}", language="es")
        (directory / f"feed{f:04d}.xml").write_bytes(body)
        bodies.append(body)
    return bodies


def start_server(directory: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "devtools.feedserver", str(directory)],
        stdout=subprocess.PIPE, text=True, cwd=str(ROOT),
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http://"):
        proc.kill()
        raise RuntimeError("feed server did not start")
    return proc, base


async def run_pass(
    feeds: list[FeedConfig], settings: Settings, db_url: str
) -> tuple[list[PollResult], float, float]:
    db = open_database(db_url)
    try:
        async with Fetcher(settings) as fetcher:
            wall, cpu = time.perf_counter(), time.process_time()
            # as `monitor poll-once` and `monitor run` begin (sync_config): feeds.yaml's rows
            # written in one transaction, then the polls
            with db.session() as session:
                sync_feeds(session, [(f.name, stored_url(f.url)) for f in feeds])
            results = await asyncio.gather(*(poll_feed(f, settings, fetcher, db) for f in feeds))
            return results, time.perf_counter() - wall, time.process_time() - cpu
    finally:
        db.dispose()


def parse_alone(bodies: list[bytes], **options: bool) -> float:
    cpu = time.process_time()
    for body in bodies:
        feedparser.parse(body, response_headers={"content-type": "application/xml"}, **options)
    return time.process_time() - cpu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=30)
    args = parser.parse_args(argv)

    print(f"bench_poll: {args.feeds} feeds x {args.items} items; "
          f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()} "
          f"({platform.machine()}, {platform.system()})")
    with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp:
        directory = Path(tmp) / "feeds"
        directory.mkdir()
        bodies = make_feeds(directory, args.feeds, args.items)
        size = sum(len(b) for b in bodies)
        print(f"  corpus: {size / 1e6:.1f} MB of RSS")
        proc, base = start_server(directory)
        try:
            # One server stands in for 1,000 sites: the per-host limit is lifted to the global.
            settings = Settings().model_copy(update={"per_host_concurrency": 20})
            feeds = [
                FeedConfig(name=f"feed{f:04d}", url=f"{base}/feed{f:04d}.xml", language="es")
                for f in range(args.feeds)
            ]
            db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            open_database(db_url).dispose()  # migrations are not part of the measurement

            cold, cold_wall, cold_cpu = asyncio.run(run_pass(feeds, settings, db_url))
            warm, warm_wall, warm_cpu = asyncio.run(run_pass(feeds, settings, db_url))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        parse_default = parse_alone(bodies)
        parse_same = parse_alone(bodies, sanitize_html=False, resolve_relative_uris=False)

    stored = sum(r.stored for r in cold)
    errors = [r for r in cold + warm if r.status == "error"]
    not_modified = sum(1 for r in warm if r.status == "not_modified")
    print(f"  cold pass: wall {cold_wall:.2f} s, CPU {cold_cpu:.2f} s, "
          f"{stored} items stored, {sum(1 for r in cold if r.status == 'error')} errors")
    print(f"  304 pass:  wall {warm_wall:.2f} s, CPU {warm_cpu:.2f} s, "
          f"{not_modified}/{len(warm)} not modified   (target < 5 s wall)")
    print(f"  feedparser.parse alone, same bytes: CPU {parse_default:.2f} s with its defaults, "
          f"{parse_same:.2f} s with the pipeline's options (no sanitizer, no URI resolution)")
    print(f"  cold pass CPU / parse alone: {cold_cpu / parse_default:.2f}x (defaults), "
          f"{cold_cpu / parse_same:.2f}x (same options)   (target <= 1.5x)")
    print(f"  peak memory (max RSS): {peak_mb():.0f} MB   (target < 250 MB)")
    if errors:
        print(f"  first error: {errors[0].summary_line()}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
