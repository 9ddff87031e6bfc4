"""Recording a message sent: first a line in the journal of sends (core/restore_marks.py),
then the alert's row, asked again while the database refuses it, since a retry of the
alert would send the message twice."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from sqlalchemy.exc import OperationalError

from alerts.delivery.shared import (
    RECORD_LOG_EVERY,
    RECORD_RETRY,
    SENT_HERE,
    Claimed,
    WorkerBase,
    log,
)
from core.logs import redact
from core.restore_marks import SentMark, payload_fingerprint, record_sent
from storage.alerts import SENT_CHAT
from storage.db import refusal


def _after_the_stop(journaled: bool) -> str:
    """What becomes of a sent message whose record the database did not take before a stop:
    the journal of sends (`monitor.db.sent` beside a SQLite file, `data/postgresql-….sent` for
    PostgreSQL) holds it, and the next start marks it sent; without that line (a journal that
    could not be written) the claim is taken over once the lease has passed and the message is
    sent again."""
    if journaled:
        return "the journal of sends has it: after the next start it is marked sent, not sent again"
    return "its message goes out again after the next start, once delivery_lease has passed"


class Record(WorkerBase):
    """Called once a message is out (send.py) or printed (worker.py)."""

    async def _record_sent(self, claimed: Claimed, **values: Any) -> None:
        """Mark a sent alert `sent`. Its message is out: a database that refuses the write (a
        lock another process holds past the busy timeout, a full disk) is asked again until it
        takes it; a retry of the alert would send the message twice. Once a stop is asked, no
        attempt begins: each may wait a busy timeout (10 s), the whole of a stop's time."""
        alert_id, sent_at = claimed.id, self.clock.now() + claimed.skew  # by the claims' clock
        mark = SentMark(sent_at, values.get("telegram_message_id"), (values.get("payload") or {}).get(SENT_CHAT),
                        payload_fingerprint(claimed.payload))
        journaled = await asyncio.to_thread(record_sent, self._marks, claimed.dedupe_key, mark)
        self.sent_here[claimed.dedupe_key] = mark  # whatever becomes of the record (claims.py)
        if len(self.sent_here) > SENT_HERE:
            self.sent_here.popitem(last=False)
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
