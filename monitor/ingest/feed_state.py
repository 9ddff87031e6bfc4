"""A feed's poll state on its row: what the next fetch sends (URL after permanent
redirects, ETag, Last-Modified), its health (last success, last error, failures in a row,
parse problem) and when it is polled next, with exponential back-off after failures."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.config import FeedConfig, Settings
from core.durations import format_duration
from core.urls import redact_secrets
from monitor.fetch.client import FetchResult, usable_validator
from monitor.ingest.dedup import insert_new, unknown
from monitor.ingest.item_counts import counts_key, judged
from monitor.ingest.normalize import NormalizedItem
from monitor.ingest.result import PollResult, Status
from monitor.parse import ParsedFeed
from storage.db import Database
from storage.feeds import feed_row, record_poll
from storage.items import take_store_turn
from storage.models import Feed

log = logging.getLogger("monitor.ingest")

MAX_FAILURE_EXPONENT = 16


@dataclass
class FeedState:
    feed_id: int
    url: str
    etag: str | None
    last_modified: str | None
    first_success_at: datetime | None
    last_success_at: datetime | None
    failures: int


def backoff_delay(
    interval: timedelta, failures: int, max_backoff: timedelta, retry_after: float | None = None
) -> timedelta:
    """interval × 2^failures, capped at max_backoff; never sooner than Retry-After (capped too)
    and never sooner than the interval itself."""
    base = interval.total_seconds()
    cap = max_backoff.total_seconds()
    delay = min(base * 2 ** min(failures, MAX_FAILURE_EXPONENT), cap)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return timedelta(seconds=max(delay, base))


def new_validators(
    fetched: FetchResult, etag: str | None, last_modified: str | None
) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified to keep after a successful fetch: the response's (a 304 may
    repeat or omit them: the stored ones stay). Only usable ones (`usable_validator`): one
    that cannot be sent back would fail every later poll."""
    keep = fetched.not_modified
    return (
        usable_validator(fetched.headers.get("etag")) or (etag if keep else None),
        usable_validator(fetched.headers.get("last-modified")) or (last_modified if keep else None),
    )


def moved_to(feed: FeedConfig, fetched: FetchResult) -> str | None:
    """Where the feed moved for good, unless that is the URL feeds.yaml already has."""
    moved = fetched.permanent_redirect
    if moved is None or stored_url(moved) == stored_url(feed.url):
        return None
    return moved


def stored_url(url: str) -> str:
    """A feed URL as the database keeps it: without its userinfo nor a key in its query
    (`?token=…`), which stay in feeds.yaml."""
    return redact_secrets(url)


def load_state(db: Database, feed: FeedConfig) -> FeedState:
    with db.session() as session:
        row = feed_row(session, feed.name, stored_url(feed.url))
        return FeedState(
            feed_id=row.id,
            url=row.effective_url or feed.url,  # the row keeps no credentials
            etag=row.etag,
            last_modified=row.last_modified,
            first_success_at=row.first_success_at,
            last_success_at=row.last_success_at,
            failures=row.consecutive_failures or 0,
        )


def _polled_row(session: Session, feed: FeedConfig, feed_id: int | None) -> Feed:
    """The row a poll writes its outcome on: the one it read (`feed_id`, from `load_state`),
    which a reload may have renamed meanwhile (a poll by the old name would have made a row of
    that name, its items an outlet no longer in feeds.yaml); else the feed's row by name."""
    row = session.get(Feed, feed_id) if feed_id is not None else None
    return row if row is not None else feed_row(session, feed.name, stored_url(feed.url))


def record_failure(
    db: Database,
    feed: FeedConfig,
    settings: Settings,
    now: datetime,
    error: str,
    status: int | None,
    retry_after: float | None,
    *,
    parse_problem: str | None = None,
    forget_move: bool = False,
    feed_id: int | None = None,
) -> PollResult:
    error = redact_secrets(error)
    if retry_after is not None:
        error = f"{error} (Retry-After {format_duration(timedelta(seconds=retry_after)) or '0s'})"
    with db.session() as session:
        row = _polled_row(session, feed, feed_id)
        failures = (row.consecutive_failures or 0) + 1
        next_poll = now + backoff_delay(feed.interval, failures, settings.max_backoff, retry_after)
        record_poll(row, now, status, failures=failures, next_poll_at=next_poll,
                    last_error=error, last_error_at=now)
        if parse_problem is not None:
            row.parse_problem = parse_problem
        if forget_move:  # a remembered new URL now refused: back to the operator's URL
            row.effective_url = None
    log.warning("%s: %s (failure %d in a row)", feed.name, error, failures)
    return PollResult(
        feed=feed.name, status="error", error=error, next_poll_at=next_poll, polled_at=now,
        http_status=status, consecutive_failures=failures, parse_problem=parse_problem,
    )


