"""One poll of one feed: fetch (conditional), parse, normalize, dedupe, fetch article
text, store new items, and record the feed's health and next poll time.

`poll_feed` is what the service calls. It never raises for a feed problem: a
network error, an HTTP error or a document that is not a feed becomes an
"error" PollResult, the Feed row records it, and the next poll backs off.

Dedup: an item is known when the same feed already has its GUID, when any feed
has its canonical URL, or when the same feed has an item with the same title
and text (content_hash; republished with a new GUID and URL). The hash is not
compared across feeds: two outlets running the same wire copy are two reports
of one story, which the story clustering downstream wants to see.

No flood: dated items older than settings.backfill_window are stored with
backfill=True (never alerted). On a feed's first successful poll, or after it
has not succeeded for longer than the window (a long stop), undated items are
backfilled too.

Outbound policy: the feed's URL as the operator wrote it is trusted (its origin
is registered with the fetcher); item links and every redirect are checked. A
permanent redirect to a refused address fails the poll and is not remembered;
article links that were refused are named in the feed's last_error. URLs are
shown without their userinfo.

Limits per feed (settings, overridable per feed): at most max_entries_per_document
entries of a document are read (the rest are named in the parse problem), and at most
max_new_items_per_poll new items are stored per poll, the most recent first; the rest are
named in last_error and stored by later polls (the next fetch is unconditional). Documents
above INLINE_PARSE_BYTES are parsed and cleaned in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session

from core.config import FeedConfig, Settings
from core.durations import format_duration
from monitor.article import LITTLE_TEXT, fetch_article
from monitor.fetch.client import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchResult
from monitor.fetch.redact import redact_userinfo
from monitor.normalize import NormalizedItem, normalize_entry
from monitor.parse import ParsedFeed, parse_any
from monitor.parse.page import parse_page
from storage.db import Database
from storage.models import Feed, Item

log = logging.getLogger("monitor.ingest")

Status = Literal["new", "unchanged", "not_modified", "error"]
_CHUNK = 400
MAX_FAILURE_EXPONENT = 16
INLINE_PARSE_BYTES = 16_000  # larger documents are parsed and cleaned in a worker thread


@dataclass
class PollResult:
    feed: str
    status: Status
    new_item_ids: list[int] = field(default_factory=list)  # stored, not backfill: to classify
    backfilled: int = 0
    stored: int = 0
    error: str | None = None
    redirected_to: str | None = None  # a permanent redirect: the feed's new URL
    next_poll_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration: float = 0.0
    polled_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    http_status: int | None = None
    consecutive_failures: int = 0
    parse_problem: str | None = None
    articles: int = 0  # article pages fetched and extracted
    skipped: int = 0  # entries already stored (or duplicated within the document)
    refused: list[str] = field(default_factory=list)  # hosts the outbound policy refused
    held: int = 0  # new items over max_new_items_per_poll, left for a later poll

    @property
    def ok(self) -> bool:
        return self.status != "error"

    def summary_line(self) -> str:
        """One line for the operator, e.g. `foro-penal: error: HTTP 500 (2 failures ...)`."""
        wait = format_duration(max(timedelta(0), self.next_poll_at - self.polled_at))
        if self.status == "error":
            n = self.consecutive_failures
            times = f"{n} failure{'s' if n != 1 else ''} in a row"
            return f"{self.feed}: error: {self.error} ({times}, next try in {wait})"
        if self.status == "not_modified":
            line = f"{self.feed}: 304 not modified"
        elif self.status == "unchanged":
            line = f"{self.feed}: no new items"
        else:
            line = f"{self.feed}: {len(self.new_item_ids)} new"
            if self.backfilled:
                line += f", {self.backfilled} older stored without alerts"
        extras = []
        if self.redirected_to:
            extras.append(f"moved permanently to {redact_userinfo(self.redirected_to)}")
        if self.refused:
            extras.append(f"links refused: {', '.join(self.refused)}")
        if self.held:
            extras.append(f"{self.held} more new items left for a later poll (max_new_items_per_poll)")
        if self.parse_problem:
            extras.append(f"parse problem: {self.parse_problem[:120]}")
        return line + (f" ({'; '.join(extras)})" if extras else "")


@dataclass
class _State:
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


async def poll_feed(
    feed: FeedConfig,
    settings: Settings,
    fetcher: Fetcher,
    db: Database,
    *,
    now: datetime | None = None,
) -> PollResult:
    """Poll `feed` once; never raises for a feed problem (see the module docstring)."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    try:
        result = await _poll(feed, settings, fetcher, db, now)
    except Exception as exc:  # a bug or a database problem: report it on the feed, stay up
        log.exception("poll of %s failed unexpectedly", feed.name)
        error = f"internal error: {type(exc).__name__}: {str(exc)[:300]}"
        try:
            result = _record_failure(db, feed, settings, now, error, None, None)
        except Exception:  # the database itself is failing: report without recording
            log.exception("cannot record the failure of %s", feed.name)
            result = PollResult(
                feed=feed.name, status="error", error=error, polled_at=now,
                next_poll_at=now + backoff_delay(feed.interval, 1, settings.max_backoff),
                consecutive_failures=1,
            )
    result.duration = time.perf_counter() - started
    return result


