"""Which alerts a round sends: the head of each channel's queue (its oldest unsent alert),
when it is due and its chat has room, one per chat; and when the next round looks again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from sqlalchemy.orm import Session

from alerts.delivery.shared import Head, WorkerBase, rate_key
from core.config import ChannelConfig
from storage.alerts import channels_by_name, claims_now, queue_head


class Heads(WorkerBase):
    """Uses `_after_outage` and `_after_step` (backoff.py): a stale claim is not taken over then."""

    def _heads(self, session: Session) -> Iterator[tuple[ChannelConfig, Head]]:
        """The oldest alert still to send of each channel delivered to (configured, not
        disabled): only it can be sent, the channel's later alerts wait behind it."""
        channels = channels_by_name(session)
        for conf in self.config.channels:
            row = channels.get(conf.name)
            if row is None or row.disabled:
                continue
            head = queue_head(session, conf.name)
            if head is not None:
                yield conf, Head(*head)

    def _read_heads(self) -> list[tuple[ChannelConfig, Head]]:
        with self.db.session() as session:
            heads = list(self._heads(session))
            self._claims_now = claims_now(session, self.clock.now())
            return heads

    def _due_heads(self, read: list[tuple[ChannelConfig, Head]], deferred: set[int]) -> list[Head]:
        """The heads to send this round: due, within their chat's budget, and one per chat (the
        oldest), so that channels sharing a chat never pass its limit together and the chat
        gets their alerts in the order they were queued."""
        now = self.clock.now()
        stale = self._claims_now - self.stale_after  # by the claims' clock (`claim_alert`)
        heads: dict[str, Head] = {}
        for conf, h in read:
            if h.status == "sending" and (h.claimed_at is None or h.claimed_at >= stale or self._after_outage()
                                          or self._after_step()):
                continue  # another worker (or this one) is sending it, or records its send
            if h.waits(now):
                continue
            if self._is_console(conf):
                heads[f"console:{conf.name}"] = h
                continue
            if self.limiter.chat_wait(rate_key(conf)) > 0:
                deferred.add(h.id)
                continue
            other = heads.get(rate_key(conf))
            if other is None or h.id < other.id:
                heads[rate_key(conf)] = h
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
        waits = [self.limiter.chat_wait(rate_key(c)) for c in self.config.channels]
        waits = [w for w in waits if w > 0]
        if waits:
            delay = min(delay, min(waits))
        return max(0.01, delay)
