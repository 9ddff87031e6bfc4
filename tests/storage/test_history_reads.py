"""Reads that must not grow with the months of history the database keeps. The outbox keeps every
alert ever sent (the channels' archive): the reads of the last hour or day must not read it. The
feedback keeps every operator's /wrong: the tally must not read them all for each figure. Each
read's cost is measured in SQLite virtual-machine steps with a short and a long history.

Before migration 0023, on a year of service (bench/year_db.py: 838,000 alerts, 374 /wrong) the
hourly limit's count before each alert queued took 0.68 s, the folds the admin chat reads every
30 s on the event loop 2.0 s, a digest's reads 0.66 s, `monitor tally` 9.6 s, the delivery
worker's read of a channel's queue head 0.35 s, twice a round every 2 s."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert

from alerts.feed_limits import fold_notices, fold_payloads_since, messages_in_last_hour
from storage.alerts import (
    CATCH_UP,
    alert_of_message,
    chat_sends,
    digest_story_ids_since,
    last_edit_of,
    last_instant_alert_at,
    message_in_chat,
    queue_head,
)
from storage.items import unclassified_ids
from storage.models import Alert, Count, Feed, Feedback, Item, Match
from storage.tally import stated_rows

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
PAYLOAD = {"html": "<b>x</b>", "text": "x", "item_id": 1, "feed_id": 7, "view": {"title": "t" * 200}}


def _history(db: Any, start: int, end: int) -> None:
    """Sent alerts `start` to `end` of March in channels `pp` and `digest` (the first call also
    writes a few of the last hour)."""
    march = NOW - timedelta(days=200)
    rows = [dict(channel="pp" if i % 10 else "digest", kind=("new", "edit", "update", "fold", "digest")[i % 5],
                 dedupe_key=f"old:{i}", status="sent", payload=PAYLOAD, created_at=march + timedelta(minutes=i),
                 next_attempt_at=march, sent_at=march) for i in range(start, end)]
    if not start:
        rows += [dict(channel="pp", kind=kind, dedupe_key=f"new:{i}", status="sent", created_at=NOW - timedelta(minutes=i),
                      payload={**PAYLOAD, "notify": True, "story_ids": [i]}, next_attempt_at=NOW, sent_at=NOW)
                 for i, kind in enumerate(("new", "update", "fold", "digest"))]
        rows.append(dict(channel="pp", kind="new", dedupe_key="new:pending", status="pending", created_at=NOW,
                         payload=PAYLOAD, next_attempt_at=NOW))
    with db.session() as s:
        s.execute(insert(Alert), rows)


def _statements(db: Any, read: Callable[[Any], Any]) -> tuple[list[tuple[str, Any]], Any]:
    """The statements (with their parameters) `read` sends in a session of its own, and what it
    returns."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.session() as s:
            out = read(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen, out


def _steps(db: Any, read: Callable[[Any], Any]) -> tuple[int, Any]:
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with db.session() as s:
        raw = s.connection().connection.driver_connection
        raw.set_progress_handler(count, 100)
        try:
            out = read(s)
        finally:
            raw.set_progress_handler(None, 100)
    return steps, out


READS: dict[str, Callable[[Any], Any]] = {
    "hourly limit": lambda s: messages_in_last_hour(s, "pp", 7, NOW),
    "admin chat's fold notices": lambda s: len(fold_notices(s, NOW)),
    "folds of the hour, any channel": lambda s: len(fold_payloads_since(s, NOW - timedelta(hours=1), None, until=NOW)),
    "digest's stories told": lambda s: digest_story_ids_since(s, "pp", NOW - timedelta(days=1)),
    "last instant alert": lambda s: last_instant_alert_at(s, "pp"),
    # the delivery worker's read of each channel's queue, twice a round (every 2 s): the idle worker
    # used 52 % of a core on the year's file (1.05 s a round for 3 channels)
    "delivery worker's queue head": lambda s: tuple(queue_head(s, "pp")),
    # before each send, under the chat's lock: SQLite read it by (channel, status), every alert the
    # channel ever had, not by the time it was sent (bench/months_memory.py: 2.5-5.9 ms a claim at
    # 3,700 alerts)
    "a chat's sends of its rate window": lambda s: chat_sends(s, ["pp"], NOW - timedelta(minutes=1), NOW,
                                                              timedelta(minutes=5), leave_out=0),
}


@pytest.mark.parametrize("name", list(READS))
def test_reads_of_the_last_hour_do_not_read_the_outbox_s_history(db, name):
    _history(db, 0, 200)
    small, small_out = _steps(db, READS[name])
    _history(db, 200, 6000)
    large, large_out = _steps(db, READS[name])
    assert small_out == large_out and large_out  # the same answer: the last hour's
    assert large < 2 * small + 20, (name, small, large)


def _wrongs(db: Any, start: int, end: int) -> None:
    """Items `start` to `end`, each an operator's /wrong for political_prisoners (no figure)."""
    with db.session() as s:
        s.execute(insert(Item), [dict(feed_id=1, guid=f"w{i}", title="t", summary="", content_hash=f"w{i}",
                                      published_at=NOW, fetched_at=NOW) for i in range(start, end)])
        ids = s.scalars(Item.__table__.select().with_only_columns(Item.id).where(Item.guid.like("w%"))).all()
        s.execute(insert(Feedback), [dict(kind="wrong", item_id=i, topic="political_prisoners", title="t")
                                     for i in ids[start:end]])


def test_the_tally_does_not_read_every_wrong_for_each_figure(db):
    """The tally leaves out the figures of items an operator said were /wrong: a correlated check
    per figure that went through every /wrong there ever was (`ix_feedback_kind_created`): a
    year's 110,000 counts and 374 /wrong took 13.8 s in SQL alone, 0.6 s without the check."""
    with db.session() as s:
        s.add(Feed(id=1, name="f", url="https://x.example/rss", consecutive_failures=0))
        s.flush()
        s.execute(insert(Item), [dict(feed_id=1, guid=f"c{i}", title="t", summary="", content_hash=f"c{i}",
                                      published_at=NOW, fetched_at=NOW) for i in range(200)])
        ids = s.scalars(Item.__table__.select().with_only_columns(Item.id)).all()
        s.execute(insert(Count), [dict(item_id=i, event="held", number=800 + i, source="Foro Penal") for i in ids])
        s.execute(insert(Match), [dict(item_id=i, topic="political_prisoners", urgency="normal", terms=[],
                                       explain=[]) for i in ids])
        s.add(Feedback(kind="wrong", item_id=ids[0], topic="political_prisoners", title="t"))
    _wrongs(db, 0, 10)
    few, few_rows = _steps(db, lambda s: len(stated_rows(s)))
    _wrongs(db, 10, 600)
    many, many_rows = _steps(db, lambda s: len(stated_rows(s)))
    assert few_rows == many_rows == 199  # the /wrong one left out
    assert many < 1.5 * few + 20, (few, many)


def test_the_queue_s_counts_are_read_from_an_index_not_from_every_alert(db):
    """`monitor status`, the status page (every minute) and /status count the outbox per channel
    and status: all of it, as it keeps every alert sent. The count read every alert's row, its
    payload with it (a year: 838,000 alerts, 2.0 s); from an index of (channel, status), 0.2 s."""
    from storage.alerts import queue_summary

    _history(db, 0, 50)
    seen, summary = _statements(db, queue_summary)
    assert summary == {"pp": {"sent": 49, "pending": 1}, "digest": {"sent": 5}}
    [statement] = [st for st, _ in seen if "FROM alerts" in st]
    with db.session() as s:
        plan = " ".join(str(row[-1]) for row in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}"))
    assert "COVERING INDEX" in plan, plan


def _sent_before(db: Any, start: int, end: int) -> None:
    """Sent alerts `start` to `end` of channel pp, ids below the last hour's: a year's edits and
    replies of other messages."""
    march = NOW - timedelta(days=200)
    with db.session() as s:
        s.execute(insert(Alert), [dict(id=i + 1, channel="pp", kind=("edit", "update", "new")[i % 3], dedupe_key=f"old:{i}",
                                       status="sent", telegram_message_id=i + 1, created_at=march, next_attempt_at=march,
                                       sent_at=march, payload={**PAYLOAD, "target_alert_id": i})
                                  for i in range(start, end)])


def _reply(db: Any) -> Alert:
    """A reply of the last hour (sent, never edited), its id after the history's."""
    with db.session() as s:
        s.add(Alert(id=100_000, channel="pp", kind="update", dedupe_key="update:pp:1:1", status="sent",
                    telegram_message_id=100_000, payload=PAYLOAD, created_at=NOW, next_attempt_at=NOW, sent_at=NOW))
    with db.session() as s:
        reply = s.get(Alert, 100_000)
        s.expunge(reply)
    return reply


ROW_READS: dict[str, Callable[[Any, Alert], Any]] = {
    # a report naming a figure's source reads the last edit of each of its story's sent replies
    "a sent reply's last edit": lambda s, reply: last_edit_of(s, reply) is None,
    # the edit of a message sent in a chat it was not recorded in (a migrated group)
    "a message's edit in another chat": lambda s, reply: message_in_chat(s, reply.id, "-100200", unrecorded="@pp") is None,
    # an operator's reply to a channel's message (or a link to it) in the admin chat
    "the alert of a message": lambda s, reply: alert_of_message(s, ["pp"], reply.telegram_message_id).id,
}


@pytest.mark.parametrize("name", list(ROW_READS))
def test_reads_of_one_message_do_not_read_the_outbox_s_history(db, name):
    """Before, on PostgreSQL a year (838,000 alerts) took 1.9 s for a reply's last edit, read
    backwards from the newest alert to the first, and 0.9 s for an operator's reply to a message
    (the whole outbox, no index of the message ids); SQLite read each channel's alerts sent."""
    _sent_before(db, 0, 200)
    reply = _reply(db)
    small, small_out = _steps(db, lambda s: ROW_READS[name](s, reply))
    _sent_before(db, 200, 6000)
    large, large_out = _steps(db, lambda s: ROW_READS[name](s, reply))
    assert small_out == large_out and large_out is not None
    assert large < 2 * small + 20, (name, small, large)


def _pg_blocks(db: Any, read: Callable[[Any], Any]) -> tuple[int, Any]:
    """The pages PostgreSQL's plans of `read`'s statements touch (EXPLAIN (ANALYZE, BUFFERS)):
    what SQLite's virtual-machine steps are to `_steps`."""
    seen, out = _statements(db, read)
    blocks = 0
    with db.engine.connect() as conn:
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                [[plan]] = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {statement}", parameters).one()
                blocks += plan["Plan"]["Shared Hit Blocks"] + plan["Plan"]["Shared Read Blocks"]
    return blocks, out


@pytest.mark.parametrize("name", list(ROW_READS))
def test_reads_of_one_message_do_not_read_postgresql_s_history(pg_db, name):
    """PostgreSQL's planner reads these otherwise than SQLite's: the newest edit of a message
    (ORDER BY id DESC LIMIT 1, its target in the JSON payload) from the table's end backwards."""
    _sent_before(pg_db, 0, 200)
    reply = _reply(pg_db)
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE alerts")
    small, small_out = _pg_blocks(pg_db, lambda s: ROW_READS[name](s, reply))
    _sent_before(pg_db, 200, 6000)
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE alerts")
    large, large_out = _pg_blocks(pg_db, lambda s: ROW_READS[name](s, reply))
    assert small_out == large_out and large_out is not None
    assert large < 2 * small + 10, (name, small, large)


def _pg_rows_compared(db: Any, read: Callable[[Any], Any]) -> tuple[int, Any]:
    """The rows PostgreSQL's plans of `read`'s SELECTs produced or threw away, node by node
    (EXPLAIN ANALYZE): the work a join does, which pages read do not show."""
    def rows(node: dict[str, Any]) -> int:
        own = node["Actual Rows"] * node["Actual Loops"] + node.get("Rows Removed by Filter", 0)
        return own + node.get("Rows Removed by Join Filter", 0) + sum(rows(n) for n in node.get("Plans", []))

    seen, out = _statements(db, read)
    total = 0
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET max_parallel_workers_per_gather = 0")  # the counts of one process
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                [[plan]] = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).one()
                total += rows(plan["Plan"])
    return total, out


