"""`Database.identity`: which database this is, compared by `monitor status` with the one the
running service's /healthz gives (monitor/status.py). Two spellings of one database must give
one identity, or status says another monitor answers on another database while the
deployed service is up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import Database, open_database


def test_one_sqlite_file_by_two_paths_is_one_database(tmp_path: Path, migrated_sqlite: Path) -> None:
    path = tmp_path / "m.db"
    path.write_bytes(migrated_sqlite.read_bytes())
    (tmp_path / "link").symlink_to(tmp_path)
    first, second = open_database(f"sqlite:///{path}"), open_database(f"sqlite:///{tmp_path / 'link' / 'm.db'}")
    other_path = tmp_path / "other.db"
    other_path.write_bytes(migrated_sqlite.read_bytes())
    other = open_database(f"sqlite:///{other_path}")
    try:
        assert first.identity is not None and first.identity == second.identity != other.identity
    finally:
        for db in (first, second, other):
            db.dispose()


def test_one_postgresql_database_by_two_host_names_is_one_database(pg_db: Database) -> None:
    """The service's URL names the server `127.0.0.1`, the operator's `localhost` (or the
    service reaches it through PgBouncer): both read and write the same database. The identity
    was a hash of the host, port and name as written, and the two differed."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    if url.host not in ("127.0.0.1", "localhost"):
        pytest.skip("the server is not on this host's loopback")
    renamed = url.set(host="localhost" if url.host == "127.0.0.1" else "127.0.0.1")
    again = open_database(renamed.render_as_string(hide_password=False), migrate_schema=False)
    try:
        assert pg_db.identity is not None and pg_db.identity == again.identity
    finally:
        again.dispose()


def test_another_postgresql_database_of_the_server_is_another(pg_db: Database) -> None:
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_other"
    with pg_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    other = open_database(url.set(database=name).render_as_string(hide_password=False), migrate_schema=False)
    try:
        assert other.identity is not None and other.identity != pg_db.identity
    finally:
        other.dispose()
