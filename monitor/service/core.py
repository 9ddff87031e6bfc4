"""The service: `Service` wires the stages together and runs them until a stop.

The scheduler calls `poll()` for a feed, which fetches and stores new items (monitor.ingest),
classifies them and queues their alerts (monitor.pipeline); the delivery worker (alerts) sends
what is queued. Everything that must survive a crash is in the database. The service's other
concerns are its parts, each a class in its own module (monitor/service/__init__.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy.exc import OperationalError

from alerts.admin import AdminBot
from core.config import AppConfig, Runtime, console_fallback
from core.proxy import PROXY_VARIABLES, hide_password
from core.restore_marks import flush_feed_marks
from monitor.heap import limit_arenas, tune_collector
from monitor.scheduler import FeedScheduler, SteadyScheduler
from monitor.service.config_rows import sync_config
from monitor.service.controls import OperatorControls
from monitor.service.reload import ConfigReload, log_cautions
from monitor.service.views import StatusViews
from storage.db import Database, locked, refusal
from storage.feeds import last_successful_poll

log = logging.getLogger("monitor.service")  # the service's one logger, as before the split

SHUTDOWN_GRACE = 8.0  # seconds the delivery, admin chat and leader tasks get to end at a stop
# seconds from a stop to the process's exit, whatever the database does (systemd kills at 15)
STOP_LIMIT = 12.0
START_RETRY_EVERY = 1.0  # seconds between a start-up's writes the lock refused (each waited 10 s)


class Service(ConfigReload, StatusViews, OperatorControls):
    """The running service: its parts built, run until a stop, then closed."""


    def __init__(
        self, config: AppConfig, runtime: Runtime, db: Database, *, out: TextIO | None = None,
        dry_run: bool = False, scheduler_options: dict[str, Any] | None = None,
        replica_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(config, runtime, db, out=out, dry_run=dry_run,
                         scheduler_options=scheduler_options, replica_options=replica_options)
        self.admin = AdminBot(config, runtime, db, self, watched=self.pipeline.watched, story_lock=self._classify_lock)
        self.admin.model_problem = self.pipeline.model_load.problem  # told once in the chat

    async def run(self) -> int:
        arenas = limit_arenas()  # before the threads that allocate start (monitor/heap.py)
        if not await self._sync_at_start():
            await self.close()
            log.info("stopped")
            return 0
        self.log_startup(tune_collector(), arenas)  # a long run with a large heap (monitor/heap.py)
        await self.drop_marks_ahead()  # a clock set back while stopped
        await self.classify_pending()  # items stored just before a crash or stop
        self._loop = asyncio.get_running_loop()
        scheduler = self._start_scheduler()
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
            scheduler.shutdown(wait=False)
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

    def _start_scheduler(self) -> SteadyScheduler:
        """One job per enabled feed (the paused held, the start-up round's hold), the
        housekeeping, the config watcher and the digests, on a scheduler that follows steps of
        the wall clock (monitor/scheduler.py)."""
        self.scheduler = scheduler = SteadyScheduler(timezone=UTC)
        self.feed_scheduler = FeedScheduler(
            scheduler, self._scheduled_poll, self.config.settings, **self._scheduler_options
        )
        scheduler.on_step.append(self.feed_scheduler.follow_step)
        scheduler.on_step.append(self._follow_step)
        self.feed_scheduler.paused = self._paused_feeds()
        self.feed_scheduler.sync(self.config.enabled_feeds, self._next_polls())
        self._hold_first_round()
        self._schedule_housekeeping()
        self._schedule_config_watch()
        self._schedule_digests()
        scheduler.start()
        return scheduler

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

    def request_stop(self) -> None:
        if not self.stop_event.is_set() and self.exit_after_stop is not None:
            _exit_after(self.exit_after_stop)
        self.stop_event.set()

    async def close(self) -> None:
        if self.poll_states is not None:  # the last 304s (poll-once has no writer task)
            await self.poll_states.write_last()
        await asyncio.to_thread(flush_feed_marks)  # the last second's polls' restore marks
        await self.admin.close()
        await self.tally_posts.close()
        await self.worker.close()
        await self.fetcher.aclose()
        for task, retired in list(self._retired_fetchers.items()):
            task.cancel()
            await retired.aclose()  # the fetchers a reload replaced

    def log_startup(self, collector: tuple[int, int, int], arenas: str) -> None:
        c = self.config
        delivery = f"Telegram at {self.runtime.telegram_api_url}" if self.runtime.has_telegram else "console (no bot token)"
        if self.runtime.has_telegram and self.runtime.telegram_proxy:
            delivery += f" through the proxy {hide_password(self.runtime.telegram_proxy)}"
        log.info(
            "starting: %d feeds (%d enabled), topics %s, %d channels, database %s, delivery %s, gc thresholds %s, "
            "malloc arenas %s",
            len(c.feeds), len(c.enabled_feeds), ", ".join(c.topics), len(c.channels), self.db.url, delivery,
            "/".join(map(str, collector)), arenas,
        )
        log_cautions(c)
        if fallback := console_fallback(c, self.runtime):
            log.warning("%s", fallback)
        if named := [v for v in PROXY_VARIABLES if os.environ.get(v) or os.environ.get(v.lower())]:
            log.info("%s set: feeds and articles are fetched directly all the same (a proxy would "
                     "resolve names where the outbound policy cannot check them)", "/".join(named))

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        if hasattr(signal, "SIGHUP"):
            loop.add_signal_handler(signal.SIGHUP, self._reload_soon)
            if self.reload_asked.is_set():  # a SIGHUP while starting (monitor.cli.cmd_run)
                self._reload_soon()

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


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
