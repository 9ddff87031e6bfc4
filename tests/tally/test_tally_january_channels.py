"""January 2026 in the channels: the pinned live figures follow the story as it unfolds (the
government's waves, Foro Penal verifying days later, "more than 800 still held" falling, an
outlet misquoting, an absurd figure flagged), and the weekly chart reaches the digest channel
by sendPhoto through the outbox. Headlines through the real pipeline into a real SQLite file;
python-telegram-bot over real HTTP to the Bot API emulator on 127.0.0.1."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from alerts.delivery import DeliveryWorker
from alerts.tally.figures import load_tally
from alerts.tally.pin import TallyPins
from alerts.tally.posts import TallyCharts
from alerts.tally.render import render_json
from core.clock import ManualClock
from core.config import AppConfig, ChannelConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.alerts import sync_channels
from storage.db import Database
from storage.models import Count, Feed, Item, Match

from .test_tally_january import TOPIC, _store_january

TOKEN = "123456789:AAHfake-token_for_tests_0123456789abcdef"
ADMIN, LIVE, DIGEST, CLOSED = 4242, "@pp_live", "@pp_weekly", "@pp_closed"


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def config(default_config: AppConfig, db: Database) -> AppConfig:
    channels = [
        ChannelConfig(name="live", chat_id=LIVE, topics=[TOPIC], pin_tally=True),
        ChannelConfig(name="closed", chat_id=CLOSED, topics=[TOPIC], pin_tally=True),
        ChannelConfig(name="weekly", chat_id=DIGEST, topics=[TOPIC], mode="digest", schedule=["20:00"]),
    ]
    cfg = default_config.model_copy(update={
        "channels": channels,
        "settings": default_config.settings.model_copy(update={"admin_chat_id": ADMIN}),
    })
    with db.session() as s:
        sync_channels(s, [(c.name, c.chat_id) for c in channels])
    return cfg


def _undated(db: Database) -> None:
    """A figure of an unknown committee in an item dated a year ahead (no usable date): placed
    at its fetch time and flagged, as a feed with a broken clock would give it."""
    fetched = datetime(2026, 1, 27, 8, 0, tzinfo=UTC)
    with db.session() as s:
        feed = s.scalar(select(Feed).where(Feed.name == "tal-cual"))
        item = Item(feed=feed, guid="undated", url="https://tal-cual.example/undated", title="720 held",
                    summary="", language="es", published_at=fetched + timedelta(days=365),
                    fetched_at=fetched, content_hash="undated", classified_at=fetched)
        s.add(item)
        s.flush()
        s.add(Count(item_id=item.id, event="held", number=720, source="Comité X"))
        s.add(Match(item_id=item.id, topic=TOPIC, urgency="normal", terms=[], explain=[]))


async def test_the_pinned_figures_and_the_weekly_chart_tell_januarys_story(
    db: Database, db_url: str, config: AppConfig, emulator: BotApiEmulator
) -> None:
    runtime = Runtime("feeds.yaml", db_url, emulator.api_url, TOKEN)
    emulator.forbid_pin(CLOSED)  # a chat where the bot may not pin
    clock = ManualClock(datetime(2026, 1, 16, 18, 0, tzinfo=UTC))
    pins = TallyPins(config, runtime, db, clock=clock, request_timeout=10.0)
    try:
        _store_january(db, config, range(1, 17))  # up to 16 January
        assert await pins.tick() == {"live": "created", "closed": "created"}
        [live] = emulator.messages(LIVE)
        assert emulator.pinned(LIVE) == live.message_id and emulator.pinned(CLOSED) is None
        assert "Siguen presos: 777 (Foro Penal, 14/01/2026)" in live.text
        assert "anunciados por el Gobierno: 400 (Jorge Rodríguez, 13/01/2026)" in live.text
        assert "verificados por ONG: 61 (Foro Penal, 16/01/2026)" in live.text

        _store_january(db, config, range(17, 32))  # the rest of the month
        _undated(db)
        clock.advance(10 * 60)
        assert await pins.tick() == {"live": "edited", "closed": "edited"}
    finally:
        await pins.close()
    [live] = emulator.messages(LIVE)
    assert emulator.pinned(LIVE) == live.message_id and len(live.edits) == 1  # edited in place
    text = live.text
    assert "Siguen presos: 687 (Foro Penal, 25/01/2026)" in text  # falling from "more than 800"
    assert "anunciados por el Gobierno: 626 (el Gobierno, 21/01/2026)" in text
    assert "verificados por ONG: 143 (Foro Penal, 26/01/2026)" in text
    assert "En disputa: 134 excarcelados (Foro Penal citado por diario-x, 26/01/2026)" in text  # the misquote
    assert "Señalada, no contada: 8.000 presos (otra fuente, diario-x, 20/01/2026" in text  # the absurd figure
    assert "95" not in text  # the count the matcher did not trust
    assert emulator.messages(CLOSED)[0].text == text
    with db.session() as s:  # the undated figure is in the JSON, flagged, and breaks nothing
        data = json.loads(render_json(load_tally(s, config)))
    assert {"date": "2026-01-27T08:00:00+00:00", "event": "held", "source": "other", "number": 720,
            "topic": TOPIC, "outlet": "Tal Cual", "flags": ["undated"], "qualifier": None} in data["timeline"]
    [told] = emulator.messages(ADMIN)  # the refusal to pin, told once
    assert "closed" in told.text and "may not pin" in told.text

    # Monday 2 February, 09:05 in Caracas: the weekly chart goes out through the outbox
    monday = datetime(2026, 2, 2, 13, 5, tzinfo=UTC)
    [post] = TallyCharts(config, db).enqueue_due(monday)
    async with DeliveryWorker(config, runtime, db, clock=ManualClock(monday), request_timeout=10.0) as worker:
        await worker.deliver_pending()  # the live channel's own alerts of January go out too
    [chart] = emulator.messages(DIGEST)
    assert chart.photo == post.png and struct.unpack(">II", chart.photo[16:24])[0] >= 1080
    assert len(chart.text) <= 1024
    assert "still held: 687 (Foro Penal, 2026-01-25)" in chart.text
    assert "announced by the government: 626 (the government, 2026-01-21)" in chart.text
    assert "verified by rights groups: 143 (Foro Penal, 2026-01-26)" in chart.text
    assert TallyCharts(config, db).enqueue_due(monday + timedelta(hours=1)) == []  # once per week
