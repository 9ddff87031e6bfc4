"""News items: the dedup lookup and the insert of a poll, the items waiting to be
classified, the items of stories, and retention."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, insert, or_, select, text, tuple_
from sqlalchemy.orm import Session, selectinload

from storage.models import Feed, Item, Match

CHUNK = 400  # values per IN (...) list
STORE_LOCK = 0x6974656D  # PostgreSQL advisory lock key: replicas look up and store items in turn


def take_store_turn(session: Session) -> None:
    """PostgreSQL: wait for this transaction's turn to look a poll's items up and store them (an
    advisory lock held until it commits or rolls back), so that an article another replica
    stored for another feed meanwhile is found, not stored twice. Nothing on SQLite (one
    process; its writers take turns already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORE_LOCK})


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# Items a retention transaction decides on at most. A pass in one transaction held SQLite's
# write lock for all of it: 354,000 items (a `retention` lowered from 90 to 30 days on 6,000
# unmatched items a day) took 13 s, and every poll's store, delivery and command that wrote
# meanwhile failed with "database is locked" past the 10 s busy timeout. 5,000: about 0.2 s.
PRUNE_BATCH = 5_000


def prune_in_batches(sessions: Callable[[], AbstractContextManager[Session]], older_than: datetime,
                     batch: int | None = None, *, stop: Callable[[], bool] = lambda: False) -> int:
    """Retention as the service runs it: `prune_unmatched_items` over the old items outside
    stories `batch` at a time, oldest first, each batch in a transaction of its own from
    `sessions()`, so that other writers get the lock between them; ended after the batch in
    hand once `stop()` (the service stopping: the next pass deletes the rest). An item is
    decided in its batch on what is stored then (a first version before its revisions: both
    fetched in order)."""
    batch = batch or PRUNE_BATCH
    pruned, after = 0, None
    while not stop():
        with sessions() as session:
            keys = _old_unstoried_keys(session, older_than, after, batch)
            if keys:
                pruned += prune_unmatched_items(session, older_than, within=(after, keys))
        if len(keys) < batch:
            break
        after = keys[-1]
    return pruned


def prune_unmatched_items(session: Session, older_than: datetime, *, within: _Batch | None = None) -> int:
    """Retention: delete items fetched before `older_than` that never matched a topic (of one
    batch of `prune_in_batches` alone when given: `_in_batch`).

    Items in a story, with matches or counts are kept, and so is each feed's
    newest item (its GUID keeps a feed from re-announcing it), and an item with revisions
    (a live page that matched once retitled): deleted, it would leave its revisions unlinked,
    each counted in the tally as a figure of its own.

    One statement over the old items outside stories, found by their index
    (`_old_unstoried`); a newer item of the same feed is one step of `ix_items_feed_newest`.
    The newest per feed was `max(id) GROUP BY feed_id`, which read every stored item, and
    PostgreSQL read them all again for the old unmatched ones: 1.1-1.3 s a pass on a year,
    growing with the archive.
    """
    from sqlalchemy import delete, exists
    from sqlalchemy.orm import aliased

    from storage.models import Count

    revision, newer = aliased(Item), aliased(Item)
    stmt = delete(Item).where(
        _old_unstoried(session, older_than) if within is None else _in_batch(session, older_than, *within),
        Item.story_id.is_(None),
        Item.fetched_at < older_than,
        Item.classified_at.is_not(None),
        ~exists().where(Match.item_id == Item.id),
        ~exists().where(Count.item_id == Item.id),
        ~exists().where(revision.revision_of == Item.id),
        exists().where(newer.feed_id == Item.feed_id, newer.id > Item.id),  # not its feed's newest
    )
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def _among(session: Session, ids: Sequence[int]) -> Any:
    """`items.id` among `ids`, as one array (PostgreSQL)."""
    from sqlalchemy import Integer, any_
    from sqlalchemy.dialects.postgresql import ARRAY

    return Item.id == any_(bindparam("old_ids", list(ids), type_=ARRAY(Integer)))


_UNSTORIED_OLD = ("SELECT fetched_at, id FROM items INDEXED BY ix_items_unstoried_fetched "
                  "WHERE story_id IS NULL AND fetched_at < :cutoff")
