"""A Telegram Bot API emulator on loopback, for tests, the demo and soak runs.

It runs a stdlib `ThreadingHTTPServer` in a daemon thread, so it serves any
client (python-telegram-bot, httpx, curl) and works from sync and async code:

    with BotApiEmulator() as emu:          # or: async with BotApiEmulator() as emu
        runtime = Runtime(..., telegram_api_url=emu.api_url, bot_token="123:abc")
        ...
        emu.messages("@prisoners")         # every accepted message, in order

Where it matters it behaves like Telegram: HTML parse mode is validated
(`devtools.tghtml`), a message keeps at most 100 formatting entities (the rest are
dropped without an error; `EmulatedMessage.entities`, `links()`) and links of at most 8 KB
together (ENTITIES_TOO_LONG), text is limited to 4096 UTF-16 code units after entity
parsing, flood limits answer 429 with `retry_after`, and faults can be injected:
`fail_next(n, kind)`, `set_down(True)`, `forbid(chat)`, `revoke_rights(chat)` (400: the bot
may not post), `migrate(chat, new_id)`,
`forbid_pin(chat)` (pinChatMessage refused), `forbid_photos(chat)` (sendPhoto refused, text
taken), `delete_message(chat, id)` (as an admin deletes),
`freeze_message(chat, id)` (its edits refused: "message can't be edited").
A bot's command menus (setMyCommands, getMyCommands, deleteMyCommands) are kept per scope and
language and checked as Telegram checks them (`commands(chat)`; BOT_COMMAND_INVALID,
BOT_COMMAND_DESCRIPTION_INVALID, BOT_COMMANDS_TOO_MUCH).
Incoming messages for a bot that long-polls `getUpdates` are injected with
`inject_message(chat_id, text)`. All controls are thread-safe.
"""

from __future__ import annotations

import json
import math
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from alerts.render import MAX_TEXT, tg_len
from devtools.tghtml import MAX_ENTITIES, TelegramHTMLError, parse_entities, too_long

FAULTS = ("500", "502", "503", "502html", "timeout", "drop", "400", "403", "429")
# what api.telegram.org's nginx answers while the Bot API behind it is down: an HTML page, no JSON
NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
             "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
             "</body>\r\n</html>\r\n")
BOT_USER = {
    "id": 7000000001, "is_bot": True, "first_name": "Monitor Emulator",
    "username": "monitor_emulator_bot", "can_join_groups": True,
    "can_read_all_group_messages": False, "supports_inline_queries": False,
}


@dataclass
class EmulatedMessage:
    chat_id: str
    message_id: int
    text: str  # as Telegram shows it (entities parsed)
    raw: str  # as sent
    parse_mode: str | None
    reply_to: int | None = None
    disable_preview: bool | None = None
    edits: list[str] = field(default_factory=list)  # earlier texts, oldest first
    date: int = 0
    photo: bytes | None = None  # sendPhoto: the uploaded file (text is then the caption)
    entities: list[dict[str, Any]] = field(default_factory=list)  # as kept: at most 100 (tghtml)

    def links(self) -> list[str]:
        """The URLs of the message's links, as a reader can tap them."""
        return [e["url"] for e in self.entities if e["type"] == "text_link"]


@dataclass(frozen=True)
class RequestRecord:
    method: str
    chat_id: str | None
    status: int
    description: str = ""


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


NO_RIGHTS = "Bad Request: need administrator rights in the channel chat"  # revoke_rights
UNEDITABLE = "Bad Request: message can't be edited"  # freeze_message
NO_PHOTOS = "Bad Request: not enough rights to send photos to the chat"  # forbid_photos


