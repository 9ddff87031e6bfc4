"""Storage tests run on a fresh SQLite file and, when TEST_DATABASE_URL names one, on PostgreSQL."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database, downgrade, make_engine, open_database


def _pg_params() -> list[object]:
    url = os.environ.get("TEST_DATABASE_URL")
    reason = "TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)"
    return [pytest.param(url, id="postgresql", marks=pytest.mark.skipif(not url, reason=reason))]


@pytest.fixture(params=["sqlite", *_pg_params()], ids=lambda p: p if p == "sqlite" else "postgresql")
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'storage.db'}"
        return
    url = str(request.param)
    _reset(url)
    yield url
    _reset(url)


def _reset(url: str) -> None:
    engine = make_engine(url)
    with contextlib.suppress(Exception):
        downgrade(engine, "base")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture
def any_db(any_db_url: str) -> Iterator[Database]:
    database = open_database(any_db_url)
    yield database
    database.dispose()
