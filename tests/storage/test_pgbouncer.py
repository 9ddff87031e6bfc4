"""The database behind PgBouncer in `pool_mode = transaction`, as managed PostgreSQL services
offer it: each transaction gets whichever server connection is free, so nothing a session
keeps (a session's advisory lock, a statement psycopg prepared) is sure to be there for the next.

A PgBouncer of the test's own on a free port, in front of TEST_DATABASE_URL's server. Skipped
without TEST_DATABASE_URL or the `pgbouncer` binary (.ci/run installs Debian's).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from storage.db import head_revision, make_engine
from tests.conftest import _reset, runs_as_postgres

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or next(
    (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.path.exists(p)), None)


pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set"),
    pytest.mark.skipif(PGBOUNCER is None or not runs_as_postgres(), reason="no pgbouncer binary"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pooled_url() -> Iterator[str]:
    """TEST_DATABASE_URL's database through a PgBouncer in pool_mode = transaction, emptied."""
    direct = make_url(os.environ["TEST_DATABASE_URL"])
    _reset(direct.render_as_string(hide_password=False))
    # not under pytest's tmp_path: `postgres` cannot enter root's 0700 folders
    root, port = Path(tempfile.mkdtemp(prefix="monitor-pgbouncer-")), _free_port()
    root.chmod(0o755)
    user, password = direct.username or "postgres", direct.password or ""
    server = f"host={direct.host or '127.0.0.1'} port={direct.port or 5432}"
    if password:
        server += f" password={password}"
    (root / "users.txt").write_text(f'"{user}" "{password}"\n')
    ini = root / "pgbouncer.ini"
    ini.write_text(f"[databases]\n* = {server}\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
                   f"unix_socket_dir =\nauth_type = trust\nauth_file = {root / 'users.txt'}\n"
                   "pool_mode = transaction\ndefault_pool_size = 10\nmax_client_conn = 100\n")
    for path in root.iterdir():
        path.chmod(0o644)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    proc = subprocess.Popen([*as_postgres, PGBOUNCER, str(ini)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"pgbouncer did not start: {proc.communicate()[0].decode()[-2000:]}")
                time.sleep(0.05)
        yield direct.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        proc.terminate()  # runuser passes it on
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)


OPEN = """
import sys
from storage.db import DatabaseError, open_database
try:
    open_database(sys.argv[1]).dispose()
except DatabaseError as exc:
    sys.exit(str(exc))
"""


@pytest.mark.slow(seconds=19)  # three rounds of four `monitor` starts
def test_replicas_that_start_together_behind_a_transaction_pooler_migrate_in_turn(pooled_url: str) -> None:
    """The turn to migrate was a session's advisory lock. Behind PgBouncer in transaction mode
    another replica's start took it too on the server connection it stayed on (two migrations
    at once: 2 of 3 rounds of four starts failed with `duplicate key value violates unique
    constraint`), and an unlock sent to another server connection left it held until PgBouncer
    closed that connection: the next starts waited 600 s."""
    for _ in range(3):
        _reset(os.environ["TEST_DATABASE_URL"])
        starts = [subprocess.Popen([sys.executable, "-c", OPEN, pooled_url], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for start in starts:
            try:
                _, err = start.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                for other in starts:
                    other.kill()
                pytest.fail("a start still waited for its turn to migrate after 60 s")
            assert start.returncode == 0, err[-2000:]
        engine = make_engine(pooled_url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        engine.dispose()


def test_statements_run_again_and_again_behind_a_transaction_pooler_are_not_prepared_on_the_server(
    pooled_url: str,
) -> None:
    """psycopg prepares a statement once it has run 5 times and later runs it by name. Behind
    PgBouncer in transaction mode the name was on another server connection or another
    client's: the service's polls and delivery rounds failed with `prepared statement "_pg3_0"
    already exists` (or `does not exist`, or ran another client's statement of that name)."""
    from storage.db import open_database

    db = open_database(pooled_url)
    try:
        with db.engine.connect() as one, db.engine.connect() as two:  # two replicas, or two threads
            for n in range(8):
                for conn in (one, two):
                    assert conn.scalar(text("SELECT count(*) FROM feeds WHERE id > :n"), {"n": n}) == 0
                    conn.commit()
            assert one.connection.driver_connection.prepare_threshold is None
    finally:
        db.dispose()


def test_a_direct_connection_still_prepares_its_statements() -> None:
    """Only a pooler's connections give prepared statements up: on the server itself psycopg's
    default (prepared after 5 runs) is kept."""
    engine = make_engine(os.environ["TEST_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            assert conn.connection.driver_connection.prepare_threshold == 5
    finally:
        engine.dispose()


def test_a_row_lock_held_past_the_busy_timeout_is_refused_behind_a_transaction_pooler(
    pooled_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The service's `SET lock_timeout` on each new connection stayed, behind PgBouncer in
    transaction mode, on the server connection it ran on: the pool's other clients got it, and
    the service's transactions on any other server connection (every one, once PgBouncer
    replaced them after server_lifetime) waited for a lock without end."""
    import storage.db
    from storage.db import open_database
    from storage.models import Feed

    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT", 1)
    db = open_database(pooled_url)
    other = make_engine(pooled_url)  # another client of the pool (another application, psql)
    direct = make_engine(os.environ["TEST_DATABASE_URL"])
    try:
        with db.session() as session:
            session.add(Feed(name="pitazo", url="https://pitazo.example/feed.xml"))
            session.commit()
        with other.connect() as conn:
            assert conn.scalar(text("SHOW lock_timeout")) == "0"  # none of the service's settings
            conn.execute(text("RESET lock_timeout"))  # a server connection PgBouncer opened anew
            conn.commit()
        with direct.connect() as holder:
            holder.execute(text("SELECT * FROM feeds FOR UPDATE"))  # a psql left in a transaction
            with ThreadPoolExecutor(1) as pool:
                pause = pool.submit(_pause, db)
                try:
                    refused = pause.result(timeout=10)
                except TimeoutError:
                    holder.rollback()
                    pause.result(timeout=10)
                    pytest.fail("the update waited for the row lock past 10 s")
        assert refused == storage.db.LOCK_NOT_AVAILABLE
    finally:
        db.dispose()
        other.dispose()
        direct.dispose()


def _pause(db: Any) -> str | None:
    """Pause every feed; the SQLSTATE of the refusal, if refused."""
    try:
        with db.session() as session:
            session.execute(text("UPDATE feeds SET paused = true"))
            session.commit()
    except OperationalError as exc:
        return getattr(exc.orig, "sqlstate", None)
    return None
