"""`monitor run` as a process: health endpoints, clean stop, crash and restart, hot reload."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from service_world import wait_for
from sqlalchemy import func, select

from devtools.emulator import BotApiEmulator
from storage.db import open_database
from storage.models import Alert, Feed, Item

PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
PLACES = ["Tocorón", "Tocuyito", "El Helicoide", "Rodeo I", "Yare", "Ramo Verde", "Zona 7",
          "Barquisimeto", "Maturín", "Mérida", "Cumaná", "Puerto Ordaz"]
VERBS = ["Excarcelan a", "Liberan a", "Sueltan a"]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def releases(world, feed: str, n: int, start: int = 0) -> list[str]:
    """`n` distinct release stories (different numbers and prisons: never one story)."""
    titles = []
    for k in range(start, start + n):
        title = f"{VERBS[k % 3]} {101 + k} presos políticos en {PLACES[k % len(PLACES)]}"
        world.publish(feed, title, "Familiares confirmaron las excarcelaciones.")
        titles.append(title)
    return titles


def delivered(world, chat: str = "@presos_test") -> Counter[str]:
    """How many messages (edits not counted) carry each story's title."""
    return Counter(next((line for line in m.text.splitlines() if "presos políticos" in line), m.text)
                   for m in world.emulator.messages(chat))


def queue(world) -> dict[str, int]:
    db = open_database(world.db_url)
    with db.session() as s:
        rows = dict(s.execute(select(Alert.status, func.count(Alert.id)).group_by(Alert.status)).all())
    db.dispose()
    return rows


