"""One poll of one feed: fetch (conditional), parse, normalize, dedupe, fetch article
text, store new items, and record the feed's health and next poll time (the package
docstring tells the rules)."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import time as dt_time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from core.config import FeedConfig, Settings
from core.durations import format_duration
from core.restore_marks import REPLICAS_MARGIN, feed_mark, marks_path, record_feed_mark, seen_until
from core.urls import redact_userinfo
from monitor.fetch.client import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchResult
from monitor.ingest.article import fetch_articles
from monitor.ingest.blockpage import block_page, challenge_header
from monitor.ingest.dedup import revisions, unknown, within_document
from monitor.ingest.feed_state import (
    FeedState,
    backoff_delay,
    load_state,
    record_failure,
    record_success,
)
from monitor.ingest.losses import log_losses
from monitor.ingest.normalize import NormalizedItem, normalize_entry
from monitor.ingest.order import in_publication_order
from monitor.ingest.poll_states import PollStates
from monitor.ingest.result import PollResult
from monitor.ingest.work import off_loop
from monitor.parse import ParsedFeed, parse_any
from monitor.parse.feeds import cut_entries
from monitor.parse.jsonfeed import looks_like_json
from storage.db import Database, FeedRefusals, conflict, refusal

log = logging.getLogger("monitor.ingest")

GONE = (404, 410)  # a remembered new URL answering these is dropped at once
MOVE_FAILURES = 3  # polls in a row a remembered new URL may fail before feeds.yaml's is tried
# a poll whose write PostgreSQL aborted for a conflict with another connection (a deadlock
# 40P01, a serialization failure 40001) is tried again this many times, after these seconds
CONFLICT_RETRIES = 2
CONFLICT_DELAY = 1.0
CONFLICT_NEXT_POLL = timedelta(minutes=1)  # still conflicting: the next poll, at the latest
# At most this many polls per fetch slot (settings.concurrency) are under way at once, from
# their fetch to their store: fetches end faster than documents are read and stored, and 1,000
# feeds polled at once (a start) held every fetched document and its items in memory, 270 MB
# against 150 (docs/INGESTION.md, "Benchmark").
POLLS_PER_FETCH_SLOT = 2
_UNDER_WAY: weakref.WeakKeyDictionary[Fetcher, asyncio.Semaphore] = weakref.WeakKeyDictionary()
# the polls each database refused (a full disk refuses every feed's): logged once a minute
_REFUSALS: weakref.WeakKeyDictionary[Database, FeedRefusals] = weakref.WeakKeyDictionary()



async def poll_feed(
    feed: FeedConfig,
    settings: Settings,
    fetcher: Fetcher,
    db: Database,
    *,
    now: datetime | None = None,
    states: PollStates | None = None,
) -> PollResult:
    """Poll `feed` once; never raises for a feed problem (see the module docstring).

    `states`: the feeds' poll state kept in memory and 304s written in batches
    (monitor/ingest/poll_states.py); None reads and writes the feed's row each time."""
    started, at = time.perf_counter(), now or datetime.now(UTC)
    try:
        async with _under_way(fetcher, settings):  # its time starts once it has a slot
            started, at = time.perf_counter(), now or datetime.now(UTC)
            result = await _poll_through_conflicts(feed, settings, fetcher, db, at, states)
        if (refusals := _REFUSALS.get(db)) is not None:
            refusals.went_through()
    except OperationalError as exc:  # a lock held past the busy timeout, a full disk
        result = _refused(feed, at, f"database: {refusal(exc)}", _REFUSALS.setdefault(db, FeedRefusals()),
                          soon=conflict(exc) and feed.interval > CONFLICT_NEXT_POLL)
    except Exception as exc:  # a bug: report it on the feed, stay up
        log.exception("poll of %s failed unexpectedly", feed.name)
        error = f"internal error: {type(exc).__name__}: {str(exc)[:300]}"
        try:
            if states is not None:
                await _forget(states, feed)
            result = await off_loop(record_failure, db, feed, settings, at, error, None, None)
        except OperationalError as again:  # still refused: the next poll records its outcome
            log.warning("cannot record the failure of %s: %s", feed.name, refusal(again))
            result = _unrecorded(feed, settings, at, error)
        except Exception:  # the database itself is failing: report without recording
            log.exception("cannot record the failure of %s", feed.name)
            result = _unrecorded(feed, settings, at, error)
    result.duration = time.perf_counter() - started
    return result


