"""The first round of polls after start-up, during which classification waits.

A service that starts (after a deploy, a crash, an outage) polls every feed once, spread
over the start-up window, and each first poll can bring hours of news at once. Classified
feed by feed as the polls come in, that backlog would make its stories outlet by outlet:
one outlet's day of headlines first, then the next outlet's, each against stories made
of the first outlet alone, and a follow-up seen before the report it follows. Held until
the round is over, the backlog is classified once, in the order the news was published
(storage.items.unclassified_ids), as if the service had been running all along. The hold
ends when every feed of the round has been polled, or at a deadline (a feed that never
answers, a feed another replica polls), whichever comes first; `monitor poll-once` holds
its one pass the same way. Items wait in the database, so a crash during the hold loses
nothing: the next start classifies them first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import Enum

# feeds due later than this after start-up (a stored backoff) are not waited for
LIMIT = timedelta(minutes=15)
GRACE = timedelta(minutes=1)  # the deadline: the last feed's due time plus this


class Poll(Enum):
    FREE = "free"  # no round: classify as usual
    WAITING = "waiting"  # the round goes on: leave the items pending
    CLOSED = "closed"  # this poll ended the round: classify the whole backlog now


class FirstRound:
    def __init__(self) -> None:
        self.waiting: set[str] | None = None

    def start(self, names: Iterable[str]) -> None:
        """Hold classification until each of `names` has been polled once."""
        self.waiting = set(names) or None

    def start_scheduled(self, due: Mapping[str, datetime], now: datetime) -> datetime | None:
        """Hold for the feeds due within `LIMIT` of `now`; the deadline, or None (no hold)."""
        soon = {name: at for name, at in due.items() if at <= now + LIMIT}
        self.start(soon)
        return max(soon.values()) + GRACE if soon else None

    def polled(self, name: str) -> Poll:
        """`name` was polled (or will not be, this round)."""
        if self.waiting is None:
            return Poll.FREE
        self.waiting.discard(name)
        if self.waiting:
            return Poll.WAITING
        self.waiting = None
        return Poll.CLOSED

    def drop(self, names: Iterable[str]) -> bool:
        """`names` will not be polled this round (removed, disabled or paused by a reload);
        whether the round still holds and waits for no other feed (its end is due now)."""
        if self.waiting is None:
            return False
        self.waiting.difference_update(names)
        return not self.waiting

    def release(self) -> bool:
        """End the round now; whether it was still holding."""
        held, self.waiting = self.waiting is not None, None
        return held
