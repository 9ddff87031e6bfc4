"""The scheduler when the host's wall clock is stepped (NTP, a VM restored, the date set by
hand): a child process runs the real SteadyScheduler and FeedScheduler under libfaketime, whose
offset the test rewrites while it runs; the monotonic clock is left real, as a step leaves it."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import statistics
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import FeedConfig, Settings
from monitor.ingest import PollResult
from monitor.scheduler import FeedScheduler, SteadyScheduler, job_id
from storage.feeds import feed_named, feed_next_polls, sync_feeds


def feed(name: str, seconds: float) -> FeedConfig:
    return FeedConfig.model_construct(
        name=name, url=f"https://ex.org/{name}", type="rss", language="es",
        interval=timedelta(seconds=seconds), enabled=True, selectors=None, fetch_article="auto", outlet=None,
    )


ROOT = Path(__file__).resolve().parents[1]
FAKETIME = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)
needs_faketime = pytest.mark.skipif(FAKETIME is None, reason="libfaketime not installed (apt-get install faketime)")

# Two feeds polled every 0.6 s, their runs 0.3 s apart; after 0.7 s the clock is set back an
# hour, 2.5 s later forward a day (from the true time); the child prints the monotonic times
# of the steps and of the polls.
CHILD = textwrap.dedent("""
    import asyncio, json, os, sys, time
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace
    from core.config import FeedConfig, Settings
    from monitor.scheduler import FeedScheduler, SteadyScheduler

    def feed(name):
        return FeedConfig.model_construct(
            name=name, url=f"https://ex.org/{name}", type="rss", language="es",
            interval=timedelta(seconds=0.6), enabled=True, selectors=None, fetch_article="auto", outlet=None)

    async def main():
        polls, steps = [], []
        async def poll(name):
            polls.append((name, time.monotonic()))
            now = datetime.now(UTC)
            return SimpleNamespace(next_poll_at=now + timedelta(seconds=0.6))  # all the scheduler reads
        scheduler = SteadyScheduler(timezone=UTC)
        fs = FeedScheduler(scheduler, poll, Settings(), jitter=0.0)
        scheduler.on_step.append(fs.follow_step)
        fs.sync([feed("a"), feed("b")], {})
        now = datetime.now(UTC)
        fs._set_next("a", now + timedelta(seconds=0.2))
        fs._set_next("b", now + timedelta(seconds=0.5))
        scheduler.start()
        await asyncio.sleep(0.7)
        for step in sys.argv[2:]:
            with open(sys.argv[1] + ".new", "w") as fh:  # renamed over: never read half written
                fh.write(step + "\\n")
            os.replace(sys.argv[1] + ".new", sys.argv[1])
            steps.append(time.monotonic())
            await asyncio.sleep(2.5)
        print(json.dumps({"steps": steps, "polls": polls}))

    asyncio.run(main())
""")


def run_stepped(tmp_path: Path, *steps: str) -> tuple[str, list[dict[str, list[float]]]]:
    """The child's log, and per step the times of each feed's polls after it (relative to it)
    and before the next step."""
    rc = tmp_path / "faketime.rc"
    rc.write_text("+0\n")
    env = {**os.environ, "LD_PRELOAD": str(FAKETIME), "FAKETIME_TIMESTAMP_FILE": str(rc),
           "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", CHILD, str(rc), *steps], env=env, capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    bounds = [*report["steps"], float("inf")]
    phases: list[dict[str, list[float]]] = [{"a": [], "b": []} for _ in steps]
    for name, at in report["polls"]:
        for k in range(len(steps)):
            if bounds[k] < at < bounds[k + 1]:
                phases[k][name].append(round(at - bounds[k], 3))
    return out.stderr, phases


@pytest.mark.slow(seconds=6)  # a child process whose clock is stepped during 5.7 s of real time
@needs_faketime
def test_clock_steps_back_and_forward_polling_goes_on_as_before(tmp_path: Path) -> None:
    """Set back an hour, APScheduler slept an hour past every due time: no poll at all. Set
    forward a day, every job was due at its next wake-up: both feeds polled at the same moment
    (at scale, every feed at once). Now polling goes on, each feed's wait and spread kept."""
    log, (back, forward) = run_stepped(tmp_path, "-1h", "+1d")
    for phase in (back, forward):
        a, b = phase["a"], phase["b"]
        # every 0.6 s: the first polls came 0.00-0.11 s (a) and 0.29-0.41 s (b) after a step beside
        # four busy loops on this 2-core host, none at all before the fix (an hour's sleep)
        assert len(a) >= 3 and len(b) >= 3 and a[0] < 1.5 and b[0] < 1.5, phase
        gaps = [abs(x - y) for x, y in zip(a, b, strict=False)]
        # 0.3 s apart as before the step (0.29-0.30 loaded), every pair together before the fix; a
        # loaded host that stalls the child past a due time may join one pair, never most
        assert statistics.median(gaps) > 0.1, phase
    assert "clock moved back 1h" in log and "clock moved forward 1d1h" in log, log


