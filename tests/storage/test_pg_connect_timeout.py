"""A PostgreSQL server that takes the connection and never answers (a host frozen, a
half-dead proxy): the service's connections give up after a bounded wait."""

from __future__ import annotations

import socket
import threading
import time

import pytest

pytest.importorskip("psycopg")

import storage.db  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.errors import DatabaseError  # noqa: E402


def test_a_server_that_never_answers_fails_the_connection_in_bounded_time(monkeypatch) -> None:
    """Connections had no connect timeout: a server frozen mid-run (its processes stopped, the
    kernel still taking connections) held /healthz and every statement for ever."""
    monkeypatch.setattr(storage.db, "PG_CONNECT_TIMEOUT", 2)
    silent = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(silent.accept()[0]), daemon=True).start()
    port = silent.getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseError) as info:
            open_database(f"postgresql+psycopg://monitor:secret@127.0.0.1:{port}/monitor", migrate_schema=False)
        assert time.monotonic() - started < 10
        assert "timeout" in str(info.value) and "secret" not in str(info.value)
    finally:
        for conn in held:
            conn.close()
        silent.close()
