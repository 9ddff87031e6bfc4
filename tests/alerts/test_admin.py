"""The operator chat against the Bot API emulator: python-telegram-bot long-polls getUpdates
over real HTTP on 127.0.0.1, commands change a real SQLite database, faults are injected on
the server side."""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alerts_helpers import TOKEN, running
from alerts_helpers import until as within
from sqlalchemy import event, select, update

from alerts.admin import HELP, MENU, AdminBot, parse_command, split_message
from alerts.admin_menu import MAX_DESCRIPTION, bot_commands
from alerts.delivery import DeliveryWorker
from alerts.render import MAX_TEXT, tg_len
from core.config import AppConfig, FeedConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.feeds import sync_feeds
from storage.models import Alert, Channel, Feed

ADMIN = 4242
STRANGER = 777
STRANGE_GROUP = -100555
CHANNELS = [
    {"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]},
    {"name": "us", "chat_id": "@us_channel", "topics": ["us_actions"]},
]
SECRET = TOKEN.split(":")[1]


class Controls:
    """A real AdminControls: flips Feed.paused in the database and records every call."""

    def __init__(self, db: Database, config: AppConfig) -> None:
        self.db = db
        self.config = config
        self.calls: list[tuple[str, ...]] = []

    def pause(self, name: str) -> bool:
        self.calls.append(("pause", name))
        return self._set(name, True)

    def resume(self, name: str) -> bool:
        self.calls.append(("resume", name))
        return self._set(name, False)

    def wake_delivery(self) -> None:
        self.calls.append(("wake",))

    def _set(self, name: str, paused: bool) -> bool:
        if self.config.feed(name) is None:
            return False
        with self.db.session() as s:
            s.execute(update(Feed).where(Feed.name == name).values(paused=paused))
        return True


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN)


@pytest.fixture
def controls(db: Database, config: AppConfig) -> Controls:
    return Controls(db, config)


@pytest.fixture
async def make_bot(db: Database, runtime: Runtime, controls: Controls) -> AsyncIterator[Callable[..., AdminBot]]:
    bots: list[AdminBot] = []

    def make(config: AppConfig, **kw: Any) -> AdminBot:
        kw = {"poll_timeout": 1, "base_backoff": 0.05, "max_backoff": 0.2, "request_timeout": 10.0, **kw}
        bot = AdminBot(config, kw.pop("runtime", runtime), db, controls, **kw)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.close()


def queue_for_pp(db: Database, key: str) -> None:
    """One alert due now in channel pp."""
    with db.session() as s:
        s.add(Alert(channel="pp", kind="new", dedupe_key=key, status="pending",
                    payload={"html": "<b>x</b>", "text": "x"}, next_attempt_at=datetime.now(UTC)))


async def until(cond: Callable[[], bool]) -> None:
    """Wait for `cond`; the 10 s bound only turns a hang into a failure."""

    async def loop() -> None:
        while not cond():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(loop(), 10)


_marks = itertools.count(1)


async def ask(emu: BotApiEmulator, text: str, chat: int = ADMIN) -> list[str]:
    """Send `text` from `chat`, then a marker from the admin chat; return the replies in between.

    Updates are handled in order, so once the marker is answered `text` has been handled too.
    """
    before = len(emu.messages(ADMIN))
    emu.inject_message(chat, text, from_id=chat if chat > 0 else 5)
    marker = f"/mark{next(_marks)}"
    emu.inject_message(ADMIN, marker)
    await until(lambda: any(marker in m.text for m in emu.messages(ADMIN)[before:]))
    replies = [m.text for m in emu.messages(ADMIN)[before:]]
    return [r for r in replies if marker not in r]


def feed_row(db: Database, name: str) -> Feed:
    with db.session() as s:
        row = s.scalar(select(Feed).where(Feed.name == name))
        assert row is not None
        s.expunge(row)
        return row


def set_feed(db: Database, name: str, **values: Any) -> None:
    with db.session() as s:
        s.execute(update(Feed).where(Feed.name == name).values(**values))


# -- commands from the admin chat ------------------------------------------------------------


