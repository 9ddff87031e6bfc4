"""Hot reload applies the fetcher's settings (issue 16): the HTTP client is rebuilt when
one changes, and a setting read only at start-up is named in the log."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
from service_world import TOKEN

from core.config import AppConfig, Runtime, load_config, resolve_runtime
from core.urls import origin
from monitor.service import Service
from storage.db import open_database

BASE = """rules: [venezuela-2026]
settings:
  http_listen: 127.0.0.1:{port}
  request_timeout: {timeout}
  user_agent: "{agent}"
feeds: [{{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}}]
channels: [{{name: presos, chat_id: console, topics: [political_prisoners]}}]
"""


def _started_from(tmp_path: Path, port: int) -> tuple[Path, AppConfig, str, Runtime]:
    """feeds.yaml (BASE, user agent Monitor/1), its config, a SQLite URL and the runtime."""
    path = tmp_path / "feeds.yaml"
    path.write_text(BASE.format(port=port, timeout="30s", agent="Monitor/1"), encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    return path, config, db_url, resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})


def test_reload_rebuilds_the_fetcher_and_names_restart_settings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    path, config, db_url, runtime = _started_from(tmp_path, 9301)

    async def scenario() -> None:
        service = Service(config, runtime, open_database(db_url))
        first = service.fetcher
        assert first.user_agent == "Monitor/1"
        # unchanged settings: the same client stays
        assert await service.reload()
        assert service.fetcher is first
        path.write_text(BASE.format(port=9302, timeout="7s", agent="Monitor/2"), encoding="utf-8")
        with caplog.at_level(logging.INFO, logger="monitor.service"):
            assert await service.reload()
        assert service.fetcher is not first
        assert service.fetcher.user_agent == "Monitor/2" and service.fetcher.deadline == 7 + 10
        assert "fetcher rebuilt for the new request_timeout, user_agent" in caplog.text
        assert "settings.http_listen takes effect only after a restart" in caplog.text
        await service.close()
        assert first._client.is_closed  # the replaced client is closed, not leaked

    asyncio.run(scenario())


def test_a_reload_the_database_refuses_keeps_the_old_config_whole_and_is_tried_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    """The new rows are written before anything else changes: a database error there (a lock
    held too long, another replica's insert) leaves the running config as it was, and the
    watcher tries the same file again instead of keeping a half-applied one for good."""
    import sqlite3

    path = tmp_path / "feeds.yaml"
    path.write_text(BASE.format(port=9303, timeout="30s", agent="Monitor/1"), encoding="utf-8")
    config = load_config(path)
    db_file = tmp_path / "m.db"
    db_url = f"sqlite:///{db_file}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})
    added = BASE.format(port=9303, timeout="30s", agent="Monitor/1").replace(
        "feeds: [{name: medio,", 'feeds: [{name: otro, url: "http://127.0.0.1:9/otro.xml", language: es}, {name: medio,')

    def sql(statement: str) -> None:
        with sqlite3.connect(db_file) as conn:
            conn.execute(statement)

    async def scenario() -> None:
        service = Service(config, runtime, open_database(db_url))
        from monitor.service import sync_config
        sync_config(config, service.db)
        sql("CREATE TRIGGER refuse BEFORE INSERT ON feeds BEGIN SELECT RAISE(ABORT, 'refused'); END")
        path.write_text(added, encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="monitor.service"):
            await service._watch_config()  # the change seen: applied if the next look finds it the same
            await service._watch_config()
            await asyncio.gather(*service._reloads)  # the reload runs in a task of its own
        assert "config reload failed" in caplog.text and "refused" in caplog.text
        assert [f.name for f in service.config.feeds] == ["medio"]  # the old config, whole
        assert service.pipeline.config is config and service.worker.config is config
        sql("DROP TRIGGER refuse")
        await service._watch_config()  # the file did not change since: tried again all the same
        await asyncio.gather(*service._reloads)
        assert [f.name for f in service.config.feeds] == ["otro", "medio"]
        assert service.pipeline.config is service.config
        await service.close()

    asyncio.run(scenario())


def test_a_reload_whose_read_back_fails_is_tried_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rows written, the schedule read back from them failed (the database lost between
    the two statements: injected here, a server cannot be made to drop one read): the error
    ended the reload task, the file stayed marked as seen, and the old config ran on until
    the next edit."""
    from sqlalchemy.exc import OperationalError

    from monitor.service import sync_config

    path, config, db_url, runtime = _started_from(tmp_path, 9304)

    async def scenario() -> None:
        service = Service(config, runtime, open_database(db_url))
        sync_config(config, service.db)
        service._start_scheduler()
        read = service._schedule_rows
        failures = [OperationalError("SELECT feeds", {}, Exception("server closed the connection"))]

        def lost_once() -> object:
            if failures:
                raise failures.pop()
            return read()

        monkeypatch.setattr(service, "_schedule_rows", lost_once)
        path.write_text(BASE.format(port=9304, timeout="30s", agent="Monitor/2"), encoding="utf-8")
        with caplog.at_level(logging.ERROR, logger="monitor.service"):
            await service._watch_config()
            await service._watch_config()
            await asyncio.gather(*service._reloads)
        assert "config reload failed" in caplog.text
        assert service.config is config
        await service._watch_config()  # the same file, tried again
        await asyncio.gather(*service._reloads)
        assert service.config is not config and service.fetcher.user_agent == "Monitor/2"
        assert service.scheduler is not None
        service.scheduler.shutdown(wait=False)
        await service.close()

    asyncio.run(scenario())


def test_feeds_removed_by_reloads_leave_no_trust_and_no_metrics(tmp_path: Path) -> None:
    """Feeds replaced by reloads for months: the origins of removed feeds are no longer
    trusted (an item link to a removed feed's private address is checked again), and
    /metrics lists the feeds of the config, not every feed the service ever polled."""
    from devtools.feedserver import FeedServer
    from devtools.samples import SampleItem, rss

    def feeds_yaml(gen: int, port: int) -> str:
        feeds = ", ".join(
            f'{{name: g{gen}-{i}, url: "http://127.0.{gen + 1}.{i + 1}:{port}/f.xml", language: es}}'
            for i in range(3)
        ) + f', {{name: g{gen}-here, url: "http://127.0.0.1:{port}/f.xml", language: es}}'
        return BASE.format(port=9304, timeout="30s", agent="Monitor/1").replace(
            'feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]', f"feeds: [{feeds}]")

    path = tmp_path / "feeds.yaml"
    with FeedServer() as server:
        server.set_route("/f.xml", rss([SampleItem("Noticia", "http://127.0.0.1/n")]))
        path.write_text(feeds_yaml(0, server.port), encoding="utf-8")
        config = load_config(path)
        db_url = f"sqlite:///{tmp_path / 'm.db'}"
        runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})

        async def scenario() -> None:
            service = Service(config, runtime, open_database(db_url))
            for gen in range(1, 21):
                polled = [f.name for f in service.config.feeds]
                results = await asyncio.gather(*(service.poll(name) for name in polled))
                assert [r.status for r in results].count("error") == 3  # nothing listens on 127.0.x.y
                path.write_text(feeds_yaml(gen, server.port), encoding="utf-8")
                assert await service.reload()
            current = {f.name for f in service.config.feeds}
            series = {s.labels.get("feed") for m in service.metrics.registry.collect() for s in m.samples}
            assert series - {None} <= current
            assert service.fetcher.policy._trusted == {
                origin(f.url) for f in service.config.feeds}
            await service.close()

        asyncio.run(scenario())


