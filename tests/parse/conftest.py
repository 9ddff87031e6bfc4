"""Fixtures of the parse tests that poll through the real fetcher (a file may override them:
test_hostile_markup.py takes larger bodies and a longer deadline)."""

from collections.abc import AsyncIterator

import pytest

from core.config import Settings
from monitor.fetch import Fetcher


@pytest.fixture
def settings(make_fast_settings) -> Settings:  # type: ignore[no-untyped-def]
    return make_fast_settings(1_000_000)


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    # a whole fetch's deadline: no test here waits for it, and 1.5 s was missed on a loaded CI
    async with Fetcher(settings, deadline=4.0) as f:
        yield f