async def test_status_lists_every_feed_in_short(db, emulator, config, make_bot) -> None:
    now = datetime.now(UTC)
    set_feed(db, "elpitazo", last_success_at=now - timedelta(minutes=5))
    set_feed(db, "bbcmundo", consecutive_failures=1, last_error="HTTP 503 from bbc.com",
             last_success_at=now - timedelta(hours=2))
    set_feed(db, "cocuyo", paused=True, last_success_at=now)
    async with running(make_bot(config)):
        [reply] = await ask(emulator, "/status")
    lines = reply.splitlines()
    assert lines[0] == "Feeds: 4 · 1 ok · 1 failing · 1 paused"
    assert lines[1].startswith("✅ elpitazo — 0 items, ok 5m")
    assert lines[2] == "⚠️ bbcmundo — 1 failure: HTTP 503 from bbc.com"
    assert lines[3] == "⏸ cocuyo — paused"
    assert lines[4] == "🆕 reuters — not polled yet"
    assert emulator.messages(ADMIN)[0].parse_mode is None  # plain text: nothing to escape


async def test_long_status_is_split_within_telegram_limits(db, emulator, config, make_bot) -> None:
    feeds = [FeedConfig(name=f"feed-{i:03d}-" + "x" * 60, url=f"https://f{i}.example/rss", language="es")
             for i in range(120)]
    big = config.model_copy(update={"feeds": feeds})
    with db.session() as s:
        sync_feeds(s, [(f.name, f.url) for f in feeds])
    async with running(make_bot(big)):
        replies = await ask(emulator, "/status")
    assert len(replies) >= 2
    assert all(tg_len(r) <= MAX_TEXT for r in replies)
    shown = "\n".join(replies)
    assert all(f.name in shown for f in feeds)


async def test_queue_shows_counts_and_disabled_channels(db, emulator, config, make_bot) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        for i, status in enumerate(["pending", "pending", "sent", "failed"]):
            s.add(Alert(channel="pp", kind="new", dedupe_key=f"q{i}", status=status, payload={},
                        next_attempt_at=now))
        s.execute(update(Channel).where(Channel.name == "us")
                  .values(disabled=True, disabled_reason="Forbidden: bot was kicked", disabled_reported=True))
    async with running(make_bot(config)):
        [reply] = await ask(emulator, "/queue")
    assert reply.splitlines() == [
        "Queue: 2 pending · 0 sending · 1 failed",
        "⏳ pp: 2 pending, 0 sending, 1 failed, 1 sent",
        "⛔ us: 0 pending, 0 sending, 0 failed, 0 sent — disabled: Forbidden: bot was kicked",
    ]


async def test_pause_and_resume_a_feed(db, emulator, config, make_bot, controls) -> None:
    async with running(make_bot(config)):
        assert await ask(emulator, "/pause elpitazo") == ["Paused elpitazo."]
        assert feed_row(db, "elpitazo").paused
        assert await ask(emulator, "/resume@monitor_emulator_bot elpitazo") == ["Resumed elpitazo."]
        assert not feed_row(db, "elpitazo").paused
        [unknown] = await ask(emulator, "/pause nosuch")
        [usage] = await ask(emulator, "/resume")
    assert controls.calls == [("pause", "elpitazo"), ("resume", "elpitazo")]
    assert unknown == "Unknown feed 'nosuch'.\nFeeds: elpitazo, bbcmundo, cocuyo, reuters"
    assert usage.startswith("Usage: /resume NAME\nFeeds: elpitazo")


async def test_test_alert_is_queued_and_delivered(db, emulator, config, runtime, make_bot, controls) -> None:
    async with running(make_bot(config)):
        [reply] = await ask(emulator, "/test pp")
        [unknown] = await ask(emulator, "/test nosuch")
    assert reply.startswith("queued: test alert #")
    assert unknown == "Unknown channel 'nosuch'.\nChannels: pp, us"
    assert controls.calls == [("wake",)]
    with db.session() as s:
        [alert] = s.scalars(select(Alert))
        assert (alert.kind, alert.channel, alert.status) == ("test", "pp", "pending")
        assert alert.dedupe_key.startswith("test:pp:")
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        stats = await worker.deliver_pending()
    assert stats.sent == 1
    [message] = emulator.messages("@pp_channel")
    assert message.parse_mode == "HTML" and message.text.startswith("🧪 Test alert")
    # a second /test is a new alert, not swallowed by the outbox's deduplication
    async with running(make_bot(config)):
        await ask(emulator, "/test pp")
    with db.session() as s:
        assert len(list(s.scalars(select(Alert).where(Alert.kind == "test")))) == 2


