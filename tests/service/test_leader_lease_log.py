"""The leader lease's renewal while the PostgreSQL server refuses connections (monitor/replicas.py):
one warning, then one a minute, not one per renewal. Needs no server: the port is closed. And
the feeds' leases refused (storage.db.FeedRefusals): each later line names how many others."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from service_world import free_port

from monitor.replicas import Replicas
from storage.db import Database, FeedRefusals, make_engine


def test_a_refused_leader_lease_is_logged_once_a_minute_not_at_each_renewal(caplog) -> None:
    """Renewed every 5 s, the lease logged `leader lease: …` at each try while the server was
    away: 720 lines an hour of outage, where delivery and polls log once a minute."""
    db = Database(make_engine(f"postgresql+psycopg://monitor:pw@127.0.0.1:{free_port()}/monitor"))
    replicas = Replicas(db, leader_ttl=timedelta(seconds=15), me="r")
    caplog.set_level(logging.INFO, logger="monitor.replicas")
    try:
        for _ in range(10):
            assert not replicas.try_lead()
    finally:
        db.dispose()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("leader lease:")]
    assert len(lines) == 1, lines
    assert "Connection refused" in lines[0] and "logged once a minute while it lasts" in lines[0]
    assert "psycopg.OperationalError" not in lines[0]


def test_feeds_refused_between_two_lines_are_counted_in_the_next() -> None:
    refusals = FeedRefusals(every=0.2)
    assert refusals.due("a") == 0  # the first at once
    assert [refusals.due(name) for name in ("b", "c", "d", "b")] == [None] * 4
    time.sleep(0.25)
    assert refusals.due("e") == 3  # b, c and d, each feed once
    refusals.went_through()
    assert refusals.due("f") == 0  # a poll went through since: the next refusal is said at once
    assert refusals.due("g") is None
    refusals.went_through()  # g is still to be named: the minute runs on
    assert refusals.due("h") is None
    time.sleep(0.25)
    assert refusals.due("i") == 2