def test_a_time_listed_twice_in_a_digest_schedule_is_one_roundup(tmp_path: Path) -> None:
    """`schedule: ["08:00", "08:00"]` passed check-config, then `monitor run` stopped on
    APScheduler's ConflictingIdError; a reload to it left the digests after it unscheduled."""
    digests = """channels:
  - {name: resumen, chat_id: console, topics: [political_prisoners], mode: digest, schedule: %s}
  - {name: tarde, chat_id: console, topics: [us_actions], mode: digest, schedule: ["21:00"]}
"""
    text = BASE.format(port=9305, timeout="30s", agent="Monitor/1").split("channels:")[0]
    path = tmp_path / "feeds.yaml"
    path.write_text(text + digests % '["08:00"]', encoding="utf-8")
    config = load_config(path)
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})

    def jobs(service: Service) -> set[str]:
        assert service.scheduler is not None
        return {j.id for j in service.scheduler.get_jobs() if j.id.startswith("digest:")}

    async def scenario() -> None:
        service = Service(config, runtime, open_database(db_url))
        running = asyncio.create_task(service.run())
        while service.scheduler is None or not jobs(service):
            assert not running.done(), running.exception()
            await asyncio.sleep(0.05)
        path.write_text(text + digests % '["08:00", "20:00", "08:00"]', encoding="utf-8")
        assert await service.reload()
        assert jobs(service) == {"digest:resumen:08:00", "digest:resumen:20:00", "digest:tarde:21:00"}
        service.request_stop()
        assert await running == 0

    asyncio.run(scenario())

    path.write_text(text + digests % '["08:00", "08:00"]', encoding="utf-8")
    assert load_config(path).channels[0].schedule == ["08:00"]


