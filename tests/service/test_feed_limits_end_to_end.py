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
from core.config import load_config, resolve_runtime
from devtools.samples import SampleItem, rss
from monitor.service import Service
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
    assert "big: 200 new" in lines[0][0] or "big: 0 new, 200 older" in lines[0][0], lines[0]
    assert "300 more new items left for a later poll (max_new_items_per_poll)" in lines[0][0]
    assert "99500 of 100000 entries not read (max_entries_per_document: 500)" in lines[0][0]
    with service.db.session() as s:
        stored = s.scalar(select(func.count(Item.id)))
        feed = s.scalar(select(Feed).where(Feed.name == "big"))
        assert stored == 500  # 200 + 200 + 100: everything read is stored, nothing twice
        assert feed is not None and feed.parse_problem is not None
        assert "max_entries_per_document" in feed.parse_problem
    assert "left for a later poll" in lines[1][0] and "left for a later poll" not in lines[2][0]
    assert "no new items" in lines[3][0]
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
