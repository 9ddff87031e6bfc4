from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from core.config import Settings
from monitor.fetch import Fetcher


@pytest.fixture
def settings() -> Settings:
    return Settings().model_copy(
        update={
            "request_timeout": timedelta(seconds=0.5),
            "connect_timeout": timedelta(seconds=0.5),
            "max_body_bytes": 1_000_000,
        }
    )


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    async with Fetcher(settings, deadline=1.5) as f:
        yield f
