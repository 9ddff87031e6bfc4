"""Sending through python-telegram-bot, with its errors mapped to what the worker does.

PTB 22 turns Bot API answers into exceptions (telegram.error): RetryAfter (429,
`retry_after` an int or a timedelta depending on PTB's deprecation setting),
ChatMigrated (`new_chat_id`), Forbidden (403), BadRequest (400), TimedOut and
NetworkError (transport errors and 5xx). `classify_error` folds them into one
`Failure` the worker acts on; its text is redacted so the token never reaches
Alert.last_error.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import telegram
from telegram import LinkPreviewOptions, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from alerts.api_health import TOKEN_ADVICE, TOKEN_REFUSED
from core.config import Runtime
from core.logs import redact
from core.tls import client_context

Action = Literal["retry", "rate_limited", "plain_text", "forbidden", "migrated", "not_modified", "fail"]


@dataclass(frozen=True)
class Failure:
    action: Action
    message: str
    retry_after: float = 0.0
    new_chat_id: int | None = None


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# 400s that say the bot may not post in the chat (a channel admin took its "Post Messages"
# right, or the chat is gone: deleted, or an id the bot has no relation with): like a 403 they
# disable the channel and keep its queue, since every alert would fail alike until an operator
# restores the right or fixes chat_id. Compared lowercased.
NO_RIGHTS = (
    "chat not found", "have no rights", "not enough rights", "need administrator rights",
    "chat_admin_required", "chat_write_forbidden", "group chat was deactivated", "peer_id_invalid",
)


# how python-telegram-bot ends the error of an answer that is not JSON, the answer's bytes after
_NOT_JSON = ". Parsing the server response "
NOT_JSON = ": its answer was not the Bot API's JSON (a page of the server or proxy in front of it)"


def told(exc: BaseException) -> str:
    """What an error says, without the page a proxy answered in place of the Bot API's JSON
    ("Bad Gateway (502). Parsing the server response b'<html>…' failed")."""
    said = str(exc)
    return said[: said.index(_NOT_JSON)] + NOT_JSON if _NOT_JSON in said else said


def classify_error(exc: BaseException, token: str | None = None) -> Failure:
    secrets = (token,) if token else ()
    name, said = type(exc).__name__, told(exc)
    # Telegram's 403 descriptions begin "Forbidden: ", which PTB keeps: a disabled channel read
    # "Forbidden: Forbidden: bot is not a member…" in `monitor status`'s narrow column
    text = redact(said if said.startswith(f"{name}: ") else f"{name}: {said}", secrets)[:500]
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # a RetryAfter of PTB_TIMEDELTA unset warns on each read
            warnings.simplefilter("ignore")
            seconds = _seconds(exc.retry_after)
        return Failure("rate_limited", text, retry_after=seconds)
    if isinstance(exc, ChatMigrated):
        return Failure("migrated", text, new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return Failure("forbidden", text)
    if isinstance(exc, InvalidToken):  # the operator must fix the token; keep the queue
        return Failure("retry", f"{TOKEN_REFUSED} ({text}): {TOKEN_ADVICE}")
    if isinstance(exc, BadRequest):
        lowered = str(exc).lower()
        if "can't parse entities" in lowered or "can not parse entities" in lowered:
            return Failure("plain_text", text)
        if "message is not modified" in lowered:
            return Failure("not_modified", text)
        if any(words in lowered for words in NO_RIGHTS):
            return Failure("forbidden", text)
        return Failure("fail", text)
    if "ConnectError" in text or isinstance(exc, ConnectionError):  # refused, unknown host, no route
        return Failure("retry", f"{text} (no connection to the Bot API at TELEGRAM_API_URL: check its "
                                "address and this host's network; Telegram itself may be down)")
    return Failure("retry", text)


_GONE = ("message to edit not found", "message to pin not found", "message_id_invalid",
         "message to delete not found")
# The message exists but the bot may not edit it (tdlib's can_edit_message: a channel post once
# the bot lost its rights to it, a message type that cannot be edited): it is not gone, and a
# reply to it still reaches the chat. Telegram's own wording and its MTProto errors.
_UNEDITABLE = ("message can't be edited", "message_edit_time_expired", "message_author_required")
_NO_PIN = ("not enough rights", "have no rights", "chat_admin_required", "can't pin", "rights to pin",
           "rights to manage pinned")


def message_gone(exc: BaseException) -> bool:
    """The message to edit or pin no longer exists (deleted in the chat)."""
    return isinstance(exc, BadRequest) and any(g in str(exc).lower() for g in _GONE)


def edit_refused(exc: BaseException) -> bool:
    """Telegram refused to edit a message that is still in the chat."""
    return isinstance(exc, BadRequest) and any(g in str(exc).lower() for g in _UNEDITABLE)


# Telegram's wordings of a reply to a message that is gone, over the Bot API's versions
_REPLY_GONE = ("message to be replied not found", "replied message not found", "reply message not found")


def reply_gone(exc: BaseException) -> bool:
    """The message to reply to no longer exists (deleted in the chat)."""
    return isinstance(exc, BadRequest) and any(g in str(exc).lower() for g in _REPLY_GONE)


# A group may let its members (the bot, when no administrator) send text but no media: only the
# photo is refused, and the channel's text alerts still go out. Telegram's wording, over the
# Bot API's versions, and its MTProto errors.
_NO_PHOTOS = ("rights to send photos", "rights to send media", "chat_send_photos_forbidden",
              "chat_send_media_forbidden")


def photo_refused(exc: BaseException) -> bool:
    """The chat takes the bot's text but no photo from it (a group's media permission)."""
    return isinstance(exc, BadRequest) and any(g in str(exc).lower() for g in _NO_PHOTOS)


def pin_refused(exc: BaseException) -> bool:
    """The bot may not pin in this chat (not an administrator with the right to pin)."""
    return isinstance(exc, BadRequest) and any(g in str(exc).lower() for g in _NO_PIN)


def chat_ref(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


CONNECT_FLOOR = 5.0  # seconds


class _Request(HTTPXRequest):
    """HTTPXRequest whose answers that are not JSON are not logged: Telegram's outages answer
    502 with its front server's HTML page, which python-telegram-bot logged as an ERROR with a
    traceback and the page at every failed call (15 lines a send, every 30 s a channel, and each
    long poll of the admin chat). The error raised still says it (`classify_error`: NOT_JSON)."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise TelegramError("Invalid server response") from None
        return data


