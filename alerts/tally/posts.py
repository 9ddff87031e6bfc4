"""The tally's chart in the channels, on a schedule (`channels[].tally_chart`; digest channels
weekly by default), through the outbox: queued as a `photo` alert whose payload holds the PNG
and its caption, so it is retried across outages and restarts like any alert, and its dedupe
key (`tally-chart:{channel}:{slot}`) makes a slot queue at most one chart, even with two
replicas racing.

A slot is queued when it is due and at most `CHART_GRACE` old (a service stopped through the
whole grace skips that slot rather than posting a stale "weekly" chart days late). A channel
whose topics have no figure yet gets nothing for that slot. A chart queued supersedes the
channel's older charts still queued (the channel disabled, the Bot API down): the newest is sent.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alerts.delivery import PHOTO, SUPERSEDED
from alerts.digest import slot_instant
from alerts.tally.figures import Tally, load_tally
from alerts.tally.pin import TallyPins
from alerts.tally.render import CAPTION_LIMIT, caption
from core.config import WEEKDAYS, AppConfig, ChannelConfig, Runtime
from storage.alerts import alert_key_taken, alerts_by_id, fold_queued
from storage.db import Database
from storage.models import Alert

log = logging.getLogger("alerts.tally.figures")

CHART_GRACE = timedelta(hours=12)
PHOTO_LIMIT = 10 * 1024 * 1024  # Telegram's limit for an uploaded photo


def latest_chart_slot(channel: ChannelConfig, now: datetime, config: AppConfig) -> datetime | None:
    """The most recent chart time of `channel` at or before `now` (aware, in now's zone);
    None when the channel takes no chart."""
    schedule = channel.chart_schedule
    if schedule is None:
        return None
    tz = config.settings.tz
    local = now.astimezone(tz)
    hour, minute = (int(x) for x in schedule.at.split(":"))
    for back in range(8):
        day = (local - timedelta(days=back)).date()
        if schedule.every == "weekly" and WEEKDAYS[day.weekday()] != schedule.day:
            continue
        slot = slot_instant(day, hour, minute, tz)  # an instant: a time the clocks skip is due once
        if slot <= now:
            return slot.astimezone(now.tzinfo)
    return None


def chart_key(channel: str, slot: datetime) -> str:
    return f"tally-chart:{channel}:{slot.replace(second=0, microsecond=0).isoformat()}"


def channel_topic(tally: Tally, channel: ChannelConfig) -> str | None:
    """The topic charted for a channel: political_prisoners if it is one of the channel's
    topics with figures, else the first of its topics with figures."""
    with_figures = [t for t in channel.topics if t in tally.topics]
    if "political_prisoners" in with_figures:
        return "political_prisoners"
    return with_figures[0] if with_figures else None


@dataclass(frozen=True)
class ChartPost:
    channel: str
    slot: datetime
    topic: str
    png: bytes
    caption: str


def render_post(tally: Tally, channel: ChannelConfig, slot: datetime, tz: tzinfo = UTC) -> ChartPost | None:
    """The chart and caption (dated in `tz`) for a channel, or None when its topics have no figure."""
    topic = channel_topic(tally, channel)
    if topic is None:
        return None
    from alerts.tally.chart import render_png  # matplotlib: imported on first use

    text = caption(tally, topics=channel.topics, limit=CAPTION_LIMIT, tz=tz)
    return ChartPost(channel.name, slot, topic, render_png(tally, topic, tz=tz), text)


class TallyCharts:
    """Queues the charts that are due; `enqueue_due(now)` from a periodic tick (the leader's).

    The tally is loaded once per call that finds a slot due, and a slot already looked at in
    this process (queued, or no figures) is not looked at again."""

    def __init__(self, config: AppConfig, db: Database) -> None:
        self.config = config
        self.db = db
        self._seen: dict[str, datetime] = {}  # slots looked at, while within CHART_GRACE

    def update_config(self, config: AppConfig) -> None:
        self.config = config

    def due(self, now: datetime) -> list[tuple[ChannelConfig, datetime]]:
        self._seen = {k: slot for k, slot in self._seen.items() if now - slot <= CHART_GRACE}
        out: list[tuple[ChannelConfig, datetime]] = []
        for channel in self.config.channels:
            slot = latest_chart_slot(channel, now, self.config)
            if slot is None or now - slot > CHART_GRACE or chart_key(channel.name, slot) in self._seen:
                continue
            out.append((channel, slot))
        if out:
            with self.db.session() as session:
                out = [(c, s) for c, s in out if not alert_key_taken(session, chart_key(c.name, s))]
        return out

    def enqueue_due(self, now: datetime, *, load: Callable[[], Tally] | None = None) -> list[ChartPost]:
        """Queue the chart of every due slot; return what was queued."""
        due = self.due(now)
        if not due:
            return []
        if load is None:
            def load() -> Tally:
                with self.db.session() as session:
                    return load_tally(session, self.config)
        tally = load()
        queued: list[ChartPost] = []
        for channel, slot in due:
            key = chart_key(channel.name, slot)
            post = render_post(tally, channel, slot, self.config.settings.tz)  # a failure: tried again next tick
            if post is None:
                log.info("tally chart for %s skipped: no figure stated for its topics", channel.name)
            elif len(post.png) > PHOTO_LIMIT:
                log.error("tally chart for %s not queued: %d bytes is over Telegram's 10 MB",
                          channel.name, len(post.png))
            elif self._queue(post, key, now):
                queued.append(post)
            self._seen[key] = slot  # queued (or by another replica), or nothing to send
        return queued

    def _queue(self, post: ChartPost, key: str, now: datetime) -> bool:
        payload = {
            "photo_b64": base64.b64encode(post.png).decode("ascii"), "caption": post.caption,
            "text": f"[the tally's chart, {post.topic}, PNG {len(post.png):,} bytes]\n{post.caption}",
            "topic": post.topic, "slot": post.slot.isoformat(),
        }
        superseded = 0
        try:
            with self.db.session() as session:
                if alert_key_taken(session, key):
                    return False
                superseded = _supersede_charts(session, post.channel, post.slot)
                session.add(Alert(channel=post.channel, kind=PHOTO, dedupe_key=key, status="pending",
                                  attempts=0, payload=payload, next_attempt_at=now, created_at=now))
        except IntegrityError:  # another replica queued it first
            return False
        log.info("tally chart queued for %s (slot %s)", post.channel, post.slot.isoformat())
        if superseded:
            log.info("tally chart of %s: %d older chart(s) still queued superseded by it, not sent",
                     post.channel, superseded)
        return True


def _supersede_charts(session: Session, channel: str, slot: datetime) -> int:
    """Take `channel`'s charts still queued (a channel disabled, the Bot API down) out of its
    queue: the chart of `slot`, queued in their place, tells the figures as they are now, and
    sent one after another when the channel could be sent to again they told a week's figures
    that were no longer true. A conditional UPDATE: a chart already claimed is sent."""
    taken = fold_queued(session, channel, (PHOTO,), SUPERSEDED)
    for row in alerts_by_id(session, taken):
        row.last_error = f"not sent: superseded by the chart of {slot.isoformat()}"
        row.payload = {k: v for k, v in (row.payload or {}).items() if k != "photo_b64"}  # (as a sent chart's)
    return len(taken)


class TallyPosts:
    """What the leader does with the tally once a minute (monitor/service/housekeeping.py): queue the
    charts that are due, keep the pinned live figures (alerts/tally/pin.py). The tally is
    loaded at most once per tick, and only when one of them needs it."""

    def __init__(self, config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool = False) -> None:
        self.db = db
        self.config = config
        self.dry_run = dry_run
        self.charts = TallyCharts(config, db)
        self.pins = TallyPins(config, runtime, db)

    def update_config(self, config: AppConfig) -> None:
        self.config = config
        self.charts.update_config(config)
        self.pins.update_config(config)

    async def close(self) -> None:
        await self.pins.close()

    async def tick(self, now: datetime) -> int:
        """One round; returns how many charts were queued (the caller wakes delivery)."""
        memo: list[Tally] = []

        def load() -> Tally:
            if not memo:
                with self.db.session() as session:
                    memo.append(load_tally(session, self.config))
            return memo[0]

        queued: list[ChartPost] = []
        try:
            queued = await asyncio.to_thread(self.charts.enqueue_due, now, load=load)
        except Exception as exc:  # the slot is looked at again next tick; the pins still run
            log.warning("tally charts: %s: %s", type(exc).__name__, str(exc)[:300])
        if not self.dry_run:
            await self.pins.tick(load=load)
        return len(queued)
