"""A backlog polled at once makes its stories in the order the news was published.

Feeds list their newest item first, and a pass (or the service's first round after a
stop) polls every feed before classifying: the tally told first is the alert, the later
figure its reply, whichever outlet or document order brought them in.
"""

from __future__ import annotations

import signal
import urllib.request
from datetime import UTC, datetime, timedelta

from service_world import wait_for
from sqlalchemy import select
from test_restore import poll

from storage.db import open_database
from storage.models import Item

CHANNELS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


def tallies(world) -> None:
    # the later figure comes from the feed listed (and likely polled) first
    world.feed("pitazo", "es")
    world.feed("efecto", "es")
    world.publish("efecto", "Foro Penal suma 14 presos políticos excarcelados en Rodeo I",
                  "La ONG verificó las excarcelaciones de la madrugada.", age=timedelta(hours=3))
    world.publish("pitazo", "Foro Penal suma 15 presos políticos excarcelados en Rodeo I",
                  "La ONG verificó una excarcelación más.", age=timedelta(hours=1))
    world.publish("efecto", "Foro Penal suma 16 presos políticos excarcelados en Rodeo I",
                  "Otra excarcelación verificada por la ONG.", age=timedelta(minutes=20))
    world.write_config(CHANNELS)


def test_a_pass_tells_the_tally_in_the_order_it_was_published(world):
    tallies(world)
    result = world.monitor("poll-once")
    assert result.returncode == 0, result.stderr

    messages = world.emulator.messages("@presos_test")
    first = [m for m in messages if m.reply_to is None]
    replies = [m for m in messages if m.reply_to is not None]
    assert len(first) == 1, [m.text for m in messages]
    assert "14 verificados por Foro Penal" in first[0].text
    # each later figure is a reply to the first alert, in order
    figures = [[n for n in (14, 15, 16) if f"{n} verificados" in m.text] for m in replies]
    assert figures == [[15], [16]], [m.text for m in messages]
    assert all(m.reply_to == first[0].message_id for m in replies)

    db = open_database(world.db_url)
    try:
        with db.session() as s:
            items = list(s.scalars(select(Item).order_by(Item.classified_at, Item.id)))
            # classified oldest first, and all three in one story
            assert [i.title.split()[3] for i in items] == ["14", "15", "16"]
            assert len({i.story_id for i in items}) == 1
    finally:
        db.dispose()


def test_the_service_holds_its_first_round_then_tells_the_backlog_in_order(world):
    tallies(world)
    world.write_config(CHANNELS, settings={"startup_spread": "3s"})  # first polls at random in 3 s
    world.start()
    wait_for(lambda: len(world.emulator.messages("@presos_test")) >= 3, 60, "the three alerts")

    messages = world.emulator.messages("@presos_test")
    [first] = [m for m in messages if m.reply_to is None]
    assert "14 verificados por Foro Penal" in first.text, [m.text for m in messages]
    replies = [[n for n in (15, 16) if f"{n} verificados" in m.text] for m in messages if m.reply_to]
    assert replies == [[15], [16]]
    assert "start-up round: 2 feeds polled before classifying" in world.log_of()
    assert "start-up round: every feed polled; classifying the backlog" in world.log_of()


def test_a_quick_restart_is_not_held(world):
    tallies(world)
    world.write_config(CHANNELS, settings={"startup_spread": "1s"})
    first = world.start()
    wait_for(lambda: len(world.emulator.messages("@presos_test")) >= 3, 60, "the three alerts")
    first.send_signal(signal.SIGTERM)
    assert first.wait(15) == 0
    assert "start-up round" in world.log_of(0)  # a first start: a backlog is likely

    # back within a feed's interval (30 s): the first polls bring what one poll would have
    world.start()
    wait_for(lambda: _healthy(world.http_port), 30, "the health endpoint")  # up after the scheduler
    assert "start-up round" not in world.log_of(1)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_feed_of_dates_only_tells_its_day_in_the_order_it_was_published(world):
    """A feed (or page) that gives only a date puts the day's items at one time; it lists
    them newest first, as feeds do: the first figure of the day is still the alert."""
    world.feed("pitazo", "es")
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for n in (14, 15, 16):  # published in this order, each listed above the one before
        world.publish("pitazo", f"Foro Penal suma {n} presos políticos excarcelados en Rodeo I",
                      "La ONG verificó las excarcelaciones.", published=day)
    world.write_config(CHANNELS)
    poll(world)  # in process (the first test polls through the `monitor` process)

    messages = world.emulator.messages("@presos_test")
    [first] = [m for m in messages if m.reply_to is None]
    assert "14 verificados por Foro Penal" in first.text, [m.text for m in messages]
    replies = [[n for n in (15, 16) if f"{n} verificados" in m.text] for m in messages if m.reply_to]
    assert replies == [[15], [16]]
