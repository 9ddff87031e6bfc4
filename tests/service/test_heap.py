"""The service's garbage collector thresholds (monitor/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from monitor.heap import SERVICE_THRESHOLDS, tune_collector


@pytest.fixture
def restore_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_service_collects_its_young_objects_less_often_than_cpython_by_default(restore_collector: None) -> None:
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    assert tune_collector() == SERVICE_THRESHOLDS == gc.get_threshold()
    young, middle, old = SERVICE_THRESHOLDS
    assert young >= 10 * 700 and (middle, old) == (10, 10)  # the same generations, each less often
    assert gc.isenabled()
