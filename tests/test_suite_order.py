"""The order tests/conftest.py gives the suite: the tests marked `slow` spread over pytest-xdist's
workers, checked against xdist's own `load` scheduler (the one `make test` uses)."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScheduling

from tests.conftest import _spread

# the slow tests of the suite and their seconds (the loaded run of 7 December), 4,400 others
SLOW = {"soak": 118.0, "replicas": 111.0, "train": 77.0, "months": 52.0, "demo": 50.0,
        "copy": 39.0, "pgbouncer": 19.0, "promtool": 17.0, "clock": 6.0, "frozen": 5.0, "server": 5.0}
REST = [f"t{i:04d}" for i in range(4400)]


class Node:
    """Stands in for xdist's WorkerController: records what the scheduler sends it."""

    def __init__(self, name: str) -> None:
        self.sent: list[list[int]] = []
        self.gateway = type("Gateway", (), {"id": name})()

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.append(indices)

    def shutdown(self) -> None:
        return None


class Config:
    def __init__(self, workers: int) -> None:
        self.workers = workers

    def getvalue(self, name: str) -> Any:
        assert name == "tx"
        return [f"{self.workers}*popen"]

    def getoption(self, name: str) -> Any:
        assert name == "maxschedchunk"
        return None


def first_batches(order: list[str], workers: int) -> list[list[str]]:
    """The tests xdist's LoadScheduling hands each worker at the start, before any has finished."""
    scheduler = LoadScheduling(Config(workers))  # type: ignore[arg-type]
    nodes = [Node(f"gw{i}") for i in range(workers)]
    for node in nodes:
        scheduler.add_node(node)  # type: ignore[arg-type]
    for node in nodes:
        scheduler.add_node_collection(node, order)  # type: ignore[arg-type]
    scheduler.schedule()
    return [[order[i] for batch in node.sent for i in batch] for node in nodes]


@pytest.mark.parametrize("workers", [3, 4])
def test_each_worker_starts_with_its_share_of_the_slow_tests(workers: int) -> None:
    """Sorted first, the slow tests were all the first worker's (about 375 s of them one after
    another in a loaded run, 4 of 5 of the longest), with the tests queued behind them."""
    slow = sorted(SLOW, key=SLOW.__getitem__, reverse=True)
    batches = first_batches(_spread(slow, REST, workers, SLOW.__getitem__), workers)
    shares = [[name for name in batch if name in SLOW] for batch in batches]
    assert sorted(name for share in shares for name in share) == sorted(SLOW)
    for batch, share in zip(batches, shares, strict=True):
        assert share and batch[: len(share)] == share  # each worker opens with its slow tests
    loads = [sum(map(SLOW.__getitem__, share)) for share in shares]
    assert max(loads) - min(loads) <= max(SLOW.values()), loads  # dealt evenly, not all to one


def test_without_workers_the_slow_tests_come_first() -> None:
    order = _spread(["soak", "demo"], REST[:3], 1, SLOW.__getitem__)
    assert order == ["soak", "demo", *REST[:3]]
