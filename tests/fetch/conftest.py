from collections.abc import Iterator
from datetime import timedelta

import pytest

from monitor.config import Settings
from monitor.devtools.feedserver import FeedServer


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
            "max_body_bytes": 200_000,
        }
    )
