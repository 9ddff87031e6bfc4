"""A catch-up message (alerts/catch_up.py) through a kill -9 and through a restored backup:
every folded alert reaches the chat exactly once, as the line of one catch-up. The worker's
death is an exception no handler of the worker catches (`Killed`, a BaseException), raised at
the step a kill -9 would stop it at; a new worker on the same database and journal of sends
then delivers, as the service's next start does. Real parts: the Bot API emulator, a SQLite
file (PostgreSQL too with TEST_DATABASE_URL) and its journal of sends."""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from test_catch_up import CHANNELS, CHAT, deliver_all, queue_during, rows

from alerts.catch_up import catch_up_notices, try_fold
from alerts.delivery import DeliveryWorker
from alerts.feed_limits import mark_notified
from core.clock import ManualClock
from core.restore_marks import load_sent, marks_path
from storage.db import Database, open_database
from storage.models import Alert

LEASE = 300.0  # the worker's stale_after: a dead worker's claim is taken over after it


class Killed(BaseException):
    """The process ends here (kill -9): nothing after this step runs, no handler sees it."""


def catch_ups(emulator: Any) -> list[Any]:
    return [m for m in emulator.messages(CHAT) if m.text.startswith("⏪")]


def stories_told(emulator: Any) -> list[str]:
    """The story ("104" of "Pérez 104") of each line of a catch-up and of each message of its
    own the chat received, in order: a story told twice is there twice."""
    return re.findall(r"Pérez (\d+) ", "\n".join(m.text for m in emulator.messages(CHAT)))


async def killed_at(worker: DeliveryWorker, step: str, monkeypatch: pytest.MonkeyPatch, *,
                    before: Any = None) -> None:
    """Run `worker` until it dies at `step`: "send" (before the message leaves), or "record"
    (Telegram took it and the journal of sends has it, the row does not). `before` runs first."""

    def die(*_: Any, **__: Any) -> Any:
        if before is not None:
            before()
        raise Killed

    async def adie(*_: Any, **__: Any) -> Any:
        die()

    if step == "send":
        monkeypatch.setattr(worker.sender, "send", adie)
    else:
        monkeypatch.setattr(worker, "_finish", die)
    with pytest.raises(Killed):
        await deliver_all(worker)


async def restarted(db: Database, make_worker: Any, config: Any, clock: ManualClock) -> DeliveryWorker:
    """The next start: the dead worker's claim lease past, a new worker (it reads the journal of
    sends). PostgreSQL stamps and judges claims by its own clock, which the test's does not
    move: there the claims are made older instead."""
    clock.advance(LEASE + 1)
    if db.dialect == "postgresql":
        with db.session() as s:
            s.execute(text("UPDATE alerts SET claimed_at = claimed_at - make_interval(secs => :s) "
                           "WHERE status = 'sending'"), {"s": LEASE + 1})
    return await make_worker(config, clock=clock, stale_after=LEASE)


def queued_over_a_day(db: Database, add_item: Any, config: Any, clock: ManualClock) -> list[int]:
    """Six stories queued 30 to 25 hours ago (a long outage), two 1 hour ago; the old ones' ids."""
    queue_during(db, add_item, config, clock, [30 - k for k in range(6)])
    queue_during(db, add_item, config, clock, [1, 0.9])
    return [a.id for a in rows(db) if a.kind == "new"][:6]


@pytest.mark.parametrize("step", ["send", "record"])
async def test_a_kill_while_the_catch_up_is_sent_tells_each_folded_alert_once(
    step, db, emulator, make_synced_config, make_worker, add_item, monkeypatch,
) -> None:
    """Killed after the fold's commit, before the catch-up left: the next start sends it. Killed
    after Telegram took it, before its row was recorded: the next start finds it in the journal
    of sends and marks it sent, not sent again. Either way each story once, no line lost."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    old = queued_over_a_day(db, add_item, config, clock)
    first = await make_worker(config, clock=clock, stale_after=LEASE)
    await killed_at(first, step, monkeypatch)
    assert {a.status for a in rows(db) if a.id in old} == {"folded"}  # the fold had committed
    assert len(catch_ups(emulator)) == (1 if step == "record" else 0)

    await deliver_all(await restarted(db, make_worker, config, clock))
    told = stories_told(emulator)
    assert len(catch_ups(emulator)) == 1
    assert len(told) == 8 and len(set(told)) == 8  # 6 lines, 2 young stories: each once
    assert [a.status for a in rows(db) if a.kind == "catch_up"] == ["sent"]
    assert {a.status for a in rows(db) if a.kind == "new"} == {"folded", "sent"}


async def test_a_kill_after_the_admin_chat_was_told_of_the_catch_up_in_flight_does_not_send_it_again(
    db, emulator, make_synced_config, make_worker, add_item, monkeypatch,
) -> None:
    """The admin chat's look (every 30 s) marks the catch-up told (`notified` in its payload)
    while its message is on its way; the process dies before the row records the send. The
    journal of sends has the message, with a fingerprint of the payload as claimed, without the
    mark. Before, the next start compared it with the payload as stored, the mark in it, found
    them different and sent the catch-up again: its 6 lines twice."""
    clock = ManualClock()
    config = make_synced_config(CHANNELS, admin_chat_id=4242)

    def admin_looks() -> None:
        with db.session() as s:
            [(told, _)] = catch_up_notices(s, clock.now())
            mark_notified(s, told)

    queued_over_a_day(db, add_item, config, clock)
    first = await make_worker(config, clock=clock, stale_after=LEASE)
    await killed_at(first, "record", monkeypatch, before=admin_looks)
    [(key, payload)] = [(a.dedupe_key, a.payload) for a in rows(db) if a.kind == "catch_up"]
    assert payload["notified"] is True and key in load_sent(marks_path(db.marks_base))

    await deliver_all(await restarted(db, make_worker, config, clock))
    told = stories_told(emulator)
    assert len(catch_ups(emulator)) == 1 and len(told) == 8 and len(set(told)) == 8
    [row] = [a for a in rows(db) if a.kind == "catch_up"]
    assert row.status == "sent" and row.telegram_message_id == catch_ups(emulator)[0].message_id
    assert row.payload["notified"] is True


def _backup(db: Database, to: Path) -> Path:
    """SQLite's online backup, what `sqlite3 monitor.db ".backup to.db"` does."""
    assert db.sqlite_file is not None
    src, dst = sqlite3.connect(db.sqlite_file), sqlite3.connect(to)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return to


