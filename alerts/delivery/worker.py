"""The delivery worker: its lifecycle, the loop of rounds, and one claimed alert's way out.

Each other concern is a mixin of its own module: `heads` (which alerts a round sends),
`claims` (claiming one; the chat's rate window replicas share), `send` (one send to Telegram
and what its answer makes of it), `edits` (edits and replies), `backoff` (retries, outages of
the Bot API and of the database, steps of the clock), `record` (a sent message recorded).
"""

from __future__ import annotations

import asyncio
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import TextIO

from sqlalchemy.exc import IntegrityError, OperationalError

from alerts import catch_up, digest
from alerts.api_health import ApiHealth
from alerts.console import print_alert
from alerts.delivery.backoff import BackOff
from alerts.delivery.claims import Claims
from alerts.delivery.edits import EditsAndReplies
from alerts.delivery.heads import Heads
from alerts.delivery.record import Record
from alerts.delivery.send import Sends
from alerts.delivery.shared import Claimed, DeliveryStats, Head, log, rate_key
from alerts.ratelimit import RateLimiter
from alerts.telegram import sender_for
from core.clock import Clock, SystemClock
from core.config import AppConfig, ChannelConfig, Runtime
from core.durations import format_duration
from core.logs import redact
from core.restore_marks import SentMark, load_sent, marks_path
from storage.alerts import claims_now, pending_alerts, sent_since, sync_channels
from storage.db import Database, RefusalLog, refusal


