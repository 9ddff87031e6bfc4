"""The delivery worker: claims queued alerts and sends them, in order, within the limits.

Each channel's queue is delivered strictly in alert-id order: only the oldest
unsent alert of a channel (its *head*) is ever attempted, so a retry or a 429
holds the channel back instead of letting later alerts overtake. Heads of
different channels go out concurrently.

Claiming is a conditional UPDATE (pending and due, or `sending` with a claim
older than `stale_after`) whose rowcount must be 1, which is safe with several
replicas on one PostgreSQL: the loser of a race sees rowcount 0. A crash between
the send and the status update leaves the row in `sending`; it is reclaimed after
`stale_after`, so that one message can go out twice, never more. A database that went away
(a restart) stops every worker's writes, the claimer's record of its send too: after an
outage a worker waits `RECLAIM_GRACE` of answers before it takes a stale claim over.

Each alert backs off on its own failures, but the end of an outage of the Bot API
(`alerts.api_health`) makes every alert it held due at once, its back-off started
afresh: an outage's back-off never outlives it.

Every database call runs in a worker thread (asyncio.to_thread): a write another process's
lock holds back waits there for the busy timeout, not on the event loop the polls share.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import logging
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TextIO

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from telegram.error import RetryAfter, TelegramError

from alerts.api_health import ApiHealth
from alerts.console import print_alert
from alerts.outbox import FAILED, retell_in
from alerts.ratelimit import RateLimiter
from alerts.render import fit_plain, html_fits
from alerts.telegram import (
    Failure,
    classify_error,
    edit_refused,
    message_gone,
    reply_gone,
    sender_for,
)
from core.clock import Clock, SystemClock
from core.config import AppConfig, ChannelConfig, Runtime
from core.logs import redact
from core.restore_marks import SentMark, load_sent, marks_path, payload_fingerprint, record_sent
from storage.alerts import (
    SENT_CHAT,
    WITHDRAWN,
    channel_named,
    channels_by_name,
    chat_sends,
    claim_alert,
    claims_now,
    claims_skew,
    clamp_ahead,
    disable_channel,
    finish_alert,
    later_edit,
    lock_chat,
    mark_deleted,
    message_deleted,
    message_in_chat,
    move_channel,
    pending_alerts,
    queue_head,
    retry_held_now,
    sent_since,
    shift_waiting,
    sync_channels,
)
from storage.db import Database, RefusalLog, refusal
from storage.models import Alert

log = logging.getLogger("alerts.delivery")

RATE_LIMITED = RetryAfter.__name__  # how a 429's last_error begins (classify_error: the exception's name)
PHOTO = "photo"  # an outbox row whose payload holds a PNG (photo_b64) and its caption
SUPERSEDED = "superseded"  # an edit not sent: a later edit of the same message was queued
OUTAGE_RETRY = 30.0  # seconds: a head's longest back-off while the Bot API is out (alerts.api_health)
RECORD_RETRY = 1.0  # seconds between attempts to record a sent message the database refused
RECORD_LOG_EVERY = 60  # of those attempts, one in this many is logged
# seconds the database must have answered again after an outage before a stale claim is taken
# over: the worker that sent it records the send within RECORD_RETRY of the database's return
RECLAIM_GRACE = 10.0


def _after_the_stop(journaled: bool) -> str:
    """What becomes of a sent message whose record the database did not take before a stop:
    the journal of sends (`monitor.db.sent` beside a SQLite file, `data/postgresql-….sent` for
    PostgreSQL) holds it, and the next start marks it sent; without that line (a journal that
    could not be written) the claim is taken over once the lease has passed and the message is
    sent again."""
    if journaled:
        return "the journal of sends has it: after the next start it is marked sent, not sent again"
    return "its message goes out again after the next start, once delivery_lease has passed"


def _rate_key(conf: ChannelConfig) -> str:
    """The rate limiter's key: Telegram counts messages per chat, and channels may share one
    (an instant and a digest channel, or one per language)."""
    return conf.chat_id.lower()


@dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    deferred: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed, {self.retried} to retry, {self.deferred} deferred"


class _WindowFull(Exception):
    """A claim undone: the chat's rate window is full for `wait` more seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


