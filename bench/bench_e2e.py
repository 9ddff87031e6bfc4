"""End-to-end benchmark: publication in a feed → delivery to Telegram, through `monitor run`.

The real service runs as a subprocess against local feeds and the Bot API emulator.
Relevant items (each its own story) appear one by one on different feeds; the run
measures when each was published, first fetched and delivered. Baselines measured in
the same run: one fetch of a feed document plus one direct python-telegram-bot send
to the emulator (the least any pipeline must do), and the memory of a Python process
that only imports the service. Usage: python bench/bench_e2e.py [--items N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

import httpx  # noqa: E402
from soak import (  # noqa: E402
    INTERVAL,
    TOKEN,
    FeedSpec,
    Plan,
    PlannedItem,
    Planner,
    Publisher,
    Schedule,
    ServiceProcess,
    StoryPlan,
    TimedEmulator,
    TimedFeedServer,
    _free_port,
    delivered,
    write_config,
)
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from core.config import load_config  # noqa: E402
from monitor.match import build_classifier  # noqa: E402

KINDS = [("release", "political_prisoners"), ("arrest", "political_prisoners"),
         ("strike", "us_actions")]


def make_plan(items: int, feeds: int, first: float, last: float, seed: int = 5) -> Plan:
    """`items` single-report stories, each on its own feed, between `first` and `last` s."""
    config = load_config(ROOT / "feeds.yaml")
    planner = Planner(build_classifier(config.topics, config.entities), random.Random(seed))
    specs = [FeedSpec(f"e2e-{i:02d}", "rss", "es" if i % 3 else "en") for i in range(feeds)]
    stories, plan_items = [], []
    for i in range(items):
        kind, topic = KINDS[i % len(KINDS)]
        variants = planner.story(kind, topic)
        if variants is None:
            continue
        lang, title, summary = variants[0]
        feed = [f for f in specs if f.lang == lang][i % sum(1 for f in specs if f.lang == lang)]
        at = first + (last - first) * i / max(1, items - 1)
        item = PlannedItem(f"s{i + 1:04d}-1", feed.name, lang, title, summary, at, i + 1)
        stories.append(StoryPlan(i + 1, topic, kind, [item]))
        plan_items.append(item)
    return Plan(specs, stories, plan_items, Schedule([], [], None, last, last))


def baseline_send_fetch(api_url: str, feed_url: str, rounds: int = 20) -> list[float]:
    """Seconds for one feed fetch plus one direct sendMessage, `rounds` times."""
    async def go() -> list[float]:
        bot = Bot(TOKEN, base_url=f"{api_url}/bot", request=HTTPXRequest(read_timeout=15))
        times = []
        async with httpx.AsyncClient() as client:
            for i in range(rounds):
                begin = time.perf_counter()
                response = await client.get(feed_url)
                response.raise_for_status()
                await bot.send_message("@e2e_baseline", f"<b>baseline</b> {i}", parse_mode="HTML")
                times.append(time.perf_counter() - begin)
        await bot.shutdown()
        return times

    return asyncio.run(go())


def import_only_rss() -> float:
    """MB resident in a Python process that imports the service and does nothing else."""
    code = ("import monitor.service, alerts.delivery, monitor.ingest, telegram, re;"
            "print(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip()) / 1024


def peak_rss(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=24)
    parser.add_argument("--feeds", type=int, default=30)
    parser.add_argument("--deadline", type=float, default=85.0, help="seconds for the whole run")
    args = parser.parse_args(argv)

    plan = make_plan(args.items, args.feeds, first=15.0, last=40.0)
    print(f"bench_e2e: {len(plan.stories)} relevant items on {args.feeds} feeds (interval "
          f"{INTERVAL} s), `monitor run` as a subprocess, Bot API emulator, SQLite")
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        workdir = Path(tmp)
        emulator, server = TimedEmulator().start(), TimedFeedServer().start()
        service = ServiceProcess(workdir, emulator.api_url)
        try:
            write_config(workdir / "feeds.yaml", plan, server, 0.0, _free_port())
            start = time.time()
            publisher = Publisher(server, plan, start)
            baseline = baseline_send_fetch(emulator.api_url, server.url(plan.feeds[0].path))
            publisher.start()
            service.start()
            want = {s.id for s in plan.stories}
            while time.time() - start < args.deadline:
                if want <= {m.story for m in delivered(emulator)}:
                    break
                time.sleep(0.5)
            assert service.proc is not None
            peak = peak_rss(service.proc.pid)
            stop = service.terminate()
            publisher.stop_event.set()
        finally:
            if service.alive():
                service.kill9()
            server.stop()
            emulator.stop()
        bare = import_only_rss()

    first_message: dict[int, float] = {}
    for m in delivered(emulator):
        if m.story is not None and m.reply_to is None:
            first_message[m.story] = min(first_message.get(m.story, m.at), m.at)
    raw, after_fetch = [], []
    for story in plan.stories:
        item = story.items[0]
        if story.id not in first_message or item.published is None:
            continue
        raw.append(first_message[story.id] - item.published)
        fetches = [t for t in server.fetch_times.get(f"/f/{item.feed}.xml", [])
                   if t >= item.published]
        if fetches:
            after_fetch.append(first_message[story.id] - fetches[0])
    base = statistics.median(baseline)
    missing = len(plan.stories) - len(raw)
    print(f"  delivered: {len(raw)}/{len(plan.stories)}"
          + (f"  ({missing} not delivered within {args.deadline:.0f} s)" if missing else ""))
    print(f"  publication → delivery: p50 {pct(raw, 50):.2f} s, p95 {pct(raw, 95):.2f} s "
          f"(includes the wait for the next poll, up to {INTERVAL} s + jitter)")
    print(f"  first fetch after publication → delivery: p50 {pct(after_fetch, 50):.3f} s, "
          f"p95 {pct(after_fetch, 95):.3f} s")
    print(f"  baseline, one feed fetch + one direct python-telegram-bot send: "
          f"p50 {base * 1000:.1f} ms")
    print(f"  fetch → delivery ÷ baseline: p50 {pct(after_fetch, 50) / base:.1f}x, "
          f"p95 {pct(after_fetch, 95) / base:.1f}x")
    print(f"  peak memory of the service (VmHWM): {peak:.0f} MB; baseline, a process that only "
          f"imports it: {bare:.0f} MB; ratio {peak / bare:.2f}x   (target < 300 MB)")
    print(f"  SIGTERM → exit: {'n/a' if stop is None else f'{stop:.1f} s'}   (target < 10 s)")
    return 1 if missing or peak >= 300 else 0


if __name__ == "__main__":
    sys.exit(main())
