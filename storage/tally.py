"""The stored figures behind the tally: every count joined with its item's date and link,
its feed and the topics the item matched. One plain SELECT, no ORM objects, so 100,000
counts load in a fraction of a second."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Count, Feed, Item, Match


class StoredFigure(NamedTuple):
    """One count as stored, with what the tally needs of its item."""

    count_id: int
    topic: str
    event: str
    number: int
    source: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    url: str | None
    feed: str


def stored_figures(
    session: Session, *, since: datetime | None = None, topic: str | None = None
) -> Iterator[StoredFigure]:
    """Counts of matched items, oldest first, one row per (count, topic the item matched).

    `since` keeps items published (or, undated, fetched) at or after it."""
    stmt = (
        select(
            Count.id, Match.topic, Count.event, Count.number, Count.source,
            Item.published_at, Item.fetched_at, Item.url, Feed.name,
        )
        .join(Item, Item.id == Count.item_id)
        .join(Feed, Feed.id == Item.feed_id)
        .join(Match, Match.item_id == Item.id)
        .order_by(Item.published_at, Count.id)
    )
    if topic is not None:
        stmt = stmt.where(Match.topic == topic)
    if since is not None:
        stmt = stmt.where((Item.published_at >= since) | (Item.fetched_at >= since))
    for row in session.execute(stmt):
        yield StoredFigure(*row)
