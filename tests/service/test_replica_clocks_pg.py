"""Replicas whose hosts' clocks disagree (monitor/replicas.py, storage/leases.py): a replica on a
host 2 minutes ahead saw every lease the others stamped by their own clocks as expired, took the
leader lease at once from the leader in office (two leaders until its next renewal) and polled
the feeds another replica held. Leases are stamped and judged by PostgreSQL's clock now. The other
replica runs in a child process under libfaketime. Skipped without TEST_DATABASE_URL."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from monitor.replicas import Replicas
from storage.db import Database
from storage.leases import LEADER, holder_of

PG = os.environ.get("TEST_DATABASE_URL")
FAKETIME = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)
ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set"),
              pytest.mark.skipif(FAKETIME is None, reason="libfaketime not installed (apt-get install faketime)")]

REPLICA = """
import json, sys
from datetime import timedelta
from monitor.replicas import Replicas
from storage.db import open_database
replicas = Replicas(open_database(sys.argv[1]), me="ahead")
busy_until = replicas.claim_feed("elpitazo", timedelta(minutes=5))
print(json.dumps({"leads": replicas.try_lead(), "feed_busy_until": busy_until and busy_until.isoformat()}))
"""


@pytest.fixture
def db(pg_db: Database) -> Database:
    return pg_db


def test_a_replica_two_minutes_ahead_takes_no_lease_another_holds(db: Database) -> None:
    leader = Replicas(db, me="leader")
    assert leader.try_lead()
    assert leader.claim_feed("elpitazo", timedelta(minutes=5)) is None  # it polls the feed
    env = {**os.environ, "LD_PRELOAD": str(FAKETIME), "FAKETIME": "+2m", "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           "PYTHONPATH": str(ROOT)}
    child = subprocess.run([sys.executable, "-c", REPLICA, str(PG)], env=env, cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    ahead = json.loads(child.stdout.strip().splitlines()[-1])
    assert ahead["leads"] is False  # before: True, the leader's lease looked 105 s expired
    assert leader.try_lead() and leader.leading
    with db.session() as s:
        assert holder_of(s, LEADER) == "leader"
        db_now = s.scalar(text("SELECT now()"))
    # the feed is the leader's for its 5 minutes; the replica ahead tries again at their end, by its clock
    assert ahead["feed_busy_until"] is not None
    busy_until = datetime.fromisoformat(ahead["feed_busy_until"])
    assert abs(busy_until - (datetime.now(UTC) + timedelta(minutes=7))) < timedelta(seconds=10)
    assert abs(db_now - datetime.now(UTC)) < timedelta(seconds=2)  # (the test's host and server agree)
