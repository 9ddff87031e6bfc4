"""Hostile markup: how long the service's event loop stalls while it polls a hostile feed,
against an ordinary feed of the same size, and the cost of cleaning as input doubles.

    python bench/bench_hostile.py

The hostile feed (served on 127.0.0.1) has one item with 280 KB of "<script>" in its
description and one with 25,000 "&lt;!--" in its content (issue 13). The in-process
service polls it (fetch, parse, clean, store, classify, queue) while a coroutine wakes
every 5 ms and records the longest gap: the loop stall. Baseline in the same run: a feed
of 150 ordinary items of about the same size. Prints markdown lines.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from core.config import load_config, resolve_runtime  # noqa: E402
from devtools.feedserver import FeedServer  # noqa: E402
from devtools.samples import SampleItem, rss  # noqa: E402
from monitor.ingest.normalize import clean_text  # noqa: E402
from monitor.service import Service  # noqa: E402
from storage.db import open_database  # noqa: E402

SENTENCE = "Familiares de presos políticos esperaban frente al penal de Tocorón en Aragua."


def hostile_items(base: str) -> list[SampleItem]:
    now = datetime.now(UTC)
    return [
        SampleItem("Excarcelan a 12 presos políticos en Tocorón", f"{base}/h/1", "<script>" * 35_000,
                   guid="h1", published=now),
        SampleItem("Detienen al periodista Luis Pérez en Caracas", f"{base}/h/2", "Detenido.",
                   guid="h2", published=now, content="&lt;!--" * 25_000),
    ]


def ordinary_items(base: str) -> list[SampleItem]:
    now = datetime.now(UTC)
    text = " ".join([SENTENCE] * 30)
    return [
        SampleItem(f"Nota {i} sobre la economía de Caracas", f"{base}/o/{i}", f"<p>{text}</p>",
                   guid=f"o{i}", published=now - timedelta(minutes=i))
        for i in range(150)
    ]


def write_config(tmp: Path, server: FeedServer) -> Path:
    yaml = YAML()
    shipped = yaml.load((ROOT / "feeds.yaml").read_text(encoding="utf-8"))
    config = {
        "rules": shipped["rules"],
        "feeds": [
            {"name": name, "url": server.url(f"/{name}.xml"), "language": "es", "fetch_article": "never"}
            for name in ("hostile", "ordinary")
        ],
        "channels": [{"name": "console", "chat_id": "console", "topics": ["political_prisoners"]}],
    }
    path = tmp / "feeds.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    return path


async def stall_while(service: Service, feed: str) -> tuple[float, float]:
    """(seconds the poll took, the longest the event loop did not run) for one poll."""
    longest = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest = max(longest, now - last - 0.005)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    await service.poll(feed)
    took = time.perf_counter() - started
    done.set()
    await tick
    return took, longest


def cleaning_growth() -> list[tuple[int, float]]:
    out = []
    for n in (8_000, 16_000, 32_000):
        payload = "<script>" * n
        started = time.perf_counter()
        clean_text(payload)
        out.append((len(payload), time.perf_counter() - started))
    return out


def main() -> int:
    print(f"- machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as d, FeedServer() as server:
        tmp = Path(d)
        hostile = rss(hostile_items(server.base_url), title="hostile")
        ordinary = rss(ordinary_items(server.base_url), title="ordinary")
        server.set_route("/hostile.xml", hostile, content_type="application/rss+xml")
        server.set_route("/ordinary.xml", ordinary, content_type="application/rss+xml")
        path = write_config(tmp, server)
        config = load_config(path)
        runtime = resolve_runtime(config, config_path=str(path), db_flag=f"sqlite:///{tmp / 'b.db'}", env={})
        db = open_database(runtime.database_url)

        async def run() -> tuple[tuple[float, float], tuple[float, float]]:
            service = Service(config, runtime, db, out=open(os.devnull, "w"))  # noqa: SIM115
            try:
                return await stall_while(service, "ordinary"), await stall_while(service, "hostile")
            finally:
                await service.close()

        (o_took, o_stall), (h_took, h_stall) = asyncio.run(run())
        db.dispose()
    print(f"- hostile feed ({len(hostile) // 1000} KB: 280 KB of <script>, 25,000 &lt;!--): "
          f"poll {h_took:.2f} s, longest event-loop stall {h_stall * 1000:.0f} ms")
    print(f"- baseline, ordinary feed ({len(ordinary) // 1000} KB, 150 items): "
          f"poll {o_took:.2f} s, longest event-loop stall {o_stall * 1000:.0f} ms")
    growth = cleaning_growth()
    print("- clean_text on \"<script>\" × N: " + ", ".join(
        f"{size // 1000} KB {secs * 1000:.1f} ms" for size, secs in growth)
        + f" (×{growth[-1][1] / max(growth[0][1], 1e-9):.1f} for ×4 input)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