_Key = tuple[datetime, int]  # (fetched_at, id) of an item: its place in ix_items_unstoried_fetched
_Batch = tuple[_Key | None, Sequence[_Key]]  # the key before a batch, and the batch's keys


def _in_batch(session: Session, older_than: datetime, after: _Key | None, keys: Sequence[_Key]) -> Any:
    """`items.id` among the batch `keys` (read after `after`): on SQLite the range of the index
    up to the last of them (an IN list of 1,500 ids took twice the time of the pass), on
    PostgreSQL their ids as one array."""
    if session.get_bind().dialect.name != "sqlite":
        return _among(session, [item_id for _, item_id in keys])
    fetched = Item.__table__.c.fetched_at
    sql = _UNSTORIED_OLD.replace("fetched_at, id", "id", 1) + " AND (fetched_at, id) <= (:last_at, :last_id)"
    params = [bindparam("cutoff", older_than, type_=fetched.type), bindparam("last_at", keys[-1][0], type_=fetched.type),
              bindparam("last_id", keys[-1][1])]
    if after is not None:
        sql += " AND (fetched_at, id) > (:after_at, :after_id)"
        params += [bindparam("after_at", after[0], type_=fetched.type), bindparam("after_id", after[1])]
    return Item.id.in_(text(sql).bindparams(*params).columns(id=Item.__table__.c.id.type))


def _old_unstoried_keys(session: Session, older_than: datetime, after: _Key | None, limit: int) -> list[_Key]:
    """The next `limit` (fetched_at, id) of the items outside stories fetched before
    `older_than`, after `after`, in the order of `ix_items_unstoried_fetched` (named on SQLite,
    as in `_old_unstoried`)."""
    fetched = Item.__table__.c.fetched_at
    if session.get_bind().dialect.name != "sqlite":
        stmt = select(Item.fetched_at, Item.id).where(Item.story_id.is_(None), Item.fetched_at < older_than)
        if after is not None:
            stmt = stmt.where(tuple_(Item.fetched_at, Item.id) > tuple_(*after))
        return [(at, item_id) for at, item_id in session.execute(stmt.order_by(Item.fetched_at, Item.id).limit(limit))]
    sql = _UNSTORIED_OLD + (" AND (fetched_at, id) > (:after_at, :after_id)" if after is not None else "")
    params = [bindparam("cutoff", older_than, type_=fetched.type), bindparam("limit", limit)]
    if after is not None:
        params += [bindparam("after_at", after[0], type_=fetched.type), bindparam("after_id", after[1])]
    stmt = text(sql + " ORDER BY fetched_at, id LIMIT :limit").bindparams(*params).columns(
        fetched_at=fetched.type, id=Item.__table__.c.id.type)
    return [(at, item_id) for at, item_id in session.execute(stmt)]


def _old_unstoried(session: Session, older_than: datetime) -> Any:
    """`items.id` among the items outside stories fetched before `older_than`, as read from
    `ix_items_unstoried_fetched`. PostgreSQL cannot know that old items are mostly in stories:
    it estimated a tenth of the archive and read every item; the ids, read first from the
    index alone (1 ms on a year), are given as an array. SQLite, without statistics, took the
    index of `story_id` (every item outside a story, 540,000 on a year): it is named."""
    if session.get_bind().dialect.name != "sqlite":
        ids = session.scalars(select(Item.id).where(Item.story_id.is_(None), Item.fetched_at < older_than)).all()
        return _among(session, ids)
    return Item.id.in_(text("SELECT id FROM items INDEXED BY ix_items_unstoried_fetched "
                            "WHERE story_id IS NULL AND fetched_at < :cutoff").bindparams(
        bindparam("cutoff", older_than, type_=Item.__table__.c.fetched_at.type)).columns(id=Item.__table__.c.id.type))


