"""The service: `monitor run` (long-running) and `monitor poll-once` (one pass).

`Service` wires the stages together: the scheduler calls `poll()` for a feed,
which fetches and stores new items (monitor.ingest), classifies them and
queues their alerts (monitor.pipeline); the delivery worker (alerts) sends
what is queued. Everything that must survive a crash is in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from alerts.admin import AdminBot
from alerts.delivery import DeliveryWorker
from alerts.digest import (
    digests_sent,
    enqueue_missed_digests,
    enqueue_scheduled_digest,
    restore_digest_times,
)
from alerts.feed_limits import fold_held
from alerts.tally.figures import Tally
from alerts.tally.posts import TallyPosts
from core.config import AppConfig, ConfigError, FeedConfig, Runtime, Settings, load_config
from core.durations import format_duration
from core.logs import redact
from core.proxy import PROXY_VARIABLES, hide_password
from core.restore_marks import drop_feed_marks_ahead, marks_path
from monitor.fetch import Fetcher
from monitor.first_round import FirstRound, Poll
from monitor.health import HealthServer, listen_failure
from monitor.heap import tune_collector
from monitor.ingest import PollResult, poll_feed
from monitor.ingest.feed_state import stored_url
from monitor.ingest.poll import CONFLICT_NEXT_POLL
from monitor.ingest.poll_states import PollStates
from monitor.metrics import Metrics
from monitor.pipeline import Pipeline
from monitor.replicas import Replicas
from monitor.scheduler import FeedScheduler, SteadyScheduler
from monitor.start_config import FileState, file_state
from storage.alerts import queue_depth, sync_channels
from storage.db import Database, conflict, locked, ping, refusal
from storage.errors import DatabaseError
from storage.feeds import (
    feed_named,
    feed_next_polls,
    last_successful_poll,
    paused_feed_names,
    sync_feeds,
)
from storage.items import prune_unmatched_items

log = logging.getLogger("monitor.service")


def log_cautions(config: AppConfig) -> None:
    """The config's valid values that most often are a mistake (check-config warns of them too)."""
    for issue in config.cautions:
        log.warning("config: %s", issue)

SHUTDOWN_GRACE = 8.0  # seconds the delivery, admin chat and leader tasks get to end at a stop
# seconds from a stop to the process's exit, whatever the database does (systemd kills at 15)
STOP_LIMIT = 12.0
HEARTBEAT_EVERY = 5.0
# settings the HTTP client is built from: a reload that changes one rebuilds the fetcher
FETCHER_SETTINGS = ("request_timeout", "connect_timeout", "max_body_bytes", "max_redirects",
                    "user_agent", "contact_url", "concurrency", "per_host_concurrency")
# settings read once at start-up: a reload that changes one says so by name
RESTART_SETTINGS = ("http_listen", "database_url")
CONFIG_WATCH_EVERY = 2.0
START_RETRY_EVERY = 1.0  # seconds between a start-up's writes the lock refused (each waited 10 s)
CHART_EVERY = 600.0  # the status page's tally chart is redrawn at most this often
FOLD_EVERY = 60.0  # held alerts wait at most this long after their hour is over
TALLY_EVERY = 60.0  # the tally's charts due and the pinned figures are looked at this often
MISSED_DIGESTS_EVERY = 60.0  # digest times passed while stopped or asleep are looked for this often
CLOCK_OFF = 300.0  # seconds between this host's clock and the feeds' servers' that are told


def sync_config(config: AppConfig, db: Database) -> None:
    """Write feeds.yaml's feeds and channels. A replica (or a `poll-once`) writing the same new
    rows at the same moment fails this insert on the unique name: written again, the rows it
    inserted are found (before, `monitor poll-once` exited 1 with a traceback then)."""
    try:
        _write_config_rows(config, db)
    except IntegrityError:
        _write_config_rows(config, db)


def _write_config_rows(config: AppConfig, db: Database) -> None:
    with db.session() as session:
        sync_feeds(session, [(f.name, stored_url(f.url)) for f in config.feeds])
        sync_channels(session, [(c.name, c.chat_id) for c in config.channels])


