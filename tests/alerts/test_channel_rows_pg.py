"""The delivery worker writing a new channel's row that another replica writes at the same
moment (both reloaded a feeds.yaml that adds the channel). Skipped without TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from alerts.delivery import DeliveryWorker
from core.config import AppConfig, Runtime
from devtools.emulator import BotApiEmulator
from storage.db import Database
from storage.models import Channel

TOKEN = "123:abc"


def _waits_on_a_lock(db: Database) -> bool:
    """A wait in this test's database: the server's other databases are other xdist workers'."""
    with db.engine.connect() as conn:
        return bool(conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()")))


async def test_a_channel_row_another_replica_inserts_at_the_same_moment_is_found(
    pg_db: Database, emulator: BotApiEmulator, make_config: Callable[..., AppConfig],
) -> None:
    """The insert waits on the other's uncommitted row, then fails on the unique name: the
    round failed ('delivery round failed: IntegrityError', logged as an error) and the queue
    waited a round."""
    config = make_config([{"name": "presos", "chat_id": "@presos", "topics": ["political_prisoners"]}])
    runtime = Runtime("feeds.yaml", pg_db.engine.url.render_as_string(hide_password=False), emulator.api_url, TOKEN)
    with Session(pg_db.engine) as other:
        other.add(Channel(name="presos", chat_id="@presos", configured_chat_id="@presos", disabled=False))
        other.flush()  # inserted, not committed: the worker's insert of the row waits
        worker = DeliveryWorker(config, runtime, pg_db, out=io.StringIO())  # a round after a reload
        try:
            round_: asyncio.Task[Any] = asyncio.create_task(worker.deliver_pending())
            for _ in range(200):
                if await asyncio.to_thread(_waits_on_a_lock, pg_db) or round_.done():
                    break
                await asyncio.sleep(0.02)
            other.commit()
            await round_  # raised IntegrityError before
        finally:
            await worker.close()
    with pg_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Channel)) == 1
