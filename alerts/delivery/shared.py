"""What the parts of the delivery worker share: its log, its constants, the records of a
queue's head and of a claimed alert, and the worker's state (`WorkerBase`)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.error import RetryAfter

from alerts.api_health import ApiHealth
from alerts.ratelimit import RateLimiter
from alerts.telegram import TelegramSender
from core.clock import Clock
from core.config import AppConfig, ChannelConfig, Runtime
from core.restore_marks import SentMark
from storage.alerts import finish_alert
from storage.db import Database

log = logging.getLogger("alerts.delivery")  # every part logs as the one worker (docs/OPERATIONS.md)

RATE_LIMITED = RetryAfter.__name__  # how a 429's last_error begins (classify_error: the exception's name)
PHOTO = "photo"  # an outbox row whose payload holds a PNG (photo_b64) and its caption
SUPERSEDED = "superseded"  # an edit not sent: a later edit of the same message was queued
OUTAGE_RETRY = 30.0  # seconds: a head's longest back-off while the Bot API is out (alerts.api_health)
RECORD_RETRY = 1.0  # seconds between attempts to record a sent message the database refused
RECORD_LOG_EVERY = 60  # of those attempts, one in this many is logged
SENT_HERE = 10_000  # the sends of this process remembered, against a second send of one (record.py)
# seconds the database must have answered again after an outage before a stale claim is taken
# over: the worker that sent it records the send within RECORD_RETRY of the database's return
RECLAIM_GRACE = 10.0


def rate_key(conf: ChannelConfig) -> str:
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


@dataclass(frozen=True)
class Head:
    id: int
    channel: str
    kind: str
    status: str
    next_attempt_at: datetime
    claimed_at: datetime | None
    attempts: int
    created_at: datetime | None = None

    def waits(self, now: datetime) -> bool:
        """Whether the pending head waits a back-off past `now`. One never tried is due when
        queued, whatever clock stamped it (storage.alerts.fresh): another replica's host ahead."""
        return self.status == "pending" and self.attempts > 0 and self.next_attempt_at > now


@dataclass
class Claimed:
    id: int
    channel: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    reply_to_alert_id: int | None
    dedupe_key: str = ""
    skew: timedelta = timedelta(0)  # the claims' clock (the database's on PostgreSQL) minus this worker's


class WorkerBase:
    """The state `DeliveryWorker.__init__` sets, which each part of the worker (its mixins:
    heads, claims, send, edits, back-off, record) reads, and the steps all of them use."""

    config: AppConfig
    runtime: Runtime
    db: Database
    dry_run: bool
    clock: Clock
    stale_after: timedelta
    poll_interval: float
    base_backoff: float
    max_backoff: float
    limiter: RateLimiter
    sender: TelegramSender | None
    health: ApiHealth
    sent_before: dict[str, SentMark]
    sent_here: OrderedDict[str, SentMark]
    _secrets: tuple[str, ...]
    _marks: Path | None
    _stop: asyncio.Event | None
    _answering_since: float | None  # monotonic; None while refused
    _stepped_at: float  # monotonic: the wall clock's last step forward
    _claims_now: datetime  # the claims' clock at the last read of the heads

    def _is_console(self, conf: ChannelConfig) -> bool:
        return conf.is_console or self.sender is None

    def _finish(self, alert_id: int, **values: Any) -> None:
        with self.db.session() as session:
            finish_alert(session, alert_id, **values)

    def _stopping(self) -> bool:
        return self._stop is not None and self._stop.is_set()
