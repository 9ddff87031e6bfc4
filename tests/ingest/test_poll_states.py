"""Poll state in memory and 304s written in batches (monitor/ingest/poll_states.py): the
rows end as the ORM way leaves them, and never go back in time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from core.config import AppConfig, FeedConfig, Runtime, Settings
from devtools.feedserver import FeedServer
from devtools.samples import rss
from monitor.fetch import Fetcher
from monitor.ingest import poll_feed
from monitor.ingest.poll_states import PollStates
from monitor.service import Service, sync_config
from storage.db import Database
from storage.feeds import sync_feeds
from tests.ingest.test_poll_feed import feed_config, feed_row, item

COLUMNS = ("last_status", "consecutive_failures", "last_modified", "failure_reported")


async def test_304s_are_written_once_flushed_as_the_orm_writes_them(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    server.set_route("/a", rss([item(1)]), etag='"a1"', last_modified="Mon, 05 Jan 2026 10:00:00 GMT")
    server.set_route("/b", rss([item(2)]), etag='"b1"', last_modified="Mon, 05 Jan 2026 10:00:00 GMT")
    batched, plain = feed_config(server, "batched", "/a"), feed_config(server, "plain", "/b")
    with db.session() as s:
        sync_feeds(s, [(batched.name, batched.url), (plain.name, plain.url)])
    states = PollStates(db)
    assert (await poll_feed(batched, settings, fetcher, db, states=states)).status == "new"
    assert (await poll_feed(plain, settings, fetcher, db)).status == "new"
    before = feed_row(db, "batched")

    second = await poll_feed(batched, settings, fetcher, db, states=states)
    reference = await poll_feed(plain, settings, fetcher, db)
    assert second.status == reference.status == "not_modified"
    assert second.http_status == 304 and second.next_poll_at == second.polled_at + batched.interval
    assert feed_row(db, "batched").last_polled_at == before.last_polled_at  # not written yet
    assert len(server.hits("/a")) == 2
    assert server.hits("/a")[1].headers.get("if-none-match") == '"a1"'  # validators remembered

    assert states.flush() == 1 and states.pending == {}
    row, ref = feed_row(db, "batched"), feed_row(db, "plain")
    assert row.last_polled_at.replace(tzinfo=None) == second.polled_at.replace(tzinfo=None)
    assert row.etag == '"a1"' and ref.etag == '"b1"'
    assert row.next_poll_at is not None and row.last_success_at is not None
    assert row.first_success_at == before.first_success_at
    assert {c: getattr(row, c) for c in COLUMNS} == {c: getattr(ref, c) for c in COLUMNS}


def _one_feed(server: FeedServer, db: Database) -> tuple[FeedConfig, PollStates]:
    """Feed `a` served with an ETag and known to the database, and an empty batch."""
    server.set_route("/a", rss([item(1)]), etag='"v1"')
    cfg = feed_config(server, "a", "/a")
    with db.session() as s:
        sync_feeds(s, [(cfg.name, cfg.url)])
    return cfg, PollStates(db)


async def test_a_new_item_after_a_pending_304_writes_the_304_first(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg, states = _one_feed(server, db)
    await poll_feed(cfg, settings, fetcher, db, states=states)
    await poll_feed(cfg, settings, fetcher, db, states=states)  # 304, pending
    assert len(states.pending) == 1
    server.update_route("/a", body=rss([item(2), item(1)]), etag='"v2"')
    third = await poll_feed(cfg, settings, fetcher, db, states=states)
    assert third.status == "new" and third.stored == 1
    assert states.pending == {}
    assert states.flush() == 0
    row = feed_row(db, "a")
    assert row.etag == '"v2"' and row.last_status == 200
    assert row.last_polled_at is not None and abs(
        row.last_polled_at.replace(tzinfo=None) - third.polled_at.replace(tzinfo=None)
    ) < timedelta(seconds=1)
    # the next poll reads the row again: conditional on the new ETag
    assert (await poll_feed(cfg, settings, fetcher, db, states=states)).status == "not_modified"
    assert server.hits("/a")[-1].headers.get("if-none-match") == '"v2"'


async def test_run_writes_about_once_a_second_and_at_stop(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database
) -> None:
    cfg, states = _one_feed(server, db)
    stop = asyncio.Event()
    task = asyncio.create_task(states.run(stop))
    await poll_feed(cfg, settings, fetcher, db, states=states)
    polled = await poll_feed(cfg, settings, fetcher, db, states=states)
    for _ in range(100):  # the writer wakes about once a second; a loaded machine may be slower
        if not states.pending:
            break
        await asyncio.sleep(0.1)
    assert states.pending == {}
    assert feed_row(db, "a").last_status == 304
    assert feed_row(db, "a").next_poll_at is not None
    await poll_feed(cfg, settings, fetcher, db, states=states)
    stop.set()
    await task
    assert states.pending == {}
    assert feed_row(db, "a").last_polled_at.replace(tzinfo=None) > polled.polled_at.replace(tzinfo=None)


async def test_a_refused_batch_goes_in_the_polls_turn_and_never_over_a_newer_outcome(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database,
) -> None:
    """A batch of 304 rows was written from Python's default pool while the polls wrote theirs
    in their own thread: one that waited for a lock committed after a newer outcome of its feed,
    and a refused one was queued again over that outcome a second later (the feed's failures
    and next poll back in time)."""
    import threading

    from sqlalchemy.exc import OperationalError

    cfg, states = _one_feed(server, db)
    await poll_feed(cfg, settings, fetcher, db, states=states)
    await poll_feed(cfg, settings, fetcher, db, states=states)  # a 304, its row pending
    threads: list[str] = []
    write = states.write
    server.update_route("/a", body=rss([item(2), item(1)]), etag='"v2"')

    forget, forgotten = states.forget, threading.Event()

    def forgetting(*args: Any, **kwargs: Any) -> list[dict[str, object]]:
        forgotten.set()
        return forget(*args, **kwargs)

    def refused_while_the_feed_is_polled_again(rows: list[dict[str, object]]) -> int:
        if rows:
            threads.append(threading.current_thread().name)
        if len(threads) == 1 and not forgotten.is_set():
            # the feed's next poll fetched its new item while this round waited for a lock
            asyncio.run_coroutine_threadsafe(poll_feed(cfg, settings, fetcher, db, states=states), loop)
            forgotten.wait(10)
            raise OperationalError("UPDATE feeds", {}, Exception("database is locked"))
        return write(rows)

    loop = asyncio.get_running_loop()
    states.forget = forgetting  # type: ignore[method-assign]
    states.write = refused_while_the_feed_is_polled_again  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(states.run(stop))
    for _ in range(100):
        if feed_row(db, "a").etag == '"v2"' and not states.pending:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # a round more: a row queued again would be written by it
    stop.set()
    await task
    assert threads and all(t.startswith("poll-work") for t in threads), threads
    row = feed_row(db, "a")
    assert row.etag == '"v2"' and row.last_status == 200  # the newer outcome stands


async def test_service_close_writes_what_is_pending(
    server: FeedServer, settings: Settings, db: Database, db_url: str, default_config: AppConfig
) -> None:
    """`monitor poll-once` has no writer task: closing the service writes its 304s."""
    server.set_route("/a", rss([item(1)]), etag='"v1"')
    config = default_config.model_copy(update={
        "feeds": [feed_config(server, "a", "/a")], "channels": [], "settings": settings,
    })
    sync_config(config, db)
    runtime = Runtime("feeds.yaml", db_url, "http://127.0.0.1:9", None)
    for expected in ("new", "not_modified"):
        service = Service(config, runtime, db)
        service.fetcher.trust(server.url("/"))
        assert (await service.poll("a")).status == expected
        await service.close()
    row = feed_row(db, "a")
    assert row.last_status == 304 and row.etag == '"v1"'
