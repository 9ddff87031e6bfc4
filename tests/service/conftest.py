"""Fixtures of the service tests; the helpers live in service_world.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_world import World

from devtools.emulator import BotApiEmulator
from devtools.feedserver import FeedServer


@pytest.fixture
def world(tmp_path: Path, migrated_sqlite: Path) -> Iterator[World]:
    """The database starts as a copy of the migrated template (tests/conftest.py): each `monitor`
    process of a test ran every migration in its first start (a third of a second)."""
    with FeedServer() as server, BotApiEmulator() as emulator:
        w = World(tmp_path, server, emulator)
        shutil.copyfile(migrated_sqlite, tmp_path / "monitor.db")
        try:
            yield w
        finally:
            w.stop_all()
