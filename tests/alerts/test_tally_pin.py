"""`channels[].pin_tally: true`: one message with the live figures, pinned once, edited in
place when a figure changes (at most every 10 minutes), sent and pinned again when deleted; a
chat where the bot may not pin keeps it unpinned and the operator is told once. The Bot API
emulator over real HTTP (python-telegram-bot), a real database, a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from alerts_helpers import TOKEN, until
from sqlalchemy import text

from alerts.tally.figures import build_tally
from alerts.tally.pin import CREATE_LEASE, TallyPins, pin_lease, pin_text
from core.clock import ManualClock
from core.config import AppConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.leases import holder_of, release, shares_clock, take
from storage.models import Count, Match
from storage.pins import pin_of
from storage.tally import StoredFigure

PP = "political_prisoners"
ADMIN = 4242
PINNED, NO_PIN = "@pp_channel", "@pp_nopin"


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config([
        {"name": "pp", "chat_id": PINNED, "topics": [PP], "pin_tally": True},
        {"name": "nopin", "chat_id": NO_PIN, "topics": [PP], "pin_tally": True},
        {"name": "plain", "chat_id": "@pp_plain", "topics": [PP]},
    ], admin_chat_id=ADMIN)


@pytest.fixture
async def pins_at(
    config: AppConfig, runtime: Runtime, db: Database,
) -> AsyncIterator[Callable[[ManualClock], TallyPins]]:
    """TallyPins on the emulator with a manual clock, each closed at the end of the test."""
    made: list[TallyPins] = []

    def make(clock: ManualClock) -> TallyPins:
        made.append(TallyPins(config, runtime, db, clock=clock, request_timeout=10.0))
        return made[-1]

    yield make
    for pins in made:
        await pins.close()


def _figure(db: Database, add_item: Callable[..., Any], day: int, event: str, number: int, source: str | None,
            *, feed: str = "elpitazo", confident: bool = True) -> None:
    with db.session() as s:
        item = add_item(s, feed, f"{number} {event}", published=datetime(2026, 1, day, 12, tzinfo=UTC))
        s.add(Count(item_id=item.id, event=event, number=number, source=source, confident=confident))
        s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))


def _calls(emu: BotApiEmulator, method: str, chat: str) -> int:
    return sum(1 for r in emu.requests if (r.method, r.chat_id, r.status) == (method, chat, 200))


def _leases_named(db: Database, name: str) -> int:
    with db.session() as s:
        return s.execute(text("SELECT count(*) FROM leases WHERE name = :n"), {"n": name}).scalar_one()


async def test_the_live_figures_are_pinned_once_edited_at_most_every_ten_minutes_and_recreated(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    emulator.forbid_pin(NO_PIN)
    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    pins = pins_at(clock)
    assert await pins.tick() == {"pp": "no figures", "nopin": "no figures"}
    assert emulator.messages(PINNED) == []

    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    _figure(db, add_item, 13, "released", 400, "Jorge Rodríguez")
    _figure(db, add_item, 16, "released", 61, "la ONG Foro Penal")
    _figure(db, add_item, 17, "held", 95, "Foro Penal", confident=False)  # stored, never shown
    clock.advance(60)
    assert await pins.tick() == {}  # a channel without figures is looked at every 10 minutes
    clock.advance(9 * 60)
    assert await pins.tick() == {"pp": "created", "nopin": "created"}
    [msg] = emulator.messages(PINNED)
    assert emulator.pinned(PINNED) == msg.message_id
    assert "Siguen presos: 800 (Foro Penal, 09/01/2026)" in msg.text
    assert "anunciados por el Gobierno: 400 (Jorge Rodríguez, 13/01/2026)" in msg.text
    assert "verificados por ONG: 61 (Foro Penal, 16/01/2026)" in msg.text
    assert "95" not in msg.text
    # the chat that refuses: the message is there, unpinned, and the operator is told once
    [unpinned] = emulator.messages(NO_PIN)
    assert emulator.pinned(NO_PIN) is None and unpinned.text == msg.text
    [told] = emulator.messages(ADMIN)
    assert "nopin" in told.text and "may not pin" in told.text
    with db.session() as s:
        state = pin_of(s, "nopin")
        assert state is not None and state.pin_refused and state.refusal_reported and not state.pinned

    assert await pins.tick() == {}  # nothing due within the minute
    _figure(db, add_item, 25, "held", 687, "foropenal")
    clock.advance(5 * 60)
    assert await pins.tick() == {}  # a figure changed, but the last edit is 5 minutes old
    clock.advance(5 * 60)
    assert await pins.tick() == {"pp": "edited", "nopin": "edited"}
    [msg] = emulator.messages(PINNED)
    assert "Siguen presos: 687 (Foro Penal, 25/01/2026)" in msg.text and len(msg.edits) == 1
    assert _calls(emulator, "pinChatMessage", PINNED) == 1  # pinned once, edited in place
    assert len(emulator.messages(ADMIN)) == 1  # the refusal is not told again

    clock.advance(10 * 60)
    assert await pins.tick() == {"pp": "unchanged", "nopin": "unchanged"}
    assert _calls(emulator, "editMessageText", PINNED) == 1

    # an administrator deletes the pinned message: sent and pinned again at the next change
    assert emulator.delete_message(PINNED, msg.message_id)
    _figure(db, add_item, 26, "released", 143, "Foro Penal")
    clock.advance(10 * 60)
    assert (await pins.tick())["pp"] == "recreated"
    [again] = emulator.messages(PINNED)
    assert again.message_id != msg.message_id and emulator.pinned(PINNED) == again.message_id
    assert "verificados por ONG: 143" in again.text

    # a restart edits the same message (its id is stored), never a second one
    restarted = pins_at(clock)
    clock.advance(10 * 60)
    assert await restarted.tick() == {"pp": "unchanged", "nopin": "unchanged"}
    assert len(emulator.messages(PINNED)) == 1 and emulator.messages("@pp_plain") == []


async def test_a_pin_granted_later_is_taken_at_the_next_change(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    emulator.forbid_pin(NO_PIN)
    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    pins = pins_at(clock)
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    await pins.tick()
    assert emulator.pinned(NO_PIN) is None
    emulator.forbid_pin(NO_PIN, False)  # the operator made the bot an administrator
    emulator.fail_next(1, "503", chat_id=PINNED)  # and Telegram fails one edit elsewhere
    _figure(db, add_item, 19, "held", 711, "Foro Penal")
    clock.advance(10 * 60)
    assert await pins.tick() == {"pp": "error", "nopin": "edited"}
    [msg] = emulator.messages(NO_PIN)
    assert emulator.pinned(NO_PIN) == msg.message_id
    with db.session() as s:
        state = pin_of(s, "nopin")
        assert state is not None and state.pinned and state.pin_refused is None
    clock.advance(60)
    assert await pins.tick() == {"pp": "edited"}  # the failed edit is made the next minute
    assert "711" in emulator.messages(PINNED)[0].text


async def test_a_pinned_message_telegram_will_not_edit_is_not_sent_a_second_time(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """"message can't be edited": the message is still there. Before, it was taken for a
    deletion and a second tally message was sent and pinned beside it at each change."""
    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    pins = pins_at(clock)
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    await pins.tick()
    [msg] = emulator.messages(PINNED)
    emulator.freeze_message(PINNED, msg.message_id)
    _figure(db, add_item, 19, "held", 711, "Foro Penal")
    clock.advance(10 * 60)
    assert (await pins.tick())["pp"] == "error"
    assert [m.message_id for m in emulator.messages(PINNED)] == [msg.message_id]
    assert emulator.pinned(PINNED) == msg.message_id
    with db.session() as s:
        state = pin_of(s, "pp")
        assert state is not None and state.message_id == msg.message_id
        assert "can't be edited" in (state.last_error or "")
    emulator.freeze_message(PINNED, msg.message_id, frozen=False)  # its rights given back
    clock.advance(10 * 60)
    assert (await pins.tick())["pp"] == "edited"
    assert "711" in emulator.messages(PINNED)[0].text


async def test_the_pinned_figures_are_dated_in_the_configured_time_zone(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """Foro Penal's figure of 21:30 in Caracas on 25 January is 01:30 UTC on the 26th: the
    channel reads the 25th (settings.timezone), as every other time in its messages."""
    assert str(config.settings.tz) == "America/Caracas"
    with db.session() as s:
        item = add_item(s, "elpitazo", "687 held", published=datetime(2026, 1, 26, 1, 30, tzinfo=UTC))
        s.add(Count(item_id=item.id, event="held", number=687, source="Foro Penal"))
        s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))
    pins = pins_at(ManualClock(datetime(2026, 1, 26, 12, 0, tzinfo=UTC)))
    assert (await pins.tick())["pp"] == "created"
    [msg] = emulator.messages(PINNED)
    assert "Siguen presos: 687 (Foro Penal, 25/01/2026)" in msg.text


async def test_the_pinned_figures_follow_a_clock_set_back_a_day(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """The host's clock set back a day after the message was sent (a VM restored, the date
    set by hand): its last edit, stored a day ahead, held every edit until the clock caught up,
    a restart too, and the channel read Foro Penal's 800 for a day after its 687."""
    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    pins = pins_at(clock)
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    assert (await pins.tick())["pp"] == "created"
    clock.step(-24 * 3600)
    _figure(db, add_item, 25, "held", 687, "Foro Penal")
    clock.advance(60)
    assert (await pins.tick())["pp"] == "edited"
    [msg] = emulator.messages(PINNED)
    assert "Siguen presos: 687 (Foro Penal, 25/01/2026)" in msg.text and len(msg.edits) == 1
    clock.advance(5 * 60)  # then edited at most every 10 minutes by the new clock, as before
    _figure(db, add_item, 26, "held", 650, "Foro Penal")
    assert await pins.tick() == {}
    clock.advance(5 * 60)
    assert (await pins.tick())["pp"] == "edited"
    assert "650" in emulator.messages(PINNED)[0].text

    clock.step(-24 * 3600)  # set back again, and the service restarted
    _figure(db, add_item, 27, "held", 640, "Foro Penal")
    assert (await pins_at(clock).tick())["pp"] == "edited"
    assert "640" in emulator.messages(PINNED)[0].text


