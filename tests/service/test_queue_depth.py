"""The outbox's depth in /healthz and /metrics: alerts held for a disabled channel or one
removed from feeds.yaml are counted apart, so the documented alarm (depth above 0 for 15
minutes) does not fire for good once a channel is removed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from prometheus_client import generate_latest

from core.config import load_config, resolve_runtime
from monitor.service import Service
from storage.db import open_database
from storage.models import Alert, Channel

CONFIG = """rules: [venezuela-2026]
settings:
  http_listen: 127.0.0.1:9304
feeds: [{name: a, url: "http://127.0.0.1:9/feed.xml", language: es}]
channels:
  - {name: presos, chat_id: "@presos", topics: [political_prisoners]}
  - {name: eeuu, chat_id: "@eeuu", topics: [us_actions]}
"""


def test_alerts_of_disabled_and_removed_channels_are_held_not_queued(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'm.db'}"
    config = load_config(path)
    runtime = resolve_runtime(config, config_path=str(path), db_flag=db_url, env={})
    db = open_database(db_url)
    with db.session() as s:
        s.add(Channel(name="eeuu", chat_id="@eeuu", disabled=True, disabled_reason="403"))
        for n, (channel, status) in enumerate([
            ("presos", "pending"), ("presos", "sending"), ("presos", "sent"),
            ("eeuu", "pending"), ("eeuu", "pending"),
            ("viejo", "pending"), ("viejo", "pending"), ("viejo", "pending"), ("viejo", "failed"),
        ]):
            s.add(Alert(channel=channel, kind="new", dedupe_key=f"k{n}", status=status))

    async def scenario() -> tuple[dict, str]:
        service = Service(config, runtime, db)
        try:
            return service.health(), generate_latest(service.metrics.registry).decode()
        finally:
            await service.close()

    report, metrics = asyncio.run(scenario())
    assert report["queue_depth"] == 2
    assert report["alerts_held"] == {"disabled": 2, "removed": 3}
    assert "monitor_alert_queue_depth 2.0" in metrics
    assert 'monitor_alerts_held{reason="disabled"} 2.0' in metrics
    assert 'monitor_alerts_held{reason="removed"} 3.0' in metrics
