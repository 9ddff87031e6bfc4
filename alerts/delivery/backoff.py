"""Waiting after a failure: each alert's own back-off, the outage of the Bot API whose end
makes every alert it held due at once (`alerts.api_health`), the grace after the database's
return before a stale claim is taken over, and steps of the wall clock."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from alerts.delivery.shared import (
    OUTAGE_RETRY,
    RATE_LIMITED,
    RECLAIM_GRACE,
    Claimed,
    DeliveryStats,
    WorkerBase,
    log,
    rate_key,
)
from storage.alerts import channels_by_name, clamp_ahead, retry_held_now, shift_waiting


class BackOff(WorkerBase):
    """`_retry` after any failure (send.py, edits.py); `_retry_held` at the start (worker.py) and
    at the end of an outage (`_api_answered`); `follow_step` called by the service."""

    async def _retry(self, claimed: Claimed, message: str, stats: DeliveryStats, delay: float | None = None) -> None:
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

    async def _api_answered(self) -> None:
        """A send went through: if it ends an outage, retry now what the outage held back."""
        if self.health.answered():
            held = await self._retry_held()
            log.info("the Bot API answers again after an outage: %d held alert(s) retried now", held)

    async def _retry_held(self) -> int:
        """Make every alert held by back-off due now (not those a 429 holds)."""
        channels = [c.name for c in self.config.channels
                    if not self._is_console(c) and not self.limiter.blocked(rate_key(c))]
        return await asyncio.to_thread(self._retry_held_in, channels)

    def _retry_held_in(self, channels: list[str]) -> int:
        with self.db.session() as session:
            disabled = {name for name, row in channels_by_name(session).items() if row.disabled}
            return retry_held_now(session, [c for c in channels if c not in disabled], self.clock.now(),
                                  unless_error_like=f"{RATE_LIMITED}%")

    def _clamp_ahead(self) -> int:
        with self.db.session() as session:
            return clamp_ahead(session, self.clock.now())

    def _after_outage(self) -> bool:
        """Whether the database answers again for less than RECLAIM_GRACE after refusing."""
        since = self._answering_since
        return since is None or self.clock.monotonic() - since < RECLAIM_GRACE

    def _after_step(self) -> bool:
        """Whether the wall clock stepped forward less than a lease ago: a claim another replica
        made just before the step looks older by the step, yet its send may be in flight."""
        return self.clock.monotonic() - self._stepped_at < self.stale_after.total_seconds()

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
