"""Shared fixtures: a fresh migrated database and the default config."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import AppConfig, load_config
from storage.db import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def default_config() -> AppConfig:
    return load_config(ROOT / "feeds.yaml")


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (samples and corpus are optional)")
    return SHARED


def pg_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None
