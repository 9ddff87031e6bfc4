"""`monitor db copy --to URL` (docs/OPERATIONS.md, "Moving from SQLite to PostgreSQL"), end to
end: a SQLite database filled by real `poll-once` runs (the loopback feed server, the Bot API
emulator) copied into PostgreSQL, and the service going on there where it stopped. The PostgreSQL
tests are skipped without TEST_DATABASE_URL (.ci/run starts a server)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_world import World, wait_for
from sqlalchemy import make_url, select

from devtools.emulator import BotApiEmulator
from devtools.feedserver import FeedServer
from storage.db import marks_path, open_database, postgresql_marks_base, sent_path
from storage.leases import LEADER, release, take
from storage.models import Alert
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
CHANNELS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]
RELEASE = ("Excarcelan a 87 presos políticos del penal de Tocorón", "Familiares esperaban frente al penal en Aragua.")
BBC = ("Venezuela frees 87 political prisoners from Tocorón prison", "Relatives gathered outside the prison in Aragua state.")
VERIFIED = ("Foro Penal verificó 61 de las 87 excarcelaciones anunciadas en Tocorón",
            "La ONG dijo que sigue confirmando casos de presos políticos excarcelados.")


@dataclass
class Moving(World):
    """A world whose `monitor` commands use `url` once set (the database moved to)."""

    url: str = ""

    @property
    def db_url(self) -> str:
        return self.url or f"sqlite:///{self.tmp / 'monitor.db'}"

    def ok(self, *args: str) -> str:
        done = self.monitor(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    def copy(self, to: str) -> subprocess.CompletedProcess[str]:
        return self.monitor("db", "copy", "--to", to)


@pytest.fixture
def moving(tmp_path: Path, migrated_sqlite: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Moving]:
    monkeypatch.chdir(tmp_path)  # PostgreSQL's journal in data/ under the working directory, this test's own
    with FeedServer() as server, BotApiEmulator() as emulator:
        world = Moving(tmp_path, server, emulator)
        shutil.copyfile(migrated_sqlite, tmp_path / "monitor.db")
        world.feed("pitazo", "es")
        world.feed("bbc", "en")
        try:
            yield world
        finally:
            world.stop_all()


@pytest.fixture
def pg_url(moving: Moving) -> Iterator[str]:
    if not PG:
        pytest.skip("TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    _reset(PG)
    yield PG
    _reset(PG)


def _sent_then_reported(world: Moving) -> int:
    """The release polled and sent, then the BBC's report of it polled with --dry-run: its edit
    of the sent message queued at the move. The sent message's id."""
    world.publish("pitazo", *RELEASE)
    world.write_config(CHANNELS)
    world.ok("poll-once")
    [sent] = world.emulator.messages("@presos_test")
    world.publish("bbc", *BBC, age=timedelta(minutes=2))
    world.ok("poll-once", "--dry-run")
    return sent.message_id


def _feed_rows(status: str) -> list[dict[str, str]]:
    """`monitor status`'s feeds and alert queue, row by row, without the columns of times."""
    rows = []
    for block in status.split("\n\n")[1:]:
        _, header, _, *lines = block.splitlines()
        starts = [header.index(name) for name in header.split("  ") if name]
        names = [n.strip() for n in header.split("  ") if n]
        for line in lines:
            cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
            rows.append({k: v for k, v in zip(names, cells, strict=True) if k not in ("last success", "next poll")})
    return rows


def _status(world: Moving) -> list[dict[str, str]]:
    return _feed_rows(world.ok("status"))


@needs_pg
@pytest.mark.slow(seconds=39)  # a dozen `monitor` processes, one after another
def test_a_sqlite_database_copied_to_postgresql_goes_on_where_it_stopped(moving: Moving, pg_url: str):
    """Before, nothing in the product said how to move: DATABASE_URL pointed at an empty PostgreSQL
    database alerted the release again (a second message) and the tally started from nothing."""
    world = moving
    first = _sent_then_reported(world)
    tally, status = world.ok("tally", "--format", "json"), _status(world)
    assert json.loads(tally)["figures"], tally

    copied = world.copy(pg_url)
    assert copied.returncode == 0, copied.stderr
    assert "journal of sends: 1 line(s) carried from monitor.db.sent to data/postgresql-" in copied.stdout, copied.stdout
    assert make_url(pg_url).password is None or make_url(pg_url).password not in copied.stdout + copied.stderr

    world.url = pg_url
    assert world.ok("tally", "--format", "json") == tally
    assert _status(world) == status
    world.ok("poll-once")  # the BBC's edit, queued in SQLite, goes out from PostgreSQL
    [message] = world.emulator.messages("@presos_test")
    assert message.message_id == first and len(message.edits) == 1, message.text
    assert "bbc" in message.text.lower(), message.text

    world.publish("pitazo", *VERIFIED, age=timedelta(minutes=1))
    world.ok("poll-once")
    messages = world.emulator.messages("@presos_test")
    assert [m.reply_to for m in messages] == [None, first], [m.text for m in messages]
    assert "61" in messages[1].text, messages[1].text
    world.ok("poll-once")  # nothing more, nothing twice
    assert len(world.emulator.messages("@presos_test")) == 2
    journal = sent_path(marks_path(postgresql_marks_base(make_url(pg_url))))
    assert journal is not None and len(journal.read_text().splitlines()) == 3  # the send, its edit, the reply