async def test_help_unknown_commands_and_chatter(emulator, config, make_bot) -> None:
    async with running(make_bot(config)):
        assert await ask(emulator, "/help") == [HELP]
        [unknown] = await ask(emulator, "/frobnicate now")
        [start] = await ask(emulator, "/start")
        assert await ask(emulator, "good morning") == []
        assert await ask(emulator, "/status@some_other_bot") == []
    assert unknown.startswith("Unknown command /frobnicate.") and HELP in unknown
    # every command is listed, /help too (an operator who forgot it learns it from /start)
    listed = [line.split()[0] for line in HELP.splitlines() if line.startswith("/")]
    assert {"/status", "/queue", "/tally", "/enable", "/miss", "/unwatch", "/help"} <= set(listed)
    assert start == HELP


def test_help_and_the_command_menu_are_one_table_within_telegrams_limits() -> None:
    """/help prints MENU, line for line, and the menu registered (alerts/admin_menu.py) is the
    same table: each name 1-32 of a-z, 0-9 and _, each description 1-256 characters. /unwatch
    shared /watch's line and was missing from a list of /help's first words."""
    listed = [line.split()[0] for line in HELP.splitlines() if line.startswith("/")]
    assert listed == [f"/{c.name}" for c in MENU] and len(set(listed)) == len(MENU) <= 100
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c.name) for c in MENU)
    assert all(0 < len(c.description) <= MAX_DESCRIPTION for c in MENU)
    assert [(b.command, b.description) for b in bot_commands(MENU)] == [
        (c.name, line.split(maxsplit=1)[1].removeprefix("— "))
        for c, line in zip(MENU, HELP.splitlines()[1:], strict=True)]
    # the figures docs/OPERATIONS.md gives ("The command menu")
    assert (len(MENU), max(len(c.description) for c in MENU)) == (15, 159)


async def test_a_command_ends_at_any_white_space(db, emulator, config, make_bot) -> None:
    """A new line (an argument on the next line, as phones send it) or a full-width space
    after the command's name ends it, as in Telegram's own reading of a command."""
    async with running(make_bot(config)):
        assert await ask(emulator, "/pause\nelpitazo") == ["Paused elpitazo."]
        assert feed_row(db, "elpitazo").paused
        assert await ask(emulator, "/resume@monitor_emulator_bot\u3000elpitazo") == ["Resumed elpitazo."]
        [status] = await ask(emulator, "/status\n")
    assert not feed_row(db, "elpitazo").paused
    assert status.startswith("Feeds: 4")


# -- strangers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stranger", [STRANGER, STRANGE_GROUP])
async def test_strangers_get_no_reply_and_change_nothing(
    db, emulator, config, make_bot, controls, caplog, stranger
) -> None:
    caplog.set_level(logging.DEBUG, logger="alerts.admin")
    async with running(make_bot(config)):
        for text in ("/status", "/queue", "/pause elpitazo", "/resume elpitazo", "/test pp", "/help"):
            assert await ask(emulator, text, chat=stranger) == []
    assert emulator.messages(stranger) == []
    assert all(r.chat_id == str(ADMIN) for r in emulator.requests if r.method == "sendMessage")
    assert controls.calls == []
    assert not feed_row(db, "elpitazo").paused
    with db.session() as s:
        assert list(s.scalars(select(Alert))) == []
    assert sum(f"chat {stranger}" in r.getMessage() for r in caplog.records) == 6


