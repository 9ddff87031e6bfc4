from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from monitor.config import Settings
from monitor.devtools.feedserver import FeedServer
from monitor.fetch import Fetcher


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


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
