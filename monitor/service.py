"""The service: `monitor run` and `monitor poll-once` (wired as the stages land)."""

from __future__ import annotations

import logging

from monitor.config import AppConfig, Runtime
from storage.db import Database
from storage.queries import sync_channels, sync_feeds

log = logging.getLogger("monitor.service")


def sync_config(config: AppConfig, db: Database) -> None:
    with db.session() as session:
        sync_feeds(session, [(f.name, f.url) for f in config.feeds])
        sync_channels(session, [(c.name, c.chat_id) for c in config.channels])


def poll_once(config: AppConfig, runtime: Runtime, db: Database, *, dry_run: bool = False,
              only: list[str] | None = None) -> int:
    sync_config(config, db)
    raise NotImplementedError("poll-once comes with the ingestion stage")


def run_service(config: AppConfig, runtime: Runtime, db: Database) -> int:
    sync_config(config, db)
    raise NotImplementedError("run comes with the ingestion stage")
