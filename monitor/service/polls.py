"""Polls: one feed fetched, stored, classified and queued; the scheduled poll under the feed's
lease; the one pass of `monitor poll-once`."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from alerts.feed_limits import fold_held
from core.config import FeedConfig, Limits
from core.durations import format_duration
from monitor.first_round import Poll
from monitor.ingest import PollResult, poll_feed
from monitor.ingest.poll import CONFLICT_NEXT_POLL
from monitor.service.progress import Progress
from monitor.service.state import ServiceState
from storage.db import conflict, refusal
from storage.feeds import feed_next_polls, paused_feed_names

log = logging.getLogger("monitor.service")  # the service's one logger, as before the split


def drain_polls(limits: Limits) -> int:
    """The polls one poll of a feed may take at most: enough to store every entry one document
    is read up to (`max_entries_per_document`), `max_new_items_per_poll` at a time."""
    return max(1, -(-limits.max_entries_per_document // limits.max_new_items_per_poll))


class Polls(ServiceState):
    """A feed's poll, from the fetch to the alerts queued; the pass of `poll-once`."""


    async def poll(self, name: str) -> PollResult:
        """Fetch, store, classify and queue one feed; never raises for a feed's problem.

        A poll that leaves new items over `max_new_items_per_poll` for later (a feed's first
        poll listing months of news) is followed at once by another, at most as many as one
        document's read entries need (`drain_polls`), told as one result: the rest of the
        listing is stored now, and classified with it in publication order (in the start-up
        round and in `poll-once`'s pass too), not an interval later after what came since."""
        result = await self._fetch_and_store(name)
        feed = self._feed(name)
        limit = drain_polls(feed.limits(self.config.settings)) if feed is not None else 1
        while result.held and result.status != "error" and result.polls < limit:
            result = result.then(await self._fetch_and_store(name))
        await self._after_poll(name, stored=bool(result.stored))
        return result

    async def _fetch_and_store(self, name: str) -> PollResult:
        feed = self._feed(name)
        if feed is None:
            raise LookupError(f"feed {name!r} is not in the config")
        result = await poll_feed(feed, self.config.settings, self.fetcher, self.db,
                                 states=self.poll_states)
        self._count_poll(result)
        return result

    async def _after_poll(self, name: str, *, stored: bool) -> None:
        """Classify what the poll stored, unless the start-up round still waits for other
        feeds (monitor/first_round.py); the poll that ends the round classifies it all."""
        state = self.first_round.polled(name)
        if state is Poll.WAITING:
            return
        if state is Poll.CLOSED:
            log.info("start-up round: every feed polled; classifying the backlog")
        # alerts are queued only by new items: a 304 leaves the worker be, unless items a
        # refused classification left behind wait
        if stored or state is Poll.CLOSED or self._classify_again:
            await self.classify_pending()
            self.worker.wake()

    def _leave_round(self, names: set[str]) -> None:
        """Feeds the start-up round will not see polled (a reload removed, disabled or paused
        them): not waited for; without them, the round ends now rather than at its deadline."""
        if names and self.first_round.drop(names) and self.scheduler is not None:
            self.scheduler.add_job(self._end_first_round, "date", run_date=datetime.now(UTC), id="first-round",
                                   replace_existing=True)

    async def _end_first_round(self) -> None:
        """The start-up round's deadline: classify the backlog of the feeds that answered."""
        if self.first_round.release():
            log.info("start-up round: ended before every feed was polled (deadline, or a poll that failed); classifying the backlog")
            await self.classify_pending()
            self.worker.wake()

    def _feed(self, name: str) -> FeedConfig | None:
        """The feed's config by name, from an index rebuilt when the config's feed list
        changes (AppConfig.feed scans the list: at 10,000 feeds, twice per poll)."""
        feeds = self.config.feeds
        if self._feed_index_of is not feeds:
            self._feed_index = {f.name: f for f in feeds}
            self._feed_index_of = feeds
        return self._feed_index.get(name)

    async def classify_pending(self) -> None:
        """Classify stored items and queue their alerts in a worker thread (CPU-bound), then
        fold alerts over a feed's hourly limit."""
        async with self._classify_lock:
            try:
                processed = await asyncio.to_thread(self.pipeline.process_pending)
                await asyncio.to_thread(self.fold_held)
            except OperationalError as exc:  # a lock held past the busy timeout, a full disk
                self._classify_again = True
                log.warning("classification stopped: %s; the items stored wait for the next poll",
                            refusal(exc))
                return
            self._classify_again = False
        for topic, n in processed.topics.items():
            self.metrics.matches.labels(topic).inc(n)
        self.metrics.alerts_queued.inc(processed.alerts)
        self.metrics.items_failed.inc(processed.failed)
        self.items_failed += processed.failed

    def fold_held(self) -> int:
        """Fold the alerts held over max_alerts_per_hour into one message per channel and
        feed (alerts/feed_limits.py); returns how many fold messages were queued."""
        with self.db.session() as session:
            folds = fold_held(session, self.config, now=datetime.now(UTC))
        if folds:
            log.warning(
                "alerts over max_alerts_per_hour folded: %s",
                ", ".join(f"{f.payload['folded']} from {f.payload['feed']} in {f.channel}" for f in folds),
            )
        return len(folds)

    def _count_poll(self, result: PollResult) -> None:
        if self._feed(result.feed) is None:  # removed by a reload while it was polled
            return
        m = self.metrics
        m.polls.labels(result.feed, result.status).inc()
        m.poll_seconds.labels(result.feed).observe(result.duration)
        if result.status != "error":
            m.last_success.set(time.time())
        elif not result.database_refused:  # the feed's failure; a refused write is the database's
            m.poll_failures.labels(result.feed).inc()
        if result.stored:
            m.items.labels(result.feed).inc(result.stored)
        if result.items_read is not None:
            m.page_items.labels(result.feed).set(result.items_read)
            m.page_item_drops.labels(result.feed).inc(int(result.item_drop))  # at 0 from the first

    async def _scheduled_poll(self, name: str) -> PollResult:
        """A scheduled poll: under the feed's lease when replicas share the database
        (monitor/replicas.py); a feed another replica holds is tried again when its lease ends."""
        feed = self._feed(name)
        if feed is None or not self.replicas.shared or self.feed_scheduler is None:
            return await self.poll(name)
        hold = feed.interval + self.replicas.poll_margin
        try:
            busy_until = await asyncio.to_thread(self.replicas.claim_feed, name, hold)
        except OperationalError as exc:  # whether another replica polls it is not known: not polled
            return await self._lease_refused(feed, exc)
        self._lease_refusals.went_through()
        if busy_until is not None:  # another replica polls it: not this one's round
            await self._after_poll(name, stored=False)
            return PollResult(feed=name, status="unchanged", next_poll_at=busy_until)
        result = await self.poll(name)
        fs = self.feed_scheduler
        jitter = min(feed.interval * fs.jitter, fs.max_jitter)
        until = max(result.next_poll_at, datetime.now(UTC)) + jitter + self.replicas.poll_margin
        try:
            await asyncio.to_thread(self.replicas.keep_feed, name, until)
        except OperationalError as exc:  # the lease taken before the poll ends a little sooner
            others = self._renewal_refusals.due(name)  # an outage refuses every feed's: once a minute
            if others is not None:
                also = f"; nor were the leases of {others} other feeds since the last line" if others else ""
                log.warning("lease on %s not renewed after its poll: %s%s (logged once a minute while it lasts)",
                            name, refusal(exc), also)
        else:
            self._renewal_refusals.went_through()
        return result

    async def _lease_refused(self, feed: FeedConfig, exc: OperationalError) -> PollResult:
        """A poll not run: the database refused the feed's lease (a lock another connection
        holds, a server restart). Tried again after the feed's interval, as a refused poll."""
        wait = min(feed.interval, CONFLICT_NEXT_POLL) if conflict(exc) else feed.interval  # a transient abort
        others = self._lease_refusals.due(feed.name)  # an outage refuses every feed's: once a minute
        if others is not None:
            also = f"; nor were the polls of {others} other feeds since the last line" if others else ""
            log.warning("poll of %s not run: the lease on the feed: %s; tried again in %s%s (logged once a "
                        "minute while it lasts)", feed.name, refusal(exc), format_duration(wait), also)
        await self._after_poll(feed.name, stored=False)
        now = datetime.now(UTC)
        return PollResult(feed=feed.name, status="error", error=f"database: {refusal(exc)}", polled_at=now,
                          next_poll_at=now + wait, database_refused=True)

    async def poll_once(self, only: list[str] | None = None) -> list[PollResult]:
        """Poll every enabled feed once (`only`: those named), then close the first round;
        one result a feed (its polls for what a poll left, `poll`, told as one).

        A feed paused from the admin chat is left out unless `only` names it: `/pause` stops
        polling, and a one-off pass on the same database should not undo that unasked."""
        paused = set() if only else self._paused_feeds()
        self.skipped_paused = sorted(f.name for f in self.config.enabled_feeds if f.name in paused)
        feeds = [f for f in self.config.enabled_feeds
                 if (not only or f.name in only) and f.name not in paused]
        progress = Progress(len(feeds), sys.stderr)
        results: list[PollResult] = []
        self.first_round.start(f.name for f in feeds)  # one pass: classified once, at its end

        async def one(name: str) -> None:
            result = await self.poll(name)
            results.append(result)
            progress.advance(result.feed)

        try:
            await asyncio.gather(*(one(f.name) for f in feeds))
        finally:
            await self._end_first_round()  # a poll that raised never closed the round
        progress.done()
        order = {f.name: i for i, f in enumerate(feeds)}
        return sorted(results, key=lambda r: order.get(r.feed, 0))

    def _paused_feeds(self) -> set[str]:
        with self.db.session() as session:
            return paused_feed_names(session)

    def _next_polls(self) -> dict[str, datetime | None]:
        with self.db.session() as session:
            return feed_next_polls(session, datetime.now(UTC), {f.name: f.interval for f in self.config.feeds})
