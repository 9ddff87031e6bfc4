"""How many polls are under way at once, and where their work runs (monitor/ingest/poll.py)."""

import asyncio
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
    """With one fetch slot, two polls are under way at most: while the writes are held, the
    other feeds are not even fetched (their documents would wait in memory), and once the
    writes go on every feed is polled and stored."""
    settings = settings.model_copy(update={"concurrency": 1})
    feeds = [_feed(server, n) for n in range(5)]
    held = threading.Event()
    poll_module.WRITES.submit(held.wait, 30)  # the writes' one thread is busy until set
    try:
        async with Fetcher(settings, deadline=4.0) as fetcher:
            polls = [asyncio.create_task(poll_feed(f, settings, fetcher, db)) for f in feeds]
            fetched = 0
            for _ in range(100):  # until the two polls under way have fetched (and wait to store)
                await asyncio.sleep(0.02)
                fetched = sum(len(server.hits(f"/feed{n}")) for n in range(5))
                if fetched >= 2:
                    break
            await asyncio.sleep(0.3)  # a third fetch would have happened by now
            assert sum(len(server.hits(f"/feed{n}")) for n in range(5)) == 2
            assert not any(p.done() for p in polls)
            held.set()
            results = await asyncio.wait_for(asyncio.gather(*polls), 20)
    finally:
        held.set()
    assert [r.stored for r in results] == [1] * 5
    assert all(len(server.hits(f"/feed{n}")) == 1 for n in range(5))


async def test_a_documents_reading_runs_in_one_thread_and_its_store_in_another(
    server: FeedServer, settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parse, clean and look-up in the documents' thread (one at a time: parallel parses gain
    nothing under the GIL and cost hand-offs), the store in the writes' thread."""
    threads: dict[str, set[str]] = {"_examine": set(), "record_success": set()}

    def watched(name: str) -> Callable[..., object]:
        call = getattr(poll_module, name)

        def run(*args: object, **kwargs: object) -> object:
            threads[name].add(threading.current_thread().name)
            return call(*args, **kwargs)

        return run

    for name in threads:
        monkeypatch.setattr(poll_module, name, watched(name))
    async with Fetcher(settings, deadline=4.0) as fetcher:
        results = await asyncio.gather(*(poll_feed(_feed(server, n), settings, fetcher, db) for n in range(6)))
    assert [r.stored for r in results] == [1] * 6
    assert [name.split("_")[0] for name in threads["_examine"]] == ["poll-documents"]
    assert [name.split("_")[0] for name in threads["record_success"]] == ["poll-writes"]