def _under_way(fetcher: Fetcher, settings: Settings) -> asyncio.Semaphore:
    """The slots of the polls under way with `fetcher` (POLLS_PER_FETCH_SLOT); a reload that
    changes the settings makes a new fetcher, and so new slots."""
    slots = _UNDER_WAY.get(fetcher)
    if slots is None:
        slots = _UNDER_WAY[fetcher] = asyncio.Semaphore(POLLS_PER_FETCH_SLOT * settings.concurrency)
    return slots


async def _poll_through_conflicts(
    feed: FeedConfig, settings: Settings, fetcher: Fetcher, db: Database, now: datetime,
    states: PollStates | None,
) -> PollResult:
    """`_poll`, run again within seconds when PostgreSQL aborted its write for a conflict with
    another connection (another replica): the abort rolled the write back whole, and trying
    again succeeds. Before, the poll's items waited the feed's whole interval (30 min)."""
    for attempt in range(CONFLICT_RETRIES + 1):
        try:
            return await _poll(feed, settings, fetcher, db, now, states)
        except OperationalError as exc:
            if not conflict(exc) or attempt == CONFLICT_RETRIES:
                raise
            log.info("poll of %s not stored: %s; polled again in %.0f s", feed.name, refusal(exc),
                     CONFLICT_DELAY * (attempt + 1))
            await asyncio.sleep(CONFLICT_DELAY * (attempt + 1))
    raise AssertionError("unreachable")


def _refused(feed: FeedConfig, now: datetime, error: str, refusals: FeedRefusals, *,
             soon: bool = False) -> PollResult:
    """A poll whose writes the database refused: the database's fault, not the feed's. The row
    is left as it was (no failure counted, no back-off; writing it would wait for the same
    lock), and the feed is polled again after its interval, or `soon` (CONFLICT_NEXT_POLL: a
    conflict that outlived the poll's own retries). Its remembered state (PollStates) was
    dropped before its first write. Logged as `refusals` say: every feed's poll meets a full
    disk, and a line each was 1,800 lines an hour at 300 feeds."""
    wait = CONFLICT_NEXT_POLL if soon else feed.interval
    others = refusals.due(feed.name)
    if others is not None:
        also = f"; nor were the polls of {others} other feeds since the last line" if others else ""
        log.warning("poll of %s not stored: %s; polled again in %s%s (logged once a minute while it lasts)",
                    feed.name, error, format_duration(wait), also)
    return PollResult(feed=feed.name, status="error", error=error, polled_at=now,
                      next_poll_at=now + wait, database_refused=True)


def _unrecorded(feed: FeedConfig, settings: Settings, now: datetime, error: str) -> PollResult:
    """The failure of a poll the database refused to record."""
    return PollResult(
        feed=feed.name, status="error", error=error, polled_at=now,
        next_poll_at=now + backoff_delay(feed.interval, 1, settings.max_backoff),
        consecutive_failures=1,
    )


