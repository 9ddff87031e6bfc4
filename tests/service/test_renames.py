"""Renames in feeds.yaml (end to end: feed server, `monitor poll-once` or `monitor run`
across edits of the file, the Bot API emulator, a SQLite file): a feed or a channel renamed
is the same feed or channel under its new name (docs/CONFIG.md, "Renames")."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ruamel.yaml import YAML
from service_world import wait_for
from sqlalchemy import select
from test_restore import poll

from alerts.digest import enqueue_digest
from core.config import load_config
from devtools.samples import rss
from monitor.service import sync_config
from storage.db import open_database
from storage.models import Alert, Channel, Feed, Item, Story, TallyPin

US = [{"name": "us", "chat_id": "@us_test", "topics": ["us_actions"], "languages": ["en"]}]
STRIKE = "US strike on alleged drug boat in the Caribbean kills three"
STRIKE_MORE = "The strike was the latest in a campaign against boats the US says carry drugs."
PENTAGON = "US strike on drug boat in the Caribbean leaves 3 dead, according to the Pentagon"
PENTAGON_MORE = "Defense officials said the boat was operated by a designated terrorist group."


def _poll(world) -> str:
    """`monitor poll-once` in process (tests/service/test_restore.py), which reads the edited
    file as the process does; the first test polls through the `monitor` process (a process
    per poll took 1-1.5 s of CPU)."""
    return poll(world)


def _poll_process(world) -> str:
    result = world.monitor("poll-once")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _sql(world, statement: str) -> list[tuple]:
    with sqlite3.connect(world.tmp / "monitor.db") as conn:
        return conn.execute(statement).fetchall()


def _edit(world, change: Callable[[Any], object]) -> None:
    """Edit the written feeds.yaml (`change(config)`), replacing it atomically."""
    yaml = YAML()
    config = yaml.load(world.config_path.read_text(encoding="utf-8"))
    change(config)
    tmp = world.config_path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        yaml.dump(config, fh)
    tmp.replace(world.config_path)


def _feed(config: Any, name: str) -> Any:
    return next(f for f in config["feeds"] if f["name"] == name)


def test_a_renamed_feed_keeps_its_items_and_its_outlet_in_later_edits(world):
    """Feed `wire` renamed `wire-agency` (same URL, same outlet): its row is the feed's under
    the new name, so the story's next edit names the other outlet only, not `wire` (the old
    name, no longer a feed of the file) beside the message of its own outlet."""
    world.feed("wire", "en")
    world.feed("bbc", "en")
    world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    _edit(world, lambda c: _feed(c, "wire").update(outlet="Wire Agency"))
    _poll_process(world)
    _edit(world, lambda c: _feed(c, "wire").update(name="wire-agency"))
    world.publish("bbc", PENTAGON, PENTAGON_MORE)
    _poll_process(world)

    [message] = world.emulator.messages("@us_test")
    assert message.edits and "Also: bbc" in message.text, message.text
    assert "wire" not in message.text.split("Also:")[1], message.text
    assert _sql(world, "SELECT name, (SELECT count(*) FROM items WHERE feed_id = feeds.id) FROM feeds ORDER BY id") == [
        ("wire-agency", 1), ("bbc", 1)]


def test_a_paused_feed_renamed_by_a_hot_reload_stays_paused(world):
    """`/pause wire`, then feeds.yaml renames it: the running service reloads the file and
    does not poll the renamed feed (its pause is on its row, which it keeps)."""
    world.feed("wire", "en")
    world.feed("bbc", "en")
    world.write_config(US)
    _poll(world)
    _sql(world, "UPDATE feeds SET paused = 1, next_poll_at = NULL WHERE name = 'wire'")
    polled = len(world.server.hits("/wire.xml"))
    world.start()
    wait_for(lambda: "starting:" in world.log_of(), 30, "the service's start")
    _edit(world, lambda c: _feed(c, "wire").update(name="wire-agency"))
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload")
    time.sleep(3)  # a feed new to the service is polled within startup_spread (1 s)
    assert len(world.server.hits("/wire.xml")) == polled
    assert _sql(world, "SELECT name, paused FROM feeds ORDER BY id") == [("wire-agency", 1), ("bbc", 0)]


def test_a_renamed_channel_edits_the_story_message_it_sent(world):
    """Channel `us` renamed `us-alerts` (same chat): the story's next report edits the
    message the chat has, not a second message of the whole story."""
    world.feed("wire", "en")
    world.feed("bbc", "en")
    world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    _poll(world)
    world.write_config([{**US[0], "name": "us-alerts"}])
    world.publish("bbc", PENTAGON, PENTAGON_MORE)
    _poll(world)

    messages = world.emulator.messages("@us_test")
    assert len(messages) == 1 and messages[0].edits, [m.text for m in messages]
    assert "Also: bbc" in messages[0].text


def test_alerts_queued_for_a_renamed_channel_are_sent_under_its_new_name(world):
    """Telegram down when the alert was queued, the channel renamed before the next run: the
    alert goes out once, not held for good as a removed channel's."""
    world.feed("wire", "en")
    world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    world.emulator.set_down(True)
    _poll(world)
    assert world.emulator.messages("@us_test") == []
    world.emulator.set_down(False)
    world.write_config([{**US[0], "name": "us-alerts"}])
    _poll(world)

    assert len(world.emulator.messages("@us_test")) == 1
    assert _sql(world, "SELECT channel, status, dedupe_key FROM alerts") == [
        ("us-alerts", "sent", "new:us-alerts:1")]


