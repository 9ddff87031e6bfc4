"""`FeedScheduler`: one APScheduler job per enabled feed, at the time the last poll chose.

Each job is an interval job (coalesce, max_instances=1, a misfire grace time);
after every run its next run time is set from `PollResult.next_poll_at` (so
backoff and Retry-After apply) plus a little jitter. At start-up the first runs
are spread over each feed's interval (or honour a stored next poll time in the
future), so the service does not hit every site at once.

`SteadyScheduler` is the AsyncIOScheduler the service runs them on: it notices a step of the
wall clock (NTP, a VM restored or resumed, an operator setting the date) and keeps every
timer's remaining wait, rather than stopping for as long as the clock went back or firing
every job at once when it went forward.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from core.config import FeedConfig, Settings
from core.durations import format_duration

if TYPE_CHECKING:  # the ingest stack is not needed to schedule (a child of the clock tests)
    from apscheduler.job import Job

    from monitor.ingest import PollResult

log = logging.getLogger("monitor.scheduler")

PREFIX = "feed:"
# a change of (wall clock - monotonic clock) larger than this is a step of the clock (NTP
# slews smaller errors; a VM resumed from a suspend moves the wall clock alone, as a step)
STEP_THRESHOLD = 5.0
WATCH_EVERY = 2.0  # the longest the scheduler sleeps without looking at the clock
# the scheduler's timer this late (monotonic) means the process did not run meanwhile: a VM
# paused, a container frozen, SIGSTOP (both clocks went on: no step) (`SteadyScheduler.follow_stall`)
STALL_THRESHOLD = 30.0


class _CancelledAtStop(logging.Filter):
    """A job the scheduler's shutdown cancelled while it ran (a retention pass, a tally tick
    under way at a stop) is no error: APScheduler logged it as one, with a traceback, where a
    clean stop logs none (docs/OPERATIONS.md). It is told at info, as a poll stopped so is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.exc_info, record.exc_text = "job %r stopped by the shutdown", None, None
        return True


_QUIET_STOP = _CancelledAtStop()


class SteadyScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler that follows steps of the wall clock.

    APScheduler computes each wait from the wall clock and sleeps it on the event loop's
    monotonic clock: set back an hour, it slept an hour past every due time (no poll, no
    heartbeat, no digest); set forward, every job was due at the next wake-up. Before each
    look at its jobs this one compares wall and monotonic time; on a step it moves every
    interval and date job by the step (the same wait remains), gives cron jobs (the digests,
    at wall-clock times) their next time by the new clock, logs it once, and calls
    `on_step` listeners with the step in seconds (negative: back).
    """

    def __init__(self, *args: Any, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, **options: Any) -> None:
        self._wall, self._monotonic = wall, monotonic
        self._offset = wall() - monotonic()
        self._timer_due: float | None = None  # (monotonic) when the timer set last is to fire
        self.stall_threshold = STALL_THRESHOLD
        self.on_step: list[Callable[[float], None]] = []
        # a job late by more than APScheduler's default grace (1 s: an event loop busy that long,
        # a small step of the clock) was dropped: a date job never ran (the start-up round's
        # end, and classification held until a restart), an interval job skipped a turn
        # (retention: 6 hours). Late runs run, once (coalesced); feed polls set their own grace.
        options["job_defaults"] = {"misfire_grace_time": None, "coalesce": True, **options.get("job_defaults", {})}
        super().__init__(*args, **options)
        logging.getLogger("apscheduler.executors.default").addFilter(_QUIET_STOP)  # added once

    def clock_step(self) -> float | None:
        """Seconds the wall clock was stepped since the last look (None: not stepped)."""
        offset = self._wall() - self._monotonic()
        step, self._offset = offset - self._offset, offset
        return step if abs(step) >= STEP_THRESHOLD else None

    def _process_jobs(self) -> float | None:
        step = self.clock_step()
        if step is not None:
            self.follow_step(step)
        late = self._monotonic() - self._timer_due if self._timer_due is not None else 0.0
        if late >= self.stall_threshold:
            self.follow_stall(late)
        return super()._process_jobs()  # type: ignore[no-any-return]

    def _start_timer(self, wait_seconds: float | None) -> None:
        # a step back makes every computed wait too long: look again soon whatever the jobs
        wait = WATCH_EVERY if wait_seconds is None else min(wait_seconds, WATCH_EVERY)
        self._timer_due = self._monotonic() + max(0.0, wait)
        super()._start_timer(wait)

    def shutdown(self, wait: bool = True) -> None:
        self._timer_due = None  # started again later: no stall
        super().shutdown(wait)

    def follow_stall(self, seconds: float) -> None:
        """The process did not run for `seconds` (its timer that late) while both clocks went on:
        every interval and date job is moved by as much, keeping the wait it had, as for a step
        forward. Before, every feed was overdue at the return and all were polled at the same
        moment, and together from then on. Cron jobs (the digests) are left to their time;
        `on_step` listeners are not called: the process's sends and claims aged for real."""
        moved = self._move_jobs(seconds, cron_from=None)
        log.warning("the process stalled for %s (a VM paused, the container frozen, SIGSTOP): %d timers "
                    "keep their remaining wait", format_duration(timedelta(seconds=round(seconds))), moved)

    def _move_jobs(self, seconds: float, *, cron_from: datetime | None) -> int:
        """Move every interval and date job's next run by `seconds`; a cron job (the digests)
        to its next time after `cron_from`, or left as it is without one. How many moved."""
        moved = 0
        with self._jobstores_lock:
            for store in self._jobstores.values():
                for job in store.get_all_jobs():
                    if job.next_run_time is None:  # paused
                        continue
                    if isinstance(job.trigger, CronTrigger):
                        if cron_from is None:
                            continue
                        when = job.trigger.get_next_fire_time(None, cron_from)
                    else:
                        when = job.next_run_time + timedelta(seconds=seconds)
                    if when is not None:
                        job._modify(next_run_time=when)
                        store.update_job(job)
                        moved += 1
        return moved

    def follow_step(self, step: float) -> None:
        """Move the jobs' next run times for a clock stepped by `step` seconds."""
        moved = self._move_jobs(step, cron_from=datetime.now(self.timezone))
        log.warning(
            "clock moved %s %s (the wall clock was stepped: NTP, a VM restored or resumed, the "
            "date set by hand): %d timers keep their remaining wait, digests follow the new time",
            "back" if step < 0 else "forward", format_duration(timedelta(seconds=round(abs(step)))), moved,
        )
        for listener in self.on_step:
            try:
                listener(step)
            except Exception:  # one listener's failure must not stop the scheduler
                log.exception("after the clock step")