class BotApiEmulator:
    """See the module docstring. `token=None` accepts any token."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, token: str | None = None,
        hang_seconds: float = 2.0, retry_after: int = 3,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after  # what an injected 429 asks for
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._messages: dict[str, list[EmulatedMessage]] = {}
        self._next_id: dict[str, int] = {}
        self._faults: deque[tuple[str, str | None]] = deque()
        self._down: str | None = None
        self._forbidden: set[str] = set()
        self._no_rights: dict[str, str] = {}  # chat -> the 400's description (revoke_rights)
        self._no_pin: set[str] = set()  # chats where the bot may not pin (forbid_pin)
        self._no_photos: set[str] = set()  # chats where the bot may not send photos (forbid_photos)
        self._frozen: set[tuple[str, int]] = set()  # messages whose edits are refused (freeze_message)
        self._pinned: dict[str, int] = {}
        self._migrated: dict[str, int] = {}
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}  # (scope, language) -> menu
        self._per_chat: int | None = None
        self._per_second: int | None = None
        self._window = 60.0
        self._chat_times: dict[str, deque[float]] = {}
        self._global_times: deque[float] = deque()
        self.requests: list[RequestRecord] = []
        self._updates: list[dict[str, Any]] = []  # not yet confirmed by a getUpdates offset
        self._next_update_id = _first_update_id()
        self._incoming: dict[tuple[str, int], dict[str, Any]] = {}  # injected, by (chat, id)
        self._update_ready = threading.Condition(self._lock)
        self._stopping = False

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> BotApiEmulator:
        self._stopping = False
        handler = type("Handler", (_Handler,), {"emulator": self})
        server = _Server((self.host, self.port), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="bot-api-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:  # release long-polling getUpdates at once
            self._stopping = True
            self._update_ready.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> BotApiEmulator:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """The root to put in TELEGRAM_API_URL (calls go to {api_url}/bot{token}/{method})."""
        return f"http://{self.host}:{self.port}"

    # -- controls --------------------------------------------------------------------

    def fail_next(self, n: int = 1, kind: str = "500", chat_id: str | int | None = None) -> None:
        """The next `n` API calls (for `chat_id` only, if given) fail with `kind`.

        Kinds: 500/502/503 (server error), 502html (a 502 whose body is the HTML page of the proxy in
        front, `NGINX_502`, as Telegram's outages answer), timeout (no answer for `hang_seconds`, then the
        connection is closed), drop (connection closed without an answer), 400 (a Bad Request the
        client cannot mend: the message fails for good), 403, 429.
        """
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULTS)}")
        with self._lock:
            self._faults.extend([(kind, None if chat_id is None else str(chat_id))] * n)

    def set_down(self, down: bool, mode: str = "drop") -> None:
        """While down every request is answered with `mode` (drop, timeout, 500, 502, 503, 502html)."""
        with self._lock:
            self._down = mode if down else None

    def rate_limit(
        self, per_chat_per_minute: int | None = 20, global_per_second: int | None = 30,
        *, window: float = 60.0,
    ) -> None:
        """Flood limits: `per_chat_per_minute` per `window` seconds per chat, and per second overall."""
        with self._lock:
            self._per_chat, self._per_second, self._window = per_chat_per_minute, global_per_second, window
            self._chat_times.clear()
            self._global_times.clear()

    def forbid(self, chat_id: str | int, forbidden: bool = True) -> None:
        with self._lock:
            (self._forbidden.add if forbidden else self._forbidden.discard)(str(chat_id))

    def revoke_rights(self, chat_id: str | int, revoked: bool = True, *, description: str = NO_RIGHTS) -> None:
        """Calls in this chat answer 400 `description`, as when an admin takes the bot's
        "Post Messages" right (the bot stays a member, so it is no 403)."""
        with self._lock:
            if revoked:
                self._no_rights[str(chat_id)] = description
            else:
                self._no_rights.pop(str(chat_id), None)

    def forbid_pin(self, chat_id: str | int, forbidden: bool = True) -> None:
        """pinChatMessage in this chat fails as when the bot lacks the right to pin."""
        with self._lock:
            (self._no_pin.add if forbidden else self._no_pin.discard)(str(chat_id))

    def forbid_photos(self, chat_id: str | int, forbidden: bool = True) -> None:
        """sendPhoto in this chat answers 400 "not enough rights to send photos to the chat", as
        Telegram does in a group whose members (the bot among them) may send text but no media;
        sendMessage is taken as before."""
        with self._lock:
            (self._no_photos.add if forbidden else self._no_photos.discard)(str(chat_id))

    def freeze_message(self, chat_id: str | int, message_id: int, frozen: bool = True) -> None:
        """editMessageText of this message answers 400 "message can't be edited", as Telegram
        does for a message that exists but that the bot may not edit (a channel post once the
        bot lost its rights to it, a message type that cannot be edited); it stays in the chat."""
        with self._lock:
            (self._frozen.add if frozen else self._frozen.discard)((str(chat_id), int(message_id)))

    def pinned(self, chat_id: str | int) -> int | None:
        """The id of the chat's pinned message, if any."""
        with self._lock:
            return self._pinned.get(str(chat_id))

    def commands(self, chat_id: str | int | None = None, *, scope: str | None = None,
                 language_code: str = "") -> list[tuple[str, str]]:
        """The (command, description) pairs setMyCommands registered for exactly that scope:
        `chat` for a chat_id, else `default` (or the `scope` type given); [] when none."""
        kind = scope or ("chat" if chat_id is not None else "default")
        key = _scope_key({"type": kind, **({"chat_id": chat_id} if chat_id is not None else {})})
        with self._lock:
            return [(c["command"], c["description"]) for c in self._commands.get((key, language_code), [])]

    def command_scopes(self) -> list[str]:
        """Every scope holding a menu, as `chat:4242`, `default`, `chat_member:-100:7`."""
        with self._lock:
            return sorted({key for key, _ in self._commands})

    def delete_message(self, chat_id: str | int, message_id: int) -> bool:
        """Delete a message as a chat's administrator would (unpinned with it); False if absent."""
        with self._lock:
            return self._delete(str(chat_id), int(message_id))

    def _delete(self, chat_id: str, message_id: int) -> bool:
        chat = self._messages.get(chat_id, [])
        kept = [m for m in chat if m.message_id != message_id]
        if len(kept) == len(chat):
            return False
        self._messages[chat_id] = kept
        if self._pinned.get(chat_id) == message_id:
            del self._pinned[chat_id]
        return True

    def migrate(self, chat_id: str | int, new_id: int) -> None:
        with self._lock:
            self._migrated[str(chat_id)] = int(new_id)

    def inject_message(
        self, chat_id: int, text: str, from_id: int | None = None, *, username: str | None = None,
        reply_to: int | None = None, forward_of: tuple[str | int, int] | None = None,
    ) -> int:
        """Queue an incoming message (as a user wrote it in `chat_id`); return its update_id.

        `reply_to`: the id of a message in `chat_id` (one injected earlier or one the bot
        sent) that this message replies to. `forward_of`: (chat, message id) of a message
        the bot sent elsewhere, forwarded here: its text, with `forward_origin`.
        Message ids are counted per chat, shared with the bot's own messages, as in Telegram.
        """
        global _last_update_id
        if from_id is None:  # in a private chat, the chat's id is its user's id
            from_id = chat_id if chat_id > 0 else 1
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            _last_update_id = max(_last_update_id, update_id)
            key = str(chat_id)
            self._next_id[key] = self._next_id.get(key, 0) + 1
            sender: dict[str, Any] = {"id": from_id, "is_bot": False, "first_name": f"User {from_id}"}
            if username:
                sender["username"] = username
            message: dict[str, Any] = {
                "message_id": self._next_id[key], "date": int(time.time()),
                "chat": _incoming_chat(chat_id), "text": text, "from": sender,
            }
            if forward_of is not None:
                src = self._find_message(str(forward_of[0]), int(forward_of[1]))
                if src is None:
                    raise ValueError(f"no message {forward_of[1]} in chat {forward_of[0]} to forward")
                message["text"] = src["text"]
                message["forward_origin"] = {
                    "type": "channel", "chat": src["chat"], "message_id": src["message_id"],
                    "date": src["date"],
                }
            if reply_to is not None:
                replied = self._find_message(key, reply_to)
                if replied is None:
                    raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
                message["reply_to_message"] = replied
            self._incoming[(key, message["message_id"])] = message
            command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
            if len(command) > 1:
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": tg_len(command)}]
            self._updates.append({"update_id": update_id, "message": message})
            self._update_ready.notify_all()
            return update_id

    def _find_message(self, chat_id: str, message_id: int) -> dict[str, Any] | None:
        """A message of `chat_id` as the Bot API shows it: injected, or sent by the bot."""
        if (chat_id, message_id) in self._incoming:
            return json.loads(json.dumps(self._incoming[(chat_id, message_id)]))
        sent = next((m for m in self._messages.get(chat_id, []) if m.message_id == message_id), None)
        if sent is None:
            return None
        return {**self._message_json(sent), "from": dict(BOT_USER)}

    def last_message_id(self, chat_id: str | int) -> int:
        """The id of the newest message in `chat_id` (injected or sent by the bot); 0 if none."""
        with self._lock:
            return self._next_id.get(str(chat_id), 0)

    def messages(self, chat_id: str | int) -> list[EmulatedMessage]:
        with self._lock:
            return list(self._messages.get(str(chat_id), []))

    def all_messages(self) -> dict[str, list[EmulatedMessage]]:
        with self._lock:
            return {k: list(v) for k, v in self._messages.items()}

    def count(self, status: int, method: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.status == status and method in (None, r.method))

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._next_id.clear()
            self._pinned.clear()
            self._frozen.clear()
            self.requests.clear()
            self._faults.clear()
            self._updates.clear()
            self._incoming.clear()
            self._commands.clear()

    # -- the API ---------------------------------------------------------------------

    def _take_fault(self, chat_id: str | None) -> str | None:
        with self._lock:
            if self._down:
                return self._down
            for i, (kind, chat) in enumerate(self._faults):
                if chat is None or chat == chat_id:
                    del self._faults[i]
                    return kind
        return None

    def _record(self, method: str, chat_id: str | None, status: int, description: str = "") -> None:
        with self._lock:
            self.requests.append(RequestRecord(method, chat_id, status, description))

    def _check_chat(self, chat_id: str) -> None:
        if chat_id in self._forbidden:
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        if chat_id in self._no_rights:
            raise ApiError(400, self._no_rights[chat_id])
        if chat_id in self._migrated:
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[chat_id]},
            )

    def _check_rate(self, chat_id: str) -> None:
        now = time.monotonic()
        times = self._chat_times.setdefault(chat_id, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        while self._global_times and self._global_times[0] <= now - 1.0:
            self._global_times.popleft()
        wait = 0.0
        if self._per_chat is not None and len(times) >= self._per_chat:
            wait = times[0] + self._window - now
        if self._per_second is not None and len(self._global_times) >= self._per_second:
            wait = max(wait, self._global_times[0] + 1.0 - now)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        times.append(now)
        self._global_times.append(now)

    def _text(self, params: dict[str, Any]) -> tuple[str, str, str | None, list[dict[str, Any]]]:
        raw = str(params.get("text") or "")
        mode = params.get("parse_mode")
        entities: list[dict[str, Any]] = []
        if mode and str(mode).lower() == "html":
            shown, entities = _parse(raw)
        elif mode:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {mode!r} in this emulator")
        else:
            shown = raw
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if tg_len(shown) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return raw, shown, mode, entities

    def _chat_json(self, chat_id: str) -> dict[str, Any]:
        if chat_id.lstrip("-").isdigit():
            return {"id": int(chat_id), "type": "channel", "title": f"chat {chat_id}"}
        fake = -1000000000000 - (sum(map(ord, chat_id)) * 7919) % 10**9
        return {"id": fake, "type": "channel", "title": chat_id, "username": chat_id.lstrip("@")}

    def _message_json(self, m: EmulatedMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": m.message_id, "date": m.date, "chat": self._chat_json(m.chat_id), "text": m.text,
        }
        if m.entities:
            out["entities"] = json.loads(json.dumps(m.entities))
        if m.edits:
            out["edit_date"] = int(time.time())
        return out

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Confirm updates below `offset`, then wait up to `timeout` s for one to return."""
        try:
            offset = int(params.get("offset") or 0)
            timeout = max(0.0, float(params.get("timeout") or 0))
            limit = min(100, max(1, int(params.get("limit") or 100)))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid getUpdates parameters") from None
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._update_ready.wait(left)
            return [json.loads(json.dumps(u)) for u in self._updates[:limit]]

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """Apply one API call (after faults); return its `result` or raise ApiError."""
        if method == "getMe":
            return BOT_USER
        if method == "deleteWebhook":
            return True
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "getChat":
            return self._get_chat(str(params.get("chat_id") or ""))
        if method in ("setMyCommands", "getMyCommands", "deleteMyCommands"):
            return self._my_commands(method, params)
        if method not in ("sendMessage", "editMessageText", "sendPhoto", "pinChatMessage", "deleteMessage"):
            raise ApiError(404, "Not Found: method not found")
        chat_id = str(params.get("chat_id") or "")
        if not chat_id:
            raise ApiError(400, "Bad Request: chat_id is empty")
        return self._chat_call(method, chat_id, params)

    def _chat_call(self, method: str, chat_id: str, params: dict[str, Any]) -> Any:
        """A call that writes to one chat: send, edit, pin or delete."""
        if method == "sendPhoto":
            return self._send_photo(chat_id, params)
        if method == "pinChatMessage":
            return self._pin(chat_id, params)
        if method == "deleteMessage":
            with self._lock:
                self._check_chat(chat_id)
                if not self._delete(chat_id, int(params.get("message_id") or 0)):
                    raise ApiError(400, "Bad Request: message to delete not found")
            return True
        with self._lock:
            self._check_chat(chat_id)
            text = self._text(params)  # (as sent, as shown, parse mode, entities)
            chat = self._messages.setdefault(chat_id, [])
            preview = params.get("link_preview_options") or {}
            disable_preview = bool(preview.get("is_disabled")) if preview else params.get("disable_web_page_preview")
            if method == "sendMessage":
                return self._send_message(chat_id, chat, params, text, disable_preview)
            return self._edit_message(chat_id, chat, params, text)

    def _send_message(
        self, chat_id: str, chat: list[EmulatedMessage], params: dict[str, Any],
        text: tuple[str, str, str | None, list[dict[str, Any]]], disable_preview: Any,
    ) -> dict[str, Any]:
        """sendMessage (under the lock): the reply checked, the rate, the message added."""
        raw, shown, mode, entities = text
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        allow = reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply")
        if reply_to is not None and not any(m.message_id == int(reply_to) for m in chat) and not allow:
            raise ApiError(400, "Bad Request: message to be replied not found")
        self._check_rate(chat_id)
        self._next_id[chat_id] = self._next_id.get(chat_id, 0) + 1
        msg = EmulatedMessage(
            chat_id, self._next_id[chat_id], shown, raw, mode,
            int(reply_to) if reply_to is not None else None, disable_preview, date=int(time.time()),
            entities=entities,
        )
        chat.append(msg)
        return self._message_json(msg)

    def _edit_message(
        self, chat_id: str, chat: list[EmulatedMessage], params: dict[str, Any],
        text: tuple[str, str, str | None, list[dict[str, Any]]],
    ) -> dict[str, Any]:
        """editMessageText (under the lock): the message found, editable and changed; the rate."""
        raw, shown, mode, entities = text
        message_id = int(params.get("message_id") or 0)
        msg = next((m for m in chat if m.message_id == message_id), None)
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if (chat_id, message_id) in self._frozen:
            raise ApiError(400, UNEDITABLE)
        if msg.raw == raw and msg.parse_mode == mode:
            raise ApiError(
                400, "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of the message",
            )
        self._check_rate(chat_id)
        msg.edits.append(msg.text)
        msg.text, msg.raw, msg.parse_mode, msg.entities = shown, raw, mode, entities
        return self._message_json(msg)

    def _get_chat(self, chat_id: str) -> dict[str, Any]:
        """getChat: a ChatFullInfo; a migrated group answers as every call naming it does."""
        with self._lock:
            self._check_chat(chat_id)
        info = self._chat_json(chat_id)
        if chat_id.lstrip("-").isdigit():
            info = _incoming_chat(int(chat_id))
        gifts = {k: False for k in (
            "unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels")}
        return {**info, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    def _my_commands(self, method: str, params: dict[str, Any]) -> Any:
        """setMyCommands, getMyCommands and deleteMyCommands, one menu per scope and language as
        Telegram keeps them: getMyCommands gives exactly that scope's ([] when none), a chat's
        scope answers as every call naming the chat does (`forbid`, `migrate`)."""
        scope = params.get("scope") or {"type": "default"}
        language = str(params.get("language_code") or "")
        if not isinstance(scope, dict):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        if language and not (len(language) == 2 and language.isascii() and language.isalpha()):
            raise ApiError(400, "Bad Request: LANG_CODE_INVALID")
        key = (_scope_key(scope), language)
        commands = _valid_commands(params.get("commands")) if method == "setMyCommands" else []
        with self._lock:
            if "chat_id" in scope:
                self._check_chat(str(scope["chat_id"]))
            if method == "getMyCommands":
                return [dict(c) for c in self._commands.get(key, [])]
            if commands:
                self._commands[key] = commands
            else:  # deleteMyCommands, or an empty list set
                self._commands.pop(key, None)
            return True

    def _send_photo(self, chat_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """sendPhoto with Telegram's limits: an uploaded photo of at most 10 MB, a caption of
        at most 1,024 characters (after entity parsing)."""
        photo = params.get("photo")
        if isinstance(photo, str):
            photo = photo.encode()  # a file_id or URL: kept as given
        if not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if len(photo) > PHOTO_MAX_BYTES:
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS or file too big (photo > 10 MB)")
        raw, mode = str(params.get("caption") or ""), params.get("parse_mode")
        shown, entities = raw, []
        if raw and mode and str(mode).lower() == "html":
            shown, entities = _parse(raw)
        if tg_len(shown) > CAPTION_MAX:
            raise ApiError(400, "Bad Request: message caption is too long")
        with self._lock:
            self._check_chat(chat_id)
            if chat_id in self._no_photos:
                raise ApiError(400, NO_PHOTOS)
            self._check_rate(chat_id)
            self._next_id[chat_id] = self._next_id.get(chat_id, 0) + 1
            msg = EmulatedMessage(chat_id, self._next_id[chat_id], shown, raw, mode,
                                  date=int(time.time()), photo=bytes(photo), entities=entities)
            self._messages.setdefault(chat_id, []).append(msg)
            out = self._message_json(msg)
        out.pop("text", None)
        if "entities" in out:
            out["caption_entities"] = out.pop("entities")
        out["caption"] = shown
        out["photo"] = [{"file_id": f"photo-{chat_id}-{msg.message_id}", "file_unique_id":
                         f"u{msg.message_id}", "width": 1280, "height": 1280, "file_size": len(photo)}]
        return out

    def _pin(self, chat_id: str, params: dict[str, Any]) -> bool:
        """pinChatMessage: the message must exist; a chat set by `forbid_pin` refuses."""
        message_id = int(params.get("message_id") or 0)
        with self._lock:
            self._check_chat(chat_id)
            if chat_id in self._no_pin:
                raise ApiError(400, "Bad Request: not enough rights to manage pinned messages in the chat")
            if not any(m.message_id == message_id for m in self._messages.get(chat_id, [])):
                raise ApiError(400, "Bad Request: message to pin not found")
            self._pinned[chat_id] = message_id
        return True


PHOTO_MAX_BYTES = 10 * 1024 * 1024
CAPTION_MAX = 1024
_JSON_FIELDS = {"reply_parameters", "link_preview_options", "reply_markup", "entities", "allowed_updates",
                "commands", "scope"}
MAX_COMMANDS = 100  # setMyCommands: at most 100 commands in a menu
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")  # BotCommand.command: 1-32 of a-z, 0-9 and _
DESCRIPTION_MAX = 256  # BotCommand.description: 1-256 characters
_SCOPES = {  # BotCommandScope types and the fields each needs
    "default": (), "all_private_chats": (), "all_group_chats": (), "all_chat_administrators": (),
    "chat": ("chat_id",), "chat_administrators": ("chat_id",), "chat_member": ("chat_id", "user_id"),
}


def _scope_key(scope: dict[str, Any]) -> str:
    """`default`, `chat:4242`, `chat_member:-100123:7`: a scope as the emulator files its menu."""
    kind = str(scope.get("type") or "")
    if kind not in _SCOPES:
        raise ApiError(400, "Bad Request: unsupported bot command scope type")
    fields = _SCOPES[kind]
    if missing := [f for f in fields if scope.get(f) in (None, "")]:
        raise ApiError(400, f"Bad Request: {missing[0]} is empty")
    return ":".join([kind, *(str(scope[f]) for f in fields)])


def _valid_commands(commands: Any) -> list[dict[str, str]]:
    """setMyCommands' `commands` as Telegram checks them: a list of at most 100, each command's
    name 1-32 of a-z, 0-9 and _ (BOT_COMMAND_INVALID: "Status", "/status", "tally-now"), its
    description 1-256 characters (BOT_COMMAND_DESCRIPTION_INVALID)."""
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: parameter \"commands\" is required")
    if len(commands) > MAX_COMMANDS:
        raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
    out: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict) or not isinstance(command.get("command"), str) \
                or not isinstance(command.get("description"), str):
            raise ApiError(400, "Bad Request: can't parse BotCommand")
        if not COMMAND_NAME.fullmatch(command["command"]):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not command["description"].strip() or len(command["description"]) > DESCRIPTION_MAX:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        out.append({"command": command["command"], "description": command["description"]})
    return out


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone before its answer (the service stopped during a long-polling
        getUpdates) is ordinary; the default printed a BrokenPipeError traceback in the
        operator's terminal at every stop of `monitor run`. Anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


_last_update_id = 0  # the highest update id an emulator of this process gave


def _first_update_id() -> int:
    """A new emulator's first update id: the clock in milliseconds, past any id an emulator of
    this process gave. Telegram never gives a bot's update id twice, and the service skips an id
    it answered in the last two days (alerts/admin.py): a restarted emulator that began again at
    the same number had every command of the operator's ignored as "answered already"."""
    return max(time.time_ns() // 1_000_000, _last_update_id + 1)


def _parse(raw: str) -> tuple[str, list[dict[str, Any]]]:
    """HTML parse mode: the text shown and the entities kept, or the 400 Telegram answers."""
    try:
        shown, entities = parse_entities(raw, limit=None)
    except TelegramHTMLError as exc:
        raise ApiError(400, f"Bad Request: {exc}") from None
    if too_long(entities):
        raise ApiError(400, "Bad Request: ENTITIES_TOO_LONG")
    return shown, entities[:MAX_ENTITIES]


def _chat_of(params: dict[str, Any]) -> str | None:
    """The chat a call names: its chat_id, or its command scope's (setMyCommands), so that
    `fail_next(chat_id=…)` and `requests` see a menu's chat as a message's."""
    scope = params.get("scope")
    chat = params.get("chat_id")
    if chat is None and isinstance(scope, dict):
        chat = scope.get("chat_id")
    return None if chat is None else str(chat)


def _incoming_chat(chat_id: int) -> dict[str, Any]:
    """The `chat` of an injected message: private for a positive id, else a (super)group."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"chat {chat_id}"}


def _decode_params(content_type: str, body: bytes) -> dict[str, Any]:
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        data = json.loads(body or b"{}")
        return data if isinstance(data, dict) else {}
    if ctype == "multipart/form-data":
        msg = BytesParser(policy=HTTP_POLICY).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        raw = {  # a file stays bytes; a field is UTF-8 (as Telegram reads it), whatever its charset says
            part.get_param("name", header="content-disposition"): (
                part.get_payload(decode=True) if part.get_filename()
                else part.get_payload(decode=True).decode("utf-8", "replace"))
            for part in msg.iter_parts()
        }
    else:
        raw = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _JSON_FIELDS or value in ("true", "false"):
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out


class _Handler(BaseHTTPRequestHandler):
    emulator: BotApiEmulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet; the URL carries the token

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._serve()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._serve()

    def _serve(self) -> None:
        emu = self.emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = parts[0][3:], parts[1]
        try:
            params = _decode_params(self.headers.get("Content-Type", ""), body)
        except (ValueError, UnicodeDecodeError):
            self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: invalid body"})
            return
        chat_id = _chat_of(params)
        fault = emu._take_fault(chat_id)
        if fault:
            emu._record(method, chat_id, 0 if fault in ("drop", "timeout") else int(fault[:3]), fault)
            self._fault(fault)
            return
        if emu.token is not None and token != emu.token:
            emu._record(method, chat_id, 401, "Unauthorized")
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            result = emu.call(method, params)
        except ApiError as exc:
            emu._record(method, chat_id, exc.status, exc.description)
            payload: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
            self._reply(exc.status, payload)
            return
        emu._record(method, chat_id, 200)
        self._reply(200, {"ok": True, "result": result})

    def _fault(self, kind: str) -> None:
        if kind == "timeout":
            time.sleep(self.emulator.hang_seconds)
            self.close_connection = True
        elif kind == "drop":
            self.close_connection = True
        elif kind == "502html":
            body = NGINX_502.encode()
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif kind == "400":
            self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: injected by fail_next"})
        elif kind == "403":
            self._reply(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was kicked from the channel chat"})
        elif kind == "429":
            n = self.emulator.retry_after
            self._reply(429, {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {n}", "parameters": {"retry_after": n}})
        else:
            self._reply(int(kind), {"ok": False, "error_code": int(kind), "description": "Internal Server Error"})

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _print_new(emulator: BotApiEmulator, seen: dict[tuple[str, int], int], out: Any) -> None:
    """One line per message accepted, and per edit of one, since the last call."""
    for chat, msgs in emulator.all_messages().items():
        for m in msgs:
            edits = len(m.edits)
            before = seen.get((chat, m.message_id))
            if before == edits:
                continue
            what = "message" if before is None else "edited"
            reply = f" (reply to {m.reply_to})" if m.reply_to else ""
            text = m.text.replace("\n", " | ")
            print(f"{what} {chat} #{m.message_id}{reply}: {text}", file=out, flush=True)
            seen[(chat, m.message_id)] = edits


def _typed_line(emulator: BotApiEmulator, chat: int, line: str, out: Any) -> None:
    """One line typed in the emulator's terminal, as the operator's message in `chat`:
    `/status`; `>N text`, a reply to message N of the chat; `fwd CHAT N`, message N of a channel
    forwarded into the chat (what `/wrong`, `/split` and `/merge` answer to)."""
    line = line.strip()
    if not line:
        return
    try:
        if line.startswith(">"):
            number, _, text = line[1:].partition(" ")
            emulator.inject_message(chat, text.strip(), reply_to=int(number))
        elif line.split(maxsplit=1)[0] == "fwd":
            words = line.split()
            if len(words) != 3:
                raise ValueError("fwd takes a chat and a message number: fwd @presos 5")
            emulator.inject_message(chat, "", forward_of=(words[1], int(words[2])))
        else:
            emulator.inject_message(chat, line)
    except ValueError as exc:  # no such message, or a number that is none
        print(f"not sent: {exc} (write /command, >N text to reply to message N, fwd CHAT N)",
              file=out, flush=True)
        return
    print(f"you {chat} #{emulator.last_message_id(chat)}: {line}", file=out, flush=True)


def _read_typed_lines(emulator: BotApiEmulator, chat: int, out: Any) -> None:
    for line in sys.stdin:
        _typed_line(emulator, chat, line, out)


def main(argv: list[str] | None = None) -> int:
    """Serve the Bot API on loopback until interrupted: the API root (for TELEGRAM_API_URL) on
    the first line, then one line per message the service sends or edits."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="python -m devtools.emulator",
        description="A Telegram Bot API emulator on 127.0.0.1, to try the monitor without Telegram: "
                    "TELEGRAM_API_URL=<the printed root> TELEGRAM_BOT_TOKEN=<any 123:abc> monitor run",
    )
    parser.add_argument("--port", type=int, default=8081, help="port on 127.0.0.1 (default 8081; 0: any free one)")
    parser.add_argument("--token", help="the only bot token accepted (default: any)")
    parser.add_argument("--chat", type=int, metavar="ID",
                        help="the operator's chat (the config's settings.admin_chat_id): each line "
                             "typed here is sent from it, `>N text` replies to its message N, "
                             "`fwd CHAT N` forwards message N of a channel into it")
    args = parser.parse_args(argv)
    try:
        emulator = BotApiEmulator(port=args.port, token=args.token).start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}; "
              "choose another with --port", file=sys.stderr)
        return 1
    print(emulator.api_url, flush=True)
    if args.chat is not None:
        threading.Thread(target=_read_typed_lines, args=(emulator, args.chat, sys.stdout),
                         name="typed-lines", daemon=True).start()
    seen: dict[tuple[str, int], int] = {}
    try:
        while True:
            time.sleep(0.2)
            _print_new(emulator, seen, sys.stdout)
    except KeyboardInterrupt:
        return 0
    finally:
        emulator.stop()


if __name__ == "__main__":
    raise SystemExit(main())
