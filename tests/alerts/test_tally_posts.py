"""The tally's chart in the digest channels: queued in the outbox on its schedule, sent by the
delivery worker through sendPhoto to the Bot API emulator (python-telegram-bot over real HTTP
on 127.0.0.1), retried across an outage and a restart, never twice; a real database."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from alerts.delivery import PHOTO, DeliveryWorker
from alerts.tally.posts import CHART_GRACE, TallyCharts, chart_key, latest_chart_slot
from core.clock import ManualClock
from core.config import AppConfig, ChannelConfig, Runtime, TallyChartSchedule
from devtools.emulator import BotApiEmulator
from storage.alerts import channel_named
from storage.db import Database
from storage.models import Alert, Count, Match

PP = "political_prisoners"
DIGEST = "@pp_digest"
# Monday 2 February 2026, 09:05 in Caracas (UTC-4): the default weekly slot has just passed
MONDAY = datetime(2026, 2, 2, 13, 5, tzinfo=UTC)
FIGURES = [  # (day of January, feed, event, number, source)
    (9, "elpitazo", "held", 800, "Foro Penal"),
    (13, "elpitazo", "released", 400, "Jorge Rodríguez"),
    (16, "cocuyo", "released", 61, "la ONG Foro Penal"),
    (25, "elpitazo", "held", 687, "foropenal"),
]


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config([
        {"name": "digest", "chat_id": DIGEST, "topics": [PP], "mode": "digest", "schedule": ["20:00"]},
        {"name": "instant", "chat_id": "@pp_instant", "topics": [PP]},
        {"name": "us", "chat_id": "@us_digest", "topics": ["us_actions"], "mode": "digest",
         "schedule": ["20:00"], "tally_chart": {"every": "daily", "at": "08:00"}},
    ])


def _store(db: Database, add_item: Callable[..., Any]) -> None:
    with db.session() as s:
        for day, feed, event, number, source in FIGURES:
            item = add_item(s, feed, f"{number} {event}", published=datetime(2026, 1, day, 12, tzinfo=UTC))
            s.add(Count(item_id=item.id, event=event, number=number, source=source))
            s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))


def _photos(db: Database) -> list[Alert]:
    with db.session() as s:
        return list(s.scalars(select(Alert).where(Alert.kind == PHOTO).order_by(Alert.id)))


def test_the_schedule_weekly_by_default_for_digests_daily_or_off_when_asked(config: AppConfig) -> None:
    digest, instant, us = config.channels
    assert digest.chart_schedule == TallyChartSchedule(every="weekly", day="monday", at="09:00")
    assert instant.chart_schedule is None and latest_chart_slot(instant, MONDAY, config) is None
    assert latest_chart_slot(digest, MONDAY, config) == datetime(2026, 2, 2, 13, 0, tzinfo=UTC)
    # on Sunday the latest weekly slot is the Monday before
    sunday = MONDAY - timedelta(days=1)
    assert latest_chart_slot(digest, sunday, config) == datetime(2026, 1, 26, 13, 0, tzinfo=UTC)
    assert latest_chart_slot(us, MONDAY, config) == datetime(2026, 2, 2, 12, 0, tzinfo=UTC)
    off = ChannelConfig(name="x", chat_id="@x_chan", topics=[PP], mode="digest", schedule=["08:00"],
                        tally_chart=False)
    assert off.chart_schedule is None


def test_a_chart_time_the_clocks_skip_is_one_slot_never_in_the_future(make_config: Callable[..., AppConfig]) -> None:
    config = make_config([{"name": "us", "chat_id": "@us_digest", "topics": ["us_actions"], "mode": "digest",
                           "schedule": ["20:00"], "tally_chart": {"every": "daily", "at": "02:30"}}],
                         timezone="America/New_York")
    (us,) = config.channels
    start = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # New York skips 02:00-03:00 EST at 07:00 UTC
    slots = {}
    for minute in range(4 * 60):
        now = start + timedelta(minutes=minute)
        slot = latest_chart_slot(us, now, config)
        assert slot is not None and slot <= now
        slots[slot] = slots.get(slot) or now
    # the day's chart falls due once, at 02:30 EST (07:30 UTC), not from 03:00 EDT with a later slot
    assert slots == {datetime(2026, 3, 7, 7, 30, tzinfo=UTC): start,
                     datetime(2026, 3, 8, 7, 30, tzinfo=UTC): datetime(2026, 3, 8, 7, 30, tzinfo=UTC)}


async def test_the_weekly_chart_goes_through_the_outbox_once_across_an_outage_and_a_restart(
    db: Database, emulator: BotApiEmulator, config: AppConfig, runtime: Runtime, add_item: Callable[..., Any]
) -> None:
    charts = TallyCharts(config, db)
    assert charts.enqueue_due(MONDAY) == []  # no figure yet: nothing for this slot
    assert _photos(db) == []

    _store(db, add_item)
    charts = TallyCharts(config, db)  # a restart: the slot is looked at again
    queued = charts.enqueue_due(MONDAY)
    assert [(p.channel, p.topic) for p in queued] == [("digest", PP)]  # the us channel: no figure
    assert charts.enqueue_due(MONDAY + timedelta(minutes=1)) == []
    assert TallyCharts(config, db).enqueue_due(MONDAY + timedelta(minutes=2)) == []  # dedupe key
    [row] = _photos(db)
    assert row.dedupe_key == chart_key("digest", datetime(2026, 2, 2, 13, 0, tzinfo=UTC))
    assert len(row.payload["caption"]) <= 1024

    clock = ManualClock(MONDAY)
    emulator.set_down(True)  # Telegram is unreachable
    worker = DeliveryWorker(config, runtime, db, clock=clock, request_timeout=0.4, base_backoff=1.0)
    async with worker:
        stats = await worker.deliver_pending()
    assert (stats.sent, stats.retried) == (0, 1)
    emulator.set_down(False)
    clock.advance(5)
    restarted = DeliveryWorker(config, runtime, db, clock=clock, request_timeout=10.0)
    async with restarted:
        assert (await restarted.deliver_pending()).sent == 1
        assert (await restarted.deliver_pending()).sent == 0  # never twice

    [sent] = emulator.messages(DIGEST)
    assert sent.photo == base64.b64decode(row.payload["photo_b64"])
    assert sent.photo[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", sent.photo[16:24])[0] >= 1080
    assert len(sent.text) <= 1024
    assert "still held: 687 (Foro Penal, 2026-01-25)" in sent.text
    assert "announced by the government: 400 (Jorge Rodríguez" in sent.text
    assert "verified by rights groups: 61 (Foro Penal" in sent.text
    assert emulator.messages("@pp_instant") == [] and emulator.messages("@us_digest") == []
    [done] = _photos(db)
    assert done.status == "sent" and done.telegram_message_id == sent.message_id
    # the sent chart's PNG is not kept (155 KB a chart: a daily chart kept 56 MB a year)
    assert "photo_b64" not in done.payload and done.payload["caption"] == row.payload["caption"]

    # the next week's slot queues a new chart; one missed beyond the grace is skipped
    next_week = MONDAY + timedelta(days=7)
    assert [p.channel for p in TallyCharts(config, db).enqueue_due(next_week)] == ["digest"]
    late = MONDAY + timedelta(days=14) + CHART_GRACE + timedelta(minutes=5)
    assert TallyCharts(config, db).enqueue_due(late) == []


def test_the_slots_looked_at_are_not_kept_for_ever(db: Database, config: AppConfig) -> None:
    """A service up for a year looks at a daily and a weekly slot: the ones it looked at
    (no figure: nothing to send) are kept while they can still fall due, not 365 a channel."""
    charts = TallyCharts(config, db)
    for day in range(365):
        for hour in (12, 13, 20):  # the daily slot (08:00 Caracas), the weekly one, later
            assert charts.enqueue_due(datetime(2026, 2, 2, hour, 5, tzinfo=UTC) + timedelta(days=day)) == []
    assert len(charts._seen) <= 2


async def test_a_chart_to_a_chat_that_forbids_the_bot_stays_queued(
    db: Database, emulator: BotApiEmulator, config: AppConfig, runtime: Runtime, add_item: Callable[..., Any]
) -> None:
    _store(db, add_item)
    TallyCharts(config, db).enqueue_due(MONDAY)
    emulator.forbid(DIGEST)
    async with DeliveryWorker(config, runtime, db, request_timeout=10.0) as worker:
        stats = await worker.deliver_pending()
    assert stats.sent == 0 and emulator.messages(DIGEST) == []
    [row] = _photos(db)
    assert row.status == "pending"  # kept until the operator re-enables the channel
    with db.session() as s:
        assert channel_named(s, "digest").disabled  # type: ignore[union-attr]


def test_the_charts_caption_is_dated_in_the_configured_time_zone(
    db: Database, config: AppConfig, add_item: Callable[..., Any]
) -> None:
    """A figure of 21:30 in Caracas on 25 January (01:30 UTC on the 26th) is the 25th's."""
    with db.session() as s:
        item = add_item(s, "elpitazo", "687 held", published=datetime(2026, 1, 26, 1, 30, tzinfo=UTC))
        s.add(Count(item_id=item.id, event="held", number=687, source="Foro Penal"))
        s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))
    [post] = TallyCharts(config, db).enqueue_due(MONDAY)
    assert "still held: 687 (Foro Penal, 2026-01-25)" in post.caption


