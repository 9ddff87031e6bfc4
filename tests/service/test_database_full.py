"""The service while its database refuses every write at once (a full disk, a read-only file or
directory): one line says so, not one every second, and what was refused is written once the
database takes writes again, without a restart.

A read-only file is played by `PRAGMA query_only` on every new connection: SQLite then refuses
each write as it refuses it on a file the process cannot write ("attempt to write a readonly
database"), at once, as a full disk does."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from service_world import TOKEN
from sqlalchemy import event, select

import monitor.ingest.poll_states
from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import Database, open_database
from storage.models import Alert, Feed
from tests.conftest import _reset

PG = os.environ.get("TEST_DATABASE_URL")
PRESOS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]}]


class ReadOnly:
    """Turns the database read-only and back, for the connections opened from then on."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _query_only(self, conn: Any, _record: Any) -> None:
        conn.execute("PRAGMA query_only=ON")

    def __enter__(self) -> ReadOnly:
        event.listen(self.db.engine, "connect", self._query_only)
        self.db.engine.dispose()
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.db.engine, "connect", self._query_only)
        self.db.engine.dispose()


class ReadOnlyPostgres(ReadOnly):
    """PostgreSQL read-only, as a standby is, or a hosted server whose disk is nearly full."""

    def _query_only(self, conn: Any, _record: Any) -> None:
        with conn.cursor() as cur:
            cur.execute("SET default_transaction_read_only = on")
        conn.commit()


def _opened(world, url: str | None = None) -> tuple[Any, Any, Database]:
    """A service's config (one feed with one release, a channel on the emulator), runtime and
    database (`url`, else a SQLite file)."""
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 101 presos políticos en Tocorón", "Familiares confirmaron.")
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    url = url or world.db_url
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=url,
                              env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": world.emulator.api_url})
    db = open_database(url)
    sync_config(config, db)
    return config, runtime, db


def _statuses(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(Alert.status).order_by(Alert.id)))


def _lines(caplog, text: str) -> int:
    return sum(text in r.getMessage() for r in caplog.records)


async def _refused_then_taken(
    db: Any, run: Callable[[asyncio.Event], Awaitable[None]], done: Callable[[], bool]
) -> None:
    """`run` (a task that retries until stopped) for 1.5 s of refused writes, then until `done`."""
    stop = asyncio.Event()
    with ReadOnly(db):
        running = asyncio.create_task(run(stop))
        await asyncio.sleep(1.5)
    while not done() and not running.done():
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(running, 10)


def test_a_refused_delivery_round_is_logged_once_not_at_every_round(world, caplog):
    """A queued alert whose claim the database refused logged `delivery round stopped: … database
    or disk is full; trying again in 2 s` at each round: 1,800 lines an hour while the disk was
    full. Now the first refusal is logged, then one line a minute; the alert goes out once the
    database takes writes again."""
    config, runtime, db = _opened(world)
    caplog.set_level(logging.INFO)

    async def scenario() -> None:
        service = Service(config, runtime, db)
        service.worker.poll_interval = 0.05  # a round every 50 ms: 2 s in production
        try:
            await service.poll("pitazo")  # stored, classified, its alert queued
            await _refused_then_taken(db, service.worker.run, lambda: _statuses(db) == ["sent"])  # 30 rounds refused
        finally:
            await service.close()

    asyncio.run(scenario())
    assert _lines(caplog, "delivery round stopped: the database refused the command: attempt to write "
                          "a readonly database") == 1
    assert _statuses(db) == ["sent"]
    assert len(world.emulator.messages("@presos_test")) == 1
    db.dispose()


