"""Catch-up after a long gap in delivery (alerts/catch_up.py), through the real worker, the
Bot API emulator on 127.0.0.1 and a real database (PostgreSQL too with TEST_DATABASE_URL):
a channel's alerts queued more than `catch_up_after` ago go out folded into one message or
two, not one by one; younger ones after it, as before."""

from __future__ import annotations

import asyncio
import itertools
import threading
from datetime import timedelta
from typing import Any

from alerts_helpers import Cls, IdleControls
from sqlalchemy import select

from alerts.admin import AdminBot
from alerts.catch_up import catch_up_notices, fold_old, format_gap, try_fold
from alerts.delivery import DeliveryWorker
from alerts.feed_limits import mark_notified
from alerts.outbox import enqueue_for_item
from alerts.render import MAX_ENTITIES, entity_count, html_to_text, tg_len
from core.clock import ManualClock
from core.config import AppConfig
from storage.alerts import SENT_CHAT, claim_alert, enable_channel, finish_alert
from storage.db import Database, open_database
from storage.models import Alert, Channel

PP = ["political_prisoners"]
CHAT = "@pp_channel"
ADMIN = 4242
CHANNELS = [{"name": "pp", "chat_id": CHAT, "topics": PP}]
PLACES = ["Tocorón", "Tocuyito", "Rodeo I", "Yare", "Ramo Verde", "El Helicoide", "Zona 7", "Uribana"]
NAMES = ["Luis", "Ana", "Pedro", "María", "José", "Carmen", "Jesús", "Rosa", "Juan", "Elena"]
JOBS = ["sindicalista", "periodista", "estudiante", "médico", "abogado", "concejal"]
FORO = [{"name": "Foro Penal", "type": "org"}, {"name": "Caracas", "type": "place"}]


def publish(db: Database, add_item: Any, config: AppConfig, k: int, when: Any) -> None:
    """One arrest story (its own event: a name, a job and a place of its own), queued at `when`."""
    title = f"Detienen al {JOBS[k % 6]} {NAMES[k % 10]} Pérez {k} en {PLACES[k % 8]} tras una protesta"
    with db.session() as s:
        item = add_item(s, ["elpitazo", "bbcmundo", "cocuyo"][k % 3], title, url=f"https://x.example/{k}",
                        published=when)
        enqueue_for_item(s, item, Cls(PP, "high", {"political_prisoners": ["detienen"]}), config, now=when)


def released(n: int) -> dict[str, object]:
    return {"number": n, "event": "released", "confident": True, "source": "Foro Penal", "phrase": f"{n} excarcelados"}


def report_releases(db: Database, add_item: Any, config: AppConfig, feed: str, n: int, when: Any, *,
                    published: Any = None) -> list[Alert]:
    with db.session() as s:
        item = add_item(s, feed, f"Foro Penal confirma {n} excarcelaciones de presos políticos en Caracas",
                        url=f"https://{feed}.example/fp{n}", published=published or when)
        rows = enqueue_for_item(s, item, Cls(PP, "high", {"political_prisoners": ["excarcelaciones"]},
                                             entities=FORO, counts=[released(n)]), config, now=when)
        return [Alert(id=a.id, kind=a.kind, status=a.status) for a in rows]


def rows(db: Database, channel: str = "pp") -> list[Alert]:
    with db.session() as s:
        return list(s.scalars(select(Alert).where(Alert.channel == channel).order_by(Alert.id)))


def disable(db: Database, channel: str = "pp") -> None:
    with db.session() as s:
        s.get(Channel, s.scalar(select(Channel.id).where(Channel.name == channel))).disabled = True


async def queued_over_three_days(db, add_item, config, clock: ManualClock) -> tuple[list[int], int]:
    """A channel disabled (Telegram refused it) while 40 stories were queued over 3 days, one of
    them given a new figure during the gap, and three stories in the last hours; the ids of the
    old stories' messages and the id of the figure's update reply."""
    start = clock.now()
    report_releases(db, add_item, config, "elpitazo", 14, start)
    for k in range(1, 40):
        publish(db, add_item, config, k, start + timedelta(hours=1.35 * k))
    [update] = [a for a in report_releases(db, add_item, config, "bbcmundo", 20, start + timedelta(hours=2))
                if a.kind == "update"]
    clock.advance(3 * 86400)
    for k in range(40, 43):
        publish(db, add_item, config, k, clock.now() - timedelta(hours=3 - k % 40))
    old = [a.id for a in rows(db) if a.kind == "new" and a.created_at < clock.now() - timedelta(hours=6)]
    return old, update.id