# The poll's two look-ups and the ids of its insert, built once with expanding IN lists: a
# statement built at each call spent most of its 0.6 ms coercing each value to a bound
# parameter, and SQLite answers in 0.1 ms (docs/INGESTION.md, "Benchmark").
_ITEMS = Item.__table__
_KEYS = select(_ITEMS.c.feed_id, _ITEMS.c.guid, _ITEMS.c.canonical_url, _ITEMS.c.content_hash).where(
    or_(
        and_(_ITEMS.c.feed_id == bindparam("feed"), _ITEMS.c.guid.in_(bindparam("guids", expanding=True))),
        _ITEMS.c.canonical_url.in_(bindparam("urls", expanding=True)),
        _ITEMS.c.content_hash.in_(bindparam("hashes", expanding=True)),  # the feed is checked below; this uses the index
    )
)
_IDS = select(_ITEMS.c.guid, _ITEMS.c.id).where(
    _ITEMS.c.feed_id == bindparam("feed"), _ITEMS.c.guid.in_(bindparam("guids", expanding=True)))


def stored_keys(
    session: Session, feed_id: int, guids: Sequence[str], urls: Sequence[str], hashes: Sequence[str]
) -> tuple[set[str], set[str], set[str]]:
    """Which of these keys are stored already: (GUIDs of this feed, canonical URLs of any
    feed, content hashes of this feed)."""
    known_guids: set[str] = set()
    known_urls: set[str] = set()
    known_hashes: set[str] = set()
    for start in range(0, max(len(guids), len(urls), len(hashes)), CHUNK):
        g, u, h = (list(v[start : start + CHUNK]) for v in (guids, urls, hashes))
        for row_feed, guid, url, digest in session.execute(
                _KEYS, {"feed": feed_id, "guids": g, "urls": u, "hashes": h}):
            if row_feed == feed_id:
                known_guids.add(guid)
                known_hashes.add(digest)
            if url:
                known_urls.add(url)
    return known_guids, known_urls, known_hashes


def stored_under(session: Session, feed_id: int, guids: Sequence[str], urls: Sequence[str]) -> list[Row[Any]]:
    """This feed's items stored under these GUIDs or canonical URLs, and their revisions: (id,
    guid, canonical_url, title, revision_of, content_hash) rows. One lookup per key and index: under one
    `feed_id = ? AND (guid IN … OR canonical_url IN …)` SQLite read every item the feed ever
    stored, at each poll."""
    rows: dict[int, Row[Any]] = {}
    columns = (Item.id, Item.guid, Item.canonical_url, Item.title, Item.revision_of, Item.content_hash)
    for chunk in _chunks(guids):
        rows.update((r.id, r) for r in session.execute(
            select(*columns).where(Item.feed_id == feed_id, Item.guid.in_(chunk))))
    for chunk in _chunks(urls):  # the feed is checked here: the URL's index, not the feed's items
        rows.update((r.id, r) for r in session.execute(
            select(*columns, Item.feed_id).where(Item.canonical_url.in_(chunk))) if r.feed_id == feed_id)
    # a revision has a GUID of its own: its title is the item's latest, which a poll compares with
    firsts = sorted(r.id for r in rows.values() if r.revision_of is None)
    for start in range(0, len(firsts), CHUNK):
        rows.update((r.id, r) for r in session.execute(
            select(*columns).where(Item.revision_of.in_(firsts[start : start + CHUNK]))))
    return list(rows.values())


def versions_of(session: Session, first_ids: Sequence[int]) -> list[Row[Any]]:
    """These items and their revisions: (id, guid, title, published_at, revision_of) rows, in
    the order they were stored."""
    rows: list[Row[Any]] = []
    for start in range(0, len(first_ids), CHUNK):
        chunk = first_ids[start : start + CHUNK]
        stmt = select(Item.id, Item.guid, Item.title, Item.published_at, Item.revision_of).where(
            or_(Item.id.in_(chunk), Item.revision_of.in_(chunk)))
        rows += session.execute(stmt).all()
    return sorted(rows, key=lambda r: r.id)


def insert_items(session: Session, feed_id: int, values: list[dict[str, Any]]) -> list[int]:
    """Insert the items of one feed (one executemany of the table's INSERT: the ORM's bulk
    insert took 0.5 ms more for 30 items, for nothing it needs); their ids, in the same order."""
    if not values:
        return []
    # RETURNING with a guaranteed order makes SQLAlchemy insert row by row on SQLite;
    # (feed_id, guid) is unique, so the ids are looked up afterwards instead.
    session.execute(insert(_ITEMS), values)
    guids = [v["guid"] for v in values]
    ids: dict[str, int] = {}
    for chunk in _chunks(guids):
        ids.update((guid, item_id) for guid, item_id in session.execute(
            _IDS, {"feed": feed_id, "guids": list(chunk)}))
    return [ids[g] for g in guids]


