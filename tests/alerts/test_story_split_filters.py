"""`/split` and the channels' filters: an update that reached a channel only as part of the
story its item left is not made a story of its own there. Titles written for these tests."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from alerts_helpers import ask_in, publish, story_of
from sqlalchemy import select

from core.config import AppConfig
from storage.models import Alert

ADMIN = 4244
CHANNELS = [
    {"name": "pp_es", "chat_id": "@pp_es", "topics": ["political_prisoners"], "languages": ["es"]},
    {"name": "ops", "chat_id": str(ADMIN), "topics": ["political_prisoners", "us_actions"]},
]

ask = functools.partial(ask_in, ADMIN)


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN, admin_user_ids=[7])


async def test_a_split_english_items_update_is_no_story_of_its_own_in_a_spanish_channel(
    db, emulator, bot, add_item, pipeline, config, runtime,
) -> None:
    """A Spanish-only channel took an English report's new figure as a reply to its Spanish
    story; split out before it went, the update became a message of its own there: an English
    headline in a channel that takes Spanish only."""
    first = "Foro Penal contabiliza 21 presos políticos excarcelados"
    ids = await publish(db, add_item, pipeline, config, runtime, ("elpitazo", first))
    with db.session() as s:
        # an English feed's item (its feed says so) that tells the Spanish story's tally anew
        item = add_item(s, "bbc", "Foro Penal suma 23 presos políticos excarcelados", lang="en")
        later_id, url = item.id, item.url
    pipeline.process_pending()  # its update is queued, not sent
    assert story_of(db, later_id) == story_of(db, ids[first])
    with db.session() as s:
        queued = s.scalars(select(Alert).where(Alert.channel == "pp_es", Alert.kind == "update")).all()
        assert [a.status for a in queued] == ["pending"]
    emulator.inject_message(ADMIN, f"this one: {url}", from_id=7)
    [answer] = await ask(emulator, "/split", reply_to=emulator.last_message_id(ADMIN))
    assert answer.startswith(f"Item {later_id} moved out of story")
    await publish(db, add_item, pipeline, config, runtime)  # the worker delivers what is queued
    [told] = emulator.messages("@pp_es")  # the Spanish story's message only
    assert "contabiliza 21" in told.text and "suma 23" not in told.text
    with db.session() as s:
        withdrawn = s.scalars(select(Alert).where(Alert.channel == "pp_es", Alert.status == "withdrawn")).all()
        assert [a.last_error for a in withdrawn] == [
            f"split: its item moved to story {story_of(db, later_id)}, which pp_es does not take"]
