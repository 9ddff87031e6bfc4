import asyncio
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.config import FeedConfig, Settings
from monitor.ingest import PollResult
from monitor.scheduler import FeedScheduler, job_id


def feed(name: str, seconds: float, enabled: bool = True) -> FeedConfig:
    # model_construct skips the 30 s minimum so that the test runs in seconds.
    return FeedConfig.model_construct(
        name=name, url=f"https://ex.org/{name}", type="rss", language="es",
        interval=timedelta(seconds=seconds), enabled=enabled, selectors=None,
        fetch_article="auto", outlet=None,
    )


class Recorder:
    def __init__(self, delays: dict[str, float] | None = None) -> None:
        self.calls: list[tuple[str, datetime]] = []
        self.delays = delays or {}
        self.running: set[str] = set()
        self.overlaps = 0

    async def __call__(self, name: str) -> PollResult:
        if name in self.running:
            self.overlaps += 1
        self.running.add(name)
        self.calls.append((name, datetime.now(UTC)))
        try:
            await asyncio.sleep(0.01)
        finally:
            self.running.discard(name)
        now = datetime.now(UTC)
        return PollResult(feed=name, status="unchanged", polled_at=now,
                          next_poll_at=now + timedelta(seconds=self.delays.get(name, 0.3)))

    def count(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)


async def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_jobs_run_repeatedly_and_follow_next_poll_at() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    poll = Recorder(delays={"backoff": 3600})
    fs = FeedScheduler(scheduler, poll, Settings(), spread=timedelta(seconds=0.2))
    scheduler.start()
    try:
        fs.sync([feed("a", 1), feed("backoff", 1), feed("off", 1, enabled=False)], {})
        assert scheduler.get_job(job_id("off")) is None
        job = scheduler.get_job(job_id("a"))
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 1
        await wait_for(lambda: poll.count("a") >= 3 and poll.count("backoff") >= 1)
        # The backoff feed asked for its next poll in an hour: the job honours it.
        assert poll.count("backoff") == 1
        nxt = fs.next_run("backoff")
        assert nxt is not None and nxt > datetime.now(UTC) + timedelta(minutes=59)
        assert poll.overlaps == 0
    finally:
        scheduler.shutdown(wait=False)


async def test_startup_spread_and_stored_next_poll() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    fs = FeedScheduler(scheduler, Recorder(), Settings())
    scheduler.start()
    try:
        now = datetime.now(UTC)
        later = now + timedelta(hours=2)
        feeds = [feed(f"f{i}", 600) for i in range(20)] + [feed("stored", 600)]
        fs.sync(feeds, {"stored": later, "f0": now - timedelta(hours=1)})
        firsts = [fs.next_run(f"f{i}") for i in range(20)]
        assert all(now <= t <= now + timedelta(seconds=601) for t in firsts if t)
        assert len({t for t in firsts}) == 20  # spread, not all at once
        stored = fs.next_run("stored")
        assert stored is not None and later <= stored <= later + timedelta(minutes=2)
    finally:
        scheduler.shutdown(wait=False)


async def test_sync_adds_removes_and_changes_interval() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    fs = FeedScheduler(scheduler, Recorder(), Settings())
    scheduler.start()
    try:
        fs.sync([feed("a", 3600), feed("b", 3600)], {})
        fs.sync([feed("a", 60), feed("c", 3600)], {})
        ids = {j.id for j in scheduler.get_jobs()}
        assert ids == {job_id("a"), job_id("c")}
        a = scheduler.get_job(job_id("a"))
        assert a.trigger.interval == timedelta(seconds=60)
        assert a.next_run_time <= datetime.now(UTC) + timedelta(seconds=61)
        fs.sync([feed("a", 60, enabled=False), feed("c", 3600)], {})
        assert scheduler.get_job(job_id("a")) is None
    finally:
        scheduler.shutdown(wait=False)


