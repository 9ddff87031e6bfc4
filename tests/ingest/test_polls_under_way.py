"""How many polls are under way at once, and where their work runs (monitor/ingest/poll.py)."""

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from core.config import FeedConfig, Settings
from devtools.feedserver import FeedServer
from devtools.samples import SampleItem, rss
from monitor.fetch import Fetcher
from monitor.ingest import poll as poll_module
from monitor.ingest import poll_feed
from storage.db import Database
from storage.feeds import sync_feeds

NOW = datetime.now(UTC)


def _feed(server: FeedServer, n: int) -> FeedConfig:
    path = f"/feed{n}"
    server.set_route(path, rss([SampleItem(
        title=f"Nota {n}", link=f"https://news.example/{n}", summary="Texto largo de la nota. " * 30,
        guid=f"guid-{n}", published=NOW - timedelta(hours=1))]))
    return FeedConfig(name=f"feed{n}", url=server.url(path), language="es")


async def test_polls_wait_for_a_slot_from_their_fetch_to_their_store(
    server: FeedServer, settings: Settings, db: Database,
) -> None:
    """With one fetch slot, two polls are under way at most: while another process holds the
    write lock, the polls that fetched wait to store, and the other feeds are not even fetched
    (their documents would wait in memory); once the lock is let go every feed is stored."""
    settings = settings.model_copy(update={"concurrency": 1})
    feeds = [_feed(server, n) for n in range(5)]
    with db.session() as session:  # as the service's start does: the poll then only reads the row
        sync_feeds(session, [(f.name, f.url) for f in feeds])
    assert db.sqlite_file is not None
    holder = sqlite3.connect(db.sqlite_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        async with Fetcher(settings, deadline=4.0) as fetcher:
            polls = [asyncio.create_task(poll_feed(f, settings, fetcher, db)) for f in feeds]
            for _ in range(100):  # until the two polls under way have fetched (and wait to store)
                await asyncio.sleep(0.02)
                if sum(len(server.hits(f"/feed{n}")) for n in range(5)) >= 2:
                    break
            await asyncio.sleep(0.5)  # a third fetch would have happened by now
            assert sum(len(server.hits(f"/feed{n}")) for n in range(5)) == 2
            assert not any(p.done() for p in polls)
            holder.execute("ROLLBACK")
            results = await asyncio.wait_for(asyncio.gather(*polls), 20)
    finally:
        holder.close()
    assert [r.stored for r in results] == [1] * 5
    assert all(len(server.hits(f"/feed{n}")) == 1 for n in range(5))


async def test_a_polls_reads_and_writes_run_in_the_polls_one_thread(
    server: FeedServer, settings: Settings, fetcher: Fetcher, db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The feed's row read, the document's read (parse, clean, look-up) and the store run in
    the polls' one thread, not on the event loop and not in a thread each: under the GIL
    threads that parse and store beside the loop gain nothing and cost hand-offs."""
    threads: dict[str, set[str]] = {"load_state": set(), "_examine": set(), "record_success": set()}
    loop_thread = threading.current_thread().name

    def watched(name: str) -> Callable[..., object]:
        call = getattr(poll_module, name)

        def run(*args: object, **kwargs: object) -> object:
            threads[name].add(threading.current_thread().name)
            return call(*args, **kwargs)

        return run

    for name in threads:
        monkeypatch.setattr(poll_module, name, watched(name))
    results = await asyncio.gather(*(poll_feed(_feed(server, n), settings, fetcher, db) for n in range(6)))
    assert [r.stored for r in results] == [1] * 6
    used = set().union(*threads.values())
    assert all(threads.values()) and len(used) == 1 and loop_thread not in used
    assert next(iter(used)).startswith("poll-work")
