"""Two connections on PostgreSQL that conflict (a deadlock, a serialization failure): the
server aborts one transaction so the other goes on, and trying it again succeeds. Such an
abort is no refusal of writes: before, it set `Database.write_refused`, and `/healthz` answered
503 (`"writable": false`) until the next write went through. Skipped without TEST_DATABASE_URL."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url, select, text, update
from sqlalchemy.exc import OperationalError

from storage.db import Database, refusal
from storage.models import Feed

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")


@pytest.fixture
def db(pg_db: Database) -> Database:
    with pg_db.session() as s:
        s.add_all([Feed(name=n, url=f"https://{n}.example/feed", consecutive_failures=0) for n in "ab"])
    return pg_db


@pytest.fixture
def other() -> Iterator[psycopg.Connection[Any]]:
    """Another replica's connection (its own transaction)."""
    assert PG is not None
    conn = psycopg.connect(make_url(PG).set(drivername="postgresql").render_as_string(hide_password=False))
    yield conn
    conn.close()


def _bump(name: str) -> Any:
    return update(Feed).where(Feed.name == name).values(consecutive_failures=Feed.consecutive_failures + 1)


def _waiting_for(conn: psycopg.Connection[Any], holder: int) -> int:
    """Backends waiting for a lock `holder` holds: pg_locks is the whole server's, and another
    xdist worker's test waiting for its own row counted as this replica's wait (a clean-clone
    CI run, 7 December 2026: the deadlock was never made)."""
    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [holder]).fetchone()
    return int(row[0]) if row else 0


def test_a_deadlock_between_two_replicas_is_no_refusal_of_writes(db: Database, other: psycopg.Connection[Any]) -> None:
    """This connection waits for the other's row while the other waits for its own: after
    deadlock_timeout (1 s) PostgreSQL aborts this one (it waited first) with 40P01."""
    # the backend whose deadlock_timeout ends first checks and is aborted: under load `other`'s
    # check ran first, though it waited last (a clean-clone CI run, 7 December 2026); with 10 s
    # it never checks before this connection's 1 s (a superuser's setting, as the tests' role is)
    other.execute("SET deadlock_timeout = '10s'")
    other.execute("UPDATE feeds SET consecutive_failures = 1 WHERE name = 'b'")
    raised: list[BaseException] = []

    def replica() -> None:
        try:
            with db.session() as s:
                s.execute(_bump("a"))
                s.execute(_bump("b"))  # waits for `other`
        except OperationalError as exc:
            raised.append(exc)

    thread = threading.Thread(target=replica)
    thread.start()
    with psycopg.connect(other.info.dsn, autocommit=True) as watcher:
        # until this connection waits for the row, however loaded the host: a deadlock made
        # before it waits is `other`'s to lose (100 tries of 10 ms failed under load)
        deadline = time.monotonic() + 30
        while not _waiting_for(watcher, other.info.backend_pid):
            assert time.monotonic() < deadline, "the replica never waited for the row"
            time.sleep(0.01)
    other.execute("UPDATE feeds SET consecutive_failures = 1 WHERE name = 'a'")  # the deadlock
    other.commit()
    thread.join(10)
    [exc] = raised
    assert isinstance(exc, OperationalError) and getattr(exc.orig, "sqlstate", None) == "40P01"
    assert db.write_refused is None  # /healthz stays `ok`
    assert refusal(exc).startswith("the transaction conflicted with another connection's")
    with db.session() as s:  # tried again, it goes through
        s.execute(_bump("a"))
        assert s.scalar(select(Feed.consecutive_failures).where(Feed.name == "a")) == 2


def test_a_serialization_failure_is_no_refusal_of_writes(db: Database, other: psycopg.Connection[Any]) -> None:
    """A server whose default isolation is REPEATABLE READ or SERIALIZABLE (some hosted ones):
    a row another connection changed since this transaction began fails with 40001."""
    with pytest.raises(OperationalError) as caught, db.session() as s:
        s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        s.scalar(select(Feed.id).where(Feed.name == "a"))
        other.execute("UPDATE feeds SET consecutive_failures = 5 WHERE name = 'a'")
        other.commit()
        s.execute(_bump("a"))
    assert getattr(caught.value.orig, "sqlstate", None) == "40001"
    assert db.write_refused is None


def test_a_statement_cancelled_by_the_servers_statement_timeout_is_no_refusal_of_writes(db: Database) -> None:
    """A server or role with statement_timeout (hosted ones set it), or an operator's
    pg_cancel_backend: the cancelled statement (a read here) set `Database.write_refused`, and
    `/healthz` answered 503 (`"writable": false`, "canceling statement due to statement
    timeout") until the next write went through."""
    with pytest.raises(OperationalError) as caught, db.session() as s:
        s.execute(text("SET LOCAL statement_timeout = 50"))
        s.execute(text("SELECT pg_sleep(1)"))
    assert getattr(caught.value.orig, "sqlstate", None) == "57014"
    assert "statement timeout" in refusal(caught.value)
    assert db.write_refused is None
