"""Retention prunes old items that never matched, and keeps everything an alert relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.items import prune_in_batches, prune_unmatched_items
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


def test_the_wal_file_is_cut_back_after_a_large_retention_pass(tmp_path, monkeypatch):
    """A retention pass deletes many items in one transaction; the SQLite -wal file grew to
    its size and kept it for as long as the service ran (100,000 items: 58 MB). It is cut
    back to `WAL_LIMIT` once checkpointed."""
    from sqlalchemy import insert, text

    import storage.db as db_module
    from storage.db import open_database

    monkeypatch.setattr(db_module, "WAL_LIMIT", 256 * 1024, raising=False)
    path = tmp_path / "m.db"
    db = open_database(f"sqlite:///{path}")
    with db.session() as s:
        feed = Feed(name="f", url="https://x.org/feed", consecutive_failures=0)
        s.add(feed)
        s.flush()
        s.execute(insert(Item), [
            dict(feed_id=feed.id, guid=f"g{i}", title=f"noise {i}", summary="texto " * 40, content_hash=f"h{i}",
                 published_at=OLD, fetched_at=OLD, classified_at=OLD) for i in range(5000)])
    with db.session() as s:
        assert prune_unmatched_items(s, NOW - timedelta(days=90)) == 4999
    wal = tmp_path / "m.db-wal"
    assert wal.stat().st_size > 1024 * 1024
    for n in range(20):  # the service goes on writing; a checkpoint runs
        with db.session() as s:
            s.execute(text("UPDATE feeds SET consecutive_failures = :n"), {"n": n})
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    with db.session() as s:
        s.execute(text("UPDATE feeds SET consecutive_failures = 0"))
    assert wal.stat().st_size <= 256 * 1024
    db.dispose()


def _pass_cost(tmp_path, people: int) -> int:
    """SQLite's virtual-machine steps (in thousands) of a retention pass deleting 1,000 items,
    with `people` watched people and as many feedback rows, each naming a kept item."""
    from sqlalchemy import insert

    from storage.db import open_database
    from storage.models import Feedback, WatchedPerson

    db = open_database(f"sqlite:///{tmp_path / f'cost-{people}.db'}")
    with db.session() as s:
        feed = Feed(name="f", url="https://x.org/feed", consecutive_failures=0)
        s.add(feed)
        s.flush()
        s.execute(insert(Item), [dict(feed_id=feed.id, guid=f"g{i}", title=f"t{i}", summary="", content_hash=f"h{i}",
                                      published_at=OLD, fetched_at=NOW if i < 10 else OLD, classified_at=OLD)
                                 for i in range(1010)])
        if people:
            s.execute(insert(WatchedPerson), [dict(name=f"P {i}", key=f"p {i}", origin="learned",
                                                   source_item_id=1 + i % 10) for i in range(people)])
            s.execute(insert(Feedback), [dict(kind="miss", item_id=1 + i % 10, title="x") for i in range(people)])
    return _pass_steps(db, expected=999)


def test_a_retention_pass_does_not_read_every_watched_person_for_each_item(tmp_path):
    """Deleting an item looks for the watched people and the feedback that name it (their
    references are set to NULL): without an index on those columns SQLite read both tables
    whole for each item. 100,000 items with 3,000 learned people and 3,000 feedback rows took
    44 s, in one write transaction: the service's polls and deliveries, and every command that
    writes, waited on it or failed with "database is locked"."""
    alone, with_people = _pass_cost(tmp_path, 0), _pass_cost(tmp_path, 2000)
    assert with_people < 2 * alone + 50, (alone, with_people)


def _straightforward_prune(s, older_than: datetime):
    """The pass as it was written first: each feed's newest item by `max(id) GROUP BY feed_id`
    over every item (PostgreSQL read the archive twice for it)."""
    from sqlalchemy import delete, exists, func
    from sqlalchemy.orm import aliased

    revision = aliased(Item)
    return delete(Item).where(
        Item.fetched_at < older_than, Item.classified_at.is_not(None), Item.story_id.is_(None),
        ~exists().where(Match.item_id == Item.id), ~exists().where(Count.item_id == Item.id),
        ~exists().where(revision.revision_of == Item.id),
        Item.id.not_in(select(func.max(Item.id)).group_by(Item.feed_id)),
    ).returning(Item.id)


def _mixed_archive(s) -> None:
    """Four feeds of items in every state retention looks at: old and recent, in stories or not,
    matched, counted, revised, unclassified; feed `stale` whose newest item is old noise, feed
    `quiet` whose only item is, feed `empty` without items."""
    from random import Random

    rng = Random(7)
    feeds = [Feed(name=n, url=f"https://{n}.org/feed", consecutive_failures=0) for n in ("busy", "stale", "quiet", "empty")]
    story = Story(title="s", topics=["political_prisoners"])
    s.add_all([*feeds, story])
    s.flush()
    items = []
    for n in range(240):
        feed = feeds[n % 2]
        age = timedelta(days=rng.choice((200, 120, 91, 89, 30, 1)), minutes=n)
        item = _item(feed, f"i{n}", NOW - age, story=story if n % 7 == 0 else None)
        if n % 5 == 0:
            item.matches.append(Match(topic="us_actions", urgency="normal", terms=[], explain=[]))
        if n % 11 == 0:
            item.counts.append(Count(event="held", number=n, source=None))
        if n % 13 == 0:
            item.classified_at = None
        items.append(item)
    s.add_all(items)
    s.flush()
    for n, first in enumerate(items[3:60:9]):  # revisions of old items, some themselves old noise
        s.add(_item(first.feed, f"rev{n}", NOW - timedelta(days=100 if n % 2 else 2), revision_of=first.id))
    first = _item(feeds[0], "first-noise", NOW - timedelta(days=140))  # kept while it has a revision
    s.add(first)
    s.flush()
    s.add(_item(feeds[0], "first-noise-rev", NOW - timedelta(days=130), revision_of=first.id))
    s.add(_item(feeds[0], "busy-newest", NOW - timedelta(days=1)))
    s.add(_item(feeds[1], "stale-newest", NOW - timedelta(days=150)))
    s.add(_item(feeds[2], "quiet-only", NOW - timedelta(days=300)))
    s.flush()


def _archive_and_expected(db, cutoff):
    """The mixed archive stored: (the ids the straightforward statement deletes, every id)."""
    with db.session() as s:
        _mixed_archive(s)
    with db.session() as s:
        savepoint = s.begin_nested()
        expected = set(s.scalars(_straightforward_prune(s, cutoff)))
        savepoint.rollback()
        return expected, set(s.scalars(select(Item.id)))


def test_the_pass_deletes_exactly_what_the_straightforward_one_does(any_db):
    """The pass reads an index range and one index step per item instead of the whole archive;
    it must delete the same items, each feed's newest (old noise or not) kept, and an item
    whose revision the same pass deletes kept too."""
    cutoff = NOW - timedelta(days=90)
    expected, before = _archive_and_expected(any_db, cutoff)
    with any_db.session() as s:
        assert prune_unmatched_items(s, cutoff) == len(expected)
        deleted = before - set(s.scalars(select(Item.id)))
        guids = set(s.scalars(select(Item.guid)))
    assert deleted == expected and len(expected) > 20
    assert {"stale-newest", "quiet-only", "first-noise"} <= guids and "first-noise-rev" not in guids


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_a_pass_in_batches_deletes_what_one_statement_does(any_db, batch):
    """The service's pass goes in batches of the oldest items (a transaction each, so that the
    polls write in between); it must delete what the one statement deletes, an item whose
    revision the same pass deletes kept as there."""
    cutoff = NOW - timedelta(days=90)
    expected, before = _archive_and_expected(any_db, cutoff)
    assert prune_in_batches(any_db.session, cutoff, batch) == len(expected)
    with any_db.session() as s:
        assert before - set(s.scalars(select(Item.id))) == expected
        assert "first-noise" in set(s.scalars(select(Item.guid)))


def _archive_pass_cost(tmp_path, archive: int) -> int:
    """SQLite's virtual-machine steps (thousands) of a pass deleting 500 items beside an
    archive of `archive` matched items in stories (kept for good)."""
    from sqlalchemy import insert

    from storage.db import open_database

    db = open_database(f"sqlite:///{tmp_path / f'archive-{archive}.db'}")
    with db.session() as s:
        feeds = [Feed(name=f"f{n}", url=f"https://x.org/{n}", consecutive_failures=0) for n in range(10)]
        story = Story(title="s", topics=["political_prisoners"])
        s.add_all([*feeds, story])
        s.flush()
        s.execute(insert(Item), [dict(feed_id=feeds[i % 10].id, guid=f"a{i}", title="t", summary="", content_hash=f"a{i}",
                                      published_at=OLD, fetched_at=OLD, classified_at=OLD, story_id=story.id)
                                 for i in range(archive)])
        s.execute(insert(Item), [dict(feed_id=feeds[i % 10].id, guid=f"n{i}", title="t", summary="", content_hash=f"n{i}",
                                      published_at=OLD, fetched_at=NOW if i >= 500 else OLD, classified_at=OLD)
                                 for i in range(510)])
    return _pass_steps(db, expected=500)


def test_a_retention_pass_does_not_read_the_archive(tmp_path):
    """The matched items are kept for good (the archive); a pass read them all to find each
    feed's newest item (PostgreSQL twice: 1.1-1.3 s every 6 h on a year, growing each month)."""
    small, large = _archive_pass_cost(tmp_path, 1000), _archive_pass_cost(tmp_path, 40000)
    assert large < 1.5 * small + 20, (small, large)