class TelegramSender:
    """One PTB Bot for the process; `send`/`edit` return the message id or raise TelegramError."""

    def __init__(
        self, token: str, api_url: str, *, timeout: float = 15.0, proxy: str | None = None
    ) -> None:
        # `proxy` is the one core.proxy chose (Runtime.telegram_proxy); httpx does not read the
        # environment again, where it sent a loopback API's calls, token and all, to HTTP_PROXY
        # and failed at start on an ALL_PROXY=socks5:// it could not use.
        # A refused connection fails at once whatever the timeout; only a slow
        # handshake waits for it. Connects get at least 5 s so that a short
        # answer timeout never turns a busy host's slow handshake into an outage.
        # The admin chat's getUpdates has a client of its own (python-telegram-bot keeps the long
        # poll apart): made here the same way, it had PTB's default, which read HTTP_PROXY itself
        # and knew nothing of TELEGRAM_PROXY.
        def request(pool: int) -> HTTPXRequest:
            return _Request(
                connection_pool_size=pool, read_timeout=timeout, write_timeout=timeout,
                connect_timeout=min(max(timeout, CONNECT_FLOOR), 10.0), pool_timeout=timeout,
                proxy=proxy, httpx_kwargs={"trust_env": False, "verify": client_context()},
            )

        # PTB 22.2+ reads a 429's `retry_after` as a timedelta when this is set, and warns at every
        # RetryAfter it builds otherwise (PTBDeprecationWarning: 18 a run of the tests); an
        # operator's own setting stands. `_seconds` takes either form.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        self.token = token
        self._updates = request(1)
        self.bot = telegram.Bot(token, base_url=f"{api_url.rstrip('/')}/bot", request=request(16),
                                get_updates_request=self._updates)
        self._ready = False

    async def start(self) -> None:
        # Bot.initialize() would also call getMe and fail during an outage; the
        # transport is all we need.
        if not self._ready:
            await self.bot.request.initialize()
            await self._updates.initialize()  # a client again after a close
            self._ready = True

    async def close(self) -> None:
        await self.bot.request.shutdown()  # each a no-op when its client is closed already
        await self._updates.shutdown()
        self._ready = False

    async def send(
        self, chat_id: str, text: str, *, html: bool, preview: bool, reply_to: int | None = None
    ) -> int:
        await self.start()
        msg = await self.bot.send_message(
            chat_ref(chat_id), text, parse_mode="HTML" if html else None,
            link_preview_options=LinkPreviewOptions(is_disabled=not preview),
            # a reply whose message was deleted fails (reply_gone): the caller tells the story whole
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=False) if reply_to else None,
        )
        return int(msg.message_id)

    async def send_photo(self, chat_id: str, photo: bytes, caption: str) -> int:
        """An uploaded photo with a plain-text caption (at most 1,024 characters)."""
        await self.start()
        msg = await self.bot.send_photo(chat_ref(chat_id), photo=photo, caption=caption)
        return int(msg.message_id)

    async def pin(self, chat_id: str, message_id: int) -> None:
        """Pin without notifying the members (a pinned message's own alert is noise)."""
        await self.start()
        await self.bot.pin_chat_message(chat_ref(chat_id), message_id, disable_notification=True)

    async def edit(self, chat_id: str, message_id: int, text: str, *, html: bool, preview: bool) -> None:
        await self.start()
        await self.bot.edit_message_text(
            text, chat_id=chat_ref(chat_id), message_id=message_id,
            parse_mode="HTML" if html else None,
            link_preview_options=LinkPreviewOptions(is_disabled=not preview),
        )


def sender_for(runtime: Runtime, *, timeout: float) -> tuple[TelegramSender | None, tuple[str, ...]]:
    """The sender for the configured Bot API (None without a token) and the secrets every error
    text it leads to is redacted of."""
    if not runtime.bot_token:
        return None, ()
    sender = TelegramSender(
        runtime.bot_token, runtime.telegram_api_url, timeout=timeout, proxy=runtime.telegram_proxy,
    )
    return sender, (runtime.bot_token,)