def test_a_refused_poll_state_is_logged_once_not_every_second(world, caplog, monkeypatch):
    """A 304 poll's row change the database refused logged `poll state of 1 feed not written: …;
    trying again` every second (3,600 lines an hour a full disk lasted). Now the first refusal
    is logged, then one line a minute; the row is written once the database takes it."""
    config, runtime, db = _opened(world)
    monkeypatch.setattr(monitor.ingest.poll_states, "FLUSH_EVERY", 0.05)

    async def scenario() -> None:
        service = Service(config, runtime, db)
        states = service.poll_states
        assert states is not None
        try:
            await service.poll("pitazo")
            second = await service.poll("pitazo")  # 304: its row waits in memory
            assert second.status == "not_modified" and states.pending
            # done when the row is written (the rows are out of `pending` while a write is on its
            # way: taken for done then, the stop came before the write it waited for)
            await _refused_then_taken(db, states.run, lambda: _last_status(db) == 304)  # 30 writes refused
        finally:
            await service.close()

    asyncio.run(scenario())
    assert _lines(caplog, "poll state of 1 feed not written: the database refused the command: attempt "
                          "to write a readonly database") == 1
    assert _last_status(db) == 304
    db.dispose()


def test_polls_the_database_refused_are_one_line_not_one_per_feed(world, caplog):
    """A full disk refuses every feed's poll: each logged `poll of NAME not stored: …` at each
    interval (1,800 lines an hour at 300 feeds, where delivery logs once a minute). Now the
    first, then one a minute naming how many other feeds' polls were not stored since."""
    config, runtime, db = _opened(world)
    names = [f"medio{i}" for i in range(9)]
    for name in names:
        world.feed(name)
        world.publish(name, f"Excarcelan a {name}", "Familiares confirmaron.")
    world.write_config(PRESOS)
    config = load_config(world.config_path)
    sync_config(config, db)

    async def scenario() -> list[Any]:
        service = Service(config, runtime, db)
        try:
            with ReadOnly(db):
                return [await service.poll(f.name) for f in config.feeds]
        finally:
            await service.close()

    results = asyncio.run(scenario())
    assert [r.database_refused for r in results] == [True] * 10
    lines = [r.getMessage() for r in caplog.records if " not stored: " in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("poll of pitazo not stored: database: the database refused the command: attempt "
                               "to write a readonly database")
    assert lines[0].endswith("(logged once a minute while it lasts)")
    db.dispose()


def _last_status(db: Any) -> int | None:
    with db.session() as s:
        return s.scalar(select(Feed.last_status).where(Feed.name == "pitazo"))


def test_healthz_says_the_database_refuses_writes_until_one_is_taken(world):
    """With the disk full, /healthz answered `status: ok`, `database: {reachable: true}`: the
    database answers reads, while nothing polled was stored and no alert could be claimed. Now
    the refusal makes the service unhealthy, with its reason, until a write is taken again."""
    config, runtime, db = _opened(world)

    async def scenario() -> list[dict[str, Any]]:
        service = Service(config, runtime, db)
        service.scheduler = AsyncIOScheduler(timezone=UTC)  # alive: the health is the database's
        service.scheduler.start()
        try:
            reports = [service.health()["database"]]
            with ReadOnly(db):
                refused = await service.poll("pitazo")
                assert refused.database_refused
                health = service.health()
                reports.append({**health["database"], "status": health["status"]})
                assert "Database: writes refused since" in service.status_page()  # the page says it too
            await service.poll("pitazo")  # stored now
            health = service.health()
            reports.append({**health["database"], "status": health["status"]})
            assert "Database:" not in service.status_page()
            return reports
        finally:
            service.scheduler.shutdown(wait=False)
            await service.close()

    before, during, after = asyncio.run(scenario())
    assert len({report.pop("id") for report in (before, during, after)}) == 1  # which database: monitor status
    assert before == {"reachable": True}
    refused_since = during.pop("refused_since")
    assert during == {"reachable": True, "writable": False, "status": "unhealthy",
                      "error": "the database refused the command: attempt to write a readonly database"}
    assert refused_since.endswith("+00:00")
    assert after == {"reachable": True, "status": "ok"}
    db.dispose()


@pytest.mark.skipif(not PG, reason="TEST_DATABASE_URL is not set")
def test_a_read_only_postgresql_is_a_refusal_as_a_full_disk_is(world, caplog):
    """PostgreSQL read-only (a standby after a failover; some hosted servers turn it on as their
    disk fills) refuses a write with an InternalError, where SQLite's full disk gives an
    OperationalError: /healthz answered `ok`, a poll was a feed failure (`internal error: …
    cannot execute INSERT in a read-only transaction`) and each delivery round logged `delivery
    round failed`. Now such a refusal is handled as a full disk's."""
    assert PG is not None
    _reset(PG)
    config, runtime, db = _opened(world, PG)
    caplog.set_level(logging.INFO)

    async def scenario() -> list[Any]:
        service = Service(config, runtime, db)
        service.scheduler = AsyncIOScheduler(timezone=UTC)
        service.scheduler.start()
        service.worker.poll_interval = 0.05
        try:
            await service.worker.start()  # as `monitor run` does before the database turns read-only
            with ReadOnlyPostgres(db):
                refused = await service.poll("pitazo")
                health = service.health()
                stop = asyncio.Event()
                running = asyncio.create_task(service.worker.run(stop))
                await asyncio.sleep(0.5)  # 10 rounds refused
                stop.set()
                await asyncio.wait_for(running, 10)
            stored = await service.poll("pitazo")
            return [refused.database_refused, health, stored.status, service.health()["status"]]
        finally:
            service.scheduler.shutdown(wait=False)
            await service.close()

    try:
        refused, during, stored, after = asyncio.run(scenario())
        assert refused
        assert (during["status"], during["database"]["writable"], during["database"]["error"]) == (
            "unhealthy", False, "the database refused the command: cannot execute INSERT in a read-only transaction")
        assert _lines(caplog, "delivery round failed") == 0
        assert (stored, after) == ("new", "ok")
    finally:
        db.dispose()
        _reset(PG)


def test_healthz_says_the_database_file_was_removed_under_the_service(world, caplog):
    """The database file deleted while the service ran (an operator cleaning up, a volume
    remounted): SQLite goes on writing to the open, deleted file, lost at the next start, and
    /healthz answered `ok`. Now it answers unhealthy and names the file; the log says it once."""
    config, runtime, db = _opened(world)
    caplog.set_level(logging.INFO)

    async def scenario() -> list[dict[str, Any]]:
        service = Service(config, runtime, db)
        service.scheduler = AsyncIOScheduler(timezone=UTC)
        service.scheduler.start()
        try:
            await service.poll("pitazo")
            before = service.health()
            (world.tmp / "monitor.db").unlink()
            await service._beat()
            await service._beat()
            after = service.health()
            assert "was removed while the service ran" in service.status_page()
            return [before, after]
        finally:
            service.scheduler.shutdown(wait=False)
            await service.close()

    before, after = asyncio.run(scenario())
    path = world.tmp / "monitor.db"
    assert before["status"] == "ok" and "file" not in before["database"]
    assert after["status"] == "unhealthy"
    assert after["database"]["file"] == (f"{path} was removed while the service ran: it writes to the "
                                         "removed file, lost at the next start")
    assert _lines(caplog, f"{path} was removed while the service ran") == 1
    db.dispose()


def test_monitor_status_says_the_running_service_database_refuses_writes(world, capsys):
    """/healthz said the database refused writes; `monitor status`, which an operator runs in a
    shell, showed its tables alone, as healthy as ever. It now asks the service at
    settings.http_listen, and says what the service cannot store; with the service down it
    says so and shows the tables."""
    from monitor.cli import main
    from monitor.health import HealthServer

    config, runtime, db = _opened(world)
    status = ["status", "--config", str(world.config_path), "--db", world.db_url]

    async def scenario() -> tuple[int, int]:
        service = Service(config, runtime, db)
        service.scheduler = AsyncIOScheduler(timezone=UTC)
        service.scheduler.start()
        server = HealthServer(config.settings.http_listen, service.metrics, service.health).start()
        try:
            with ReadOnly(db):
                assert (await service.poll("pitazo")).database_refused
                during = await asyncio.to_thread(main, status)
        finally:
            server.stop()
            service.scheduler.shutdown(wait=False)
            await service.close()
        return during, await asyncio.to_thread(main, status)

    during, down = asyncio.run(scenario())
    refused, stopped = capsys.readouterr().out.split("Service: http")
    assert during == down == 0
    assert f"Service: unhealthy (http://127.0.0.1:{world.http_port}/healthz)" in refused
    assert ("Database: writes refused since " in refused
            and "UTC (the database refused the command: attempt to write a readonly database); nothing is "
                "stored or sent until it takes them." in refused)
    assert "no answer" in stopped and "not running, or listening elsewhere" in stopped
    assert "Feeds (1)" in refused and "Feeds (1)" in stopped
    db.dispose()


def test_monitor_status_tells_a_service_on_another_database_from_its_own(world, capsys, tmp_path):
    """On a server whose deployed service was down, `monitor status` said `Service: ok` when a
    trial `make run` in a checkout held settings.http_listen's port on a database of its own: the
    health of another service, shown as this database's. /healthz now names its database by a
    hash of the SQLite file's device and inode; the status of another database says another
    monitor answers there, and the same file however its path is written is this one's."""
    from monitor.cli import main
    from monitor.health import HealthServer

    config, runtime, db = _opened(world)
    other = tmp_path / "other.db"
    open_database(f"sqlite:///{other}").dispose()
    link = tmp_path / "link.db"
    link.symlink_to(db.sqlite_file)  # the service's own file, under another name

    def status(url: str) -> str:
        assert main(["status", "--config", str(world.config_path), "--db", url]) == 0
        return capsys.readouterr().out

    async def scenario() -> tuple[str, str, str]:
        service = Service(config, runtime, db)
        service.scheduler = AsyncIOScheduler(timezone=UTC)
        service.scheduler.start()
        server = HealthServer(config.settings.http_listen, service.metrics, service.health).start()
        try:
            return (await asyncio.to_thread(status, world.db_url),
                    await asyncio.to_thread(status, f"sqlite:///{link}"),
                    await asyncio.to_thread(status, f"sqlite:///{other}"))
        finally:
            server.stop()
            service.scheduler.shutdown(wait=False)
            await service.close()

    own, linked, elsewhere = asyncio.run(scenario())
    url = f"http://127.0.0.1:{world.http_port}/healthz"
    assert own.startswith(f"Service: ok ({url})\n") and linked.startswith(f"Service: ok ({url})\n")
    assert elsewhere.startswith(
        f"Service: {url}: another monitor answers there, on another database than sqlite:///{other} "
        "(a second service on this host, a trial run in a checkout?): this database's service is down "
        "or listens elsewhere (settings.http_listen); the tables are the database's.\n")
    assert "Feeds (1)" in elsewhere  # the tables of the database named, as with the service down
    db.dispose()


def test_monitor_status_of_a_database_not_created_yet_is_not_the_running_services(world, capsys, tmp_path):
    """Run from another directory than the service's (docs/OPERATIONS.md, "Commands on the
    server"), `monitor status` reads a data/monitor.db that does not exist: it said `Service: ok`
    of the service on port 9108 above empty tables, as if that service ran on this database. No
    service runs on a database that does not exist: another monitor answers there."""
    from monitor.cli import main
    from monitor.health import HealthServer

    config, runtime, db = _opened(world)
    missing = tmp_path / "data" / "monitor.db"

    async def scenario() -> str:
        service = Service(config, runtime, db)
        service.scheduler = AsyncIOScheduler(timezone=UTC)
        service.scheduler.start()
        server = HealthServer(config.settings.http_listen, service.metrics, service.health).start()
        try:
            return await asyncio.to_thread(
                main, ["status", "--config", str(world.config_path), "--db", f"sqlite:///{missing}"])
        finally:
            server.stop()
            service.scheduler.shutdown(wait=False)
            await service.close()

    assert asyncio.run(scenario()) == 0
    out, err = capsys.readouterr()
    url = f"http://127.0.0.1:{world.http_port}/healthz"
    assert out.startswith(
        f"Service: {url}: another monitor answers there, on another database than sqlite:///{missing} "
        "(a second service on this host, a trial run in a checkout?): this database's service is down "
        "or listens elsewhere (settings.http_listen); the tables are the database's.\n")
    assert f"note: no database at sqlite:///{missing} yet" in err
    assert not missing.exists()  # still never created
    db.dispose()
