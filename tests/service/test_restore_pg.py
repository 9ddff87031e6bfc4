"""A PostgreSQL database restored from a `pg_dump` (docs/OPERATIONS.md, "Backups"): what the
service alerted and sent after the dump is not alerted or sent a second time. Skipped without
TEST_DATABASE_URL (.ci/run starts a server) or PostgreSQL's client programs."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_world import World
from sqlalchemy import make_url, text
from test_restore import CHANNELS, poll, released

from devtools.emulator import BotApiEmulator
from devtools.feedserver import FeedServer
from storage.db import open_database
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")


def _client(name: str) -> str | None:
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


class PgWorld(World):
    @property
    def db_url(self) -> str:
        assert PG is not None
        return PG


@pytest.fixture
def pg_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PgWorld]:
    if not PG or not _client("pg_dump") or not _client("pg_restore"):
        pytest.skip("needs TEST_DATABASE_URL and pg_dump, pg_restore")
    monkeypatch.chdir(tmp_path)  # the marks in data/ under the working directory, this test's own
    _reset(PG)
    with FeedServer() as server, BotApiEmulator() as emulator:
        world = PgWorld(tmp_path, server, emulator)
        try:
            yield world
        finally:
            world.stop_all()
            _reset(PG)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _shift_polls(world: World, interval: str) -> None:
    db = open_database(world.db_url)
    with db.session() as s:
        s.execute(text(f"UPDATE feeds SET last_success_at = last_success_at + interval '{interval}'"))
    db.dispose()


def dump(world: World) -> Path:
    """`pg_dump -Fc`, as docs/OPERATIONS.md says, of a database whose last poll was an hour
    before (a restore is told from a feed's mark 10 minutes or more after it: REPLICAS_MARGIN)."""
    path = world.tmp / "monitor.dump"
    _shift_polls(world, "-1 hour")
    subprocess.run([_client("pg_dump"), "-Fc", "-f", str(path), _libpq(world.db_url)], check=True)
    _shift_polls(world, "1 hour")
    return path


def restore(path: Path, url: str) -> None:
    """The service stopped, the dump put back (`pg_restore --clean`)."""
    subprocess.run([_client("pg_restore"), "--clean", "--if-exists", "-d", _libpq(url), str(path)],
                   check=True, capture_output=True)


def test_items_alerted_after_a_dump_are_not_alerted_again_nor_sends_sent_again(pg_world: PgWorld):
    world = pg_world
    world.feed("pitazo", "es")
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón",
                  "Familiares esperaban frente al penal en Aragua.")
    world.write_config(CHANNELS)
    poll(world, dry_run=True)  # the release's alert queued, not sent, at the dump
    taken = dump(world)
    world.publish("pitazo", "Detienen al periodista Luis Rojas en Caracas por publicar sobre la represión",
                  "El SEBIN lo trasladó a El Helicoide, denunció el SNTP.", age=timedelta(minutes=2))
    poll(world)
    assert len(world.texts("@presos_test")) == 2

    restore(taken, world.db_url)
    world.publish("pitazo", "Muere en custodia el sindicalista Pedro Gil en Tocorón, denuncia Provea",
                  "La ONG exigió una investigación independiente.",
                  published=datetime.now(UTC) + timedelta(seconds=2))
    out = poll(world)
    texts = world.texts("@presos_test")
    # before: 5, the release sent again from the restored outbox and the arrest alerted again
    assert len(texts) == 3, [t.splitlines()[3] for t in texts]
    assert "Pedro Gil" in texts[2], texts
    assert "pitazo: 1 new, 1 older stored without alerts" in out, out
    assert sorted(p.name for p in (world.tmp / "data").iterdir())[0].startswith("postgresql-")


def test_a_database_dropped_and_created_again_is_no_restore(pg_world: PgWorld):
    """`dropdb` and `createdb` to start over (an outside check between its runs), the working
    directory kept: the marks in data/ told what the dropped database had done. Before, the
    release polled again was stored as backfill of a 'restored backup', never alerted."""
    pg_world.feed("pitazo", "es")
    released(pg_world)
    assert len(pg_world.texts("@presos_test")) == 1
    engine = open_database(pg_world.db_url).engine
    with engine.begin() as conn:  # what dropdb and createdb leave: no table, no type
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    assert list((pg_world.tmp / "data").glob("postgresql-*.seen"))  # the marks kept in place

    out = poll(pg_world)
    assert "pitazo: 1 new" in out, out
    assert len(pg_world.texts("@presos_test")) == 2