async def test_a_poll_straddling_a_step_back_is_not_scheduled_a_day_out() -> None:
    """A poll that began before the clock went back a day returns a next time a day ahead of
    the new now: it is held to the longest wait a poll can ask for (max_backoff)."""
    scheduler = SteadyScheduler(timezone=UTC)

    async def poll(name: str) -> PollResult:
        now = datetime.now(UTC) + timedelta(days=1)  # read before the step
        return PollResult(feed=name, status="ok", polled_at=now, next_poll_at=now + timedelta(seconds=30))

    fs = FeedScheduler(scheduler, poll, Settings(max_backoff=timedelta(minutes=5)), jitter=0.0)
    scheduler.start(paused=True)
    try:
        fs.sync([feed("a", 30)], {})
        await fs._run("a")
        left = fs.next_run("a") - datetime.now(UTC)  # type: ignore[operator]
        assert timedelta(seconds=0) < left <= timedelta(minutes=5, seconds=1)
        assert scheduler.get_job(job_id("a")) is not None
    finally:
        scheduler.shutdown(wait=False)


async def test_a_job_late_by_more_than_a_second_still_runs_once() -> None:
    """APScheduler's default grace is 1 s: a date job found late by more (an event loop busy
    that long, a step of the clock under the step threshold) was dropped as missed; the start-up
    round's end was such a job, and classification stayed held until a restart."""
    scheduler = SteadyScheduler(timezone=UTC)
    ran: list[str] = []
    now = datetime.now(UTC)
    scheduler.add_job(ran.append, "date", run_date=now - timedelta(seconds=3), args=["end of the round"])
    scheduler.add_job(ran.append, "interval", seconds=60, next_run_time=now - timedelta(seconds=200),
                      args=["interval"])  # several turns missed: one run
    scheduler.start()
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                while len(ran) < 2:
                    await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)  # and no second run of the interval job
        assert sorted(ran) == ["end of the round", "interval"]
    finally:
        scheduler.shutdown(wait=False)


async def test_a_job_under_way_at_the_stop_is_no_error(caplog: pytest.LogCaptureFixture) -> None:
    """A housekeeping job running when the service stops (a retention pass just after a start)
    is cancelled by the scheduler's shutdown: APScheduler logged "Job … raised an exception"
    at error with a traceback, where a clean stop logs no error."""
    import logging

    scheduler = SteadyScheduler(timezone=UTC)
    started = asyncio.Event()

    async def retention() -> None:
        started.set()
        await asyncio.sleep(60)

    scheduler.add_job(retention, "date", run_date=datetime.now(UTC), id="retention")
    with caplog.at_level(logging.INFO):
        scheduler.start()
        await asyncio.wait_for(started.wait(), 10)
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0.1)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "stopped by the shutdown" in caplog.text


def test_a_clock_step_is_measured_against_the_monotonic_clock() -> None:
    wall, mono = [1000.0], [50.0]
    scheduler = SteadyScheduler(timezone=UTC, wall=lambda: wall[0], monotonic=lambda: mono[0])
    wall[0] += 10.0; mono[0] += 10.0  # noqa: E702  time passing: no step
    assert scheduler.clock_step() is None
    wall[0] -= 3600.0
    assert scheduler.clock_step() == -3600.0
    assert scheduler.clock_step() is None  # told once


