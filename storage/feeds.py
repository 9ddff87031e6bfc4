"""Feeds: their rows kept in step with feeds.yaml, the poll state ingestion reads and
writes, pauses, and their health for `monitor status`, /healthz and the admin chat."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import Feed, Item


def _keep_in_step(session: Session, row: Feed | None, name: str, url: str) -> Feed:
    """The row of feed `name` at `url`: created when missing; a changed URL resets its
    polling state (new URL, no remembered redirect, no validators)."""
    if row is None:
        row = Feed(name=name, url=url, consecutive_failures=0)
        session.add(row)
    elif row.url != url:
        row.url, row.effective_url, row.etag, row.last_modified = url, None, None, None
    return row


def sync_feeds(session: Session, feeds: Iterable[tuple[str, str]]) -> dict[str, Feed]:
    """Make sure every configured (name, url) has a row; a changed URL resets its polling
    state, and a renamed feed keeps its row (`_renamed`)."""
    feeds = list(feeds)
    rows = {f.name: f for f in session.scalars(select(Feed))}
    for row, name in _renamed(rows, feeds):
        del rows[row.name]
        row.name = name
        rows[name] = row
    out = {name: _keep_in_step(session, rows.get(name), name, url) for name, url in feeds}
    session.flush()
    return out


def _renamed(rows: dict[str, Feed], feeds: list[tuple[str, str]]) -> list[tuple[Feed, str]]:
    """(row, new name) of the feeds renamed in feeds.yaml: a name without a row whose URL is
    the only new name of that URL, and the row of that URL no configured name has (the most
    recently polled, when several). The row keeps its items, health, back-off and pause, so
    the feed is not a new one (its items stored and alerted again, a pause lost)."""
    configured = {name for name, _ in feeds}
    new: dict[str, list[str]] = {}
    for name, url in feeds:
        if name not in rows:
            new.setdefault(url, []).append(name)
    left = sorted((r for r in rows.values() if r.name not in configured),
                  key=lambda r: (r.last_polled_at is not None, r.last_polled_at or r.created_at, r.id))
    old = {r.url: r for r in left}  # the last of each URL wins: the most recently polled
    return [(old[url], names[0]) for url, names in new.items() if len(names) == 1 and url in old]


def feed_row(session: Session, name: str, url: str) -> Feed:
    """The row of one configured feed (a poll's state), in step with its configured URL."""
    row = _keep_in_step(session, feed_named(session, name), name, url)
    if row.id is None:
        session.flush()
    return row


def record_poll(
    row: Feed, polled_at: datetime, status: int | None, *, failures: int, next_poll_at: datetime,
    **columns: object,
) -> None:
    """Write one poll's outcome on the feed's row: when it ran, the HTTP status, failures in
    a row, the next poll, and the other `columns` given (last error, last success...)."""
    row.last_polled_at, row.last_status = polled_at, status
    row.consecutive_failures, row.next_poll_at = failures, next_poll_at
    for name, value in columns.items():
        setattr(row, name, value)


def feed_named(session: Session, name: str) -> Feed | None:
    return session.scalars(select(Feed).where(Feed.name == name)).first()


def paused_feed_names(session: Session) -> set[str]:
    return set(session.scalars(select(Feed.name).where(Feed.paused.is_(True))))


@dataclass(frozen=True)
class FeedHealth:
    name: str
    url: str
    paused: bool
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    items: int
    consecutive_failures: int
    next_poll_at: datetime | None
    parse_problem: str | None = None

    @property
    def problem(self) -> str | None:
        """What the last successful poll's parse complained of (items without a title, a page
        cut): None while the feed fails, whose last error says it, and its stored complaint is
        its last success's."""
        return None if self.consecutive_failures else self.parse_problem


def feed_health(session: Session) -> list[FeedHealth]:
    counts = dict(
        session.execute(select(Item.feed_id, func.count(Item.id)).group_by(Item.feed_id)).all()
    )
    rows = session.scalars(select(Feed).order_by(Feed.name))
    return [
        FeedHealth(
            name=f.name,
            url=f.effective_url or f.url,
            paused=f.paused,
            last_success_at=f.last_success_at,
            last_error=f.last_error,
            last_error_at=f.last_error_at,
            items=counts.get(f.id, 0),
            consecutive_failures=f.consecutive_failures,
            next_poll_at=f.next_poll_at,
            parse_problem=f.parse_problem,
        )
        for f in rows
    ]


def last_successful_poll(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Feed.last_success_at)))


def feed_next_polls(session: Session, now: datetime | None = None,
                    intervals: Mapping[str, timedelta] | None = None) -> dict[str, datetime | None]:
    """Each feed's stored next poll time. With `now`, a feed last polled after `now` (the clock
    was set back since, the service stopped meanwhile) gets the wait its last poll chose from
    now (`next - last`), not the stored time: that was a time of the old clock, and the
    scheduler held a feed with a next poll ahead for up to max_backoff (6 h). With `intervals`
    (the config's), a feed whose last poll succeeded is due an interval after it at the latest:
    its stored time was set by the interval of then, and an interval shortened while the
    service was stopped waited for it (a day, where feeds.yaml now says 10 minutes); a failing
    feed keeps its backoff."""
    rows = session.execute(select(Feed.name, Feed.next_poll_at, Feed.last_polled_at, Feed.consecutive_failures)).all()
    out: dict[str, datetime | None] = {}
    for name, next_at, last, failures in rows:
        if now is not None and next_at is not None and last is not None and last > now:
            next_at = now + max(next_at - last, timedelta(0))
        elif intervals is not None and next_at is not None and last is not None and not failures \
                and (interval := intervals.get(name)) is not None:
            next_at = min(next_at, last + interval)
        out[name] = next_at
    return out


def unreported_failing_feeds(session: Session, names: list[str], threshold: int) -> list[Feed]:
    """Feeds among `names` failing `threshold` polls in a row whose operators were not told
    yet, by name."""
    return list(session.scalars(select(Feed).where(
        Feed.name.in_(names), Feed.failure_reported.is_(False),
        Feed.consecutive_failures >= threshold,
    ).order_by(Feed.name)))


def mark_feed_reported(session: Session, name: str) -> None:
    stmt = update(Feed).where(Feed.name == name).values(failure_reported=True)
    session.execute(stmt.execution_options(synchronize_session=False))


def feed_names_by_id(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Feed.id, Feed.name)).all())


def write_poll_states(session: Session, rows: list[dict[str, object]]) -> None:
    """Many feeds' poll outcomes in one statement (executemany by primary key): each dict has
    the row's `id` and the columns to set, the same columns in every dict."""
    if rows:
        session.execute(update(Feed), rows)