async def _poll(
    feed: FeedConfig, settings: Settings, fetcher: Fetcher, db: Database, now: datetime
) -> PollResult:
    fetcher.trust(feed.url)  # the operator's own URL, as written
    fetcher.allow_private(settings.allow_private)
    state = _load_state(db, feed)
    is_page = feed.type == "page"
    fetched = await fetcher.fetch(
        state.url,
        etag=state.etag,
        last_modified=state.last_modified,
        accept=PAGE_ACCEPT if is_page else FEED_ACCEPT,
        check_robots=is_page,
    )
    if not fetched.ok:
        return _record_failure(
            db, feed, settings, now, fetched.error or "fetch failed", fetched.status,
            fetched.retry_after, forget_move=fetched.refused is not None,
        )
    if fetched.not_modified:
        return _record_success(db, feed, settings, now, fetched, None, [], 0)

    limits = feed.limits(settings)
    if len(fetched.body) > INLINE_PARSE_BYTES:  # keep the event loop responsive
        parsed, items = await asyncio.to_thread(
            _read, feed, fetched, now, limits.max_entries_per_document)
    else:  # a thread hop costs more than parsing a small document blocks the loop
        parsed, items = _read(feed, fetched, now, limits.max_entries_per_document)
    if parsed.fatal:
        problem = parsed.problem or "no entries could be read"
        return _record_failure(
            db, feed, settings, now, problem, fetched.status, None, parse_problem=problem
        )

    if not items and parsed.problems:  # ill-formed and nothing usable came out of it
        problem = f"no usable entries: {parsed.problem}"
        return _record_failure(
            db, feed, settings, now, problem, fetched.status, None, parse_problem=problem
        )
    with db.session() as session:
        fresh = _unknown(session, state.feed_id, items)
    skipped = len(items) - len(fresh)
    fresh, held = _newest(fresh, limits.max_new_items_per_poll)
    if held:
        log.warning(
            "%s: %d new items over max_new_items_per_poll (%d) left for a later poll",
            feed.name, held, limits.max_new_items_per_poll,
        )
    backfill = _backfill_flags(fresh, state, settings, now)
    refused: list[str] = []
    articles = await _fetch_articles(feed, settings, fetcher, fresh, backfill, refused)
    return _record_success(
        db, feed, settings, now, fetched, parsed, list(zip(fresh, backfill, strict=True)),
        articles, skipped=skipped, recheck=articles is not None, refused=refused,
        held=held, held_limit=limits.max_new_items_per_poll,
    )


# -- feed state ---------------------------------------------------------------


def _feed_row(session: Session, feed: FeedConfig) -> Feed:
    row = session.scalars(select(Feed).where(Feed.name == feed.name)).first()
    if row is None:
        row = Feed(name=feed.name, url=feed.url, consecutive_failures=0)
        session.add(row)
        session.flush()
    elif row.url != feed.url:  # the config changed and nobody synced: start afresh
        row.url, row.effective_url, row.etag, row.last_modified = feed.url, None, None, None
    return row


def _load_state(db: Database, feed: FeedConfig) -> _State:
    with db.session() as session:
        row = _feed_row(session, feed)
        return _State(
            feed_id=row.id,
            url=row.effective_url or row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            first_success_at=row.first_success_at,
            last_success_at=row.last_success_at,
            failures=row.consecutive_failures or 0,
        )


