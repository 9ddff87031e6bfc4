"""Digest roundups of the running service: a schedule time passed while the service was
stopped (or the host asleep) still gets its roundup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import open_database
from storage.models import Alert, Channel, Feed, Item, Story

CONFIG = """rules: [venezuela-2026]
settings:
  http_listen: 127.0.0.1:9306
feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels:
  - {name: resumen, chat_id: console, topics: [political_prisoners], mode: digest, schedule: ["%s"]}
  - {name: nuevo, chat_id: console, topics: [political_prisoners], mode: digest, schedule: ["%s"]}
"""


def test_a_roundup_whose_time_passed_while_stopped_is_queued_at_start(tmp_path: Path) -> None:
    """The service restarted (an upgrade, a reboot) three minutes after the daily roundup's
    time: the CronTrigger only fires while running, so that day's roundup was never queued
    and its stories waited a day for the next one. A channel that never had a roundup
    waits for its first time, as before."""
    now = datetime.now(UTC)
    at = (now - timedelta(minutes=3)).astimezone(ZoneInfo("America/Caracas"))
    path = tmp_path / "feeds.yaml"
    path.write_text(CONFIG % (f"{at:%H:%M}", f"{at:%H:%M}"), encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})
    db = open_database(db_url)
    sync_config(config, db)
    with db.session() as s:
        s.scalar(select(Channel).where(Channel.name == "resumen")).last_digest_at = now - timedelta(days=1, minutes=3)
        story = Story(title="Excarcelan a 20 presos políticos", topics=["political_prisoners"],
                      urgency="high", told_at=now - timedelta(hours=2))
        s.add(story)
        s.flush()
        s.add(Item(feed_id=s.scalar(select(Feed.id).where(Feed.name == "medio")), guid="g1",
                   url="https://medio.example/1", title=story.title, summary="", language="es",
                   published_at=now - timedelta(hours=2), content_hash="h1", entities=[],
                   story_id=story.id, classified_at=now - timedelta(hours=2)))

    async def scenario() -> None:
        service = Service(config, runtime, db)
        running = asyncio.create_task(service.run())
        for _ in range(100):
            with db.session() as s:
                if s.scalar(select(Alert.id).where(Alert.kind == "digest")) is not None:
                    break
            await asyncio.sleep(0.05)
        service.request_stop()
        assert await running == 0

    asyncio.run(scenario())
    with db.session() as s:
        digests = list(s.scalars(select(Alert).where(Alert.kind == "digest")))
        assert [a.channel for a in digests] == ["resumen"]
        assert "Excarcelan a 20 presos" in digests[0].payload["text"]
        slot = at.replace(second=0, microsecond=0).astimezone(UTC)  # its period ends at the time missed
        assert s.scalar(select(Channel.last_digest_at).where(Channel.name == "resumen")) == slot
        assert s.scalar(select(Channel.last_digest_at).where(Channel.name == "nuevo")) is None
    db.dispose()


def test_a_roundup_time_the_clocks_repeat_queues_one_roundup(tmp_path: Path) -> None:
    """New York's clocks go back on 1 November 2026 and show 01:30 twice (EDT, then EST). The
    service's CronTrigger fires at both, and each queued a roundup: a daily channel got a
    second one an hour after the first, of the stories told in between."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    path = tmp_path / "feeds.yaml"
    path.write_text(CONFIG.replace("http_listen: 127.0.0.1:9306", "http_listen: 127.0.0.1:9306\n  timezone: America/New_York")
                    % ("01:30", "08:00"), encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})
    db = open_database(db_url)
    sync_config(config, db)
    start = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    with db.session() as s:
        s.scalar(select(Channel).where(Channel.name == "resumen")).last_digest_at = datetime(
            2026, 10, 31, 5, 30, tzinfo=UTC)
        feed_id = s.scalar(select(Feed.id).where(Feed.name == "medio"))
        # told at 00:00 EDT, before the first 01:30; and at 01:10 EST, between the two
        for n, told in enumerate((datetime(2026, 11, 1, 4, 0, tzinfo=UTC), datetime(2026, 11, 1, 6, 10, tzinfo=UTC))):
            story = Story(title=f"Excarcelan a {20 + n} presos políticos", topics=["political_prisoners"],
                          urgency="high", told_at=told)
            s.add(story)
            s.flush()
            s.add(Item(feed_id=feed_id, guid=f"g{n}", url=f"https://medio.example/{n}", title=story.title,
                       summary="", language="es", published_at=told, content_hash=f"h{n}", entities=[],
                       story_id=story.id, classified_at=told))

    service = Service(config, runtime, db)
    service.scheduler = AsyncIOScheduler(timezone=UTC)
    service._schedule_digests()
    trigger = service.scheduler.get_job("digest:resumen:01:30").trigger
    fired, when = [], trigger.get_next_fire_time(None, start)
    while when < start + timedelta(days=1):
        fired.append(when.astimezone(UTC))
        service._enqueue_digest("resumen", when.astimezone(UTC))  # what the job runs, at its time
        when = trigger.get_next_fire_time(when, when)
    assert datetime(2026, 11, 1, 6, 30, tzinfo=UTC) in fired  # 01:30 EST: the trigger fires again
    with db.session() as s:
        digests = list(s.scalars(select(Alert).where(Alert.kind == "digest")))
        assert len(digests) == 1
        assert "Excarcelan a 20 presos" in digests[0].payload["text"]
        assert s.scalar(select(Channel.last_digest_at).where(Channel.name == "resumen")) == datetime(
            2026, 11, 1, 5, 30, tzinfo=UTC)
    db.dispose()