async def test_a_chart_to_a_group_that_takes_no_photos_fails_alone_and_the_channel_keeps_sending(
    db: Database, emulator: BotApiEmulator, config: AppConfig, runtime: Runtime, add_item: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A group whose members may send text but no media (the bot not an administrator) refuses
    the chart with "not enough rights to send photos": the chart fails, the roundup behind it
    goes out, and the operator is told what to do. Before, the refusal was read as the bot's
    right to post taken: the channel was disabled, and enabled again it met the chart first."""
    _store(db, add_item)
    TallyCharts(config, db).enqueue_due(MONDAY)
    with db.session() as s:
        s.add(Alert(channel="digest", kind="digest", dedupe_key="digest:test", status="pending", attempts=0,
                    payload={"html": "<b>Resumen</b>", "text": "Resumen"}, next_attempt_at=MONDAY, created_at=MONDAY))
    emulator.forbid_photos(DIGEST)
    async with DeliveryWorker(config, runtime, db, clock=ManualClock(MONDAY), request_timeout=10.0) as worker:
        first = await worker.deliver_pending()
        second = await worker.deliver_pending()
    assert (first.failed, first.sent + second.sent) == (1, 1)
    assert [m.text for m in emulator.messages(DIGEST)] == ["Resumen"]
    [chart] = _photos(db)
    assert chart.status == "failed" and "not enough rights to send photos" in (chart.last_error or "").lower()
    with db.session() as s:
        assert not channel_named(s, "digest").disabled  # type: ignore[union-attr]
    assert "tally_chart" in caplog.text  # what the operator can do: the right, or no chart


async def test_a_channel_enabled_again_gets_its_newest_chart_not_every_chart_of_the_gap(
    db: Database, emulator: BotApiEmulator, make_synced_config: Callable[..., AppConfig], runtime: Runtime,
    add_item: Callable[..., Any],
) -> None:
    """A daily chart refused by Telegram (the bot removed) disabled the channel; each day after
    queued its chart. Enabled again 3 days later, the channel got the three charts one after
    another, the first two with figures no longer true. Now each chart queued supersedes the
    ones still queued: the newest goes out, the others are kept as superseded without their PNG."""
    from storage.alerts import enable_channel

    config = make_synced_config([{"name": "digest", "chat_id": DIGEST, "topics": [PP], "mode": "digest",
                                  "schedule": ["20:00"], "tally_chart": {"every": "daily", "at": "09:00"}}])
    _store(db, add_item)
    emulator.forbid(DIGEST)
    clock = ManualClock(MONDAY)
    async with DeliveryWorker(config, runtime, db, clock=clock, request_timeout=10.0) as worker:
        for day in range(3):
            if day == 2:  # a new figure on the last day
                with db.session() as s:
                    item = add_item(s, "cocuyo", "650 held", published=MONDAY + timedelta(days=1, hours=3))
                    s.add(Count(item_id=item.id, event="held", number=650, source="Foro Penal"))
                    s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))
            assert len(TallyCharts(config, db).enqueue_due(clock.now())) == 1
            await worker.deliver_pending()
            clock.advance(86400)
        emulator.forbid(DIGEST, False)  # the bot an administrator again
        with db.session() as s:
            assert channel_named(s, "digest").disabled  # type: ignore[union-attr]
            assert enable_channel(s, "digest") == 1  # the newest chart (3 before)
        for _ in range(3):
            await worker.deliver_pending()
    [sent] = emulator.messages(DIGEST)
    assert "still held: 650 (Foro Penal" in sent.text
    *old, newest = _photos(db)
    assert [a.status for a in old] == ["superseded", "superseded"]
    assert all("photo_b64" not in a.payload and "superseded by the chart of" in (a.last_error or "") for a in old)
    assert newest.status == "sent" and newest.telegram_message_id == sent.message_id
