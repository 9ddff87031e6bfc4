"""A leader frozen past its lease (SIGSTOP, a paused VM) and thawed while another replica
leads (monitor/replicas.py). Measured with two `monitor run` replicas (lease 3 s, a digest slot
during a 13-s SIGSTOP): before, the thawed replica ran its digest job as leader and both
/healthz said `"leader": true` until its next renewal (the digest's slot claim kept it to one
message). Skipped without TEST_DATABASE_URL."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest

from monitor.replicas import Replicas
from storage.db import Database

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")
TTL = timedelta(seconds=0.3)


@pytest.fixture
def db(pg_db: Database) -> Database:
    return pg_db


def test_a_leader_thawed_after_its_lease_ended_does_not_act_as_leader(db: Database) -> None:
    frozen = Replicas(db, leader_ttl=TTL, me="frozen")
    other = Replicas(db, leader_ttl=TTL, me="other")
    assert frozen.try_lead() and frozen.leading and not other.try_lead()
    time.sleep(TTL.total_seconds() + 0.05)  # SIGSTOP past its lease: no renewal meanwhile
    assert other.try_lead() and other.leading  # the lease ended: the other replica leads
    # SIGCONT: its digest, fold and tally jobs look at `leading` before its renewal runs
    assert not frozen.leading
    assert not frozen.status()["leader"]  # /healthz: one leader
    assert not frozen.try_lead() and not frozen.leading


def test_a_leader_renewing_in_time_leads_throughout(db: Database) -> None:
    leader = Replicas(db, leader_ttl=TTL, me="leader")
    for _ in range(3):
        assert leader.try_lead() and leader.leading
        time.sleep(TTL.total_seconds() / 3)
        assert leader.leading
