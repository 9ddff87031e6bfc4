from datetime import timedelta

import pytest

from core.config import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings().model_copy(
        update={
            "request_timeout": timedelta(seconds=0.5),
            "connect_timeout": timedelta(seconds=0.5),
            "max_body_bytes": 200_000,
        }
    )