def test_health_metrics_and_sigterm(world):
    world.feed("pitazo")
    world.publish("pitazo", "Detienen al periodista Luis Pérez en Caracas, denuncia el SNTP")
    world.write_config(PRESOS)
    # a machine-wide proxy that cannot reach this machine's loopback: the feed and the Bot API
    # (both on 127.0.0.1) are reached directly, as they were before it was set
    proc = world.start(env={"HTTP_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
    wait_for(lambda: world.emulator.messages("@presos_test"), 60, "the first alert")
    # Telegram has the message before the worker records its send: the row leaves the queue a
    # moment later (a clean-clone run read queue_depth 1 in between)
    wait_for(lambda: json.loads(get(f"http://127.0.0.1:{world.http_port}/healthz")[1])["queue_depth"] == 0,
             10, "the send recorded")

    status, body = get(f"http://127.0.0.1:{world.http_port}/healthz")
    report = json.loads(body)
    assert status == 200, body
    assert report["status"] == "ok" and report["scheduler"]["alive"] is True
    assert report["database"]["reachable"] is True
    assert report["queue_depth"] == 0
    assert 0 <= report["last_successful_poll_age_s"] < 60

    status, metrics = get(f"http://127.0.0.1:{world.http_port}/metrics")
    assert status == 200
    assert 'monitor_polls_total{feed="pitazo",status="new"} 1.0' in metrics
    assert 'monitor_items_total{feed="pitazo"} 1.0' in metrics
    assert 'monitor_matches_total{topic="political_prisoners"} 1.0' in metrics
    assert "monitor_alert_queue_depth 0.0" in metrics
    assert report["telegram"] == {"outage": False, "failures_in_a_row": 0, "failing_since": None}
    assert "monitor_bot_api_outage 0.0" in metrics
    assert 'monitor_alerts_sent_total{channel="presos"} 1.0' in metrics
    assert 'python_gc_collections_total{generation="2"}' in metrics

    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    assert time.monotonic() - started < 10
    log = world.log_of()
    assert "starting: 1 feeds" in log and "stopped" in log
    assert "HTTPS_PROXY/HTTP_PROXY set: feeds and articles are fetched directly" in log
    assert "gc thresholds 10000/10/10, malloc arenas 2" in log  # set for a long run with a large heap (monitor/heap.py)
    assert "123456789:TEST" not in log and "TEST-token" not in log


def test_a_bot_api_outage_shows_in_health_and_metrics_until_a_send_goes_through(world):
    def health() -> dict:
        try:
            return json.loads(get(f"http://127.0.0.1:{world.http_port}/healthz")[1])
        except OSError:  # not listening yet
            return {"telegram": {"outage": False}}

    def metrics() -> str:
        return get(f"http://127.0.0.1:{world.http_port}/metrics")[1]

    world.feed("pitazo")
    world.write_config(PRESOS + [{"name": "otro", "chat_id": "@otro_test", "topics": ["political_prisoners"]}])
    world.emulator.set_down(True, "502")
    titles = releases(world, "pitazo", 2)  # each story goes to both channels
    world.start()
    wait_for(lambda: health()["telegram"]["outage"], 60, "the outage seen")
    report = health()
    assert report["status"] == "ok"  # the service itself is well: alerts wait in the queue
    assert report["telegram"]["failures_in_a_row"] >= 3 and report["telegram"]["failing_since"]
    assert "monitor_bot_api_outage 1.0" in metrics()

    world.emulator.set_down(False)
    wait_for(lambda: len(world.emulator.messages("@presos_test")) == len(world.emulator.messages("@otro_test"))
             == len(titles), 60, "every alert after the outage")
    assert health()["telegram"]["outage"] is False
    assert "monitor_bot_api_outage 0.0" in metrics()
    assert "the Bot API answers again after an outage" in world.log_of()


def test_sigterm_during_a_burst_loses_nothing(world):
    world.feed("pitazo")
    titles = releases(world, "pitazo", 12)
    world.write_config(PRESOS, settings={"channel_rate_per_minute": 3})  # 3 at once, then waits
    proc = world.start()
    wait_for(lambda: len(world.emulator.messages("@presos_test")) >= 2, 60, "the burst to start")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    sent_before = len(world.emulator.messages("@presos_test"))
    assert sent_before < len(titles)
    assert queue(world).get("sending", 0) == 0  # nothing left half-sent

    world.write_config(PRESOS, settings={"channel_rate_per_minute": 600})
    world.start()
    wait_for(lambda: len(world.emulator.messages("@presos_test")) >= len(titles), 90, "the rest")
    time.sleep(1)
    counts = delivered(world)
    assert sorted(counts) == sorted(titles)
    assert set(counts.values()) == {1}  # no loss, no duplicate
    assert queue(world) == {"sent": len(titles)}


def test_kill_9_and_restart_loses_nothing_and_does_not_flood(world):
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 30 presos políticos en Carabobo", age=timedelta(days=4))
    titles = releases(world, "pitazo", 10)
    world.write_config(PRESOS, settings={"channel_rate_per_minute": 30})
    proc = world.start()
    wait_for(lambda: len(world.emulator.messages("@presos_test")) >= 2, 60, "the burst to start")
    proc.kill()
    proc.wait(10)

    world.write_config(PRESOS, settings={"channel_rate_per_minute": 600, "delivery_lease": "3s"})
    world.start()
    wait_for(lambda: set(delivered(world)) >= set(titles), 90, "every alert after the restart")
    time.sleep(2)
    counts = delivered(world)
    assert set(counts) == set(titles)  # the old item never shows up: no flood
    assert sum(counts.values()) - len(titles) <= 1  # at most the one in flight at the crash


def test_hot_reload_of_a_valid_and_an_invalid_file(world):
    world.feed("pitazo")
    world.feed("cocuyo")
    world.publish("pitazo", "Detienen al periodista Luis Pérez en Caracas, denuncia el SNTP")
    world.write_config(PRESOS, feeds=["pitazo"])
    world.start()
    wait_for(lambda: len(world.emulator.messages("@presos_test")) == 1, 60, "the first alert")

    # a valid change: a new feed and a new channel, without a restart
    world.publish("cocuyo", "Liberan a dirigente sindical detenido en El Helicoide")
    channels = [*PRESOS, {"name": "copia", "chat_id": "@copia_test", "topics": ["political_prisoners"]}]
    world.write_config(channels, feeds=["pitazo", "cocuyo"])
    # each channel's alerts go out in their own order: the new channel may get its copy of the
    # earlier story, or this one, before the old channel gets this one
    wait_for(lambda: any("El Helicoide" in t for t in world.texts("@copia_test")), 60,
             "the new feed's alert in the new channel")
    wait_for(lambda: any("El Helicoide" in t for t in world.texts("@presos_test")), 30,
             "the new feed's alert in the old channel")
    assert "config reloaded" in world.log_of()

    # an invalid change is rejected with check-config's messages; the last valid config stays
    world.write_config([], raw=world.config_path.read_text().replace("interval: 30s", "interval: 5s", 1))
    wait_for(lambda: "config reload rejected" in world.log_of(), 30, "the rejection in the log")
    assert "feeds[0].interval (line" in world.log_of() and "too short" in world.log_of()
    assert world.procs[-1].poll() is None
    status, body = get(f"http://127.0.0.1:{world.http_port}/healthz")
    assert status == 200, body


def test_without_a_token_the_start_and_a_reload_name_the_telegram_channels(world):
    """No token: the channels print and their alerts are marked sent. The start-up line said
    only `delivery console (no bot token)`; now a warning names the Telegram channels that get
    nothing, at the start and again when a reload adds one."""
    world.feed("pitazo")
    world.write_config(PRESOS)
    world.start(env={"TELEGRAM_BOT_TOKEN": ""})
    wait_for(lambda: "health and metrics on" in world.log_of(), 30, "the service to start")
    log = world.log_of()
    assert "WARNING" in log and "TELEGRAM_BOT_TOKEN is not set: the alerts of 1 Telegram channel(s), " \
        "presos (@presos_test), are printed here and marked sent" in log, log

    channels = [*PRESOS, {"name": "copia", "chat_id": "@copia_test", "topics": ["political_prisoners"]}]
    world.write_config(channels)
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload")
    wait_for(lambda: "2 Telegram channel(s), presos (@presos_test), copia (@copia_test)" in world.log_of(),
             10, "the warning naming the added channel")


def test_operator_chat_in_the_running_service(world):
    world.feed("pitazo")
    world.publish("pitazo", "Detienen al periodista Luis Pérez en Caracas, denuncia el SNTP")
    world.write_config(PRESOS, settings={"admin_chat_id": 4242, "admin_user_ids": [7]})
    world.start()
    wait_for(lambda: world.emulator.messages("@presos_test"), 60, "the first alert")

    world.emulator.inject_message(999, "/pause pitazo", from_id=999)  # a stranger
    world.emulator.inject_message(4242, "/pause pitazo", from_id=7)
    reply = wait_for(lambda: world.emulator.messages("4242"), 30, "the reply in the admin chat")
    assert "pitazo" in reply[0].text and "paus" in reply[0].text.lower()
    assert world.emulator.messages("999") == []

    db = open_database(world.db_url)
    with db.session() as s:
        assert s.scalar(select(Feed.paused).where(Feed.name == "pitazo")) is True
    db.dispose()

    world.emulator.inject_message(4242, "/status", from_id=7)
    wait_for(lambda: len(world.emulator.messages("4242")) >= 2, 30, "the /status reply")
    assert "pitazo" in world.emulator.messages("4242")[1].text


def test_the_operator_chat_answers_after_the_emulator_is_restarted(world):
    """An operator trying the bot with `python -m devtools.emulator` (README) stops it and starts
    it again: its first command was ignored, its update id the same as the first emulator's, which
    the service had answered ("update 500000001 was answered already", for two days)."""
    world.feed("pitazo")
    world.write_config(PRESOS, settings={"admin_chat_id": 4242, "admin_user_ids": [7]})
    first = world.start()
    world.emulator.inject_message(4242, "/status", from_id=7)
    wait_for(lambda: world.emulator.messages("4242"), 60, "the answer of the first emulator")
    first.send_signal(signal.SIGTERM)
    assert first.wait(30) == 0
    world.emulator.stop()

    with BotApiEmulator() as again:
        world.emulator = again
        world.start()
        again.inject_message(4242, "/status", from_id=7)
        [answer] = wait_for(lambda: again.messages("4242"), 60, "the answer of the emulator started again")
        assert "pitazo" in answer.text
    assert "answered already" not in world.log_of()


def test_sighup_reloads_the_config(world):
    world.feed("pitazo")
    world.write_config(PRESOS)
    proc = world.start()
    wait_for(lambda: "health and metrics on" in world.log_of(), 30, "the service to start")
    assert "config reloaded" not in world.log_of()
    proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload after SIGHUP")
    assert proc.poll() is None


def test_sigterm_while_a_backlog_is_classified_stops_within_10_s(world):
    """The start-up round's backlog is classified in a worker thread; a stop ends it after
    the item in hand (the rest stay pending) instead of running on until it is all done."""
    for f in range(20):
        world.feed(f"f{f}")
        for k in range(150):
            world.publish(f"f{f}", f"Detienen al dirigente {f}-{k} en {PLACES[k % len(PLACES)]}, "
                          f"denuncia Foro Penal: ya son {700 + k * 20 + f} presos políticos")
    world.write_config(PRESOS, settings={"channel_rate_per_minute": 600})
    proc = world.start()
    wait_for(lambda: "classifying the backlog" in world.log_of(), 90, "the start-up round's end")
    time.sleep(1)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(15)
    took = time.monotonic() - started
    assert proc.returncode == 0 and took < 10, f"stopped after {took:.0f} s"

    db = open_database(world.db_url)
    with db.session() as s:
        pending = s.scalar(select(func.count(Item.id)).where(Item.classified_at.is_(None)))
    db.dispose()
    assert pending > 0  # left for the next start, which classifies them first


def test_a_config_made_readable_again_is_reloaded(world):
    """feeds.yaml written unreadable (mode 600 by root, umask 077) is refused; the chmod that
    fixes it changes no modification time, and the watcher reloads it all the same."""
    world.feed("pitazo")
    world.feed("cocuyo")
    world.write_config(PRESOS, feeds=["pitazo"])
    prefix: list[str] = []
    if os.geteuid() == 0:  # root reads any file, unless without these two capabilities
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: every file is readable")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]
    world.start(prefix=prefix)
    wait_for(lambda: "health and metrics on" in world.log_of(), 30, "the service to start")

    world.write_config(PRESOS, feeds=["pitazo", "cocuyo"])
    world.config_path.chmod(0)
    wait_for(lambda: "config reload rejected" in world.log_of(), 30, "the unreadable file refused")
    assert "Permission denied" in world.log_of()
    world.config_path.chmod(0o644)
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload once the file is readable")
    assert "feeds added: cocuyo" in world.log_of()


def test_sighup_while_starting_reloads_once_started(world):
    """`systemctl reload` during a start (here: a backlog of 1,500 items left unclassified by
    the last stop, classified before the service is up) ended the process, SIGHUP's default."""
    from core.config import load_config
    from monitor.service import sync_config

    world.feed("pitazo")
    world.write_config(PRESOS)
    db = open_database(world.db_url)
    sync_config(load_config(world.config_path), db)
    now = datetime.now(UTC)
    with db.session() as s:
        feed_id = s.scalar(select(Feed.id))
        s.add_all(Item(feed_id=feed_id, guid=f"old-{k}", url=f"https://example.org/{k}",
                       title=f"Detienen al dirigente {k} en {PLACES[k % len(PLACES)]}, denuncia Foro Penal",
                       published_at=now - timedelta(days=3), content_hash=f"{k:064d}", backfill=True)
                  for k in range(1500))
    db.dispose()

    proc = world.start()
    wait_for(lambda: "starting:" in world.log_of(), 60, "the start")
    proc.send_signal(signal.SIGHUP)
    wait_for(lambda: proc.poll() is not None or "health and metrics on" in world.log_of(), 120, "the end of the start")
    assert proc.poll() is None, f"the process ended at the SIGHUP: {proc.returncode}"
    wait_for(lambda: "config reloaded" in world.log_of(), 30, "the reload asked for while starting")
