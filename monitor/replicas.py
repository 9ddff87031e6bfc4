"""Several `monitor run` replicas on one PostgreSQL: who polls each feed, and who leads.

Feeds. Every replica schedules every feed, but a poll runs only under the feed's lease
(storage/leases.py, `poll:<feed>`). The replica that polls keeps the lease until its own
next poll plus the scheduler's jitter and a margin, so it polls again before the lease
ends; another replica that finds the lease held sleeps until it ends and tries then. A
replica killed with kill -9 stops renewing: one interval (plus jitter and margin) after
its last poll, the first replica to wake takes the feed over. Each feed is thus polled
once per interval, by one replica.

Leader. One replica holds the `leader` lease, renewed every third of its time-to-live;
the leader runs what must run once: digests, retention, folds of held alerts, the tally's
charts and pinned figures (alerts/tally/posts.py) and the admin chat's getUpdates (two
pollers of getUpdates get 409 from Telegram; each update is claimed in the database before
it is answered, so a new leader does not answer again what a killed one read, alerts/admin.py).
A dead leader's lease ends within one TTL and the others try every third of it: leadership
moves within 4/3 of a lease period. A replica leads only until its last renewal (timed from
before its statement) plus one TTL, on its own clock: a process frozen past its lease (SIGSTOP,
a VM paused) and thawed, whose lease another replica has taken meanwhile, does not act as leader
before its next renewal tells it so.

On SQLite (one process, one file) there is nothing to share: `shared` is False, this
replica always leads, and polls take no lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import secrets
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import OperationalError

from storage.db import Database, RefusalLog, refusal
from storage.leases import LEADER, poll_lease, release, take, take_or_expiry

log = logging.getLogger("monitor.replicas")

LEADER_TTL = timedelta(seconds=15)
POLL_MARGIN = timedelta(seconds=10)  # beyond the holder's next poll and its jitter


def _clock() -> float:
    """Seconds on a clock that goes on while the process is stopped and the host suspended
    (CLOCK_BOOTTIME), as the leases' wall-clock expiries do; monotonic elsewhere."""
    boot = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(boot) if boot is not None else time.monotonic()


def replica_id() -> str:
    """`host:pid:random`: unique across restarts (a restarted replica is a new holder)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Replicas:
    def __init__(self, db: Database, *, leader_ttl: timedelta = LEADER_TTL,
                 poll_margin: timedelta = POLL_MARGIN, me: str | None = None,
                 clock: Callable[[], float] = _clock) -> None:
        self.db = db
        self.me = me or replica_id()
        self.shared = db.dialect == "postgresql"
        self.leader_ttl = leader_ttl
        self.poll_margin = poll_margin
        self._clock = clock
        self._leading = not self.shared
        self._lead_until = math.inf  # (clock) the end of the lease this replica last renewed
        self.leader_since: datetime | None = datetime.now(UTC) if self._leading else None
        self._rng = random.Random()
        self._refusals = RefusalLog()

    @property
    def leading(self) -> bool:
        """Whether this replica leads: its last renewal of the leader lease is less than one
        TTL old. A process frozen past it (SIGSTOP) leads no more when it thaws, until it renews."""
        return self._leading and self._clock() < self._lead_until

    @leading.setter
    def leading(self, value: bool) -> None:  # set by hand (tests): until the next try_lead
        self._leading, self._lead_until = value, math.inf

    # -- feeds -----------------------------------------------------------------------
    def claim_feed(self, feed: str, hold: timedelta) -> datetime | None:
        """Take the feed's lease for `hold` (the poll to come); None when taken, else the
        time the other holder's lease ends (try again then)."""
        if not self.shared:
            return None
        with self.db.session() as session:
            taken, ends = take_or_expiry(session, poll_lease(feed), self.me, hold)
        if taken:
            return None
        return ends + timedelta(seconds=self._rng.uniform(0.0, 1.0))

    def keep_feed(self, feed: str, until: datetime) -> None:
        """After a poll: hold the feed until `until` (the next poll, jitter and margin)."""
        if not self.shared:
            return
        now = datetime.now(UTC)
        with self.db.session() as session:
            take(session, poll_lease(feed), self.me, max(until - now, timedelta(seconds=1)))

    # -- leader --------------------------------------------------------------------------
    def try_lead(self) -> bool:
        """Take or renew the leader lease; logs a change of leadership."""
        if not self.shared:
            return True
        started = self._clock()  # the lease runs from before the statement: its end is never later here
        try:
            with self.db.session() as session:
                leading = take(session, LEADER, self.me, self.leader_ttl)
        except Exception as exc:  # a database hiccup: not leading until it answers again
            if self._refusals.due():  # every 5 s: a line each filled the log of a day's outage
                reason = refusal(exc) if isinstance(exc, OperationalError) else str(exc).splitlines()[0]
                log.warning("leader lease: %s; tried again every %.0f s (logged once a minute while it lasts)",
                            reason, self.leader_ttl.total_seconds() / 3)
            leading = False
        else:
            self._refusals.clear()
        if leading != self._leading:
            log.info("%s leadership (replica %s)", "took" if leading else "lost", self.me)
            self.leader_since = datetime.now(UTC) if leading else None
        self._leading = leading
        self._lead_until = started + self.leader_ttl.total_seconds() if leading else -math.inf
        return leading

    async def lead(self, stop: asyncio.Event) -> None:
        """Renew or seek the leader lease every third of its TTL until `stop`."""
        every = self.leader_ttl.total_seconds() / 3
        while not stop.is_set():
            await asyncio.to_thread(self.try_lead)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)

    def step_down(self) -> None:
        """A clean stop gives the lease up, so another replica leads at once."""
        if self.shared and self._leading:
            try:
                with self.db.session() as session:
                    release(session, LEADER, self.me)
            except Exception as exc:
                log.warning("leader lease not released: %s", str(exc).splitlines()[0])
        self._leading = not self.shared
        self._lead_until = math.inf

    def status(self) -> dict[str, object]:
        return {
            "id": self.me, "shared": self.shared, "leader": self.leading,
            "leader_since": self.leader_since.isoformat() if self.leader_since else None,
        }