def unclassified_ids(
    session: Session, limit: int, *, feed_id: int | None = None, skip: Iterable[int] = (),
    zones: FeedZones | None = None,
) -> list[int]:
    """The next `limit` items not classified yet, in the order they were published
    (optionally of one feed, leaving out `skip`). A backlog polled at once (a feed's first
    poll, newest first; a restart after a stop) then makes its stories in the order the
    news happened: "suma 14" before "suma 15", the first report before its follow-ups.

    Items of several feeds published at one time (feeds of dates only: a whole day at
    midnight) are interleaved by where each stands in its feed's run of that time (the
    middle of one outlet's day beside the middle of another's), not taken feed after
    feed in whatever order the polls ended: the order the day most likely happened in,
    and the same however the polls' answers raced.

    A date-only item (`items.date_only`, stored at 00:00 UTC of its date) takes its place at
    the start of that date in its feed's zone (`zones`: the feed's `timezone`, else
    settings.timezone), so a Caracas item dated the 14th comes after one published at 21:00
    on the 13th there, not before it. Without `zones`, at 00:00 UTC."""
    waiting = Item.classified_at.is_(None)
    if feed_id is not None:
        waiting = and_(waiting, Item.feed_id == feed_id)
    skip = set(skip)
    # the batch lies at or before the publication time of the limit-th pending item (from the
    # pending index): only the runs up to it are placed, not the whole backlog
    horizon = session.scalar(
        select(Item.published_at).where(waiting).order_by(Item.published_at, Item.id)
        .offset(limit + len(skip) - 1).limit(1)
    )
    # `feed_id + 0`, not the column: partitioned by the column, SQLite read the pending rows in
    # the order of ix_items_feed_newest, a scan of every item ever stored, rather than from the
    # pending index (a few rows); the runs and the positions are the same
    run = (Item.feed_id + 0, Item.published_at)
    pending = select(
        Item.id, Item.feed_id, Item.published_at,
        ((func.row_number().over(partition_by=run, order_by=Item.id) - 0.5)
         / func.count().over(partition_by=run)).label("position"),
    ).where(waiting)
    if zones is not None and session.scalar(select(Item.id).where(waiting, Item.date_only).limit(1)) is not None:
        # only when a date-only item waits: the order in Python reads the rows past the horizon
        # too, at each batch (1,500 pending items at one time: 7.8 s -> 8.9 s of a test)
        return _in_local_date_order(session, pending, horizon, limit, skip, zones)
    if horizon is not None:
        pending = pending.where(Item.published_at <= horizon)
    p = pending.subquery()
    stmt = select(p.c.id).order_by(p.c.published_at, p.c.position, p.c.feed_id, p.c.id).limit(limit)
    if skip:  # items that failed in this call keep their places: the others' stay as they were
        stmt = stmt.where(p.c.id.not_in(skip))
    return list(session.scalars(stmt))


