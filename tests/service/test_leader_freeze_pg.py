"""A leader frozen past its lease (SIGSTOP, a paused VM) and thawed while another replica
leads (monitor/replicas.py). Measured with two `monitor run` replicas (lease 3 s, a digest slot
during a 13-s SIGSTOP): before, the thawed replica ran its digest job as leader and both
/healthz said `"leader": true` until its next renewal (the digest's slot claim kept it to one
message). Skipped without TEST_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from monitor.replicas import Replicas
from storage.db import Database, open_database
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")
TTL = timedelta(seconds=15)


@pytest.fixture
def db() -> Iterator[Database]:
    assert PG is not None
    _reset(PG)
    opened = open_database(PG)
    yield opened
    opened.dispose()
    _reset(PG)


def test_a_leader_thawed_after_its_lease_ended_does_not_act_as_leader(db: Database) -> None:
    clock = [1000.0]  # the frozen replica's own clock (CLOCK_BOOTTIME goes on while it is stopped)
    frozen = Replicas(db, leader_ttl=TTL, me="frozen", clock=lambda: clock[0])
    other = Replicas(db, leader_ttl=TTL, me="other")
    assert frozen.try_lead() and frozen.leading and not other.try_lead()
    clock[0] += 14.0
    assert frozen.leading  # within its lease
    # SIGSTOP for longer than the lease: its database lease ends and the other replica takes it
    with db.session() as s:
        s.execute(text("UPDATE leases SET expires_at = now() - interval '1 second'"))
    assert other.try_lead() and other.leading
    clock[0] += 2.0  # SIGCONT: its digest, fold and tally jobs look before its renewal does
    assert not frozen.leading
    assert not frozen.status()["leader"]  # /healthz: one leader
    assert not frozen.try_lead() and not frozen.leading