async def test_a_command_an_operator_forwards_from_elsewhere_is_not_run(db, emulator, config, make_bot) -> None:
    # a stranger's "/pause elpitazo" in another group, forwarded by an operator to the admin
    # chat to show the others, was run as the operator's own command
    async with running(make_bot(config)):
        assert await ask(emulator, "/pause elpitazo", chat=STRANGE_GROUP) == []
        emulator.inject_message(ADMIN, "", from_id=ADMIN, forward_of=(STRANGE_GROUP, 1))  # its message 1
        assert await ask(emulator, "/help") == [HELP]  # answered in turn: the forward came before
    assert not feed_row(db, "elpitazo").paused


async def test_no_admin_chat_ignores_everyone_until_a_reload_sets_it(emulator, config, make_bot, caplog) -> None:
    """With a token and no admin chat the start said nothing of the operator chat (without a
    token it says `operator chat off: no bot token`): an operator who expected to command the
    bot had no line to go by. It now says once why it is off and where to read how to set it."""
    caplog.set_level(logging.INFO, logger="alerts.admin")
    bot = make_bot(config.model_copy(update={"settings": config.settings.model_copy(update={"admin_chat_id": None})}))
    async with running(bot):
        emulator.inject_message(ADMIN, "/help")
        await asyncio.sleep(0)  # the bot is idle: nothing polls getUpdates
        assert emulator.count(200, "getUpdates") == 0
        bot.update_config(config)
        await until(lambda: [m.text for m in emulator.messages(ADMIN)] == [HELP])
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("operator chat")]
    assert said[:2] == [
        "operator chat off: no settings.admin_chat_id (docs/OPERATIONS.md, \"Finding a chat id\")",
        f"operator chat: answering commands in chat {ADMIN}",
    ], said



async def test_a_reload_that_moves_the_admin_chat_takes_effect_without_waiting_for_the_long_poll(
    emulator, config, make_bot
) -> None:
    """A reload's new admin chat (its menu, its commands) waited for the poll under way to end:
    up to its 10 s in the service, 30 s here. The poll is now given up at the reload."""
    bot = make_bot(config, poll_timeout=30)
    async with running(bot):
        await until(lambda: emulator.commands(ADMIN))  # the menu: the bot polls now
        other = 5151  # a private chat: its user is the operator
        bot.update_config(config.model_copy(update={"settings": config.settings.model_copy(
            update={"admin_chat_id": other})}))
        await until(lambda: emulator.commands(other) and not emulator.commands(ADMIN))  # 10 s < 30 s
        emulator.inject_message(other, "/help")
        await until(lambda: [m.text for m in emulator.messages(other)] == [HELP])


# -- problem reports -----------------------------------------------------------------------------


async def test_many_feeds_failing_at_once_are_one_report(db, emulator, config, make_bot) -> None:
    """The network down a while: every feed fails at once. A report each, at Telegram's 20 a
    minute, held the operators' commands behind them (300 feeds: 15 minutes)."""
    bot = make_bot(config)
    names = [f.name for f in config.feeds]
    assert len(names) > 3
    for name in names:
        set_feed(db, name, consecutive_failures=6, last_error="ConnectError: [Errno 101] Network is unreachable")
    assert await bot.notify_problems() == 1
    assert await bot.notify_problems() == 0  # each told once until it recovers
    [report] = [m.text for m in emulator.messages(ADMIN)]
    lines = report.splitlines()
    assert lines[0].startswith(f"⚠️ {len(names)} feeds failed 5 polls or more in a row")
    assert sorted(line.split()[1] for line in lines[1:]) == sorted(names)
    assert all("Last error: ConnectError" in line for line in lines[1:])
    assert all(feed_row(db, n).failure_reported for n in names)


async def test_failing_feed_reported_once_and_again_after_recovery(db, emulator, config, make_bot) -> None:
    bot = make_bot(config)
    set_feed(db, "elpitazo", consecutive_failures=5, last_error="timed out after 30s")
    set_feed(db, "bbcmundo", consecutive_failures=4, last_error="HTTP 500")
    assert await bot.notify_problems() == 1
    assert await bot.notify_problems() == 0
    set_feed(db, "elpitazo", consecutive_failures=9)  # still failing: still reported only once
    assert await bot.notify_problems() == 0
    [report] = [m.text for m in emulator.messages(ADMIN)]
    assert report.startswith("⚠️ Feed elpitazo failed 5 polls in a row.\nLast error: timed out after 30s")
    assert feed_row(db, "elpitazo").failure_reported
    # a good poll clears the flag (monitor.ingest); failing again is a new report
    set_feed(db, "elpitazo", consecutive_failures=0, failure_reported=False)
    assert await bot.notify_problems() == 0
    set_feed(db, "elpitazo", consecutive_failures=5)
    assert await bot.notify_problems() == 1
    assert len(emulator.messages(ADMIN)) == 2


