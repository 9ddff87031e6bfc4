"""`monitor run` started while feeds.yaml is being written: it waits for the file to be quiet,
refuses a file without `feeds:`/`channels:` while the database has them, and its watcher
applies a write that ended after the start's read."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import monitor.service
import monitor.start_config
from core.config import load_config, resolve_runtime
from monitor.cli import main
from monitor.service import Service, sync_config
from monitor.start_config import file_state
from storage.db import open_database
from storage.models import Alert

CONFIG = """rules: [venezuela-2026]
settings: {http_listen: "127.0.0.1:9307"}
feeds: [{name: medio, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels:
  - {name: presos, chat_id: console, topics: [political_prisoners]}
  - {name: eeuu, chat_id: console, topics: [us_actions]}
"""
NO_CHANNELS = CONFIG[:CONFIG.index("channels:")]
ONE_CHANNEL = CONFIG[:CONFIG.index("  - {name: eeuu")]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The configs `monitor run` would run the service on (the service itself is not run)."""
    runs: list[Any] = []

    def run_service(config: Any, runtime: Any, db: Any, **kw: Any) -> int:
        runs.append(config)
        return 0

    monkeypatch.setattr(monitor.service, "run_service", run_service)
    return runs


def _write_old(path: Path, text: str) -> None:
    """`text`, written a minute ago: nothing to wait for."""
    path.write_text(text, encoding="utf-8")
    past = time.time() - 60
    os.utime(path, (past, past))


def _run(path: Path, db_url: str) -> int:
    return main(["run", "--config", str(path), "--db", db_url])


def test_a_start_refuses_a_file_without_channels_while_the_database_has_some(tmp_path, started, capsys):
    """Cut before `channels:` (an editor that empties the file, then writes it), the file was
    valid: the service ran with no channel, the news classified meanwhile alerted to none,
    and the queue held (`0 channels` in the start line, nothing else said)."""
    path, db_url = tmp_path / "feeds.yaml", f"sqlite:///{tmp_path / 'm.db'}"
    _write_old(path, CONFIG)
    db = open_database(db_url)
    sync_config(load_config(path), db)
    with db.session() as s:
        s.add(Alert(channel="presos", kind="new", dedupe_key="k", status="pending", payload={}))
    db.dispose()
    _write_old(path, NO_CHANNELS)
    assert _run(path, db_url) == 2
    err = capsys.readouterr().err
    assert "no 'channels' section, and the database has 2 channels, 1 alert(s) queued" in err
    assert "write channels: []" in err
    assert started == []
    _write_old(path, NO_CHANNELS + "channels: []\n")  # meant: it starts
    assert _run(path, db_url) == 0 and started[0].channels == []


def test_a_first_start_without_channels_is_not_refused(tmp_path, started):
    path = tmp_path / "feeds.yaml"
    _write_old(path, NO_CHANNELS)
    assert _run(path, f"sqlite:///{tmp_path / 'm.db'}") == 0 and len(started) == 1


def test_a_start_waits_for_a_file_still_being_written(tmp_path, started, monkeypatch, capsys):
    """Started while a copy was still writing the file: the start read the channels written
    so far, and ran without the others."""
    monkeypatch.setattr(monitor.start_config, "SETTLE", 0.4)
    path = tmp_path / "feeds.yaml"
    path.write_text(ONE_CHANNEL, encoding="utf-8")
    rest = threading.Timer(0.2, lambda: path.write_text(CONFIG, encoding="utf-8"))
    rest.start()
    try:
        assert _run(path, f"sqlite:///{tmp_path / 'm.db'}") == 0
    finally:
        rest.join()
    assert [c.name for c in started[0].channels] == ["presos", "eeuu"]
    assert "feeds.yaml changed" in capsys.readouterr().err


def test_the_watcher_applies_a_write_that_ended_after_the_start_read_the_file(tmp_path):
    """The start took the file's state for its watcher once the service was built (imports,
    migrations, the model: seconds), after the write that finished the file: the service ran
    on the cut file until the next edit."""
    path, db_url = tmp_path / "feeds.yaml", f"sqlite:///{tmp_path / 'm.db'}"
    path.write_text(ONE_CHANNEL, encoding="utf-8")
    read_from, config = file_state(str(path)), load_config(path)
    path.write_text(CONFIG, encoding="utf-8")  # the rest, while the service starts
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})

    async def scenario() -> list[str]:
        service = Service(config, runtime, open_database(db_url))
        service.config_read_from(read_from)
        sync_config(config, service.db)
        for _ in range(2):  # two looks agree: applied
            await service._watch_config()
            await asyncio.gather(*service._reloads)
        names = [c.name for c in service.config.channels]
        await service.close()
        return names

    assert asyncio.run(scenario()) == ["presos", "eeuu"]


def test_a_file_dated_in_the_future_is_read_after_one_wait(tmp_path, started, monkeypatch):
    """A modification time ahead of the clock (a copy from a host whose clock runs fast) is
    never 2 s old: the start waits once and reads the file if it did not change meanwhile."""
    monkeypatch.setattr(monitor.start_config, "SETTLE", 0.2)
    path = tmp_path / "feeds.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    ahead = time.time() + 3600
    os.utime(path, (ahead, ahead))
    began = time.monotonic()
    assert _run(path, f"sqlite:///{tmp_path / 'm.db'}") == 0 and len(started) == 1
    # 0.5 s idle, 1.1-2.1 s beside four busy loops; a start waiting for the file to age: SETTLE_LIMIT, 30 s
    assert time.monotonic() - began < 15


def test_poll_once_refuses_a_file_without_channels_while_the_database_has_some(tmp_path, capsys):
    """`monitor poll-once` on a file cut before `channels:` classified what it polled for no
    channel: those items were done, their alerts never queued, once the file was whole."""
    path, db_url = tmp_path / "feeds.yaml", f"sqlite:///{tmp_path / 'm.db'}"
    _write_old(path, CONFIG)
    db = open_database(db_url)
    sync_config(load_config(path), db)
    db.dispose()
    _write_old(path, NO_CHANNELS)
    assert main(["poll-once", "--config", str(path), "--db", db_url]) == 2
    assert "no 'channels' section, and the database has 2 channels, 0 alert(s) queued" in capsys.readouterr().err
