"""Poll state kept in memory between polls, and the rows of 304 polls written in batches.

A poll answered 304 Not Modified changes only its feed's row (when it ran, the next poll,
the validators, the health). At 10,000 feeds that is 17 rows a second, each read and
written through the ORM on the event loop: the largest cost of a poll after the request
(docs/SCALE.md). Here the state a poll needs (URL, validators, failures) stays in memory
after the first read, and a 304 poll's row changes wait in `pending` until `flush` writes
them all in one statement, in the polls' own thread (monitor/ingest/work.py), about once a
second (`run`).

Any other outcome (new items, an error) takes the usual way through the ORM: the feed's
pending write goes first, so the row never goes back in time, and the remembered state is
dropped (read again at the next poll). A config reload clears everything remembered (a
changed URL resets the validators). Only for one process: replicas sharing a database
poll without it (another replica may have polled the feed since).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import OperationalError

from core.config import FeedConfig
from monitor.fetch.client import FetchResult
from monitor.ingest.feed_state import FeedState, new_validators
from monitor.ingest.result import PollResult
from monitor.ingest.work import off_loop
from storage.db import Database, RefusalLog, refusal
from storage.feeds import write_poll_states

log = logging.getLogger("monitor.ingest")

FLUSH_EVERY = 1.0  # seconds a 304 poll's row may wait before it is written


class PollStates:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._states: dict[tuple[str, str], FeedState] = {}
        self.pending: dict[int, dict[str, object]] = {}  # feed id -> its row's new values
        # feeds whose outcome went through the ORM since the batch in flight was taken: a
        # refused batch does not queue their (older) rows again
        self._newer: set[int] = set()
        self._refusals = RefusalLog()

    def remembered(self, feed: FeedConfig) -> FeedState | None:
        """The state the next fetch of `feed` needs, when remembered (else the poll reads its
        row, feed_state.load_state, off the event loop, and hands it to `remember`)."""
        return self._states.get((feed.name, feed.url))

    def remember(self, feed: FeedConfig, state: FeedState) -> None:
        self._states[(feed.name, feed.url)] = state

    def forget(self, feed: FeedConfig, state: FeedState | None = None) -> list[dict[str, object]]:
        """Before a poll's outcome goes through the ORM: forget the feed's state (read again
        next time) and hand over its pending row, to be written (`write`) before that outcome."""
        state = self._states.pop((feed.name, feed.url), None) or state
        if state is None:
            return []
        self._newer.add(state.feed_id)
        if state.feed_id in self.pending:
            return [self.pending.pop(state.feed_id)]
        return []

    def clear(self) -> None:
        """Forget every remembered state (the config changed); pending rows stay queued."""
        self._states.clear()

    def not_modified(
        self, feed: FeedConfig, state: FeedState, now: datetime, fetched: FetchResult
    ) -> PollResult:
        """A 304: the same row values and result as `record_success`, written later."""
        next_poll = now + feed.interval
        etag, last_modified = new_validators(fetched, state.etag, state.last_modified)
        first = state.first_success_at or now
        self._states[(feed.name, feed.url)] = replace(
            state, etag=etag, last_modified=last_modified, first_success_at=first,
            last_success_at=now, failures=0,
        )
        self.pending[state.feed_id] = {
            "id": state.feed_id, "last_polled_at": now, "last_status": fetched.status,
            "consecutive_failures": 0, "next_poll_at": next_poll, "last_success_at": now,
            "first_success_at": first, "failure_reported": False, "etag": etag,
            "last_modified": last_modified,
        }
        return PollResult(
            feed=feed.name, status="not_modified", next_poll_at=next_poll, polled_at=now,
            http_status=fetched.status,
        )

    def flush(self) -> int:
        """Write every pending row now, in the calling thread; returns how many."""
        rows, self.pending = list(self.pending.values()), {}
        return self.write(rows)

    def write(self, rows: list[dict[str, object]]) -> int:
        if rows:
            with self.db.session() as session:
                write_poll_states(session, rows)
        return len(rows)

    async def run(self, stop: asyncio.Event) -> None:
        """Write the pending rows about once a second until `stop`, then the last ones, once:
        a refusal then is not tried again (a lock another process holds would keep the stop
        waiting for another busy timeout, past systemd's TimeoutStopSec)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), FLUSH_EVERY)
            rows, self.pending = list(self.pending.values()), {}
            self._newer.clear()
            try:
                # in the polls' own thread, in turn with their writes: from another thread, a
                # batch that waited for a lock committed after a newer outcome of its feed
                if await off_loop(self.write, rows):
                    self._refusals.clear()
            except Exception as exc:
                if stop.is_set():  # with the rows of polls that ended meanwhile: not waited for again
                    lost, self.pending = {int(str(r["id"])) for r in rows} | set(self.pending), {}
                    _not_written(len(lost), exc)
                    return
                if isinstance(exc, OperationalError):  # a lock another process holds, a full disk
                    if self._refusals.due():
                        log.warning("poll state of %s not written: %s; trying again every %.0f s (logged "
                                    "once a minute while it lasts)", _feeds(len(rows)), refusal(exc), FLUSH_EVERY)
                else:
                    log.exception("writing %s' poll state failed; retrying", _feeds(len(rows)))
                for row in rows:  # kept for the next round, unless a newer one came meanwhile
                    if (feed_id := int(str(row["id"]))) not in self._newer:
                        self.pending.setdefault(feed_id, row)
            if stop.is_set():
                return

    async def write_last(self) -> None:
        """The pending rows, once (the service's close, poll-once's end): a refusal is logged."""
        rows, self.pending = list(self.pending.values()), {}
        try:
            await off_loop(self.write, rows)
        except Exception as exc:
            _not_written(len(rows), exc)


def _not_written(feeds: int, exc: Exception) -> None:
    """What a stop loses: the 304 polls' row changes (when they ran, the next poll, new
    validators); the next start polls those feeds at once, and stores what they bring."""
    log.warning("poll state of %s not written before the stop: %s; polled again after the next start",
                _feeds(feeds), _reason(exc))


def _feeds(n: int) -> str:
    return f"{n} feed{'' if n == 1 else 's'}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, OperationalError):  # a lock held past the busy timeout, a full disk
        return refusal(exc)
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
