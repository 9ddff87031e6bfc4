"""`monitor poll-once` on a PostgreSQL database that a replica writes at the same moment."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from service_world import World
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from test_poll_once import CHANNELS

from storage.db import Database
from storage.models import Feed


def _waits_on_a_lock(db: Database) -> bool:
    """A wait in this test's database: the server's other databases are other xdist workers'."""
    with db.engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()")))


def test_a_feed_row_another_replica_inserts_at_the_same_moment_is_not_a_crash(
    world: World, pg_db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A replica starting (or reloading a file with a new feed) inserts the feed's row while
    poll-once writes the same one: poll-once's insert waits on the unique name, then fails."""
    url = pg_db.engine.url.render_as_string(hide_password=False)
    monkeypatch.setattr(World, "db_url", property(lambda self: url))
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón")
    world.write_config(CHANNELS)
    with Session(pg_db.engine) as other:
        other.add(Feed(name="pitazo", url=world.server.url("/pitazo.xml")))
        other.flush()  # the row inserted, not committed: poll-once's insert of it waits
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "poll-once", "--config", str(world.config_path), "--db", url],
            env=world.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=world.tmp)
        deadline = time.monotonic() + 30
        while not _waits_on_a_lock(pg_db) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        other.commit()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert "pitazo: 1 new" in out, out
    assert len(world.texts("@presos_test")) == 1
    with Session(pg_db.engine) as session:
        assert session.scalar(select(func.count()).select_from(Feed)) == 1
