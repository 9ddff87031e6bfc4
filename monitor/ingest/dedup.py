"""Dedup and store: an item is known when the same feed already has its GUID, when any
feed has its canonical URL, or when the same feed has an item with the same title and text
(content_hash; republished with a new GUID and URL). The hash is not compared across feeds:
two outlets running the same wire copy are two reports of one story, which the story
clustering downstream wants to see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from monitor.ingest.normalize import NormalizedItem
from storage.items import insert_items, stored_keys


def unknown(session: Session, feed_id: int, items: list[NormalizedItem]) -> list[NormalizedItem]:
    """The items not stored yet (same feed+GUID, any feed+URL, same feed+content hash)."""
    if not items:
        return []
    guids, urls, hashes = stored_keys(
        session, feed_id,
        [i.guid for i in items],
        [i.canonical_url for i in items if i.canonical_url],
        [i.content_hash for i in items if i.hashable],
    )
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


def insert_new(
    session: Session, feed_id: int, rows: list[tuple[NormalizedItem, bool]], now: datetime
) -> list[int]:
    """Store new items (with their backfill flag); their ids, in the same order."""
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
    return insert_items(session, feed_id, values)