def _pass_steps(db, *, expected: int) -> int:
    """SQLite's virtual-machine steps (in thousands) of one retention pass, which must delete
    `expected` items: a read of a whole table shows as steps in proportion to its rows."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with db.session() as s:
        s.connection().connection.driver_connection.set_progress_handler(count, 1000)
        assert prune_unmatched_items(s, NOW - timedelta(days=90)) == expected
    db.dispose()
    return steps


def test_the_wal_is_checkpointed_at_its_limit_not_every_thousand_pages(tmp_path):
    """Polls' stores rewrite the same index pages commit after commit; checkpointed every 1,000
    pages (SQLite's default) those pages were copied back into the database every few polls.
    The -wal file now fills to WAL_LIMIT first, then is checkpointed."""
    from sqlalchemy import insert

    from storage.db import WAL_CHECKPOINT_PAGES, WAL_LIMIT, open_database

    assert WAL_CHECKPOINT_PAGES * 4096 == WAL_LIMIT
    db = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    with db.session() as s:
        feed = Feed(name="f", url="https://x.org/feed", consecutive_failures=0)
        s.add(feed)
        s.flush()
        feed_id = feed.id
    for poll in range(60):  # 60 stores of 30 items: about 1,700 pages written to the -wal file
        with db.session() as s:
            s.execute(insert(Item), [
                dict(feed_id=feed_id, guid=f"g{poll}-{i}", title=f"t {i}", summary="texto " * 120,
                     content_hash=f"h{poll}-{i}", published_at=NOW, fetched_at=NOW) for i in range(30)])
    # a checkpoint at 1,000 pages would have started the file over from its head at that size
    frame = 4096 + 24
    assert 1_200 * frame < (tmp_path / "m.db-wal").stat().st_size < WAL_LIMIT
    db.dispose()
