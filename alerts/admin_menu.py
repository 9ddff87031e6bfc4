"""The admin chat's commands as one table: the text `/help` prints and the menu Telegram shows.

A phone shows a bot's commands as a menu once the bot registered them with setMyCommands; this
bot registered none, so an operator had to remember `/split`, `/merge`, `/pause NAME` or send
`/help` first. `CommandMenu.settle` registers the table for the admin chat alone
(`BotCommandScopeChat`: channels and strangers see no admin menu), once per start and again when
the admin chat changes (a reload, a group upgraded to a supergroup), deleting the old chat's. It
is best effort: a refusal is logged once and tried again at the next start or reload, never
raised. The chat whose menu is registered is remembered in the database (`storage.leases.MENU`)
so that a later start without `admin_chat_id`, or with another chat, deletes it there.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import ChatMigrated

from alerts.telegram import told
from core.logs import redact
from storage.db import Database
from storage.leases import menu_chat, remember_menu_chat

log = logging.getLogger("alerts.admin")

MAX_DESCRIPTION = 256  # Telegram's limit on a command's description (characters)


@dataclass(frozen=True)
class Command:
    """One admin command: `/name ARGS — about`, as /help prints it."""

    name: str  # 1-32 of a-z, 0-9, _ (Telegram's rule for a menu's command)
    about: str
    args: str = ""

    @property
    def description(self) -> str:
        """The menu's line: /help's line without the command's name."""
        return f"{self.args} — {self.about}" if self.args else self.about

    @property
    def help_line(self) -> str:
        return f"/{self.name} {self.description}" if self.args else f"/{self.name} — {self.about}"


def help_text(commands: tuple[Command, ...]) -> str:
    return "\n".join(["Commands:", *(c.help_line for c in commands)])


def bot_commands(commands: tuple[Command, ...]) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in commands]


_UNSETTLED = "unsettled"  # `CommandMenu._settled` before the first settle and after a refusal


class CommandMenu:
    """Keeps the admin chat's menu in step with the configured chat (module docstring)."""

    def __init__(self, commands: tuple[Command, ...], db: Database, secrets: tuple[str, ...]) -> None:
        self.commands = commands
        self.db = db
        self._secrets = secrets
        self._settled: str | None = _UNSETTLED  # the chat settled for (None: no admin chat)
        self._shown: str | None = _UNSETTLED  # the chat whose scope holds the menu, once known
        self.tried = False  # settled once (registered, refused or nothing to do)

    def retry(self) -> None:
        """A reload: try again what a refusal left undone (a settled menu is left alone)."""
        if self._shown != self._settled:
            self._settled = _UNSETTLED

    async def settle(self, bot: Bot, chat: str | None) -> None:
        """Register the menu for `chat` and delete the one of the chat before; never raises.
        Once per chat: called at every turn of the admin chat's loop, it asks Telegram only
        when the chat changed or a reload asked for a retry (`retry`)."""
        if chat == self._settled:
            return
        self._settled = chat
        old = await self._registered_before()
        if old is not None and old != chat and await self._delete(bot, old):
            self._shown = None
        if chat is not None and await self._register(bot, chat):
            self._shown = chat
        if self._shown not in (old, _UNSETTLED):
            await self._remember(self._shown)
        self.tried = True

    async def _register(self, bot: Bot, chat: str) -> bool:
        try:
            await bot.set_my_commands(bot_commands(self.commands), scope=BotCommandScopeChat(int(chat)))
        except Exception as exc:  # 400, 403, an outage: the next start or reload tries again
            log.warning("operator chat: the command menu was not registered in chat %s: %s; tried "
                        "again at the next start or reload of feeds.yaml", chat, self._told(exc))
            return False
        log.info("operator chat: command menu of %d commands registered in chat %s", len(self.commands), chat)
        return True

    async def _delete(self, bot: Bot, old: str) -> bool:
        """Delete the menu of a chat no longer the admin chat. A refusal (the group upgraded
        to a supergroup, the bot removed from it) does not hold up the new chat's menu."""
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(int(old)))
        except ChatMigrated:  # the group is a supergroup now, the admin chat: nothing left to show
            log.info("operator chat: the command menu of chat %s went with the group's upgrade", old)
            return True
        except Exception as exc:
            log.warning("operator chat: the command menu of chat %s, no longer the admin chat, was "
                        "not deleted: %s", old, self._told(exc))
            return False
        log.info("operator chat: command menu deleted in chat %s, no longer the admin chat", old)
        return True

    async def _registered_before(self) -> str | None:
        """The chat holding the menu: this process's knowledge, else the database's memo."""
        if self._shown != _UNSETTLED:
            return self._shown
        try:
            self._shown = await asyncio.to_thread(self._read)
        except Exception as exc:  # a lock, an outage: an earlier run's menu is left as it is
            log.info("operator chat: which chat holds the command menu is not known: %s", self._told(exc))
            return None
        return self._shown

    def _read(self) -> str | None:
        with self.db.session() as session:
            return menu_chat(session)

    async def _remember(self, chat: str | None) -> None:
        def write() -> None:
            with self.db.session() as session:
                remember_menu_chat(session, chat)

        try:
            await asyncio.to_thread(write)
        except Exception as exc:  # only a later start without this chat is left unknowing
            log.info("operator chat: the command menu's chat not recorded: %s", self._told(exc))

    def _told(self, exc: BaseException) -> str:
        return redact(f"{type(exc).__name__}: {told(exc)}", self._secrets)[:500]