@dataclass(frozen=True)
class _Head:
    id: int
    channel: str
    kind: str
    status: str
    next_attempt_at: datetime
    claimed_at: datetime | None
    attempts: int

    def waits(self, now: datetime) -> bool:
        """Whether the pending head waits a back-off past `now`. One never tried is due when
        queued, whatever clock stamped it (storage.alerts.fresh): another replica's host ahead."""
        return self.status == "pending" and self.attempts > 0 and self.next_attempt_at > now


@dataclass
class _Claimed:
    id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    reply_to_alert_id: int | None
    dedupe_key: str = ""
    skew: timedelta = timedelta(0)  # the claims' clock (the database's on PostgreSQL) minus this worker's


class DeliveryWorker:
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
        keys = {c.name: _rate_key(c) for c in self.config.channels if not self._is_console(c)}
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
            self.health.configure(chats=len({_rate_key(c) for c, _ in read if not self._is_console(c)}))
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

    def _is_console(self, conf: ChannelConfig) -> bool:
        return conf.is_console or self.sender is None

    def _heads(self, session: Session) -> Iterator[tuple[ChannelConfig, _Head]]:
        """The oldest alert still to send of each channel delivered to (configured, not
        disabled): only it can be sent, the channel's later alerts wait behind it."""
        channels = channels_by_name(session)
        for conf in self.config.channels:
            row = channels.get(conf.name)
            if row is None or row.disabled:
                continue
            head = queue_head(session, conf.name)
            if head is not None:
                yield conf, _Head(*head)

    def _read_heads(self) -> list[tuple[ChannelConfig, _Head]]:
        with self.db.session() as session:
            heads = list(self._heads(session))
            self._claims_now = claims_now(session, self.clock.now())
            return heads

    def _due_heads(self, read: list[tuple[ChannelConfig, _Head]], deferred: set[int]) -> list[_Head]:
        """The heads to send this round: due, within their chat's budget, and one per chat (the
        oldest), so that channels sharing a chat never pass its limit together and the chat
        gets their alerts in the order they were queued."""
        now = self.clock.now()
        stale = self._claims_now - self.stale_after  # by the claims' clock (`claim_alert`)
        heads: dict[str, _Head] = {}
        for conf, h in read:
            if h.status == "sending" and (h.claimed_at is None or h.claimed_at >= stale or self._after_outage()
                                          or self._after_step()):
                continue  # another worker (or this one) is sending it, or records its send
            if h.waits(now):
                continue
            if self._is_console(conf):
                heads[f"console:{conf.name}"] = h
                continue
            if self.limiter.chat_wait(_rate_key(conf)) > 0:
                deferred.add(h.id)
                continue
            other = heads.get(_rate_key(conf))
            if other is None or h.id < other.id:
                heads[_rate_key(conf)] = h
        return list(heads.values())

    async def _next_delay(self) -> float:
        """Seconds until the next round: the soonest retry of a queue's head, at most the poll
        interval. Not any pending alert's: one behind a head that backs off, or of a disabled
        or removed channel, is due at once and made the worker query the queue every 10 ms."""
        delay = self.poll_interval
        now = self.clock.now()
        due = [h.next_attempt_at if h.attempts else now
               for _, h in await asyncio.to_thread(self._read_heads) if h.status == "pending"]
        if due:
            delay = min(delay, (min(due) - now).total_seconds())
        waits = [self.limiter.chat_wait(_rate_key(c)) for c in self.config.channels]
        waits = [w for w in waits if w > 0]
        if waits:
            delay = min(delay, min(waits))
        return max(0.01, delay)

    # -- one alert -------------------------------------------------------------------

    def _claim(self, head: _Head, conf: ChannelConfig) -> _Claimed | float | None:
        """Claim `head`; None when another worker has it. For a chat, the claim is also a slot of
        its rate window, which replicas share through the outbox: when their sends of the last
        window (and those on their way) fill it, the claim is undone and the seconds until a
        slot frees are returned. Each replica counting only its own sends let N replicas send
        N×20 a minute to one chat, and Telegram answered 429."""
        now = self.clock.now()
        chat = None if self._is_console(conf) else self._chat_channels(conf)
        try:
            with self.db.session() as session:
                if chat:
                    lock_chat(session, chat)
                row = claim_alert(session, head.id, now, self.stale_after)
                if row is None:
                    return None
                mark = self._sent_mark(head, row.dedupe_key)
                if mark is not None and mark.content == payload_fingerprint(row.payload or {}):
                    self._sent_already(session, row, mark)
                    return None
                skew = claims_skew(session, self.clock.now)  # sends are stamped by the claims' clock
                if chat and (wait := self._window_wait(session, chat, row.id, self.clock.now() + skew)) > 0:
                    raise _WindowFull(wait)  # rolls the claim back
                return _Claimed(row.id, row.channel, row.kind, dict(row.payload or {}), row.attempts,
                                row.reply_to_alert_id, row.dedupe_key, skew=skew)
        except _WindowFull as full:
            return full.wait

    def _sent_mark(self, head: _Head, key: str) -> SentMark | None:
        """The journal's line of alert `key` sent already. A stale claim taken over (`sending`) is
        looked up in the journal as it is now: the process that claimed it may have sent it after
        this one started and stopped before its record went in (a frozen database server, the
        stop's grace), another replica in this working directory or `poll-once` beside the
        service; read at the start alone, it was sent a second time."""
        mark = self.sent_before.get(key)
        if mark is None and head.status == "sending" and not self.dry_run:
            mark = load_sent(self._marks).get(key)
        return mark

    @staticmethod
    def _sent_already(session: Session, row: Alert, mark: SentMark) -> None:
        """Alert `row`, queued in the database, was sent before it was restored from a backup:
        marked sent as the message it was, so that the story's edits and replies find it."""
        payload = dict(row.payload or {})
        if mark.chat is not None:
            payload[SENT_CHAT] = mark.chat
        finish_alert(session, row.id, status="sent", sent_at=mark.at, claimed_at=None,
                     telegram_message_id=mark.message_id, payload=payload,
                     last_error="sent, its record lost to a stop or a crash or to a restored backup")
        log.warning("alert %d to %s is queued in the database but was sent at %s (message %s): its record "
                    "did not reach the database before a stop or a crash, or the database was restored "
                    "from a backup; marked sent, not sent again", row.id, row.channel,
                    mark.at.strftime("%Y-%m-%d %H:%M:%S UTC"), mark.message_id)

    def _chat_channels(self, conf: ChannelConfig) -> list[str]:
        """The channels that post to `conf`'s chat: Telegram counts their messages together."""
        key = _rate_key(conf)
        return [c.name for c in self.config.channels if not self._is_console(c) and _rate_key(c) == key]

    def _window_wait(self, session: Session, chat: list[str], alert_id: int, now: datetime) -> float:
        """Seconds until the chat's shared window has a slot for alert `alert_id` (0: now); `now` by
        the clock its sends are stamped by (`claims_now`)."""
        window, per_chat = self.limiter.window, self.limiter.per_chat
        sent, in_flight = chat_sends(session, chat, now - timedelta(seconds=window), now, self.stale_after,
                                     leave_out=alert_id)
        ages = sorted([0.0] * in_flight + [max(0.0, (now - at).total_seconds()) for at in sent])
        if len(ages) < per_chat:
            return 0.0
        return max(0.0, window - ages[per_chat - 1])

    def _finish(self, alert_id: int, **values: Any) -> None:
        with self.db.session() as session:
            finish_alert(session, alert_id, **values)

    def _supersede(self, alert_id: int) -> bool:
        """Leave claimed edit `alert_id` unsent when a later edit of its message is queued in
        its channel (reports of a story queued while the Bot API was down): that one tells
        the message's final state, and each edit counts against the chat's rate limit."""
        with self.db.session() as session:
            row = session.get(Alert, alert_id)
            later = later_edit(session, row) if row is not None else None
            if later is None:
                return False
            finish_alert(session, alert_id, status=SUPERSEDED, claimed_at=None,
                         last_error=f"not sent: alert #{later}, a later edit of the same message, is queued")
            return True

    def _retell(self, claimed: _Claimed) -> _Claimed | None:
        """Claimed edit or update `claimed` of a story whose message failed for good (the channel
        never saw the story): as it would only edit nothing or reply to nothing, it becomes the
        story's message, told whole (`outbox.retell_in`), and is returned to be sent so. None
        when another alert tells the story: this one is left `superseded`; or when an operator
        withdrew the story's message (/wrong): it ends `withdrawn`, whoever queued it."""
        target = claimed.payload.get("target_alert_id") if claimed.kind == "edit" else claimed.reply_to_alert_id
        if target is None:
            return claimed
        with self.db.session() as session:
            first, row = session.get(Alert, int(target)), session.get(Alert, claimed.id)
            if first is not None and row is not None and WITHDRAWN in (first.payload or {}):
                # queued by another replica as the /wrong was answered, unseen by it
                finish_alert(session, row.id, status=WITHDRAWN, claimed_at=None,
                             last_error=str(first.payload[WITHDRAWN]))
                return None
            gone = first is not None and (
                first.status == FAILED or (claimed.kind == "update" and message_deleted(first)))
            if first is None or row is None or not gone:
                return claimed
            teller = retell_in(session, row, first, self.config)
            if teller is None:
                return claimed
            if teller != row.id:
                finish_alert(session, row.id, status=SUPERSEDED, claimed_at=None,
                             last_error=f"not sent: the story's message (alert #{first.id}) failed; "
                                        f"alert #{teller} tells the story afresh")
                return None
            log.info("alert %d to %s: the story's message (alert %d) %s; the story is told afresh "
                     "in this one", row.id, row.channel, first.id,
                     "failed" if first.status == FAILED else "was deleted in the chat")
            return replace(claimed, kind=row.kind, payload=dict(row.payload or {}), reply_to_alert_id=None)

    def _target(self, alert_id: int | None) -> tuple[str | None, int | None]:
        """The status of alert `alert_id` and its message id; "deleted" when its message was
        deleted in the chat."""
        if alert_id is None:
            return None, None
        with self.db.session() as session:
            row = session.get(Alert, alert_id)
            if row is not None and message_deleted(row):
                return "deleted", None
            return (row.status, row.telegram_message_id) if row else (None, None)

    def _deleted(self, conf: ChannelConfig, alert_id: int) -> None:
        """Alert `alert_id`'s message is gone from the chat (a channel admin deleted it): its
        story's edits there are dropped from now on, and a new figure tells the story whole."""
        with self.db.session() as session:
            if mark_deleted(session, alert_id):
                log.warning("alert %d's message in %s was deleted in the chat: the story's edits there "
                            "are dropped, a new figure tells the story afresh", alert_id, conf.name)

    async def _edit_refused(self, conf: ChannelConfig, claimed: _Claimed, f: Failure, stats: DeliveryStats) -> None:
        """Telegram would not edit the story's message, which is still in the chat: this edit
        is dropped, nothing else. The message is not taken for deleted, so the story's next
        figure is a reply to it, not the whole story told again, and its next edit is tried."""
        log.warning("alert %d to %s: Telegram refused to edit the story's message (alert %s), which stays "
                    "as it was: %s", claimed.id, conf.name, claimed.payload.get("target_alert_id"), f.message)
        await asyncio.to_thread(self._finish, claimed.id, status="failed", claimed_at=None,
                                last_error=f"not sent: Telegram refused to edit the message ({f.message})")
        stats.failed += 1

    def _reply_gone(self, conf: ChannelConfig, claimed: _Claimed) -> _Claimed | None:
        """Update `claimed` found the message it replies to deleted: the story told whole instead."""
        if claimed.reply_to_alert_id is not None:
            self._deleted(conf, claimed.reply_to_alert_id)
        return self._retell(claimed)

    async def _deliver(self, head: _Head, stats: DeliveryStats) -> None:
        conf = self._channel_conf(head.channel)
        if conf is None:
            return
        claimed = await asyncio.to_thread(self._claim, head, conf)
        if isinstance(claimed, float):  # the chat's window, shared with other replicas, is full
            self.limiter.hold(_rate_key(conf), claimed)
            stats.deferred += 1
            return
        if claimed is None:
            return
        before = replace(stats)
        try:
            await self._deliver_claimed(conf, claimed, stats)
        finally:
            self._report(claimed.channel, before, stats)

    def _report(self, channel: str, before: DeliveryStats, after: DeliveryStats) -> None:
        """Tell `on_outcome` (the service's metrics) what this one delivery did."""
        if self.on_outcome is None:
            return
        for outcome in ("sent", "failed", "retried", "deferred"):
            if getattr(after, outcome) > getattr(before, outcome):
                self.on_outcome(channel, outcome)

    async def _deliver_claimed(self, conf: ChannelConfig, claimed: _Claimed, stats: DeliveryStats) -> None:
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

    async def _record_sent(self, claimed: _Claimed, **values: Any) -> None:
        """Mark a sent alert `sent`. Its message is out: a database that refuses the write (a
        lock another process holds past the busy timeout, a full disk) is asked again until it
        takes it; a retry of the alert would send the message twice. Once a stop is asked, no
        attempt begins: each may wait a busy timeout (10 s), the whole of a stop's time."""
        alert_id, sent_at = claimed.id, self.clock.now() + claimed.skew  # by the claims' clock
        mark = SentMark(sent_at, values.get("telegram_message_id"), (values.get("payload") or {}).get(SENT_CHAT),
                        payload_fingerprint(claimed.payload))
        journaled = await asyncio.to_thread(record_sent, self._marks, claimed.dedupe_key, mark)
        for attempt in itertools.count():
            try:
                await asyncio.to_thread(self._finish, alert_id, status="sent", sent_at=sent_at,
                                        claimed_at=None, **values)
                return
            except OperationalError as exc:
                self._answering_since = None
                reason = redact(refusal(exc), self._secrets)
                if attempt % RECORD_LOG_EVERY == 0:  # a database down for an hour: 60 lines, not 3,600
                    log.warning("alert %d was sent but is not recorded yet: %s; trying again every %.0f s",
                                alert_id, reason, RECORD_RETRY)
            except asyncio.CancelledError:  # the stop's grace ended while the attempt waited
                log.error("alert %d was sent, and the service stopped while its record waited for the "
                          "database: unless the wait ended well, %s", alert_id, _after_the_stop(journaled))
                raise
            if not self._stopping():
                await asyncio.sleep(RECORD_RETRY)
            if self._stopping():
                log.error("alert %d was sent but could not be recorded before the stop: %s; %s",
                          alert_id, reason, _after_the_stop(journaled))
                return

    def _after_outage(self) -> bool:
        """Whether the database answers again for less than RECLAIM_GRACE after refusing."""
        since = self._answering_since
        return since is None or self.clock.monotonic() - since < RECLAIM_GRACE

    def _after_step(self) -> bool:
        """Whether the wall clock stepped forward less than a lease ago: a claim another replica
        made just before the step looks older by the step, yet its send may be in flight."""
        return self.clock.monotonic() - self._stepped_at < self.stale_after.total_seconds()

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    async def _retry(self, claimed: _Claimed, message: str, stats: DeliveryStats, delay: float | None = None) -> None:
        if delay is None:
            # the exponent held: 2.0 ** 1024 overflows (a chat failing for days at 5 minutes a try)
            delay = min(self.max_backoff, self.base_backoff * 2 ** min(max(0, claimed.attempts - 1), 32))
            if self.health.in_outage:  # the first send after it ends the back-off of all the others
                delay = min(delay, OUTAGE_RETRY)
            delay *= random.uniform(0.9, 1.1)
        await asyncio.to_thread(
            self._finish, claimed.id, status="pending", claimed_at=None, last_error=message,
            next_attempt_at=self.clock.now() + timedelta(seconds=delay),
        )
        stats.retried += 1

    def _chat_and_message(self, conf: ChannelConfig, alert_id: int | None) -> tuple[str, int | None]:
        """The chat the channel posts to now, and the message standing for alert `alert_id`'s
        in it (storage.alerts.message_in_chat): None when there is no such alert or its message
        is in another chat, one the channel was migrated from."""
        with self.db.session() as session:
            row = channel_named(session, conf.name)
            chat_id = row.chat_id if row else conf.chat_id
            if alert_id is None:
                return chat_id, None
            return chat_id, message_in_chat(session, alert_id, chat_id,
                                            unrecorded=row.configured_chat_id if row else conf.chat_id)

    async def _send_telegram(self, conf: ChannelConfig, claimed: _Claimed, stats: DeliveryStats) -> None:
        assert self.sender is not None
        if claimed.kind == PHOTO:
            await self._send_photo(conf, claimed, stats)
            return
        p = claimed.payload
        preview = bool(p.get("preview", False))
        edit_of: int | None = None
        reply_to: int | None = None
        if claimed.kind in ("edit", "update"):
            retold = await asyncio.to_thread(self._retell, claimed)
            if retold is None:
                return
            claimed, p = retold, retold.payload
        if claimed.kind == "edit":
            if await asyncio.to_thread(self._supersede, claimed.id):
                return
            status, message = await asyncio.to_thread(self._target, p.get("target_alert_id"))
            if message is None:
                if status == "deleted":  # the admin's deletion stands: nothing to edit, nothing to tell
                    await asyncio.to_thread(
                        self._finish, claimed.id, status="failed", claimed_at=None,
                        last_error="not sent: the message to edit was deleted in the chat")
                    stats.failed += 1
                elif status in ("pending", "sending"):
                    await self._retry(claimed, "the message to edit is not sent yet", stats, delay=5.0)
                else:
                    await asyncio.to_thread(
                        self._finish, claimed.id, status="failed", claimed_at=None,
                        last_error=f"the message to edit was not delivered ({status})")
                    stats.failed += 1
                return
        html_mode, note = True, None
        for _ in range(4):  # HTML, then plain text; one chat migration; a reply to a deleted message
            # Message ids are per chat: one sent before a migration is not in the chat used now,
            # where its id is another message's. There the edit or update goes out as a message
            # of its own (the edit's whole text; no reply), and later edits edit that one.
            if claimed.kind == "edit":
                chat_id, edit_of = await asyncio.to_thread(self._chat_and_message, conf, p.get("target_alert_id"))
            else:
                chat_id, reply_to = await asyncio.to_thread(self._chat_and_message, conf, claimed.reply_to_alert_id)
            text = p.get("html") if html_mode else fit_plain(p.get("text") or "")
            if html_mode and not html_fits(text or ""):  # queued by an older version: too long
                html_mode, note = False, "sent as plain text: the HTML was over Telegram's limit"
                continue
            await self.limiter.acquire_global()
            try:
                if edit_of is not None:
                    await self.sender.edit(chat_id, edit_of, text or "", html=html_mode, preview=preview)
                    message_id: int | None = edit_of
                else:
                    message_id = await self.sender.send(
                        chat_id, text or "", html=html_mode, preview=preview, reply_to=reply_to
                    )
            except TelegramError as exc:
                failure = classify_error(exc, self.runtime.bot_token)
                if failure.action != "rate_limited":
                    self.limiter.record(_rate_key(conf))
                if edit_of is not None and message_gone(exc):
                    await asyncio.to_thread(self._deleted, conf, int(p["target_alert_id"]))
                    await asyncio.to_thread(self._finish, claimed.id, status="failed", claimed_at=None,
                                            last_error=f"not sent: the message to edit is gone ({failure.message})")
                    stats.failed += 1
                    return
                if edit_of is not None and edit_refused(exc):
                    await self._edit_refused(conf, claimed, failure, stats)
                    return
                if reply_to is not None and reply_gone(exc):
                    retold = await asyncio.to_thread(self._reply_gone, conf, claimed)
                    if retold is None:
                        return
                    claimed, p = retold, retold.payload
                    continue
                if failure.action == "plain_text" and html_mode:
                    log.warning("alert %d to %s: Telegram rejected the HTML (%s); resending as plain text",
                                claimed.id, conf.name, failure.message)
                    html_mode, note = False, f"sent as plain text after: {failure.message}"
                    continue
                if failure.action == "migrated" and failure.new_chat_id is not None:
                    await asyncio.to_thread(self._migrate, conf, failure.new_chat_id)
                    continue
                if failure.action == "not_modified":
                    message_id = edit_of
                else:
                    await self._handle_failure(conf, claimed, failure, stats)
                    return
            else:
                self.limiter.record(_rate_key(conf))
            if claimed.kind == "edit" and edit_of is None:
                note = note or "sent as a message of its own: the message to edit is in a chat migrated from"
            await self._record_sent(claimed, telegram_message_id=message_id, last_error=note,
                                    payload={**p, SENT_CHAT: chat_id})
            stats.sent += 1
            await self._api_answered()
            return
        await self._retry(claimed, "gave up after repeated migrations or fallbacks", stats)

    async def _send_photo(self, conf: ChannelConfig, claimed: _Claimed, stats: DeliveryStats) -> None:
        """A queued photo (the tally's chart): the PNG stored in the payload as base64, so a
        retry after an outage or a restart sends the very chart that was queued."""
        assert self.sender is not None
        png = base64.b64decode(claimed.payload.get("photo_b64") or "")
        caption = str(claimed.payload.get("caption") or "")
        for _ in range(2):  # one chat migration
            chat_id, _ = await asyncio.to_thread(self._chat_and_message, conf, None)
            await self.limiter.acquire_global()
            try:
                message_id = await self.sender.send_photo(chat_id, png, caption)
            except TelegramError as exc:
                failure = classify_error(exc, self.runtime.bot_token)
                if failure.action != "rate_limited":
                    self.limiter.record(_rate_key(conf))
                if failure.action == "migrated" and failure.new_chat_id is not None:
                    await asyncio.to_thread(self._migrate, conf, failure.new_chat_id)
                    continue
                await self._handle_failure(conf, claimed, failure, stats)
                return
            self.limiter.record(_rate_key(conf))
            sent = {k: v for k, v in claimed.payload.items() if k != "photo_b64"}  # 150 KB a chart, kept for ever
            await self._record_sent(claimed, telegram_message_id=message_id, last_error=None,
                                    payload={**sent, SENT_CHAT: chat_id})
            stats.sent += 1
            await self._api_answered()
            return
        await self._retry(claimed, "gave up after repeated chat migrations", stats)

    async def _handle_failure(self, conf: ChannelConfig, claimed: _Claimed, f: Failure, stats: DeliveryStats) -> None:
        if f.action == "rate_limited":
            self.limiter.block(_rate_key(conf), f.retry_after)
            log.warning("alert %d to %s: 429, waiting %.0f s", claimed.id, conf.name, f.retry_after)
            await self._retry(claimed, f.message, stats, delay=f.retry_after)
        elif f.action == "forbidden":
            log.error("channel %s disabled: %s (its queue is kept): once the bot may post in %s "
                      "(an administrator of a channel), run `monitor channels enable %s` or send "
                      "/enable %s in the admin chat", conf.name, f.message, conf.chat_id, conf.name, conf.name)
            await asyncio.to_thread(self._disable, conf.name, claimed.id, f.message)
            stats.deferred += 1
        elif f.action in ("fail", "plain_text"):
            log.error("alert %d to %s failed: %s", claimed.id, conf.name, f.message)
            await asyncio.to_thread(self._finish, claimed.id, status="failed", claimed_at=None,
                                    last_error=f.message)
            stats.failed += 1
        else:
            log.warning("alert %d to %s: %s; will retry", claimed.id, conf.name, f.message)
            self.health.failed(conf.name, self.clock.now(), f.message)
            await self._retry(claimed, f.message, stats)

    def _disable(self, channel: str, alert_id: int, reason: str) -> None:
        with self.db.session() as session:
            disable_channel(session, channel, reason)
        self._finish(alert_id, status="pending", claimed_at=None, last_error=reason,
                     next_attempt_at=self.clock.now())

    async def _api_answered(self) -> None:
        """A send went through: if it ends an outage, retry now what the outage held back."""
        if self.health.answered():
            held = await self._retry_held()
            log.info("the Bot API answers again after an outage: %d held alert(s) retried now", held)

    async def _retry_held(self) -> int:
        """Make every alert held by back-off due now (not those a 429 holds)."""
        channels = [c.name for c in self.config.channels
                    if not self._is_console(c) and not self.limiter.blocked(_rate_key(c))]
        return await asyncio.to_thread(self._retry_held_in, channels)

    def _clamp_ahead(self) -> int:
        with self.db.session() as session:
            return clamp_ahead(session, self.clock.now())

    def _retry_held_in(self, channels: list[str]) -> int:
        with self.db.session() as session:
            disabled = {name for name, row in channels_by_name(session).items() if row.disabled}
            return retry_held_now(session, [c for c in channels if c not in disabled], self.clock.now(),
                                  unless_error_like=f"{RATE_LIMITED}%")

    def follow_step(self, step: float) -> int:
        """The wall clock was stepped by `step` seconds. Forward: what waits is due sooner, but
        a claim made just before the step looks older by the step: none is taken over for a
        lease (a send in flight went out twice). Back: the alerts queued or backing off keep
        their remaining wait rather than waiting the step out as well (set back an hour, a
        queued alert waited an hour), and claims their remaining lease. Blocking (back): run
        it in a worker thread; returns how many alerts were moved."""
        if step >= 0:
            self._stepped_at = self.clock.monotonic()
            return 0
        with self.db.session() as session:
            moved = shift_waiting(session, timedelta(seconds=step), self.clock.now())
        if moved:
            log.info("clock set back: %d queued alert(s) keep their remaining wait", moved)
        return moved

    def _migrate(self, conf: ChannelConfig, new_chat_id: int) -> None:
        log.warning("channel %s: Telegram moved chat %s to %d (a group became a supergroup); sending "
                    "there from now on: write chat_id: %d for it in feeds.yaml", conf.name, conf.chat_id,
                    new_chat_id, new_chat_id)
        with self.db.session() as session:
            move_channel(session, conf.name, str(new_chat_id))

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
