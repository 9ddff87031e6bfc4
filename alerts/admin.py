"""The operator chat: commands from `settings.admin_chat_id`, and one-off problem reports.

`AdminBot.run` long-polls getUpdates through python-telegram-bot and answers
/status, /queue, /pause, /resume, /test and /help, but only in the admin chat (a
numeric id) and only from the operators (`Settings.operator_ids`: admin_user_ids, and
the user of a private admin chat); anything else is dropped without a reply. `notify_problems`
tells that chat once about a feed that keeps failing and about a disabled
channel; the `Feed.failure_reported` / `Channel.disabled_reported` flags make it
once (ingestion clears the first on a good poll, delivery the second when it
disables a channel again). A group admin chat that Telegram upgraded to a supergroup (a new id) is
followed there, from getChat at start or a refused message (`_follow`).

Nothing is persisted but those flags, the test alerts and one claim per update: the
getUpdates offset lives in memory and is confirmed to Telegram with the next getUpdates, so a
leader killed before confirming leaves its last updates to the next leader
(monitor/replicas.py), which would answer them again. Each update id is therefore claimed in
the database before it is answered (`leases`, `update:<id>`: held for UPDATE_WORK, renewed
while it is answered, then marked done and kept two days, as Telegram keeps unconfirmed updates one). An
update marked done is skipped; one whose claim is held by another process is tried again
later, and answered once that claim ended unfinished (its holder died mid-answer). A command
is answered twice only if its holder dies between Telegram's acceptance of the answer and
the mark (milliseconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import OperationalError
from telegram import Chat, Update
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TimedOut

from alerts.admin_feedback import COMMANDS as FEEDBACK_COMMANDS
from alerts.admin_feedback import MENU as FEEDBACK_MENU
from alerts.admin_feedback import FeedbackCommands, WatchedIndex
from alerts.admin_menu import Command, CommandMenu, help_text
from alerts.catch_up import catch_up_notices
from alerts.digest import roundup_fold_notices
from alerts.feed_limits import fold_notices, mark_notified
from alerts.render import MAX_TEXT, clean, clock_time, esc, shorten, tg_len, without_controls
from alerts.telegram import classify_error, sender_for, told
from core.config import AppConfig, ChannelConfig, Runtime
from core.durations import ago
from core.logs import redact
from core.text import counted
from storage.alerts import (
    channel_named,
    disabled_channels,
    enable_channel,
    mark_channel_reported,
    queue_summary,
    queued_count,
    unreported_disabled_channels,
)
from storage.db import Database, refusal
from storage.feeds import feed_health, mark_feed_reported, unreported_failing_feeds
from storage.leases import claim_work, finish_work, take, update_lease
from storage.models import Alert

log = logging.getLogger("alerts.admin")

MENU = (  # one table for /help and the chat's command menu (alerts/admin_menu.py)
    Command("status", "feeds in short"),
    Command("queue", "alerts waiting per channel"),
    Command("pause", "stop polling a feed", "NAME"),
    Command("resume", "poll it again", "NAME"),
    Command("test", "send a test alert to a channel", "CHANNEL"),
    Command("tally", "the figures now, who states them, and their chart"),
    Command("enable", "send again to a channel disabled after Telegram refused it", "CHANNEL"),
    *FEEDBACK_MENU,
    Command("help", "this list"),
)
HELP = help_text(MENU)
# they change stories and the story index, or (/wrong) what the outbox queues for a story
STORY_COMMANDS = frozenset({"split", "merge", "wrong"})
ERROR_WIDTH = 120  # characters of a feed's last error shown in /status
UPDATE_DONE = timedelta(days=2)  # an answered update's mark outlives Telegram's day of keeping it
UPDATE_WORK = timedelta(seconds=20)  # an update's claim while it is answered; then free again
SEND_TRIES = 3  # a message to the admin chat refused by flood control (429) or a 5xx is tried this often
WAITING_LOOK_EVERY = 1.0  # seconds between looks while an update waits for its claim (Telegram keeps it)
FOLDED_FEEDS = 3  # failing feeds newly told in one look beyond this are one message (`_messages`)


class AdminControls(Protocol):
    """What the operator chat may change in the running service."""

    def pause(self, name: str) -> bool: ...

    def resume(self, name: str) -> bool: ...

    def wake_delivery(self) -> None: ...


def parse_command(text: str, bot_username: str | None = None) -> tuple[str, str] | None:
    """`("pause", "elpitazo")` from "/pause elpitazo" or "/pause@bot elpitazo"; None if no command.

    A command addressed to another bot ("/status@otherbot") is not ours. Any white space ends
    the command's name: a new line ("/pause" and the name below it) as a space.
    """
    if not text.startswith("/"):
        return None
    head, *rest = text.split(maxsplit=1)
    name, _, target = head[1:].partition("@")
    if not name or (target and bot_username and target.lower() != bot_username.lower()):
        return None
    return name.lower(), " ".join(rest[0].split()) if rest else ""


def split_message(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in parts of at most `limit` UTF-16 units, cut between lines where possible."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines():
        if tg_len(line) > limit:  # a single over-long line: cut it hard
            *whole, line = _hard_cut(line, limit)
            parts += [current, *whole] if current else whole
            current = ""
        candidate = f"{current}\n{line}" if current else line
        if tg_len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    parts.append(current)
    return [p for p in parts if p.strip()]


def _hard_cut(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    start = units = 0
    for i, ch in enumerate(line):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > limit:
            pieces.append(line[start:i])
            start, units = i, 0
        units += width
    pieces.append(line[start:])
    return pieces


def render_test(channel: ChannelConfig, now: datetime, config: AppConfig) -> tuple[str, str]:
    """(html, text) of a test alert: says where it came from and that posting works."""
    when = clock_time(now, config.settings.tz)
    name = clean(channel.name)
    text = (
        f"🧪 Test alert · Alerta de prueba\n"
        f"Channel {name}, {when}.\n"
        "If you can read this, the monitor can post here."
    )
    html = (
        f"🧪 <b>Test alert · Alerta de prueba</b>\n"
        f"Channel {esc(name)}, {esc(when)}.\n"
        "If you can read this, the monitor can post here."
    )
    return html, text


class AdminBot:
    """The operator chat. `run(stop)` until stop is set; `notify_problems()` from any tick.

    Without a bot token it does nothing; without `admin_chat_id` it idles until a
    reload sets one (`update_config`).
    """

    def __init__(
        self, config: AppConfig, runtime: Runtime, db: Database, controls: AdminControls, *,
        poll_timeout: float = 10.0, failure_threshold: int = 5, request_timeout: float = 15.0,
        base_backoff: float = 1.0, max_backoff: float = 60.0, notify_every: float = 30.0,
        watched: WatchedIndex | None = None, story_lock: asyncio.Lock | None = None,
    ) -> None:
        # /people, /watch, /unwatch, /miss, /wrong (alerts/admin_feedback.py); `watched` is
        # the pipeline's live set, edited along with the database
        self.feedback = FeedbackCommands(db, config, watched)
        # held while /split or /merge change stories: the pipeline's classification lock, so that
        # the story index (alerts/stories/assign.py) is never changed by two threads at once
        self.story_lock = story_lock
        self.config = config
        self.runtime = runtime
        self.db = db
        self.controls = controls
        self.poll_timeout = max(1, round(poll_timeout))  # getUpdates takes whole seconds
        self.failure_threshold = failure_threshold
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.notify_every = notify_every
        self.sender, self._secrets = sender_for(runtime, timeout=request_timeout)
        self.menu = CommandMenu(MENU, db, self._secrets)  # the chat's command menu, from /help's table
        self._offset: int | None = None
        self._holder = f"{socket.gethostname()}:{os.getpid()}"  # who claimed an update
        self._waiting: dict[int, Update] = {}  # updates another process was answering
        self._unfinished: set[str] = set()  # updates answered whose record a lock refused
        self._ready = False  # webhook removed and our username known
        self._bot_username: str | None = None
        self._notify_lock = asyncio.Lock()
        self._unmarked: set[tuple[str, str]] = set()  # reports sent whose flag the database refused
        # set by the service when the relevance model could not be loaded; told once per process
        self.model_problem: str | None = None
        self._model_reported = False
        self._reloaded = asyncio.Event()
        self._stop: asyncio.Event | None = None  # run()'s, so a 429's wait ends at a stop
        self._moved: dict[str, str] = {}  # an admin group's id → its supergroup's (Telegram's upgrade)

    # -- lifecycle -------------------------------------------------------------------

    @property
    def admin_chat(self) -> str | None:
        """The configured admin chat, or the supergroup Telegram upgraded that group to."""
        value = self.config.settings.admin_chat_id
        chat = None if value is None or str(value).strip() == "" else str(value).strip()
        return self._moved.get(chat, chat) if chat else None

    def _follow(self, old: str, new: int | str) -> None:
        """The admin group `old` became the supergroup `new`: answer there from now on."""
        if self._moved.get(old) == str(new):
            return
        self._moved[old] = str(new)
        log.warning("operator chat: the admin group %s was upgraded to the supergroup %s, which "
                    "has a new id; answering there. Set settings.admin_chat_id: %s in feeds.yaml",
                    old, new, new)

    @property
    def enabled(self) -> bool:
        return self.sender is not None and self.admin_chat is not None

    async def start(self) -> None:
        if self.sender:
            await self.sender.start()

    async def close(self) -> None:
        if self.sender:
            await self.sender.close()

    def update_config(self, config: AppConfig) -> None:
        """Hot reload: a new admin chat, feeds and channels apply from the next update."""
        self.config = config
        self.feedback.config = config
        self.menu.retry()  # a menu Telegram refused is asked for again
        self._reloaded.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Answer the admin chat until `stop` is set; errors are logged and retried with backoff."""
        if self.sender is None:
            log.info("operator chat off: no bot token")
            return
        await self.start()
        self._stop = stop
        backoff = self.base_backoff
        last_notify = float("-inf")
        told_off = False
        try:
            while not stop.is_set():
                if not self.enabled:
                    if not told_off:  # with a token the start said nothing of it
                        log.info('operator chat off: no settings.admin_chat_id (docs/OPERATIONS.md, "Finding a chat id")')
                    told_off = True
                    await self.menu.settle(self.sender.bot, None)  # an earlier admin chat's menu deleted
                    await self._sleep(stop, 3600.0, wake_on_reload=True)
                    continue
                told_off = False  # said again if a reload removes the chat
                try:
                    await self._prepare()
                    # after _prepare, which follows an upgraded group; asks Telegram once per chat
                    await self.menu.settle(self.sender.bot, self.admin_chat)
                    if time.monotonic() - last_notify >= self.notify_every:
                        await self.notify_problems()
                        last_notify = time.monotonic()
                    for name in list(self._unfinished):  # answered, their records refused
                        await self._finish_or_later(name)
                    for item in list(self._waiting.values()):  # their claims may have ended
                        await self._handle_safely(item)
                    fresh = [item for item in await self._poll(stop) if item.update_id >= (self._offset or 0)]
                    for item in fresh:
                        await self._handle_safely(item)
                    if self._waiting and not fresh:  # Telegram hands the waiting ones back at once
                        await self._sleep(stop, WAITING_LOOK_EVERY)
                    backoff = self.base_backoff
                except Exception as exc:  # outage, 409 conflict, database hiccup: wait and retry
                    log.warning("operator chat: %s; retrying in %.0f s", self._redact(exc), backoff)
                    await self._sleep(stop, backoff)
                    backoff = min(self.max_backoff, backoff * 2)
            await self._confirm()
        finally:
            await self.close()

    async def _prepare(self) -> None:
        """getUpdates fails while a webhook is set; remove it once, and learn our username."""
        if self._ready:
            return
        assert self.sender is not None
        await self.sender.bot.delete_webhook()
        me = await self.sender.bot.get_me()
        self._bot_username = me.username
        await self._find_upgrade()
        self._ready = True
        log.info("operator chat: answering commands in chat %s", self.admin_chat)

    async def _find_upgrade(self) -> None:
        """Telegram answers a call naming an upgraded group with its supergroup's id."""
        assert self.sender is not None
        chat = self.admin_chat
        if chat is None or not chat.startswith("-"):
            return
        try:
            await self.sender.bot.get_chat(int(chat))
        except ChatMigrated as exc:
            self._follow(chat, exc.new_chat_id)
        except Exception as exc:  # the chat is checked by every answer anyway
            log.info("operator chat: chat %s not readable: %s", chat, self._redact(exc))

    async def _poll(self, stop: asyncio.Event) -> Sequence[Update]:
        """One long poll, given up (and left unconfirmed) as soon as `stop` is set or the config
        is reloaded: a reload's new admin chat (its menu, its answers) waited for the poll's end,
        up to `poll_timeout` seconds."""
        assert self.sender is not None
        fetch = asyncio.ensure_future(self.sender.bot.get_updates(
            offset=self._unconfirmed_from(), timeout=self.poll_timeout, allowed_updates=["message"],
        ))
        wakers = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._reloaded.wait())]
        try:
            await asyncio.wait({fetch, *wakers}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waker in wakers:
                waker.cancel()
        self._reloaded.clear()  # the loop's next turn applies it
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetch
            return ()
        return fetch.result()

    def _unconfirmed_from(self) -> int | None:
        """getUpdates' offset: past every update handled, not past one still waiting (its claim
        refused by the database or held elsewhere). Confirmed to Telegram, a waiting update
        lived in this process's memory alone, and a change of leader or a restart lost it."""
        return min(self._waiting) if self._waiting else self._offset

    async def _confirm(self) -> None:
        """Tell Telegram the last handled update is done, so a restart does not replay it."""
        offset = self._unconfirmed_from()
        if self.sender is None or offset is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.sender.bot.get_updates(offset=offset, timeout=0), 3.0)

    async def _sleep(self, stop: asyncio.Event, seconds: float, *, wake_on_reload: bool = False) -> None:
        events = [stop, self._reloaded] if wake_on_reload else [stop]
        waiters = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
            if wake_on_reload:
                self._reloaded.clear()

    # -- commands --------------------------------------------------------------------

    async def _handle_safely(self, item: Update) -> None:
        # never handle one update twice, even if it fails (a retried one never moves it back)
        self._offset = max(self._offset or 0, item.update_id + 1)
        name = update_lease(item.update_id)
        try:
            try:
                state = await asyncio.to_thread(self._claim, name)
            except OperationalError as exc:  # a lock another process holds: answered once it ends
                if item.update_id not in self._waiting:
                    log.warning("operator chat: update %d waits for the database: %s", item.update_id, refusal(exc))
                self._waiting[item.update_id] = item
                return
            if state == "done":
                log.info("operator chat: update %d was answered already (by a replica before a "
                         "restart or a change of leader)", item.update_id)
                self._waiting.pop(item.update_id, None)
                return
            if state == "busy":  # being answered elsewhere: look again when its claim ends
                self._waiting[item.update_id] = item
                return
            self._waiting.pop(item.update_id, None)
            renewal = asyncio.create_task(self._keep_claim(name))
            try:
                await self.handle_update(item)
            finally:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewal
                await self._finish_or_later(name)
        except Exception as exc:
            log.error("operator chat: update %d failed: %s", item.update_id, self._redact(exc))

    async def _finish_or_later(self, name: str) -> None:
        """Mark an answered update done; under a lock, at the next round (it was answered once)."""
        try:
            await asyncio.to_thread(self._finish, name)
            self._unfinished.discard(name)
        except OperationalError as exc:
            if name not in self._unfinished:
                log.warning("operator chat: %s answered, its record waits for the database: %s", name, refusal(exc))
            self._unfinished.add(name)

    def _claim(self, name: str) -> str:
        """"mine", "done" or "busy" (module docstring)."""
        with self.db.session() as session:
            return claim_work(session, name, self._holder, UPDATE_WORK)

    async def _keep_claim(self, name: str) -> None:
        """Renew the update's claim while it is answered (behind a backlog's classification,
        a lock): ended after UPDATE_WORK, the next leader read the update again and answered
        it a second time, and the command ran twice (two test alerts for one /test)."""
        while True:
            await asyncio.sleep(UPDATE_WORK.total_seconds() / 4)
            try:
                await asyncio.to_thread(self._renew, name)
            except OperationalError as exc:  # tried again at the next turn, within the claim
                log.info("operator chat: %s's claim not renewed: %s", name, refusal(exc))

    def _renew(self, name: str) -> None:
        with self.db.session() as session:
            take(session, name, self._holder, UPDATE_WORK)

    def _finish(self, name: str) -> None:
        with self.db.session() as session:
            finish_work(session, name, self._holder, UPDATE_DONE)

    async def handle_update(self, item: Update) -> None:
        """Answer one update if it is a command from the admin chat; ignore anything else."""
        message = item.message
        if (message is not None and message.migrate_from_chat_id is not None  # Telegram's notice
                and str(message.migrate_from_chat_id) == self.admin_chat):
            self._follow(str(message.migrate_from_chat_id), message.chat.id)
        if message is None or not message.text:
            return
        if not self._is_admin(message.chat):
            log.debug("operator chat: ignored a message from chat %s", message.chat.id)
            return
        user = message.from_user.id if message.from_user else None
        if user not in self.config.settings.operator_ids:
            log.debug("operator chat: ignored a message from user %s (not in admin_user_ids)", user)
            return
        if message.forward_origin is not None:  # someone else's words, shown to the operators
            log.debug("operator chat: ignored a forwarded message (from %s)", message.forward_origin.type)
            return
        parsed = parse_command(message.text, self._bot_username)
        if parsed is None:
            return
        command, arg = parsed
        log.info("operator chat: /%s %s", command, arg)
        if command == "tally":
            await self.send_tally(str(message.chat.id))
            return
        try:
            if command in FEEDBACK_COMMANDS:
                lock = self.story_lock if command in STORY_COMMANDS else None
                # what it can read beforehand is read before the lock (/merge alone: its stories' features)
                prepared = await asyncio.to_thread(self.feedback.prepare, command, arg, message)
                async with lock or contextlib.nullcontext():
                    text = await asyncio.to_thread(self.feedback.answer, command, arg, message, prepared)
            else:  # its statements wait for a lock off the event loop, as the polls' do
                text = await asyncio.to_thread(self.answer, command, arg)
        except OperationalError as exc:  # a lock held past the timeout: say so, change nothing
            log.warning("operator chat: /%s %s not done: %s", command, arg, refusal(exc))
            text = f"/{command} {arg}".rstrip() + f" was not done: {refusal(exc)}. Send it again."
        await self.reply(str(message.chat.id), text)

    async def send_tally(self, chat_id: str) -> None:
        """/tally: the chart of the stored figures (alerts/tally/chart.py) with a caption of at
        most 1,024 characters stating the current figures and their sources; text alone when
        nothing was stated yet."""
        from alerts.tally.figures import load_tally
        from alerts.tally.render import caption

        def build() -> tuple[bytes | None, str]:
            with self.db.session() as session:
                tally = load_tally(session, self.config)
            text = caption(tally, tz=self.config.settings.tz)
            if not tally.topics:
                return None, text
            from alerts.tally.chart import render_png  # matplotlib: imported on first use

            return render_png(tally, tz=self.config.settings.tz), text

        png, text = await asyncio.to_thread(build)
        if png is None:
            await self.reply(chat_id, text)
            return
        sender = self.sender
        assert sender is not None
        await self._within_flood_limit(lambda: sender.send_photo(chat_id, png, text))

    def _is_admin(self, chat: Chat) -> bool:
        want = self.admin_chat  # numeric (core/config/models.py refuses @names)
        return want is not None and str(chat.id) == want

    def answer(self, command: str, arg: str) -> str:
        """The reply to `/command arg` (plain text; long ones are split by `reply`)."""
        if command in ("start", "help"):
            return HELP
        if command == "status":
            return self.status_text()
        if command == "queue":
            return self.queue_text()
        if command in ("pause", "resume"):
            return self.set_paused(arg, command == "pause")
        if command == "test":
            return self.enqueue_test(arg)
        if command == "enable":
            return self.enable_channel(arg)
        return f"Unknown command /{command}.\n\n{HELP}"

    async def reply(self, chat_id: str, text: str) -> None:
        for part in split_message(without_controls(text)):  # stored titles quoted: U+202E showed reversed
            chat_id = await self._send_text(chat_id, part)

    async def _send_text(self, chat_id: str, text: str) -> str:
        """Send one plain message; return the chat it went to (the admin group's supergroup)."""
        sender = self.sender
        assert sender is not None
        try:
            await self._within_flood_limit(lambda: sender.send(chat_id, text, html=False, preview=False))
            return chat_id
        except ChatMigrated as exc:
            if chat_id != self.admin_chat:
                raise
            self._follow(chat_id, exc.new_chat_id)
            moved = str(exc.new_chat_id)
        await self._within_flood_limit(lambda: sender.send(moved, text, html=False, preview=False))
        return moved

    async def _within_flood_limit(self, send: Callable[[], Awaitable[object]]) -> None:
        """`send()`, again after a 429's retry_after: the admin chat's per-chat limit is shared
        with the alerts when it is also a channel, and an answer refused is otherwise lost."""
        for attempt in range(1, SEND_TRIES + 1):
            try:
                await send()
                return
            except RetryAfter as exc:
                stop = self._stop or asyncio.Event()
                if attempt == SEND_TRIES or stop.is_set():
                    raise
                wait = classify_error(exc).retry_after
                log.info("operator chat: Telegram's flood control; sending again in %.0f s", wait)
                await self._sleep(stop, wait)
            except NetworkError as exc:
                # a 5xx or a connection that failed: the answer did not go (it was lost, the
                # command done); a timeout may have gone, and is not sent again
                stop = self._stop or asyncio.Event()
                if isinstance(exc, (TimedOut, BadRequest)) or attempt == SEND_TRIES or stop.is_set():
                    raise
                wait = 2 * self.base_backoff * attempt  # 2 s, then 4 s (base_backoff 1 s)
                log.info("operator chat: the Bot API failed the answer (%s); sending again in %.0f s",
                         self._redact(exc), wait)
                await self._sleep(stop, wait)

    def status_text(self) -> str:
        now = datetime.now(UTC)
        with self.db.session() as session:
            health = {h.name: h for h in feed_health(session)}
        counts = {"ok": 0, "failing": 0, "paused": 0}
        lines: list[str] = []
        for feed in self.config.feeds:
            h = health.get(feed.name)
            if not feed.enabled:
                mark, state = "⏹", "disabled in feeds.yaml"
            elif h is not None and h.paused:
                mark, state = "⏸", "paused"
                counts["paused"] += 1
            elif h is None or (h.last_success_at is None and not h.consecutive_failures):
                mark, state = "🆕", "not polled yet"
            elif h.consecutive_failures:
                error = shorten(clean(h.last_error) or "unknown error", ERROR_WIDTH)
                mark, state = "⚠️", f"{counted(h.consecutive_failures, 'failure')}: {error}"
                counts["failing"] += 1
            else:
                mark, state = "✅", f"{counted(h.items, 'item')}, ok {ago(h.last_success_at, now)}"
                counts["ok"] += 1
            lines.append(f"{mark} {feed.name} — {state}")
        head = (
            f"Feeds: {len(self.config.feeds)} · {counts['ok']} ok · "
            f"{counts['failing']} failing · {counts['paused']} paused"
        )
        return "\n".join([head, *lines]) if lines else "No feeds in feeds.yaml."

    def queue_text(self) -> str:
        with self.db.session() as session:
            queue = queue_summary(session)
            disabled = {c.name: c.disabled_reason for c in disabled_channels(session)}
        names = [c.name for c in self.config.channels]
        names += sorted(n for n in queue if n not in names)
        total = {s: sum(q.get(s, 0) for q in queue.values()) for s in ("pending", "sending", "failed")}
        lines = [
            f"Queue: {total['pending']} pending · {total['sending']} sending · "
            f"{total['failed']} failed"
        ]
        for name in names:
            q = queue.get(name, {})
            row = (
                f"{name}: {q.get('pending', 0)} pending, {q.get('sending', 0)} sending, "
                f"{q.get('failed', 0)} failed, {q.get('sent', 0)} sent"
            )
            if name in disabled:
                reason = shorten(clean(disabled[name]) or "no reason recorded", ERROR_WIDTH)
                lines.append(f"⛔ {row} — disabled: {reason}")
            else:
                lines.append(f"{'⏳' if q.get('pending') else '✅'} {row}")
        return "\n".join(lines)

    def set_paused(self, name: str, paused: bool) -> str:
        verb = "pause" if paused else "resume"
        if not name:
            return f"Usage: /{verb} NAME\n{self._feed_list()}"
        if self.config.feed(name) is None:
            return f"Unknown feed '{name}'.\n{self._feed_list()}"
        done = self.controls.pause(name) if paused else self.controls.resume(name)
        if not done:
            return f"Could not {verb} '{name}': the service does not know it (yet)."
        return f"{'Paused' if paused else 'Resumed'} {name}."

    def enqueue_test(self, name: str) -> str:
        if not name:
            return f"Usage: /test CHANNEL\n{self._channel_list()}"
        channel = self.config.channel(name)
        if channel is None:
            return f"Unknown channel '{name}'.\n{self._channel_list()}"
        now = datetime.now(UTC)
        html, text = render_test(channel, now, self.config)
        with self.db.session() as session:
            ahead = queued_count(session, channel.name)
            alert = Alert(
                channel=channel.name, kind="test", dedupe_key=f"test:{channel.name}:{uuid.uuid4().hex}",
                status="pending", payload={"html": html, "text": text, "preview": False},
                attempts=0, next_attempt_at=now, created_at=now,
            )
            session.add(alert)
            session.flush()
            alert_id = alert.id
            row = channel_named(session, channel.name)
            disabled = row is not None and row.disabled
        self.controls.wake_delivery()
        notes = [f"queued: test alert #{alert_id} for {channel.name} ({channel.chat_id})"]
        if ahead:
            notes.append(f"{ahead} older alerts go first.")
        if disabled:
            notes.append("The channel is disabled; it is sent once the channel is enabled again.")
        return "\n".join(notes)

    def enable_channel(self, name: str) -> str:
        """Re-enable a channel a 403 disabled, once the bot's rights were fixed."""
        if not name:
            return f"Usage: /enable CHANNEL\n{self._channel_list()}"
        if self.config.channel(name) is None:
            return f"Unknown channel '{name}'.\n{self._channel_list()}"
        with self.db.session() as session:
            if enable_channel(session, name) is None:
                return f"{name} is not disabled."
        self.controls.wake_delivery()
        return f"Enabled {name}; its queued alerts go out now."

    def _feed_list(self) -> str:
        names = [f.name for f in self.config.feeds]
        return f"Feeds: {', '.join(names)}" if names else "No feeds in feeds.yaml."

    def _channel_list(self) -> str:
        names = [c.name for c in self.config.channels]
        return f"Channels: {', '.join(names)}" if names else "No channels in feeds.yaml."

    # -- problem reports ---------------------------------------------------------------

    async def notify_problems(self) -> int:
        """Report each newly failing feed and newly disabled channel once; return messages sent.

        A flag is set only after its message went out, so an outage delays a report
        but never loses it; a flag the database refused is set at the next look, the report
        not sent again (`_unmarked`). Never raises.
        """
        if not self.enabled:
            return 0
        assert self.admin_chat is not None
        sent = 0
        async with self._notify_lock:
            try:
                # its reads in a worker thread, as the flags' writes: every 30 s on the event loop
                problems = await asyncio.to_thread(self._problems)
                self._unmarked &= {(kind, name) for kind, name, _ in problems}  # over: a new one is told
                for told, text in self._messages(problems):
                    if not told <= self._unmarked:
                        await self.reply(self.admin_chat, text)
                        self._unmarked |= told
                        sent += 1
                    for kind, name in told:
                        # in a worker thread: a lock another process holds would stop the event loop
                        await asyncio.to_thread(self._mark_reported, kind, name)
                        self._unmarked.discard((kind, name))
            except OperationalError as exc:  # the report is out; its flag is set at the next look
                log.warning("operator chat: problem reports wait for the database: %s", refusal(exc))
            except Exception as exc:
                log.warning("operator chat: problem report not sent: %s", self._redact(exc))
        return sent

    def _problems(self) -> list[tuple[str, str, str]]:
        """(kind, name, message) of each problem not reported yet."""
        now = datetime.now(UTC)
        names = [f.name for f in self.config.feeds]
        out: list[tuple[str, str, str]] = []
        with self.db.session() as session:
            feeds = unreported_failing_feeds(session, names, self.failure_threshold)
            for f in feeds:
                error = shorten(clean(f.last_error) or "unknown error", 300)
                out.append(("feed", f.name, (
                    f"⚠️ Feed {f.name} failed {counted(f.consecutive_failures, 'poll')} in a row.\n"
                    f"Last error: {error}\n"
                    f"Last success: {ago(f.last_success_at, now)}.\n"
                    f"Reported once until it recovers. /pause {f.name} stops polling it."
                )))
            channels = unreported_disabled_channels(session)
            for c in channels:
                reason = shorten(clean(c.disabled_reason) or "no reason recorded", 300)
                out.append(("channel", c.name, (
                    f"⛔ Channel {c.name} ({c.chat_id}) is disabled: {reason}\n"
                    "Its alerts stay queued. Check that the bot is an administrator of the "
                    f"chat and may post there, then send /enable {c.name}."
                )))
            for alert_id, text in fold_notices(session, now):  # a feed over its hourly limit
                out.append(("fold", str(alert_id), text))
            for alert_id, text in catch_up_notices(session, now):  # a channel's old alerts folded
                out.append(("fold", str(alert_id), text))
            for alert_id, text in roundup_fold_notices(session, now, self.config.settings.tz):  # and roundups
                out.append(("fold", str(alert_id), text))
        if self.model_problem and not self._model_reported:
            out.append(("model", "relevance", (
                f"⚠️ Learned relevance model off: {shorten(clean(self.model_problem), 300)}\n"
                "Matching runs on the rules alone. Run 'monitor train' (or reinstall) and restart."
            )))
        return out

    def _messages(self, problems: list[tuple[str, str, str]]) -> list[tuple[set[tuple[str, str]], str]]:
        """The messages that tell `problems`, with the problems each tells. More than
        FOLDED_FEEDS failing feeds new in one look (the network down a while: every feed at
        once) are one message, a line each: a message each, at Telegram's 20 a minute, held
        the operators' commands for up to 15 minutes behind 300 reports."""
        new = [(name, text) for kind, name, text in problems if kind == "feed" and ("feed", name) not in self._unmarked]
        if len(new) <= FOLDED_FEEDS:
            return [({(kind, name)}, text) for kind, name, text in problems]
        heading = (f"⚠️ {len(new)} feeds failed {counted(self.failure_threshold, 'poll')} or more in a row "
                   "(each told once until it recovers; /pause NAME stops polling one):")
        lines = ["• " + " ".join(text.split("\n")[:2]).removeprefix("⚠️ Feed ") for _, text in new]
        folded = ({("feed", name) for name, _ in new}, "\n".join([heading, *lines]))
        return [folded, *(({(kind, name)}, text) for kind, name, text in problems
                          if not (kind == "feed" and ("feed", name) not in self._unmarked))]

    def _mark_reported(self, kind: str, name: str) -> None:
        if kind == "model":
            self._model_reported = True
            return
        with self.db.session() as session:
            if kind == "fold":
                mark_notified(session, int(name))
                return
            if kind == "feed":
                mark_feed_reported(session, name)
            else:
                mark_channel_reported(session, name)

    def _redact(self, exc: BaseException) -> str:
        return redact(f"{type(exc).__name__}: {told(exc)}", self._secrets)[:500]
