"""`monitor tally` over 100,000 stored counts, and its chart.

    python bench/bench_tally.py [--counts 100000]

A SQLite file holds `--counts` counts (one per item, over 60 days and 40 feeds; held,
released and arrested figures from Foro Penal, the government, JEP, unknown sources and
none), each item matched to a topic. Timed: the tally as `monitor tally --format json`
builds it (the SELECT, the model, the JSON), the table, and the chart (PNG bytes); then the
whole command in a fresh process, Python's start-up and imports included; and what the
channels get: the pinned message's text, the digest channels' chart with its caption.
Targets: the tally < 1 s, the chart < 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from alerts.tally.chart import render_png  # noqa: E402
from alerts.tally.figures import load_tally  # noqa: E402
from alerts.tally.pin import pin_text  # noqa: E402
from alerts.tally.posts import render_post  # noqa: E402
from alerts.tally.render import render_json, render_table  # noqa: E402
from core.config import ChannelConfig, load_config  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Count, Feed, Item, Match  # noqa: E402

TALLY_TARGET, CHART_TARGET = 1.0, 2.0
SOURCES = ["Foro Penal", "foropenal", "the government", "Jorge Rodríguez", "JEP", "Provea",
           "la ONG Foro Penal", "Comité X", None]
EVENTS = ["held", "released", "released", "arrested"]


def fill(url: str, n: int, seed: int = 15) -> None:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db = open_database(url)
    try:
        with db.session() as s:
            s.execute(insert(Feed), [{"id": i + 1, "name": f"feed-{i}", "url": f"https://f{i}.example/rss",
                                      "consecutive_failures": 0} for i in range(40)])
            items, counts, matches = [], [], []
            for i in range(1, n + 1):
                when = start + timedelta(seconds=rng.randrange(60 * 86400))
                items.append({"id": i, "feed_id": rng.randrange(40) + 1, "guid": str(i),
                              "url": f"https://x.example/{i}", "title": "t", "summary": "",
                              "published_at": when, "fetched_at": when, "content_hash": str(i)})
                event = rng.choice(EVENTS)
                days = (when - start).total_seconds() / 86400  # figures follow the date
                base = int(800 - days * 3) if event == "held" else int(20 + days * 10)
                counts.append({"item_id": i, "event": event, "number": base + rng.randrange(5),
                               "source": rng.choice(SOURCES)})
                matches.append({"item_id": i, "topic": "political_prisoners", "urgency": "normal",
                                "terms": [], "explain": [], "created_at": when})
            for table, rows in ((Item, items), (Count, counts), (Match, matches)):
                for k in range(0, n, 20_000):
                    s.execute(insert(table), rows[k : k + 20_000])
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, default=100_000)
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    config = load_config(ROOT / "feeds.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'tally.db'}"
        t0 = time.perf_counter()
        fill(url, args.counts)
        print(f"- stored {args.counts:,} counts in {time.perf_counter() - t0:.1f} s (setup, not timed)")
        db = open_database(url)
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            with db.session() as s:
                tally = load_tally(s, config)
            text = render_json(tally)
            tally_s, tally_cpu = time.perf_counter() - t0, time.process_time() - c0
            t0 = time.perf_counter()
            table = render_table(tally)
            table_s = time.perf_counter() - t0
            t0, c0 = time.perf_counter(), time.process_time()
            png = render_png(tally)
            chart_s, chart_cpu = time.perf_counter() - t0, time.process_time() - c0
            t0 = time.perf_counter()
            pinned = pin_text(tally, ["political_prisoners"]) or ""
            pin_s = time.perf_counter() - t0
            digest = next((c for c in config.channels if c.mode == "digest"), None) or ChannelConfig(
                name="weekly", chat_id="@weekly", topics=["political_prisoners"], mode="digest",
                schedule=["20:00"])
            t0 = time.perf_counter()
            post = render_post(tally, digest, datetime.now(UTC))
            post_s = time.perf_counter() - t0
        finally:
            db.dispose()
        print(f"- load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(f"- tally as JSON (SELECT, model, JSON): {tally_s:.3f} s ({tally_cpu:.3f} s CPU), {len(text):,} bytes, "
              f"{len(tally.figures)} figures, {len(tally.timeline):,} timeline rows "
              f"(target < {TALLY_TARGET:.0f} s)")
        print(f"- table: {table_s:.3f} s, {len(table.splitlines()):,} lines")
        print(f"- chart: {chart_s:.3f} s ({chart_cpu:.3f} s CPU), {len(png):,} bytes (target < {CHART_TARGET:.0f} s)")
        print(f"- pinned message text: {pin_s * 1000:.1f} ms, {len(pinned):,} characters")
        if post is not None:
            print(f"- digest channel's chart and caption: {post_s:.3f} s, PNG {len(post.png):,} bytes, "
                  f"caption {len(post.caption):,} characters (limit 1,024)")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "monitor", "tally", "--config", str(ROOT / "feeds.yaml"), "--db", url,
             "--format", "json", "--log-level", "WARNING"],
            capture_output=True, cwd=ROOT, check=False,
        )
        whole_s = time.perf_counter() - t0
        print(f"- `monitor tally --format json` in a fresh process: {whole_s:.2f} s "
              f"(start-up, imports, config and migrations check included; exit {proc.returncode})")
    ok = tally_s < TALLY_TARGET and chart_s < CHART_TARGET and proc.returncode == 0
    print(f"- {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