def _restore(db: Database, db_url: str, copy: Path) -> Database:
    """As docs/OPERATIONS.md says, the service stopped: the -wal and -shm files removed, the
    file put back; the database opened again."""
    assert db.sqlite_file is not None
    db.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{db.sqlite_file}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, db.sqlite_file)
    return open_database(db_url)


async def test_alerts_sent_after_a_backup_are_not_lines_of_a_catch_up_after_it_is_restored(
    db, db_url, emulator, make_synced_config, make_worker, add_item, tmp_path, caplog,
) -> None:
    """Four stories go out one by one; the database is backed up while the last two and four
    more are still queued, then those go out too. The backup is restored, and a day later (an
    outage) all six are old: the fold takes the six queued rows. Before, the two the journal
    of sends has were lines of the catch-up as well: told twice. Now they are marked sent as
    the messages they were, and the catch-up tells the four others."""
    if not db_url.startswith("sqlite"):
        pytest.skip("a SQLite file copied back; PostgreSQL's dump and restore: tests/service/test_restore_pg.py")
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    queue_during(db, add_item, config, clock, [0.5, 0.4])
    worker = await make_worker(config, clock=clock)
    await deliver_all(worker, 2)
    queue_during(db, add_item, config, clock, [0.3, 0.2, 0.1, 0.05, 0.04, 0.03])
    copy = _backup(db, tmp_path / "backup.db")
    await worker.deliver_pending(max_batch=2)  # two more sent after the backup
    sent_after = [a.id for a in rows(db) if a.kind == "new" and a.status == "sent"][2:]
    assert len(sent_after) == 2
    before = len(emulator.messages(CHAT))
    await worker.close()

    restored = _restore(db, db_url, copy)
    try:
        clock.advance(86400)  # a day later all six are queued more than catch_up_after ago
        again = DeliveryWorker(config, worker.runtime, restored, clock=clock, request_timeout=10.0)
        await again.start()
        try:
            with caplog.at_level(logging.WARNING, logger="alerts.delivery"):
                await deliver_all(again)
        finally:
            await again.close()
        assert caplog.text.count("restored from a backup; marked sent, not folded into a catch-up") == 2
        after = emulator.messages(CHAT)[before:]
        told = stories_told(emulator)
        assert len(told) == len(set(told)) == 8  # each story once, whichever way
        assert len(after) == 1 and after[0].text.startswith("⏪ 4 alertas")
        with restored.session() as s:
            states = {a.id: a.status for a in s.scalars(select(Alert).where(Alert.kind == "new"))}
        assert all(states[i] == "sent" for i in sent_after)
    finally:
        if restored is not db:
            restored.dispose()


async def test_a_restored_catch_up_sent_after_the_backup_takes_no_new_lines(
    db, db_url, emulator, make_synced_config, make_worker, add_item, tmp_path,
) -> None:
    """The backup was taken while a catch-up of six stories waited (an outage); it went out after.
    Restored, the catch-up is pending again, and three more stories have grown old. Before, the
    fold wrote them into it (nine lines): its text no longer the one journaled, it went out again,
    the six stories told twice. Now it is marked sent and the three go into a catch-up of their own."""
    if not db_url.startswith("sqlite"):
        pytest.skip("a SQLite file copied back; PostgreSQL's dump and restore: tests/service/test_restore_pg.py")
    clock = ManualClock()
    config = make_synced_config(CHANNELS)
    queue_during(db, add_item, config, clock, [30 - k for k in range(6)])
    [(catch_up, six)] = try_fold(db.session, config, config.channels[0], ["pp"], now=clock.now())
    assert six == 6
    copy = _backup(db, tmp_path / "backup.db")
    worker = await make_worker(config, clock=clock)
    await deliver_all(worker, 2)
    assert [m.text.split(" mientras")[0] for m in catch_ups(emulator)] == ["⏪ 6 alertas"]
    await worker.close()

    restored = _restore(db, db_url, copy)
    try:
        queue_during(restored, add_item, config, clock, [9, 8, 7])
        again = DeliveryWorker(config, worker.runtime, restored, clock=clock, request_timeout=10.0)
        await again.start()
        try:
            await deliver_all(again)
        finally:
            await again.close()
        told = stories_told(emulator)
        assert len(told) == len(set(told)) == 9
        assert [m.text.split(" mientras")[0] for m in catch_ups(emulator)] == ["⏪ 6 alertas", "⏪ 3 alertas"]
        with restored.session() as s:
            assert s.get(Alert, catch_up).status == "sent"
    finally:
        restored.dispose()