async def test_a_restart_after_the_clock_was_set_back_polls_within_an_interval(db) -> None:
    """Stopped, the clock set back a day, started again: the feed's stored next poll, a time of
    the old clock, was a day ahead, and the start-up held it for max_backoff, 6 h without a
    poll. The wait its last poll chose (30 s) counts from now."""
    now = datetime.now(UTC)
    with db.session() as s:
        sync_feeds(s, [("pitazo", "https://ex.org/pitazo.xml")])
        row = feed_named(s, "pitazo")
        assert row is not None
        row.last_polled_at, row.next_poll_at = now + timedelta(days=1), now + timedelta(days=1, seconds=30)
    scheduler = SteadyScheduler(timezone=UTC)

    async def poll(name: str) -> PollResult:
        raise AssertionError("not run: the scheduler is paused")

    fs = FeedScheduler(scheduler, poll, Settings(), jitter=0.0)
    scheduler.start(paused=True)
    try:
        with db.session() as s:
            fs.sync([feed("pitazo", 30)], feed_next_polls(s, now))
        left = fs.next_run("pitazo") - now  # type: ignore[operator]
        assert timedelta(0) < left <= timedelta(seconds=30), left
    finally:
        scheduler.shutdown(wait=False)


# Six feeds polled every 1.2 s, their runs 0.2 s apart; the child prints "ready", then after
# 5 s the monotonic times of the polls. The test stops it (SIGSTOP) for 3 s in between.
FROZEN_CHILD = textwrap.dedent("""
    import asyncio, json, time
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace
    from core.config import FeedConfig, Settings
    from monitor.scheduler import FeedScheduler, SteadyScheduler

    def feed(name):
        return FeedConfig.model_construct(
            name=name, url=f"https://ex.org/{name}", type="rss", language="es",
            interval=timedelta(seconds=1.2), enabled=True, selectors=None, fetch_article="auto", outlet=None)

    async def main():
        polls = []
        async def poll(name):
            polls.append((name, time.monotonic()))
            return SimpleNamespace(next_poll_at=datetime.now(UTC) + timedelta(seconds=1.2))
        scheduler = SteadyScheduler(timezone=UTC)
        scheduler.stall_threshold = 1.0  # (30 s in the service: a test of a 3 s freeze)
        fs = FeedScheduler(scheduler, poll, Settings(), jitter=0.0)
        fs.sync([feed(str(k)) for k in range(6)], {})
        now = datetime.now(UTC)
        for k in range(6):
            fs._set_next(str(k), now + timedelta(seconds=0.2 * (k + 1)))
        scheduler.start()
        print("ready", flush=True)
        await asyncio.sleep(5)
        print(json.dumps(polls), flush=True)

    asyncio.run(main())
""")


@pytest.mark.slow(seconds=5)  # a child process stopped for 3 s of its 5
def test_a_process_frozen_longer_than_the_poll_interval_keeps_the_feeds_spread() -> None:
    """A VM paused, a container frozen (`docker pause`), a process stopped (SIGSTOP): the wall
    and the monotonic clocks both go on, so no step is seen, and on its return every feed was
    overdue: all polled at the same moment (at scale, every feed at once), and polled together
    from then on. Now the stall (the scheduler's timer late by 30 s or more) moves the jobs by
    its length, as a step forward does: each feed keeps its remaining wait, and the spread."""
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen([sys.executable, "-c", FROZEN_CHILD], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        child.send_signal(signal.SIGSTOP)
        time.sleep(3.0)
        resumed = time.monotonic()
        child.send_signal(signal.SIGCONT)
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    polls = json.loads(out.strip().splitlines()[-1])
    firsts = sorted(min(at for name, at in polls if name == str(k) and at > resumed) - resumed for k in range(6))
    # before: the six polled within 0.02 s of the return; now 0.2 s apart as before the freeze
    assert firsts[-1] - firsts[0] > 0.5, firsts
    assert "stalled" in err, err