@needs_pg
def test_a_send_only_the_journal_has_at_the_move_is_not_sent_again(moving: Moving, pg_url: str):
    """Killed (-9) after Telegram took the message and before its record reached SQLite: the row
    is `sending`, the send is in monitor.db.sent alone. Copied without the journal, the row's claim
    was taken over on PostgreSQL and the release went out a second time."""
    world = moving
    world.publish("pitazo", *RELEASE)
    world.write_config(CHANNELS)
    world.ok("poll-once")
    [sent] = world.emulator.messages("@presos_test")
    with sqlite3.connect(world.tmp / "monitor.db") as conn:  # the record lost to the kill
        conn.execute("UPDATE alerts SET status = 'sending', telegram_message_id = NULL, sent_at = NULL, "
                     "payload = json_remove(payload, '$.sent_chat_id'), claimed_key = dedupe_key, claimed_at = ?",
                     ((datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S"),))
    conn.close()

    copied = world.copy(pg_url)
    assert copied.returncode == 0, copied.stderr
    world.url = pg_url
    world.publish("bbc", *BBC, age=timedelta(minutes=2))
    world.ok("poll-once")
    [message] = world.emulator.messages("@presos_test")  # not sent again
    assert message.message_id == sent.message_id and len(message.edits) == 1, message.text
    db = open_database(pg_url)
    with db.session() as s:
        assert s.execute(select(Alert.status, Alert.telegram_message_id).where(Alert.kind == "new")).all() == [
            ("sent", sent.message_id)]
    db.dispose()


@needs_pg
def test_a_service_running_on_postgresql_is_not_copied_from(moving: Moving, pg_url: str, tmp_path: Path):
    world = moving
    world.url = pg_url
    world.publish("pitazo", *RELEASE)
    world.write_config(CHANNELS)
    world.ok("poll-once")
    db = open_database(pg_url)
    with db.session() as s:  # a replica's lease, renewed every 5 s while it runs
        assert take(s, LEADER, "host:4242:abcdef", timedelta(seconds=15))
    target = f"sqlite:///{tmp_path / 'back.db'}"
    refused = world.monitor("db", "copy", "--to", target)
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith("error: the service is running on ") and "host:4242:abcdef" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1, refused.stderr

    with db.session() as s:  # stopped: the lease given up
        assert release(s, LEADER, "host:4242:abcdef")
    db.dispose()
    back = world.monitor("db", "copy", "--to", target)  # and back to SQLite
    assert back.returncode == 0, back.stderr
    tally = world.ok("tally", "--format", "json")
    world.url = target
    assert world.ok("tally", "--format", "json") == tally


@needs_pg
def test_the_same_postgresql_database_under_another_host_name_is_refused(moving: Moving, pg_url: str):
    world = moving
    world.url = pg_url
    world.write_config(CHANNELS)
    world.ok("poll-once")
    parsed = make_url(pg_url)
    alias = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(parsed.host or "", parsed.host)
    refused = world.copy(parsed.set(host=alias).render_as_string(hide_password=False))
    assert refused.returncode == 2, refused.stderr
    assert "is the database the service uses" in refused.stderr and len(refused.stderr.splitlines()) == 1


def test_a_running_service_on_sqlite_is_not_copied_from(moving: Moving, tmp_path: Path):
    """`monitor run` holds the SQLite file open (its WAL lock): a copy would miss what it writes next."""
    world = moving
    world.publish("pitazo", *RELEASE)
    world.write_config(CHANNELS)
    proc = world.start()
    wait_for(lambda: world.emulator.messages("@presos_test"), what="the release sent by the service")
    target = tmp_path / "new.db"
    refused = world.copy(f"sqlite:///{target}")
    assert refused.returncode == 1, refused.stderr
    assert f"monitor.db is open in another process (pid {proc.pid}" in refused.stderr, refused.stderr
    assert len(refused.stderr.splitlines()) == 1 and not target.exists()

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    copied = world.copy(f"sqlite:///{target}")
    assert copied.returncode == 0, copied.stderr
    assert "journal of sends: 1 line(s) carried from monitor.db.sent to new.db.sent" in copied.stdout


def test_refusals_say_one_line_and_leave_the_target_alone(moving: Moving, tmp_path: Path):
    world = moving
    world.publish("pitazo", *RELEASE)
    world.write_config(CHANNELS)
    world.ok("poll-once")
    target = tmp_path / "new.db"
    assert world.copy(f"sqlite:///{target}").returncode == 0

    cases = {  # --to: (exit status, what the line says)
        f"sqlite:///{target}": (1, "is not empty (channels, feeds,"),
        "sqlite:///monitor.db": (2, "is the database the service uses"),  # relative: the same file
        "postgresql+psycopg://monitor:s3cr3t-pw@db.example/monitor # new": (2, "contains white space"),
        "mysql://monitor:s3cr3t-pw@db.example/monitor": (2, "mysql is not supported"),
    }
    for to, (code, said) in cases.items():
        refused = world.copy(to)
        assert (refused.returncode, len(refused.stderr.splitlines())) == (code, 1), (to, refused.stderr)
        assert said in refused.stderr and "s3cr3t-pw" not in refused.stderr, (to, refused.stderr)
        assert "Traceback" not in refused.stderr


def test_a_source_not_at_this_versions_schema_is_refused(moving: Moving, tmp_path: Path):
    from storage.db import downgrade

    world = moving
    db = open_database(world.db_url)
    downgrade(db.engine, "0027_item_no_zero_dates")
    db.dispose()
    refused = world.copy(f"sqlite:///{tmp_path / 'new.db'}")
    assert refused.returncode == 1, refused.stderr
    assert "is at schema 0027_item_no_zero_dates, not this version's" in refused.stderr
    assert "start the service once" in refused.stderr and not (tmp_path / "new.db").exists()
