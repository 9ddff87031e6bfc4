"""Renames in feeds.yaml (end to end: feed server, `monitor poll-once` or `monitor run`
across edits of the file, the Bot API emulator, a SQLite file): a feed or a channel renamed
is the same feed or channel under its new name (docs/CONFIG.md, "Renames")."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from service_world import wait_for

US = [{"name": "us", "chat_id": "@us_test", "topics": ["us_actions"], "languages": ["en"]}]
STRIKE = "US strike on alleged drug boat in the Caribbean kills three"
STRIKE_MORE = "The strike was the latest in a campaign against boats the US says carry drugs."
PENTAGON = "US strike on drug boat in the Caribbean leaves 3 dead, according to the Pentagon"
PENTAGON_MORE = "Defense officials said the boat was operated by a designated terrorist group."


def _poll(world) -> str:
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
    _poll(world)
    _edit(world, lambda c: _feed(c, "wire").update(name="wire-agency"))
    world.publish("bbc", PENTAGON, PENTAGON_MORE)
    _poll(world)

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
