"""What gets slower with age: the service's reads timed on a year-old database (bench/year_db.py).

    python bench/year_db.py --out /tmp/year.db        # about 13 minutes, 4.5 GB
    python bench/year_measure.py --db /tmp/year.db [--repeats 3] [--only NAME,...]
    python bench/year_measure.py --db postgresql+psycopg://user@host:port/year [...]  # year_db.py --url's

Each step runs against the file as it is (the retention pass on the year's last day deletes what
a pass 6 h after the last one would: little), best of `--repeats`, wall time, after one warm-up
run (the file in the page cache, as in a service that runs). The steps are those an operator
meets: the start-up reads before the first poll (the story index of `story_window`, the watched
people, the delivery worker's rate-window seed, the last successful poll), the retention pass,
`monitor status` and its items per feed alone, the status page, `/healthz`'s reads, `monitor stories` since a day ago and `monitor
tally` as their commands build them, the pinned tally's refresh, the fold tick's and the admin
chat's reads of the folds, the hourly limit's count per alert queued, a digest's reads, the
delivery worker's read of each channel's queue head (twice a round); `--idle` gives the share of
a core the real delivery worker uses over 30 s with nothing to send. `monitor` commands in a fresh process are timed too (`--cli`), and `--poll` times one round of
300 feeds of 30 items each (bench/bench_poll.py's feeds and server: the first round stores 9,000
items, each looked up first among the year's; the second is answered 304) against the file and
against an empty database: it writes into the file, so run it on a copy (on PostgreSQL, `CREATE
DATABASE copy TEMPLATE year`; `--empty URL` names the empty database to compare with). `--explain`
prints PostgreSQL's plan, with the time of each node, of every statement a step runs (EXPLAIN
(ANALYZE, BUFFERS), rolled back). `--fixes` times an operator's story fixes (`--near`, `/merge`
alone and with a story, `/split`), each rolled back (`--only none` for them alone). Not in `make bench` (it needs the year's file).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alerts.feed_limits import fold_notices, messages_in_last_hour  # noqa: E402
from alerts.stories import assign  # noqa: E402
from alerts.stories.report import render_stories  # noqa: E402
from alerts.tally.figures import load_tally  # noqa: E402
from alerts.tally.pin import pin_text  # noqa: E402
from core.config import load_config  # noqa: E402
from core.people import load_watched  # noqa: E402
from monitor.match.people import load_seed  # noqa: E402
from monitor.status import render_status  # noqa: E402
from monitor.status_page import render_status_page  # noqa: E402
from storage.alerts import (  # noqa: E402
    alert_of_message,
    chat_sends,
    digest_story_ids_since,
    fold_payloads_since,
    last_edit_of,
    last_instant_alert_at,
    later_edit,
    queue_depth,
    queue_head,
    sent_since,
)
from storage.db import open_database, redact_url  # noqa: E402
from storage.feeds import feed_health, last_successful_poll  # noqa: E402
from storage.items import prune_unmatched_items  # noqa: E402
from storage.models import Alert  # noqa: E402


def best(step: Callable[[], Any], repeats: int) -> float:
    step()  # warm-up: the pages in the cache, as in a running service
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return min(times)


def steps(db: Any, config: Any, now: datetime) -> dict[str, Callable[[], Any]]:
    window = config.settings.story_window

    def session_step(fn: Callable[[Any], Any], *, commit: bool = False) -> Callable[[], Any]:
        def run() -> Any:
            with db.session() as s:
                out = fn(s)
                if not commit:
                    s.rollback()
                return out
        return run

    def index(s: Any) -> Any:
        assign._INDEXES.clear()
        return assign.story_index(s, window=window, now=now)

    def retention(s: Any) -> int:
        return prune_unmatched_items(s, now - config.settings.retention)

    def health(s: Any) -> Any:
        return queue_depth(s, {c.name for c in config.channels}), last_successful_poll(s)

    def pin(s: Any) -> Any:
        return pin_text(load_tally(s, config), ["political_prisoners"])

    def folds(s: Any) -> Any:
        return fold_notices(s, now), fold_payloads_since(s, now - timedelta(hours=1), "presos", until=now)

    def digest(s: Any) -> Any:
        return last_instant_alert_at(s, "presos"), digest_story_ids_since(s, "resumen", now - timedelta(days=1))

    with db.session() as s:  # the newest sent reply (an `update`) and edit of channel presos
        reply = s.scalar(select(Alert).where(Alert.channel == "presos", Alert.kind == "update")
                         .order_by(Alert.id.desc()).limit(1))
        edit = s.scalar(select(Alert).where(Alert.channel == "presos", Alert.kind == "edit")
                        .order_by(Alert.id.desc()).limit(1))
        s.expunge_all()

    def claim_window(s: Any) -> Any:
        return chat_sends(s, ["presos"], now - timedelta(seconds=60), now, timedelta(seconds=120), leave_out=0)

    return {
        "start: story index": session_step(index),
        "start: watched people": session_step(lambda s: load_watched(s, load_seed())),
        "start: rate-window seed": session_step(lambda s: sent_since(s, now - timedelta(seconds=60), now)),
        "start: last successful poll": session_step(last_successful_poll),
        "retention pass": session_step(retention),
        "monitor status": lambda: render_status(db, config, now=now),
        "items per feed (monitor status, the status page, /status)": session_step(feed_health),
        "status page": lambda: render_status_page(db, config, now=now),
        "/healthz reads": session_step(health),
        "monitor stories --since 1d": session_step(lambda s: render_stories(s, config, since=now - timedelta(days=1))),
        "monitor tally": session_step(lambda s: load_tally(s, config)),
        "pinned tally refresh": session_step(pin),
        "folds (fold tick, admin chat)": session_step(folds),
        "hourly limit, per alert queued": session_step(lambda s: messages_in_last_hour(s, "presos", 7, now)),
        "delivery round's queue heads (twice a round, every 2 s)": session_step(
            lambda s: [queue_head(s, c) for c in ("presos", "eeuu", "resumen")]),
        "digest reads": session_step(digest),
        "a claim's rate-window read (each alert sent)": session_step(claim_window),
        "an edit sent: a later edit of its message (each edit sent)": session_step(
            lambda s: later_edit(s, edit) if edit else None),
        "a source named in a sent reply: its last edit (per reply)": session_step(
            lambda s: last_edit_of(s, reply) if reply else None),
        "an operator's reply or link to a message: its alert": session_step(
            lambda s: alert_of_message(s, ["presos", "eeuu"], edit.telegram_message_id if edit else 1)),
    }


def story_fixes(db: Any, config: Any, repeats: int) -> dict[str, float]:
    """An operator's story fixes, each rolled back, best of `repeats` (the service runs them
    under the lock its pipeline places items with): `--near` (a fresh index, as the command and
    the service before it places its first item) and `/merge` alone (the service's index of the
    last window, built untimed before each run) on the story of most items of three days before
    and of the last hours, and `/merge` alone on one of 30 days before; `/merge STORY` of the latter into the story before it; a split out of
    a story of about 200 items (the latest 100 stories' items put in one, in the transaction)."""
    from sqlalchemy import func, update

    from alerts.stories.merge import nearest_answer
    from storage.models import Item, Story

    window = config.settings.story_window

    def biggest(s: Any, until: datetime) -> int | None:
        return s.scalar(select(Item.story_id).where(
            Item.story_id.is_not(None), Item.published_at >= until - timedelta(hours=2), Item.published_at < until,
        ).group_by(Item.story_id).order_by(func.count().desc(), Item.story_id).limit(1))

    with db.session() as s:  # the year's last item is the service's now
        now = s.scalar(select(func.max(Item.published_at))).replace(tzinfo=UTC) + timedelta(minutes=5)
        old, recent = biggest(s, now - timedelta(days=3)), biggest(s, now - timedelta(hours=3))
        month = biggest(s, now - timedelta(days=30))
        before = s.scalar(select(Story.id).where(Story.id < (recent or 0)).order_by(Story.id.desc()).limit(1))
        merged = list(s.scalars(select(Story.id).order_by(Story.id.desc()).offset(50).limit(100)))

    def timed(fix: Callable[[Any, Any], Any], *, warm: bool, setup: Callable[[Any], Any] = lambda s: None) -> float:
        times = []
        for _ in range(repeats + 1):  # the first a warm-up
            assign._INDEXES.clear()
            with db.session() as s:
                if warm:
                    assign.story_index(s, window=window, now=now)
                ready = setup(s)
                t0 = time.perf_counter()
                fix(s, ready)
                s.flush()
                times.append(time.perf_counter() - t0)
                s.rollback()
        return min(times[1:])

    def one_story(s: Any) -> int:
        s.execute(update(Item).where(Item.story_id.in_(merged)).values(story_id=merged[-1]))
        return s.scalar(select(Item.id).where(Item.story_id == merged[-1]).order_by(Item.id.desc()).limit(1))

    out = {}
    for label, sid in (("of three days before", old), ("of the last hours", recent)):
        if sid is None:  # a database of fewer days, or none in those hours
            continue
        out[f"--near, a story {label} (a fresh index)"] = timed(
            lambda s, _, sid=sid: nearest_answer(s, config, sid, now=now), warm=False)
        out[f"/merge alone, a story {label} (the service's index)"] = timed(
            lambda s, _, sid=sid: nearest_answer(s, config, sid, now=now), warm=True)
    if old is not None:  # the admin chat builds the features before the lock: what is left under it
        def ready(s: Any) -> Any:
            return assign.nearest_features(s, old, window=window, now=now)

        for warm, index in ((True, "the service's index"), (False, "no index yet: the first after a start")):
            out[f"/merge alone, a story of three days before ({index}), under the lock"] = timed(
                lambda s, built: nearest_answer(s, config, old, now=now, built=built), warm=warm, setup=ready)
    if month is not None:
        out["/merge alone, a story of 30 days before (the service's index)"] = timed(
            lambda s, _: nearest_answer(s, config, month, now=now), warm=True)
    if recent is not None and before is not None:
        out["/merge STORY (the service's index)"] = timed(
            lambda s, _: assign.merge_stories(s, before, recent, operator="bench", now=now), warm=True)
    out["/split out of a story of about 200 items (the service's index)"] = timed(
        lambda s, item: assign.split_item(s, item, operator="bench", now=now, config=config), warm=True,
        setup=one_story)
    return out


def cli_commands(now: datetime) -> dict[str, list[str]]:
    """The commands timed in a fresh process. `--since` takes an ISO date or time: until
    7 December 2026 this passed `1d`, which the command refuses (exit 2), and timed the refusal."""
    day_ago = (now - timedelta(days=1)).isoformat(timespec="seconds")
    return {
        "monitor status (process)": ["status"],
        "monitor stories --since a day ago (process)": ["stories", "--since", day_ago],
        "monitor tally (process)": ["tally", "--format", "json"],
    }


def idle_worker(url: str, seconds: float = 30.0) -> float:
    """The share of a core the real delivery worker uses with nothing to send (its rounds every
    2 s), on the year's channels (the shipped feeds.yaml's, renamed presos and eeuu)."""
    import asyncio
    import tempfile

    from alerts.delivery import DeliveryWorker
    from core.config import resolve_runtime

    text = (ROOT / "feeds.yaml").read_text(encoding="utf-8")
    text = text.replace("name: prisoners-console", "name: presos").replace("name: us-actions-console", "name: eeuu")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feeds.yaml"
        path.write_text(text, encoding="utf-8")
        config = load_config(path)
        runtime = resolve_runtime(config, config_path=str(path), db_flag=url, env={})
        db = open_database(url)

        async def run() -> float:
            worker, stop = DeliveryWorker(config, runtime, db), asyncio.Event()
            task = asyncio.create_task(worker.run(stop))
            await asyncio.sleep(3)
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.sleep(seconds)
            share = (time.process_time() - cpu) / (time.perf_counter() - wall)
            stop.set()
            await task
            return share

        try:
            return asyncio.run(run())
        finally:
            db.dispose()


def poll_rounds(url: str, feeds: int = 300, items: int = 30) -> tuple[float, float]:
    """(first round, 304 round) wall seconds of `feeds` feeds against the database at `url`."""
    import asyncio
    import tempfile

    from bench.bench_poll import make_feeds, run_pass, start_server
    from core.config import FeedConfig, Settings

    with tempfile.TemporaryDirectory(prefix="year-poll-") as tmp:
        directory = Path(tmp)
        make_feeds(directory, feeds, items)
        proc, base = start_server(directory)
        try:
            settings = Settings().model_copy(update={"per_host_concurrency": 20})
            configs = [FeedConfig(name=f"feed{f:04d}", url=f"{base}/feed{f:04d}.xml", language="es")
                       for f in range(feeds)]
            _, first, _ = asyncio.run(run_pass(configs, settings, url))
            _, warm, _ = asyncio.run(run_pass(configs, settings, url))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return first, warm


def database_url(db: str) -> str:
    """`db` as a URL: a PostgreSQL (or any) URL as given, a path as a SQLite file's."""
    return db if "://" in db else f"sqlite:///{db}"


def size_mb(db: Any, url: str) -> float:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one() / 1e6


def explain(db: Any, name: str, step: Callable[[], Any]) -> None:
    """Print PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of each statement `step` runs, its slowest first."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH", "DELETE", "UPDATE")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        step()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    plans = []
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).scalars().all()
            conn.rollback()
            ms = next((float(r.split(":")[1].split()[0]) for r in rows if r.startswith("Execution Time")), 0.0)
            plans.append((ms, statement, rows))
    print(f"  ## {name}: {len(plans)} statements")
    for ms, statement, rows in sorted(plans, key=lambda p: p[0], reverse=True)[:3]:
        print(f"    - {ms:.1f} ms: {' '.join(statement.split())[:300]}")
        print("\n".join(f"        {r}" for r in rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the year's SQLite file, or its PostgreSQL URL")
    parser.add_argument("--empty", help="--poll's empty database to compare with (default: a new SQLite file)")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL's plans of each step's statements")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated step names (substrings)")
    parser.add_argument("--cli", action="store_true", help="also time the commands in a fresh process")
    parser.add_argument("--poll", action="store_true", help="a poll round of 300 feeds (writes: use a copy)")
    parser.add_argument("--fixes", action="store_true",
                        help="also an operator's story fixes: --near, /merge alone, /merge, /split (rolled back)")
    parser.add_argument("--idle", action="store_true", help="the idle delivery worker's CPU over 30 s")
    args = parser.parse_args(argv)
    url = database_url(args.db)
    config = load_config(ROOT / "feeds.yaml")
    db = open_database(url)
    now = datetime.now(UTC)
    print(f"- {redact_url(url)}: {size_mb(db, url):,.0f} MB; load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} cores; best of {args.repeats}")
    wanted = [w for w in args.only.split(",") if w]
    try:
        for name, step in steps(db, config, now).items():
            if wanted and not any(w in name for w in wanted):
                continue
            print(f"  - {name}: {best(step, args.repeats):.3f} s", flush=True)
            if args.explain:
                explain(db, name, step)
        if args.fixes:
            for name, seconds in story_fixes(db, config, args.repeats).items():
                print(f"  - {name}: {seconds:.3f} s", flush=True)
    finally:
        db.dispose()
    if args.cli:
        for name, cmd in cli_commands(datetime.now(UTC)).items():
            if wanted and not any(w in name for w in wanted):
                continue
            full = [sys.executable, "-m", "monitor", *cmd, "--config", str(ROOT / "feeds.yaml"), "--db", url,
                    "--log-level", "WARNING"]
            seconds = best(lambda full=full: subprocess.run(full, capture_output=True, cwd=ROOT, check=True),
                           args.repeats)
            print(f"  - {name}: {seconds:.2f} s", flush=True)
    if args.idle:
        print(f"  - the delivery worker with nothing to send: {100 * idle_worker(url):.0f} % of a core")
    if args.poll:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            empty = args.empty or f"sqlite:///{Path(tmp) / 'empty.db'}"
            open_database(empty).dispose()
            first, warm = poll_rounds(empty)
            print(f"  - poll round of 300 feeds, empty database: first {first:.2f} s, 304 {warm:.2f} s")
        first, warm = poll_rounds(url)
        print(f"  - poll round of 300 feeds, the year's database: first {first:.2f} s, 304 {warm:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
