"""The service on PostgreSQL while another connection holds a lock on the rows it writes (`psql`
left in `BEGIN; SELECT … FOR UPDATE`, another replica's long transaction) or kills its
connections: what it could not write waits, and nothing is sent twice. Skipped without
TEST_DATABASE_URL (.ci/run starts a server)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, make_url, select

import monitor.ingest.work
import storage.db
from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import Database, open_database
from storage.models import Alert, Feed, Item, Lease
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")
PRESOS = [{"name": "presos", "chat_id": "console", "topics": ["political_prisoners"]}]


def _psql() -> psycopg.Connection[Any]:
    """Another client of the database, as `psql` would be (its own transaction)."""
    assert PG is not None
    return psycopg.connect(make_url(PG).set(drivername="postgresql").render_as_string(hide_password=False))


def _opened(world, monkeypatch) -> tuple[Any, Any, Database]:
    """The config, runtime and database of a service on one feed with one release; a lock is
    waited for 1 s (10 s in production)."""
    assert PG is not None
    _reset(PG)
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT", 1)
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 101 presos políticos en Tocorón", "Familiares confirmaron.")
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=PG, env={})
    db = open_database(PG)
    sync_config(config, db)
    return config, runtime, db


def _items_and_alerts(db: Database) -> tuple[int, int]:
    with db.session() as s:
        return (s.scalar(select(func.count()).select_from(Item)) or 0,
                s.scalar(select(func.count()).select_from(Alert)) or 0)


def test_a_poll_under_a_row_lock_psql_holds_is_refused_then_stored(world, monkeypatch):
    """PostgreSQL waits for a row lock without end: the poll's write waited in the polls'
    writer thread for as long as `psql` held the feed's row, and with it every other feed's
    writes and the stop (a SIGTERM ended `monitor run` only when the lock did)."""
    config, runtime, db = _opened(world, monkeypatch)
    holder = _psql()

    async def scenario() -> list[tuple[str, str | None]]:
        service = Service(config, runtime, db)
        try:
            holder.execute("SELECT * FROM feeds FOR UPDATE")
            first = await asyncio.wait_for(service.poll("pitazo"), 10)
            holder.rollback()
            second = await service.poll("pitazo")
            return [(first.status, first.error), (second.status, second.error)]
        finally:
            holder.rollback()  # a poll still waiting ends too
            await service.close()

    try:
        results = asyncio.run(scenario())
    finally:
        holder.close()
    assert results == [("error", "database: the database is locked: another connection (another replica, "
                        "a command, psql) held a lock on the rows for over 1 s"), ("new", None)]
    assert _items_and_alerts(db) == (1, 1)
    db.dispose()


@pytest.mark.timeout(90)
def test_a_sigterm_while_psql_holds_a_row_lock_stops_the_service(world):
    """`monitor run` logged `stopped` at once, then did not exit: the process waited for the
    polls' writer thread, which waited for the lock."""
    assert PG is not None
    _reset(PG)
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 101 presos políticos en Tocorón", "Familiares confirmaron.")
    world.write_config(PRESOS)
    db = open_database(PG)
    sync_config(load_config(world.config_path), db)
    db.dispose()
    holder = _psql()
    try:
        holder.execute("SELECT * FROM feeds FOR UPDATE")
        proc = world.start("--db", PG)
        deadline = time.monotonic() + 30
        while not world.server.hits("/pitazo.xml") and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # the poll's write waits for the lock
        proc.send_signal(signal.SIGTERM)
        asked = time.monotonic()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(20)
        took = time.monotonic() - asked
    finally:
        holder.rollback()
        holder.close()
    assert proc.wait(30) == 0
    assert took < 15, (took, world.log_of())


def test_two_replicas_storing_one_feeds_items_at_once_is_no_failure(world, monkeypatch, caplog):
    """Two replicas polled one feed at once (a lease that ran out during a long poll: articles
    fetched one by one): both looked the items up before either committed, and the second
    insert broke the unique (feed, GUID): `internal error: IntegrityError: … duplicate key`
    on the feed, a traceback in the log, a failure counted and the feed backed off."""
    config, runtime, db = _opened(world, monkeypatch)
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT", 5)
    db.dispose()
    # each replica has a thread for its polls of its own: here, two in one process
    monkeypatch.setattr(monitor.ingest.work, "WORK", ThreadPoolExecutor(2, thread_name_prefix="replicas"))
    holder = _psql()

    async def scenario() -> list[tuple[str, str | None]]:
        one, two = Service(config, runtime, db), Service(config, runtime, db)
        try:
            holder.execute("SELECT * FROM feeds FOR UPDATE")  # both writers past their look-up
            polls = asyncio.gather(one.poll("pitazo"), two.poll("pitazo"))
            await asyncio.sleep(1.5)
            holder.rollback()
            results = await asyncio.wait_for(polls, 20)
            return sorted((r.status, r.error) for r in results)
        finally:
            holder.rollback()
            await one.close()
            await two.close()

    try:
        results = asyncio.run(scenario())
    finally:
        holder.close()
    assert results == [("new", None), ("unchanged", None)]
    assert "Traceback" not in caplog.text
    with db.session() as s:
        assert s.scalar(select(Feed.consecutive_failures)) == 0
    assert _items_and_alerts(db) == (1, 1)
    db.dispose()