def test_postgresql_s_tally_does_not_compare_each_figure_with_every_wrong(pg_db):
    """The /wrong check was one NOT EXISTS with `item_id = items.id OR item_id = items.revision_of`:
    PostgreSQL can neither hash nor index that OR, and compared every figure with every /wrong
    (a year: 126,000 figures, 341 /wrong, 7.2 million rows compared, 1.2 s of each tally)."""
    with pg_db.session() as s:
        s.add(Feed(id=1, name="f", url="https://x.example/rss", consecutive_failures=0))
        s.flush()
        s.execute(insert(Item), [dict(feed_id=1, guid=f"c{i}", title="t", summary="", content_hash=f"c{i}",
                                      published_at=NOW, fetched_at=NOW) for i in range(200)])
        ids = s.scalars(Item.__table__.select().with_only_columns(Item.id).order_by(Item.id)).all()
        s.execute(insert(Count), [dict(item_id=i, event="held", number=800 + i, source="Foro Penal") for i in ids])
        s.execute(insert(Match), [dict(item_id=i, topic="political_prisoners", urgency="normal", terms=[],
                                       explain=[]) for i in ids])
        s.add(Feedback(kind="wrong", item_id=ids[0], topic="political_prisoners", title="t"))
    _wrongs(pg_db, 0, 10)
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    few, few_rows = _pg_rows_compared(pg_db, lambda s: len(stated_rows(s)))
    _wrongs(pg_db, 10, 600)
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    many, many_rows = _pg_rows_compared(pg_db, lambda s: len(stated_rows(s)))
    assert few_rows == many_rows == 199  # the /wrong one left out
    assert many < 2 * few + 2000, (few, many)


