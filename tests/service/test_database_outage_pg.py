"""The service on PostgreSQL while the database goes away and comes back (a restart, `pg_ctl
stop`, connections refused): what ran meanwhile is a warning, nothing is the feeds' fault, and
the service is whole again once the server answers. Skipped without TEST_DATABASE_URL (.ci/run
starts a server)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

import monitor.service.housekeeping
from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import open_database
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")
PRESOS = [{"name": "presos", "chat_id": "console", "topics": ["political_prisoners"]}]


@contextlib.contextmanager
def database_away() -> Iterator[None]:
    """The service's database refuses connections and its open ones are dropped, as in a
    restart, until the block ends."""
    assert PG is not None
    name = make_url(PG).database
    admin = create_engine(make_url(PG).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                              "AND pid <> pg_backend_pid()"), {"n": name})
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def test_housekeeping_of_the_leader_while_the_database_is_away_is_a_warning(world, monkeypatch, caplog):
    """The leader learns it lost the database at its next lease renewal (up to 5 s later).
    The fold of held alerts that ran meanwhile raised out of its job: APScheduler logged
    `Job "Service._fold_tick" raised an exception` with SQLAlchemy's traceback."""
    assert PG is not None
    _reset(PG)
    monkeypatch.setattr(monitor.service.housekeeping, "FOLD_EVERY", 0.2)
    world.feed("pitazo")
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=PG, env={})
    db = open_database(PG)
    sync_config(config, db)
    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        service = Service(config, runtime, db, replica_options={"leader_ttl": timedelta(seconds=60)})
        running = asyncio.create_task(service.run())
        try:
            deadline = time.monotonic() + 15
            while not service.replicas.leading and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert service.replicas.leading
            with database_away():
                await asyncio.sleep(1.0)  # leading still: the next renewal is 20 s away
        finally:
            service.request_stop()
            await asyncio.wait_for(running, 20)

    try:
        asyncio.run(scenario())
    finally:
        db.dispose()
    assert "raised an exception" not in caplog.text
    assert "Traceback" not in caplog.text
    assert "[SQL" not in caplog.text
    assert "folds of held alerts not made: the database refused the command" in caplog.text
