"""Three `monitor run` replicas on one PostgreSQL, 300 feeds, the leader killed with kill -9
mid-run (issue 17). Skipped without TEST_DATABASE_URL (.ci/run starts a server).

Intervals, the leader lease and the poll margin are shortened by tests/service/replica_child.py
so that the run takes seconds; a digest channel has one slot during the run, after the kill.
Checked from outside: the feed server's hits (each feed polled once per interval, give or
take one around the kill), the Bot API emulator (each alert once, each digest once, the command
the leader was answering when killed answered once, by the next leader, and one sent later
once) and /healthz (one leader, then another within two leases).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from service_world import TOKEN, World, free_port, wait_for
from sqlalchemy import select

from storage.db import open_database
from storage.models import Alert, Item
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")

FEEDS = 300
INTERVAL = 10.0
TTL = 3.0
CHILD = Path(__file__).with_name("replica_child.py")
NAMES = ["Ana Rojas", "Luis Pérez", "Carla Díaz", "Jesús Mora", "Elena Ruiz", "Pedro Salas",
         "Rosa Gil", "Iván Soto", "Nora León", "Hugo Vera", "Marta Peña", "Raúl Cano"]
CITIES = ["Caracas", "Maracaibo", "Valencia", "Barquisimeto", "Mérida", "Cumaná"]
PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
DIGEST_LEAD = 45.0  # seconds from the start to the digest slot, at least: after the kill


def digest_slots(now: datetime) -> list[datetime]:
    """The first minute mark (UTC; a schedule is HH:MM) at least DIGEST_LEAD s away."""
    return [(now + timedelta(seconds=DIGEST_LEAD + 60)).replace(second=0, microsecond=0)]


def healthz(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return dict(json.loads(r.read()))
    except urllib.error.HTTPError as exc:  # 503 carries the report too
        return dict(json.loads(exc.read()))
    except OSError:
        return None


def leader_of(ports: dict[int, int]) -> list[int]:
    """Indices of the replicas whose /healthz says they lead."""
    out = []
    for i, port in ports.items():
        report = healthz(port)
        if report and report.get("replica", {}).get("leader"):
            out.append(i)
    return out


@pytest.mark.slow(seconds=111)  # started first (tests/conftest.py)
@pytest.mark.timeout(300)  # the digest slot is on a minute mark: up to 105 s from the start
def test_three_replicas_one_killed(world: World) -> None:
    assert PG is not None
    _reset(PG)
    for i in range(FEEDS):
        world.feed(f"f{i:03d}")
    # 300 feeds on one local host: per-host politeness of 2 requests at a time would make
    # the host, not the replicas, the limit at a 6 s interval.
    slots = digest_slots(datetime.now(UTC))
    digest = {"name": "resumen", "chat_id": "@resumen_test", "topics": ["political_prisoners"],
              "mode": "digest", "schedule": [f"{t:%H:%M}" for t in slots], "tally_chart": False}
    world.write_config(PRESOS + [digest], settings={
        "admin_chat_id": 4242, "admin_user_ids": [7], "per_host_concurrency": 10, "timezone": "UTC"})
    ports = {i: free_port() for i in range(3)}
    procs: dict[int, subprocess.Popen[bytes]] = {}
    # The replicas start together: they migrate the new database in turn (advisory lock).
    for i, port in ports.items():
        log = (world.tmp / f"replica-{i}.log").open("w")
        procs[i] = subprocess.Popen(
            [sys.executable, str(CHILD), str(world.config_path), PG, str(INTERVAL), str(TTL), str(port)],
            env=world.env(), stdout=subprocess.DEVNULL, stderr=log, cwd=world.tmp,
        )
    try:
        leaders = wait_for(lambda: leader_of(ports), 30, "a leader")
        assert len(leaders) == 1, leaders
        wait_for(lambda: all(world.server.hits(f"/f{i:03d}.xml") for i in range(FEEDS)), 30,
                 "a first poll of every feed")
        start = time.monotonic()
        before = polls(world)
        titles = []
        for k in range(6):  # relevant news before the kill
            titles.append(world.publish(f"f{k * 7:03d}", f"Detienen a {NAMES[k]} en {CITIES[k]}, "
                                        "denuncia Foro Penal que es un preso político").title)
        time.sleep(INTERVAL * 1.5)
        # the leader now: on a loaded host a lease of 3 s may have moved once since the start
        # (a renewal late by more than the TTL), and the command goes to whoever leads
        [killed] = wait_for(lambda: leader_of(ports), 30, "a leader")
        # the leader dies while it answers a command (Telegram holds its answer): the update
        # was read and claimed, never confirmed; the next leader reads it again from Telegram,
        # waits for the dead claim to end and answers it, once
        world.emulator.hang_seconds = 30.0
        world.emulator.fail_next(1, "timeout", chat_id=4242)
        world.emulator.inject_message(4242, "/queue", from_id=7)
        leader_log = world.tmp / f"replica-{killed}.log"
        wait_for(lambda: "operator chat: /queue" in leader_log.read_text(errors="replace"), 15,
                 "the leader answering /queue")
        # killed once its answer hangs at Telegram: killed before it was sent, the injected
        # timeout waited for the next leader's first answer (the /status reply, which then timed
        # out and was never given: a failure of the test seen twice in clean-clone runs)
        wait_for(lambda: any(r.chat_id == "4242" and r.description == "timeout"
                             for r in list(world.emulator.requests)), 15, "the /queue answer hanging")
        procs[killed].send_signal(signal.SIGKILL)
        procs[killed].wait(10)
        killed_at = time.monotonic()
        for k in range(6, 12):  # and after it
            titles.append(world.publish(f"f{k * 7 + 100:03d}", f"Detienen a {NAMES[k]} en "
                                        f"{CITIES[k % 6]}, denuncia Foro Penal que es un preso político").title)
        alive = {i: p for i, p in ports.items() if i != killed}
        new_leader = wait_for(lambda: leader_of(alive), 4 * TTL + 5, "a new leader")
        moved_after = time.monotonic() - killed_at
        assert len(new_leader) == 1 and moved_after <= 2 * TTL + 2.5, (new_leader, moved_after)
        world.emulator.inject_message(4242, "/status", from_id=7)
        wait_for(lambda: stories_sent(len(titles)), 6 * INTERVAL + 10, "every relevant item alerted")
        wait_for(lambda: world.emulator.messages("4242"), 20, "the /status reply")
        wait_for(lambda: any(t.startswith("Queue:") for t in world.texts("4242")), 60,
                 "the /queue answered by the new leader")
        time.sleep(INTERVAL * 1.5)
        end = time.monotonic()
        after = polls(world)
        wait = (slots[-1] - datetime.now(UTC)).total_seconds() + 8
        if wait > 0:  # the last digest slot, and its message sent
            time.sleep(wait)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            p.wait(15)
    # Each relevant item is in one story, each story's alert went out once (a later item of
    # the same story edits that message), and Telegram got no message twice.
    stories = stories_sent(len(titles))
    assert stories
    sent = Counter(world.texts("@presos_test"))
    assert all(n == 1 for n in sent.values()), [t for t, n in sent.items() if n > 1]
    assert len(world.emulator.messages("@presos_test")) == len(stories)
    # The admin commands, each answered once: the one the dead leader was answering (by the
    # new leader), the one sent to the new leader (a long /status is split over messages).
    replies = world.texts("4242")
    assert sum(t.startswith("Queue:") for t in replies) == 1, replies
    assert sum(t.startswith("Feeds:") for t in replies) == 1, replies
    # Digests: at least one slot had stories to tell; none went out twice.
    digests = world.texts("@resumen_test")
    assert digests, "no digest sent"
    assert len(digests) == len(set(digests)) <= len(slots) * 2, digests
    assert digest_alerts_sent() == len(digests)
    # The replicas logged as the service does: the bot token never in a line (it travels in
    # every Bot API URL, which httpx logs at INFO)
    for i in ports:
        assert TOKEN not in (world.tmp / f"replica-{i}.log").read_text(errors="replace")
    # Polls of each feed while the run was measured: once per interval (the replicas' jitter
    # adds up to 5%), give or take one around the kill; never two replicas in one interval.
    expected = (end - start) / INTERVAL
    assert expected > 3
    made = [after[i] - before[i] for i in range(FEEDS)]
    assert max(made) <= expected + 1, (max(made), expected)
    assert min(made) >= expected / 1.1 - 2, (sorted(made)[:20], sum(made) / FEEDS, expected)


def stories_sent(items: int) -> set[int] | None:
    """The stories of the relevant items once every item has one and every story's "new"
    alert is sent exactly once; else None."""
    assert PG is not None
    db = open_database(PG, migrate_schema=False)
    try:
        with db.session() as s:
            story_ids = [sid for sid in s.scalars(
                select(Item.story_id).where(Item.classified_at.is_not(None), Item.backfill.is_(False))
            )]
            sent = Counter(s.scalars(select(Alert.story_id).where(
                Alert.kind == "new", Alert.status == "sent", Alert.channel == "presos")))
    finally:
        db.dispose()
    ids = {sid for sid in story_ids if sid is not None}
    if len(story_ids) < items or len(ids) < 1 or any(sent[sid] != 1 for sid in ids):
        return None
    return ids


def digest_alerts_sent() -> int:
    assert PG is not None
    db = open_database(PG, migrate_schema=False)
    try:
        with db.session() as s:
            return len(list(s.scalars(select(Alert.id).where(
                Alert.kind == "digest", Alert.status == "sent", Alert.channel == "resumen"))))
    finally:
        db.dispose()


def polls(world: World) -> list[int]:
    return [len(world.server.hits(f"/f{i:03d}.xml")) for i in range(FEEDS)]
