"""`monitor run` on a PostgreSQL server that stops answering (its processes sent SIGSTOP, as
a frozen host or VM: the kernel still takes connections, nothing answers): /healthz still
answers, a SIGTERM still stops the process within systemd's TimeoutStopSec (15 s), and the
alert sent whose record could not be written is named in the log and stays claimed, to be
reclaimed after `delivery_lease`.

The test freezes a throw-away server of its own (initdb on a free port), never the suite's.
Skipped without TEST_DATABASE_URL (the suite's PostgreSQL runs) or the PostgreSQL binaries.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from service_world import World, free_port, wait_for

from tests.conftest import runs_as_postgres

PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(n) for n in Path(p).parent.name.split(".") if n.isdigit()])


pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set"),
    pytest.mark.skipif(not BINS or not runs_as_postgres(), reason="no PostgreSQL binaries to start a server of the test's own"),
]


class Server:
    """A throw-away PostgreSQL server on 127.0.0.1, run as `postgres` when the tests run as root."""

    def __init__(self) -> None:
        # not under pytest's tmp_path: `postgres` cannot enter root's 0700 folders
        self.root, self.port, self.bin = Path(tempfile.mkdtemp(prefix="monitor-frozen-pg-")), free_port(), Path(BINS[-1])
        self.data = self.root / "data"

    def _run(self, tool: str, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, str(self.bin / tool), *args], check=True, capture_output=True, timeout=60)

    def start(self) -> Server:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off", "start")
        return self

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def signal_all(self, sig: signal.Signals) -> None:
        """`sig` to the postmaster and every backend (SIGSTOP freezes the server, SIGCONT thaws it)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        for pid in [postmaster, *_children(postmaster)]:
            with contextlib.suppress(ProcessLookupError):  # a backend that ended meanwhile
                os.kill(pid, sig)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.signal_all(signal.SIGCONT)
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # a process that ended meanwhile
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server()
    try:
        yield server.start()
    finally:
        server.stop()


class _FreezeAfterSend:
    """The Bot API emulator, its answer to the first sendMessage followed by the database
    server's freeze: the message is out, its record cannot be written."""

    def __init__(self, world: World, server: Server) -> None:
        self.answer, self.server, self.frozen = world.emulator.call, server, threading.Event()
        world.emulator.call = self

    def __call__(self, method: str, params: dict[str, Any]) -> Any:
        result = self.answer(method, params)
        if method == "sendMessage" and not self.frozen.is_set():
            self.server.signal_all(signal.SIGSTOP)
            self.frozen.set()
        return result


def _healthz(port: int, answers: list[tuple[float, int, dict[str, Any]]]) -> None:
    asked = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as reply:
            status, body = reply.status, reply.read()
    except urllib.error.HTTPError as exc:  # 503 carries the report too
        status, body = exc.code, exc.read()
    answers.append((time.monotonic() - asked, status, json.loads(body)))


@pytest.mark.timeout(90)
def test_a_sigterm_while_the_database_server_is_frozen_stops_the_service_in_time(world, server):
    """A statement in flight on the frozen server waited without end in its worker thread (the
    record of a sent alert, the leader lease's renewal, then its release at the stop), and the
    interpreter waited for those threads at exit: `monitor run` was still there 40 s after the
    SIGTERM, and systemd killed it. /healthz took a pooled connection and never answered."""
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 101 presos políticos en Tocorón", "Familiares confirmaron.")
    world.write_config(PRESOS)
    freeze = _FreezeAfterSend(world, server)
    proc = world.start("--db", server.url)
    wait_for(freeze.frozen.is_set, 60, "the first message sent")
    # journaled, the send's record is the worker's next statement: it goes to the frozen server
    # (a fixed 0.5 s before: a longer stall of the monitor process, and the SIGTERM came first)
    wait_for(lambda: _journaled(world.tmp), 30, "the send in the journal of sends")
    answers: list[tuple[float, int, dict[str, Any]]] = []
    probe = threading.Thread(target=_healthz, args=(world.http_port, answers))
    probe.start()
    proc.send_signal(signal.SIGTERM)
    asked = time.monotonic()
    try:
        code = proc.wait(20)
    except subprocess.TimeoutExpired:
        code = None
    took = time.monotonic() - asked
    probe.join(15)
    log = world.log_of()
    server.signal_all(signal.SIGCONT)
    assert code == 0 and took < 15, (took, log)
    assert "stop: the database did not answer within 12 s of the stop; exiting without waiting" in log
    # the journal of sends (data/postgresql-….sent) has it: the next start marks it sent
    assert "alert 1 was sent" in log and "the journal of sends has it" in log
    [(waited, status, report)] = answers
    assert waited < 5 and status == 503 and report["database"]["reachable"] is False
    assert len(world.emulator.messages("@presos_test")) == 1
    with _psql(server) as conn:  # thawed: the claim stands, reclaimed after delivery_lease
        assert conn.execute("SELECT status FROM alerts").fetchall() == [("sending",)]


def _journaled(workdir: Path) -> bool:
    """Whether the journal of sends (data/postgresql-HOST-PORT-NAME.sent) holds a send."""
    return any(p.read_text(encoding="utf-8").strip() for p in (workdir / "data").glob("postgresql-*.sent"))


def _psql(server: Server) -> Any:
    import psycopg

    return psycopg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", connect_timeout=10)
