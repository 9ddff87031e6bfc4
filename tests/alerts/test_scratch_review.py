from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from alerts_helpers import ask_in, publish
from sqlalchemy import select

from core.config import AppConfig
from storage.models import Alert, Item

ADMIN = 4243
CHANNELS = [
    {"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"], },
    {"name": "ops", "chat_id": str(ADMIN), "topics": ["political_prisoners", "us_actions"]},
]


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(CHANNELS, admin_chat_id=ADMIN, admin_user_ids=[7])


ask = functools.partial(ask_in, ADMIN)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=False)
async def test_probe(db, emulator, bot, add_item, pipeline, config, runtime) -> None:
    first = "Foro Penal contabiliza 21 presos políticos excarcelados"
    later = "Foro Penal suma 23 presos políticos excarcelados"
    await publish(db, add_item, pipeline, config, runtime, ("elpitazo", first))
    with db.session() as s:
        item = add_item(s, "bbcmundo", later, summary="La ONG Foro Penal informó este sábado que suma 23 presos políticos excarcelados desde el lunes en Caracas y Tocorón.")
        later_id, url = item.id, item.url
    pipeline.process_pending()
    with db.session() as s:
        for a in s.scalars(select(Alert).order_by(Alert.id)):
            print(a.id, a.channel, a.kind, a.status, a.story_id, (a.payload or {}).get("text"))
        print(s.get(Item, later_id).story_id)
    emulator.inject_message(ADMIN, f"this one: {url}", from_id=7)
    [answer] = await ask(emulator, "/split", reply_to=emulator.last_message_id(ADMIN))
    print(answer)
    await publish(db, add_item, pipeline, config, runtime)
    for m in emulator.messages("@pp_channel"):
        print("PP:", m.reply_to, m.text)
    assert 0
