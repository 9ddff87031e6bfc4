"""Per-feed limits end to end (issue 13, "no per-feed limits"): a feed of 100,000 entries
and a feed producing 1,500 matching items, served over HTTP on 127.0.0.1, through the
in-process service (real SQLite file, python-telegram-bot against the Bot API emulator)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from service_world import World
from sqlalchemy import func, select

from alerts.feed_limits import fold_held
from core.config import Limits, load_config, resolve_runtime
from devtools.samples import SampleItem, rss
from monitor.service import Service
from monitor.service.polls import drain_polls
from storage.db import open_database
from storage.models import Alert, Feed, Item

ADMIN = 4242
PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
FIRST = ["Luis", "Ana", "Pedro", "María", "José", "Carmen", "Jesús", "Rosa", "Juan", "Elena"]
LAST = ["Pérez", "Gómez", "Rodríguez", "Martínez", "Hernández", "López", "Díaz", "Sánchez"]


def service_of(world: World) -> Service:
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url, env=world.env())
    return Service(config, runtime, open_database(world.db_url))


async def one_pass(service: Service) -> list[str]:
    results = await service.poll_once()
    await service.worker.start()
    await service.worker.deliver_pending()
    return [r.summary_line() for r in results]


def last_pass(service: Service) -> list[str]:
    """One pass, then the service closed: its summary lines."""

    async def run() -> list[str]:
        try:
            return await one_pass(service)
        finally:
            await service.close()

    return asyncio.run(run())


def test_a_feed_of_100000_entries_is_read_up_to_its_limits(world: World):
    items = [{"id": f"e{i}", "title": f"Nota número {i} del boletín"} for i in range(100_000)]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "big", "items": items})
    world.server.set_route("/big.json", body, content_type="application/feed+json")
    world.write_config(PRESOS, raw=None, feeds=[])
    config = load_config(world.config_path)
    raw = config.model_dump(mode="json")
    raw["feeds"] = [{"name": "big", "url": world.server.url("/big.json"), "language": "es", "interval": "30s",
                     "fetch_article": "never"}]
    world.config_path.write_text(json.dumps(raw), encoding="utf-8")  # JSON is YAML
    service = service_of(world)

    async def polls() -> list[list[str]]:
        try:
            return [await one_pass(service) for _ in range(4)]
        finally:
            await service.close()

    lines = asyncio.run(polls())
    # the pass polls the feed again for what a poll left, as often as the document's 500 read
    # entries need at 200 a poll: 200 + 200 + 100, everything read stored, nothing twice
    [line] = lines[0]  # one line a feed, whatever its polls
    assert "big: 0 new, 500 older stored without alerts" in line, line  # a first listing, undated
    assert "stored over 3 polls (max_new_items_per_poll)" in line and "left for a later poll" not in line
    assert "99500 of 100000 entries not read (max_entries_per_document: 500)" in line
    with service.db.session() as s:
        stored = s.scalar(select(func.count(Item.id)))
        feed = s.scalar(select(Feed).where(Feed.name == "big"))
        assert stored == 500
        assert feed is not None and feed.parse_problem is not None
        assert "max_entries_per_document" in feed.parse_problem
    assert all(len(later) == 1 and "no new items" in later[0] for later in lines[1:]), lines[1:]
    service.db.dispose()


def test_1500_matching_items_reach_the_channel_as_the_limit_and_one_folded_message(world: World):
    world.feed("flood")
    now = datetime.now(UTC)
    world.items["flood"] = [
        SampleItem(
            title=f"Detienen al periodista {FIRST[i % 10]} {LAST[(i // 10) % 8]} {i} en Caracas, denuncia el SNTP",
            link=f"{world.server.base_url}/a/{i}", guid=f"g{i}", published=now - timedelta(seconds=i),
        )
        for i in range(1_500)
    ]
    world.server.set_route("/flood.xml", rss(world.items["flood"], title="flood", language="es"),
                           content_type="application/rss+xml")
    world.write_config(PRESOS, settings={"admin_chat_id": ADMIN})
    config = load_config(world.config_path)
    raw = config.model_dump(mode="json")  # a per-feed override lets the whole flood in at once
    raw["feeds"][0].update(max_entries_per_document=2000, max_new_items_per_poll=2000)
    world.config_path.write_text(json.dumps(raw), encoding="utf-8")
    service = service_of(world)

    async def run() -> tuple[int, int]:
        try:
            await one_pass(service)
            first = await service.admin.notify_problems()
            again = await service.admin.notify_problems()
            return first, again
        finally:
            await service.close()

    told, told_again = asyncio.run(run())
    texts = world.texts("@presos_test")
    assert len(texts) == 21, len(texts)  # max_alerts_per_hour (20) and one folded message
    assert texts[-1].startswith("➕ Y 1480 más de flood en la última hora (límite: 20 por hora)")
    assert all(t.count("\n") < 60 for t in texts)
    assert (told, told_again) == (1, 0)
    [notice] = world.texts(str(ADMIN))
    assert "Feed flood went over its limit of 20 alerts an hour in channel presos" in notice
    assert "1480 more were folded" in notice

    with service.db.session() as s:
        assert s.scalar(select(func.count(Item.id))) == 1_500  # nothing matched is lost
        by_status = dict(s.execute(select(Alert.status, func.count(Alert.id)).group_by(Alert.status)).all())
        assert by_status == {"sent": 21, "folded": 1_480}
        # within the hour, more held alerts wait; an hour later they are folded in one message
        assert fold_held(s, service.config, now=datetime.now(UTC) + timedelta(minutes=30)) == []
    service.db.dispose()


def test_a_pass_over_a_feed_listing_months_stores_and_tells_it_oldest_first(world: World):
    """A feed's first poll listing 450 new items: the pass stores them all (200, 200, 50), then
    classifies them once, in the order they were published: the oldest figure is the alert and
    the later ones its replies, though the later ones were stored first."""
    world.feed("archivo")
    now = datetime.now(UTC)
    older = [SampleItem(title=f"Nota {i} del archivo sobre la economía", link=f"{world.server.base_url}/n/{i}",
                        guid=f"n{i}", published=now - timedelta(hours=3, minutes=i)) for i in range(3, 450)]
    tallies = [SampleItem(title=f"Foro Penal suma {n} presos políticos excarcelados en Rodeo I",
                          link=f"{world.server.base_url}/t/{n}", guid=f"t{n}",
                          published=now - timedelta(hours=3, minutes=900 - 10 * n)) for n in (14, 15, 16)]
    world.items["archivo"] = older + tallies
    world.server.set_route("/archivo.xml", rss(sorted(world.items["archivo"], key=lambda i: i.published,
                                                     reverse=True), title="archivo", language="es"),
                           content_type="application/rss+xml")
    world.write_config(PRESOS, settings={"backfill_window": "30d"})
    service = service_of(world)
    [line] = last_pass(service)
    assert line.startswith("archivo: 450 new (stored over 3 polls"), line
    with service.db.session() as s:
        assert s.scalar(select(func.count(Item.id))) == 450
        assert s.scalar(select(func.count(Item.id)).where(Item.classified_at.is_(None))) == 0
    messages = world.emulator.messages("@presos_test")
    first = [m for m in messages if m.reply_to is None]
    assert len(first) == 1 and "suma 14" in first[0].text, [m.text for m in messages]
    assert [n for m in messages if m.reply_to for n in (15, 16) if f"{n} verificados" in m.text] == [15, 16]
    service.db.dispose()


def test_a_pass_gives_a_feed_no_more_polls_than_its_read_entries_need(world: World):
    """A feed that lists six new items at each fetch (a flood): a pass stops after the polls
    one document's read entries need (max_entries_per_document 6, 2 a poll: 3 polls)."""
    now = datetime.now(UTC)

    def document(n: int) -> bytes:
        return rss([SampleItem(title=f"Aviso {n}-{i} del boletín", link=f"{world.server.base_url}/f/{n}/{i}",
                               guid=f"f{n}-{i}", published=now - timedelta(minutes=10 * n + i)) for i in range(6)],
                   title="flood", language="es")

    route = world.server.set_route("/flood.xml", document(0), content_type="application/rss+xml")
    route.then = [document(n) for n in range(1, 10)]
    world.write_config(PRESOS, raw=None, feeds=[])
    raw = load_config(world.config_path).model_dump(mode="json")
    raw["feeds"] = [{"name": "flood", "url": world.server.url("/flood.xml"), "language": "es",
                     "fetch_article": "never", "max_entries_per_document": 6, "max_new_items_per_poll": 2}]
    world.config_path.write_text(json.dumps(raw), encoding="utf-8")
    service = service_of(world)
    [line] = last_pass(service)
    assert "(stored over 3 polls (max_new_items_per_poll); 4 more new items left for a later poll" in line, line
    assert len(world.server.hits("/flood.xml")) == 3
    with service.db.session() as s:
        assert s.scalar(select(func.count(Item.id))) == 6
    service.db.dispose()


