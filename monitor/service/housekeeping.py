"""Housekeeping, the leader's timed jobs and the beat: folds of held alerts, digests and the
missed ones, the tally's posts, retention, the heartbeat, the database file and the feeds'
servers' clocks, and the moves a step of the clock asks for."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import OperationalError

from alerts.digest import enqueue_missed_digests, enqueue_scheduled_digest, restore_digest_times
from core.durations import format_duration
from core.logs import redact
from core.restore_marks import SentMark, drop_feed_marks_ahead, marks_path
from monitor.service.polls import Polls
from storage.db import refusal
from storage.items import prune_in_batches

log = logging.getLogger("monitor.service")  # the service's one logger, as before the split

HEARTBEAT_EVERY = 5.0
FOLD_EVERY = 60.0  # held alerts wait at most this long after their hour is over
TALLY_EVERY = 60.0  # the tally's charts due and the pinned figures are looked at this often
MISSED_DIGESTS_EVERY = 60.0  # digest times passed while stopped or asleep are looked for this often
CLOCK_OFF = 300.0  # seconds between this host's clock and the feeds' servers' that are told
PAUSES_EVERY = 10.0  # replicas: the feeds paused and resumed from the admin chat are read this often


class Housekeeping(Polls):
    """The jobs `run` schedules beside the polls (most on the leader only); clock steps."""


    def _schedule_housekeeping(self) -> None:
        assert self.scheduler is not None
        self.scheduler.add_job(self._beat, IntervalTrigger(seconds=HEARTBEAT_EVERY), id="heartbeat")
        self.scheduler.add_job(
            self.retention, IntervalTrigger(hours=6), id="retention", next_run_time=datetime.now(UTC),
            coalesce=True, max_instances=1,
        )
        self.scheduler.add_job(
            self._fold_tick, IntervalTrigger(seconds=FOLD_EVERY), id="fold-held",
            coalesce=True, max_instances=1,
        )
        self.scheduler.add_job(
            self.tally_tick, IntervalTrigger(seconds=TALLY_EVERY), id="tally",
            coalesce=True, max_instances=1,
        )
        self.scheduler.add_job(
            self.missed_digests, IntervalTrigger(seconds=MISSED_DIGESTS_EVERY), id="missed-digests",
            next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
        )
        if self.replicas.shared:
            self.scheduler.add_job(self.follow_pauses, IntervalTrigger(seconds=PAUSES_EVERY), id="pauses",
                                   coalesce=True, max_instances=1)

    async def follow_pauses(self) -> None:
        """Replicas: pause and resume the feeds another replica paused or resumed from the admin
        chat (the leader answers it, stores the pause and pauses its own scheduler). Read at a
        start and a reload only, a feed the leader stopped polling was polled by the others, its
        lease free, at its full rate, shown paused all along."""
        fs = self.feed_scheduler
        if fs is None:
            return
        changes = fs.pause_changes
        try:
            paused = await asyncio.to_thread(self._paused_feeds)
        except OperationalError as exc:
            log.debug("paused feeds not read: %s", refusal(exc))
            return
        if fs.pause_changes != changes:  # paused or resumed here meanwhile: the next look
            return
        for name in sorted(paused - fs.paused):
            fs.pause(name)
            log.info("%s paused by the operator (another replica answered)", name)
        for name in sorted(fs.paused - paused):
            fs.resume(name)
            log.info("%s resumed by the operator (another replica answered)", name)

    async def _fold_tick(self) -> None:
        if not self.replicas.leading:
            return
        async with self._classify_lock:
            try:
                folded = await asyncio.to_thread(self.fold_held)
            except OperationalError as exc:  # a leader learns it lost the database at its next renewal
                log.warning("folds of held alerts not made: %s; tried again in %.0f s", refusal(exc), FOLD_EVERY)
                return
        if folded:
            self.worker.wake()

    def _schedule_digests(self) -> None:
        assert self.scheduler is not None
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:"):
                job.remove()
        tz = self.config.settings.tz
        for channel in self.config.channels:
            if channel.mode != "digest":
                continue
            for at in channel.schedule or []:
                hour, minute = (int(x) for x in at.split(":"))
                self.scheduler.add_job(
                    self.digest, CronTrigger(hour=hour, minute=minute, timezone=tz), args=[channel.name],
                    id=f"digest:{channel.name}:{at}", coalesce=True, max_instances=1, misfire_grace_time=3600,
                )

    async def digest(self, channel: str) -> None:
        if not self.replicas.leading:
            return
        try:
            queued = await asyncio.to_thread(self._enqueue_digest, channel, datetime.now(UTC), self._journals())
        except OperationalError as exc:  # missed_digests queues it once the database takes it
            log.warning("digest of %s not queued: %s", channel, refusal(exc))
            return
        if queued:
            self.worker.wake()

    def _enqueue_digest(self, channel: str, now: datetime, journals: tuple[Mapping[str, SentMark], ...] = ()) -> int:
        with self.db.session() as session:
            return len(enqueue_scheduled_digest(session, self.config, channel, now=now, journals=journals))

    def _journals(self) -> tuple[Mapping[str, SentMark], ...]:
        """The worker's journal of sends, read at its start, and its own sends since (copied here,
        on the event loop, where the worker adds to them): a roundup either has is never folded."""
        return self.worker.sent_before, dict(self.worker.sent_here)

    async def missed_digests(self) -> None:
        """The leader queues the roundups whose time passed while no replica ran (a restart,
        the host asleep): the digest CronTriggers fire only while the service runs."""
        if not self.replicas.leading:
            return
        try:
            queued = await asyncio.to_thread(self._enqueue_missed_digests, datetime.now(UTC), self._journals())
        except Exception as exc:  # a database hiccup: the next tick tries again
            secrets = (self.runtime.bot_token,) if self.runtime.bot_token else ()
            log.warning("missed digests: %s", redact(f"{type(exc).__name__}: {exc}", secrets))
            return
        if queued:
            self.worker.wake()

    def _enqueue_missed_digests(self, now: datetime, journals: tuple[Mapping[str, SentMark], ...] = ()) -> int:
        with self.db.session() as session:
            if self._digests_before:  # once, at the first tick: the roundups of a restored database
                for name in restore_digest_times(session, self._digests_before, now):
                    log.warning("digest of %s: the database is older than its last roundup (%s, in %s): "
                                "a restored backup; that roundup is not queued again", name,
                                self._digests_before[name].strftime("%Y-%m-%d %H:%M UTC"),
                                marks_path(self.db.marks_base))
                self._digests_before = {}
            return len(enqueue_missed_digests(session, self.config, now=now, journals=journals))

    async def tally_tick(self) -> None:
        """The leader queues the tally's charts that are due and keeps the pinned figures."""
        if not self.replicas.leading:
            return
        try:
            if await self.tally_posts.tick(datetime.now(UTC)):
                self.worker.wake()
        except Exception as exc:  # a database hiccup: the next tick tries again
            secrets = (self.runtime.bot_token,) if self.runtime.bot_token else ()
            log.warning("tally posts: %s", redact(f"{type(exc).__name__}: {exc}", secrets))

    async def retention(self) -> int:
        """Delete the old unmatched items, in a worker thread: a large pass, or a lock another
        process holds, would stop the event loop (the polls) meanwhile; a batch a transaction
        (storage.items.PRUNE_BATCH), so that the polls' writes go in between, and a stop ends it
        after the batch in hand (a large pass held the stop for the whole of it)."""
        if not self.replicas.leading:
            return 0
        cutoff = datetime.now(UTC) - self.config.settings.retention
        try:
            pruned = await asyncio.to_thread(self._prune, cutoff)
        except OperationalError as exc:  # the next pass, in 6 h, prunes them
            log.warning("retention: not run: %s", refusal(exc))
            return 0
        if pruned:
            log.info("retention: pruned %d unmatched items older than %s", pruned, cutoff.date())
        return pruned

    def _prune(self, cutoff: datetime) -> int:
        return prune_in_batches(self.db.session, cutoff, stop=self.pipeline.stopping.is_set)

    async def _beat(self) -> None:
        self.heartbeat = time.monotonic()
        self._database_file()
        self.check_server_clocks()

    def check_server_clocks(self) -> float | None:
        """Tell the operator, once, that this host's clock is off from the feeds' servers'
        (their Date headers) by CLOCK_OFF or more, and again when it is right again; returns
        the offset in seconds (None before three servers answered)."""
        offset = self.fetcher.server_clocks.offset()
        if offset is not None and abs(offset) >= CLOCK_OFF:
            if self._clock_told is None or abs(offset - self._clock_told) >= CLOCK_OFF:
                self._clock_told = offset
                off = format_duration(timedelta(minutes=round(abs(offset) / 60)))  # Date: to the second
                if offset > 0:
                    log.error("this host's clock is %s ahead of the feeds' servers (their Date headers): "
                              "new items look %s old, and over backfill_window (%s) they are stored as "
                              "backfill, never alerted; set the clock right (NTP)", off, off,
                              format_duration(self.config.settings.backfill_window))
                else:
                    log.error("this host's clock is %s behind the feeds' servers (their Date headers): "
                              "new items look published %s ahead, and over an hour ahead their dates "
                              "are taken for none; set the clock right (NTP)", off, off)
        elif offset is not None and self._clock_told is not None:
            self._clock_told = None
            log.info("this host's clock agrees with the feeds' servers again")
        return offset

    def _database_file(self) -> str | None:
        """The database file removed or replaced under the service (Database.file_problem),
        logged once; a stat of the path, at each beat and health check."""
        problem = self.db.file_problem()
        if problem is not None and problem != self._file_told:
            log.error("database: %s", problem)
        self._file_told = problem
        return problem

    def _follow_step(self, step: float) -> None:
        """The wall clock was stepped (SteadyScheduler): the leader moves what waits in the
        database by the step too (one replica: several on one host would each move it)."""
        if step > 0:
            self.worker.follow_step(step)  # no database: claims are not taken over for a lease
        elif self.replicas.leading:
            task = asyncio.get_running_loop().create_task(self._shift_queue(step), name="clock step")
            self._step_tasks.add(task)
            task.add_done_callback(self._step_tasks.discard)

    async def drop_marks_ahead(self) -> None:
        """At a start and after a step back of the clock: the feeds' restore marks ahead of the
        clock are dropped (core/restore_marks.py), not taken for a restore once it catches up."""
        marks = marks_path(self.db.marks_base)
        dropped = await asyncio.to_thread(drop_feed_marks_ahead, marks, datetime.now(UTC))
        if dropped:
            log.warning("the last polls of %d feed(s) in %s are ahead of the clock (it was set back): "
                        "forgotten, no restore is told from them", len(dropped), marks)

    async def _shift_queue(self, step: float) -> None:
        await self.drop_marks_ahead()
        try:
            if await asyncio.to_thread(self.worker.follow_step, step):
                self.worker.wake()
        except OperationalError as exc:
            log.warning("clock set back: the queued alerts not moved: %s; they wait the step out", refusal(exc))
