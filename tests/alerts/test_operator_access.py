"""Who may command the bot (issue 13): only operators listed in admin_user_ids (or the user
of a private admin chat), only in the numeric admin chat; everyone else is ignored and
logged at debug level. Real python-telegram-bot against the Bot API emulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from alerts_helpers import IdleControls, running

from alerts.admin import AdminBot
from core.config import AppConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.db import Database

GROUP = -1009876
OPERATOR = 7
MEMBER = 9  # in the admin group, but not an operator
CHANNELS = [{"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]}]


async def answered(emu: BotApiEmulator, chat: int, count: int) -> list[str]:
    async def wait() -> None:
        while len(emu.messages(str(chat))) < count:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), 10)
    return [m.text for m in emu.messages(str(chat))]


async def test_only_listed_operators_are_answered_in_a_group(
    make_config: Callable[..., AppConfig], db: Database, runtime: Runtime, emulator: BotApiEmulator, caplog,
):
    config = make_config(CHANNELS, admin_chat_id=GROUP, admin_user_ids=[OPERATOR])
    bot = AdminBot(config, runtime, db, IdleControls(answer=True), poll_timeout=1, request_timeout=2.0)
    caplog.set_level(logging.DEBUG, logger="alerts.admin")

    async def body() -> None:
        emulator.inject_message(GROUP, "/pause pitazo", from_id=MEMBER)
        emulator.inject_message(OPERATOR + 100, "/status")  # a private chat of a stranger
        emulator.inject_message(GROUP, "/help", from_id=OPERATOR)
        replies = await answered(emulator, GROUP, 1)
        await asyncio.sleep(0.3)  # nothing else may arrive
        assert len(emulator.messages(str(GROUP))) == 1 and replies[0].startswith("Commands:")
        assert emulator.messages(str(OPERATOR + 100)) == []

    async with running(bot):
        await body()
    ignored = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and "ignored" in r.getMessage()]
    assert any(f"user {MEMBER}" in m for m in ignored)
    assert any(f"chat {OPERATOR + 100}" in m for m in ignored)


async def test_a_private_admin_chat_answers_its_own_user(
    make_config: Callable[..., AppConfig], db: Database, runtime: Runtime, emulator: BotApiEmulator,
):
    config = make_config(CHANNELS, admin_chat_id=4242)
    bot = AdminBot(config, runtime, db, IdleControls(answer=True), poll_timeout=1, request_timeout=2.0)

    async def body() -> None:
        emulator.inject_message(4242, "/help")  # from user 4242: the chat's own user
        assert (await answered(emulator, 4242, 1))[0].startswith("Commands:")

    async with running(bot):
        await body()
