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

The modules, one concern each (`DeliveryWorker` is the worker's class and its mixins'):
`worker` (lifecycle, the loop of rounds, one alert's way out), `heads` (which alerts a round
sends), `claims` (claiming one), `send` (one send and what its answer makes of it), `edits`
(edits and replies), `backoff` (retries, outages, steps of the clock), `record` (a sent message
recorded), `shared` (the log, the constants, the records and state they share).
"""

from alerts.delivery.shared import (
    OUTAGE_RETRY,
    PHOTO,
    RATE_LIMITED,
    RECLAIM_GRACE,
    RECORD_LOG_EVERY,
    RECORD_RETRY,
    SUPERSEDED,
    DeliveryStats,
)
from alerts.delivery.worker import DeliveryWorker

__all__ = [
    "OUTAGE_RETRY",
    "PHOTO",
    "RATE_LIMITED",
    "RECLAIM_GRACE",
    "RECORD_LOG_EVERY",
    "RECORD_RETRY",
    "SUPERSEDED",
    "DeliveryStats",
    "DeliveryWorker",
]
