from collections.abc import Callable

import pytest

from core.config import Settings


@pytest.fixture
def settings(make_fast_settings: Callable[..., Settings]) -> Settings:
    return make_fast_settings(200_000)