def start_of(clock: ManualClock) -> Any:
    """When `queued_over_three_days` began: its stories' first report."""
    return clock.now() - timedelta(days=3) + timedelta(hours=3)


async def deliver_all(worker: DeliveryWorker, rounds: int = 10) -> None:
    for _ in range(rounds):
        await worker.deliver_pending()


async def test_a_channel_enabled_again_after_three_days_gets_a_catch_up_not_forty_stale_alerts(
    db, emulator, runtime, make_synced_config, make_worker, add_item,
) -> None:
    """Before, the 40 stories queued while the channel was disabled went out one by one, with the
    figure's reply, at 20 a minute (44 messages); now one catch-up message or two, then the
    three young stories, and a later figure of a folded story is a message of its own."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS, admin_chat_id=ADMIN)
    disable(db)
    old, update = await queued_over_three_days(db, add_item, config, clock)
    assert len(old) == 40
    with db.session() as s:
        assert enable_channel(s, "pp") == 44
    worker = await make_worker(config, clock=clock)
    await deliver_all(worker)

    msgs = emulator.messages(CHAT)
    catch_ups = [m for m in msgs if m.text.startswith("⏪")]
    assert 1 <= len(catch_ups) <= 2 and msgs[:len(catch_ups)] == catch_ups
    assert catch_ups[0].text.startswith("⏪ 40 alertas mientras el canal no recibía mensajes (desde ")
    assert len(msgs) == len(catch_ups) + 3  # then the young stories, one by one
    assert [m.text.count("Pérez 4") for m in msgs[len(catch_ups):]] == [1, 1, 1]
    told = "\n".join(m.text for m in catch_ups)
    assert all(f"Pérez {k} " in told for k in range(1, 40)) and "excarcelaciones" in told
    assert "20 verificados por Foro Penal" in told  # the figure the folded reply brought is in the story's line
    by_id = {a.id: a for a in rows(db)}
    assert all(by_id[i].status == "folded" and "catch-up" in (by_id[i].last_error or "") for i in old)
    assert by_id[update].status == "folded" and by_id[update].sent_at is None
    assert sum(a.status == "sent" for a in by_id.values()) == len(catch_ups) + 3
    with db.session() as s:
        [(_, notice)] = catch_up_notices(s, clock.now())
    assert notice.startswith(f"⏪ catch-up: 40 alerts folded in {CHAT} after 3 d without delivery")
    admin = AdminBot(config, runtime, db, IdleControls(), poll_timeout=1, request_timeout=10.0)
    assert (await admin.notify_problems(), await admin.notify_problems()) == (1, 0)  # told once
    assert [m.text for m in emulator.messages(ADMIN)] == [notice]

    # a new figure for a folded story: a message of its own, no reply to a message never sent
    [fresh] = report_releases(db, add_item, config, "cocuyo", 31, clock.now(), published=start_of(clock))
    assert fresh.kind == "new"
    with db.session() as s:
        assert s.get(Alert, fresh.id).payload["retells_alert_id"] == old[0]  # the story's folded message
    await deliver_all(worker, 2)
    last = emulator.messages(CHAT)[-1]
    assert "31" in last.text and last.reply_to is None and not last.text.startswith("⏪")


async def test_a_reply_queued_as_its_story_was_folded_tells_the_story_whole(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    """The pipeline queued a figure's reply to a story's message in the moment the worker folded
    that message into a catch-up (its transaction read the message before the fold committed):
    the reply, with no message to reply to, is sent as the story's message, told whole, not
    as "🆕 Actualización" alone."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    disable(db)
    old, update = await queued_over_three_days(db, add_item, config, clock)
    with db.session() as s:
        enable_channel(s, "pp")
    worker = await make_worker(config, clock=clock)
    await deliver_all(worker, 1)  # the fold, then the catch-up's first message
    with db.session() as s:  # as if committed after the fold: queued behind the folded message
        row = s.get(Alert, update)
        row.status, row.last_error = "pending", None
    await deliver_all(worker, 6)
    [told] = [m for m in emulator.messages(CHAT) if "Foro Penal confirma 14" in m.text and not m.text.startswith("⏪")]
    assert told.reply_to is None and "20 verificados por Foro Penal" in told.text and "BBC Mundo" in told.text
    with db.session() as s:
        row = s.get(Alert, update)
        assert (row.kind, row.status, row.payload["retells_alert_id"]) == ("new", "sent", old[0])


