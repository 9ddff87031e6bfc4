"""Stories: the lookups of the story report (`monitor stories`) and of digests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Feed, Item, Story


def stories_updated_since(session: Session, since: datetime) -> list[Story]:
    """Stories with an item since `since`, oldest story first."""
    return list(session.scalars(
        select(Story).where(Story.updated_at >= since).order_by(Story.created_at, Story.id)
    ))


def stories_created_between(session: Session, since: datetime, until: datetime) -> list[Story]:
    """Stories created in (since, until], oldest first (a digest's period)."""
    return list(session.scalars(
        select(Story).where(Story.created_at > since, Story.created_at <= until).order_by(Story.created_at)
    ))


def story_items_with_feed(session: Session, story_id: int) -> list[tuple[Item, str]]:
    """(item, feed name) of the story's items, first reported first."""
    rows = session.execute(
        select(Item, Feed.name).join(Feed, Feed.id == Item.feed_id)
        .where(Item.story_id == story_id).order_by(Item.id)
    ).all()
    return [(item, name) for item, name in rows]