DIGEST = """rules: [venezuela-2026]
feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels:
  - {name: %s, chat_id: "@resumen", topics: [political_prisoners], mode: digest, schedule: ["08:00", "20:00"]}
"""


def test_a_renamed_digest_channel_tells_only_the_stories_since_its_last_roundup(tmp_path):
    """The 20:00 roundup, then the channel renamed: the 08:00 roundup holds the night's
    stories, not again those of the last 24 h that the 20:00 one told."""
    path = tmp_path / "feeds.yaml"
    db = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    now = datetime.now(UTC)

    def told(title: str, at: datetime) -> None:
        with db.session() as s:
            story = Story(title=title, topics=["political_prisoners"], urgency="high", told_at=at)
            s.add(story)
            s.flush()
            s.add(Item(feed_id=s.scalar(select(Feed.id)), guid=title, url=f"https://medio.example/{story.id}",
                       title=title, summary="", language="es", published_at=at, content_hash=title,
                       entities=[], story_id=story.id, classified_at=at))

    path.write_text(DIGEST % "resumen", encoding="utf-8")
    config = load_config(path)
    sync_config(config, db)
    told("Excarcelan a 20 presos políticos en Caracas", now - timedelta(hours=13))
    with db.session() as s:
        first = enqueue_digest(s, config, "resumen", now=now - timedelta(hours=12))
        assert [a.payload["stories"] for a in first] == [1]
        first[0].status = "sent"  # (one unsent past catch_up_after is folded into the next: alerts/digest.py)
    path.write_text(DIGEST % "resumen-diario", encoding="utf-8")
    config = load_config(path)
    sync_config(config, db)
    told("Detienen al periodista Luis Pérez en Caracas", now - timedelta(hours=2))
    with db.session() as s:
        digest = enqueue_digest(s, config, "resumen-diario", now=now)
        assert [a.payload["stories"] for a in digest] == [1]
        assert "Luis Pérez" in digest[0].payload["text"] and "20 presos" not in digest[0].payload["text"]
    with db.session() as s:
        assert {a.channel for a in s.scalars(select(Alert))} == {"resumen-diario"}


def test_a_renamed_channel_keeps_its_pinned_tally_and_its_disabled_state(tmp_path):
    """The pinned figures are edited in place (not a second message pinned in the chat), and
    a channel Telegram refused stays disabled until `/enable` or a new chat_id."""
    path = tmp_path / "feeds.yaml"
    db = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    path.write_text(DIGEST % "resumen", encoding="utf-8")
    sync_config(load_config(path), db)
    with db.session() as s:
        s.add(TallyPin(channel="resumen", chat_id="@resumen", message_id=7, text="…", pinned=True))
        s.scalar(select(Channel)).disabled = True
    path.write_text(DIGEST % "resumen-diario", encoding="utf-8")
    sync_config(load_config(path), db)
    with db.session() as s:
        assert [(p.channel, p.message_id) for p in s.scalars(select(TallyPin))] == [("resumen-diario", 7)]
        assert [(c.name, c.disabled) for c in s.scalars(select(Channel))] == [("resumen-diario", True)]


def test_a_poll_in_flight_when_its_feed_is_renamed_stores_under_the_renamed_feed(world):
    """The reload renames the feed while its poll waits for the outlet's answer: the poll's
    items and outcome go to the feed's row under its new name, not to a new row of the old
    name (an outlet no longer in feeds.yaml, named so in its stories' messages)."""
    world.feed("wire", "en")
    world.feed("bbc", "en")
    world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    world.server.update_route("/wire.xml", delay=5)
    world.start()
    wait_for(lambda: world.server.hits("/wire.xml"), 30, "the poll in flight")
    _edit(world, lambda c: _feed(c, "wire").update(name="wire-agency"))
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload")
    wait_for(lambda: world.emulator.messages("@us_test"), 30, "the alert")
    assert _sql(world, "SELECT name, (SELECT count(*) FROM items WHERE feed_id = feeds.id), last_success_at IS NOT NULL"
                       " FROM feeds ORDER BY id") == [("wire-agency", 1, 1), ("bbc", 0, 1)]


