"""The service's tally round (issue 15): only the leader queues the tally's chart and keeps the
pinned figures; a replica that does not lead leaves both alone. The in-process service on a
real SQLite file, python-telegram-bot against the Bot API emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from service_world import World
from sqlalchemy import select

from alerts.delivery import PHOTO
from core.config import load_config, resolve_runtime
from monitor.service import Service
from storage.db import open_database
from storage.models import Alert, Count, Feed, Item, Match

PP = "political_prisoners"


def _figures(service: Service) -> None:
    with service.db.session() as s:
        feed = Feed(name="radio", url="https://radio.example/feed", consecutive_failures=0)
        for n, (day, event, number, source) in enumerate([(9, "held", 800, "Foro Penal"),
                                                          (13, "released", 400, "Jorge Rodríguez")]):
            when = datetime(2026, 1, day, 12, tzinfo=UTC)
            item = Item(feed=feed, guid=str(n), url=f"https://radio.example/{n}", title="t", summary="",
                        published_at=when, fetched_at=when, content_hash=str(n), classified_at=when)
            s.add(item)
            s.flush()
            s.add(Count(item_id=item.id, event=event, number=number, source=source))
            s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))


def test_only_the_leader_posts_the_chart_and_keeps_the_pinned_figures(world: World) -> None:
    due = datetime.now(UTC) - timedelta(minutes=5)  # a daily chart due 5 minutes ago (UTC)
    world.write_config([
        {"name": "weekly", "chat_id": "@pp_weekly", "topics": [PP], "mode": "digest", "schedule": ["20:00"],
         "tally_chart": {"every": "daily", "at": due.strftime("%H:%M")}},
        {"name": "live", "chat_id": "@pp_live", "topics": [PP], "pin_tally": True},
    ], settings={"timezone": "UTC"})
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url, env=world.env())
    service = Service(config, runtime, open_database(world.db_url))
    _figures(service)

    def photos() -> list[Alert]:
        with service.db.session() as s:
            return list(s.scalars(select(Alert).where(Alert.kind == PHOTO)))

    async def rounds() -> None:
        try:
            service.replicas.leading = False  # another replica leads
            await service.tally_tick()
            assert photos() == [] and world.emulator.messages("@pp_live") == []
            service.replicas.leading = True
            await service.tally_tick()
            await service.worker.start()
            await service.worker.deliver_pending()
        finally:
            await service.close()

    asyncio.run(rounds())
    [queued] = photos()
    assert queued.channel == "weekly" and queued.status == "sent"
    [chart] = world.emulator.messages("@pp_weekly")
    assert chart.photo is not None and "still held: 800 (Foro Penal, 2026-01-09)" in chart.text
    [live] = world.emulator.messages("@pp_live")
    assert world.emulator.pinned("@pp_live") == live.message_id
    assert "Siguen presos: 800 (Foro Penal, 09/01/2026)" in live.text
    service.db.dispose()