def test_drain_polls_cover_one_read_document() -> None:
    assert drain_polls(Limits(max_entries_per_document=500, max_new_items_per_poll=200, max_alerts_per_hour=20)) == 3
    assert drain_polls(Limits(max_entries_per_document=200, max_new_items_per_poll=200, max_alerts_per_hour=20)) == 1
    assert drain_polls(Limits(max_entries_per_document=100, max_new_items_per_poll=2000, max_alerts_per_hour=20)) == 1


def test_a_scheduled_poll_stores_a_first_listing_whole(world: World):
    """The running service's poll (the scheduler's `Service.poll`) does as the pass does: a
    first listing of 450 undated items is stored by one poll's three fetches, all backfill,
    and the poll's one result says so; before, 250 waited for the next poll an interval later
    and were then taken for news."""
    world.feed("archivo")
    world.items["archivo"] = [SampleItem(title=f"Nota {i} del archivo sobre la economía",
                                         link=f"{world.server.base_url}/n/{i}", guid=f"n{i}") for i in range(450)]
    world.server.set_route("/archivo.xml", rss(world.items["archivo"], title="archivo", language="es"),
                           content_type="application/rss+xml")
    world.write_config(PRESOS)
    service = service_of(world)

    async def run() -> tuple[str, int]:
        try:
            result = await service.poll("archivo")
            return result.summary_line(), result.polls
        finally:
            await service.close()

    line, polls = asyncio.run(run())
    assert polls == 3 and line == ("archivo: 0 new, 450 older stored without alerts "
                                   "(stored over 3 polls (max_new_items_per_poll))"), line
    assert len(world.server.hits("/archivo.xml")) == 3
    with service.db.session() as s:
        assert s.scalar(select(func.count(Item.id))) == 450
        assert s.scalar(select(Feed.first_success_at).where(Feed.name == "archivo")) is not None
    service.db.dispose()