def _two_channels(world) -> tuple[AppConfig, Runtime, str]:
    """A feed with a release and a US sanction, channels presos and eeuu (on the emulator): its
    config, runtime, and a feeds.yaml without channel eeuu and topic us_actions (the rule pack's
    topics replaced by one of the file's own)."""
    world.feed("pitazo")
    world.publish("pitazo", "Excarcelan a 87 presos políticos del penal de Tocorón",
                  "Familiares esperaban frente al penal en Aragua.")
    world.publish("pitazo", "EEUU sanciona a 12 tanqueros que transportaban crudo venezolano",
                  "La OFAC incluyó a las navieras en su lista.")
    world.write_config([{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"]},
                        {"name": "eeuu", "chat_id": "@eeuu_test", "topics": ["us_actions"]}])
    config = load_config(world.config_path)
    runtime = resolve_runtime(config, config_path=str(world.config_path), db_flag=world.db_url,
                              env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": world.emulator.api_url})
    text = world.config_path.read_text(encoding="utf-8")
    kept = text.split("rules:")[0] + "topics:\n  political_prisoners: {any: [presos politicos], context: [venezuela]}\n" + (
        "feeds:" + text.split("feeds:")[1].split("- name: eeuu")[0])
    return config, runtime, kept


def test_a_channel_and_a_topic_removed_by_a_reload_leave_no_metrics(world) -> None:
    """/metrics kept the series of a channel and a topic removed from feeds.yaml until a
    restart (`monitor_alerts_sent_total{channel="eeuu"}`, `monitor_matches_total{topic=
    "us_actions"}`), as it did for feeds before `forget_feed`: they are dropped at the reload."""
    from monitor.health import HealthServer

    config, runtime, kept = _two_channels(world)

    async def scenario() -> tuple[str, str]:
        service = Service(config, runtime, open_database(world.db_url))
        server = HealthServer("127.0.0.1:0", service.metrics, lambda: {"status": "ok"}).start()
        try:
            await service.poll("pitazo")
            await service.worker.deliver_pending()
            before = httpx.get(f"{server.address}/metrics", timeout=10).text
            world.config_path.write_text(kept, encoding="utf-8")
            assert await service.reload()
            assert [c.name for c in service.config.channels] == ["presos"]
            assert list(service.config.topics) == ["political_prisoners"]
            return before, httpx.get(f"{server.address}/metrics", timeout=10).text
        finally:
            server.stop()
            await service.close()

    before, after = asyncio.run(scenario())
    for series in ('monitor_alerts_sent_total{channel="eeuu"} 1.0', 'monitor_matches_total{topic="us_actions"} 1.0'):
        assert series in before
    assert 'channel="eeuu"' not in after and 'topic="us_actions"' not in after
    assert 'monitor_alerts_sent_total{channel="presos"} 1.0' in after
    assert 'monitor_matches_total{topic="political_prisoners"} 1.0' in after


def test_a_send_in_flight_to_a_channel_a_reload_removes_brings_back_no_series(world) -> None:
    """A send to channel eeuu on its way when a reload removed the channel: its outcome, told
    after the reload, wrote `monitor_alerts_retried_total{channel="eeuu"}` back, for the life of
    the process (a poll of a removed feed is not counted, `_count_poll`)."""
    from monitor.health import HealthServer

    config, runtime, kept = _two_channels(world)

    async def scenario() -> str:
        service = Service(config, runtime, open_database(world.db_url))
        server = HealthServer("127.0.0.1:0", service.metrics, lambda: {"status": "ok"}).start()
        try:
            await service.poll("pitazo")
            world.emulator.fail_next(1, "timeout", "@eeuu_test")  # no answer for 2 s
            sending = asyncio.create_task(service.worker.deliver_pending())
            while not world.emulator.messages("@presos_test"):
                await asyncio.sleep(0.05)
            world.config_path.write_text(kept, encoding="utf-8")
            assert await service.reload()
            assert not sending.done()  # eeuu's send still on its way
            await sending
            return httpx.get(f"{server.address}/metrics", timeout=10).text
        finally:
            server.stop()
            await service.close()

    after = asyncio.run(scenario())
    assert 'channel="eeuu"' not in after
    assert 'monitor_alerts_sent_total{channel="presos"} 1.0' in after
