"""A PostgreSQL server whose host is gone from the network (a managed database's failover, a
partition): no reset, no answer. Reproduced in a network namespace of its own (`unshare --net`,
root), its loopback taken down under an open connection; skipped where that cannot run."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip") or not shutil.which("runuser")
    or not PG_BIN, reason="needs root, unshare, ip, runuser and PostgreSQL's server binaries")

# in the namespace: a server of its own, a connection to it, then the loopback down (the host gone)
SCRIPT = """
set -e
ip link set lo up
runuser -u postgres -- {bin}/initdb -D {dir}/data -A trust -U postgres >/dev/null
runuser -u postgres -- {bin}/pg_ctl -D {dir}/data -l {dir}/log -w \
    -o "-c listen_addresses=127.0.0.1 -p 5432 -k {dir}" start >/dev/null
set +e
timeout 40 {python} -c '{probe}'
echo "exit $?"
ip link set lo up
runuser -u postgres -- {bin}/pg_ctl -D {dir}/data -m immediate stop >/dev/null
"""
PROBE = """
import time, storage.db as db
from sqlalchemy import text
db.PG_CONNECT_TIMEOUT = 2
if hasattr(db, "PG_TCP"):
    db.PG_TCP["tcp_user_timeout"] = 2000
engine = db.make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
with engine.connect() as c:
    c.execute(text("SELECT 1"))
import subprocess; subprocess.run(["ip", "link", "set", "lo", "down"], check=True)
started = time.monotonic()
try:
    with engine.connect() as c:
        c.execute(text("SELECT 1"))
except Exception as exc:
    print("refused", type(exc).__name__)
print("took", round(time.monotonic() - started, 1))
"""


def test_a_pooled_connection_to_a_vanished_host_fails_in_bounded_time() -> None:
    """The pool's ping of a connection to a host gone from the network waited on the kernel's
    retransmissions (about 15 minutes, tcp_retries2): the polls' or delivery's thread, and all
    the work behind it. Now data unacknowledged for tcp_user_timeout fails the connection and the
    statement is refused as an unreachable server's is (shortened here to 2 s and 2 s)."""
    work = Path(tempfile.mkdtemp(prefix="pgvanish-"))
    try:
        shutil.chown(work, "postgres")
        script = SCRIPT.format(bin=PG_BIN[-1], dir=work, python=sys.executable, probe=PROBE.replace("'", '"'))
        run = subprocess.run(["unshare", "--net", "bash", "-c", script], capture_output=True, text=True,
                             timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert "exit 0" in run.stdout, run.stdout + run.stderr  # exit 124: still waiting after 40 s
    took = float(run.stdout.split("took ")[1].split()[0])
    assert "refused OperationalError" in run.stdout and took < 15, run.stdout