async def test_disabled_channel_reported_once(db, emulator, config, runtime, make_bot) -> None:
    queue_for_pp(db, "d1")
    emulator.forbid("@pp_channel")
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()  # 403: the worker disables the channel
    bot = make_bot(config)
    assert await bot.notify_problems() == 1
    assert await bot.notify_problems() == 0
    [report] = [m.text for m in emulator.messages(ADMIN)]
    assert report.startswith("⛔ Channel pp (@pp_channel) is disabled: Forbidden")
    assert report.endswith("then send /enable pp.")  # the way back, named
    with db.session() as s:
        assert s.scalar(select(Channel.disabled_reported).where(Channel.name == "pp"))


async def test_report_waits_for_telegram_to_come_back(db, emulator, config, make_bot) -> None:
    bot = make_bot(config)
    set_feed(db, "reuters", consecutive_failures=6)
    emulator.set_down(True)
    assert await bot.notify_problems() == 0  # not sent: not marked
    assert not feed_row(db, "reuters").failure_reported
    emulator.set_down(False)
    assert await bot.notify_problems() == 1
    assert feed_row(db, "reuters").failure_reported


async def test_run_reports_problems_by_itself(db, emulator, config, make_bot) -> None:
    set_feed(db, "cocuyo", consecutive_failures=5, last_error="DNS failure")
    async with running(make_bot(config)):
        await until(lambda: len(emulator.messages(ADMIN)) == 1)
        await ask(emulator, "/help")
    assert sum("Feed cocuyo" in m.text for m in emulator.messages(ADMIN)) == 1


def test_notify_without_token_or_admin_chat_does_nothing(db, config, controls, db_url) -> None:
    no_token = AdminBot(config, Runtime("feeds.yaml", db_url, "http://127.0.0.1:9", None), db, controls)
    set_feed(db, "elpitazo", consecutive_failures=50)
    assert asyncio.run(no_token.notify_problems()) == 0
    assert not feed_row(db, "elpitazo").failure_reported


# -- outages and secrets -------------------------------------------------------------------------


async def test_outage_during_run_is_survived(emulator, config, make_bot) -> None:
    async with running(make_bot(config)) as task:
        assert await ask(emulator, "/help") == [HELP]
        for mode in ("drop", "502"):
            failed_before = len([r for r in emulator.requests if r.status != 200])
            emulator.set_down(True, mode)
            await until(lambda n=failed_before: len([r for r in emulator.requests if r.status != 200]) >= n + 3)
            emulator.set_down(False)
            assert await ask(emulator, "/help") == [HELP]
        assert not task.done()


async def test_an_outage_answered_with_a_proxy_s_html_page_is_told_without_the_page(
    emulator, config, make_bot, caplog
) -> None:
    """Telegram's outages answer 502 with nginx's HTML page: the operator chat's retry warning
    quoted up to 500 characters of it, every look. Now it says what the answer was."""
    caplog.set_level(logging.INFO)
    async with running(make_bot(config)):
        assert await ask(emulator, "/help") == [HELP]
        emulator.set_down(True, "502html")
        await until(lambda: "retrying in" in caplog.text)
        emulator.set_down(False)
        assert await ask(emulator, "/help") == [HELP]
    warned = [r.getMessage() for r in caplog.records if r.name == "alerts.admin" and r.levelno >= logging.WARNING]
    assert warned and all("<" not in m for m in warned), warned
    assert any("Bad Gateway (502)" in m and "not the Bot API's JSON" in m for m in warned), warned


