"""A roundup channel gets the figures a story's later reports bring (end to end: feed server,
poll-once, the Bot API emulator, SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from test_restore import poll  # poll-once in process
from test_update_replies import ASCIENDEN_8, FORO_PENAL_8, JORGE

from alerts.digest import enqueue_digest
from core.config import load_config
from storage.db import open_database

ROUNDUP = [{"name": "resumen", "chat_id": "@resumen_test", "topics": ["political_prisoners"], "mode": "digest",
            "schedule": ["09:00"]}]


def _roundup(world) -> None:
    """A roundup queued now (as the service's tick queues it), then sent by the next poll-once."""
    db = open_database(world.db_url)
    try:
        with db.session() as s:
            enqueue_digest(s, load_config(world.config_path), "resumen", now=datetime.now(UTC))
    finally:
        db.dispose()
    poll(world)


def test_a_roundup_tells_the_figures_a_story_told_earlier_was_given_since(world):
    """9 January replayed with a roundup channel: the release wave was listed once, on 8
    January, by "Jorge Rodríguez anunció la liberación…", and no roundup after it told Foro
    Penal's 8 of the 9th, nor its 12, 14, 15 and 17 of the 10th and 11th: the instant channels'
    replies had them, a roundup subscriber never did. The roundup after them lists the story
    again by the report that brought the figure, the figure first; the one after that does not."""
    for name in ("infobae", "noticiero"):
        world.feed(name, "es")
    world.publish("infobae", JORGE, age=timedelta(hours=5))
    world.write_config(ROUNDUP)
    poll(world)
    _roundup(world)
    world.publish("infobae", ASCIENDEN_8, age=timedelta(hours=2))
    world.publish("noticiero", FORO_PENAL_8, age=timedelta(minutes=10))
    poll(world)
    _roundup(world)
    _roundup(world)  # nothing new: no roundup

    first, second = world.emulator.messages("@resumen_test")
    assert "Jorge Rodríguez anunció" in first.text, first.text
    lines = [line for line in second.text.splitlines() if line.startswith("🟠") or line.startswith("🔴")]
    assert lines and lines[0].split(" — ")[0].endswith("📊 8 verificados por Foro Penal"), second.text
    assert "FORO PENAL VERIFICÓ" in lines[0] and "noticiero" in lines[0], second.text
    assert "Presos políticos (1 noticia)" in second.text, second.text


def test_a_roundup_tells_a_range_whole(world):
    """18 January replayed (w0893, w1087): "Reportan que entre 139 y 155 presos políticos han sido
    excarcelados" joined the story of Foro Penal's 84; its line read "📊 155 excarcelados", the
    range's end taken for the latest figure of its event and source."""
    for name in ("infobae", "laverdad"):
        world.feed(name, "es")
    world.publish("infobae", "Foro Penal verificó 84 excarcelaciones de presos políticos en Venezuela desde el 8 "
                  "de enero", age=timedelta(hours=5))
    world.write_config(ROUNDUP)
    poll(world)
    _roundup(world)
    world.publish("laverdad", "Reportan que entre 139 y 155 presos políticos han sido excarcelados",
                  age=timedelta(minutes=10))
    poll(world)
    _roundup(world)

    _, second = world.emulator.messages("@resumen_test")
    assert "📊 139–155 excarcelados — Reportan que entre 139 y 155" in second.text, second.text
