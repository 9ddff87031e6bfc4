"""What holds the service's event loop: each step measured with `longest_stall` (the longest
the loop went without running the test's task) while the database answers slowly (a
PostgreSQL server under load, a SQLite file on a busy disk: one statement made to take 1 s).
On the loop, that second stopped every other poll, delivery, the admin chat and /healthz's
heartbeat; in a worker thread the loop goes on. The threshold (0.5 s) holds on a loaded CI
machine; docs/OPERATIONS.md ("The event loop") has the figures measured on the service."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from service_world import longest_stall
from sqlalchemy import event

from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import Database, open_database

PRESOS = [{"name": "presos", "chat_id": "console", "topics": ["political_prisoners"]}]
SLOW = 1.0  # seconds the slow statement takes


class SlowStatement:
    """The first SELECT from `table` once armed waits SLOW seconds, in whichever thread runs it."""

    def __init__(self, db: Database, table: str) -> None:
        self.table, self.armed, self.done = table, False, threading.Event()
        event.listen(db.engine, "before_cursor_execute", self)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if (self.armed and not self.done.is_set() and statement.lstrip().upper().startswith("SELECT")
                and f"FROM {self.table}" in statement):
            self.done.set()
            time.sleep(SLOW)


def _service(world) -> tuple[Service, Database]:
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 101 presos políticos en Tocorón", "Familiares confirmaron.")
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url, env={})
    db = open_database(world.db_url)
    sync_config(config, db)
    return Service(config, runtime, db), db


@pytest.mark.parametrize("table", ["feeds", "items"])
def test_a_polls_reads_wait_for_the_database_off_the_event_loop(world, table):
    """A poll read its feed's row (`load_state`: its URL and validators, after a start, a
    reload or any poll that was not a 304) and looked its document's items up among those
    stored (`dedup.unknown`, `revisions`) on the event loop: 0.06-0.11 s a document on the
    soak's 2-core host, and the whole statement when the database was slow."""
    service, db = _service(world)
    slow = SlowStatement(db, table)

    async def scenario() -> tuple[str, float]:
        try:
            slow.armed = True
            poll = asyncio.create_task(service.poll("pitazo"))
            stall = await longest_stall(10, poll)
            return (await poll).status, stall
        finally:
            await service.close()

    status, stall = asyncio.run(scenario())
    assert slow.done.is_set()  # the statement was slow
    assert status == "new"
    assert stall < 0.5
    db.dispose()