def test_postgresql_counts_the_queue_from_its_index_alone(pg_db):
    """`monitor status`, the status page (every minute) and /status count the outbox per channel
    and status. `count(alerts.id)` made PostgreSQL read every row (the id is not in the index of
    (channel, status)): a year's outbox, 0.34 s; from the index alone, once autovacuum has marked
    the pages all-visible, 0.07 s."""
    from storage.alerts import queue_summary

    _history(pg_db, 0, 50)
    seen, summary = _statements(pg_db, queue_summary)
    assert summary == {"pp": {"sent": 49, "pending": 1}, "digest": {"sent": 5}}
    [statement] = [st for st, _ in seen if "FROM alerts" in st]
    with pg_db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE alerts")
        conn.exec_driver_sql("SET enable_seqscan = off")  # a table this small is read whole otherwise
        plan = " ".join(conn.exec_driver_sql(f"EXPLAIN {statement}").scalars())
    assert "Index Only Scan using ix_alerts_channel_status" in plan, plan


def _queued(db: Any, start: int, end: int) -> None:
    """Alerts `start` to `end` of channel pp queued and not sent (a long outage with
    settings.catch_up_after off), after a catch-up message of another channel."""
    with db.session() as s:
        if not start:
            s.add(Alert(channel="digest", kind=CATCH_UP, dedupe_key="catch_up:digest:1:0", status="sent",
                        payload=PAYLOAD, created_at=NOW, next_attempt_at=NOW, sent_at=NOW))
        s.execute(insert(Alert), [dict(channel="pp", kind="new", dedupe_key=f"queued:{i}", status="pending",
                                       payload=PAYLOAD, created_at=NOW, next_attempt_at=NOW)
                                  for i in range(start, end)])