def test_a_half_written_file_removes_no_feed_and_loses_no_alert(world):
    """An editor saves feeds.yaml in two writes and the watcher reads it between them: the
    first half has no `feeds:` and no `channels:`. Applied, it removed every feed and
    channel, and the poll in flight meanwhile classified its item for no channel: its
    alert was never sent, even once the whole file was back."""
    world.feed("wire", "en")
    world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    whole = world.config_path.read_text(encoding="utf-8")
    world.server.update_route("/wire.xml", delay=5)
    world.start()
    wait_for(lambda: world.server.hits("/wire.xml"), 30, "the poll in flight")
    world.config_path.write_text(whole[:whole.index("feeds:")], encoding="utf-8")
    wait_for(lambda: "config reload" in world.log_of(), 30, "the half file read")
    wait_for(lambda: "matched us_actions" in world.log_of(), 30, "the item classified")
    world.config_path.write_text(whole, encoding="utf-8")
    wait_for(lambda: world.emulator.messages("@us_test"), 30, "the alert")
    log = world.log_of()
    assert ("config reload rejected: feeds.yaml has no 'feeds' section and no 'channels' section (the running "
            "config has 1 feeds and 1 channels)") in log, log
    assert "removed: wire" not in log


def test_a_channel_switched_from_instant_to_digest_rounds_up_only_what_it_was_not_told(world):
    """The channel told the story at once; the operator switches it to `mode: digest`: its
    first roundup covers what came after its last instant alert, not the story again (the
    last 24 h, or for a channel that was a digest channel before, every story since its last
    roundup, a month ago)."""
    world.feed("wire", "en")
    world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    _poll(world)
    assert len(world.emulator.messages("@us_test")) == 1
    db = open_database(world.db_url)
    for last_roundup in (None, datetime.now(UTC) - timedelta(days=30)):
        with db.session() as s:
            s.scalar(select(Channel)).last_digest_at = last_roundup
        world.write_config([{**US[0], "mode": "digest", "schedule": ["08:00"]}])
        config = load_config(world.config_path)
        sync_config(config, db)
        with db.session() as s:
            assert enqueue_digest(s, config, "us", now=datetime.now(UTC)) == []


TWO_CHANNELS = """rules: [venezuela-2026]
settings: {http_listen: "127.0.0.1:9307"}
feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels:
  - {name: presos, chat_id: console, topics: [political_prisoners]}
  - {name: eeuu, chat_id: console, topics: [us_actions]}
"""


def test_the_watcher_applies_a_file_once_it_stopped_changing(tmp_path, caplog):
    """A file written in several writes (a large one in chunks, a slow copy) can be read whole
    but for its end: here its last channel. The watcher applies a change once the file looks
    the same at two looks in a row, so the channel is never removed meanwhile."""
    import asyncio
    import logging

    from core.config import resolve_runtime
    from monitor.service import Service

    path = tmp_path / "feeds.yaml"
    path.write_text(TWO_CHANNELS, encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})
    edited = TWO_CHANNELS.replace("language: es}", "language: es, interval: 20m}")

    async def tick(service: Service) -> None:
        await service._watch_config()
        await asyncio.gather(*service._reloads)

    async def scenario() -> list[int]:
        service = Service(config, runtime, open_database(db_url))
        sync_config(config, service.db)
        channels = []
        with caplog.at_level(logging.INFO, logger="monitor.service"):
            path.write_text(edited[:edited.index("  - {name: eeuu")], encoding="utf-8")  # the first write
            await tick(service)
            channels.append(len(service.config.channels))
            path.write_text(edited, encoding="utf-8")  # the rest
            await tick(service)
            channels.append(len(service.config.channels))
            await tick(service)  # unchanged since the last look: applied
            channels.append(len(service.config.channels))
        assert service.config.feeds[0].interval == timedelta(minutes=20)
        await service.close()
        return channels

    assert asyncio.run(scenario()) == [2, 2, 2]
    assert caplog.text.count("config reloaded") == 1


def test_a_feed_moved_to_a_new_address_does_not_alert_its_items_again(world):
    """The outlet's feed moved (a new URL in feeds.yaml) and its links moved to a new host:
    the items it lists again are the ones the feed has (same title and text), not news."""
    world.feed("wire", "en")
    item = world.publish("wire", STRIKE, STRIKE_MORE)
    world.write_config(US)
    _poll(world)
    item.link = item.guid = item.link.replace("127.0.0.1", "localhost")
    world.server.set_route("/new/wire.xml", rss(world.items["wire"], title="wire", language="en"),
                           content_type="application/rss+xml")
    _edit(world, lambda c: _feed(c, "wire").update(url=world.server.url("/new/wire.xml")))
    assert "0 new items" in _poll(world)
    assert len(world.emulator.messages("@us_test")) == 1
    assert _sql(world, "SELECT count(*) FROM items") == [(1,)]