async def _poll(
    feed: FeedConfig, settings: Settings, fetcher: Fetcher, db: Database, now: datetime,
    states: PollStates | None,
) -> PollResult:
    fetcher.trust(feed.url)  # the operator's own URL, as written
    fetcher.allow_private(settings.allow_private)
    state = await _feed_state(db, feed, states)
    fetched, forget_move = await _fetch(feed, fetcher, state)
    if states is not None:
        if fetched.not_modified and not fetched.permanent_redirect:
            return states.not_modified(feed, state, now, fetched)
        await _forget(states, feed, state)  # this outcome goes through the ORM
    if not fetched.ok:
        error = fetched.error or "fetch failed"
        if challenge := challenge_header(fetched.headers):
            error = f"{error} (a bot check: {challenge})"
        return await off_loop(
            record_failure, db, feed, settings, now, error, fetched.status,
            fetched.retry_after, forget_move=forget_move, feed_id=state.feed_id,
        )
    if fetched.not_modified:
        return await off_loop(record_success, db, feed, settings, now, fetched, None, [], 0, feed_id=state.feed_id)

    limits = feed.limits(settings)
    marks = marks_path(db.marks_base)
    # one call off the event loop for the document's CPU work and its reads
    parsed, items, fresh, mark = await off_loop(
        _examine, db, feed, state, fetched, now, limits.max_entries_per_document, feed.zone(settings), marks)
    log_losses(db, feed.name, parsed.lost)  # stored as the parse problem too; logged once
    if problem := _unusable(parsed, items):
        return await off_loop(
            record_failure, db, feed, settings, now, problem, fetched.status, None, parse_problem=problem,
            feed_id=state.feed_id,
        )
    skipped = len(items) - len(fresh)
    fresh, held = _newest(fresh, limits.max_new_items_per_poll)
    if held:
        log.warning(
            "%s: %d new items over max_new_items_per_poll (%d) left for a later poll",
            feed.name, held, limits.max_new_items_per_poll,
        )
    seen = seen_until(mark, state.last_success_at, now,
                      margin=REPLICAS_MARGIN if db.dialect == "postgresql" else timedelta(0))
    backfill = _backfill_flags(fresh, state, feed, settings, now, seen)
    if seen is not None:
        log.warning(
            "%s: the database is older than this feed's last poll (%s, in %s): a restored backup; "
            "%d of its %d new items, published before then, stored as backfill, not alerted again",
            feed.name, seen.strftime("%Y-%m-%d %H:%M:%S UTC"), marks, sum(backfill), len(fresh),
        )
    refused: list[str] = []
    articles = await fetch_articles(
        feed, settings, fetcher, fresh, backfill, refused, fetched.final_url)
    result = await _store(
        db, feed, settings, now, fetched, parsed,
        in_publication_order(fresh, list(zip(fresh, backfill, strict=True))),
        articles, skipped=skipped, refused=refused,
        held=held, held_limit=limits.max_new_items_per_poll, feed_id=state.feed_id,
    )
    # a restore matters only if items were stored since the backup: no write each poll, but a
    # mark ahead of now (the clock set back since) is put right before the clock catches up with it
    if fresh or (mark is not None and mark > now):
        await off_loop(record_feed_mark, marks, feed.name, now)
    return result


async def _fetch(feed: FeedConfig, fetcher: Fetcher, state: FeedState) -> tuple[FetchResult, bool]:
    """The feed fetched at its URL now (a remembered new one, else feeds.yaml's), and whether
    a remembered new URL is to be forgotten: refused, or given up for the URL in feeds.yaml."""
    is_page = feed.type == "page"
    accept = PAGE_ACCEPT if is_page else FEED_ACCEPT
    fetched = await fetcher.fetch(
        state.url,
        etag=state.etag,
        last_modified=state.last_modified,
        accept=accept,
        check_robots=is_page,
    )
    forget_move = fetched.refused is not None  # a remembered URL now refused
    if _give_up_move(feed, state, fetched):
        log.warning(
            "%s: the remembered new URL %s failed (%s); trying the URL in feeds.yaml",
            feed.name, redact_userinfo(state.url), fetched.error,
        )
        configured = await fetcher.fetch(feed.url, accept=accept, check_robots=is_page)
        if configured.ok or fetched.status in GONE:
            fetched, forget_move = configured, True
    return fetched, forget_move