def _record_failure(
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
) -> PollResult:
    error = redact_userinfo(error)
    if retry_after is not None:
        error = f"{error} (Retry-After {format_duration(timedelta(seconds=retry_after)) or '0s'})"
    with db.session() as session:
        row = _feed_row(session, feed)
        failures = (row.consecutive_failures or 0) + 1
        next_poll = now + backoff_delay(feed.interval, failures, settings.max_backoff, retry_after)
        row.last_status = status
        row.last_polled_at = now
        row.last_error = error
        row.last_error_at = now
        row.consecutive_failures = failures
        row.next_poll_at = next_poll
        if parse_problem is not None:
            row.parse_problem = parse_problem
        if forget_move:  # a remembered new URL now refused: back to the operator's URL
            row.effective_url = None
    log.warning("%s: %s (failure %d in a row)", feed.name, error, failures)
    return PollResult(
        feed=feed.name, status="error", error=error, next_poll_at=next_poll, polled_at=now,
        http_status=status, consecutive_failures=failures, parse_problem=parse_problem,
    )


def _record_success(
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
    recheck: bool = False,
    refused: Sequence[str] = (),
    held: int = 0,
    held_limit: int = 0,
) -> PollResult:
    next_poll = now + feed.interval
    new_ids: list[int] = []
    backfilled = 0
    with db.session() as session:
        row = _feed_row(session, feed)
        if items:
            rows = list(items)
            if recheck:  # another poll may have stored some while articles were fetched
                still_new = {id(i) for i in _unknown(session, row.id, [i for i, _ in items])}
                rows = [(i, b) for i, b in items if id(i) in still_new]
                skipped += len(items) - len(rows)
            ids = _insert(session, row.id, rows, now)
            new_ids = [i for i, (_, b) in zip(ids, rows, strict=True) if not b]
            backfilled = len(ids) - len(new_ids)
        if fetched.permanent_redirect and fetched.permanent_redirect != row.url:
            row.effective_url = fetched.permanent_redirect
        row.etag = fetched.headers.get("etag") or (row.etag if fetched.not_modified else None)
        row.last_modified = fetched.headers.get("last-modified") or (
            row.last_modified if fetched.not_modified else None
        )
        row.last_status = fetched.status
        row.last_polled_at = now
        row.last_success_at = now
        row.first_success_at = row.first_success_at or now
        row.consecutive_failures = 0
        row.failure_reported = False
        row.next_poll_at = next_poll
        if parsed is not None:
            row.parse_problem = parsed.problem
        if refused:  # the poll worked, but the operator should see what was refused
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
    if fetched.permanent_redirect:
        log.warning(
            "%s moved permanently: %s -> %s (update feeds.yaml)",
            feed.name, redact_userinfo(fetched.url), redact_userinfo(fetched.permanent_redirect),
        )
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
        redirected_to=fetched.permanent_redirect,
        next_poll_at=next_poll,
        polled_at=now,
        http_status=fetched.status,
        parse_problem=parsed.problem if parsed else None,
        articles=articles or 0,
        skipped=skipped,
        refused=list(refused),
        held=held,
    )


# -- items --------------------------------------------------------------------