def test_a_feed_lease_the_database_refused_is_a_warning_and_tried_again(world, monkeypatch, caplog):
    """Replicas take a feed's lease before each poll. A refusal of that write (a lock another
    connection held on `leases`, a PostgreSQL restart) raised out of the poll: `poll of NAME
    raised` with a traceback, for each feed at each interval while it lasted."""
    config, runtime, db = _opened(world, monkeypatch)
    holder = _psql()

    async def scenario() -> None:
        service = Service(config, runtime, db, scheduler_options={"spread": timedelta(seconds=0.1)})
        holder.execute("LOCK TABLE leases IN SHARE ROW EXCLUSIVE MODE")
        running = asyncio.create_task(service.run())
        try:
            deadline = time.monotonic() + 15
            while "poll of pitazo" not in caplog.text and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
        finally:
            holder.rollback()
            service.request_stop()
            await asyncio.wait_for(running, 20)

    try:
        asyncio.run(scenario())
    finally:
        holder.close()
    assert "Traceback" not in caplog.text
    assert "poll of pitazo not run: the lease on the feed: the database is locked" in caplog.text


def test_feed_leases_refused_in_an_outage_are_one_line_not_one_per_feed(world, monkeypatch, caplog):
    """A lock on `leases` (or a server away) refuses every feed's lease: each poll not run was a
    line of its own, at each interval (1,800 lines an hour at 300 feeds, where delivery and the
    leader lease log once a minute). Now the first, then one a minute naming how many others."""
    config, runtime, db = _opened(world, monkeypatch)
    names = [f"medio{i}" for i in range(11)]
    for name in names:
        world.feed(name)
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    sync_config(config, db)
    holder = _psql()

    async def scenario() -> int:
        service = Service(config, runtime, db, scheduler_options={"spread": timedelta(seconds=0.5)})
        holder.execute("LOCK TABLE leases IN SHARE ROW EXCLUSIVE MODE")
        running = asyncio.create_task(service.run())
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                results = service.feed_scheduler.last_results if service.feed_scheduler else {}
                refused = [r for r in results.values() if (r.error or "").startswith("database: the database is locked")]
                if len(refused) == len(config.feeds):
                    break
        finally:
            holder.rollback()
            service.request_stop()
            await asyncio.wait_for(running, 20)
        return len(refused)

    try:
        refused = asyncio.run(scenario())
    finally:
        holder.close()
    assert refused == 12
    lines = [r.getMessage() for r in caplog.records if " not run: the lease on the feed" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].endswith("(logged once a minute while it lasts)")
    db.dispose()


def test_feed_leases_not_renewed_in_an_outage_are_one_line_not_one_per_feed(world, monkeypatch, caplog):
    """Each feed's lease is renewed after its poll. A lock on `leases` (or a server away) that
    came while the polls ran refused every renewal, a line each (`lease on NAME not renewed
    after its poll`, 12 lines for 12 feeds): now the first, then one a minute naming how many
    others, as the refused leases before a poll."""
    config, runtime, db = _opened(world, monkeypatch)
    names = [f"medio{i}" for i in range(11)]
    for name in names:
        world.feed(name)
    world.write_config(PRESOS)
    for name in ["pitazo", *names]:
        world.server.update_route(f"/{name}.xml", delay=1.0)  # the lock comes while they are fetched
    config = load_config(world.config_path)
    sync_config(config, db)
    holder = _psql()

    def leases_taken() -> int:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(Lease).where(Lease.name.like("poll:%"))) or 0

    async def scenario() -> int:
        service = Service(config, runtime, db, scheduler_options={"spread": timedelta(seconds=0.3)})
        running = asyncio.create_task(service.run())
        polled: dict[str, Any] = {}
        try:
            deadline = time.monotonic() + 30
            while await asyncio.to_thread(leases_taken) < len(config.feeds) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            holder.execute("LOCK TABLE leases IN SHARE ROW EXCLUSIVE MODE")
            while len(polled) < len(config.feeds) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                polled = dict(service.feed_scheduler.last_results) if service.feed_scheduler else {}
        finally:
            holder.rollback()
            service.request_stop()
            await asyncio.wait_for(running, 20)
        return sum(r.status == "new" for r in polled.values())

    try:
        polled = asyncio.run(scenario())
    finally:
        holder.close()
    assert polled == 1  # pitazo's release; the others are empty feeds
    lines = [r.getMessage() for r in caplog.records if "not renewed after its poll" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("lease on ") and lines[0].endswith("(logged once a minute while it lasts)")
    db.dispose()


def test_two_replicas_storing_one_article_of_two_feeds_at_once_store_it_once(world, monkeypatch):
    """Two replicas polled two feeds listing one article (an outlet's main feed and its
    politics feed) at once: each looked it up before the other stored it, both stored it, and
    the alert was edited to name the outlet's other feed beside it (`También: …`), which one
    process never did."""
    config, runtime, db = _opened(world, monkeypatch)
    world.feed("pitazo_politica")
    world.items["pitazo_politica"] = list(world.items["pitazo"])
    world._serve("pitazo_politica")
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    sync_config(config, db)
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT", 5)
    db.dispose()
    monkeypatch.setattr(monitor.ingest.work, "WORK", ThreadPoolExecutor(2, thread_name_prefix="replicas"))
    holder = _psql()

    async def scenario() -> list[str]:
        one, two = Service(config, runtime, db), Service(config, runtime, db)
        try:
            holder.execute("SELECT * FROM feeds FOR UPDATE")  # both writers past their look-up
            polls = asyncio.gather(one.poll("pitazo"), two.poll("pitazo_politica"))
            await asyncio.sleep(1.5)
            holder.rollback()
            return sorted(r.status for r in await asyncio.wait_for(polls, 20))
        finally:
            holder.rollback()
            await one.close()
            await two.close()

    try:
        statuses = asyncio.run(scenario())
    finally:
        holder.close()
    assert statuses == ["new", "unchanged"]
    assert _items_and_alerts(db) == (1, 1)
    db.dispose()
