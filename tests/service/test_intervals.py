"""A feed's interval changed while the service was stopped applies at the next start."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.config import load_config, resolve_runtime
from monitor.service import Service, sync_config
from storage.db import open_database
from storage.feeds import feed_named

YAML = """rules: [venezuela-2026]
settings: {{http_listen: 127.0.0.1:9}}
feeds:
  - {{name: diario, url: "http://127.0.0.1:9/diario.xml", language: es, interval: {interval}}}
  - {{name: caido, url: "http://127.0.0.1:9/caido.xml", language: es, interval: {interval}}}
channels: [{{name: presos, chat_id: console, topics: [political_prisoners]}}]
"""


def test_an_interval_shortened_while_stopped_applies_at_the_start(tmp_path: Path) -> None:
    """Polled daily, stopped, set to every 10 minutes, started: the first poll waited for the
    time the daily interval had set (up to max_backoff, 6 h). A failing feed keeps its backoff."""
    path, db_url = tmp_path / "feeds.yaml", f"sqlite:///{tmp_path / 'm.db'}"
    path.write_text(YAML.format(interval="1d"), encoding="utf-8")
    now = datetime.now(UTC)
    db = open_database(db_url)
    sync_config(load_config(path), db)
    with db.session() as s:
        for name, failures in (("diario", 0), ("caido", 4)):
            row = feed_named(s, name)
            assert row is not None
            row.last_polled_at, row.consecutive_failures = now - timedelta(minutes=2), failures
            row.next_poll_at = now + timedelta(hours=5)
    path.write_text(YAML.format(interval="10m"), encoding="utf-8")
    config = load_config(path)

    async def scenario() -> dict[str, timedelta]:
        service = Service(config, resolve_runtime(config, config_path=str(path), db_flag=db_url, env={}), db)
        scheduler = service._start_scheduler()
        try:
            assert service.feed_scheduler is not None
            return {n: service.feed_scheduler.next_run(n) - now for n in ("diario", "caido")}  # type: ignore[operator]
        finally:
            scheduler.shutdown(wait=False)
            await service.close()

    left = asyncio.run(scenario())
    assert left["diario"] <= timedelta(minutes=10)
    assert left["caido"] >= timedelta(hours=5)