def test_the_pinned_text_stays_short_when_many_outlets_disagree() -> None:
    day = datetime(2026, 1, 20, tzinfo=UTC)
    rows = [StoredFigure(n, PP, "held", 700 + n % 40, "Foro Penal", day, day, f"https://o{n}.example",
                         f"outlet-{n}") for n in range(400)]
    text = pin_text(build_tally(rows), [PP, "us_actions"])
    assert text is not None and len(text) <= 4096
    assert text.count("Disputed:") == 3 and "and 36 more disputed figures" in text
    assert pin_text(build_tally([]), [PP]) is None


async def test_a_chat_that_forbids_the_bot_is_tried_every_ten_minutes_not_every_minute(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    emulator.forbid(PINNED)
    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    pins = pins_at(clock)
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    assert (await pins.tick())["pp"] == "error"
    clock.advance(60)
    assert await pins.tick() == {}
    emulator.forbid(PINNED, False)  # the bot was added to the channel
    clock.advance(9 * 60)
    assert (await pins.tick())["pp"] == "created"
    assert emulator.pinned(PINNED) == emulator.messages(PINNED)[0].message_id
    with db.session() as s:
        state = pin_of(s, "pp")
        assert state is not None and state.pinned and state.message_id is not None


def test_the_emulator_deletes_messages_as_an_administrator_would(emulator: BotApiEmulator) -> None:
    base = f"{emulator.api_url}/bot{TOKEN}"

    def call(method: str, **data: Any) -> dict[str, Any]:
        return httpx.post(f"{base}/{method}", json=data, timeout=10).json()

    sent = call("sendMessage", chat_id=PINNED, text="figures")["result"]["message_id"]
    assert call("pinChatMessage", chat_id=PINNED, message_id=sent)["ok"]
    assert call("deleteMessage", chat_id=PINNED, message_id=sent) == {"ok": True, "result": True}
    assert emulator.pinned(PINNED) is None and emulator.messages(PINNED) == []
    gone = call("editMessageText", chat_id=PINNED, message_id=sent, text="new figures")
    assert (gone["ok"], gone["description"]) == (False, "Bad Request: message to edit not found")
    again = call("deleteMessage", chat_id=PINNED, message_id=sent)
    assert again["error_code"] == 400 and "not found" in again["description"]


async def test_two_replicas_never_both_send_the_pinned_message(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """Around a change of leader two replicas may both find no message: the creation lease
    lets one send it; the other waits, then finds the stored id and sends nothing."""
    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    old_leader = pins_at(clock)
    new_leader = pins_at(clock)
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    with db.session() as s:  # the old leader is in the middle of sending (by the clock it stamps leases by)
        assert take(s, pin_lease("pp"), "old-leader", timedelta(minutes=2),
                    now=None if shares_clock(s) else clock.now())
    assert (await new_leader.tick())["pp"] == "busy"
    assert emulator.messages(PINNED) == []
    assert (await old_leader.tick())["pp"] == "busy"  # a lease is a lease, whoever asks
    with db.session() as s:
        release(s, pin_lease("pp"), "old-leader")
    clock.advance(60)  # a busy channel is looked at again the next minute
    assert (await old_leader.tick())["pp"] == "created"
    clock.advance(60)
    assert "pp" not in await new_leader.tick()  # the stored message is fresh: nothing to do
    # a round that looked before the message was stored decides to send: under the lease
    # it finds the stored id and sends nothing
    channel = next(c for c in config.channels if c.name == "pp")
    assert await new_leader._create(channel, PINNED, "stale", clock.now(), replacing=None) == "unchanged"
    assert len(emulator.messages(PINNED)) == 1 and _calls(emulator, "sendMessage", PINNED) == 1
    with db.session() as s:
        assert holder_of(s, pin_lease("pp"), now=clock.now()) is None  # given back after sending


async def test_a_replica_whose_clock_is_minutes_ahead_sends_no_pinned_message_another_is_sending(
    db: Database, emulator: BotApiEmulator, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """On PostgreSQL the creation lease is stamped and judged by the database's clock, as the
    leader's and the feeds' leases are: stamped by each replica's own, a replica on a host 3
    minutes ahead saw another's lease (2 minutes) as expired while its message was on its way,
    and sent and pinned a second message."""
    with db.session() as s:
        if not shares_clock(s):
            pytest.skip("SQLite: one process, one clock")
        assert take(s, pin_lease("pp"), "other-replica", CREATE_LEASE)  # sending now, by its pin.py
    ahead = pins_at(ManualClock(datetime.now(UTC) + timedelta(minutes=3)))
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    assert (await ahead.tick())["pp"] == "busy"
    assert emulator.messages(PINNED) == []


async def test_a_database_restored_from_before_the_pin_edits_the_pinned_message(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """The tally was pinned after the backup was taken: the backup put back has no `tally_pins`
    row (deleted here, as the restored file has none), and the next start sent and pinned a
    second tally. It now edits the pinned one, known from monitor.db.seen beside the database
    (on PostgreSQL, data/postgresql-….seen: a `pg_restore`)."""
    from sqlalchemy import delete

    from storage.models import TallyPin

    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    assert (await pins_at(clock).tick())["pp"] == "created"
    with db.session() as s:  # the database as the backup had it
        s.execute(delete(TallyPin))
    _figure(db, add_item, 16, "released", 61, "la ONG Foro Penal")
    assert (await pins_at(clock).tick())["pp"] == "edited"  # the next start, after the restore
    [msg] = emulator.messages(PINNED)
    assert emulator.pinned(PINNED) == msg.message_id and "61 (Foro Penal" in msg.text
    assert _calls(emulator, "pinChatMessage", PINNED) == 1


async def test_each_channel_reads_its_pinned_figures_in_its_own_language(
    db: Database, emulator: BotApiEmulator, make_synced_config: Callable[..., AppConfig], runtime: Runtime,
    add_item: Callable[..., Any],
) -> None:
    """A channel of Spanish alerts (no `languages`, as the default feeds.yaml's) read its pinned
    figures in English: "Still held: 1,000 (United States, 2026-01-21, no rights group's
    figure)" above "📊 1.000 presos (según EE. UU.)". Now it reads them as its alerts and
    roundups are written; a channel of `languages: [en]` keeps English."""
    config = make_synced_config([
        {"name": "es", "chat_id": "@pp_es", "topics": [PP], "pin_tally": True},
        {"name": "en", "chat_id": "@pp_en", "topics": [PP], "pin_tally": True, "languages": ["en"]},
    ])
    _figure(db, add_item, 21, "held", 1000, "United States")
    _figure(db, add_item, 13, "released", 400, "the government")
    with db.session() as s:
        item = add_item(s, "elpitazo", "al menos 143", published=datetime(2026, 1, 16, 12, tzinfo=UTC))
        s.add(Count(item_id=item.id, event="released", number=143, source="Foro Penal", qualifier="at least"))
        s.add(Match(item_id=item.id, topic=PP, urgency="normal", terms=[], explain=[]))
    pins = TallyPins(config, runtime, db, clock=ManualClock(datetime(2026, 1, 22, 12, tzinfo=UTC)),
                     request_timeout=10.0)
    try:
        assert await pins.tick() == {"es": "created", "en": "created"}
    finally:
        await pins.close()
    [es] = emulator.messages("@pp_es")
    assert es.text.splitlines() == [
        "📌 Presos políticos: las cifras más recientes",  # not "de hoy": none is of the 22nd
        "• Siguen presos: 1.000 (EE. UU., 21/01/2026, sin cifra de una ONG de derechos humanos)",
        "• Excarcelados, anunciados por el Gobierno: 400 (el Gobierno, 13/01/2026)",
        "• Excarcelados, verificados por ONG: al menos 143 (Foro Penal, 16/01/2026)",
    ]
    [en] = emulator.messages("@pp_en")
    assert en.text.splitlines()[:2] == [
        "📌 Political prisoners: the figures now",
        "• Still held: 1,000 (United States, 2026-01-21, no rights group's figure)",
    ]
    assert "Released, verified by rights groups: at least 143 (Foro Penal, 2026-01-16)" in en.text


async def test_a_stop_while_the_sent_pins_row_is_written_still_records_its_mark(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """A stop cancels the round where it waits. The sent message's row and its mark beside the
    database (what a restored backup's start edits instead of pinning a second tally) were
    written by two thread calls: cancelled while the row was written, the thread wrote it and
    the mark was never made. They are written in one call now, which a cancel does not split."""
    import asyncio
    import threading
    import time

    from sqlalchemy import event

    from core.restore_marks import load_pins, marks_path

    writing, cancelled = threading.Event(), threading.Event()

    def slow_write(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "tally_pins" in statement and statement.lstrip().upper().startswith(("INSERT", "UPDATE")) \
                and not writing.is_set():
            writing.set()
            cancelled.wait(5)  # the round is cancelled while this write is in its thread
            time.sleep(0.1)

    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    pins = pins_at(clock)
    event.listen(db.engine, "before_cursor_execute", slow_write)
    try:
        round_ = asyncio.create_task(pins.tick())
        while not writing.is_set():
            await asyncio.sleep(0.01)
        round_.cancel()
        cancelled.set()
        with pytest.raises(asyncio.CancelledError):
            await round_
        [msg] = emulator.messages(PINNED)
        marks = marks_path(db.marks_base)
        # the thread goes on after the cancel: 0.10 s idle, 0.15-0.16 s beside four busy loops
        await until(lambda: "pp" in load_pins(marks), "the sent pin's mark")
    finally:
        event.remove(db.engine, "before_cursor_execute", slow_write)
    assert load_pins(marks)["pp"] == (PINNED, msg.message_id)
    with db.session() as s:
        pin = pin_of(s, "pp")
        assert pin is not None and pin.message_id == msg.message_id


async def test_a_stop_while_the_creation_lease_is_taken_gives_it_back(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """A stop cancels the round where it waits. Cancelled while its worker thread took the
    creation lease, the round never reached the `finally` that gives it back: the thread took
    it all the same, and after a restart the pinned message waited for its expiry (2 minutes,
    "busy"). Whichever ends last now gives it back: the round, or the thread that took it."""
    import asyncio
    import threading
    import time

    from sqlalchemy import event

    taking, cancelled, taken = threading.Event(), threading.Event(), threading.Event()
    taker: list[threading.Thread] = []

    def slow_take(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "leases" in statement and statement.lstrip().upper().startswith(("INSERT", "UPDATE")) \
                and not taking.is_set():
            taker.append(threading.current_thread())
            taking.set()
            cancelled.wait(5)  # the round is cancelled while the lease is taken in its thread
            time.sleep(0.1)

    def checked_in(*_args: Any) -> None:  # the take's session is over (committed)
        if taker and threading.current_thread() is taker[0]:
            taken.set()

    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    event.listen(db.engine, "before_cursor_execute", slow_take)
    event.listen(db.engine.pool, "checkin", checked_in)
    try:
        round_ = asyncio.create_task(pins_at(clock).tick())
        while not taking.is_set():
            await asyncio.sleep(0.01)
        round_.cancel()
        cancelled.set()
        with pytest.raises(asyncio.CancelledError):
            await round_
        assert await asyncio.to_thread(taken.wait, 5)  # the thread goes on after the cancel
        # and the lease is given back (at once, or by the round's release): 0.11 s after the
        # cancel idle, 0.12-0.18 s beside four busy loops
        await until(lambda: _leases_named(db, pin_lease("pp")) == 0, "the creation lease given back")
    finally:
        event.remove(db.engine, "before_cursor_execute", slow_take)
        event.remove(db.engine.pool, "checkin", checked_in)
    with db.session() as s:
        assert holder_of(s, pin_lease("pp"), now=None if shares_clock(s) else clock.now()) is None
    assert emulator.messages(PINNED) == []  # the stop came before the message was sent
    assert (await pins_at(clock).tick())["pp"] == "created"  # the restart: at once, not "busy"
    assert len(emulator.messages(PINNED)) == 1


async def test_a_stop_while_the_pinned_message_is_sent_gives_the_creation_lease_back(
    db: Database, emulator: BotApiEmulator, config: AppConfig, add_item: Callable[..., Any],
    pins_at: Callable[[ManualClock], TallyPins],
) -> None:
    """Cancelled while the message is on its way (a Bot API that does not answer), the round
    gives the lease back on its way out: the next start sends the message at once."""
    import asyncio

    clock = ManualClock(datetime(2026, 1, 27, 12, 0, tzinfo=UTC))
    _figure(db, add_item, 9, "held", 800, "Foro Penal")
    emulator.hang_seconds = 3.0
    emulator.fail_next(1, "timeout", chat_id=PINNED)
    round_ = asyncio.create_task(pins_at(clock).tick())
    while not any(r.method == "sendMessage" for r in emulator.requests):
        await asyncio.sleep(0.01)
    with db.session() as s:
        assert s.execute(text("SELECT holder FROM leases WHERE name = :n"),
                         {"n": pin_lease("pp")}).scalar_one_or_none() is not None  # held while sending
    round_.cancel()
    with pytest.raises(asyncio.CancelledError):
        await round_
    with db.session() as s:
        assert holder_of(s, pin_lease("pp"), now=None if shares_clock(s) else clock.now()) is None
    assert (await pins_at(clock).tick())["pp"] == "created"  # the next start: at once