async def test_an_answer_refused_by_flood_control_is_sent_after_retry_after(emulator, config, make_bot) -> None:
    """Telegram's per-chat limit (shared with the alerts when the admin chat is a channel)
    answers 429: the answer goes out after retry_after instead of being lost."""
    emulator.rate_limit(per_chat_per_minute=2, global_per_second=None, window=1.5)
    async with running(make_bot(config)):
        for _ in range(3):
            [reply] = await ask(emulator, "/queue")
            assert reply.startswith("Queue: 0 pending")
    assert emulator.count(429, "sendMessage") >= 1


async def test_an_answer_a_5xx_refused_is_sent_again(db, emulator, config, make_bot) -> None:
    # the command was done, its answer lost to one 502, the update marked answered: the operator
    # never learned that the feed was paused (a timeout, which may have been delivered, is not
    # sent again: a second answer would be a double)
    async with running(make_bot(config)):
        emulator.fail_next(1, "502", chat_id=ADMIN)
        assert await ask(emulator, "/pause elpitazo") == ["Paused elpitazo."]
    assert feed_row(db, "elpitazo").paused
    assert emulator.count(502, "sendMessage") == 1


async def test_token_never_logged_or_stored(db, db_url, emulator, config, make_bot, caplog, logged) -> None:
    caplog.set_level(logging.DEBUG)
    set_feed(db, "elpitazo", consecutive_failures=5, last_error="HTTP 500")
    async with running(make_bot(config)):
        await ask(emulator, "/status")
        await ask(emulator, "/test pp")
        await ask(emulator, "/pause cocuyo", chat=STRANGER)
        emulator.set_down(True)
        await until(lambda: emulator.count(0, "getUpdates") >= 2)
        emulator.set_down(False)
        await ask(emulator, "/queue")
    # caplog holds the raw records; httpx's request lines carry the URL (and so the token),
    # which setup_logging's filter redacts on output, checked below.
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(r.name == "alerts.admin" for r in ours)
    for record in ours:
        text = record.getMessage() + (record.exc_text or "")
        assert SECRET not in text, record.name
    output = logged.getvalue()
    assert "getUpdates" in output and SECRET not in output
    with db.session() as s:
        stored = repr([(a.dedupe_key, a.payload, a.last_error) for a in s.scalars(select(Alert))])
        stored += repr([(f.last_error, f.parse_problem) for f in s.scalars(select(Feed))])
        stored += repr([(c.chat_id, c.disabled_reason) for c in s.scalars(select(Channel))])
    assert "Test alert" in stored and SECRET not in stored
    path = Path(db_url.removeprefix("sqlite:///"))
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert SECRET.encode() not in file.read_bytes()


# -- pieces ------------------------------------------------------------------------------------


def test_parse_command() -> None:
    assert parse_command("/pause El Pitazo ", "bot") == ("pause", "El Pitazo")
    assert parse_command("/STATUS@Bot", "bot") == ("status", "")
    assert parse_command("/status@other", "bot") is None
    assert parse_command("status", "bot") is None
    assert parse_command("/", "bot") is None
    assert parse_command("/watch\nRocío  San\tMiguel", "bot") == ("watch", "Rocío San Miguel")
    assert parse_command("/miss\u3000https://a.example/1\npolitical_prisoners") == (
        "miss", "https://a.example/1 political_prisoners")


def test_split_message_keeps_lines_whole_and_within_limit() -> None:
    text = "\n".join(f"line {i} " + "é" * 50 for i in range(200))
    parts = split_message(text, limit=500)
    assert all(tg_len(p) <= 500 for p in parts)
    assert "\n".join(parts) == text
    huge = "🇻🇪" * 3000  # one line, 4 UTF-16 units per flag
    assert all(tg_len(p) <= MAX_TEXT for p in split_message(huge))
    assert "".join(split_message(huge)) == huge


async def test_enable_a_channel_disabled_by_a_403(db, emulator, config, runtime, make_bot, controls) -> None:
    queue_for_pp(db, "e1")
    emulator.forbid("@pp_channel")
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()
        emulator.forbid("@pp_channel", False)  # the operator made the bot an admin again
        async with running(make_bot(config)):
            replies = await ask(emulator, "/enable pp")
        assert any(r.startswith("Enabled pp") for r in replies), replies
        await worker.deliver_pending()
    assert [m.text for m in emulator.messages("@pp_channel")] == ["x"]
    with db.session() as s:
        assert s.scalar(select(Channel.disabled).where(Channel.name == "pp")) is False