async def test_catch_up_after_off_sends_every_old_alert_on_its_own(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    clock = ManualClock()
    config = make_synced_config(CHANNELS, catch_up_after=timedelta(0), channel_rate_per_minute=100)
    disable(db)
    await queued_over_three_days(db, add_item, config, clock)
    with db.session() as s:
        enable_channel(s, "pp")
    worker = await make_worker(config, clock=clock)
    await deliver_all(worker, 50)
    msgs = emulator.messages(CHAT)
    assert len(msgs) == 44 and not any(m.text.startswith("⏪") for m in msgs)


_stories = itertools.count(100)


def queue_during(db: Database, add_item: Any, config: AppConfig, clock: ManualClock, hours: list[float]) -> None:
    """A story queued `h` hours ago for each of `hours`."""
    for h in hours:
        publish(db, add_item, config, next(_stories), clock.now() - timedelta(hours=h))


async def outage(worker: DeliveryWorker, clock: ManualClock, seconds: float, step: float = 15) -> None:
    for _ in range(int(seconds / step)):
        await worker.deliver_pending()
        clock.advance(step)


async def test_an_outage_longer_than_catch_up_after_ends_in_one_catch_up(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    """The Bot API down for 8 hours: the stories queued meanwhile are folded while it is down,
    those that grow old during the outage's last minutes join the catch-up not sent yet, and
    when it answers again the channel gets that catch-up, then the young stories."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    worker = await make_worker(config, clock=clock)
    emulator.set_down(True, "502")
    queue_during(db, add_item, config, clock, [8 - k * 0.1 for k in range(20)])  # 8 h to 6.1 h ago
    queue_during(db, add_item, config, clock, [5.95, 5.9, 5.85])  # old within the outage's next 10 minutes
    queue_during(db, add_item, config, clock, [2, 1])
    await outage(worker, clock, 900)
    assert worker.health.in_outage
    emulator.set_down(False)
    await outage(worker, clock, 120, step=5)

    msgs = emulator.messages(CHAT)
    assert [m.text.split(" mientras")[0] for m in msgs if m.text.startswith("⏪")] == ["⏪ 23 alertas"]
    assert msgs[0].text.startswith("⏪ 23 alertas") and len(msgs) == 3
    states = [a.status for a in rows(db) if a.kind == "new"]
    assert states == ["folded"] * 23 + ["sent"] * 2


async def test_an_outage_of_ten_minutes_sends_every_alert_on_its_own(
    db, emulator, make_synced_config, make_worker, add_item,
) -> None:
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    worker = await make_worker(config, clock=clock)
    emulator.set_down(True, "502")
    queue_during(db, add_item, config, clock, [0.1] * 5)
    await outage(worker, clock, 600)
    emulator.set_down(False)
    await outage(worker, clock, 60, step=5)
    msgs = emulator.messages(CHAT)
    assert len(msgs) == 5 and not any(m.text.startswith("⏪") for m in msgs)
    assert [a.status for a in rows(db)] == ["sent"] * 5


async def test_two_replicas_fold_a_channel_s_old_alerts_once(
    db, db_url, emulator, make_synced_config, make_worker, add_item,
) -> None:
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    queue_during(db, add_item, config, clock, [30 - k for k in range(12)])
    other = open_database(db_url)
    try:
        one, two = await make_worker(config, clock=clock), await make_worker(config, clock=clock, db=other)
        for _ in range(3):
            await asyncio.gather(one.deliver_pending(), two.deliver_pending())
    finally:
        other.dispose()
    msgs = emulator.messages(CHAT)
    assert [m.text.split(" mientras")[0] for m in msgs] == ["⏪ 12 alertas"]
    all_rows = rows(db)
    assert [a.kind for a in all_rows].count("catch_up") == 1
    assert [a.status for a in all_rows if a.kind == "new"] == ["folded"] * 12


def test_a_long_catch_up_is_split_within_telegram_s_limits(db, make_synced_config, add_item) -> None:
    """100 stories queued: several messages, each within 4,096 characters and 100 entities, every
    story in one of them, the heading saying which part."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    queue_during(db, add_item, config, clock, [40 - k * 0.2 for k in range(100)])
    with db.session() as s:
        parts = fold_old(s, config, config.channels[0], ["pp"], now=clock.now())
        payloads = [dict(p.payload) for p in parts]
    news = [a.id for a in rows(db) if a.kind == "new"]  # (a few headlines joined another's story)
    assert len(payloads) >= 2 and len(news) > 80
    assert [i for p in payloads for i in p["alert_ids"]] == news  # each story once, oldest first
    for k, p in enumerate(payloads):
        assert p["text"].startswith(f"⏪ {len(news)} alertas") and f"parte {k + 1} de {len(payloads)}" in p["text"]
        assert tg_len(html_to_text(p["html"])) <= 4096 and tg_len(p["text"]) <= 4096
        assert entity_count(p["html"]) <= MAX_ENTITIES


def test_gaps_read_as_days_hours_and_minutes() -> None:
    assert [format_gap(timedelta(minutes=m)) for m in (45, 390, 360, 3120, 2880)] == [
        "45 min", "6 h 30 min", "6 h", "2 d 4 h", "2 d"]


def test_the_admin_s_notice_mark_keeps_the_lines_a_fold_adds_meanwhile(db, make_synced_config, add_item) -> None:
    """The admin chat marks a catch-up told (alerts/admin.py) while a worker folds more old
    alerts into it (an outage still on). Before, the mark wrote back the payload it had read,
    over the fold's: the alerts folded meanwhile were `folded` into a message that no longer
    named them, never sent."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    queue_during(db, add_item, config, clock, [30 - k for k in range(4)])
    [(catch_up, _)] = try_fold(db.session, config, config.channels[0], ["pp"], now=clock.now())
    queue_during(db, add_item, config, clock, [12, 11, 10])  # old, queued while the catch-up waits
    read, go = threading.Event(), threading.Event()

    def mark() -> None:
        with db.session() as s:
            mark_notified(s, catch_up)
            read.set()
            go.wait(5)  # the Telegram message's moment: the fold commits meanwhile

    marker = threading.Thread(target=mark)
    marker.start()
    assert read.wait(5)
    folder = threading.Thread(target=try_fold, args=(db.session, config, config.channels[0], ["pp"]),
                              kwargs={"now": clock.now()})
    folder.start()
    folder.join(0.5)  # with the catch-up's row held by the mark, the fold waits for it
    go.set()
    marker.join(5)
    folder.join(5)
    news = [a.id for a in rows(db) if a.kind == "new"]
    with db.session() as s:
        payload = s.get(Alert, catch_up).payload
    assert payload["alert_ids"] == news and payload["folded"] == 7
    assert payload["notified"] is True  # told once: the fold kept the mark


def test_the_admin_chat_told_while_the_catch_up_is_on_its_way_is_not_told_again(db, make_synced_config, add_item) -> None:
    """The admin chat's look (every 30 s) fell between the worker's claim of the catch-up and its
    record of the send: the record wrote back the payload it had claimed, `notified` gone, and
    the admin chat was told of the catch-up a second time."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    queue_during(db, add_item, config, clock, [30 - k for k in range(4)])
    [(catch_up, _)] = try_fold(db.session, config, config.channels[0], ["pp"], now=clock.now())
    with db.session() as s:
        claimed = claim_alert(s, catch_up, clock.now(), timedelta(minutes=5))
        assert claimed is not None
        payload = dict(claimed.payload)
    with db.session() as s:
        [(told, _)] = catch_up_notices(s, clock.now())
        mark_notified(s, told)
    with db.session() as s:  # the send answered: recorded with the payload claimed
        finish_alert(s, catch_up, status="sent", sent_at=clock.now(), claimed_at=None,
                     telegram_message_id=77, payload={**payload, SENT_CHAT: CHAT})
    with db.session() as s:
        assert s.get(Alert, catch_up).status == "sent"
        assert catch_up_notices(s, clock.now()) == []
