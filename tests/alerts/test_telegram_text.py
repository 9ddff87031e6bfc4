"""Telegram text under hostile input (issue 13): URLs over 2,000 characters are dropped
with their domain kept, bidirectional controls are stripped, and every message, the
plain-text fallback and digest entries included, fits 4,096 UTF-16 units. Messages go
through python-telegram-bot to the Bot API emulator, which enforces the limit."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alerts_helpers import TOKEN, Cls
from sqlalchemy import select

from alerts.delivery import DeliveryWorker
from alerts.outbox import enqueue_for_item
from alerts.render import (
    BIDI_CONTROLS,
    MAX_TEXT,
    DigestEntry,
    clean,
    html_to_text,
    render_digest,
    tg_len,
)
from alerts.telegram import TelegramSender
from devtools.emulator import BotApiEmulator
from storage.models import Alert

PP = ["political_prisoners"]
CHAT = "@pp_channel"
LONG_URL = "https://elpitazo.net/politica/" + "excarcelan-a-presos-" * 250  # 5,030 characters
BIDI = "".join(map(chr, BIDI_CONTROLS))
SPOOFED = "Excarcelan a 10 presos \u202egnp.exe\u202c en \u2066Tocorón\u2069 \u200fhoy\u200e \u061c"


def no_bidi(text: str) -> bool:
    return not any(ch in BIDI for ch in text)


async def deliver(config, runtime, db) -> None:
    worker = DeliveryWorker(config, runtime, db, out=io.StringIO(), request_timeout=10.0)
    await worker.start()
    try:
        stats = await worker.deliver_pending()
    finally:
        await worker.close()
    assert stats.failed == 0 and stats.retried == 0, stats


async def test_a_5000_character_url_keeps_only_its_domain(db, emulator: BotApiEmulator, make_config, runtime, add_item):
    assert len(LONG_URL) > 5_000
    config = make_config([{"name": "pp", "chat_id": CHAT, "topics": PP}])
    now = datetime.now(UTC)
    with db.session() as s:
        for i in range(2):
            item = add_item(s, "elpitazo", f"Excarcelan a {i + 5} presos políticos en Tocorón",
                            summary=f"Ver {LONG_URL} y más. " * 2, url=LONG_URL + str(i))
            enqueue_for_item(s, item, Cls(PP, "high", {"political_prisoners": ["presos"]}), config, now=now)
        [_, second] = s.scalars(select(Alert).order_by(Alert.id)).all()
        # Telegram refuses the second one's HTML: the plain-text fallback goes out instead
        second.payload = {**second.payload, "html": "<b>unclosed"}
    await deliver(config, runtime, db)
    html_msg, plain_msg = emulator.messages(CHAT)
    assert html_msg.parse_mode == "HTML" and plain_msg.parse_mode is None
    for msg in (html_msg, plain_msg):
        assert "excarcelan-a-presos-excarcelan" not in msg.raw  # neither as link nor as text
        assert "elpitazo.net" in msg.text
        assert tg_len(msg.text) <= MAX_TEXT
    assert "href" not in html_msg.raw


async def test_bidi_controls_never_reach_a_message(db, emulator: BotApiEmulator, make_config, runtime, add_item):
    config = make_config([{"name": "pp", "chat_id": CHAT, "topics": PP}])
    with db.session() as s:
        item = add_item(s, "elpitazo", SPOOFED, summary=f"{SPOOFED}. Foro Penal \u202dverificó\u202c.",
                        url="https://elpitazo.net/a\u202e1")
        enqueue_for_item(s, item, Cls(PP, "high", {"political_prisoners": ["presos"]}), config,
                         now=datetime.now(UTC))
    await deliver(config, runtime, db)
    [msg] = emulator.messages(CHAT)
    assert no_bidi(msg.raw) and no_bidi(msg.text)
    assert "Excarcelan a 10 presos gnp.exe en Tocorón hoy" in msg.text
    assert clean(SPOOFED) == "Excarcelan a 10 presos gnp.exe en Tocorón hoy"


async def test_digest_entries_with_long_urls_and_spoofed_titles_fit(emulator: BotApiEmulator):
    entries = [
        DigestEntry(topic="political_prisoners", urgency="high", title=f"{SPOOFED} {i} " + "palabra " * 60,
                    outlet="El Pitazo", published=datetime(2026, 2, 3, 12, i, tzinfo=UTC).isoformat(),
                    url=f"{LONG_URL}{i}", sources=2)
        for i in range(40)
    ]
    parts = render_digest(entries, "es", ZoneInfo("America/Caracas"), heading_time=datetime(2026, 2, 3, tzinfo=UTC))
    assert len(parts) > 1
    sender = TelegramSender(TOKEN, emulator.api_url, timeout=10.0)
    await sender.start()
    try:
        for part in parts:
            assert tg_len(html_to_text(part.html)) <= MAX_TEXT and tg_len(part.text) <= MAX_TEXT
            await sender.send(CHAT, part.html, html=True, preview=False)
            await sender.send(CHAT, part.text, html=False, preview=False)  # the fallback
    finally:
        await sender.close()
    sent = emulator.messages(CHAT)
    assert len(sent) == 2 * len(parts)
    shown = "\n".join(m.text for m in sent)
    assert shown.count("El Pitazo +1 medio") == 2 * len(entries)
    assert "elpitazo.net" in shown and "excarcelan-a-presos-excarcelan" not in shown
    assert no_bidi("".join(m.raw for m in sent))


async def test_a_link_with_spaces_or_quotes_is_sent_percent_encoded(
    db, emulator: BotApiEmulator, make_config, runtime, add_item
):
    """Feeds give links as written ("…/excarcelan presos.html", feedparser keeps the spaces): such
    a link was dropped, and the alert went out with neither a link nor the outlet's domain."""
    config = make_config([{"name": "pp", "chat_id": CHAT, "topics": PP}])
    urls = ["https://elpitazo.net/2026/01/excarcelan presos politicos.html", 'https://elpitazo.net/buscar?q="Tocorón"']
    with db.session() as s:
        for i, url in enumerate(urls):
            item = add_item(s, "elpitazo", f"Excarcelan a {i + 5} presos políticos en Tocorón", url=url)
            enqueue_for_item(s, item, Cls(PP, "high", {"political_prisoners": ["presos"]}), config,
                             now=datetime.now(UTC))
        [_, second] = s.scalars(select(Alert).order_by(Alert.id)).all()
        second.payload = {**second.payload, "html": "<b>unclosed"}  # its plain-text fallback goes out
    await deliver(config, runtime, db)
    html_msg, plain_msg = emulator.messages(CHAT)
    assert 'href="https://elpitazo.net/2026/01/excarcelan%20presos%20politicos.html"' in html_msg.raw
    assert "https://elpitazo.net/buscar?q=%22Tocorón%22" in plain_msg.text


def test_every_wording_of_a_reply_to_a_deleted_message_is_read_as_gone() -> None:
    """Replies are sent without allow_sending_without_reply, so a reply whose message was deleted
    must be recognised in each wording the Bot API has used, or its figure ends `failed`."""
    from telegram.error import BadRequest

    from alerts.telegram import reply_gone

    for wording in ("Bad Request: message to be replied not found", "Bad Request: replied message not found",
                    "Bad Request: reply message not found"):
        assert reply_gone(BadRequest(wording)), wording
    assert not reply_gone(BadRequest("Bad Request: chat not found"))
