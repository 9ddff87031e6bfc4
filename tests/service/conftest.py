"""Fixtures of the service tests; the helpers live in service_world.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from service_world import World

from devtools.emulator import BotApiEmulator
from devtools.feedserver import FeedServer


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with FeedServer() as server, BotApiEmulator() as emulator:
        w = World(tmp_path, server, emulator)
        try:
            yield w
        finally:
            w.stop_all()
