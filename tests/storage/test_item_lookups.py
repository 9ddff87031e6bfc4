"""The lookups of a poll's dedup (storage.items) read the keys asked for, not every item the
feed ever stored: their work at each poll must not grow with the feed's history."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from storage.db import Database
from storage.items import stored_under
from storage.models import Feed, Item

WHEN = datetime(2026, 1, 9, tzinfo=UTC)


def _feed(session, name: str, items: int) -> int:
    feed = Feed(name=name, url=f"https://{name}.example/rss")
    session.add(feed)
    session.flush()
    if items:
        session.execute(insert(Item), [
            {"feed_id": feed.id, "guid": f"{name}-{n}", "url": f"https://{name}.example/{n}",
             "canonical_url": f"https://{name}.example/{n}", "title": f"t{n}", "published_at": WHEN,
             "content_hash": f"{name}-{n}"} for n in range(items)])
    return feed.id


def _steps(session, call) -> int:
    """SQLite's virtual machine steps (in hundreds) that `call` took."""
    raw = session.connection().connection.dbapi_connection
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    raw.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        raw.set_progress_handler(None, 100)
    return steps[0]


def test_stored_under_reads_the_keys_asked_for_not_the_feeds_history(db: Database) -> None:
    with db.session() as s:
        small, big = _feed(s, "small", 20), _feed(s, "big", 20_000)
        for feed, name in ((small, "small"), (big, "big")):
            keys = [f"{name}-{n}" for n in range(5)]
            urls = [f"https://{name}.example/{n}" for n in range(5, 10)]
            assert sorted(r.title for r in stored_under(s, feed, keys, urls)) == sorted(f"t{n}" for n in range(10))
        assert [r.guid for r in stored_under(s, small, [], ["https://big.example/1"])] == []  # another feed's
        cost = {name: _steps(s, lambda f=feed, n=name: stored_under(s, f, [f"{n}-1"], [f"https://{n}.example/2"]))
                for feed, name in ((small, "small"), (big, "big"))}
    assert cost["big"] <= 2 * cost["small"] + 5, cost


def test_stored_keys_answer_each_kind_of_key_even_when_others_are_none(any_db: Database) -> None:
    """The look-up is one statement built once with three expanding lists (storage/items.py): a
    kind of key not asked for (an empty list) matches nothing, and the others still answer. A
    row found gives its keys: GUID and hash when it is this feed's, its canonical URL whatever
    its feed; over CHUNK keys, every chunk is asked."""
    from storage.items import CHUNK, insert_items, stored_keys

    with any_db.session() as s:
        mine = _feed(s, "mine", 3)
        _feed(s, "other", 3)
        assert stored_keys(s, mine, [], [], []) == (set(), set(), set())
        assert stored_keys(s, mine, [], [], ["mine-1", "other-1"]) == (
            {"mine-1"}, {"https://mine.example/1", "https://other.example/1"}, {"mine-1"})
        assert stored_keys(s, mine, ["mine-0", "other-0"], [], []) == ({"mine-0"}, {"https://mine.example/0"}, {"mine-0"})
        assert stored_keys(s, mine, [], ["https://other.example/2"], []) == (set(), {"https://other.example/2"}, set())
        many = [f"mine-{n}" for n in range(CHUNK + 5)]
        ids = insert_items(s, mine, [
            {"feed_id": mine, "guid": g, "url": None, "canonical_url": None, "title": g, "summary": "",
             "text": None, "language": None, "published_at": WHEN, "date_only": False, "fetched_at": WHEN,
             "content_hash": g, "backfill": False, "entities": [], "revision_of": None} for g in many[3:]])
        assert len(set(ids)) == len(many) - 3
        guids, _, hashes = stored_keys(s, mine, many, [], many)
        assert guids == hashes == set(many)
