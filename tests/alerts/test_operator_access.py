"""Who may command the bot (issue 13): only operators listed in admin_user_ids (or the user
of a private admin chat), only in the numeric admin chat; everyone else is ignored and
logged at debug level. Real python-telegram-bot against the Bot API emulator."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from alerts_helpers import IdleControls, running, until
from sqlalchemy import update

from alerts.admin import AdminBot
from core.config import AppConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Feed

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
    bot = AdminBot(config, runtime, db, IdleControls(answer=True), poll_timeout=1, request_timeout=10.0)
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
    bot = AdminBot(config, runtime, db, IdleControls(answer=True), poll_timeout=1, request_timeout=10.0)

    async def body() -> None:
        emulator.inject_message(4242, "/help")  # from user 4242: the chat's own user
        assert (await answered(emulator, 4242, 1))[0].startswith("Commands:")

    async with running(bot):
        await body()


async def test_an_admin_group_upgraded_to_a_supergroup_is_followed(
    make_synced_config: Callable[..., AppConfig], db: Database, runtime: Runtime, emulator: BotApiEmulator,
    caplog,
):
    """Telegram gives a group upgraded to a supergroup a new id: the operators' commands come
    from it and a message to the old id is refused (400, migrate_to_chat_id). The bot answers
    there and sends its reports there, after a restart too, and says to update feeds.yaml."""
    old, new = -555, -100555
    config = make_synced_config(CHANNELS, admin_chat_id=old, admin_user_ids=[OPERATOR])
    emulator.migrate(old, new)
    with db.session() as s:
        s.execute(update(Feed).where(Feed.name == "elpitazo").values(consecutive_failures=6))
    caplog.set_level(logging.WARNING, logger="alerts.admin")
    for run, expected in ((1, 2), (2, 3)):  # the report once, then /help after each start
        bot = AdminBot(config, runtime, db, IdleControls(answer=True), poll_timeout=1, request_timeout=10.0)
        async with running(bot):
            emulator.inject_message(new, "/help", from_id=OPERATOR)
            replies = await answered(emulator, new, expected)
        assert sum(r.startswith("Commands:") for r in replies) == run
        assert sum(r.startswith("⚠️ Feed elpitazo") for r in replies) == 1
    assert emulator.messages(str(old)) == []
    assert any(f"settings.admin_chat_id: {new}" in r.getMessage() for r in caplog.records)
    # the command menu is the supergroup's, at once: no refusal of the old id logged
    assert emulator.commands(new) and emulator.command_scopes() == [f"chat:{new}"]
    assert not any("command menu" in r.getMessage() for r in caplog.records)


async def test_an_admin_group_upgraded_while_running_gets_its_reports(
    make_synced_config: Callable[..., AppConfig], db: Database, runtime: Runtime, emulator: BotApiEmulator,
):
    old, new = -556, -100556
    config = make_synced_config(CHANNELS, admin_chat_id=old, admin_user_ids=[OPERATOR])
    bot = AdminBot(config, runtime, db, IdleControls(answer=True), poll_timeout=1, request_timeout=10.0,
                   notify_every=0.1)
    async with running(bot):
        emulator.inject_message(old, "/help", from_id=OPERATOR)
        await answered(emulator, old, 1)
        emulator.migrate(old, new)
        with db.session() as s:
            s.execute(update(Feed).where(Feed.name == "elpitazo").values(consecutive_failures=6))
        [report] = await answered(emulator, new, 1)
        emulator.inject_message(new, "/help", from_id=OPERATOR)
        replies = await answered(emulator, new, 2)
        await until(lambda: emulator.commands(new), "the menu following the upgrade")
    assert report.startswith("⚠️ Feed elpitazo") and replies[1].startswith("Commands:")
    assert emulator.commands(new) == emulator.commands(old)
