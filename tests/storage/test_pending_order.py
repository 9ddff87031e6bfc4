"""The order the pipeline takes pending items in (storage.items.unclassified_ids)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.items import unclassified_ids
from storage.models import Feed, Item

DAY = datetime(2026, 1, 9, tzinfo=UTC)  # a feed of dates only: every item at midnight


def _store(session, feed: Feed, titles: list[str], when: datetime) -> None:
    for t in titles:  # in the order a poll stores them: each feed oldest first
        session.add(Item(feed_id=feed.id, guid=t, title=t, published_at=when, content_hash=t))
    session.flush()


def test_feeds_of_one_time_are_interleaved_by_place_in_their_run_not_taken_feed_after_feed(any_db):
    with any_db.session() as s:
        late, early = Feed(name="late", url="https://late.example/rss"), Feed(name="early", url="https://e.example/rss")
        s.add_all([late, early])
        s.flush()
        # the poll of "late" ended first, so its items were stored first
        _store(s, late, ["L1", "L2", "L3", "L4"], DAY)
        _store(s, early, ["E1", "E2"], DAY)
        _store(s, early, ["E0"], DAY - timedelta(days=1))
        titles = {i.id: i.title for i in s.query(Item)}
        order = [titles[i] for i in unclassified_ids(s, 10)]
        # the day before first; then a quarter of "late"'s day, half of it, ... beside "early"'s
        # (L at 1/8, 3/8, 5/8, 7/8; E at 1/4, 3/4)
        assert order == ["E0", "L1", "E1", "L2", "L3", "E2", "L4"]
        assert [titles[i] for i in unclassified_ids(s, 3)] == ["E0", "L1", "E1"]
        assert [titles[i] for i in unclassified_ids(s, 10, feed_id=early.id)] == ["E0", "E1", "E2"]
        skip = [i for i, t in titles.items() if t == "L1"]
        assert [titles[i] for i in unclassified_ids(s, 2, skip=skip)] == ["E0", "E1"]


def test_the_order_does_not_depend_on_which_poll_was_stored_first(any_db):
    with any_db.session() as s:
        a, b = Feed(name="a", url="https://a.example/rss"), Feed(name="b", url="https://b.example/rss")
        s.add_all([a, b])
        s.flush()
        _store(s, b, ["b1", "b2", "b3"], DAY)  # b's answer came first
        _store(s, a, ["a1", "a2", "a3"], DAY)
        titles = {i.id: i.title for i in s.query(Item)}
        # one item of each at each place in the day; equal places go by feed
        assert [titles[i] for i in unclassified_ids(s, 10)] == ["a1", "b1", "a2", "b2", "a3", "b3"]