def publication_order(published: datetime, date_only: bool, zone: tzinfo) -> datetime:
    """When an item stands in the order of publication (aware, UTC): its time, or for a date
    without a time of day (stored at 00:00 UTC of it) the start of that date in `zone`, its
    feed's: a Caracas item dated the 14th stands at 04:00 UTC on the 14th, after one of 21:00
    on the 13th there, not at 00:00 UTC before it."""
    if published.tzinfo is None:  # as SQLite gives it back through a bare select
        published = published.replace(tzinfo=UTC)
    if not date_only:
        return published
    return datetime.combine(published.date(), time(), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class FeedZones:
    """The zones the feeds' dates start in: a feed's own (by name), else `default`."""
    of_feed: Mapping[str, tzinfo]
    default: tzinfo

    def __call__(self, name: str) -> tzinfo:
        return self.of_feed.get(name, self.default)

    def reach(self, day: date) -> timedelta:
        """How much later than the horizon (the limit-th item by published_at, on `day`) an
        item may be published and still stand in the first `limit` of the order: the spread
        of the dates' starts around 00:00 UTC (none before or after a timed item's own time),
        and an hour more for a change of the clocks near it. Caracas alone: 5 h."""
        midnight = datetime.combine(day, time(), tzinfo=UTC)
        shifts = [publication_order(midnight, True, z) - midnight for z in {*self.of_feed.values(), self.default}]
        return max(timedelta(0), *shifts) - min(timedelta(0), *shifts) + timedelta(hours=1)


def _in_local_date_order(
    session: Session, pending: Any, horizon: datetime | None, limit: int, skip: set[int], zones: FeedZones,
) -> list[int]:
    """`unclassified_ids` with date-only items placed at the start of their date in their
    feed's zone: the rows up to `zones.reach` after the horizon, put in order here (the zones
    are the configuration's, not the database's)."""
    if horizon is not None:
        pending = pending.where(Item.published_at <= horizon + zones.reach(horizon.date()))
    p = pending.add_columns(Item.date_only, Feed.name).join(Feed, Feed.id == Item.feed_id).subquery()
    stmt = select(p.c.id, p.c.feed_id, p.c.published_at, p.c.position, p.c.date_only, p.c.name)
    if skip:
        stmt = stmt.where(p.c.id.not_in(skip))

    def place(row: Row[Any]) -> tuple[Any, ...]:
        zone = zones(row.name) if row.date_only else UTC
        return (publication_order(row.published_at, row.date_only, zone), row.position, row.feed_id, row.id)

    return [row.id for row in sorted(session.execute(stmt), key=place)[:limit]]


def latest_of_feed(session: Session, feed_id: int, limit: int, *, before: int | None = None) -> list[Row[Any]]:
    """A feed's latest `limit` items (newest first, ids under `before` when given): their
    title, summary, language, stored entities and whether they were classified; read by the
    index on (feed_id, id)."""
    stmt = select(Item.id, Item.title, Item.summary, Item.language, Item.entities, Item.classified_at).where(
        Item.feed_id == feed_id
    )
    if before is not None:
        stmt = stmt.where(Item.id < before)
    return list(session.execute(stmt.order_by(Item.id.desc()).limit(limit)))


def story_items(
    session: Session, story_ids: Sequence[int], *, with_feed: bool = False, with_counts: bool = False,
    with_matches: bool = False,
) -> list[Item]:
    """The items of these stories, in the order they were stored."""
    return _loaded(select(Item).where(Item.story_id.in_(story_ids)).order_by(Item.id), session,
                   with_feed=with_feed, with_counts=with_counts, with_matches=with_matches)


def items_by_id(session: Session, ids: Sequence[int], *, with_counts: bool = False, with_matches: bool = False) -> list[Item]:
    """These items, in the order they were stored."""
    return _loaded(select(Item).where(Item.id.in_(ids)).order_by(Item.id), session,
                   with_counts=with_counts, with_matches=with_matches)


def _loaded(stmt: Any, session: Session, *, with_feed: bool = False, with_counts: bool = False,
            with_matches: bool = False) -> list[Item]:
    if with_feed:
        stmt = stmt.options(selectinload(Item.feed))
    if with_counts:
        stmt = stmt.options(selectinload(Item.counts))
    if with_matches:
        stmt = stmt.options(selectinload(Item.matches))
    return list(session.scalars(stmt))


def item_by_urls(session: Session, urls: Iterable[str]) -> Item | None:
    """The first stored item whose URL or canonical URL is one of `urls`."""
    urls = set(urls)
    return session.scalar(
        select(Item).where(or_(Item.url.in_(urls), Item.canonical_url.in_(urls))).order_by(Item.id).limit(1)
    )


def first_item_of_story(session: Session, story_id: int) -> Item | None:
    return session.scalar(select(Item).where(Item.story_id == story_id).order_by(Item.id).limit(1))


def item_topics(session: Session, item_id: int) -> list[str]:
    """The topics the item matched, sorted."""
    return sorted(set(session.scalars(select(Match.topic).where(Match.item_id == item_id))))


def feeds_of_items(session: Session, item_ids: set[int]) -> dict[int, int]:
    """Feed id by item id."""
    if not item_ids:
        return {}
    return dict(session.execute(select(Item.id, Item.feed_id).where(Item.id.in_(item_ids))).all())
