"""An admin command is answered once even when the process that read it dies before it
confirmed the getUpdates offset: the next reader (a restart, or the new leader among
replicas) gets the same update from Telegram and skips it, as its id is claimed in the
database. Real SQLite file, the Bot API emulator over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from test_admin import ADMIN, config, controls, make_bot  # noqa: F401 - fixtures used by name

from alerts.admin import AdminBot
from core.config import AppConfig
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.leases import claim_once, update_lease


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


def test_claims_are_once_and_old_ones_are_pruned(db: Database) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        assert claim_once(s, update_lease(1), "a", timedelta(days=2), now=now)
        assert not claim_once(s, update_lease(1), "b", timedelta(days=2), now=now)
        assert claim_once(s, update_lease(2), "b", timedelta(seconds=1), now=now)
    later = now + timedelta(days=1)
    with db.session() as s:  # update 2's claim ended: deleted by the next claim
        assert claim_once(s, update_lease(3), "a", timedelta(days=2), now=later)
        assert claim_once(s, update_lease(2), "a", timedelta(days=2), now=later)
        assert not claim_once(s, update_lease(1), "a", timedelta(days=2), now=later)