def test_the_queue_head_does_not_read_every_queued_alert(db):
    """The worker reads each channel's head twice a round (every 2 s). Ordered by whether an
    alert is a catch-up message, then by id, the read sorted every queued alert of the channel:
    6,000 queued, 11 times the steps of 200 (SQLite 0.4 -> 5 ms, PostgreSQL 0.6 -> 5-8 ms a
    head). Its catch-up message is looked for by its kind, then the queue read in id order."""
    _queued(db, 0, 200)
    few, head = _steps(db, lambda s: tuple(queue_head(s, "pp")))
    _queued(db, 200, 6000)
    many, same = _steps(db, lambda s: tuple(queue_head(s, "pp")))
    assert head == same and head[2:4] == ("new", "pending")
    assert many < 2 * few + 20, (few, many)
    with db.session() as s:
        s.add(Alert(channel="pp", kind=CATCH_UP, dedupe_key="catch_up:pp:1:0", status="pending",
                    payload=PAYLOAD, created_at=NOW, next_attempt_at=NOW))
    _, first = _steps(db, lambda s: tuple(queue_head(s, "pp")))
    assert first[2:4] == (CATCH_UP, "pending")  # the catch-up goes before the older alerts


def _classified(db: Any, start: int, end: int) -> None:
    """Items `start` to `end` of feeds 1 and 2, classified long ago: the history a pipeline's
    round must not read to find the few items waiting (the feeds and the first call's three
    pending items too)."""
    march = NOW - timedelta(days=200)
    with db.session() as s:
        if not start:
            s.add_all([Feed(id=1, name="f", url="https://x.example/rss", consecutive_failures=0),
                       Feed(id=2, name="g", url="https://y.example/rss", consecutive_failures=0)])
            s.flush()
            s.execute(insert(Item), [dict(feed_id=1 + i % 2, guid=f"p{i}", title="t", summary="", content_hash=f"p{i}",
                                          published_at=NOW, fetched_at=NOW) for i in range(3)])
        s.execute(insert(Item), [dict(feed_id=1 + i % 2, guid=f"h{i}", title="t", summary="", content_hash=f"h{i}",
                                      published_at=march + timedelta(minutes=i), fetched_at=march,
                                      classified_at=march) for i in range(start, end)])


