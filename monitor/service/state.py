"""What the service holds: its parts, built once (`Service` adds the operator chat, which
calls its controls), and the state its other parts share."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from datetime import datetime
from typing import Any, TextIO

from alerts.admin import AdminBot
from alerts.delivery import DeliveryWorker
from alerts.digest import digests_sent
from alerts.tally.figures import Tally
from alerts.tally.posts import TallyPosts
from core.config import AppConfig, FeedConfig, Runtime
from monitor.fetch import Fetcher
from monitor.first_round import FirstRound
from monitor.ingest.poll_states import PollStates
from monitor.metrics import Metrics
from monitor.pipeline import Pipeline
from monitor.replicas import Replicas
from monitor.scheduler import FeedScheduler, SteadyScheduler
from monitor.start_config import FileState, file_state
from storage.db import Database, FeedRefusals


class ServiceState:
    """The parts and the shared state of the service; the classes of the other modules add
    what it does with them."""

    admin: AdminBot  # the operator chat: built by Service, whose controls it calls

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
        self.metrics.add_channels(c.name for c in config.channels)
        self.pipeline = Pipeline(config, db)
        self.fetcher = Fetcher(config.settings)
        self._retired_fetchers: dict[asyncio.Task[None], Fetcher] = {}  # replaced by a reload, closing
        self._classify_lock = asyncio.Lock()  # also held by the admin chat's /split, /merge and /wrong
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
        self._lease_refusals = FeedRefusals()  # feed leases the database refused, logged once a minute
        self._renewal_refusals = FeedRefusals()  # and their renewals after the poll
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

    def _count_delivery(self, channel: str, outcome: str) -> None:
        counter = {
            "sent": self.metrics.alerts_sent, "failed": self.metrics.alerts_failed,
            "retried": self.metrics.alerts_retried,
        }.get(outcome)
        # not for a channel a reload removed while this send was on its way (its series are gone)
        if counter is not None and self.config.channel(channel) is not None:
            counter.labels(channel).inc()
        self.metrics.bot_api_outage.set(1 if self.worker.health.in_outage else 0)
