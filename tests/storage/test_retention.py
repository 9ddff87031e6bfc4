"""Retention prunes old items that never matched, and keeps everything an alert relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.items import prune_unmatched_items
from storage.models import Count, Feed, Item, Match, Story

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OLD = NOW - timedelta(days=120)


def _item(feed: Feed, guid: str, fetched: datetime, **kw) -> Item:
    return Item(feed=feed, guid=guid, title=guid, summary="", published_at=fetched, fetched_at=fetched,
                content_hash=guid, classified_at=fetched, **kw)


def test_prunes_only_old_unmatched_items(any_db):
    with any_db.session() as s:
        feed = Feed(name="f", url="https://x.org/feed", consecutive_failures=0)
        story = Story(title="s", topics=["political_prisoners"])
        matched = _item(feed, "old-matched", OLD)
        matched.matches.append(Match(topic="political_prisoners", urgency="high", terms=[], explain=[]))
        counted = _item(feed, "old-counted", OLD)
        counted.counts.append(Count(event="released", number=3, source=None))
        s.add_all([
            _item(feed, "old-noise-1", OLD), _item(feed, "old-noise-2", OLD), matched, counted,
            _item(feed, "old-in-story", OLD, story=story),
            _item(feed, "unclassified", OLD, ), _item(feed, "recent-noise", NOW - timedelta(days=5)),
        ])
        s.flush()
        s.scalars(select(Item).where(Item.guid == "unclassified")).one().classified_at = None
    with any_db.session() as s:
        pruned = prune_unmatched_items(s, NOW - timedelta(days=90))
    with any_db.session() as s:
        left = set(s.scalars(select(Item.guid)))
    assert pruned == 2
    assert left == {"old-matched", "old-counted", "old-in-story", "unclassified", "recent-noise"}
