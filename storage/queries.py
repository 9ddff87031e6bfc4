"""The lookups and updates the pipeline and the CLI make, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Alert, Channel, Feed, Item


def sync_feeds(session: Session, feeds: Iterable[tuple[str, str]]) -> dict[str, Feed]:
    """Make sure every configured (name, url) has a row; a changed URL resets its polling state."""
    rows = {f.name: f for f in session.scalars(select(Feed))}
    out: dict[str, Feed] = {}
    for name, url in feeds:
        feed = rows.get(name)
        if feed is None:
            feed = Feed(name=name, url=url, consecutive_failures=0)
            session.add(feed)
        elif feed.url != url:
            feed.url = url
            feed.effective_url = None
            feed.etag = None
            feed.last_modified = None
        out[name] = feed
    session.flush()
    return out


def sync_channels(session: Session, channels: Iterable[tuple[str, str]]) -> dict[str, Channel]:
    """Rows for configured (name, chat_id).

    A chat id changed in the file wins over an earlier chat migration, and
    re-enables a channel that a 403 disabled (the operator fixed the target).
    """
    rows = {c.name: c for c in session.scalars(select(Channel))}
    out: dict[str, Channel] = {}
    for name, chat_id in channels:
        channel = rows.get(name)
        if channel is None:
            channel = Channel(name=name, chat_id=chat_id, configured_chat_id=chat_id, disabled=False)
            session.add(channel)
        elif channel.configured_chat_id != chat_id:
            channel.chat_id = chat_id
            channel.configured_chat_id = chat_id
            channel.disabled = False
            channel.disabled_reason = None
        out[name] = channel
    session.flush()
    return out


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
        )
        for f in rows
    ]


def queue_summary(session: Session) -> dict[str, dict[str, int]]:
    """Alert counts per channel and status, e.g. {"prisoners": {"pending": 2, "sent": 40}}."""
    out: dict[str, dict[str, int]] = {}
    stmt = select(Alert.channel, Alert.status, func.count(Alert.id)).group_by(
        Alert.channel, Alert.status
    )
    for channel, status, n in session.execute(stmt):
        out.setdefault(channel, {})[status] = n
    return out


def disabled_channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).where(Channel.disabled.is_(True))))


def prune_unmatched_items(session: Session, older_than: datetime) -> int:
    """Retention: delete items fetched before `older_than` that never matched a topic.

    Items in a story, with matches or counts are kept, and so is each feed's
    newest item (its GUID keeps a feed from re-announcing it).
    """
    from sqlalchemy import delete, exists

    from storage.models import Count, Match

    newest = select(func.max(Item.id)).group_by(Item.feed_id)
    stmt = delete(Item).where(
        Item.fetched_at < older_than,
        Item.classified_at.is_not(None),
        Item.story_id.is_(None),
        ~exists().where(Match.item_id == Item.id),
        ~exists().where(Count.item_id == Item.id),
        Item.id.not_in(newest),
    )
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def queue_depth(session: Session) -> int:
    stmt = select(func.count(Alert.id)).where(Alert.status.in_(("pending", "sending")))
    return int(session.scalar(stmt) or 0)


def last_successful_poll(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Feed.last_success_at)))


def feed_next_polls(session: Session) -> dict[str, datetime | None]:
    return dict(session.execute(select(Feed.name, Feed.next_poll_at)).all())
