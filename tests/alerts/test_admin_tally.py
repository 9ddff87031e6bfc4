"""/tally in the operator chat, and the emulator's sendPhoto and pinChatMessage with
Telegram's limits (photo <= 10 MB, caption <= 1,024 characters): python-telegram-bot over
real HTTP on 127.0.0.1, the figures in a real database."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from alerts_helpers import TOKEN, IdleControls, running

from alerts.admin import HELP, AdminBot
from core.config import AppConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Count, Match

ADMIN = 4242
FIGURES = [  # (day, feed, event, number, source)
    (9, "elpitazo", "held", 800, "Foro Penal"),
    (13, "elpitazo", "released", 400, "Jorge Rodríguez"),
    (16, "elpitazo", "released", 61, "la ONG Foro Penal"),
    (25, "elpitazo", "held", 687, "foropenal"),
]


@pytest.fixture
def config(make_synced_config: Callable[..., AppConfig]) -> AppConfig:
    return make_synced_config(
        [{"name": "pp", "chat_id": "@pp_channel", "topics": ["political_prisoners"]}], admin_chat_id=ADMIN)


def _store(db: Database, add_item: Callable[..., Any]) -> None:
    with db.session() as s:
        for day, feed, event, number, source in FIGURES:
            item = add_item(s, feed, f"{number} {event}", published=datetime(2026, 1, day, 12, tzinfo=UTC))
            s.add(Count(item_id=item.id, event=event, number=number, source=source))
            s.add(Match(item_id=item.id, topic="political_prisoners", urgency="normal", terms=[], explain=[]))


async def _ask_tally(emu: BotApiEmulator) -> Any:
    before = len(emu.messages(ADMIN))
    emu.inject_message(ADMIN, "/tally", from_id=ADMIN)

    async def answered() -> None:
        while len(emu.messages(ADMIN)) == before:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(answered(), 20)
    return emu.messages(ADMIN)[before]


async def test_tally_sends_the_chart_with_the_figures_and_their_sources(
    db: Database, emulator: BotApiEmulator, config: AppConfig, runtime: Runtime, add_item: Callable[..., Any]
) -> None:
    assert "/tally" in HELP
    bot = AdminBot(config, runtime, db, IdleControls(), poll_timeout=1, base_backoff=0.05,
                   max_backoff=0.2, request_timeout=10.0)
    async with running(bot):
        empty = await _ask_tally(emulator)
        assert empty.photo is None and empty.text == "No figures stated yet."
        _store(db, add_item)
        reply = await _ask_tally(emulator)
    assert reply.photo is not None and reply.photo[:8] == b"\x89PNG\r\n\x1a\n"
    width, _ = struct.unpack(">II", reply.photo[16:24])
    assert width >= 1080
    assert len(reply.text) <= 1024
    assert "still held: 687 (Foro Penal, 2026-01-25)" in reply.text
    assert "announced by the government: 400 (Jorge Rodríguez" in reply.text
    assert "verified by rights groups: 61 (Foro Penal" in reply.text


def test_the_emulator_keeps_telegrams_limits_for_photos_and_pins(emulator: BotApiEmulator) -> None:
    base = f"{emulator.api_url.rstrip('/')}/bot{TOKEN}"
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 1000

    def call(method: str, data: dict[str, Any], photo: bytes | None = None) -> dict[str, Any]:
        files = {"photo": ("chart.png", photo, "image/png")} if photo is not None else None
        return httpx.post(f"{base}/{method}", data=data, files=files, timeout=10).json()

    sent = call("sendPhoto", {"chat_id": "@pp", "caption": "x" * 1024}, png)
    assert sent["ok"] and sent["result"]["caption"] == "x" * 1024
    assert emulator.messages("@pp")[0].photo == png
    too_long = call("sendPhoto", {"chat_id": "@pp", "caption": "x" * 1025}, png)
    assert (too_long["ok"], too_long["error_code"]) == (False, 400) and "caption" in too_long["description"]
    too_big = call("sendPhoto", {"chat_id": "@pp"}, b"0" * (10 * 1024 * 1024 + 1))
    assert (too_big["ok"], too_big["error_code"]) == (False, 400)

    message_id = sent["result"]["message_id"]
    assert call("pinChatMessage", {"chat_id": "@pp", "message_id": message_id}) == {"ok": True, "result": True}
    assert emulator.pinned("@pp") == message_id
    missing = call("pinChatMessage", {"chat_id": "@pp", "message_id": 999})
    assert missing["error_code"] == 400
    emulator.forbid_pin("@pp")
    refused = call("pinChatMessage", {"chat_id": "@pp", "message_id": message_id})
    assert refused["error_code"] == 400 and "rights" in refused["description"]
