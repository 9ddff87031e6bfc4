"""Helpers shared by the alerts tests (imported by name; the test directory is on sys.path)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alerts.admin import AdminBot
    from devtools.emulator import BotApiEmulator

TOKEN = "123456789:AAHfake-token_for_tests_0123456789abcdef"


@dataclass
class Cls:
    """Stands in for the matcher's Classification (same attributes)."""

    topics: list[str]
    urgency: str = "normal"
    matches: dict[str, list[str]] = field(default_factory=dict)
    explain: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    entities: list[dict[str, Any]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)


class IdleControls:
    """AdminControls that change nothing; pause and resume answer `answer`."""

    def __init__(self, answer: bool = False) -> None:
        self.answer = answer

    def pause(self, name: str) -> bool:
        return self.answer

    def resume(self, name: str) -> bool:
        return self.answer

    def wake_delivery(self) -> None:
        return None


@contextlib.asynccontextmanager
async def running(bot: AdminBot) -> AsyncIterator[asyncio.Task[None]]:
    """The admin bot answering its chat for the duration of the block."""
    stop = asyncio.Event()
    task = asyncio.create_task(bot.run(stop))
    # its first call, the chat's command menu, made before the test injects its faults
    deadline = time.monotonic() + 10
    while not (bot.menu.tried or task.done()) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)  # run() ends by itself, without raising


_marks = itertools.count(1)


async def ask_in(chat: int, emu: BotApiEmulator, text: str, **kw: Any) -> list[str]:
    """Send `text` to the admin `chat` as @ana (user 7), then a marker; the replies in between."""
    before = len(emu.messages(chat))
    emu.inject_message(chat, text, from_id=7, username="ana", **kw)
    marker = f"/mark{next(_marks)}"
    emu.inject_message(chat, marker, from_id=7)

    async def answered() -> None:
        while not any(marker in m.text for m in emu.messages(chat)[before:]):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(answered(), 10)
    return [m.text for m in emu.messages(chat)[before:] if marker not in m.text]


def chatter(emu: BotApiEmulator, chat: int, from_id: int) -> int:
    """Post a message in `chat` that is not an alert ("good morning"); its message id."""
    emu.inject_message(chat, "good morning", from_id=from_id)
    return emu.last_message_id(chat)


def story_of(db: Any, item_id: int) -> int | None:
    """The story the item `item_id` is in now."""
    from storage.models import Item

    with db.session() as s:
        item = s.get(Item, item_id)
        assert item is not None
        return item.story_id


def alert_in(emu: BotApiEmulator, chat: int | str, words: str) -> int:
    """The message id of the one alert (not a reply) in `chat` holding `words`."""
    [msg] = [m for m in emu.messages(chat) if words in m.text and m.reply_to is None]
    return msg.message_id


async def publish(db: Any, add_item: Any, pipeline: Any, config: Any, runtime: Any,
                  *stories: tuple[str, str]) -> dict[str, int]:
    """Store (outlet, title) items, classify and group them with the real pipeline, deliver
    their alerts through the real worker; return title → item id."""
    import io

    from alerts.delivery import DeliveryWorker

    with db.session() as s:
        ids = {title: add_item(s, outlet, title).id for outlet, title in stories}
    pipeline.process_pending()
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        await worker.deliver_pending()
    return ids


async def until(done: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    """Wait for `done` for up to `seconds` of wall clock (a loaded host stalls a process 1.6 s and
    more), failing with `what` if it never holds."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"{what}: not within {seconds:.0f} s"
        await asyncio.sleep(0.02)