def _unusable(parsed: ParsedFeed, items: list[NormalizedItem]) -> str | None:
    """Why a parsed document fails the poll: nothing could be read, or it is ill-formed and
    nothing usable came out of it; None when it is usable."""
    if parsed.fatal:
        return parsed.problem or "no entries could be read"
    if not items and parsed.problems:
        return f"no usable entries: {parsed.problem}"
    return None


async def _feed_state(db: Database, feed: FeedConfig, states: PollStates | None) -> FeedState:
    """The state the fetch needs: remembered (`states`), else read from the feed's row in the
    polls' thread. On the event loop it held every other poll and /healthz for the read (and,
    the rare time the row had to be put in step with a moved URL, for that write's busy timeout
    under another process's lock)."""
    state = None if states is None else states.remembered(feed)
    if state is None:
        state = await off_loop(load_state, db, feed)
        if states is not None:
            states.remember(feed, state)
    return state


def _examine(
    db: Database, feed: FeedConfig, state: FeedState, fetched: FetchResult, now: datetime,
    max_entries: int, zone: tzinfo, marks: Path | None,
) -> tuple[ParsedFeed, list[NormalizedItem], list[NormalizedItem], datetime | None]:
    """What a poll reads of its document, in one call in the polls' thread: the parse and its
    normalized items, those not stored yet (`_not_stored`), and the feed's restore mark (a
    file)."""
    parsed, items = _read(feed, fetched, now, max_entries, zone)
    if parsed.fatal and (wall := block_page(parsed.text)):
        parsed.problems.append(f"the page served is {wall}, not the listing")
    if parsed.fatal or (not items and parsed.problems):
        return parsed, items, [], None
    fresh = _not_stored(db, feed, state, items, now) if items else []
    return parsed, items, fresh, None if marks is None else feed_mark(marks, feed.name)


def _not_stored(
    db: Database, feed: FeedConfig, state: FeedState, items: list[NormalizedItem], now: datetime,
) -> list[NormalizedItem]:
    """The document's items not stored yet, and its stored items retitled with a new number
    (dedup.revisions); a worker thread's reads."""
    with db.session() as session:
        fresh = unknown(session, state.feed_id, items)
        kept = {id(i) for i in fresh}
        return fresh + revisions(session, feed.name, state.feed_id, [i for i in items if id(i) not in kept],
                                 now, state.last_success_at)


async def _store(db: Database, feed: FeedConfig, *args: Any, **kwargs: Any) -> PollResult:
    """`record_success` in the polls' thread; once more when another process stored one of the
    items between its look-up and its insert (a replica whose lease on the feed ran out during
    this poll, `poll-once` beside the service): the unique (feed, GUID) refused the insert, and
    the second look-up finds the item stored."""
    try:
        return await off_loop(record_success, db, feed, *args, **kwargs)
    except IntegrityError:
        log.info("%s: items stored by another process meanwhile; storing the rest", feed.name)
        return await off_loop(record_success, db, feed, *args, **kwargs)


async def _forget(states: PollStates, feed: FeedConfig, state: FeedState | None = None) -> None:
    """Forget the feed's remembered state; its pending row is written first (PollStates.forget)."""
    rows = states.forget(feed, state)
    if rows:
        await off_loop(states.write, rows)


def _give_up_move(feed: FeedConfig, state: FeedState, fetched: FetchResult) -> bool:
    """Whether a failed fetch of the remembered new URL (feeds.effective_url) should be
    tried again at once from the URL in feeds.yaml: the remembered one is gone (404/410),
    or has failed MOVE_FAILURES polls in a row. A site that moves a feed back may drop the
    old redirect; the remembered URL would then fail forever, with growing back-off, while
    the configured one works."""
    if fetched.ok or fetched.refused is not None or state.url == feed.url:
        return False
    return fetched.status in GONE or state.failures + 1 >= MOVE_FAILURES