async def test_a_command_whose_claim_the_database_refuses_is_left_to_the_next_leader(
    db, db_url, emulator, make_synced_config, runtime, caplog
) -> None:
    """The leader read a command while the database refused its claim (a PostgreSQL restart or
    failover; here a lock held on `leases`): the update waited in the leader's memory, its next
    getUpdates confirmed it to Telegram, and when the lead moved the command was lost."""
    if not db_url.startswith("postgresql"):
        pytest.skip("a lock on one table while the others answer: PostgreSQL's")
    from sqlalchemy import create_engine, text

    caplog.set_level(logging.INFO, logger="alerts.admin")
    config = make_synced_config(CHANNELS, admin_chat_id=ADMIN)
    event.listen(db.engine, "connect", lambda conn, _record: conn.execute("SET lock_timeout = 300"))  # not 10 s
    db.engine.dispose()
    first = AdminBot(config, runtime, db, Controls(db, config), poll_timeout=1, request_timeout=10.0)
    stop = asyncio.Event()
    task = asyncio.create_task(first.run(stop))
    try:
        assert (await ask(emulator, "/help"))[0].startswith("Commands:")
        locker = create_engine(db_url)
        with locker.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE leases IN ACCESS EXCLUSIVE MODE"))
            uid = emulator.inject_message(ADMIN, "/pause elpitazo")
            await within(lambda: any(f"update {uid} waits for the database" in r.getMessage()
                                     for r in caplog.records), "the claim refused", 30)
            polls = emulator.count(200, "getUpdates")
            await within(lambda: emulator.count(200, "getUpdates") > polls + 1, "later looks", 30)
            stop.set()  # this replica loses the lead
            await asyncio.wait_for(task, 30)
        locker.dispose()
    finally:
        stop.set()
        await first.close()
    second = AdminBot(config, runtime, db, Controls(db, config), poll_timeout=1, request_timeout=10.0)
    async with running(second):
        await until(lambda: feed_row(db, "elpitazo").paused)
        await until(lambda: any(m.text == "Paused elpitazo." for m in emulator.messages(ADMIN)))


async def test_a_command_answered_for_longer_than_its_claim_is_answered_once(
    db, emulator, make_synced_config, runtime, monkeypatch
) -> None:
    """A command waiting behind a backlog's classification (the story lock) outlasted its claim
    (UPDATE_WORK, 20 s; 1 s here): the next leader read the unconfirmed update again, found the
    claim ended, and answered it too, while the first was still answering it."""
    import alerts.admin as admin

    if db.dialect != "sqlite":
        pytest.skip("the claim is renewed alike on both databases")
    monkeypatch.setattr(admin, "UPDATE_WORK", timedelta(seconds=1))
    config = make_synced_config(CHANNELS, admin_chat_id=ADMIN)
    story_lock = asyncio.Lock()
    await story_lock.acquire()  # the pipeline classifying a backlog
    first = AdminBot(config, runtime, db, Controls(db, config), poll_timeout=1, request_timeout=10.0,
                     story_lock=story_lock)
    second = AdminBot(config, runtime, db, Controls(db, config), poll_timeout=1, request_timeout=10.0)
    second._holder = "another-host:1"  # another replica (a bot's claims are its process's)
    stop_first = asyncio.Event()
    answering = asyncio.create_task(first.run(stop_first))
    emulator.inject_message(ADMIN, "/split")  # waits for the story lock
    await within(lambda: emulator.count(200, "getUpdates") >= 1, "the command read", 10)
    await asyncio.sleep(2.5)  # longer than the claim
    stop_first.set()  # the first loses the lead, its answer still to come
    async with running(second):
        await asyncio.sleep(2.5)  # the next leader's looks
        story_lock.release()
        await within(lambda: len(emulator.messages(ADMIN)) >= 1, "the answer", 10)
        await asyncio.sleep(1.0)
    await asyncio.wait_for(answering, 15)
    await first.close()
    assert len(emulator.messages(ADMIN)) == 1
