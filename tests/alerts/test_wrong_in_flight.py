"""/wrong answered while the story's messages to channels are on their way (claimed, waiting
for the Bot API's overall rate budget): the end of those sends must not undo the withdrawal.
Real pipeline, worker, admin bot and Bot API emulator."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable

import pytest
from alerts_helpers import ask_in
from alerts_helpers import publish as publish_from
from sqlalchemy import func, select

from alerts.delivery import DeliveryWorker
from core.config import AppConfig
from storage.db import Database
from storage.models import Alert

ADMIN = 4244
CHATS = ["@a_channel", "@b_channel", "@c_channel", "@pp_channel"]
CHANNELS = [{"name": chat[1:].split("_")[0], "chat_id": chat, "topics": ["political_prisoners"]} for chat in CHATS]
FIRST, LATER = "Foro Penal contabiliza 21 presos políticos excarcelados", "Foro Penal suma 23 presos políticos excarcelados"

ask = functools.partial(ask_in, ADMIN)


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    # one message a second overall: the four channels' messages go out over three seconds
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN, admin_user_ids=[7], global_rate_per_second=1)


async def test_wrong_while_the_story_s_messages_are_on_their_way_withdraws_them_too(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """A message in flight at the /wrong was recorded sent with the payload it had been claimed
    with, which dropped the withdrawal the /wrong had written on it meanwhile: the story's next
    figure went out in those channels as a reply to it."""
    with db.session() as s:
        url = add_item(s, "elpitazo", FIRST).url
    pipeline.process_pending()
    async with DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0) as worker:
        sending = asyncio.create_task(worker.deliver_pending())
        while not any(emulator.messages(chat) for chat in CHATS) or _queued(db):  # the first is out, all claimed
            await asyncio.sleep(0.02)
        emulator.inject_message(ADMIN, f"this one: {url}", from_id=7)
        [answer] = await ask(emulator, "/wrong political_prisoners", reply_to=emulator.last_message_id(ADMIN))
        in_flight = [chat for chat in CHATS if not emulator.messages(chat)]
        await sending
    assert answer.splitlines()[0].endswith("gets no more edits or replies in a, b, c, pp.")
    assert in_flight and all(len(emulator.messages(chat)) == 1 for chat in CHATS)
    await publish_from(db, add_item, pipeline, config, runtime, ("bbcmundo", LATER))
    assert [m.reply_to for chat in CHATS for m in emulator.messages(chat)] == [None] * 4


def _queued(db: Database) -> int:
    """Alerts not yet claimed by the worker (on a loaded host a claim can come after the first send)."""
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Alert).where(Alert.status == "pending")) or 0
