"""Stories: the lookups of the story report (`monitor stories`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Story


def stories_updated_since(session: Session, since: datetime) -> list[Story]:
    """Stories with an item since `since`, oldest story first."""
    return list(session.scalars(
        select(Story).where(Story.updated_at >= since).order_by(Story.created_at, Story.id)
    ))
