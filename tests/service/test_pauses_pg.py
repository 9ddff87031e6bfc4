"""Replicas on one PostgreSQL follow the pauses another replica stored (the admin chat is answered
by the leader alone). Skipped without TEST_DATABASE_URL (.ci/run starts a server)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import open_database
from storage.feeds import feed_named
from tests.conftest import _migrated_pg, _reset

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")

YAML = """rules: [venezuela-2026]
settings: {http_listen: 127.0.0.1:9}
feeds:
  - {name: diario, url: "http://127.0.0.1:9/diario.xml", language: es, interval: 10m}
  - {name: radio, url: "http://127.0.0.1:9/radio.xml", language: es, interval: 10m}
channels: [{name: presos, chat_id: console, topics: [political_prisoners]}]
"""


def test_a_replica_follows_a_pause_and_a_resume_another_replica_stored(tmp_path: Path) -> None:
    """The leader answered /pause: it stored the pause and paused its own scheduler. The other
    replicas read pauses at a start and a reload only, so they polled the feed (its lease free)
    at its full rate, shown paused all along."""
    assert PG is not None
    _reset(PG)
    _migrated_pg(PG)
    path = tmp_path / "feeds.yaml"
    path.write_text(YAML, encoding="utf-8")
    config = load_config(path)

    def store_pause(paused: bool) -> None:  # what the leader's answer to /pause or /resume stores
        with service.db.session() as s:
            row = feed_named(s, "diario")
            assert row is not None
            row.paused = paused

    async def scenario() -> None:
        scheduler = service._start_scheduler()
        try:
            fs = service.feed_scheduler
            assert fs is not None and scheduler.get_job("pauses") is not None
            store_pause(True)
            await service.follow_pauses()
            assert fs.paused == {"diario"} and fs.next_run("diario") is None  # its job paused
            assert fs.next_run("radio") is not None
            store_pause(False)
            await service.follow_pauses()
            assert fs.paused == set() and fs.next_run("diario") is not None
        finally:
            scheduler.shutdown(wait=False)
            await service.close()

    service = Service(config, resolve_runtime(config, config_path=str(path), db_flag=PG, env={}), open_database(PG))
    sync_config(config, service.db)
    asyncio.run(scenario())