class DeliveryWorker(Heads, Claims, Sends, EditsAndReplies, BackOff, Record):
    """Sends the outbox. Use `async with DeliveryWorker(...)` or `start()`/`close()`.

    `rate_window` is the per-channel window in seconds (Telegram: 60; tests shrink it),
    `base_backoff`/`max_backoff` bound the exponential retry delay in seconds.
    """

    def __init__(
        self, config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool = False,
        out: TextIO = sys.stdout, clock: Clock | None = None, rate_window: float = 60.0,
        base_backoff: float = 2.0, max_backoff: float = 300.0, stale_after: float = 300.0,
        request_timeout: float = 15.0, poll_interval: float = 2.0,
        on_outcome: Callable[[str, str], None] | None = None,
    ) -> None:
        self.on_outcome = on_outcome
        self.config = config
        self.runtime = runtime
        self.db = db
        self.dry_run = dry_run
        self.out = out
        self.clock: Clock = clock or SystemClock()
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.stale_after = timedelta(seconds=stale_after)
        self.poll_interval = poll_interval
        s = config.settings
        self.limiter = RateLimiter(
            s.channel_rate_per_minute, s.global_rate_per_second, window=rate_window,
            clock=self.clock.monotonic, sleep=self.clock.sleep,
        )
        self.sender, self._secrets = sender_for(runtime, timeout=request_timeout)
        self.health = ApiHealth()
        self._started = False
        self._clamped = False
        self._printed: set[int] = set()  # dry run: printed once per process
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._synced = False
        self._answering_since: float | None = float("-inf")  # monotonic; None while refused
        self._stepped_at = float("-inf")  # monotonic: the wall clock's last step forward
        self._claims_now = self.clock.now()  # the claims' clock at the last read of the heads
        self._round_refusals = RefusalLog()
        self._marks = marks_path(db.marks_base)
        # alerts sent before this process started (core/restore_marks.py): one the database
        # holds as queued is a restored backup's, and is not sent again
        self.sent_before = {} if dry_run else load_sent(self._marks)
        # and those this process sent (the last SENT_HERE): one whose record a database error
        # other than a refusal undid (a pool's timeout) was claimed again and sent twice
        self.sent_here: OrderedDict[str, SentMark] = OrderedDict()

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self._sync_channels)
        if not self._clamped:  # once per process: what a clock set back while stopped left ahead
            self._clamped = True
            try:
                ahead = await asyncio.to_thread(self._clamp_ahead)
            except OperationalError as exc:
                log.warning("start: alerts stamped ahead of the clock not made due: %s",
                            redact(refusal(exc), self._secrets))
            else:
                if ahead:  # replicas queue by their own hosts' clocks: one ahead of this host's too
                    why = ("set back while stopped, or behind another replica's host"
                           if self.db.dialect == "postgresql" else "set back while stopped")
                    log.warning("start: %d alert(s) or claim(s) were stamped ahead of the clock (%s): due now",
                                ahead, why)
            try:  # the claims of the process before whose send the journal has: sent, no lease to wait
                await asyncio.to_thread(self._settle_journaled)
            except OperationalError as exc:
                log.warning("start: claims whose send the journal of sends has not marked sent: %s; "
                            "their leases end as usual", redact(refusal(exc), self._secrets))
        if self.sender:
            await self.sender.start()
            if not self._started:  # what an earlier process backed off, perhaps for an outage now over
                self._started = True
                try:
                    await asyncio.to_thread(self._seed_rate_window)
                    held = await self._retry_held()
                except OperationalError as exc:  # a lock another process holds: no reason to stop
                    log.warning("start: the sends of the last minute or the alerts held by an earlier "
                                "back-off not read: %s; delivery goes on without them",
                                redact(refusal(exc), self._secrets))
                    return
                if held:
                    log.info("start: %d alert(s) held by an earlier back-off retried now", held)

    def _seed_rate_window(self) -> None:
        """Count against each chat's budget the messages sent to it in the last window, by the
        process before this one too: a restart in the middle of a backlog began with an empty
        window and sent at once what Telegram then refused with 429s."""
        keys = {c.name: rate_key(c) for c in self.config.channels if not self._is_console(c)}
        mono = self.clock.monotonic()
        with self.db.session() as session:
            now = claims_now(session, self.clock.now())  # the clock sends are stamped by
            sent = sent_since(session, now - timedelta(seconds=self.limiter.window), now)
        times: dict[str, list[float]] = {}
        for channel, at in sent:
            if channel in keys:
                times.setdefault(keys[channel], []).append(mono - max(0.0, (now - at).total_seconds()))
        for chat, chat_times in times.items():
            self.limiter.seed(chat, chat_times)

    async def close(self) -> None:
        if self.sender:
            await self.sender.close()

    async def __aenter__(self) -> DeliveryWorker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def update_config(self, config: AppConfig) -> None:
        """Hot reload: new channels, filters and rates apply from the next round."""
        self.config = config
        s = config.settings
        self.limiter.configure(s.channel_rate_per_minute, s.global_rate_per_second)
        self._synced = False

    def wake(self) -> None:
        """Ask a waiting `run` loop to look at the queue now (safe from any thread)."""
        if self._wake is None or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake.set()
        else:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; an in-flight send is finished, the rest stays queued."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await self.start()
        while not stop.is_set():
            try:
                await self.deliver_pending(stop=stop)
                delay = await self._next_delay()  # reads the queue too
                self._round_refusals.clear()
            except OperationalError as exc:  # a lock held past the busy timeout, a full disk
                self._answering_since = None
                if self._round_refusals.due():
                    log.warning("delivery round stopped: %s; trying again every %.0f s (logged once a "
                                "minute while it lasts)", redact(refusal(exc), self._secrets), self.poll_interval)
                delay = self.poll_interval
            except Exception as exc:  # a database hiccup must not end delivery
                log.error("delivery round failed: %s", redact(repr(exc), self._secrets))
                delay = self.poll_interval
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            try:
                await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waiters:
                    w.cancel()

    # -- one round -------------------------------------------------------------------

    async def deliver_pending(
        self, max_batch: int | None = None, *, stop: asyncio.Event | None = None
    ) -> DeliveryStats:
        """Send everything due now, within the rate limits; return what happened."""
        self._stop = stop
        await asyncio.to_thread(self._sync_channels)
        stats = DeliveryStats()
        if self.dry_run:
            await asyncio.to_thread(self._print_dry_run, max_batch)
            return stats
        deferred: set[int] = set()
        done = 0
        while not (stop and stop.is_set()):
            read = await asyncio.to_thread(self._read_heads)
            self.health.configure(chats=len({rate_key(c) for c, _ in read if not self._is_console(c)}))
            if self._answering_since is None:
                self._answering_since = self.clock.monotonic()
            batch = self._due_heads(read, deferred)
            if max_batch is not None:
                batch = batch[: max(0, max_batch - done)]
            if not batch:
                break
            await asyncio.gather(*(self._deliver(head, stats) for head in batch))
            done += len(batch)
        stats.deferred += len(deferred)  # behind a chat's rate budget, besides those a 403 held
        return stats

    def _channel_conf(self, name: str) -> ChannelConfig | None:
        return self.config.channel(name)

    # -- one alert -------------------------------------------------------------------

    async def _deliver(self, head: Head, stats: DeliveryStats) -> None:
        conf = self._channel_conf(head.channel)
        if conf is None:
            return
        if await self._caught_up(conf, head):
            return  # the catch-up message is the channel's head now: the next round sends it
        claimed = await asyncio.to_thread(self._claim, head, conf)
        if isinstance(claimed, float):  # the chat's window, shared with other replicas, is full
            self.limiter.hold(rate_key(conf), claimed)
            stats.deferred += 1
            return
        if claimed is None:
            return
        before = replace(stats)
        try:
            await self._deliver_claimed(conf, claimed, stats)
        finally:
            self._report(claimed.channel, before, stats)

    async def _caught_up(self, conf: ChannelConfig, head: Head) -> bool:
        """Whether the channel's alerts queued longer than `catch_up_after` ago were just folded
        into a catch-up message instead of being sent one by one (alerts/catch_up.py), or its
        unsent roundups into one roundup of the gap (alerts/digest.py)."""
        now = self.clock.now()
        if (self._is_console(conf) or head.status != "pending"
                or not catch_up.due(self.config.settings.catch_up_after, head.kind, head.created_at, now)):
            return False
        if head.kind == "digest" and await asyncio.to_thread(
                digest.fold_unsent_roundups, self.db.session, self.config, conf, head.id, now=now,
                journals=(self.sent_before, dict(self.sent_here))):
            return True  # a roundup of the gap is the channel's head now (alerts/digest.py)
        parts = await asyncio.to_thread(catch_up.try_fold, self.db.session, self.config, conf,
                                        self._chat_channels(conf), now=now, sent=self.sent_before)
        if parts:
            log.info("catch-up: %d alert(s) of channel %s queued more than %s ago are told in %d message(s) "
                     "(alert #%d), not one by one", sum(n for _, n in parts), conf.name,
                     format_duration(self.config.settings.catch_up_after), len(parts), parts[0][0])
        return bool(parts)

    def _report(self, channel: str, before: DeliveryStats, after: DeliveryStats) -> None:
        """Tell `on_outcome` (the service's metrics) what this one delivery did."""
        if self.on_outcome is None:
            return
        for outcome in ("sent", "failed", "retried", "deferred"):
            if getattr(after, outcome) > getattr(before, outcome):
                self.on_outcome(channel, outcome)

    async def _deliver_claimed(self, conf: ChannelConfig, claimed: Claimed, stats: DeliveryStats) -> None:
        try:
            if self._is_console(conf):
                text = claimed.payload.get("text") or ""
                print_alert(self.out, claimed.channel, claimed.kind, text, alert_id=claimed.id)
                await self._record_sent(claimed)
                stats.sent += 1
            else:
                await self._send_telegram(conf, claimed, stats)
        except Exception as exc:  # never leave a claim behind on a bug; retry later
            message = redact(f"{type(exc).__name__}: {exc}", self._secrets)[:500]
            log.error("alert %d to %s: unexpected error: %s", claimed.id, claimed.channel, message)
            await self._retry(claimed, message, stats)

    # -- helpers ---------------------------------------------------------------------

    def _sync_channels(self) -> None:
        """The configured channels' rows. A replica that reloaded the same new channel inserts its
        row at the same moment: this insert fails on the unique name, and written again the row
        is found (before, the round failed with an error logged and the queue waited a round)."""
        if self._synced:
            return
        try:
            self._write_channel_rows()
        except IntegrityError:
            self._write_channel_rows()
        self._synced = True

    def _write_channel_rows(self) -> None:
        with self.db.session() as session:
            sync_channels(session, [(c.name, c.chat_id) for c in self.config.channels])

    def _print_dry_run(self, max_batch: int | None) -> None:
        with self.db.session() as session:
            rows = pending_alerts(session, leave_out=self._printed, limit=max_batch)
            for a in rows:
                print_alert(self.out, a.channel, a.kind, (a.payload or {}).get("text") or "",
                            alert_id=a.id, dry_run=True)
                self._printed.add(a.id)