def test_the_pending_items_are_read_from_their_index_not_from_every_item(db):
    """The pipeline looks for pending items twice a poll of each feed (the items it stored, then
    none left). Partitioned by feed, SQLite read every item ever stored in the order of
    ix_items_feed_newest rather than the pending index's few: 16.5 ms of CPU a look at 14,000 items,
    4.7 s a simulated day at day 57 of bench/months_memory.py."""
    _classified(db, 0, 200)
    small, small_out = _steps(db, lambda s: unclassified_ids(s, 50))
    _classified(db, 200, 6000)
    large, large_out = _steps(db, lambda s: unclassified_ids(s, 50))
    assert len(small_out) == 3 and small_out == large_out
    assert large < 2 * small + 20, (small, large)


def test_postgresql_reads_the_pending_items_from_their_index(pg_db):
    """PostgreSQL's planner, with the table's statistics, reads the few pending items from the
    pending index too (its window's partition by `feed_id + 0` as by the column)."""
    _classified(pg_db, 0, 200)
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE items")
    small, small_out = _pg_blocks(pg_db, lambda s: unclassified_ids(s, 50))
    _classified(pg_db, 200, 6000)
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE items")
    large, large_out = _pg_blocks(pg_db, lambda s: unclassified_ids(s, 50))
    assert len(small_out) == 3 and small_out == large_out
    assert large < 2 * small + 10, (small, large)
