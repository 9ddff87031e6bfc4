"""The start-up round's bookkeeping (monitor/first_round.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from core.config import load_config, resolve_runtime
from monitor.first_round import GRACE, LIMIT, FirstRound, Poll
from monitor.service import Service, sync_config
from storage.db import open_database
from storage.models import Item

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_classification_waits_until_every_feed_of_the_round_was_polled():
    r = FirstRound()
    r.start(["a", "b", "c"])
    assert r.polled("b") is Poll.WAITING
    assert r.polled("b") is Poll.WAITING  # polled twice: still waiting for a and c
    assert r.polled("a") is Poll.WAITING
    assert r.polled("c") is Poll.CLOSED  # the poll that ends the round classifies the backlog
    assert r.polled("a") is Poll.FREE  # afterwards each poll classifies its own items
    assert r.release() is False


def test_no_round_without_feeds_and_a_release_ends_it():
    r = FirstRound()
    r.start([])
    assert r.polled("a") is Poll.FREE
    r.start(["a", "b"])
    assert r.release() is True  # the deadline: classify what the feeds that answered brought
    assert r.polled("b") is Poll.FREE


def test_feeds_due_much_later_are_not_waited_for():
    r = FirstRound()
    due = {"soon": NOW + timedelta(seconds=40), "later": NOW + timedelta(minutes=3),
           "backoff": NOW + LIMIT + timedelta(minutes=45)}
    deadline = r.start_scheduled(due, NOW)
    assert deadline == NOW + timedelta(minutes=3) + GRACE
    assert r.waiting == {"soon", "later"}
    assert r.start_scheduled({"backoff": due["backoff"]}, NOW) is None
    assert r.waiting is None


def test_feeds_a_reload_took_out_of_the_round_are_not_waited_for():
    r = FirstRound()
    r.start(["a", "b", "c"])
    assert r.drop(["b"]) is False  # still waits for a and c
    assert r.polled("a") is Poll.WAITING
    assert r.drop(["c", "zzz"]) is True  # none left: the round's end is due now
    assert r.release() is True
    assert r.drop(["a"]) is False  # no round


def test_a_feed_a_reload_removes_before_its_first_poll_does_not_hold_the_round(tmp_path: Path) -> None:
    """The round waited for a feed a reload had removed until its deadline (the last feed's due
    time and a minute: up to 16 minutes), and for ever when that one-shot job was found late
    (tests/test_scheduler_clock.py): now the round ends with the last feed still in it."""
    from devtools.feedserver import FeedServer
    from devtools.samples import SampleItem, rss

    yaml = ("rules: [venezuela-2026]\nsettings: {{http_listen: 127.0.0.1:9, startup_spread: 1s}}\n"
            "feeds:\n  - {{name: a, url: \"{a}\", language: es, interval: 1h}}\n{b}"
            "channels: [{{name: presos, chat_id: console, topics: [political_prisoners]}}]\n")
    path, db_url = tmp_path / "feeds.yaml", f"sqlite:///{tmp_path / 'm.db'}"

    async def scenario(a: str, b: str) -> None:
        path.write_text(yaml.format(a=a, b=f'  - {{name: b, url: "{b}", language: es, interval: 1h}}\n'))
        config = load_config(path)
        service = Service(config, resolve_runtime(config, config_path=str(path), db_flag=db_url, env={}),
                          open_database(db_url))
        sync_config(config, service.db)
        scheduler = service._start_scheduler()
        try:
            assert service.feed_scheduler is not None
            service.feed_scheduler.pause("a")  # polled when the test says
            assert service.first_round.waiting == {"a", "b"}
            path.write_text(yaml.format(a=a, b=""))  # b removed before its first poll
            assert await service.reload()
            assert service.first_round.waiting == {"a"}
            service.feed_scheduler.resume("a")
            service.feed_scheduler.poll_now("a")
            async with asyncio.timeout(20):
                while not classified(service):
                    await asyncio.sleep(0.1)
            assert service.first_round.waiting is None
        finally:
            scheduler.shutdown(wait=False)
            await service.close()

    with FeedServer() as server:
        server.set_route("/a.xml", rss([SampleItem("Excarcelan a 10 presos políticos en Caracas", "https://ex.org/1")]))
        server.set_route("/b.xml", rss([SampleItem("Otra nota", "https://ex.org/2")]))
        asyncio.run(scenario(server.url("/a.xml"), server.url("/b.xml")))


def classified(service: Service) -> bool:
    with service.db.session() as s:
        return bool(s.scalar(select(func.count(Item.id)).where(Item.classified_at.is_not(None))))
