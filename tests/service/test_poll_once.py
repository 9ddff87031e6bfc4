"""`monitor poll-once` end to end: local feeds → matching → stories → Telegram emulator."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from test_restore import poll

from storage.db import open_database
from storage.models import Alert

CHANNELS = [
    {"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]},
    {"name": "eeuu", "chat_id": "@eeuu_test", "topics": ["us_actions"]},
    {"name": "english", "chat_id": "@all_english", "topics": ["political_prisoners", "us_actions"],
     "languages": ["en"]},
]


def newsroom(world) -> None:
    world.feed("pitazo", "es")
    world.feed("bbc", "en")
    world.feed("deportes", "es")
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón",
                  "Familiares esperaban frente al penal en Aragua.")
    world.publish("pitazo", "EEUU sanciona a 12 tanqueros que transportaban crudo venezolano",
                  "La OFAC incluyó a las navieras en su lista.")
    world.publish("bbc", "Venezuela frees 87 political prisoners from Tocorón prison",
                  "Relatives gathered outside the prison in Aragua state.")
    world.publish("deportes", "Machado marca dos goles en la victoria del Deportivo Táchira")
    world.publish("deportes", "Lanzan nuevo álbum de salsa en Caracas")
    world.publish("bbc", "US strikes Houthi targets in Yemen", "The Pentagon said radar sites were hit.")
    # an old item on the first poll: stored, never alerted
    world.publish("pitazo", "Excarcelan a 30 presos políticos en Carabobo", age=timedelta(days=3))
    world.write_config(CHANNELS)


def test_each_relevant_story_reaches_each_channel_once(world):
    newsroom(world)
    result = world.monitor("poll-once")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("pitazo: 2 new") for line in lines), result.stdout
    assert any(line.startswith("deportes: 2 new") for line in lines), result.stdout

    presos = world.emulator.messages("@presos_test")
    assert len(presos) == 1, world.texts("@presos_test")
    # whichever outlet was polled first makes the message; the other is named in an edit
    assert "87" in presos[0].text and "Tocorón" in presos[0].text
    assert len(presos[0].edits) == 1
    assert "bbc" in presos[0].text.lower() and "pitazo" in presos[0].text.lower()

    eeuu = world.texts("@eeuu_test")
    assert len(eeuu) == 1 and "tanqueros" in eeuu[0]

    english = world.texts("@all_english")
    assert len(english) == 1 and "Venezuela frees 87" in english[0]

    everything = " ".join(m.text for msgs in world.emulator.all_messages().values() for m in msgs)
    for noise in ("Machado", "álbum", "Houthi", "Carabobo"):
        assert noise not in everything

    again = world.monitor("poll-once")
    assert again.returncode == 0, again.stderr
    assert all("304" in line for line in again.stdout.splitlines()[:3]), again.stdout
    assert len(world.emulator.messages("@presos_test")) == 1
    assert len(world.texts("@eeuu_test")) == 1


def test_dry_run_prints_and_keeps_the_alerts_queued(world):
    newsroom(world)
    dry = world.monitor("poll-once", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "87 presos políticos" in dry.stdout or "87 political prisoners" in dry.stdout, dry.stdout
    assert "tanqueros" in dry.stdout
    assert "Machado" not in dry.stdout
    assert world.emulator.all_messages() == {} or not any(world.emulator.all_messages().values())

    db = open_database(world.db_url)
    with db.session() as s:
        statuses = {a.status for a in s.scalars(select(Alert))}
    db.dispose()
    assert statuses == {"pending"}

    real = world.monitor("poll-once")
    assert real.returncode == 0, real.stderr
    assert len(world.emulator.messages("@presos_test")) == 1
    assert len(world.texts("@eeuu_test")) == 1


def test_a_failing_feed_does_not_stop_the_others(world):
    newsroom(world)
    world.server.set_route("/pitazo.xml", b"<html><body>Service unavailable</body>", status=500)
    result = world.monitor("poll-once")
    assert result.returncode == 0
    assert any(line.startswith("pitazo: error") for line in result.stdout.splitlines()), result.stdout
    assert len(world.texts("@all_english")) == 1  # bbc still delivered


def test_poll_once_exit_2_on_invalid_config(world):
    world.write_config([], raw="feeds: [\n")
    result = world.monitor("poll-once")
    assert result.returncode == 2 and "(YAML syntax)" in result.stderr


def test_a_feed_paused_from_the_admin_chat_is_left_out_unless_named(world):
    from storage.models import Feed

    newsroom(world)
    poll(world)  # in process: the polls after the pause are what this test is about
    db = open_database(world.db_url)
    with db.session() as s:
        s.scalars(select(Feed).where(Feed.name == "pitazo")).one().paused = True
        s.commit()
    world.publish("pitazo", "Excarcelan a la periodista Ana Pérez en Caracas")

    result = world.monitor("poll-once")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert not any(line.startswith("pitazo: ") and "paused" not in line for line in lines), result.stdout
    assert any(line.startswith("pitazo: paused") and "--feed pitazo" in line for line in lines)
    assert any(line.startswith("bbc: ") for line in lines), result.stdout
    assert not any("Ana Pérez" in t for t in world.texts("@presos_test"))

    named = world.monitor("poll-once", "--feed", "pitazo")
    assert named.returncode == 0, named.stderr
    assert any(line.startswith("pitazo: 1 new") for line in named.stdout.splitlines()), named.stdout
    assert any("Ana Pérez" in t for t in world.texts("@presos_test"))
    with db.session() as s:  # naming it polls it once; the pause stays
        assert s.scalars(select(Feed).where(Feed.name == "pitazo")).one().paused is True


def test_without_a_token_poll_once_warns_that_the_telegram_channels_get_nothing(world):
    """An env file not loaded: the alerts for @presos_test are printed and marked sent; the
    operator is told which channels miss them (before: not a word)."""
    newsroom(world)
    result = world.monitor("poll-once", TELEGRAM_BOT_TOKEN="")
    assert result.returncode == 0, result.stderr
    assert "warning: TELEGRAM_BOT_TOKEN is not set: the alerts of 3 Telegram channel(s), " \
           "presos (@presos_test), eeuu (@eeuu_test), english (@all_english)," in result.stderr
    assert "87" in result.stdout  # printed instead
    assert not any(world.emulator.all_messages().values())

    with_token = world.monitor("poll-once")
    assert with_token.returncode == 0, with_token.stderr
    assert "TELEGRAM_BOT_TOKEN is not set" not in with_token.stderr


def test_an_unknown_feed_is_refused_with_the_names_to_choose_from(world):
    newsroom(world)
    result = world.monitor("poll-once", "--feed", "pitaso")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: no such feed: pitaso; feeds: pitazo, bbc, deportes"
    assert not any(world.emulator.all_messages().values())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_summary_that_cannot_be_written_still_delivers_then_exits_1_in_one_line(world):
    """`monitor poll-once >> /var/log/poll.log` on a full disk: the first summary line failed,
    and the pass stopped there with a traceback, its alerts queued and none sent."""
    newsroom(world)
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "monitor", "poll-once", "--config", str(world.config_path),
             "--db", world.db_url], env=world.env(), stdout=full, stderr=subprocess.PIPE,
            text=True, timeout=120, cwd=world.tmp,
        )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert said == ["error: cannot write the output: No space left on device (the pass was "
                    "done: its summary is lost)"], result.stderr
    assert len(world.emulator.messages("@presos_test")) == 1  # delivered all the same
    assert len(world.texts("@eeuu_test")) == 1