def _read(
    feed: FeedConfig, fetched: FetchResult, now: datetime, max_entries: int
) -> tuple[ParsedFeed, list[NormalizedItem]]:
    """Parse and normalize (CPU-bound: run in a worker thread for large documents); entries
    beyond `max_entries` are not read, and the problem says so."""
    parsed = _parse(feed, fetched)
    if parsed.fatal:
        return parsed, []
    if len(parsed.entries) > max_entries:
        parsed.problems.append(
            f"{len(parsed.entries) - max_entries} of {len(parsed.entries)} entries not read "
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


def _parse(feed: FeedConfig, fetched: FetchResult) -> ParsedFeed:
    if feed.type == "page":
        assert feed.selectors is not None
        return parse_page(fetched.body, fetched.headers, fetched.final_url, feed.selectors)
    return parse_any(fetched.body, fetched.headers, fetched.final_url)


def _normalize(
    parsed: ParsedFeed, feed: FeedConfig, base_url: str, now: datetime
) -> list[NormalizedItem]:
    """Normalized items, without duplicates inside the document itself."""
    out: list[NormalizedItem] = []
    guids: set[str] = set()
    urls: set[str] = set()
    for entry in parsed.entries:
        item = normalize_entry(entry, base_url=base_url, language=feed.language, fetched_at=now)
        if item is None or item.guid in guids:
            continue
        if item.canonical_url and item.canonical_url in urls:
            continue
        guids.add(item.guid)
        if item.canonical_url:
            urls.add(item.canonical_url)
        out.append(item)
    return out


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _unknown(session: Session, feed_id: int, items: list[NormalizedItem]) -> list[NormalizedItem]:
    """The items not stored yet (same feed+GUID, any feed+URL, same feed+content hash)."""
    if not items:
        return []
    guids: set[str] = set()
    urls: set[str] = set()
    hashes: set[str] = set()
    all_guids = [i.guid for i in items]
    all_urls = [i.canonical_url for i in items if i.canonical_url]
    all_hashes = [i.content_hash for i in items if i.hashable]
    for start in range(0, max(len(all_guids), len(all_urls), len(all_hashes)), _CHUNK):
        g, u, h = (v[start : start + _CHUNK] for v in (all_guids, all_urls, all_hashes))
        stmt = select(Item.feed_id, Item.guid, Item.canonical_url, Item.content_hash).where(
            or_(
                and_(Item.feed_id == feed_id, Item.guid.in_(g)),
                Item.canonical_url.in_(u),
                Item.content_hash.in_(h),  # the feed is checked below; this uses the index
            )
        )
        for row_feed, guid, url, digest in session.execute(stmt):
            if row_feed == feed_id:
                guids.add(guid)
                hashes.add(digest)
            if url:
                urls.add(url)
    fresh: list[NormalizedItem] = []
    for item in items:
        if item.guid in guids or (item.canonical_url and item.canonical_url in urls):
            continue
        if item.hashable and item.content_hash in hashes:
            continue
        if item.hashable:
            hashes.add(item.content_hash)  # a duplicate later in the same document
        fresh.append(item)
    return fresh


def _backfill_flags(
    items: list[NormalizedItem], state: _State, settings: Settings, now: datetime
) -> list[bool]:
    cutoff = now - settings.backfill_window
    catching_up = state.first_success_at is None or (
        state.last_success_at is not None and state.last_success_at < cutoff
    )
    return [i.published_at < cutoff or (catching_up and not i.dated) for i in items]


def _wants_article(feed: FeedConfig, item: NormalizedItem) -> bool:
    if not item.url or feed.fetch_article == "never":
        return False
    if feed.fetch_article == "always" or feed.type == "page":
        return True
    return len(item.text or "") + len(item.summary) < LITTLE_TEXT


async def _fetch_articles(
    feed: FeedConfig,
    settings: Settings,
    fetcher: Fetcher,
    items: list[NormalizedItem],
    backfill: list[bool],
    refused: list[str],
) -> int | None:
    """Fill `text` of up to article_fetch_limit new, alertable items; returns how many,
    or None when none was attempted (nothing was awaited). Hosts the outbound policy
    refused are added to `refused`."""
    todo = [
        i for i, b in zip(items, backfill, strict=True) if not b and _wants_article(feed, i)
    ][: settings.article_fetch_limit]
    if not todo:
        return None
    results = await asyncio.gather(
        *(fetch_article(fetcher, i.url or "") for i in todo), return_exceptions=True
    )
    done = 0
    for item, outcome in zip(todo, results, strict=True):
        shown = redact_userinfo(item.url or "")
        if isinstance(outcome, BaseException):
            log.warning("%s: article %s: %s", feed.name, shown, redact_userinfo(str(outcome)))
            continue
        if outcome.refused and outcome.refused not in refused:
            refused.append(outcome.refused)
        if outcome.text:
            item.text = outcome.text
            done += 1
        else:
            log.info("%s: no article text for %s: %s", feed.name, shown, outcome.problem)
    return done


def _insert(
    session: Session, feed_id: int, rows: list[tuple[NormalizedItem, bool]], now: datetime
) -> list[int]:
    """Insert the rows (one executemany) and return their ids in the same order."""
    if not rows:
        return []
    values = [
        {
            "feed_id": feed_id,
            "guid": i.guid,
            "url": i.url,
            "canonical_url": i.canonical_url,
            "title": i.title,
            "summary": i.summary,
            "text": i.text,
            "language": i.language,
            "published_at": i.published_at,
            "fetched_at": now,
            "content_hash": i.content_hash,
            "backfill": backfill,
            "entities": [],
        }
        for i, backfill in rows
    ]
    # RETURNING with a guaranteed order makes SQLAlchemy insert row by row on SQLite;
    # (feed_id, guid) is unique, so the ids are looked up afterwards instead.
    session.execute(insert(Item), values)
    guids = [i.guid for i, _ in rows]
    ids: dict[str, int] = {}
    for chunk in _chunks(guids):
        stmt = select(Item.guid, Item.id).where(Item.feed_id == feed_id, Item.guid.in_(chunk))
        ids.update((guid, item_id) for guid, item_id in session.execute(stmt))
    return [ids[g] for g in guids]
