"""Operator feedback on an alert of a group upgraded to a supergroup: the new chat numbers
its messages afresh, so one message id stands for two alerts, one in each chat."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from alerts_helpers import ask_in
from sqlalchemy import select
from test_admin_feedback import ADMIN, RELEASE, US, publish

from core.config import AppConfig
from storage.models import Feedback

ask = functools.partial(ask_in, ADMIN)


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(
        [{"name": "grp", "chat_id": "-100200", "topics": ["political_prisoners", "us_actions"]}],
        admin_chat_id=ADMIN, admin_user_ids=[7],
    )


async def test_wrong_on_a_forward_from_the_new_chat_records_that_chats_alert(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    items = await publish(db, add_item, pipeline, config, runtime, RELEASE)
    [old_msg] = emulator.messages("-100200")
    emulator.migrate(-100200, -100300)
    items |= await publish(db, add_item, pipeline, config, runtime, US)
    [new_msg] = [m for m in emulator.messages("-100300") if "destructor" in m.text]
    assert new_msg.message_id == old_msg.message_id  # the collision this is about
    emulator.inject_message(ADMIN, "", from_id=7, forward_of=("-100300", new_msg.message_id))
    assert await ask(emulator, "/wrong", reply_to=emulator.last_message_id(ADMIN)) == [
        "Thanks — recorded as wrong for us_actions; 'monitor train' will use it. "
        "Story 2 gets no more edits or replies in grp."
    ]
    with db.session() as s:
        [row] = s.scalars(select(Feedback))
        assert row.item_id == items[US].id