def job_id(name: str) -> str:
    return PREFIX + name


class FeedScheduler:
    """Schedules `poll(name)` for every enabled feed; see the module docstring.

    `jitter` is the fraction of the interval added at random to each next run,
    at most `max_jitter`; `spread` caps the start-up spread (default: the interval).
    """

    def __init__(
        self,
        scheduler: AsyncIOScheduler,
        poll: Callable[[str], Awaitable[PollResult]],
        settings: Settings,
        *,
        jitter: float = 0.1,
        max_jitter: timedelta = timedelta(minutes=2),
        spread: timedelta | None = None,
        misfire_grace_time: timedelta | None = None,
        rng: random.Random | None = None,
        on_run: Callable[[str, float, float], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.poll = poll
        self.settings = settings
        self.jitter = jitter
        self.max_jitter = max_jitter
        self.spread = spread
        self.misfire_grace_time = misfire_grace_time
        self.rng = rng or random.Random()
        self.feeds: dict[str, FeedConfig] = {}
        self.paused: set[str] = set()
        self.pause_changes = 0  # pause() and resume() calls: a reload's read of the paused rows is stale after one
        self.last_results: dict[str, PollResult] = {}
        self.runs: dict[str, int] = {}
        self.due: dict[str, datetime] = {}  # the run time each job was last given
        self.on_run = on_run  # (feed, seconds late past its due time, seconds the poll took)

    # -- configuration -------------------------------------------------------
    def sync(self, feeds: list[FeedConfig], state: dict[str, datetime | None]) -> None:
        """Schedule new enabled feeds, stop removed or disabled ones, apply changed intervals.

        `state` maps feed names to their stored next poll time (Feed.next_poll_at).
        """
        now = datetime.now(UTC)
        wanted = {f.name: f for f in feeds if f.enabled}
        # the jobs read once: APScheduler looks a job up by a scan of the jobs added before its
        # start, so a lookup per feed made the first sync of 10,000 feeds take 5 s
        kept: dict[str, Job] = {}
        for job in self.scheduler.get_jobs():
            name = job.id[len(PREFIX):] if job.id.startswith(PREFIX) else None
            if name is not None and name not in wanted:
                job.remove()
                self._forget(name)
                log.info("stopped polling %s", name)
            else:
                kept[job.id] = job
        for name, feed in wanted.items():
            old = self.feeds.get(name)
            self.feeds[name] = feed
            job = kept.get(job_id(name))
            if job is None:
                first = self._first_run(feed, state.get(name), now)
                self.scheduler.add_job(
                    self._run, "interval", seconds=_seconds(feed.interval), args=[name],
                    id=job_id(name), name=name, coalesce=True, max_instances=1,
                    misfire_grace_time=self._grace(feed), next_run_time=first,
                    replace_existing=True,
                )
                self.due[name] = first
                if name in self.paused:
                    self.scheduler.pause_job(job_id(name))
            elif old is not None and old.interval != feed.interval:
                previous = job.next_run_time
                self.scheduler.reschedule_job(
                    job_id(name), trigger="interval", seconds=_seconds(feed.interval)
                )
                self.scheduler.modify_job(job_id(name), misfire_grace_time=self._grace(feed))
                if name in self.paused:
                    self.scheduler.pause_job(job_id(name))
                else:
                    soonest = now + self._spread(feed)
                    self._set_next(name, min(previous, soonest) if previous else soonest)
                log.info("%s: interval is now %s", name, feed.interval)

    def pause(self, name: str) -> bool:
        """Stop polling `name` until resume(); False when it is not scheduled."""
        self.paused.add(name)
        self.pause_changes += 1
        try:
            self.scheduler.pause_job(job_id(name))
        except JobLookupError:
            return False
        return True

    def resume(self, name: str) -> bool:
        """Poll `name` again, soon; False when it is not scheduled."""
        self.paused.discard(name)
        self.pause_changes += 1
        feed = self.feeds.get(name)
        if feed is None:
            return False
        try:
            self.scheduler.resume_job(job_id(name))
        except JobLookupError:
            return False
        self._set_next(name, datetime.now(UTC) + self._jitter(feed))
        return True

    def poll_now(self, name: str) -> bool:
        """Run `name` as soon as possible (an operator's request)."""
        if name not in self.feeds or name in self.paused:
            return False
        return self._set_next(name, datetime.now(UTC))

    def next_run(self, name: str) -> datetime | None:
        job = self.scheduler.get_job(job_id(name))
        return job.next_run_time if job is not None else None

    # -- running ---------------------------------------------------------------
    async def _run(self, name: str) -> None:
        feed = self.feeds.get(name)
        if feed is None:
            return
        self.runs[name] = self.runs.get(name, 0) + 1
        started = datetime.now(UTC)
        due = self.due.pop(name, None)
        result_ok = False
        try:
            result = await self.poll(name)
            if name in self.feeds:  # not removed by a reload while it ran
                self.last_results[name] = result
            next_at, result_ok = result.next_poll_at, not result.consecutive_failures
        except asyncio.CancelledError:
            # the service is stopping: the scheduler cancels the polls in flight (a feed that
            # trickles for its whole timeout). Nothing of this poll was stored; the next start
            # polls the feed again. Not an error (APScheduler would log one for it).
            log.info("poll of %s stopped by the shutdown", name)
            return
        except Exception:  # poll_feed does not raise; a wrapper around it might
            log.exception("poll of %s raised", name)
            next_at = datetime.now(UTC) + feed.interval
        now = datetime.now(UTC)
        if self.on_run is not None and due is not None:
            self.on_run(name, (started - due).total_seconds(), (now - started).total_seconds())
        if name in self.paused or name not in self.feeds:
            return
        polled_as, feed = feed, self.feeds[name]
        if feed.interval < polled_as.interval and result_ok:
            # a reload shortened the interval while the poll ran: its next time, set by the old
            # one, undid the reload's (6 h where feeds.yaml now says 5 minutes)
            next_at = min(next_at, now + feed.interval)
        # a clock stepped back during the poll leaves next_at ahead by the step: never later
        # than the longest wait a poll can ask for (as at start-up, `_first_run`)
        latest = now + max(feed.interval, self.settings.max_backoff)
        self._set_next(name, min(max(next_at, now), latest) + self._jitter(feed))

    def follow_step(self, step: float) -> None:
        """The wall clock was stepped by `step` seconds: the due times kept for the lateness
        figure move with the jobs (else every poll after it was an hour or a day late)."""
        self.due = {name: at + timedelta(seconds=step) for name, at in self.due.items()}

    # -- helpers -----------------------------------------------------------------
    def _forget(self, name: str) -> None:
        """Drop what is kept of a feed no longer polled (feeds come and go for months). Its
        pause stays: the row keeps it too, and a feed added again comes back paused."""
        for kept in (self.feeds, self.last_results, self.runs, self.due):
            kept.pop(name, None)

    def _set_next(self, name: str, when: datetime) -> bool:
        try:
            self.scheduler.modify_job(job_id(name), next_run_time=when)
        except JobLookupError:
            return False
        self.due[name] = when
        return True

    def _first_run(self, feed: FeedConfig, stored: datetime | None, now: datetime) -> datetime:
        if stored is not None and stored.tzinfo is None:
            stored = stored.replace(tzinfo=UTC)
        if stored is not None and stored > now:
            latest = now + max(feed.interval, self.settings.max_backoff)
            return min(stored, latest) + self._jitter(feed)
        return now + self._spread(feed)

    def _spread(self, feed: FeedConfig) -> timedelta:
        window = feed.interval if self.spread is None else min(feed.interval, self.spread)
        return timedelta(seconds=self.rng.uniform(0, window.total_seconds()))

    def _jitter(self, feed: FeedConfig) -> timedelta:
        top = min(feed.interval * self.jitter, self.max_jitter).total_seconds()
        return timedelta(seconds=self.rng.uniform(0, max(0.0, top)))

    def _grace(self, feed: FeedConfig) -> int:
        if self.misfire_grace_time is not None:
            return max(1, int(self.misfire_grace_time.total_seconds()))
        return max(30, int(feed.interval.total_seconds()))


def _seconds(interval: timedelta) -> float:
    return max(0.001, interval.total_seconds())
