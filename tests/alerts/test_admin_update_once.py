"""An admin command is answered once even when the process that read it dies before it
confirmed the getUpdates offset: the next reader (a restart, or the new leader among
replicas) gets the same update from Telegram and skips it, as its id is claimed in the
database. Real SQLite file, the Bot API emulator over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import update as update_rows
from test_admin import ADMIN, config, controls, make_bot  # noqa: F401 - fixtures used by name

from alerts.admin import AdminBot
from core.config import AppConfig
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.leases import claim_work, finish_work, lease_now, update_lease
from storage.models import Lease


async def read_and_answer(bot: AdminBot) -> int:
    """One getUpdates and its answers, as `run` does, without the confirmation at a clean stop
    (the process is killed)."""
    await bot._prepare()
    updates = await bot._poll(asyncio.Event())
    for item in updates:
        await bot._handle_safely(item)
    return len(updates)


async def test_a_command_read_twice_is_answered_once(
    emulator: BotApiEmulator, config: AppConfig, make_bot: Callable[..., AdminBot]  # noqa: F811
) -> None:
    emulator.inject_message(ADMIN, "/queue")
    first, second = make_bot(config), make_bot(config)
    assert await read_and_answer(first) == 1
    assert await read_and_answer(second) == 1  # the same update: never confirmed
    replies = [m.text for m in emulator.messages(ADMIN)]
    assert len(replies) == 1 and replies[0].startswith("Queue"), replies
    emulator.inject_message(ADMIN, "/queue")  # a new command is answered by whoever reads it
    assert await read_and_answer(second) == 1
    assert len(emulator.messages(ADMIN)) == 2


async def test_a_command_whose_reader_died_mid_answer_is_answered_by_the_next(
    emulator: BotApiEmulator, config: AppConfig, make_bot: Callable[..., AdminBot],  # noqa: F811
    db: Database,
) -> None:
    """The first reader claimed the update and died before answering: the next reader waits
    for the claim to end, then answers it, once. The claim ends when the test says so (its
    expiry moved into the past), not after a short claim's wall-clock time: a 0.5 s claim could
    end before a loaded host's heir first read the update, and the heir answered it at once."""
    emulator.inject_message(ADMIN, "/queue")
    dead, heir = make_bot(config), make_bot(config)
    await dead._prepare()
    (update,) = await dead._poll(asyncio.Event())
    lease = update_lease(update.update_id)
    with db.session() as s:  # what `_handle_safely` does first; then the process is killed
        assert claim_work(s, lease, "dead", timedelta(minutes=5)) == "mine"
    assert await read_and_answer(heir) == 1
    assert emulator.messages(ADMIN) == [] and list(heir._waiting) == [update.update_id]
    with db.session() as s:  # the dead reader's claim ends
        s.execute(update_rows(Lease).where(Lease.name == lease).values(expires_at=lease_now(s) - timedelta(seconds=1)))
    for item in list(heir._waiting.values()):  # what `run` does before each getUpdates
        await heir._handle_safely(item)
    assert [m.text.split(":")[0] for m in emulator.messages(ADMIN)] == ["Queue"]
    assert heir._waiting == {}
    assert await read_and_answer(heir) == 0  # its offset confirmed it: Telegram forgets it
    assert len(emulator.messages(ADMIN)) == 1


def test_claims(db: Database) -> None:
    now = datetime.now(UTC)
    work, keep = timedelta(seconds=20), timedelta(days=2)
    with db.session() as s:
        assert claim_work(s, update_lease(1), "a", work, now=now) == "mine"
        assert claim_work(s, update_lease(1), "b", work, now=now) == "busy"
        finish_work(s, update_lease(1), "a", keep, now=now)
        assert claim_work(s, update_lease(1), "b", work, now=now) == "done"
        assert claim_work(s, update_lease(2), "a", work, now=now) == "mine"  # a dies here
    later = now + timedelta(minutes=1)
    with db.session() as s:
        assert claim_work(s, update_lease(2), "b", work, now=later) == "mine"
        assert claim_work(s, update_lease(1), "b", work, now=later) == "done"
    with db.session() as s:  # marks of answered updates end after two days and are deleted
        assert claim_work(s, update_lease(1), "b", work, now=now + timedelta(days=3)) == "mine"