def record_success(
    db: Database,
    feed: FeedConfig,
    settings: Settings,
    now: datetime,
    fetched: FetchResult,
    parsed: ParsedFeed | None,
    items: Sequence[tuple[NormalizedItem, bool]],
    articles: int | None,
    *,
    skipped: int = 0,
    refused: Sequence[str] = (),
    held: int = 0,
    held_limit: int = 0,
    feed_id: int | None = None,
) -> PollResult:
    next_poll = now + feed.interval
    new_ids: list[int] = []
    backfilled = 0
    with db.session() as session:
        if items:  # before any other write: the turn is waited for holding no row
            take_store_turn(session)
        row = _polled_row(session, feed, feed_id)
        if items:
            new_ids, backfilled, already = _store_still_new(session, row.id, items, now)
            skipped += already
        moved = _follow_move(row, feed, fetched)
        row.etag, row.last_modified = new_validators(fetched, row.etag, row.last_modified)
        # a first poll that left items for later is not over: the next poll stores the rest of
        # the first listing as it would have (undated entries as backfill, not alerted)
        record_poll(row, now, fetched.status, failures=0, next_poll_at=next_poll, last_success_at=now,
                    first_success_at=row.first_success_at or (None if held else now), failure_reported=False)
        read, drop, problem = _note_parse(row, feed, parsed, now)
        _note_left_out(row, now, refused, held, held_limit)
    _log_move(feed, fetched, moved)
    stored = len(new_ids) + backfilled
    status: Status = (
        "not_modified" if fetched.not_modified else "new" if stored else "unchanged"
    )
    return PollResult(
        feed=feed.name,
        status=status,
        new_item_ids=new_ids,
        backfilled=backfilled,
        stored=stored,
        redirected_to=moved,
        next_poll_at=next_poll,
        polled_at=now,
        http_status=fetched.status,
        parse_problem=problem,
        articles=articles or 0,
        items_read=read,
        item_drop=drop is not None,
        skipped=skipped,
        refused=list(refused),
        held=held,
    )


def _store_still_new(
    session: Session, feed_id: int, items: Sequence[tuple[NormalizedItem, bool]], now: datetime,
) -> tuple[list[int], int, int]:
    """Store the items not known yet: (the new items' ids, the backfilled, those stored
    meanwhile). Looked up again: another feed's poll may have stored some since (its write ran
    before this one in the polls' thread or another replica's, or while articles were fetched)."""
    still_new = {id(i) for i in unknown(session, feed_id, [i for i, _ in items])}
    rows = [(i, b) for i, b in items if id(i) in still_new]
    ids = insert_new(session, feed_id, rows, now)
    new_ids = [i for i, (_, b) in zip(ids, rows, strict=True) if not b]
    return new_ids, len(ids) - len(new_ids), len(items) - len(rows)


def _follow_move(row: Feed, feed: FeedConfig, fetched: FetchResult) -> str | None:
    """The feed's new URL, remembered on its row, when it moved permanently (None: it did not)."""
    moved = moved_to(feed, fetched)
    if moved:
        if stored_url(moved) == moved:  # none with credentials
            row.effective_url = moved
    elif fetched.permanent_redirect or fetched.url == feed.url:
        # the site moved the feed back to the URL in feeds.yaml, or that URL answered
        # when the remembered one failed: nothing to remember any more
        row.effective_url = None
    return moved


def _note_parse(
    row: Feed, feed: FeedConfig, parsed: ParsedFeed | None, now: datetime,
) -> tuple[int | None, str | None, str | None]:
    """(a page's items read, the drop in them judged, the feed's parse problem now), the
    last two kept on its row."""
    read: int | None = None  # a page's items read (item_counts)
    drop: str | None = None
    if parsed is not None and parsed.format == "page" and feed.selectors is not None:
        read = len(parsed.entries)
        row.item_counts, drop = judged(row.item_counts, counts_key(feed), read, feed.selectors.item, now)
    problem: str | None = None
    if parsed is not None:
        problem = "; ".join(filter(None, [parsed.problem, drop])) or None
        row.parse_problem = problem
    return read, drop, problem


def _note_left_out(row: Feed, now: datetime, refused: Sequence[str], held: int, held_limit: int) -> None:
    """The poll worked, but the operator should see what it left out: links refused by the
    outbound policy, new items over the poll's limit."""
    if refused:
        row.last_error = (
            f"links refused by the outbound policy: {', '.join(refused)} "
            "(non-public addresses; see settings.allow_private)"
        )
        row.last_error_at = now
    if held:  # fetch in full next time (no 304), so the rest is stored then
        row.etag = row.last_modified = None
        row.last_error = (
            f"{held} new items over max_new_items_per_poll ({held_limit}) not stored; "
            "a later poll stores them while the feed still lists them"
        )
        row.last_error_at = now


def _log_move(feed: FeedConfig, fetched: FetchResult, moved: str | None) -> None:
    if moved:
        log.warning(
            "%s moved permanently: %s -> %s (update feeds.yaml)",
            feed.name, redact_secrets(fetched.url), redact_secrets(moved),
        )
    elif fetched.permanent_redirect:
        log.info("%s moved back to the URL in feeds.yaml (%s -> %s)", feed.name,
                 redact_secrets(fetched.url), redact_secrets(fetched.permanent_redirect))