class Service:
    def __init__(
        self, config: AppConfig, runtime: Runtime, db: Database, *, out: TextIO | None = None,
        dry_run: bool = False, scheduler_options: dict[str, Any] | None = None,
        replica_options: dict[str, Any] | None = None,
    ) -> None:

        self.config = config
        self.runtime = runtime
        self.db = db
        self.out = out or sys.stdout
        self.metrics = Metrics()
        self.pipeline = Pipeline(config, db)
        self.fetcher = Fetcher(config.settings)
        self._retired_fetchers: dict[asyncio.Task[None], Fetcher] = {}  # replaced by a reload, closing
        self._classify_lock = asyncio.Lock()  # also held by the admin chat's /split, /merge and /wrong
        self.admin = AdminBot(config, runtime, db, self, watched=self.pipeline.watched, story_lock=self._classify_lock)
        self.admin.model_problem = self.pipeline.model_load.problem  # told once in the chat
        self.worker = DeliveryWorker(
            config, runtime, db, dry_run=dry_run, out=self.out,
            stale_after=config.settings.delivery_lease.total_seconds(), on_outcome=self._count_delivery,
        )
        self.tally_posts = TallyPosts(config, runtime, db, dry_run=dry_run)  # leader only
        # the roundups sent before this process started (core/restore_marks.py): a restored
        # database's channels get their last roundup time back at the first digest tick
        self._digests_before = digests_sent(self.worker.sent_before)  # the journal read once
        self.first_round = FirstRound()  # start-up backlog classified once, in publication order
        self.items_failed = 0  # items whose processing raised (left pending), since start
        self.skipped_paused: list[str] = []  # poll-once: enabled feeds left out as paused
        self._classify_again = False  # the database refused the last classification: items wait
        self._file_told: str | None = None  # the database file's problem last logged
        self._clock_told: float | None = None  # the offset from the servers' clocks last logged
        self.heartbeat = time.monotonic()
        self._chart: tuple[float, bytes | None] = (0.0, None)  # drawn from the tally read at that moment
        self._tally: tuple[float, datetime, Tally] | None = None  # the status page's, and its chart's
        self.replicas = Replicas(db, **(replica_options or {}))  # feed leases, the leader
        # poll state in memory, 304s written in batches; replicas read the rows each poll
        self.poll_states = None if self.replicas.shared else PollStates(db)
        self._feed_index: dict[str, FeedConfig] = {}
        self._feed_index_of: list[FeedConfig] | None = None
        self.stop_event = asyncio.Event()
        self.reload_asked = threading.Event()  # a SIGHUP before _install_signals
        self._reloads: set[asyncio.Task[bool]] = set()  # started by SIGHUP or the watcher
        self._step_tasks: set[asyncio.Task[None]] = set()  # a clock step's moves in the database
        self._reload_lock = asyncio.Lock()  # one reload at a time, in the order asked
        self.scheduler: SteadyScheduler | None = None
        self.feed_scheduler: FeedScheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.exit_after_stop: float | None = None  # `monitor run`: the process ends this long after a stop
        self._config_seen = file_state(runtime.config_path)
        self._config_changing = self._config_seen  # the file's state at the watcher's last look
        self._scheduler_options = scheduler_options or {}
        if config.settings.startup_spread is not None:
            self._scheduler_options.setdefault("spread", config.settings.startup_spread)

    def config_read_from(self, state: FileState) -> None:
        """The file's state when `config` was read: the watcher's first look compares with it,
        so a write that ended while the service started (a minute with a backlog) is applied.
        Before, the state was taken here, after the write: the finished file was never read."""
        self._config_seen = self._config_changing = state

    # -- one feed -----------------------------------------------------------------

    async def poll(self, name: str) -> PollResult:
        """Fetch, store, classify and queue one feed; never raises for a feed's problem."""
        feed = self._feed(name)
        if feed is None:
            raise LookupError(f"feed {name!r} is not in the config")
        result = await poll_feed(feed, self.config.settings, self.fetcher, self.db,
                                 states=self.poll_states)
        self._count_poll(result)
        await self._after_poll(name, stored=bool(result.stored))
        return result

    async def _after_poll(self, name: str, *, stored: bool) -> None:
        """Classify what the poll stored, unless the start-up round still waits for other
        feeds (monitor/first_round.py); the poll that ends the round classifies it all."""
        state = self.first_round.polled(name)
        if state is Poll.WAITING:
            return
        if state is Poll.CLOSED:
            log.info("start-up round: every feed polled; classifying the backlog")
        # alerts are queued only by new items: a 304 leaves the worker be, unless items a
        # refused classification left behind wait
        if stored or state is Poll.CLOSED or self._classify_again:
            await self.classify_pending()
            self.worker.wake()

    async def _end_first_round(self) -> None:
        """The start-up round's deadline: classify the backlog of the feeds that answered."""
        if self.first_round.release():
            log.info("start-up round: ended before every feed was polled (deadline, or a poll that failed); classifying the backlog")
            await self.classify_pending()
            self.worker.wake()

    def _feed(self, name: str) -> FeedConfig | None:
        """The feed's config by name, from an index rebuilt when the config's feed list
        changes (AppConfig.feed scans the list: at 10,000 feeds, twice per poll)."""
        feeds = self.config.feeds
        if self._feed_index_of is not feeds:
            self._feed_index = {f.name: f for f in feeds}
            self._feed_index_of = feeds
        return self._feed_index.get(name)

    async def classify_pending(self) -> None:
        """Classify stored items and queue their alerts in a worker thread (CPU-bound), then
        fold alerts over a feed's hourly limit."""
        async with self._classify_lock:
            try:
                processed = await asyncio.to_thread(self.pipeline.process_pending)
                await asyncio.to_thread(self.fold_held)
            except OperationalError as exc:  # a lock held past the busy timeout, a full disk
                self._classify_again = True
                log.warning("classification stopped: %s; the items stored wait for the next poll",
                            refusal(exc))
                return
            self._classify_again = False
        for topic, n in processed.topics.items():
            self.metrics.matches.labels(topic).inc(n)
        self.metrics.alerts_queued.inc(processed.alerts)
        self.metrics.items_failed.inc(processed.failed)
        self.items_failed += processed.failed

    def fold_held(self) -> int:
        """Fold the alerts held over max_alerts_per_hour into one message per channel and
        feed (alerts/feed_limits.py); returns how many fold messages were queued."""
        with self.db.session() as session:
            folds = fold_held(session, self.config, now=datetime.now(UTC))
        if folds:
            log.warning(
                "alerts over max_alerts_per_hour folded: %s",
                ", ".join(f"{f.payload['folded']} from {f.payload['feed']} in {f.channel}" for f in folds),
            )
        return len(folds)

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

    def _count_delivery(self, channel: str, outcome: str) -> None:
        counter = {
            "sent": self.metrics.alerts_sent, "failed": self.metrics.alerts_failed,
            "retried": self.metrics.alerts_retried,
        }.get(outcome)
        if counter is not None:
            counter.labels(channel).inc()
        self.metrics.bot_api_outage.set(1 if self.worker.health.in_outage else 0)

    def _count_poll(self, result: PollResult) -> None:
        if self._feed(result.feed) is None:  # removed by a reload while it was polled
            return
        m = self.metrics
        m.polls.labels(result.feed, result.status).inc()
        m.poll_seconds.labels(result.feed).observe(result.duration)
        if result.status != "error":
            m.last_success.set(time.time())
        elif not result.database_refused:  # the feed's failure; a refused write is the database's
            m.poll_failures.labels(result.feed).inc()
        if result.stored:
            m.items.labels(result.feed).inc(result.stored)

    async def _scheduled_poll(self, name: str) -> PollResult:
        """A scheduled poll: under the feed's lease when replicas share the database
        (monitor/replicas.py); a feed another replica holds is tried again when its lease ends."""
        feed = self._feed(name)
        if feed is None or not self.replicas.shared or self.feed_scheduler is None:
            return await self.poll(name)
        hold = feed.interval + self.replicas.poll_margin
        try:
            busy_until = await asyncio.to_thread(self.replicas.claim_feed, name, hold)
        except OperationalError as exc:  # whether another replica polls it is not known: not polled
            return await self._lease_refused(feed, exc)
        if busy_until is not None:  # another replica polls it: not this one's round
            await self._after_poll(name, stored=False)
            return PollResult(feed=name, status="unchanged", next_poll_at=busy_until)
        result = await self.poll(name)
        fs = self.feed_scheduler
        jitter = min(feed.interval * fs.jitter, fs.max_jitter)
        until = max(result.next_poll_at, datetime.now(UTC)) + jitter + self.replicas.poll_margin
        try:
            await asyncio.to_thread(self.replicas.keep_feed, name, until)
        except OperationalError as exc:  # the lease taken before the poll ends a little sooner
            log.warning("lease on %s not renewed after its poll: %s", name, refusal(exc))
        return result

    async def _lease_refused(self, feed: FeedConfig, exc: OperationalError) -> PollResult:
        """A poll not run: the database refused the feed's lease (a lock another connection
        holds, a server restart). Tried again after the feed's interval, as a refused poll."""
        wait = min(feed.interval, CONFLICT_NEXT_POLL) if conflict(exc) else feed.interval  # a transient abort
        log.warning("poll of %s not run: the lease on the feed: %s; tried again in %s",
                    feed.name, refusal(exc), format_duration(wait))
        await self._after_poll(feed.name, stored=False)
        now = datetime.now(UTC)
        return PollResult(feed=feed.name, status="error", error=f"database: {refusal(exc)}", polled_at=now,
                          next_poll_at=now + wait, database_refused=True)

    async def _admin_when_leading(self) -> None:
        """The admin chat's getUpdates on the leader only: started when this replica takes
        the lead, stopped when it loses it (two pollers would get 409 from Telegram)."""
        while not self.stop_event.is_set():
            if not self.replicas.leading:
                await _wait(self.stop_event, 1.0)
                continue
            term = asyncio.Event()

            async def watch(term: asyncio.Event = term) -> None:
                while self.replicas.leading and not self.stop_event.is_set():
                    await _wait(self.stop_event, 1.0)
                term.set()

            watcher = asyncio.create_task(watch())
            try:
                await self.admin.run(term)
            finally:
                watcher.cancel()
            if self.admin.sender is None:  # no bot token: nothing to answer, ever
                return

    # -- one pass -------------------------------------------------------------------

    async def poll_once(self, only: list[str] | None = None) -> list[PollResult]:
        """Poll every enabled feed once (`only`: those named), then close the first round.

        A feed paused from the admin chat is left out unless `only` names it: `/pause` stops
        polling, and a one-off pass on the same database should not undo that unasked."""
        paused = set() if only else self._paused_feeds()
        self.skipped_paused = sorted(f.name for f in self.config.enabled_feeds if f.name in paused)
        feeds = [f for f in self.config.enabled_feeds
                 if (not only or f.name in only) and f.name not in paused]
        progress = Progress(len(feeds), sys.stderr)
        results: list[PollResult] = []
        self.first_round.start(f.name for f in feeds)  # one pass: classified once, at its end

        async def one(name: str) -> None:
            result = await self.poll(name)
            results.append(result)
            progress.advance(result.feed)

        try:
            await asyncio.gather(*(one(f.name) for f in feeds))
        finally:
            await self._end_first_round()  # a poll that raised never closed the round
        progress.done()
        order = {f.name: i for i, f in enumerate(feeds)}
        return sorted(results, key=lambda r: order.get(r.feed, 0))

    # -- the long run ---------------------------------------------------------------

    async def run(self) -> int:
        if not await self._sync_at_start():
            await self.close()
            log.info("stopped")
            return 0
        self.log_startup(tune_collector())  # a long run with a large heap (monitor/heap.py)
        await self.drop_marks_ahead()  # a clock set back while stopped
        await self.classify_pending()  # items stored just before a crash or stop
        self._loop = asyncio.get_running_loop()
        self.scheduler = SteadyScheduler(timezone=UTC)
        self.feed_scheduler = FeedScheduler(
            self.scheduler, self._scheduled_poll, self.config.settings, **self._scheduler_options
        )
        self.scheduler.on_step.append(self.feed_scheduler.follow_step)
        self.scheduler.on_step.append(self._follow_step)
        self.feed_scheduler.paused = self._paused_feeds()
        self.feed_scheduler.sync(self.config.enabled_feeds, self._next_polls())
        self._hold_first_round()
        self._schedule_housekeeping()
        self._schedule_digests()
        self.scheduler.start()
        await self.worker.start()
        worker_task = asyncio.create_task(self.worker.run(self.stop_event), name="delivery")
        admin_task = asyncio.create_task(self._admin_when_leading(), name="admin chat")
        lead_task = asyncio.create_task(self.replicas.lead(self.stop_event), name="leader lease")
        states_task = None if self.poll_states is None else asyncio.create_task(
            self.poll_states.run(self.stop_event), name="poll-states")
        health = self._start_health()
        self._install_signals()
        try:
            await self.stop_event.wait()
        finally:
            log.info("stopping: finishing in-flight work (at most %.0f s)", SHUTDOWN_GRACE)
            self.pipeline.stopping.set()  # a backlog's classification ends after its item
            self.scheduler.shutdown(wait=False)
            try:
                await asyncio.wait_for(
                    asyncio.gather(worker_task, admin_task, lead_task), SHUTDOWN_GRACE
                )
            except TimeoutError:  # the tasks still running are cancelled: name them
                late = [t.get_name() for t in (worker_task, admin_task, lead_task) if t.cancelled()]
                log.warning("%s did not stop in time; unsent alerts stay queued",
                            " and ".join(late) or "delivery")
            await asyncio.to_thread(self.replicas.step_down)
            if states_task is not None:
                await states_task  # writes the last 304s
            await self.close()
            if health:
                health.stop()
        log.info("stopped")
        return 0

    async def _sync_at_start(self) -> bool:
        """Write feeds.yaml's feeds and channels (in a worker thread) before anything runs. A
        lock another process holds is waited for, a warning at each refusal (an exit would
        only have systemd start the service again into the same lock); False when a stop came
        first."""
        while True:
            try:
                await asyncio.to_thread(sync_config, self.config, self.db)
                return True
            except OperationalError as exc:
                if not locked(exc):  # a full disk, a read-only file: the operator's to fix
                    raise
                log.warning("start-up: the feeds and channels of feeds.yaml not written yet: %s; "
                            "waiting for it (nothing is polled or sent meanwhile)", refusal(exc))
            await _wait(self.stop_event, START_RETRY_EVERY)
            if self.stop_event.is_set():
                return False

    def _hold_first_round(self) -> None:
        """Hold classification for the start-up round, when a backlog is likely: a first
        start, or a stop longer than the longest feed interval (a quick restart's first
        polls bring what one poll would have: no hold, no delay)."""
        assert self.scheduler is not None and self.feed_scheduler is not None
        fs = self.feed_scheduler
        now = datetime.now(UTC)
        with self.db.session() as session:
            last = last_successful_poll(session)
        longest = max((f.interval for f in self.config.enabled_feeds), default=None)
        if last is not None and longest is not None and now - last < longest:
            return
        due = {name: at for name, at in fs.due.items() if name not in fs.paused}
        deadline = self.first_round.start_scheduled(due, now)
        if deadline is not None:
            self.scheduler.add_job(self._end_first_round, "date", run_date=deadline, id="first-round")
            log.info("start-up round: %d feeds polled before classifying, at the latest by %s",
                     len(self.first_round.waiting or ()), deadline.isoformat(timespec="seconds"))

    # -- operator controls (alerts.admin.AdminControls) ---------------------------------

    def pause(self, name: str) -> bool:
        """Stop polling a feed until resumed; the pause survives restarts (Feed.paused)."""
        return self._set_paused(name, True)

    def resume(self, name: str) -> bool:
        return self._set_paused(name, False)

    def _set_paused(self, name: str, paused: bool) -> bool:
        """Store the pause, then tell the scheduler on the event loop (the admin chat calls
        this from a worker thread, so that a locked database holds no poll)."""
        if self.config.feed(name) is None:
            return False
        with self.db.session() as session:
            feed = feed_named(session, name)
            if feed is not None:
                feed.paused = paused
        if self.feed_scheduler is not None:
            self._on_loop((self.feed_scheduler.pause if paused else self.feed_scheduler.resume), name)
        log.info("%s %s by the operator", name, "paused" if paused else "resumed")
        return True

    def _on_loop(self, call: Callable[[str], object], arg: str) -> None:
        """`call(arg)` now when on the service's event loop, else queued to it."""
        loop = self._loop
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if loop is None or here is loop:
            call(arg)
        else:
            loop.call_soon_threadsafe(call, arg)

    def wake_delivery(self) -> None:
        self.worker.wake()

    def request_stop(self) -> None:
        if not self.stop_event.is_set() and self.exit_after_stop is not None:
            _exit_after(self.exit_after_stop)
        self.stop_event.set()

    async def close(self) -> None:
        if self.poll_states is not None:  # the last 304s (poll-once has no writer task)
            await self.poll_states.write_last()
        await self.admin.close()
        await self.tally_posts.close()
        await self.worker.close()
        await self.fetcher.aclose()
        for task, retired in list(self._retired_fetchers.items()):
            task.cancel()
            await retired.aclose()  # the fetchers a reload replaced

    def log_startup(self, collector: tuple[int, int, int]) -> None:
        c = self.config
        delivery = f"Telegram at {self.runtime.telegram_api_url}" if self.runtime.has_telegram else "console (no bot token)"
        if self.runtime.has_telegram and self.runtime.telegram_proxy:
            delivery += f" through the proxy {hide_password(self.runtime.telegram_proxy)}"
        log.info(
            "starting: %d feeds (%d enabled), topics %s, %d channels, database %s, delivery %s, gc thresholds %s",
            len(c.feeds), len(c.enabled_feeds), ", ".join(c.topics), len(c.channels), self.db.url, delivery,
            "/".join(map(str, collector)),
        )
        log_cautions(c)
        if named := [v for v in PROXY_VARIABLES if os.environ.get(v) or os.environ.get(v.lower())]:
            log.info("%s set: feeds and articles are fetched directly all the same (a proxy would "
                     "resolve names where the outbound policy cannot check them)", "/".join(named))

    def _paused_feeds(self) -> set[str]:
        with self.db.session() as session:
            return paused_feed_names(session)

    def _next_polls(self) -> dict[str, datetime | None]:
        with self.db.session() as session:
            return feed_next_polls(session, datetime.now(UTC))

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

    def _schedule_housekeeping(self) -> None:
        assert self.scheduler is not None
        self.scheduler.add_job(self._beat, IntervalTrigger(seconds=HEARTBEAT_EVERY), id="heartbeat")
        self.scheduler.add_job(
            self.retention, IntervalTrigger(hours=6), id="retention", next_run_time=datetime.now(UTC),
            coalesce=True, max_instances=1,
        )
        self.scheduler.add_job(
            self._watch_config, IntervalTrigger(seconds=CONFIG_WATCH_EVERY), id="config-watch",
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
            queued = await asyncio.to_thread(self._enqueue_digest, channel, datetime.now(UTC))
        except OperationalError as exc:  # missed_digests queues it once the database takes it
            log.warning("digest of %s not queued: %s", channel, refusal(exc))
            return
        if queued:
            self.worker.wake()

    def _enqueue_digest(self, channel: str, now: datetime) -> int:
        with self.db.session() as session:
            return len(enqueue_scheduled_digest(session, self.config, channel, now=now))

    async def missed_digests(self) -> None:
        """The leader queues the roundups whose time passed while no replica ran (a restart,
        the host asleep): the digest CronTriggers fire only while the service runs."""
        if not self.replicas.leading:
            return
        try:
            queued = await asyncio.to_thread(self._enqueue_missed_digests, datetime.now(UTC))
        except Exception as exc:  # a database hiccup: the next tick tries again
            secrets = (self.runtime.bot_token,) if self.runtime.bot_token else ()
            log.warning("missed digests: %s", redact(f"{type(exc).__name__}: {exc}", secrets))
            return
        if queued:
            self.worker.wake()

    def _enqueue_missed_digests(self, now: datetime) -> int:
        with self.db.session() as session:
            if self._digests_before:  # once, at the first tick: the roundups of a restored database
                for name in restore_digest_times(session, self._digests_before, now):
                    log.warning("digest of %s: the database is older than its last roundup (%s, in %s): "
                                "a restored backup; that roundup is not queued again", name,
                                self._digests_before[name].strftime("%Y-%m-%d %H:%M UTC"),
                                marks_path(self.db.marks_base))
                self._digests_before = {}
            return len(enqueue_missed_digests(session, self.config, now=now))

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
        process holds, would stop the event loop (the polls) meanwhile."""
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
        with self.db.session() as session:
            return prune_unmatched_items(session, cutoff)

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

    # -- hot reload -------------------------------------------------------------------

    async def _watch_config(self) -> None:
        if self._reloads:  # one waits for the database: the next tick looks again
            return
        seen = file_state(self.runtime.config_path)
        if seen == self._config_seen:
            return
        if seen != self._config_changing:  # perhaps half written: applied if the next look finds it the same
            self._config_changing = seen
            return
        self._config_seen = seen
        self._reload_soon()

    def _reload_soon(self) -> None:
        """A reload in a task of its own (the watcher's tick, SIGHUP): its rows are written in a
        worker thread, which may wait for a lock another process holds (the busy timeout)."""
        task = asyncio.get_running_loop().create_task(self.reload(), name="reload")
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def reload(self) -> bool:
        """Apply a changed feeds.yaml; an invalid file is logged and the old config stays."""
        async with self._reload_lock:
            try:
                new = load_config(self.runtime.config_path)
            except ConfigError as exc:
                for line in exc.render().splitlines():
                    log.error("config reload rejected: %s", line.strip())
                log.error("keeping the last valid config")
                return False
            missing = _sections_missing(self.config, new)
            if missing:
                log.error("config reload rejected: %s has no %s (the running config has %s): a file still "
                          "being written? To remove them all, write %s",
                          Path(self.runtime.config_path).name, " and no ".join(f"'{k}' section" for k in missing),
                          " and ".join(f"{len(getattr(self.config, k))} {k}" for k in missing),
                          " and ".join(f"'{k}: []'" for k in missing))
                log.error("keeping the last valid config")
                return False
            try:  # the rows first: a failure here leaves the old config whole, not half applied
                await asyncio.to_thread(sync_config, new, self.db)
            except (SQLAlchemyError, DatabaseError) as exc:
                reason = refusal(exc) if isinstance(exc, OperationalError) else redact(
                    str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                log.error("config reload failed: %s; keeping the last config, trying again shortly", reason)
                self._config_seen = None  # the watcher's next tick tries the same file again
                return False
            if self.stop_event.is_set():  # stopping while it waited: the next start reads the file
                return False
            self._apply(new)
            return True

    def _apply(self, new: AppConfig) -> None:
        """Run on `new`, whose rows are written."""
        old = self.config
        self.config = new
        if self.poll_states is not None:
            self.poll_states.clear()  # a changed URL reset its validators on the row
        self.pipeline.update_config(new)
        self.worker.update_config(new)
        self.worker.stale_after = new.settings.delivery_lease  # the next claims use the new lease
        self.admin.update_config(new)
        self.tally_posts.update_config(new)
        # the status page's tally and chart were read with the old topics, packs and timezone:
        # kept, the page showed them as current for up to 10 minutes after the reload
        self._tally = None
        self._apply_fetcher_settings(old.settings, new.settings)
        if self.feed_scheduler is not None:
            self.feed_scheduler.settings = new.settings
            self.feed_scheduler.paused = self._paused_feeds()  # a renamed feed keeps its row's pause
            self.feed_scheduler.sync(new.enabled_feeds, self._next_polls())
            self._schedule_digests()
        added = {f.name for f in new.feeds} - {f.name for f in old.feeds}
        removed = {f.name for f in old.feeds} - {f.name for f in new.feeds}
        self.fetcher.trust_only([f.url for f in new.feeds])
        for name in removed:
            self.metrics.forget_feed(name)
        log.info(
            "config reloaded: %s (feeds added: %s; removed: %s)",
            new.summary(), ", ".join(sorted(added)) or "none", ", ".join(sorted(removed)) or "none",
        )
        log_cautions(new)

    def _apply_fetcher_settings(self, old: Settings, new: Settings) -> None:
        """Rebuild the HTTP client when one of its settings changed (polls in flight finish on
        the old one, closed after its deadline); name the settings that need a restart."""
        changed = [k for k in FETCHER_SETTINGS if getattr(old, k) != getattr(new, k)]
        if changed:
            retired, self.fetcher = self.fetcher, Fetcher(new)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
            if loop is not None:
                task = loop.create_task(_close_later(retired, retired.deadline + 1))
                self._retired_fetchers[task] = retired
                task.add_done_callback(lambda t: self._retired_fetchers.pop(t, None))
            log.info("fetcher rebuilt for the new %s", ", ".join(changed))
        restart = [k for k in RESTART_SETTINGS if getattr(old, k) != getattr(new, k)]
        if restart:
            log.warning("config reloaded, but %s take%s effect only after a restart",
                        ", ".join(f"settings.{k}" for k in restart), "s" if len(restart) == 1 else "")

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        if hasattr(signal, "SIGHUP"):
            loop.add_signal_handler(signal.SIGHUP, self._reload_soon)
            if self.reload_asked.is_set():  # a SIGHUP while starting (monitor.cli.cmd_run)
                self._reload_soon()

    # -- health -----------------------------------------------------------------------

    def _start_health(self) -> HealthServer | None:
        try:
            server = HealthServer(self.config.settings.http_listen, self.metrics, self.health,
                                  page=self.status_page, chart=self.tally_chart)
        except OSError as exc:
            log.error("%s", listen_failure(self.config.settings.http_listen, exc))
            return None
        log.info("health and metrics on %s/healthz and /metrics", server.address)
        return server.start()

    def status_page(self) -> str:
        """The HTML status page at `/` (read in the health listener's thread)."""
        from monitor.status_page import render_status_page

        return render_status_page(self.db, self.config, now=datetime.now(UTC), telegram=self.worker.health.status(),
                                  tally=self.page_tally())

    def page_tally(self, *, fresh: bool = False) -> tuple[datetime, Tally]:
        """The tally the status page and its chart show, read at most once every 10 minutes
        (`fresh`: now): a year's tally takes seconds, and the page reloads every minute in each
        open tab (before, each reload read it: 2.4-4 s on bench/year_db.py's year)."""
        from alerts.tally.figures import load_tally

        if fresh or self._tally is None or time.monotonic() - self._tally[0] > CHART_EVERY:
            with self.db.session() as session:
                self._tally = (time.monotonic(), datetime.now(UTC), load_tally(session, self.config))
        return self._tally[1], self._tally[2]

    def tally_chart(self) -> bytes | None:
        """The tally chart for the status page, drawn at most once every 10 minutes."""
        from alerts.tally.chart import render_png

        drawn_for, png = self._chart
        _, tally = self.page_tally(fresh=png is None)
        read = self._tally[0] if self._tally else 0.0
        if read != drawn_for:  # drawn again only from a tally read again
            png = render_png(tally) if tally.figures else None
            self._chart = (read, png)
        return png

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"time": datetime.now(UTC).isoformat()}
        beat_age = time.monotonic() - self.heartbeat
        alive = bool(self.scheduler and self.scheduler.running) and beat_age < 6 * HEARTBEAT_EVERY
        report["scheduler"] = {"alive": alive, "heartbeat_age_s": round(beat_age, 1)}
        try:
            with self.db.session() as session:
                ping(session)
                depth = queue_depth(session, {c.name for c in self.config.channels})
                last = last_successful_poll(session)
            report["database"] = {"reachable": True}
            problem = self._database_file()
            if problem is not None:
                report["database"]["file"] = problem
            refused = self.db.write_refused  # reads answer, writes do not: nothing is stored or sent
            if refused is not None:
                report["database"].update(writable=False, error=refused.reason,
                                          refused_since=refused.since.isoformat())
            report["queue_depth"] = depth.queued
            report["alerts_held"] = {"disabled": depth.disabled, "removed": depth.removed}
            report["last_successful_poll_age_s"] = (
                round((datetime.now(UTC) - last).total_seconds(), 1) if last else None
            )
            self.metrics.queue_depth.set(depth.queued)
            self.metrics.alerts_held.labels(reason="disabled").set(depth.disabled)
            self.metrics.alerts_held.labels(reason="removed").set(depth.removed)
            if last is not None:  # a new process, or a replica polling none: the stored one, not 0
                self.metrics.last_success.set(last.timestamp())
        except Exception as exc:
            report["database"] = {"reachable": False, "error": str(exc).splitlines()[0]}
        offset = self.fetcher.server_clocks.offset()
        report["clock_offset_s"] = None if offset is None else round(offset, 1)  # ahead of the feeds' servers
        report["replica"] = self.replicas.status()  # "leader": whether this replica leads
        report["model"] = self.pipeline.model_load.status  # "rules only" when missing or corrupt
        report["telegram"] = self.worker.health.status()  # an outage does not make the service unhealthy
        database = report["database"]
        healthy = database["reachable"] and database.get("writable", True) and "file" not in database
        report["status"] = "ok" if alive and healthy else "unhealthy"
        return report


class Progress:
    """A one-line progress bar on a terminal; silent when stderr is not a TTY."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done_count, self.stream = total, 0, stream
        self.enabled = stream.isatty() and total > 0

    def advance(self, label: str) -> None:
        self.done_count += 1
        if self.enabled:
            width = 30
            filled = width * self.done_count // self.total
            bar = "█" * filled + "░" * (width - filled)
            self.stream.write(f"\r{bar} {self.done_count}/{self.total} {label[:30]:<30}")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()


def _exit_after(limit: float) -> None:
    """End the process `limit` seconds from now unless it has ended by then. A statement in
    flight on a PostgreSQL server that stopped answering (its host frozen) waits without end in
    its worker thread, and the interpreter waits for those threads at exit: a SIGTERM never
    ended `monitor run`. What such a statement had not committed is not stored: the poll runs
    again after the next start, an alert sent but not recorded is reclaimed after
    `delivery_lease` (and logged as such by the delivery worker)."""
    def overdue() -> None:
        log.warning("stop: the database did not answer within %.0f s of the stop; exiting without "
                    "waiting for it (what it had not written is done again after the next start)", limit)
        for handler in logging.getLogger().handlers:
            with contextlib.suppress(Exception):
                handler.flush()
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0)

    timer = threading.Timer(limit, overdue)
    timer.daemon = True  # a stop that ends in time does not wait for it
    timer.name = "stop-limit"
    timer.start()


async def _close_later(fetcher: Fetcher, seconds: float) -> None:
    """Close a fetcher replaced by a reload once the fetches it started had time to end."""
    try:
        await asyncio.sleep(seconds)
    finally:
        await fetcher.aclose()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def _sections_missing(old: AppConfig, new: AppConfig) -> list[str]:
    """The sections, `feeds` and `channels`, that the running config has and the new file
    lacks: a file read while an editor writes it (truncated, then written) ends before them,
    and applied it removed every feed and channel; the items classified meanwhile were
    alerted to no channel."""
    return [key for key in ("feeds", "channels") if getattr(old, key) and key not in new.model_fields_set]


# -- the two commands -------------------------------------------------------------------


def poll_once(
    config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool = False,
    only: list[str] | None = None, out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    unknown = [n for n in only or [] if config.feed(n) is None]
    if unknown:
        print(f"error: no such feed: {', '.join(unknown)}", file=sys.stderr)
        return 2
    return asyncio.run(_poll_once(config, runtime, db, dry_run=dry_run, only=only, out=out))


async def _poll_once(
    config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool, only: list[str] | None,
    out: TextIO,
) -> int:
    sync_config(config, db)
    service = Service(config, runtime, db, out=out, dry_run=dry_run)
    try:
        await service.drop_marks_ahead()  # a clock set back since the last run
        await service.classify_pending()
        results = await service.poll_once(only)
        for result in results:
            print(result.summary_line(), file=out)
        for name in service.skipped_paused:
            print(f"{name}: paused from the admin chat, not polled (/resume {name}, "
                  f"or name it: --feed {name})", file=out)
        service.check_server_clocks()
        failed = sum(r.status == "error" for r in results)
        new = sum(len(r.new_item_ids) for r in results)
        await service.worker.start()
        stats = await service.worker.deliver_pending()
        print(
            f"{len(results)} feeds polled, {failed} failed, {new} new items; alerts: {stats}",
            file=out,
        )
        if service.items_failed:
            print(f"{service.items_failed} items could not be processed: left pending for the next "
                  "run (the log has each one's error)", file=out)
    finally:
        await service.close()
    return 0


def run_service(config: AppConfig, runtime: Runtime, db: Database, *, config_state: FileState,
                reload_asked: threading.Event | None = None) -> int:
    """`monitor run`; `reload_asked` is set by a SIGHUP received while starting, `config_state`
    is the state of the file `config` was read from (monitor.start_config.read_settled)."""
    async def main() -> int:
        service = Service(config, runtime, db)
        service.config_read_from(config_state)
        service.exit_after_stop = STOP_LIMIT
        if reload_asked is not None:
            service.reload_asked = reload_asked
        return await service.run()

    return asyncio.run(main())