async def test_an_interval_shortened_while_a_poll_runs_applies_after_it() -> None:
    """The poll's next time was worked out from the interval it began with: a reload from 6 h
    to 5 minutes while it ran was undone when it ended (its next poll 6 h away); a failing
    poll keeps its backoff."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    release = asyncio.Event()
    failures = {"a": 0, "b": 3}

    async def poll(name: str) -> PollResult:
        await release.wait()
        now = datetime.now(UTC)
        return PollResult(feed=name, status="error" if failures[name] else "unchanged", polled_at=now,
                          next_poll_at=now + timedelta(hours=6), consecutive_failures=failures[name])

    fs = FeedScheduler(scheduler, poll, Settings(), jitter=0.0)
    scheduler.start()
    try:
        fs.sync([feed("a", 6 * 3600), feed("b", 6 * 3600)], {})
        runs = [asyncio.create_task(fs._run("a")), asyncio.create_task(fs._run("b"))]
        await asyncio.sleep(0.05)  # both polls under way
        fs.sync([feed("a", 300), feed("b", 300)], {})  # the reload
        release.set()
        await asyncio.gather(*runs)
        left = {n: fs.next_run(n) - datetime.now(UTC) for n in ("a", "b")}  # type: ignore[operator]
        assert left["a"] <= timedelta(seconds=300)
        assert left["b"] > timedelta(hours=5)  # its backoff
    finally:
        scheduler.shutdown(wait=False)


async def test_sync_reads_the_jobs_once_not_a_lookup_per_feed(monkeypatch) -> None:
    """APScheduler finds a job added before its start by scanning them all: one `get_job` per
    feed made the first sync of 10,000 feeds quadratic (1.5 s of CPU; 0.26 s read once)."""
    scheduler = AsyncIOScheduler(timezone=UTC)  # not started: the jobs wait in its pending list
    fs = FeedScheduler(scheduler, Recorder(), Settings())
    lookups: list[str] = []
    real = scheduler.get_job
    monkeypatch.setattr(scheduler, "get_job", lambda job, *a: lookups.append(job) or real(job, *a))
    fs.sync([feed(f"f{i}", 3600) for i in range(300)], {})
    fs.sync([feed(f"f{i}", 3600 if i % 2 else 60) for i in range(250)], {})  # 50 removed, 125 changed
    assert lookups == []
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {job_id(f"f{i}") for i in range(250)}
    assert {jobs[job_id(f"f{i}")].trigger.interval.total_seconds() for i in range(0, 250, 2)} == {60}
    assert {jobs[job_id(f"f{i}")].trigger.interval.total_seconds() for i in range(1, 250, 2)} == {3600}


async def test_feeds_removed_by_reloads_are_forgotten() -> None:
    """Feeds added and removed by reloads for months: what the scheduler keeps per feed
    (last result, runs, due time) is kept for the feeds it polls, not every feed it ever
    polled; a poll in flight when its feed is removed leaves nothing behind either."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    started: set[str] = set()

    async def poll(name: str) -> PollResult:
        started.add(name)
        await asyncio.sleep(0.1 if name.endswith("slow") else 0)  # still running at the next reload
        now = datetime.now(UTC)
        return PollResult(feed=name, status="unchanged", polled_at=now, next_poll_at=now + timedelta(hours=1))

    fs = FeedScheduler(scheduler, poll, Settings(), spread=timedelta(seconds=0.02))
    scheduler.start()
    try:
        for r in range(40):
            names = [f"r{r}-{i}" for i in range(4)] + [f"r{r}-slow"]
            fs.sync([feed(n, 600) for n in names], {})
            await wait_for(lambda names=names: started >= set(names))
        await asyncio.sleep(0.2)  # the last round's polls finish
        assert set(fs.feeds) == set(fs.last_results) == set(fs.runs) == set(names)
        assert set(fs.due) == set(names)  # the next run each poll chose
        assert len(started) == 200
    finally:
        scheduler.shutdown(wait=False)


async def test_pause_and_resume() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    poll = Recorder()
    fs = FeedScheduler(scheduler, poll, Settings(), spread=timedelta(seconds=0.1))
    scheduler.start()
    try:
        fs.sync([feed("a", 1)], {})
        await wait_for(lambda: poll.count("a") >= 1)
        assert fs.pause("a")
        await asyncio.sleep(0.05)  # let a run in progress finish
        paused_at = poll.count("a")
        assert fs.next_run("a") is None
        fs.sync([feed("a", 1)], {})  # a reload keeps it paused
        assert fs.next_run("a") is None
        await asyncio.sleep(0.7)
        assert poll.count("a") == paused_at
        assert fs.resume("a")
        await wait_for(lambda: poll.count("a") > paused_at)
        assert not fs.pause("missing") and not fs.resume("missing")
    finally:
        scheduler.shutdown(wait=False)


async def test_poll_that_raises_is_rescheduled() -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    calls = 0

    async def broken(name: str) -> PollResult:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    fs = FeedScheduler(scheduler, broken, Settings(), spread=timedelta(seconds=0.1))
    scheduler.start()
    try:
        fs.sync([feed("x", 0.3)], {})
        await wait_for(lambda: calls >= 2)
    finally:
        scheduler.shutdown(wait=False)


async def test_a_poll_in_flight_at_shutdown_is_no_error(caplog) -> None:  # type: ignore[no-untyped-def]
    scheduler = AsyncIOScheduler(timezone=UTC)
    started = asyncio.Event()

    async def slow(name: str) -> PollResult:  # a feed that trickles for its whole timeout
        started.set()
        await asyncio.sleep(60)
        raise AssertionError("not reached")

    fs = FeedScheduler(scheduler, slow, Settings(), spread=timedelta(seconds=0.05))
    scheduler.start()
    fs.sync([feed("trickle", 30)], {})
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level("INFO"):
        scheduler.shutdown(wait=False)  # as the service's stop does
        await asyncio.sleep(0.1)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], caplog.text
    assert "poll of trickle stopped by the shutdown" in caplog.text


async def test_scheduler_drives_poll_feed(db) -> None:  # type: ignore[no-untyped-def]
    """End to end: the scheduler polls a real feed server through poll_feed, twice."""
    from devtools.feedserver import FeedServer
    from devtools.samples import SampleItem, rss
    from monitor.fetch import Fetcher
    from monitor.ingest import poll_feed

    settings = Settings().model_copy(update={"request_timeout": timedelta(seconds=1)})
    cfg = feed("live", 0.5)
    with FeedServer() as server:
        cfg = cfg.model_copy(update={"url": server.url("/feed")})
        body = rss([SampleItem("Nota", "https://ex.org/1", "Texto " * 100,
                               published=datetime.now(UTC))])
        server.set_route("/feed", body, etag='"1"')
        async with Fetcher(settings) as fetcher:
            results: list[PollResult] = []

            async def poll(name: str) -> PollResult:
                result = await poll_feed(cfg, settings, fetcher, db)
                results.append(result)
                return result

            scheduler = AsyncIOScheduler(timezone=UTC)
            fs = FeedScheduler(scheduler, poll, settings, spread=timedelta(seconds=0.1))
            scheduler.start()
            try:
                fs.sync([cfg], {})
                await wait_for(lambda: len(results) >= 2)
            finally:
                scheduler.shutdown(wait=False)
    assert results[0].status == "new" and len(results[0].new_item_ids) == 1
    assert results[1].status == "not_modified"