def _read(
    feed: FeedConfig, fetched: FetchResult, now: datetime, max_entries: int, zone: tzinfo,
) -> tuple[ParsedFeed, list[NormalizedItem]]:
    """Parse and normalize (CPU-bound: `_examine` runs it in the polls' thread); entries
    beyond `max_entries` are not read, and the problem says so."""
    total = 0
    if feed.type != "page" and not looks_like_json(fetched.body, fetched.headers):
        body, total = cut_entries(fetched.body, max_entries)
        fetched = replace(fetched, body=body)
    parsed = _parse(feed, fetched, zone, max_entries, now)
    if parsed.fatal:
        return parsed, []
    total = max(total, parsed.total or 0, len(parsed.entries))
    if total > max_entries:
        parsed.problems.append(
            f"{total - max_entries} of {total} entries not read "
            f"(max_entries_per_document: {max_entries})"
        )
        del parsed.entries[max_entries:]
    return parsed, _normalize(parsed, feed, fetched.final_url, now)


def _newest(items: list[NormalizedItem], limit: int) -> tuple[list[NormalizedItem], int]:
    """At most `limit` items, the most recently published (document order kept); and how
    many were left out."""
    if len(items) <= limit:
        return items, 0
    keep = {id(i) for i in sorted(items, key=lambda i: i.published_at, reverse=True)[:limit]}
    return [i for i in items if id(i) in keep], len(items) - limit


def _parse(feed: FeedConfig, fetched: FetchResult, zone: tzinfo, max_entries: int, now: datetime) -> ParsedFeed:
    if feed.type == "page":
        # BeautifulSoup and soupsieve: imported by the first page feed read, not by every start
        from monitor.parse.page import parse_page

        assert feed.selectors is not None
        return parse_page(fetched.body, fetched.headers, fetched.final_url, feed.selectors, zone, now)
    return parse_any(fetched.body, fetched.headers, fetched.final_url, zone, max_entries, now)


def _normalize(
    parsed: ParsedFeed, feed: FeedConfig, base_url: str, now: datetime
) -> list[NormalizedItem]:
    """Normalized items, without duplicates inside the document itself; keys that several
    different items share are named in the parse problems (dedup.within_document)."""
    items = [
        item for entry in parsed.entries
        if (item := normalize_entry(
            entry, base_url=base_url, language=feed.language, fetched_at=now)) is not None
    ]
    out, problems = within_document(items)
    parsed.problems.extend(problems)
    return out


def _backfill_flags(
    items: list[NormalizedItem], state: FeedState, feed: FeedConfig, settings: Settings, now: datetime,
    seen: datetime | None = None,
) -> list[bool]:
    """Which items are backfill; a date without a time of day is judged by the end of that
    day in the feed's zone (`timezone`, default settings.timezone): the outlet's own date.
    After its first poll a feed's window is at least two intervals: the next poll comes an
    interval plus jitter (or a failed poll) later, and what the feed published since the
    last one is news (a daily feed's item of the minute after a poll was 24h 1m old).
    `seen`: a restored database's gap (seen_marks): the service had read the feed up to then,
    so what was published before it, and every undated item, was seen (and alerted) already."""
    window = settings.backfill_window
    if state.first_success_at is not None:
        window = max(window, 2 * feed.interval)
    cutoff = now - window
    zone = feed.zone(settings)
    catching_up = state.first_success_at is None or (
        state.last_success_at is not None and state.last_success_at < cutoff
    )
    if seen is not None:
        cutoff, catching_up = max(cutoff, seen), True
    return [
        latest_publication(i, zone) < cutoff or (catching_up and not i.dated)
        for i in items
    ]


def latest_publication(item: NormalizedItem, tz: tzinfo) -> datetime:
    """The latest the item can have been published: its time, or for a date without a time
    of day the end of that day in `tz` (the feed's zone). Its published_at, 00:00 UTC, is
    up to a day early: judged by it, an item a Caracas outlet dated today and published
    after 20:00 there was older than 24 h at once, and stored as backfill."""
    if not item.date_only:
        return item.published_at
    next_day = item.published_at.date() + timedelta(days=1)
    return datetime.combine(next_day, dt_time(), tzinfo=tz)
