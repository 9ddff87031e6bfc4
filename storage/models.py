"""Database models: feeds and their polling state, items, matches, counts,
stories, channels and the alert outbox.

Times are stored as timezone-aware UTC (`UTCDateTime`), on SQLite as well as
PostgreSQL, so comparisons never mix naive and aware values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A DateTime that always comes back timezone-aware in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite keeps the text as given: store it without offset, read it back as UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


MAX_ID = 2**63 - 1  # the largest integer SQLite stores (its driver raises OverflowError past it)


def valid_id(number: int) -> bool:
    """Whether `number` can be a row's id: what an operator typed (`/merge 99999999999999999999`,
    `--near -5`) is looked up only then."""
    return 0 < number <= MAX_ID


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Feed(Base):
    """A source from feeds.yaml and its polling state (keyed by the config name)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(Text)
    effective_url: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    first_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    parse_problem: Mapped[str | None] = mapped_column(Text)
    # a page's items read by its usual polls, and what they are of (monitor/ingest/item_counts.py);
    # read by a page's poll alone, not with every load of the row
    item_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None]
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    failure_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[Item]] = relationship(back_populates="feed", passive_deletes=True)


class Story(Base):
    """A cluster of items from one or more outlets about one event."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    topics: Mapped[list[Any]] = mapped_column(JSON, default=list)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    language: Mapped[str | None] = mapped_column(String(8))
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    counts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_item_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # when its first item that is not backfill joined it; None: backfill alone, never told
    told_at: Mapped[datetime | None]

    items: Mapped[list[Item]] = relationship(back_populates="story")

    __table_args__ = (
        Index("ix_stories_created_at", "created_at"), Index("ix_stories_told_at", "told_at"),
        Index("ix_stories_updated_at", "updated_at"),  # the story index's loads and syncs
        # SQLite: a merged-away story's number is never given to another (migration 0013)
        {"sqlite_autoincrement": True},
    )


class Item(Base):
    """One news item as normalized from a feed or page."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime]
    # its outlet gave a date without a time of day: published_at is 00:00 UTC of that date, and
    # messages show the day alone (alerts/render.py)
    date_only: Mapped[bool] = mapped_column(Boolean, server_default=false())
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Stored as seen but never alerted (first poll backlog, long stop).
    backfill: Mapped[bool] = mapped_column(Boolean, default=False)
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    classified_at: Mapped[datetime | None]
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    # Why the item is in its story: the matcher's signals and scores (alerts/stories/match.py).
    story_match: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The first version of an item its outlet retitled in place with another figure (same GUID
    # or link; monitor/ingest/dedup.py): this row is that revision.
    revision_of: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL", name="fk_items_revision_of"))

    feed: Mapped[Feed] = relationship(back_populates="items")
    story: Mapped[Story | None] = relationship(back_populates="items")
    matches: Mapped[list[Match]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )
    counts: Mapped[list[Count]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("feed_id", "guid", name="uq_items_feed_guid"),
        Index("ix_items_canonical_url", "canonical_url"),
        Index("ix_items_content_hash", "content_hash"),
        Index("ix_items_published_at", "published_at"),
        # the pending items, in the order the pipeline takes them (storage.items.unclassified_ids)
        Index("ix_items_pending", "published_at", "id", sqlite_where=sql_text("classified_at IS NULL"),
              postgresql_where=sql_text("classified_at IS NULL")),
        Index("ix_items_story_id", "story_id"),
        Index("ix_items_revision_of", "revision_of"),
        # retention (storage.items.prune_unmatched_items): the old items outside stories, and
        # whether a feed has an item newer than one (its newest is kept)
        Index("ix_items_unstoried_fetched", "fetched_at", "id", sqlite_where=sql_text("story_id IS NULL"),
              postgresql_where=sql_text("story_id IS NULL")),
        Index("ix_items_feed_newest", "feed_id", "id"),
    )


class Match(Base):
    """An item's match of one topic, with the terms that made it (explainable)."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(100))
    urgency: Mapped[str] = mapped_column(String(10))
    terms: Mapped[list[Any]] = mapped_column(JSON, default=list)
    explain: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[Item] = relationship(back_populates="matches")

    __table_args__ = (
        UniqueConstraint("item_id", "topic", name="uq_matches_item_topic"),
        Index("ix_matches_topic_created", "topic", "created_at"),
    )


class Count(Base):
    """A figure stated in an item: so many released, arrested, held or dead."""

    __tablename__ = "counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200))
    # the rule that read it is trusted (core/count.py); the tally uses confident counts only
    confident: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # people on top of a figure told before ("otros tres"): not a running total, off the tally
    additional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the group counted when the figure counts a part ("entre ellos 180 militares": "military",
    # core/count.py): no total, off the tally
    part: Mapped[str | None] = mapped_column(String(40))
    # how exactly it was stated ("más de 400": "more than"), quoted by alerts and the tally
    qualifier: Mapped[str | None] = mapped_column(String(20))
    # the upper end of the range this figure opens ("entre 56 y 76": 56 with upto 76; the 76 is
    # stored too): the tally reads the range as one figure, its lower end
    upto: Mapped[int | None] = mapped_column(Integer)

    item: Mapped[Item] = relationship(back_populates="counts")

    __table_args__ = (
        Index("ix_counts_item_id", "item_id"),
        # the ranges' lower ends (storage.tally.range_ends), read at each tally without a scan
        Index("ix_counts_ranges", "item_id", sqlite_where=sql_text("upto IS NOT NULL"),
              postgresql_where=sql_text("upto IS NOT NULL")),
    )


class Channel(Base):
    """Delivery state of a channel from feeds.yaml (a 403 disables it, a migration moves it)."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[str] = mapped_column(String(100))  # in use (after any chat migration)
    configured_chat_id: Mapped[str | None] = mapped_column(String(100))  # as in feeds.yaml
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    last_digest_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """The outbox: one message to send (or edit) in one channel.

    `dedupe_key` is unique, so queueing the same alert twice is a no-op; the
    delivery worker claims rows by moving them from `pending` to `sending`.
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(200))
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20), default="new")  # new|edit|update|digest|test|photo
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|sending|sent|failed
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    # the outbox key the row was claimed under, which its send is journaled under
    # (core/restore_marks.py): a merge or split may re-key the row while its message is on its way
    claimed_key: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)
    telegram_message_id: Mapped[int | None] = mapped_column(Integer)
    reply_to_alert_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_alerts_status_next", "status", "next_attempt_at"),
        Index("ix_alerts_channel_story", "channel", "story_id"),
        Index("ix_alerts_story", "story_id"),  # a merge's, a split's, a /wrong's reads (0028)
        Index("ix_alerts_sent_at", "sent_at"),  # a chat's sends of the last window (alerts/delivery/claims.py)
        # the last hour's or day's alerts of a channel, or of a kind (the hourly limit, the folds,
        # digests), without reading the outbox's whole history (migration 0023)
        Index("ix_alerts_channel_created", "channel", "created_at"),
        Index("ix_alerts_kind_created", "kind", "created_at"),
        Index("ix_alerts_channel_status", "channel", "status"),  # the queue's counts, from the index alone
        Index("ix_alerts_message", "telegram_message_id"),  # an operator's reply to a message (0024)
    )


NAME_CHARS = 200  # a watched person's name and key (PostgreSQL refuses longer ones)


class WatchedPerson(Base):
    """A person whose name makes an item about political prisoners (docs/MATCHING.md).

    `key` is the folded name (accents and case removed), unique; `name` is kept as
    first written, for display. A removed person stays as a row so that it is never
    learned again from the news; only an operator can add it back.
    """

    __tablename__ = "watched_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_CHARS))
    key: Mapped[str] = mapped_column(String(NAME_CHARS), unique=True)
    origin: Mapped[str] = mapped_column(String(20))  # seed | learned | operator
    source_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("items.id", ondelete="SET NULL")
    )
    source_url: Mapped[str | None] = mapped_column(Text)
    source_title: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removed_at: Mapped[datetime | None]

    # an item's deletion (retention) sets source_item_id to NULL: found by the index, not a scan
    __table_args__ = (Index("ix_watched_people_source_item_id", "source_item_id"),)


class Feedback(Base):
    """An operator's correction from the admin chat: a missed item, a wrong alert, a split story.

    `topic` is the topic the operator corrects (added for `miss`, taken away for
    `wrong`); title and summary are copied so the label outlives the item's retention.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # miss | wrong | split
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    alert_id: Mapped[int | None] = mapped_column(Integer)
    story_id: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(8))
    topic: Mapped[str | None] = mapped_column(String(100))
    operator: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_feedback_kind_created", "kind", "created_at"), Index("ix_feedback_item_id", "item_id"),
        # the tally's check of each figure against the operators' /wrong (migration 0023)
        Index("ix_feedback_kind_item", "kind", "item_id"),
    )


class Lease(Base):
    """A named lease shared by replicas on one database: `leader` (digests, retention, the
    admin chat) and `poll:<feed>` (who polls a feed this interval). Taken or renewed by
    an atomic conditional write (storage/leases.py); expired leases are free to take. One row
    is no lease: `menu:admin-chat` names the chat that holds the command menu."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)


class TallyPin(Base):
    """The live figures pinned at the top of a channel with `pin_tally: true`
    (alerts/tally/pin.py): the message's id and text, when it was sent and last edited,
    whether it is pinned, why pinning was refused and whether the operator was told."""

    __tablename__ = "tally_pins"

    channel: Mapped[str] = mapped_column(String(200), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100))
    message_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pin_refused: Mapped[str | None] = mapped_column(Text)
    refusal_reported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sent_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
