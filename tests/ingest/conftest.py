from collections.abc import AsyncIterator, Callable

import pytest

from core.config import Settings
from monitor.fetch import Fetcher


@pytest.fixture
def settings(make_fast_settings: Callable[..., Settings]) -> Settings:
    return make_fast_settings(1_000_000)


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    # a whole fetch's deadline: no test here waits for it, and 1.5 s was missed on a loaded CI
    async with Fetcher(settings, deadline=4.0) as f:
        yield f
